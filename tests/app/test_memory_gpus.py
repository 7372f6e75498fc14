"""The Memory & GPUs view (Adapt & Align) and its serving twin (Integrate), run with AppTest."""

import json
from pathlib import Path

from lifecycle.charts import scenario_figure
from lifecycle.memory.plan import training_plan
from tests.support.apptest import ok as _ok

K = "memory_planner_"
DATA = Path(__file__).resolve().parents[1] / "data"


def test_renders_without_a_project_and_with_a_new_one(run_page, app_env):
    at = _ok(run_page("pages/memory_gpus.py"))
    assert any("Peak allocated" in m.label for m in at.metric)
    _ok(run_page("pages/memory_gpus.py", project=app_env.create_project("Memory")))
    at = _ok(run_page("pages/serving_memory.py"))
    assert any("Fewest GPUs (tensor parallel)" in str(c.value) for c in at.markdown)
    assert {m.label for m in at.metric} >= {"Peak allocated", "Needs (+ CUDA context)"}


def test_the_projects_facts_are_every_calculators_defaults_and_a_change_is_shown(run_page, app_env):
    project = app_env.create_project("Facts")
    project.scope.gpu_id, project.scope.gpu_count, project.scope.precision = "a100-80gb", 2, "amp_fp16"
    project.scope.input_tokens, project.scope.output_tokens = 900, 124
    project.scope.training_examples, project.scope.tokens_per_example, project.scope.epochs = 20_000, 1_024, 3.0
    project = app_env.save_project(project, author="tester", section="scope")
    at = _ok(run_page("pages/memory_gpus.py", project=project))
    assert at.selectbox(key=K + "gpu").value == "a100-80gb"
    assert at.number_input(key=K + "gpus").value == 2
    assert at.selectbox(key=K + "precision").value == "amp_fp16"
    assert at.number_input(key=K + "seq").value == 1024
    assert at.number_input(key=K + "tokens").value == 20_000 * 1_024 * 3.0
    assert any("From the project: GPU NVIDIA A100" in c.value for c in at.caption)
    at.number_input(key=K + "gpus").set_value(4).run()
    assert any("Changed for this scenario: GPUs 4 (project: 2)" in c.value for c in at.caption)
    at = _ok(run_page("pages/serving.py", project=project))
    assert at.number_input(key="serving_plan_prompt").value == 900
    assert at.number_input(key="serving_plan_new").value == 124
    assert at.selectbox(key="serving_plan_precision").value == "fp16"
    at = _ok(run_page("pages/adaptation_path.py", project=project))
    assert at.number_input(key="adaptation_path_epochs").value == 3.0
    assert at.selectbox(key="adaptation_path_gpu").value == "a100-80gb"


def test_a_saved_scenario_records_its_author(run_page, app_env):
    project = app_env.create_project("Authored")
    at = _ok(run_page("pages/memory_gpus.py", project=project, session_state={"user_name": "Ada"}))
    at.button(key=K + "save").click().run()
    _ok(at)
    saved = app_env.get_project(project.id).adapt.scenarios[-1]
    assert saved.author == "Ada"
    assert any("Ada" in str(v) for v in at.dataframe[-1].value["by"])


def test_model_is_prefilled_from_the_projects_selected_model(run_page, app_env):
    project = app_env.create_project("Prefill")
    project.select.model_id = "gpt2-small"
    project = app_env.save_project(project, author="tester", section="select")
    at = _ok(run_page("pages/memory_gpus.py", project=project))
    assert at.selectbox(key=K + "model").value == "gpt2-small"


def test_pasted_config_json_is_sized_and_a_bad_one_says_why(run_page):
    at = _ok(run_page("pages/memory_gpus.py"))
    at.radio(key=K + "source").set_value("config.json (paste or upload)").run()
    _ok(at)
    at.text_area(key=K + "paste").input((DATA / "model-configs" / "tinyllama-1.1b.json").read_text()).run()
    _ok(at)
    assert any("Peak allocated" in m.label for m in at.metric)
    at.text_area(key=K + "paste").input(json.dumps({"model_type": "resnet"})).run()
    _ok(at)
    assert at.error and "transformer" in at.error[0].value
    at.text_area(key=K + "paste").input("{not json").run()
    _ok(at)
    assert at.error


def test_typed_numbers_accept_every_extreme_a_user_can_enter(run_page):
    at = _ok(run_page("pages/memory_gpus.py"))
    at.radio(key=K + "source").set_value("Typed numbers").run()
    _ok(at)
    for name in ("t_layers", "t_hidden", "t_heads", "t_kv", "t_ffn", "t_vocab"):
        widget = at.number_input(key=K + name)
        for value in (widget.min, widget.max):
            widget.set_value(value).run()
            _ok(at)
            widget = at.number_input(key=K + name)
    at.selectbox(key=K + "t_family").set_value("encoder-decoder").run()
    _ok(at)


def _each_number_input_at_its_ends(at, prefix, names):
    """Each widget at its minimum and its maximum runs cleanly; it is left at its minimum."""
    for name in names:
        widget = at.number_input(key=prefix + name)
        for value in (widget.min, widget.max):
            widget.set_value(value).run()
            _ok(at)
            widget = at.number_input(key=prefix + name)
        widget.set_value(widget.min).run()


def test_training_knobs_at_their_limits_never_crash(run_page):
    at = _ok(run_page("pages/memory_gpus.py"))
    at.selectbox(key=K + "method").set_value("qlora").run()
    _ok(at)
    _each_number_input_at_its_ends(at, K, ("batch", "seq", "gpus", "tp", "pp", "rank", "tokens", "mfu"))
    for strategy in ("zero3", "fsdp", "zero2"):
        at.selectbox(key=K + "strategy").set_value(strategy).run()
        _ok(at)
    at.selectbox(key=K + "offload").set_value("params").run()
    _ok(at)  # params offload needs ZeRO-3: a clear error, not a crash
    assert at.error


def test_nothing_fits_explains_what_would(run_page):
    at = _ok(run_page("pages/memory_gpus.py"))
    at.selectbox(key=K + "model").set_value("llama-2-70b").run()
    at.selectbox(key=K + "gpu").set_value("t4").run()
    _ok(at)
    assert any("Nothing fits" in w.value for w in at.warning)


def test_serving_limits(run_page):
    at = _ok(run_page("pages/serving_memory.py"))
    k = "memory_serving_"
    _each_number_input_at_its_ends(at, k, ("i_batch", "i_prompt", "i_new", "i_tp"))
    at.selectbox(key=k + "i_precision").set_value("int4").run()
    _ok(at)


def test_save_as_scenario_stores_it_and_its_chart_redraws(run_page, app_env):
    project = app_env.create_project("Scenarios")
    at = _ok(run_page("pages/memory_gpus.py", project=project))
    at.text_input(key=K + "scenario_name").input("7B LoRA plan").run()
    at.button(key=K + "save").click().run()
    _ok(at)
    stored = app_env.get_project(project.id)
    scenario = stored.adapt.scenarios[-1]
    assert scenario.kind == "training" and scenario.name == "7B LoRA plan" and scenario.author == "tester"
    assert scenario.result == training_plan(scenario.setup)  # what was shown is what the setup computes
    assert scenario.result.estimate.peak_allocated_bytes > 0 and scenario.result.estimate.components
    assert scenario_figure(scenario) is not None
    at = _ok(run_page("pages/memory_gpus.py", project=stored))
    assert any("Saved memory scenarios" in m.value for m in at.markdown)


def _lengths_project(app_env, name: str, model_id: str):
    project = app_env.create_project(name)
    project.scope.input_tokens, project.scope.output_tokens = 400, 300
    project.select.model_id = model_id
    return app_env.save_project(project, author="tester", section="scope")


def test_an_encoder_project_trains_on_its_input_only_without_a_truncation_warning(run_page, app_env):
    at = _ok(run_page("pages/memory_gpus.py", project=_lengths_project(app_env, "Enc", "bert-base-uncased")))
    assert at.number_input(key=K + "seq").value == 400  # not 400 + 300 = 700 > 512
    assert not any("longer than the model" in str(w.value) for w in [*at.warning, *at.markdown, *at.caption])
    at = _ok(run_page("pages/serving.py", project=_lengths_project(app_env, "Enc2", "bert-base-uncased")))
    assert at.number_input(key="serving_plan_new").value == 0


def test_an_encoder_decoder_project_defaults_its_encoder_and_decoder_lengths_from_the_project(run_page, app_env):
    project = _lengths_project(app_env, "Seq2seq", "t5-large")
    at = _ok(run_page("pages/memory_gpus.py", project=project))
    assert at.number_input(key=K + "seq").label == "Encoder length"
    assert at.number_input(key=K + "seq").value == 400
    assert at.number_input(key=K + "target").value == 300  # not 128
    at = _ok(run_page("pages/serving.py", project=project))
    assert at.number_input(key="serving_plan_prompt").value == 400
    assert at.number_input(key="serving_plan_new").value == 300  # not capped at 512 // 2 = 256


def test_a_decoder_project_trains_on_input_plus_output(run_page, app_env):
    at = _ok(run_page("pages/memory_gpus.py", project=_lengths_project(app_env, "Dec", "llama-2-7b")))
    assert at.number_input(key=K + "seq").value == 700
    assert not [n for n in at.number_input if n.key == K + "target"]


def test_the_verdict_data_parallel_gpus_and_flops_text_are_the_plans_fields(run_page, monkeypatch):
    """The page shows the TrainingPlan's headroom, verdict, data-parallel degree and FLOPs basis; it decides none."""
    import ui.memory_gpus as view
    from lifecycle.display import format_bytes

    calls = []
    monkeypatch.setattr(view, "training_plan", lambda setup: calls.append(setup) or training_plan(setup))
    at = _ok(run_page("pages/memory_gpus.py"))
    at.number_input(key=K + "gpus").set_value(8)
    at.selectbox(key=K + "strategy").set_value("zero3")
    at.number_input(key=K + "tp").set_value(2)
    at.number_input(key=K + "tokens").set_value(1e9)
    _ok(at.run())
    plan = training_plan(calls[-1])
    assert plan.data_parallel_degree == 4
    assert any("on 4 data-parallel GPUs" in e.label for e in at.expander)
    said = {"fits": at.success, "tight": at.warning, "does_not_fit": at.error}[plan.fit_verdict]
    assert any(format_bytes(abs(plan.headroom_bytes)) in m.value for m in said)
    assert any(plan.flops_basis in c.value for c in at.caption)
