"""Stage-specific report content, registered through ``lifecycle.reports.sections.register_section``.

Each builder reads the catalogs other stages ship (tasks, models, GPUs) and says plainly when a
saved id is no longer in them instead of failing.
"""

from __future__ import annotations

from lifecycle.errors import LifecycleError
from lifecycle.records.plan import KIND_WORDS, chosen_scenario
from lifecycle.records.plan_check import plan_consistency
from lifecycle.records.project import Project
from lifecycle.reports import format as fmt
from lifecycle.reports.model import Fact, Section, Table
from lifecycle.reports.sections import ChartSink, register_section


@register_section("scope")
def scope_family(project: Project, section: Section, charts: ChartSink) -> None:
    """Name the architecture family the tasks call for, and whether the team accepted it."""
    from lifecycle.models import tasks as task_catalog

    scope = project.scope
    if scope.tasks:
        try:
            rec = task_catalog.recommend_architecture(scope.tasks, scope.input_tokens, scope.output_tokens)
        except LifecycleError as exc:
            section.paragraphs.append(f"The saved tasks could not be matched to the task catalog: {exc}")
            rec = None
        if rec is not None:
            section.paragraphs.append(
                f"For these tasks the planner recommends the {rec.family_name} family "
                f"({rec.objective}; {rec.attention}). {rec.rationale}"
            )
            if rec.multi_task_cost:
                section.paragraphs.append(rec.multi_task_cost)
            if rec.context_note:
                section.paragraphs.append(rec.context_note)
            alternative = scope.decisions.get(task_catalog.FAMILY_ALTERNATIVE_KEY) or {}
            if scope.family and scope.family != rec.family and alternative.get("family") == scope.family:
                section.paragraphs.append(
                    f"The team chose the {scope.family} family, an alternative the planner listed, instead of the "
                    f"recommended {rec.family}: {alternative.get('when', '')}."
                )
            elif scope.family and scope.family != rec.family:
                section.paragraphs.append(
                    f"The team chose the {scope.family} family instead of the recommended {rec.family}; "
                    "the decision record should say why."
                )
            if rec.alternatives:
                section.tables.append(Table(
                    caption="Alternatives the planner considered",
                    header=["Family", "When it is the better choice"],
                    rows=[[a.family, a.when] for a in rec.alternatives],
                ))
    if scope.family:
        family = task_catalog.families().get(scope.family)
        if family is not None:
            section.facts.append(Fact(label="Family examples", value=family.examples))


@register_section("select")
def select_model(project: Project, section: Section, charts: ChartSink) -> None:
    """The chosen model's card in brief, from the catalog."""
    from lifecycle.models.catalog import get_model

    select = project.select
    if select.pretrain_own:
        section.paragraphs.append(
            "The team decided to pre-train its own model; the scaling-law scenarios below size it."
        )
    if not select.model_id:
        if not select.pretrain_own:
            section.missing.append("No foundation model has been chosen, and pre-training was not decided either.")
        return
    try:
        model = get_model(select.model_id)
    except LifecycleError:
        section.paragraphs.append(
            f"The chosen model {select.model_id!r} is not in the shipped catalog (it may be a team model); "
            "its facts are not repeated here."
        )
        return
    shape = model.shape
    section.paragraphs.append(
        f"Chosen model: {model.name} ({model.hub_id}), a {model.family} model with {fmt.number(model.params)} "
        f"parameters, licence {model.license}, published {model.year} ({model.paper})."
    )
    heads = f"{shape.heads}" + (f" ({shape.kv_heads} KV heads)" if shape.kv_heads and shape.kv_heads != shape.heads else "")
    section.appendix.append(Table(
        caption=f"{model.name} at a glance (from its public config; paper and model card under References)",
        header=["Property", "Value"],
        rows=[
            ["Parameters", fmt.number(model.params)],
            ["Layers", fmt.text(shape.layers)],
            ["Hidden size", fmt.text(shape.hidden)],
            ["Attention heads", heads],
            ["FFN size", fmt.text(shape.ffn)],
            ["Vocabulary", fmt.text(shape.vocab)],
            ["Context length (tokens)", fmt.number(model.max_context)],
            ["Pre-training objective", model.objective],
            ["Positional scheme", model.positional],
            ["Training data", model.training_tokens],
            ["Licence", model.license],
        ],
    ))
    if project.scope.family and project.scope.family != model.family:
        section.paragraphs.append(
            f"Note: Scope recommends the {project.scope.family} family but {model.name} is a {model.family} model."
        )


@register_section("adapt")
def adapt_path(project: Project, section: Section, charts: ChartSink) -> None:
    """What the chosen adaptation path needs and risks, from the adaptation catalog."""
    from lifecycle.adapt.path import get_option

    path = project.adapt.adaptation_path
    if not path:
        return
    try:
        option = get_option(path)
    except LifecycleError:
        section.paragraphs.append(f"The adaptation path {path!r} is not in the adaptation catalog.")
        return
    section.paragraphs.append(f"{option.name} needs {option.examples_text.rstrip('.')}. Risk ({option.risk_level}): "
                              f"{option.risk}")
    section.appendix.append(Table(
        caption=f"{option.name}: what it needs",
        header=["Aspect", "Detail", "Source"],
        rows=[["Labelled examples", option.examples_text, option.examples_source],
              ["When it helps", option.when, ""],
              [f"Risk ({option.risk_level})", option.risk, option.risk_source]],
    ))


@register_section("adapt")
def adapt_eval_targets(project: Project, section: Section, charts: ChartSink) -> None:
    targets = project.adapt.eval_targets
    if not targets:
        return
    section.tables.append(Table(
        caption="Evaluation targets",
        header=["Metric", "Dataset", "Threshold", "Direction"],
        rows=[[t.metric, t.dataset or "—", fmt.text(t.threshold),
               "higher is better" if t.higher_is_better else "lower is better"] for t in targets],
    ))


@register_section("integrate")
def integrate_gpu(project: Project, section: Section, charts: ChartSink) -> None:
    from lifecycle.models.gpus import get_gpu

    integrate = project.integrate
    if not integrate.gpu_id:
        return
    try:
        gpu = get_gpu(integrate.gpu_id)
    except LifecycleError:
        section.paragraphs.append(f"The serving GPU {integrate.gpu_id!r} is not in the shipped GPU catalog.")
        return
    count = integrate.gpu_count or 1
    section.paragraphs.append(
        f"Serving on {count} × {gpu.name}: {fmt.with_unit('memory_bytes', gpu.memory_bytes)} each "
        f"({fmt.with_unit('memory_bytes', count * gpu.memory_bytes)} in all), "
        f"{gpu.memory_bandwidth_bytes_per_s / 1e12:.2f} TB/s memory bandwidth each (datasheet figures in the appendix)."
    )


@register_section("integrate")
def integrate_checklists(project: Project, section: Section, charts: ChartSink) -> None:
    """The chosen optimisations and augmentations with their trade-offs and sources."""
    from lifecycle.adapt.optimize import checklist_items

    items = checklist_items()
    rows = []
    for part, chosen in (("optimize", project.integrate.optimize), ("augment", project.integrate.augment)):
        by_id = {row["id"]: row for row in items.get(part, [])}
        for item_id in chosen:
            row = by_id.get(item_id)
            if row is None:
                rows.append([item_id, "not in the checklist catalog", "", ""])
            else:
                rows.append([row["name"], row.get("when", ""), row.get("tradeoff", ""), row.get("source", "")])
    if rows:
        section.tables.append(Table(caption="Optimisations and augmentations chosen",
                                    header=["Item", "Trade-off"], rows=[[r[0], r[2] or r[1]] for r in rows]))
        section.appendix.append(Table(caption="Optimisations and augmentations: when they help, with sources",
                                      header=["Item", "When it helps", "Trade-off", "Source"], rows=rows))


def _plan_choice(project: Project, section: Section, stage: str, what: str) -> None:
    """Which saved scenario is the plan (first among the facts, its card marked), or that none is and the candidates."""
    from lifecycle.reports.summary import unchosen_note

    chosen = chosen_scenario(project, stage)
    if chosen is None:
        section.missing.insert(0, unchosen_note(project, stage, what))
    else:
        section.facts.insert(0, Fact(label=f"Chosen {what} plan", value=f"“{chosen.name}” "
                                     f"({KIND_WORDS.get(chosen.kind, chosen.kind)} scenario)"))
        for block in section.scenarios:
            if block.id == chosen.id:
                block.chosen = True
    if stage == "integrate" and project.integrate.generation is not None:
        gen = project.integrate.generation
        section.facts.insert(1 if chosen else 0, Fact(label="Generation settings", value=gen.phrase()))
    for finding in plan_consistency(project).for_stage(stage):
        if finding.check != "plan" and finding.severity != "note":
            section.paragraphs.append(finding.line())


@register_section("adapt")
def adapt_plan(project: Project, section: Section, charts: ChartSink) -> None:
    _plan_choice(project, section, "adapt", "training")


@register_section("integrate")
def integrate_plan(project: Project, section: Section, charts: ChartSink) -> None:
    _plan_choice(project, section, "integrate", "serving")
