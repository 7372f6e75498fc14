"""Adapt & Align views: evaluation plan (targets saved with the project) and the adaptation path."""

import pytest

from tests.support.apptest import ok as _ok


def test_evaluation_plan_suggests_rouge_for_summarization_and_saves_targets(run_page, app_env):
    project = app_env.create_project("Summaries")
    project.scope.tasks = ["summarization"]
    project = app_env.save_project(project, author="tester", section="scope")
    at = _ok(run_page("pages/evaluation.py", project=project))
    metrics = at.dataframe[0].value
    assert "rouge" in set(metrics["id"])
    benches = set(at.dataframe[1].value["benchmark"])
    assert {"CNN / DailyMail", "XSum"} <= benches
    next(b for b in at.button if b.label == "Save evaluation targets").click().run()
    _ok(at)
    stored = app_env.get_project(project.id)
    assert stored.adapt.eval_targets[0].metric == "rouge"


def test_evaluation_plan_without_scope_tasks_offers_a_task_picker(run_page):
    at = _ok(run_page("pages/evaluation.py"))
    at.multiselect(key="evaluation_plan_tasks").set_value(["translation"]).run()
    _ok(at)
    assert {"bleu", "chrf"} <= set(at.dataframe[0].value["id"])
    at.multiselect(key="evaluation_plan_tasks").set_value([]).run()
    _ok(at)


def test_adaptation_path_follows_the_scope_answers_and_saves_the_path(run_page, app_env):
    project = app_env.create_project("Legal chat")
    project.scope.tasks = ["chat"]
    project.scope.data_available = "thousands"
    project.scope.quality_bar = "helpful and harmless answers"
    project.select.model_id = "llama-2-7b"
    project = app_env.save_project(project, author="tester", section="scope")
    at = _ok(run_page("pages/adaptation_path.py", project=project))
    assert any("Recommended path" in m.value and "DPO" in m.value for m in at.markdown)
    table = at.dataframe[0].value
    rlhf = table[table["option"].str.startswith("RLHF")].iloc[0]
    assert "policy" in rlhf["memory per GPU"] and "reward" in rlhf["memory per GPU"]
    assert at.radio(key="adaptation_path_choice").value == "dpo"
    next(b for b in at.button if b.label == "Save adaptation path").click().run()
    _ok(at)
    stored = app_env.get_project(project.id)
    assert stored.adapt.adaptation_path == "dpo" and stored.adapt.decisions["adaptation_path_reasons"]


@pytest.mark.parametrize("key, value", [
    ("adaptation_path_seq", 16), ("adaptation_path_seq", 4096), ("adaptation_path_batch", 1),
    ("adaptation_path_batch", 256), ("adaptation_path_epochs", 100.0), ("adaptation_path_mfu", 0.01),
    ("adaptation_path_mfu", 1.0), ("adaptation_path_budget", 1e9),
])
def test_adaptation_path_accepts_every_widget_extreme(run_page, key, value):
    at = _ok(run_page("pages/adaptation_path.py"))
    at.number_input(key=key).set_value(value).run()
    _ok(at)


def test_adaptation_path_for_an_encoder_and_a_huge_model(run_page):
    at = _ok(run_page("pages/adaptation_path.py"))
    for model in ("bert-base-uncased", "t5-small", "bloom-176b"):
        at.selectbox(key="adaptation_path_model").select(model).run()
        _ok(at)


def test_adaptation_path_sizes_a_team_model(run_page, app_env):
    from lifecycle.records.custom_models import add_custom_model

    config = {"model_type": "llama", "hidden_size": 2048, "num_hidden_layers": 16, "num_attention_heads": 16,
              "num_key_value_heads": 4, "intermediate_size": 5632, "vocab_size": 32000,
              "max_position_embeddings": 4096}
    add_custom_model(app_env, config, model_id="team-2b", name="Team 2B", author="tester")
    at = _ok(run_page("pages/adaptation_path.py"))
    at.selectbox(key="adaptation_path_model").select("team-2b").run()
    _ok(at)
    table = at.dataframe[0].value
    assert (table["GPUs"] != "does not fit").all()


def test_evaluation_plan_scores_a_pasted_sample_against_a_target(run_page, app_env):
    project = app_env.create_project("Translate")
    project.scope.tasks = ["translation"]
    project = app_env.save_project(project, author="tester", section="scope")
    at = _ok(run_page("pages/evaluation.py", project=project))
    at.text_area(key="evaluation_plan_preds").input("The cat sat on the mat.\\nHello world").run()
    _ok(at)
    assert at.error  # one reference missing: a clear message
    at.text_area(key="evaluation_plan_refs").input("The cat sat on the mat.\\nHello world").run()
    _ok(at)
    assert at.metric[0].value == "100.00"
