"""AppTest of Select → "Pre-train your own" (ui/pretrain_own.py)."""

import numpy as np
import pytest

from lifecycle.records.laws import get_law
from lifecycle.scaling.laws import builtin_law, parametric_loss
from tests.support.apptest import ok as _ok

K = "pretrain_planner_"


def _csv(n=30, seed=3) -> bytes:
    law = builtin_law("epoch")
    rng = np.random.default_rng(seed)
    N, D = 10 ** rng.uniform(7, 9.5, n), 10 ** rng.uniform(9, 11.5, n)
    L = parametric_loss(law, N, D) * np.exp(rng.normal(0, 0.004, n))
    return ("params,tokens,loss\n" + "\n".join(f"{a:.6g},{b:.6g},{c:.6g}" for a, b, c in zip(N, D, L))).encode()


def test_view_renders_without_a_project(run_page):
    at = _ok(run_page("pages/pretrain_own.py"))
    assert len(at.dataframe) >= 4
    assert any("Open a project" in i.value for i in at.info)
    assert any("non-embedding" in c.value for c in at.caption)


def test_budget_table_shows_each_law_and_the_kaplan_conversion(run_page, app_env):
    project = app_env.create_project("Pretrain")
    at = _ok(run_page("pages/pretrain_own.py", project=project))
    budget = at.dataframe[0].value
    assert list(budget["law"]) == ["kaplan", "chinchilla1", "chinchilla2", "chinchilla3", "epoch"]
    assert any("8.64e+19" in c.value for c in at.caption)


@pytest.mark.parametrize("unit", ["FLOPs", "PF-days", "GPU-hours", "USD"])
@pytest.mark.parametrize("edge", ["min", "max"])
def test_budget_extremes_in_every_unit_render(run_page, app_env, unit, edge):
    at = _ok(run_page("pages/pretrain_own.py"))
    at.button_group(key=K + "unit").set_value(unit).run()
    box = at.number_input(key=K + f"amount_{unit}")
    box.set_value(box.min if edge == "min" else box.max).run()
    _ok(at)


@pytest.mark.parametrize("key", ["n_b", "d_b", "gpus", "mfu"])
def test_model_and_hardware_extremes_render(run_page, key):
    at = _ok(run_page("pages/pretrain_own.py"))
    for edge in ("min", "max"):
        box = at.number_input(key=K + key)
        box.set_value(box.min if edge == "min" else box.max).run()
        _ok(at)


def test_zero_price_with_a_money_budget_is_a_clear_error(run_page):
    at = _ok(run_page("pages/pretrain_own.py"))
    at.button_group(key=K + "unit").set_value("USD").run()
    at.number_input(key=K + "price_h100-80gb").set_value(0.0).run()
    _ok(at)
    assert any("price" in e.value.lower() for e in at.error)


@pytest.mark.parametrize("chart", ["loss", "allocation", "isoflop", "table_d1"])
def test_every_chart_renders(run_page, chart):
    at = _ok(run_page("pages/pretrain_own.py"))
    at.selectbox(key=K + "chart").set_value(chart).run()
    _ok(at)
    assert at.get("plotly_chart")


def test_power_law_only_isoflop_is_a_clear_error(run_page):
    at = _ok(run_page("pages/pretrain_own.py"))
    at.multiselect(key=K + "laws").set_value(["chinchilla1"]).run()
    at.selectbox(key=K + "chart").set_value("isoflop").run()
    _ok(at)
    assert any("no loss" in e.value for e in at.error)


def test_save_scenario_persists_and_replots(run_page, app_env):
    project = app_env.create_project("Scenario project")
    at = _ok(run_page("pages/pretrain_own.py", project=project))
    at.text_input(key=K + "scenario_name").input("1e23 on H100")
    at.button(key=K + "save").click().run()
    _ok(at)
    stored = app_env.get_project(project.id)
    [scenario] = [s for s in stored.select.scenarios if s.kind == "pretraining"]
    assert scenario.name == "1e23 on H100" and scenario.result.budget_flops == pytest.approx(1e23)
    assert scenario.result.budget_plans[0].law == "kaplan"
    at = _ok(run_page("pages/pretrain_own.py", project=stored))
    assert at.selectbox(key=K + "replot").value == scenario.id


def test_fit_upload_save_and_delete_a_team_law(run_page, app_env):
    at = _ok(run_page("pages/pretrain_own.py"))
    at.file_uploader(key=K + "fit_upload").set_value(("pilot.csv", _csv(), "text/csv")).run()
    _ok(at)
    assert any(df.value.shape[0] == 8 for df in at.dataframe)  # constants table
    at.button(key=K + "fit_save").click().run()
    _ok(at)
    law = get_law("pilot", app_env)
    assert law.params["alpha"] == pytest.approx(0.3478, abs=0.05)
    at.button(key=K + "fit_delete").click().run()
    _ok(at)


def test_bad_csv_shows_one_clear_error(run_page):
    at = _ok(run_page("pages/pretrain_own.py"))
    at.file_uploader(key=K + "fit_upload").set_value(("bad.csv", b"params,loss\n1,2\n", "text/csv")).run()
    _ok(at)
    assert any("tokens" in e.value for e in at.error)


def test_budget_line_shows_the_plans_pf_days_field(run_page):
    """The PF-days shown are the Result's ``budget_pf_days`` (1e23 FLOPs / 8.64e19 = 1,157.4), not page arithmetic."""
    at = _ok(run_page("pages/pretrain_own.py"))
    assert any("1.000e+23 FLOPs = 1,157.4 PF-days" in m.value for m in at.markdown)


def test_pretrain_or_adapt_shows_the_bloomberggpt_verdict_field(run_page):
    from lifecycle.scaling.pretrain_advice import bloomberg_case

    at = _ok(run_page("pages/pretrain_or_adapt.py"))
    verdict = bloomberg_case().chinchilla_verdict
    shown = [m.value for m in at.markdown if "Where it sits on Chinchilla" in m.value]
    assert len(shown) == 1 and "spent 50% of the budget" in shown[0]
    assert shown[0].replace("\\", "").endswith(verdict)
