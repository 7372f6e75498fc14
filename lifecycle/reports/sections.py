"""One report section per lifecycle stage, built by the same mechanism for every stage.

``stage_section`` renders what every stage has — its typed fields, the decision record, notes, and
each saved scenario's inputs, results and chart (for any calculator kind, through
``lifecycle.charts.scenario_figure``). A stage adds richer content by registering a builder::

    @register_section("select")
    def _chosen_model(project, section, charts): ...

Builders run in registration order after the generic part and edit the ``Section`` in place.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any

import plotly.graph_objects as go

from lifecycle import charts as chart_registry
from lifecycle.charts.plain import plain_figure
from lifecycle.records.key_figures import scenario_inputs, scenario_results
from lifecycle.records.plan import KIND_WORDS
from lifecycle.records.project import STAGE_PURPOSE, STAGE_TITLES, Project, StageSection
from lifecycle.records.scenarios import Scenario
from lifecycle.reports import format as fmt
from lifecycle.reports.model import Chart, Fact, ScenarioBlock, Section, Table

# Human labels for the typed stage fields (lifecycle/records/project.py); others get format.label().
FIELD_LABELS: dict[str, str] = {
    "use_case": "Use case", "tasks": "Tasks", "domain": "Domain", "languages": "Languages",
    "input_tokens": "Typical input (tokens)", "output_tokens": "Typical output (tokens)",
    "quality_bar": "Quality bar", "latency_ms_p95": "Latency target, p95 (ms)",
    "throughput_rps": "Throughput target (requests/s)", "data_available": "Data available",
    "constraints": "Constraints", "budget_usd": "Budget (USD)", "family": "Recommended architecture family",
    "model_id": "Chosen model", "pretrain_own": "Pre-train our own model", "rationale": "Rationale",
    "adaptation_path": "Adaptation path", "eval_targets": "Evaluation targets", "precision": "Serving precision",
    "gpu_id": "Serving GPU", "gpu_count": "Serving GPU count", "optimize": "Optimisations",
    "augment": "Augmentations", "head": "Classifier head", "num_labels": "Number of labels",
}
# Fields whose absence is worth saying out loud in the report.
REQUIRED_FIELDS: dict[str, tuple[str, ...]] = {
    "scope": ("use_case", "tasks", "family"),
    "select": ("model_id",),
    "adapt": ("adaptation_path", "eval_targets"),
    "integrate": ("precision", "gpu_id", "gpu_count"),
}
# The decision record written on every stage's "Decisions" view (ui/stage_form.py).
DECISION_LABELS: dict[str, str] = {"summary": "Decision", "rationale": "Why", "risks": "Risks and open questions"}
_COMMON_FIELDS = set(StageSection.model_fields)
# Fields a stage builder lays out itself (as a table) rather than as one line.
_TABLE_FIELDS = {"eval_targets", "measured"}  # each shown as its own table by a stage section
# The plan's pointers: said in words by ``stage_sections.plan_choice``, never shown as ids.
_PLAN_FIELDS = {"training_scenario_id", "serving_scenario_id", "generation"}


class ChartSink:
    """Collects figures for a report under ids derived from their content and position,
    so the same revision always yields the same ids (reproducible HTML)."""

    def __init__(self) -> None:
        self.figures: dict[str, go.Figure] = {}

    def add(self, fig: go.Figure, title: str, place: str) -> Chart:
        fig = plain_figure(fig)  # every string plain text before kaleido or a browser draws it
        digest = hashlib.sha256(fig.to_json().encode("utf-8")).hexdigest()[:10]
        chart_id = f"chart-{_slug(place)}-{digest}"
        self.figures[chart_id] = fig
        return Chart(chart_id=chart_id, title=title)


SectionBuilder = Callable[[Project, Section, ChartSink], None]
SECTION_BUILDERS: dict[str, list[SectionBuilder]] = {}


def register_section(stage_key: str) -> Callable[[SectionBuilder], SectionBuilder]:
    def decorate(fn: SectionBuilder) -> SectionBuilder:
        builders = SECTION_BUILDERS.setdefault(stage_key, [])
        if fn not in builders:
            builders.append(fn)
        return fn

    return decorate


def _slug(text: str) -> str:
    return "".join(ch if ch.isalnum() else "-" for ch in text.lower()).strip("-") or "x"


def _is_empty(value: Any) -> bool:
    return value is None or value == "" or value == [] or value == {}


def typed_fields(stage_key: str, stage: StageSection) -> tuple[list[Fact], list[str]]:
    """The stage's own fields as facts, and the labels of the expected ones still empty."""
    names = [n for n in type(stage).model_fields if n not in _COMMON_FIELDS | _PLAN_FIELDS]
    names += sorted(k for k in (stage.model_extra or {}) if k not in _COMMON_FIELDS | _PLAN_FIELDS)
    facts, missing = [], []
    for name in names:
        if name in _TABLE_FIELDS:
            if _is_empty(getattr(stage, name)) and name in REQUIRED_FIELDS.get(stage_key, ()):
                missing.append(FIELD_LABELS.get(name, fmt.label(name)))
            continue
        value = getattr(stage, name, None)
        title = FIELD_LABELS.get(name, fmt.label(name))
        if _is_empty(value):
            if name in REQUIRED_FIELDS.get(stage_key, ()):
                missing.append(title)
            continue
        facts.append(Fact(label=title, value=_in_words(name, value)))
    return facts, missing


def _in_words(name: str, value: Any) -> str:
    """A stage field's value as a reader says it: choices by their titles, not their ids."""
    from lifecycle.choices import DATA_TITLES, short_title
    from lifecycle.errors import LifecycleError

    if name == "adaptation_path":
        from lifecycle.adapt.path import get_option

        try:
            return get_option(value).name
        except LifecycleError:
            return fmt.text(value)
    if name == "data_available":
        return DATA_TITLES.get(value, fmt.text(value))
    if name == "precision":
        return short_title(value)
    return fmt.with_unit(name, value)


def decision_facts(decisions: dict[str, Any]) -> list[Fact]:
    known = [k for k in DECISION_LABELS if not _is_empty(decisions.get(k))]
    rest = sorted(k for k in decisions if k not in DECISION_LABELS and not _is_empty(decisions[k]))
    return [Fact(label=DECISION_LABELS.get(k) or fmt.label(k), value=fmt.text(decisions[k])) for k in known + rest]


def scenario_block(scenario: Scenario, charts: ChartSink, place: str) -> ScenarioBlock:
    """Inputs, results and chart of one saved scenario, for any calculator kind."""
    inputs, input_tables = fmt.split_records(scenario_inputs(scenario), "Input: ")
    results, result_tables = fmt.split_records(scenario_results(scenario), "Result: ")
    block = ScenarioBlock(
        id=scenario.id, name=scenario.name, kind=scenario.kind, kind_title=KIND_WORDS.get(scenario.kind, scenario.kind),
        author=scenario.author or "—",
        created=fmt.when(scenario.created_at), notes=scenario.notes,
        inputs=inputs, results=results, tables=result_tables + input_tables,
    )
    title = f"{scenario.name} ({scenario.kind})"
    try:
        fig = chart_registry.scenario_figure(scenario)
    except Exception as exc:  # noqa: BLE001 - a builder that cannot read an old scenario must not sink the report
        block.chart = Chart(chart_id="", title=title,
                            note=f"The chart could not be redrawn from the saved values ({type(exc).__name__}: {exc}).")
        return block
    if fig is not None:  # a calculator without a chart (quantization, prompt budget…) shows its numbers only
        block.chart = charts.add(fig, title, f"{place}-{scenario.id}")
    return block


def stage_section(project: Project, stage_key: str, charts: ChartSink) -> Section:
    stage = project.stage(stage_key)
    title = STAGE_TITLES[stage_key]
    facts, missing = typed_fields(stage_key, stage)
    section = Section(
        key=stage_key, title=title, purpose=STAGE_PURPOSE[stage_key],
        status=f"Decisions saved {fmt.when(stage.saved_at)}" if stage.saved_at else "No decisions saved yet.",
        facts=facts, decisions=decision_facts(stage.decisions), notes=stage.notes.strip(),
        scenarios=[scenario_block(s, charts, stage_key) for s in stage.scenarios],
        missing=[f"{m}: not set yet." for m in missing],
    )
    if not section.decisions:
        section.missing.append("No decision record (decision, why, risks) has been written.")
    if not section.scenarios:
        section.missing.append("No calculator scenario has been saved at this stage.")
    _move_long_parts_to_the_appendix(section)
    for builder in SECTION_BUILDERS.get(stage_key, []):
        builder(project, section, charts)
    return section


MAX_CARD_FACTS = 16  # inputs or results a scenario card shows; the full list goes to "Details by stage"
MAX_CARD_TABLE_ROWS = 6


def _move_long_parts_to_the_appendix(section: Section) -> None:
    """A scenario card stays a card: long result lists and long tables (a strategy table of a legacy
    record, the per-law numbers of a scaling plan) are listed in full in the appendix instead."""
    for block in section.scenarios:
        for part, title in ((block.inputs, "inputs"), (block.results, "results")):
            if len(part) > MAX_CARD_FACTS:
                section.appendix.append(Table(caption=f"“{block.name}”: all {title}", header=["", "Value"],
                                              rows=[[f.label, f.value] for f in part]))
                del part[MAX_CARD_FACTS:]
                part.append(Fact(label="…", value=f"all {title} under Details by stage"))
        long_tables = [t for t in block.tables if len(t.rows) > MAX_CARD_TABLE_ROWS]
        for table in long_tables:
            section.appendix.append(table.model_copy(update={"caption": f"“{block.name}”: {table.caption}"}))
        block.tables = [t for t in block.tables if len(t.rows) <= MAX_CARD_TABLE_ROWS]
