"""Adapt & Align views: evaluation plan (targets saved with the project) and the adaptation path."""

import pytest

ADAPT = "pages/adapt.py"


def _ok(at):
    assert not at.exception, [e.value for e in at.exception]
    return at


@pytest.mark.parametrize("view", ["Evaluation plan"])
def test_adapt_views_render_without_and_with_a_project(run_page, app_env, view):
    _ok(run_page(ADAPT, view=view))
    _ok(run_page(ADAPT, project=app_env.create_project(f"New {view}"), view=view))


def test_evaluation_plan_suggests_rouge_for_summarization_and_saves_targets(run_page, app_env):
    project = app_env.create_project("Summaries")
    project.scope.tasks = ["summarization"]
    project = app_env.save_project(project, author="tester", section="scope")
    at = _ok(run_page(ADAPT, project=project, view="Evaluation plan"))
    metrics = at.dataframe[0].value
    assert "rouge" in set(metrics["id"])
    benches = set(at.dataframe[1].value["benchmark"])
    assert {"CNN / DailyMail", "XSum"} <= benches
    next(b for b in at.button if b.label == "Save evaluation targets").click().run()
    _ok(at)
    stored = app_env.get_project(project.id)
    assert [t.metric for t in stored.adapt.eval_targets][0] == "rouge"


def test_evaluation_plan_without_scope_tasks_offers_a_task_picker(run_page):
    at = _ok(run_page(ADAPT, view="Evaluation plan"))
    at.multiselect(key="evaluation_plan_tasks").set_value(["translation"]).run()
    _ok(at)
    assert {"bleu", "chrf"} <= set(at.dataframe[0].value["id"])
    at.multiselect(key="evaluation_plan_tasks").set_value([]).run()
    _ok(at)
