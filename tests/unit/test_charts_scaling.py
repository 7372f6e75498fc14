"""Scaling charts: what they show, and that a saved scenario redraws the same figure."""

import numpy as np
import pytest

from lifecycle.charts import scenario_figure, scenario_kinds
from lifecycle.charts.scaling import (
    DEFAULT_LAWS,
    allocation_figure,
    gpt3_table_d1_figure,
    isoflop_figure,
    loss_vs_compute_figure,
    scaling_series,
    seed_markers,
)
from lifecycle.errors import InvalidInput
from lifecycle.records.project import Project
from lifecycle.records.scenarios import make_scenario
from lifecycle.scaling.laws import builtin_law, parametric_allocation
from lifecycle.scaling.pretraining import PretrainingSetup

LAWS = [builtin_law(n) for n in DEFAULT_LAWS]


def test_series_cover_every_budget_and_law():
    c = np.logspace(18, 26, 250)
    s = scaling_series(LAWS, c)
    assert set(s) == set(DEFAULT_LAWS)
    assert all(v["params"].shape == (250,) for v in s.values())
    assert s["chinchilla1"]["loss"] is None and s["epoch"]["loss"].shape == (250,)


def test_loss_chart_has_a_frontier_per_loss_predicting_law_and_models():
    fig = loss_vs_compute_figure(LAWS, markers=seed_markers())
    lines = [t for t in fig.data if t.mode == "lines"]
    assert {t.name for t in lines} == {builtin_law(n).label for n in ("kaplan", "chinchilla3", "epoch")}
    names = " ".join(" ".join(t.text) for t in fig.data if t.mode == "markers")
    assert "GPT-3 175B" in names and "Llama 3 8B" in names
    assert fig.layout.xaxis.type == "log"


def test_isoflop_optimum_is_the_closed_form_minimum():
    law = builtin_law("chinchilla3")
    fig = isoflop_figure(law, [1e21])
    star = next(t for t in fig.data if t.mode == "markers")
    assert star.x[0] == pytest.approx(parametric_allocation(law, 1e21)[0])
    curve = next(t for t in fig.data if t.mode == "lines")
    assert min(curve.y) >= star.y[0] - 1e-12
    with pytest.raises(InvalidInput):
        isoflop_figure(builtin_law("chinchilla2"), [1e21])


def test_allocation_chart_has_params_and_tokens_panels():
    fig = allocation_figure(LAWS, markers=seed_markers())
    assert len([t for t in fig.data if t.mode == "lines"]) == 2 * len(LAWS)


def test_table_d1_chart_has_all_rows_and_the_t5_footnote():
    fig = gpt3_table_d1_figure()
    assert len(fig.data[0].x) == 17
    assert any("T5" in a.text and "half" in a.text for a in fig.layout.annotations)


@pytest.mark.parametrize("chart", ["loss", "allocation", "isoflop", "table_d1"])
def test_a_saved_scenario_redraws_the_same_figure(chart):
    setup = PretrainingSetup(laws=tuple(LAWS), chart=chart, c_min_flops=1e19, c_max_flops=1e25, params=7e9,
                             tokens=2e12, budget_amount=1e22)
    scenario = make_scenario(setup, name="plan")
    before = scenario_figure(scenario)
    project = Project(name="p")
    project.select.scenarios.append(scenario)
    stored = Project.model_validate_json(project.model_dump_json())  # what the database keeps
    after = scenario_figure(stored.select.scenarios[0])
    assert after.to_plotly_json() == before.to_plotly_json()
    assert "pretraining" in scenario_kinds()
