"""The executive summary: what a stakeholder needs from the whole record on one page, and what
is still missing. Numbers come from the saved scenarios' results, never recomputed here.

Calculators name their results with the project's unit suffixes; the summary looks for the
first of a few conventional keys (``KEYS``) in a scenario's results, then its inputs.
"""

from __future__ import annotations

from typing import Any

from lifecycle.errors import LifecycleError
from lifecycle.records.project import STAGE_TITLES, STAGES, Project, Scenario
from lifecycle.reports import format as fmt
from lifecycle.reports.model import Fact

KEYS: dict[str, tuple[str, ...]] = {
    "gpu": ("gpu_id", "gpu"),
    "gpus": ("min_gpus", "gpus", "gpu_count", "n_gpus"),
    "time": ("seconds", "training_s", "wall_s", "days"),
    "gpu_hours": ("gpu_hours",),
    "cost": ("cost_usd", "total_cost_usd", "training_cost_usd"),
    "memory": ("memory_total_bytes", "peak_reserved_bytes", "peak_allocated_bytes", "memory_per_gpu_bytes"),
    "throughput": ("tokens_per_s", "throughput_tokens_per_s", "decode_tokens_per_s"),
    "token_cost": ("cost_per_million_output_tokens_usd", "cost_per_million_tokens_usd", "cost_per_1m_tokens_usd"),
    "latency": ("request_latency_s", "latency_s", "latency_ms", "prefill_s", "time_to_first_token_s"),
}


def _lookup(scenario: Scenario, what: str) -> tuple[str, Any] | None:
    for source in (scenario.results, scenario.inputs):
        for key in KEYS[what]:
            if key in source and source[key] not in (None, ""):
                return key, source[key]
    return None


# How each number reads in a summary sentence.
PHRASES: dict[str, str] = {
    "time": "time", "gpu_hours": "GPU-hours", "cost": "cost", "memory": "peak memory per GPU",
    "throughput": "throughput", "latency": "latency", "token_cost": "cost per million tokens",
}


def _latest_with(scenarios: list[Scenario], whats: tuple[str, ...]) -> Scenario | None:
    """The most recently saved scenario that has any of ``whats`` (ties: the later in the list)."""
    found = [s for s in scenarios if any(_lookup(s, w) for w in whats)]
    return max(found, key=lambda s: s.created_at) if found else None


def _gpu_phrase(scenario: Scenario) -> str:
    gpu, gpus = _lookup(scenario, "gpu"), _lookup(scenario, "gpus")
    if gpu is None and gpus is None:
        return ""
    count = fmt.text(gpus[1]) if gpus else "?"
    return f"{count} × {fmt.text(gpu[1]) if gpu else 'GPU (type not saved)'}"


def _phrase(scenario: Scenario, whats: tuple[str, ...]) -> str:
    parts = [_gpu_phrase(scenario)]
    for what in whats:
        hit = _lookup(scenario, what)
        if hit is not None:
            key, value = hit
            parts.append(f"{PHRASES[what]} {fmt.with_unit(key, value)}")
    body = "; ".join(p for p in parts if p)
    return f"{body} (scenario “{scenario.name}”, {scenario.kind})"


def training_scenario(project: Project) -> Scenario | None:
    stages = ["adapt"] + (["select"] if project.select.pretrain_own else [])
    pool = [s for key in stages for s in project.stage(key).scenarios]
    return _latest_with(pool, ("cost", "time", "gpu_hours"))


def serving_scenario(project: Project) -> Scenario | None:
    return _latest_with(project.integrate.scenarios, ("throughput", "token_cost", "memory", "gpus"))


def model_phrase(project: Project) -> str:
    select = project.select
    if select.model_id:
        try:
            from lifecycle.models.catalog import get_model

            model = get_model(select.model_id)
            return f"{model.name} ({fmt.number(model.params)} parameters, {model.family}, licence {model.license})"
        except LifecycleError:
            return f"{select.model_id} (not in the shipped catalog)"
    return "pre-train our own model" if select.pretrain_own else ""


def executive_summary(project: Project) -> tuple[list[Fact], list[str], list[str]]:
    """(facts, key risks, what is missing) for the front of the report."""
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
    put("Adaptation path", project.adapt.adaptation_path or "", "No adaptation path is chosen (Adapt & Align).")
    targets = project.adapt.eval_targets
    put("Evaluation targets", "; ".join(f"{t.metric}{' on ' + t.dataset if t.dataset else ''}"
                                         f"{' ≥ ' if t.higher_is_better else ' ≤ '}{fmt.text(t.threshold)}"
                                         if t.threshold is not None else t.metric for t in targets),
        "No evaluation target is set (Adapt & Align).")
    train = training_scenario(project)
    put("Training / fine-tuning", _phrase(train, ("time", "gpu_hours", "cost", "memory")) if train else "",
        "No training or fine-tuning scenario with time or cost is saved (Adapt & Align).")
    integrate = project.integrate
    plan = ""
    if integrate.gpu_id:
        plan = f"{integrate.gpu_count or '?'} × {integrate.gpu_id}" + (f" at {integrate.precision}" if integrate.precision else "")
    put("Serving plan", plan, "No serving GPU and precision are decided (Integrate).")
    serve = serving_scenario(project)
    put("Serving estimate", _phrase(serve, ("memory", "throughput", "latency", "token_cost")) if serve else "",
        "No serving scenario is saved (Integrate).")
    if scope.budget_usd is not None:
        facts.append(Fact(label="Budget", value=fmt.with_unit("budget_usd", scope.budget_usd)))
    return facts, key_risks(project, train), missing


def key_risks(project: Project, train: Scenario | None) -> list[str]:
    """Risks the team wrote down, plus the ones the saved numbers reveal."""
    risks = []
    for key in STAGES:
        text = str(project.stage(key).decisions.get("risks") or "").strip()
        if text:
            risks.append(f"{STAGE_TITLES[key]}: {text}")
    for key in STAGES:
        for s in project.stage(key).scenarios:
            if s.results.get("fits") is False:
                risks.append(f"Scenario “{s.name}” ({s.kind}, {STAGE_TITLES[key]}) does not fit in GPU memory as planned.")
    budget = project.scope.budget_usd
    cost = _lookup(train, "cost") if train else None
    if budget is not None and cost is not None and isinstance(cost[1], (int, float)) and cost[1] > budget:
        risks.append(f"The training estimate ({fmt.with_unit('cost_usd', cost[1])}, scenario “{train.name}”) "
                     f"exceeds the budget of {fmt.with_unit('budget_usd', budget)}.")
    model = None
    if project.select.model_id:
        try:
            from lifecycle.models.catalog import get_model

            model = get_model(project.select.model_id)
        except LifecycleError:
            model = None
    needed = (project.scope.input_tokens or 0) + (project.scope.output_tokens or 0)
    if model is not None and needed > model.max_context:
        risks.append(f"Input plus output ({needed:,} tokens) exceeds {model.name}'s context window "
                     f"({model.max_context:,} tokens).")
    return risks
