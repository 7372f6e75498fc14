"""The report model: sections built by one mechanism, the executive summary, appendix, comparison."""

from __future__ import annotations

from datetime import UTC, datetime

import plotly.graph_objects as go
import pytest

from lifecycle import charts as chart_registry
from lifecycle.display import format_duration, format_money, format_rate
from lifecycle.errors import InvalidInput
from lifecycle.memory.setup import TrainingSetup
from lifecycle.models.ref import ModelRef
from lifecycle.records.plan import choose_scenario, chosen_scenario
from lifecycle.records.project import Project
from lifecycle.records.scenarios import LegacyScenario, make_scenario
from lifecycle.reports import ALL_SECTIONS, build_report, compare, report_from_store
from lifecycle.reports import format as fmt
from lifecycle.reports.sections import SECTION_BUILDERS, register_section
from tests.support.example_project import example_project


@pytest.fixture
def test_kind(monkeypatch):
    """A calculator kind with a chart, registered for this test only."""
    def figure(s: LegacyScenario) -> go.Figure:
        return go.Figure(go.Scatter(x=[1, 2, 3], y=[s.inputs.get("a", 1) * v for v in (1, 2, 3)], name="curve"))

    monkeypatch.setitem(chart_registry._registry(), "legacy", figure)
    return "report_test"


def _kept(kind: str, name: str, inputs: dict | None = None, results: dict | None = None) -> LegacyScenario:
    """A scenario of values kept as saved (the only kind whose fields are free-form)."""
    return LegacyScenario(original_kind=kind, name=name, inputs=inputs or {}, results=results or {})


def test_an_empty_project_report_says_what_is_missing_in_every_stage():
    report = build_report(Project(name="Empty"))
    assert [s.key for s in report.sections] == ["scope", "select", "adapt", "integrate"]
    assert "The use case is not described (Scope)." in report.missing
    assert "No foundation model is chosen (Select)." in report.missing
    for section in report.sections:
        assert section.missing, section.key
        assert "No calculator scenario has been saved at this stage." in section.missing
    assert report.included == [k for k in ALL_SECTIONS if k != "comparison"]


def test_the_full_example_fills_the_summary_from_the_chosen_scenarios_not_the_latest():
    """The example's team chose the older scenario of each pair; the summary is that plan (it used to show the
    latest saved, which the team had not chosen)."""
    project = example_project()
    report = build_report(project)
    summary = {f.label: f.value for f in report.summary}
    assert summary["Architecture family"] == project.scope.family
    assert "Flan-T5" in summary["Model"] or project.select.model_id in summary["Model"]
    assert summary["Adaptation path"] == "LoRA (parameter-efficient fine-tuning)"
    train = chosen_scenario(project, "adapt")
    assert train is not max(project.adapt.scenarios, key=lambda s: s.created_at)
    assert f"cost {format_money(train.result.time_and_cost.cost_usd)}" in summary["Training plan"]
    assert f"{train.result.time_and_cost.gpus} × NVIDIA A100" in summary["Training plan"]  # GPU names, not ids
    assert train.name in summary["Training plan"] and "H100" not in summary["Training plan"]
    assert any(r.startswith("Scope: Urgency labels are noisy") for r in report.risks)
    serve = chosen_scenario(project, "integrate")
    assert serve.setup.concurrent_sequences == 8  # the latest saved is batch 32
    estimate = summary["Serving plan"]
    assert estimate.startswith("1 × NVIDIA L4 24GB at int8 (LLM.int8)")
    assert serve.name in estimate and "batch 32" not in estimate
    # the figures the Serving page shows, through the same formatter
    assert f"decode {format_rate(serve.result.decode_tokens_per_s)}" in estimate
    assert f"request latency {format_duration(serve.result.request_latency_s)}" in estimate
    assert f"{format_money(serve.result.cost_per_million_output_tokens_usd)} per 1M output tokens" in estimate
    assert summary["Generation settings"].startswith("temperature 0.7, top-p 0.9")
    assert all(m.startswith("Not checked") for m in report.missing)  # what the consistency check could not check
    assert [f.value for f in report.plan] == ["Encoder-decoder", "Flan-T5-XL", (f"“{train.name}” — LoRA "
                                               "(parameter-efficient fine-tuning)"), f"“{serve.name}”"]


@pytest.mark.slow
def test_every_scenario_appears_with_inputs_results_and_its_chart_when_its_calculator_has_one():
    from lifecycle.charts import scenario_figure

    project = example_project()
    report = build_report(project)
    blocks = {b.id: b for s in report.sections for b in s.scenarios}
    for stage in ("scope", "select", "adapt", "integrate"):
        for scenario in project.stage(stage).scenarios:
            block = blocks[scenario.id]
            assert block.inputs or block.tables
            if scenario_figure(scenario) is None:  # quantization: numbers only, no empty "no chart" box
                assert block.chart is None
            else:
                assert block.chart.chart_id in report.figures


def test_a_chart_builder_that_fails_leaves_a_note_instead_of_failing_the_report(monkeypatch):
    def broken(s):
        raise KeyError("laws")

    monkeypatch.setitem(chart_registry._registry(), "legacy", broken)
    p = Project(name="P")
    p.adapt.scenarios.append(_kept("report_broken", "old", {"x": 1}))
    block = build_report(p).sections[2].scenarios[0]
    assert block.chart.chart_id == ""
    assert "could not be redrawn" in block.chart.note and "KeyError" in block.chart.note


def test_a_stage_builder_registered_for_a_stage_adds_its_content(monkeypatch):
    monkeypatch.setitem(SECTION_BUILDERS, "integrate", list(SECTION_BUILDERS.get("integrate", [])))

    @register_section("integrate")
    def extra(project, section, charts):
        section.paragraphs.append("extra content from a registered builder")

    assert "extra content from a registered builder" in build_report(Project(name="P")).sections[3].paragraphs


def test_select_section_names_the_chosen_catalog_model_and_an_unknown_one_plainly():
    p = Project(name="P")
    p.select.model_id = "llama-2-7b"
    section = build_report(p).sections[1]
    assert any("Llama" in para and "6.74B parameters" in para for para in section.paragraphs)
    assert any("at a glance" in t.caption for t in section.appendix)  # the full card goes to the appendix
    p.select.model_id = "team-model-x"
    section = build_report(p).sections[1]
    assert any("not in the shipped catalog" in para for para in section.paragraphs)


def test_risks_include_a_chosen_plan_that_does_not_fit_and_a_cost_over_budget():
    p = Project(name="P")
    p.scope.budget_usd = 10.0
    setup = TrainingSetup(model=ModelRef.catalog("llama-2-70b"), gpu="a100-40gb", training_tokens=1e9)
    p.adapt.scenarios.append(make_scenario(setup, name="big"))
    # A run that does not fit has no time and cost (issue 24: it cannot start); the budget risk comes from one that fits.
    assert p.adapt.scenarios[0].result.fits is False and p.adapt.scenarios[0].result.time_and_cost is None
    fits = TrainingSetup(model=ModelRef.catalog("llama-2-7b"), method="qlora", gpu="a100-80gb", training_tokens=1e9)
    p.adapt.scenarios.append(make_scenario(fits, name="qlora"))
    assert p.adapt.scenarios[1].result.fits and p.adapt.scenarios[1].result.time_and_cost.cost_usd > 10
    report = build_report(p)  # nothing chosen: an unchosen scenario is not the plan, and not its risk
    assert not any("does not fit" in r or "budget" in r for r in report.risks)
    assert any("“big”" in m and "“qlora”" in m for m in report.missing)
    report = build_report(choose_scenario(p, "big"))
    assert any("does not fit in GPU memory" in r for r in report.risks)
    report = build_report(choose_scenario(p, "qlora"))
    assert not any("does not fit" in r for r in report.risks)
    assert any("over the budget of $10" in r for r in report.risks)


def test_section_toggles_and_unknown_sections():
    report = build_report(Project(name="P"), sections=["summary", "select"])
    assert [s.key for s in report.sections] == ["select"]
    assert report.assumptions == [] and report.changelog == []
    with pytest.raises(InvalidInput, match="Unknown report section"):
        build_report(Project(name="P"), sections=["appendix"])


def test_the_changelog_and_revision_come_from_the_store(store):
    p = store.create_project("Stored", author="ann")
    p.scope.use_case = "x"
    p = store.save_project(p, author="bob", section="scope")
    report = report_from_store(store, "stored")
    assert [c.version for c in report.changelog] == [2, 1]
    assert report.changelog[0].author == "bob"
    assert report.revision_id is not None and "version 2" in report.revision_label()
    assert report.authors == ["ann", "bob"]
    first = store.history(p.id)[-1]
    old = report_from_store(store, p.id, revision_id=first.id)
    assert old.project_version == 1 and [c.version for c in old.changelog] == [1]


def test_units_are_named_in_values_with_the_screens_formatter():
    assert fmt.with_unit("peak_allocated_bytes", 2**30) == "1.07 GB"
    assert fmt.with_unit("cost_usd", 1234.5) == "$1,234"
    assert fmt.with_unit("cost_usd", 0.0415) == "$0.04"
    assert fmt.with_unit("seconds", 7200) == "2 h"
    assert fmt.with_unit("seconds", 103.9) == "104 s"
    assert fmt.with_unit("decode_tokens_per_s", 1500.0) == "1.5k tokens/s"
    assert fmt.with_unit("days", 0.001203) == "104 s"  # never "0.001203 days"
    assert fmt.with_unit("days", 5.4) == "5.4 days"
    assert fmt.with_unit("pf_days", 2.5) == "2.5"
    assert fmt.label("peak_allocated_bytes") == "Peak allocated"  # the value carries the unit: "8.61 GB"
    assert fmt.with_unit("peak_allocated_bytes", 8_609_007_014) == "8.61 GB"
    assert fmt.with_unit("training_s", 497.1) == "8.29 min"
    assert fmt.with_unit("cost_usd", 0.4287) == "$0.43"
    assert fmt.label("gpu_memory_bytes") == "GPU memory"
    assert fmt.label("decode_tokens_per_s") == "Decode tokens/s"


def test_comparison_marks_rows_that_differ_and_refuses_bad_counts(test_kind):
    a = _kept(test_kind, "A", {"a": 1, "gpu": "h100-80gb"}, {"cost_usd": 10.0})
    b = _kept(test_kind, "B", {"a": 2, "gpu": "h100-80gb"}, {"cost_usd": 12.0})
    table = compare.comparison_table([a, b])
    rows = {row[0]: diff for row, diff in zip(table.rows, table.highlight)}
    assert rows == {"Calculator": False, "Input: A": True, "Input: GPU": False, "Result: Cost": True}
    overlay = compare.overlay_figure([a, b])
    assert [t.name for t in overlay.data] == ["A · curve", "B · curve"]
    assert [t.line.dash for t in overlay.data] == ["solid", "dash"]
    assert compare.results_figure([a, b]) is not None
    with pytest.raises(InvalidInput, match="2 to 4"):
        compare.comparison_table([a])
    with pytest.raises(InvalidInput, match="2 to 4"):
        compare.comparison_table([a, b, a.model_copy(update={"id": "c"}), a.model_copy(update={"id": "d"}),
                                  a.model_copy(update={"id": "e"})])


def test_a_report_with_a_comparison_has_its_section_and_charts(test_kind):
    p = Project(name="P")
    for i in (1, 2, 3):
        p.adapt.scenarios.append(_kept(test_kind, f"S{i}", {"a": i}, {"days": i * 1.5}))
    ids = [s.id for s in p.adapt.scenarios]
    report = build_report(p, compare_ids=ids)
    section = report.sections[-1]
    assert section.key == "comparison" and len(section.charts) == 2
    assert all(c.chart_id in report.figures for c in section.charts)
    with pytest.raises(InvalidInput, match="No saved scenario"):
        build_report(p, compare_ids=[ids[0], "nope"])


@pytest.mark.slow
def test_chart_ids_are_derived_from_content_and_place():
    when = datetime(2026, 1, 1, tzinfo=UTC)
    project = example_project()
    one, two = build_report(project, built_at=when), build_report(project.model_copy(deep=True), built_at=when)
    assert list(one.figures) == list(two.figures)
    assert one.model_dump() == two.model_dump()


@pytest.mark.slow
def test_adapt_and_integrate_sections_explain_the_chosen_options():
    report = build_report(example_project())
    adapt, integrate = report.sections[2], report.sections[3]
    assert any(p.startswith("LoRA") and "Risk (" in p for p in adapt.paragraphs)
    assert any(t.caption.startswith("LoRA") and t.rows[0][0] == "Labelled examples" for t in adapt.appendix)
    checklist = next(t for t in integrate.tables if t.caption == "Optimisations and augmentations chosen")
    assert checklist.rows[0][0].startswith("Quantization")
    assert any("Guardrails" in row[0] or "guardrails" in row[0].lower() for row in checklist.rows)
