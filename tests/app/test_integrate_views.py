"""Integrate views: quantization demo, generation playground (and the serving plan, optimize/augment)."""

import math

import pytest

from tests.support.apptest import ok as _ok


def test_quantization_demo_shows_real_conversions_of_pi(run_page):
    at = _ok(run_page("pages/quantization.py"))
    demo = at.dataframe[1].value
    stored = dict(zip(demo["format"], demo["stored value"]))
    assert stored["FP16"] == "3.140625" and stored["BF16"] == "3.140625"
    assert stored["FP32"] == f"{3.1415927410125732:.10g}"
    table = at.dataframe[0].value
    assert list(table["format"]) == ["FP32", "FP16", "BF16", "INT8", "INT4"]


def test_quantization_demo_handles_extremes_and_bad_absmax(run_page):
    at = _ok(run_page("pages/quantization.py"))
    at.number_input(key="quantization_demo_value").set_value(1e300).run()
    _ok(at)
    assert at.error  # |value| above absmax: a clear message, no crash
    at.number_input(key="quantization_demo_absmax").set_value(1e300).run()
    _ok(at)
    assert any("overflows" in w.value for w in at.warning)
    at.number_input(key="quantization_demo_value").set_value(-1e300).run()
    _ok(at)


def test_playground_greedy_settings_keep_one_token_and_save_with_the_project(run_page, app_env):
    project = app_env.create_project("Chat bot")
    at = _ok(run_page("pages/generation.py", project=project))
    at.number_input(key="generation_playground_temperature").set_value(0.0).run()
    _ok(at)
    kept = at.dataframe[0].value
    assert list(kept["token"]) == ["cake"] and kept["after"].iloc[0] == 1.0
    next(b for b in at.button if b.label.startswith("Save these settings")).click().run()
    _ok(at)
    stored = app_env.get_project(project.id)
    assert stored.integrate.decisions["generation_settings"]["temperature"] == 0.0
    next(b for b in at.button if b.label == "Save as scenario").click().run()
    _ok(at)
    stored = app_env.get_project(project.id)
    assert stored.integrate.scenarios[-1].kind == "sampling"


@pytest.mark.parametrize("key, value", [
    ("generation_playground_temperature", 5.0), ("generation_playground_top_k", 100_000),
    ("generation_playground_top_k", 1), ("generation_playground_top_p", 0.01), ("generation_playground_top_p", 1.0),
    ("generation_playground_max_new", 1), ("generation_playground_max_new", 500),
    ("generation_playground_samples", 1), ("generation_playground_samples", 200_000),
    ("generation_playground_seed", 2**31 - 1),
])
def test_playground_accepts_every_widget_extreme(run_page, key, value):
    at = _ok(run_page("pages/generation.py"))
    at.number_input(key=key).set_value(value).run()
    _ok(at)


def test_playground_bad_distribution_shows_an_error(run_page):
    at = _ok(run_page("pages/generation.py"))
    at.text_area(key="generation_playground_dist").input("cake -1, donut x").run()
    _ok(at)
    assert at.error


def test_playground_top_p_example_keeps_cake_and_donut(run_page):
    at = _ok(run_page("pages/generation.py"))
    at.number_input(key="generation_playground_top_p").set_value(0.3).run()
    _ok(at)
    kept = at.dataframe[0].value
    assert list(kept["token"]) == ["cake", "donut"]
    assert math.isclose(kept["after"].sum(), 1.0, abs_tol=1e-3)


def test_optimize_augment_checklists_are_saved_with_the_project(run_page, app_env):
    project = app_env.create_project("Support bot")
    at = _ok(run_page("pages/optimize.py", project=project))
    assert any("When it helps" in c.value for c in at.caption)
    at.checkbox(key="optimize_augment_quantization").check().run()
    at.checkbox(key="optimize_augment_rag").check().run()
    at.checkbox(key="optimize_augment_guardrails").check().run()
    next(b for b in at.button if b.label == "Save checklists").click().run()
    _ok(at)
    stored = app_env.get_project(project.id)
    assert stored.integrate.optimize == ["quantization"]
    assert stored.integrate.augment == ["rag", "guardrails"]


def test_serving_plan_saves_decisions_and_a_scenario_with_a_chart(run_page, app_env):
    from lifecycle.charts import scenario_figure

    project = app_env.create_project("Serving")
    at = _ok(run_page("pages/serving.py", project=project))
    assert any("fits" in s.value for s in at.success)
    at.selectbox(key="serving_plan_precision").select("int8").run()
    _ok(at)
    next(b for b in at.button if b.label.startswith("Save precision")).click().run()
    _ok(at)
    stored = app_env.get_project(project.id)
    assert (stored.integrate.precision, stored.integrate.gpu_id, stored.integrate.gpu_count) == ("int8", "h100-80gb", 1)
    next(b for b in at.button if b.label == "Save as scenario").click().run()
    _ok(at)
    scenario = app_env.get_project(project.id).integrate.scenarios[-1]
    assert scenario.kind == "serving" and scenario.result.fits and scenario.author == "tester"
    fig = scenario_figure(scenario)
    assert fig is not None and len(fig.data) > 3


def test_serving_plan_reports_a_model_that_does_not_fit(run_page):
    at = _ok(run_page("pages/serving.py"))
    at.selectbox(key="serving_plan_model").select("llama-2-70b").run()
    _ok(at)
    assert any("does not fit" in e.value for e in at.error)


@pytest.mark.parametrize("key, value", [
    ("serving_plan_batch", 1), ("serving_plan_batch", 4096), ("serving_plan_gpus", 64), ("serving_plan_gpus", 3),
    ("serving_plan_prompt", 1), ("serving_plan_prompt", 4095), ("serving_plan_new", 0), ("serving_plan_new", 4095),
])
def test_serving_plan_accepts_every_widget_extreme(run_page, key, value):
    at = _ok(run_page("pages/serving.py"))
    at.number_input(key=key).set_value(value).run()
    _ok(at)


def test_serving_plan_for_an_encoder_and_on_an_old_gpu(run_page):
    at = _ok(run_page("pages/serving.py"))
    at.selectbox(key="serving_plan_model").select("bert-base-uncased").run()
    _ok(at)
    at.selectbox(key="serving_plan_gpu").select("v100-16gb").run()
    _ok(at)  # bf16 on a V100 has no tensor cores: a clear error, not a crash


def test_serving_plan_works_for_a_team_model_and_its_scenario_redraws(run_page, app_env):
    from lifecycle.charts import scenario_figure
    from lifecycle.records.custom_models import add_custom_model

    config = {"model_type": "llama", "hidden_size": 2048, "num_hidden_layers": 16, "num_attention_heads": 16,
              "num_key_value_heads": 4, "intermediate_size": 5632, "vocab_size": 32000,
              "max_position_embeddings": 4096}
    add_custom_model(app_env, config, model_id="team-2b", name="Team 2B", author="tester")
    project = app_env.create_project("Team model")
    at = _ok(run_page("pages/serving.py", project=project))
    at.selectbox(key="serving_plan_model").select("team-2b").run()
    _ok(at)
    assert any("fits" in s.value for s in at.success)
    next(b for b in at.button if b.label == "Save as scenario").click().run()
    _ok(at)
    scenario = app_env.get_project(project.id).integrate.scenarios[-1]
    assert scenario.setup.model.id == "team-2b" and scenario.setup.model.name == "Team 2B"
    assert scenario_figure(scenario) is not None
