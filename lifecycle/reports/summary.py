"""The executive summary: what a stakeholder needs from the whole record on one page, and what
is still missing. Numbers come from the saved scenarios' typed results, never recomputed here.
"""

from __future__ import annotations

from lifecycle.choices import title
from lifecycle.display import (
    format_bytes,
    format_count,
    format_duration,
    format_money,
    format_number,
    format_rate,
)
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


def gpu_name(gpu_id: str | None) -> str:
    """The GPU as its datasheet names it, or the id when the catalog does not know it."""
    return fmt.gpu_name(gpu_id) if gpu_id else "?"


def _training_phrase(s: Scenario) -> str:
    """The headline of a training plan, in the words and units the Memory & GPUs page shows."""
    if isinstance(s, PretrainingScenario):
        plan = s.result.budget_plans[0]
        parts = [f"{s.setup.gpus} × {gpu_name(s.setup.gpu)}", f"{format_count(plan.params)} parameters on "
                 f"{format_count(plan.tokens)} tokens ({plan.law})"]
        if plan.days is not None:
            parts += [f"training time {format_duration(plan.days * 86_400)}", f"cost {format_money(plan.cost_usd)}"]
    else:
        t, est = s.result.time_and_cost, s.result.estimate
        capacity = s.result.gpu.memory_bytes if s.result.gpu else None
        memory = format_bytes(est.required_bytes) + (f" of {format_bytes(capacity)}" if capacity else "")
        parts = [f"{t.gpus} × {gpu_name(s.setup.gpu)} ({title(s.setup.strategy)})", f"{memory} per GPU",
                 f"training time {format_duration(t.seconds)}", f"{format_number(t.gpu_hours)} GPU-hours",
                 f"cost {format_money(t.cost_usd)}"]
    return f"{'; '.join(parts)} (scenario “{s.name}”)"


def _serving_phrase(s: Scenario, latency_target_ms: float | None) -> str:
    """The headline of a serving plan, in the words and units the Serving page shows."""
    if isinstance(s, ServingScenario):
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
    put("Adaptation path", _path_name(project.adapt.adaptation_path), "No adaptation path is chosen (Adapt & Align).")
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
        plan = f"{integrate.gpu_count or '?'} × {gpu_name(integrate.gpu_id)}" + (
            f" at {title(integrate.precision)}" if integrate.precision else "")
    put("Serving plan", plan, "No serving GPU and precision are decided (Integrate).")
    serve = serving_scenario(project)
    put("Serving estimate", _serving_phrase(serve, scope.latency_ms_p95) if serve else "",
        "No serving scenario is saved (Integrate).")
    if scope.budget_usd is not None:
        facts.append(Fact(label="Budget", value=format_money(scope.budget_usd)))
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
