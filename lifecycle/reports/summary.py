"""The executive summary: what a stakeholder needs from the whole record on one page, and what
is still missing. The plan is what each stage chose (``records.plan``), never the latest saved scenario;
numbers come from the chosen scenarios' typed results, never recomputed here, and the plan's consistency
check (``records.plan_check``) gives the risks it reveals and what it could not check.
"""

from __future__ import annotations

from lifecycle.choices import short_title, title
from lifecycle.display import (
    format_bytes,
    format_count,
    format_duration,
    format_money,
    format_number,
    format_rate,
)
from lifecycle.errors import LifecycleError
from lifecycle.records.plan import candidates, chosen_scenario
from lifecycle.records.plan_check import PlanCheck, plan_consistency
from lifecycle.records.project import STAGE_TITLES, STAGES, Project
from lifecycle.records.scenarios import (
    PretrainingScenario,
    Scenario,
    ServingScenario,
)
from lifecycle.reports import format as fmt
from lifecycle.reports.model import Fact


def training_scenario(project: Project) -> Scenario | None:
    """The training (or pre-training) scenario Adapt & Align chose; None when nothing is chosen."""
    return chosen_scenario(project, "adapt")


def serving_scenario(project: Project) -> Scenario | None:
    """The serving (or inference) scenario Integrate chose; None when nothing is chosen."""
    return chosen_scenario(project, "integrate")


def unchosen_note(project: Project, stage: str, what: str) -> str:
    """What the report says where a stage chose no scenario: that, and the candidates to choose from."""
    pool = candidates(project, stage)
    where = STAGE_TITLES[stage]
    if not pool:
        return f"No {what} scenario is saved ({where})."
    names = ", ".join(f"“{s.name}”" for s in pool[:5]) + (f" and {len(pool) - 5} more" if len(pool) > 5 else "")
    return f"No {what} scenario is chosen as the plan ({where}); candidates: {names} — use one as the plan."


def gpu_name(gpu_id: str | None) -> str:
    """The GPU as its datasheet names it, or the id when the catalog does not know it."""
    return fmt.gpu_name(gpu_id) if gpu_id else "?"


def training_phrase(s: Scenario) -> str:
    """The headline of a training plan, in the words and units the Memory & GPUs page shows."""
    if isinstance(s, PretrainingScenario):
        plan = s.result.budget_plans[0]
        parts = [f"{s.setup.gpus} × {gpu_name(s.setup.gpu)}", (f"{format_count(plan.params)} parameters on "
                  f"{format_count(plan.tokens)} tokens ({plan.law})")]
        if plan.days is not None:
            parts += [f"training time {format_duration(plan.days * 86_400)}", f"cost {format_money(plan.cost_usd)}"]
    else:
        t, est = s.result.time_and_cost, s.result.estimate
        capacity = s.result.gpu.memory_bytes if s.result.gpu else None
        memory = format_bytes(est.required_bytes) + (f" of {format_bytes(capacity)}" if capacity else "")
        gpus = t.gpus if t is not None else s.setup.gpus
        parts = [f"{short_title(s.setup.method)} at {short_title(s.setup.precision)}",
                 f"{gpus} × {gpu_name(s.setup.gpu)} ({title(s.setup.strategy)})", f"{memory} per GPU"]
        if s.result.fits is False:
            parts.append("does not fit in GPU memory")
        if t is not None:
            parts += [f"training time {format_duration(t.seconds)}", f"{format_number(t.gpu_hours)} GPU-hours",
                      f"cost {format_money(t.cost_usd)}"]
        else:
            parts.append("no time or cost (no training tokens or GPU given)")
    return f"{'; '.join(parts)} (scenario “{s.name}”)"


def serving_phrase(s: Scenario, latency_target_ms: float | None) -> str:
    """The headline of a serving plan, in the words and units the Serving page shows."""
    if isinstance(s, ServingScenario) and s.result.new_tokens == 0:  # an encoder: requests, not tokens
        r = s.result
        parts = [f"{r.gpus} × {gpu_name(r.gpu_id)} at {title(r.precision)}",
                 f"{format_bytes(r.memory_total_bytes)} of {format_bytes(r.gpu_memory_bytes)} per GPU",
                 f"{format_rate(r.requests_per_s, 'requests')} per replica",
                 f"request latency {format_duration(r.request_latency_s)}"]
        if latency_target_ms:
            verdict = "within" if r.p95_latency_s * 1e3 <= latency_target_ms else "over"
            parts[-1] += f" ({verdict} the p95 target of {format_duration(latency_target_ms / 1e3)})"
        parts.append(f"{format_money(r.cost_per_thousand_requests_usd)} per 1,000 requests")
    elif isinstance(s, ServingScenario):
        r = s.result
        parts = [f"{r.gpus} × {gpu_name(r.gpu_id)} at {title(r.precision)}",
                 f"{format_bytes(r.memory_total_bytes)} of {format_bytes(r.gpu_memory_bytes)} per GPU",
                 f"decode {format_rate(r.decode_tokens_per_s)} (all sequences)",
                 f"time to first token {format_duration(r.prefill_s)}",
                 f"request latency {format_duration(r.request_latency_s)}"]
        if latency_target_ms:
            verdict = "within" if r.request_latency_s * 1e3 <= latency_target_ms else "over"
            parts[-1] += f" ({verdict} the p95 target of {format_duration(latency_target_ms / 1e3)})"
        if r.cost_per_million_output_tokens_usd is not None:
            parts.append(f"{format_money(r.cost_per_million_output_tokens_usd)} per 1M output tokens")
    else:
        est = s.result.estimate
        parts = [f"tensor parallel {s.setup.tp}" + (f" × {gpu_name(s.setup.gpu)}" if s.setup.gpu else ""),
                 f"{format_bytes(est.required_bytes)} per GPU"]
    return f"{'; '.join(parts)} (scenario “{s.name}”)"


def _path_name(path: str | None) -> str:
    if not path:
        return ""
    try:
        from lifecycle.adapt.path import get_option

        return get_option(path).name
    except LifecycleError:
        return path


def model_phrase(project: Project) -> str:
    select = project.select
    if select.model_id:
        try:
            from lifecycle.models.catalog import get_model

            model = get_model(select.model_id)
            return f"{model.name} ({format_count(model.params)} parameters, {model.family}, licence {model.license})"
        except LifecycleError:
            return f"{select.model_id} (not in the shipped catalog)"
    return "pre-train our own model" if select.pretrain_own else ""


def plan_facts(project: Project) -> list[Fact]:
    """The plan in four lines for page 1: what each stage chose ("" where it chose nothing)."""
    from lifecycle.models.tasks import families

    scope, select = project.scope, project.select
    family = families().get(scope.family) if scope.family else None
    model = model_phrase(project).split(" (")[0] if select.model_id or select.pretrain_own else ""
    train, serve = training_scenario(project), serving_scenario(project)
    path = _path_name(project.adapt.adaptation_path)
    rows = [("scope", getattr(family, "name", None) or scope.family or ""), ("select", model),
            ("adapt", f"“{train.name}”" + (f" — {path}" if path else "") if train else ""),
            ("integrate", f"“{serve.name}”" if serve else "")]
    return [Fact(label=STAGE_TITLES[key], value=value) for key, value in rows]  # "": nothing chosen


def executive_summary(project: Project) -> tuple[list[Fact], list[str], list[str]]:
    """(facts, key risks, what is missing) for the front of the report: the chosen plan only."""
    scope, facts, missing = project.scope, [], []

    def put(label: str, value: str, missing_note: str) -> None:
        if value:
            facts.append(Fact(label=label, value=value))
        else:
            missing.append(missing_note)

    put("Use case", scope.use_case.strip(), "The use case is not described (Scope).")
    put("Tasks", ", ".join(scope.tasks), "No task is chosen (Scope).")
    put("Architecture family", scope.family or "", "No architecture family is accepted (Scope).")
    put("Model", model_phrase(project), "No foundation model is chosen (Select).")
    put("Adaptation path", _path_name(project.adapt.adaptation_path), "No adaptation path is chosen (Adapt & Align).")
    targets = project.adapt.eval_targets
    put("Evaluation targets", "; ".join(f"{t.metric}{' on ' + t.dataset if t.dataset else ''}"
                                         f"{' ≥ ' if t.higher_is_better else ' ≤ '}{fmt.text(t.threshold)}"
                                         if t.threshold is not None else t.metric for t in targets),
        "No evaluation target is set (Adapt & Align).")
    train = training_scenario(project)
    put("Training plan", training_phrase(train) if train else "", unchosen_note(project, "adapt", "training"))
    serve = serving_scenario(project)
    put("Serving plan", serving_phrase(serve, scope.latency_ms_p95) if serve else "",
        unchosen_note(project, "integrate", "serving"))
    generation = project.integrate.generation
    if generation is not None:
        facts.append(Fact(label="Generation settings", value=f"{generation.phrase()} (scenario “{generation.scenario_name}”)"
                          if generation.scenario_name else generation.phrase()))
    if scope.budget_usd is not None:
        facts.append(Fact(label="Budget", value=format_money(scope.budget_usd)))
    check = plan_consistency(project)
    return facts, key_risks(project, check), missing + [f.line() for f in check.of("note") if f.check != "plan"]


def key_risks(project: Project, check: PlanCheck | None = None) -> list[str]:
    """Risks the team wrote down, then the contradictions and checks the plan's consistency reveals."""
    risks = []
    for key in STAGES:
        text = str(project.stage(key).decisions.get("risks") or "").strip()
        if text:
            risks.append(f"{STAGE_TITLES[key]}: {text}")
    check = check if check is not None else plan_consistency(project)
    return risks + [f.line() for f in check.of("error", "warning")]
