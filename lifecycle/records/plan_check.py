"""Does the plan hold together? ``plan_consistency(project)`` reads what each stage chose (``records.plan``)
against itself and the team's facts, and returns one finding per contradiction, risk or unknown:

- the chosen model vs the model of the chosen training and serving scenarios;
- their GPUs vs the team's GPUs (Scope), and whether they fit;
- the model's context window vs the project's lengths (by family: ``models.architecture.fits_context``);
- the training cost vs the budget;
- the serving estimate vs the p95 latency and throughput targets;
- the model's licence vs commercial use (and an "open licence" constraint);
- the model's languages vs the project's languages (unknown when the catalog row does not list them).

Severity: ``error`` — the plan contradicts itself or a stated target; ``warning`` — it departs from the
team's facts or needs more than it says; ``note`` — something could not be checked, and why.
"""

from __future__ import annotations

import math
from typing import Any, Literal

from pydantic import Field

from lifecycle._typed import Result
from lifecycle.display import format_duration, format_money, format_number
from lifecycle.errors import LifecycleError
from lifecycle.models.architecture import context_needed, fits_context
from lifecycle.records.plan import chosen_scenario
from lifecycle.records.project import STAGE_TITLES, Project
from lifecycle.records.scenarios import (
    InferenceScenario,
    PretrainingScenario,
    Scenario,
    ServingScenario,
    TrainingScenario,
)

Severity = Literal["error", "warning", "note"]
SEVERITY_WORDS: dict[str, str] = {"error": "Contradiction", "warning": "Check", "note": "Not checked"}
# Licences that are open for any use (OSI-approved or equivalent): what an "open licence" constraint accepts.
OPEN_LICENCES = ("apache-2.0", "mit", "bsd-3-clause", "bsd-2-clause", "cc-by-4.0")


class PlanFinding(Result):
    severity: Severity
    stage: str  # the stage whose choice the finding is about
    check: Literal["plan", "model", "gpus", "context", "budget", "serving", "licence", "languages"]
    message: str  # one line

    def line(self) -> str:
        return f"{SEVERITY_WORDS[self.severity]} ({STAGE_TITLES[self.stage]}): {self.message}"


class PlanCheck(Result):
    findings: list[PlanFinding] = Field(default_factory=list)

    @property
    def ok(self) -> bool:
        """No contradiction (warnings and notes may remain)."""
        return not any(f.severity == "error" for f in self.findings)

    def for_stage(self, stage: str) -> list[PlanFinding]:
        return [f for f in self.findings if f.stage == stage]

    def of(self, *severities: str) -> list[PlanFinding]:
        return [f for f in self.findings if f.severity in severities]


def _gpu_name(gpu_id: str | None) -> str:
    from lifecycle.models.gpus import get_gpu

    try:
        return get_gpu(gpu_id).name if gpu_id else "?"
    except LifecycleError:
        return str(gpu_id)


def _catalog(model_id: str | None):
    from lifecycle.models.catalog import get_model

    if not model_id:
        return None
    try:
        return get_model(model_id)
    except LifecycleError:
        return None


def _canonical(model_id: str) -> str:
    row = _catalog(model_id)
    return (row.id if row is not None else model_id).casefold()


def _scenario_model(s: Scenario | None):
    return getattr(getattr(s, "setup", None), "model", None)


def _training_gpus(s: Scenario) -> tuple[str, int]:
    if isinstance(s, TrainingScenario):
        t = s.result.time_and_cost
        return s.setup.gpu or "", t.gpus if t is not None else s.setup.gpus
    return s.setup.gpu or "", s.setup.gpus  # pre-training


def _cost_usd(s: Scenario) -> float | None:
    if isinstance(s, TrainingScenario):
        return s.result.time_and_cost.cost_usd if s.result.time_and_cost is not None else None
    if isinstance(s, PretrainingScenario) and s.result.budget_plans:
        return s.result.budget_plans[0].cost_usd
    return None


def plan_consistency(project: Project) -> PlanCheck:
    """Every finding about the chosen plan of ``project``, contradictions first."""
    train, serve = chosen_scenario(project, "adapt"), chosen_scenario(project, "integrate")
    found: list[PlanFinding] = []

    def add(severity: Severity, stage: str, check: str, message: str) -> None:
        found.append(PlanFinding(severity=severity, stage=stage, check=check, message=message))

    if train is None:
        add("note", "adapt", "plan", "No training scenario is chosen, so its model, GPUs and cost are not checked.")
    if serve is None:
        add("note", "integrate", "plan", "No serving scenario is chosen, so its model, GPUs and targets are not checked.")
    model = _models(project, train, serve, add)
    _gpus(project, train, serve, add)
    _context(project, model, add)
    _budget(project, train, add)
    _serving(project, serve, add)
    _licence(project, model, add)
    _languages(project, model, add)
    order = {"error": 0, "warning": 1, "note": 2}
    return PlanCheck(findings=sorted(found, key=lambda f: order[f.severity]))


def _models(project: Project, train, serve, add) -> Any:
    """The plan's model (Select's, else the chosen scenarios'), after checking that they agree."""
    chosen_id = project.select.model_id
    row = _catalog(chosen_id)
    name = row.name if row is not None else chosen_id
    for stage, s, what in (("adapt", train, "training"), ("integrate", serve, "serving")):
        ref = _scenario_model(s)
        if ref is None:
            continue
        if chosen_id and _canonical(ref.id) != _canonical(chosen_id):
            add("error", stage, "model", f"The chosen {what} scenario “{s.name}” sizes {ref.name}, but Select chose "
                                         f"{name}.")
    t_ref, s_ref = _scenario_model(train), _scenario_model(serve)
    if not chosen_id:
        if project.select.pretrain_own:
            return None
        add("note", "select", "model", "No model is chosen (Select); the chosen scenarios' models stand in for it.")
        if t_ref is not None and s_ref is not None and _canonical(t_ref.id) != _canonical(s_ref.id):
            add("error", "integrate", "model", f"The chosen serving scenario “{serve.name}” serves {s_ref.name}, but "
                                               f"the chosen training scenario “{train.name}” trains {t_ref.name}.")
    return row or t_ref or s_ref


def _gpus(project: Project, train, serve, add) -> None:
    scope = project.scope
    team_gpu, team_count = scope.gpu_id, scope.gpu_count
    if team_gpu is None and (train is not None or serve is not None):
        add("note", "scope", "gpus", "The team's GPUs are not stated (Scope), so the plan's GPUs are not compared.")
    team = f"{team_count or '?'} × {_gpu_name(team_gpu)}"
    checks = []
    if train is not None:
        checks.append(("adapt", "training", train, *_training_gpus(train), ""))
    if serve is not None:
        count = serve.setup.gpus if isinstance(serve, ServingScenario) else serve.setup.tp
        checks.append(("integrate", "serving", serve, serve.setup.gpu, count, " per replica"))
    for stage, what, scenario, gpu, count, per in checks:
        if getattr(scenario.result, "fits", True) is False:
            add("error", stage, "gpus", f"The chosen {what} scenario “{scenario.name}” does not fit in GPU memory.")
        if team_gpu and gpu and gpu != team_gpu:
            add("warning", stage, "gpus", f"The chosen {what} scenario “{scenario.name}” runs on {count} × "
                                          f"{_gpu_name(gpu)}; the team has {team}.")
        elif team_gpu and team_count and count > team_count:
            add("warning", stage, "gpus", f"The chosen {what} scenario “{scenario.name}” needs {count} × "
                                          f"{_gpu_name(gpu)}{per}; the team has {team}.")


def _context(project: Project, model, add) -> None:
    if model is None:
        return
    n_in, n_out = project.scope.input_tokens, project.scope.output_tokens
    if not n_in and not n_out:
        add("note", "scope", "context", f"The project's input and output lengths are not stated (Scope), so "
                                        f"{model.name}'s window of {model.shape.max_context:,} tokens is not checked.")
        return
    if not fits_context(model.shape, n_in, n_out):
        family = model.shape.family
        needed = context_needed(family, n_in, n_out)
        how = {"decoder": f"input {n_in or 0:,} + output {n_out or 0:,} tokens",
               "encoder-decoder": f"the longer of input {n_in or 0:,} and output {n_out or 0:,} tokens"}.get(
                   family, f"input {n_in or 0:,} tokens")
        add("error", "select", "context", f"The project needs {needed:,} tokens ({how}); {model.name}'s window is "
                                          f"{model.shape.max_context:,}.")


def _budget(project: Project, train, add) -> None:
    if train is None:
        return
    cost, budget = _cost_usd(train), project.scope.budget_usd
    if cost is None:
        add("note", "adapt", "budget", f"The chosen training scenario “{train.name}” has no cost (no training tokens "
                                       "or price), so the budget is not checked.")
    elif budget is None:
        add("note", "scope", "budget", f"No budget is stated (Scope); the chosen training costs {format_money(cost)}.")
    elif cost > budget:
        add("error", "adapt", "budget", f"The chosen training scenario “{train.name}” costs {format_money(cost)}, "
                                        f"over the budget of {format_money(budget)}.")


def _serving(project: Project, serve, add) -> None:
    scope = project.scope
    if isinstance(serve, InferenceScenario) and (scope.latency_ms_p95 or scope.throughput_rps):
        add("note", "integrate", "serving", f"The chosen serving scenario “{serve.name}” is a memory estimate: "
                                            "latency and throughput are not estimated.")
    if not isinstance(serve, ServingScenario):
        return
    r = serve.result
    if scope.latency_ms_p95 and r.p95_latency_s * 1e3 > scope.latency_ms_p95:
        add("error", "integrate", "serving", f"The chosen serving scenario “{serve.name}” has a p95 latency of "
                                             f"{format_duration(r.p95_latency_s)}, over the target of "
                                             f"{format_duration(scope.latency_ms_p95 / 1e3)}.")
    if scope.throughput_rps and r.requests_per_s > 0 and r.requests_per_s < scope.throughput_rps:
        replicas = math.ceil(scope.throughput_rps / r.requests_per_s - 1e-9)
        add("warning", "integrate", "serving", f"One replica of “{serve.name}” serves {format_number(r.requests_per_s)} "
                                               f"requests/s; the target of {format_number(scope.throughput_rps)} needs "
                                               f"{replicas} replicas ({replicas * r.gpus} × {_gpu_name(r.gpu_id)}).")
    elif scope.throughput_rps and r.requests_per_s <= 0:
        add("error", "integrate", "serving", f"The chosen serving scenario “{serve.name}” serves no requests.")


def _licence(project: Project, model, add) -> None:
    row = _catalog(getattr(model, "id", None))
    if row is None:
        return
    licence = row.license.lower()
    commercial = getattr(project.scope, "commercial_use", None)
    if "non-commercial" in licence or "noncommercial" in licence:
        if commercial is not False:
            add("error", "select", "licence", f"{row.name}'s licence ({row.license}) forbids commercial use; the "
                                              "project does not say it is research only.")
    elif "open licence" in project.scope.constraints and not licence.startswith(OPEN_LICENCES):
        add("warning", "select", "licence", f"{row.name}'s licence ({row.license}) is not an open licence, which the "
                                            "project's constraints ask for.")


def _languages(project: Project, model, add) -> None:
    wanted = [str(x).strip() for x in project.scope.languages if str(x).strip()]
    if model is None or not wanted:
        return
    row = _catalog(getattr(model, "id", None))
    known = getattr(row, "languages", None) if row is not None else None
    if not known:
        add("note", "select", "languages", f"{model.name}'s languages are unknown (the catalog does not list them); "
                                           f"check its card for {', '.join(wanted)}.")
        return
    have = {str(x).split("-")[0].casefold() for x in known}
    missing = [x for x in wanted if x.split("-")[0].casefold() not in have]
    if missing:
        add("error", "select", "languages", f"{model.name} was not trained for {', '.join(missing)} (its catalog row "
                                            f"lists {', '.join(str(k) for k in known)}).")
