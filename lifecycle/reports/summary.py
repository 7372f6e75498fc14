"""The executive summary: what a stakeholder needs from the whole record on one page, and what
is still missing. Numbers come from the saved scenarios' typed results, never recomputed here.
"""

from __future__ import annotations

from lifecycle.errors import LifecycleError
from lifecycle.records.project import STAGE_TITLES, STAGES, Project
from lifecycle.records.scenarios import (
    InferenceScenario,
    PretrainingScenario,
    Scenario,
    ServingScenario,
    TrainingScenario,
)
from lifecycle.reports import format as fmt
from lifecycle.reports.model import Fact


def _latest(scenarios: list[Scenario]) -> Scenario | None:
    """The most recently saved of ``scenarios`` (ties: the later in the list)."""
    return max(scenarios, key=lambda s: s.created_at) if scenarios else None


def training_scenario(project: Project) -> Scenario | None:
    """The latest training run with a time and cost (a pre-training plan too when the team pre-trains)."""
    pool = [s for s in project.adapt.scenarios + project.select.scenarios
            if isinstance(s, TrainingScenario) and s.result.time_and_cost is not None]
    if project.select.pretrain_own:
        pool += [s for s in project.select.scenarios if isinstance(s, PretrainingScenario)]
    return _latest(pool)


def serving_scenario(project: Project) -> Scenario | None:
    serving = [s for s in project.integrate.scenarios if isinstance(s, ServingScenario)]
    return _latest(serving) or _latest([s for s in project.integrate.scenarios if isinstance(s, InferenceScenario)])


def _training_phrase(s: Scenario) -> str:
    if isinstance(s, PretrainingScenario):
        plan = s.result.budget_plans[0]
        parts = [f"{s.setup.gpus} × {s.setup.gpu}", f"{fmt.number(plan.params)} parameters on "
                 f"{fmt.number(plan.tokens)} tokens ({plan.law})"]
        if plan.days is not None:
            parts += [f"time {fmt.with_unit('days', plan.days)}", f"cost {fmt.with_unit('cost_usd', plan.cost_usd)}"]
    else:
        t, est = s.result.time_and_cost, s.result.estimate
        parts = [f"{s.setup.gpus} × {s.setup.gpu}", f"time {fmt.with_unit('training_s', t.seconds)}",
                 f"GPU-hours {fmt.number(t.gpu_hours)}", f"cost {fmt.with_unit('cost_usd', t.cost_usd)}",
                 f"peak memory per GPU {fmt.with_unit('required_bytes', est.required_bytes)}"]
    return f"{'; '.join(parts)} (scenario “{s.name}”)"


def _serving_phrase(s: Scenario) -> str:
    if isinstance(s, ServingScenario):
        r = s.result
        parts = [f"{r.gpus} × {r.gpu_id} at {r.precision}", f"memory per GPU {fmt.with_unit('memory_bytes', r.memory_total_bytes)}",
                 f"throughput {fmt.with_unit('throughput_tokens_per_s', r.throughput_tokens_per_s)}",
                 f"latency {fmt.with_unit('request_latency_s', r.request_latency_s)}"]
        if r.cost_per_million_output_tokens_usd is not None:
            parts.append(f"cost per million output tokens {fmt.with_unit('cost_usd', r.cost_per_million_output_tokens_usd)}")
    else:
        est = s.result.estimate
        parts = [f"tensor parallel {s.setup.tp}" + (f" × {s.setup.gpu}" if s.setup.gpu else ""),
                 f"memory per GPU {fmt.with_unit('required_bytes', est.required_bytes)}"]
    return f"{'; '.join(parts)} (scenario “{s.name}”)"


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
    put("Training / fine-tuning", _training_phrase(train) if train else "",
        "No training or fine-tuning scenario with time or cost is saved (Adapt & Align).")
    integrate = project.integrate
    plan = ""
    if integrate.gpu_id:
        plan = f"{integrate.gpu_count or '?'} × {integrate.gpu_id}" + (f" at {integrate.precision}" if integrate.precision else "")
    put("Serving plan", plan, "No serving GPU and precision are decided (Integrate).")
    serve = serving_scenario(project)
    put("Serving estimate", _serving_phrase(serve) if serve else "",
        "No serving scenario is saved (Integrate).")
    if scope.budget_usd is not None:
        facts.append(Fact(label="Budget", value=fmt.with_unit("budget_usd", scope.budget_usd)))
    return facts, key_risks(project, train), missing


def _cost_usd(s: Scenario | None) -> float | None:
    if isinstance(s, TrainingScenario) and s.result.time_and_cost is not None:
        return s.result.time_and_cost.cost_usd
    if isinstance(s, PretrainingScenario):
        return s.result.budget_plans[0].cost_usd
    return None


def key_risks(project: Project, train: Scenario | None) -> list[str]:
    """Risks the team wrote down, plus the ones the saved numbers reveal."""
    risks = []
    for key in STAGES:
        text = str(project.stage(key).decisions.get("risks") or "").strip()
        if text:
            risks.append(f"{STAGE_TITLES[key]}: {text}")
    for key in STAGES:
        for s in project.stage(key).scenarios:
            if getattr(getattr(s, "result", None), "fits", None) is False:
                risks.append(f"Scenario “{s.name}” ({s.kind}, {STAGE_TITLES[key]}) does not fit in GPU memory as planned.")
    budget = project.scope.budget_usd
    cost = _cost_usd(train)
    if budget is not None and cost is not None and cost > budget:
        risks.append(f"The training estimate ({fmt.with_unit('cost_usd', cost)}, scenario “{train.name}”) "
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
