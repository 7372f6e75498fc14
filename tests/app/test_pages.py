"""Every page loads without exception with no project, with a new project and after a stage save."""

import pytest

from lifecycle.records.project import STAGES
from tests.support.apptest import ok as _ok
from ui.navigation import PAGES

ALL_PAGES = [p.file for p in PAGES]
DECISION_PAGES = {stage: f"pages/{stage}_decisions.py" for stage in STAGES}


@pytest.mark.parametrize("page", ALL_PAGES)
def test_page_loads_with_no_project(run_page, page):
    _ok(run_page(page))


@pytest.mark.parametrize("page", ALL_PAGES)
def test_page_loads_with_a_new_project(run_page, app_env, page):
    project = app_env.create_project("New project")
    _ok(run_page(page, project=project))


@pytest.mark.parametrize("stage,page", DECISION_PAGES.items())
def test_stage_decisions_save_and_show_progress(run_page, app_env, stage, page):
    project = app_env.create_project("Saving")
    at = _ok(run_page(page, project=project))
    at.text_area(key=f"decision_{stage}_summary").input("Use a fine-tuned encoder")
    at.text_area(key=f"decision_{stage}_notes").input("<script>alert(1)</script> **notes**")
    next(b for b in at.button if b.label.startswith("Save ")).click().run()
    _ok(at)
    stored = app_env.get_project(project.id)
    assert stored.stage(stage).decisions["summary"] == "Use a fine-tuned encoder"
    assert stored.stage(stage).notes == "<script>alert(1)</script> **notes**"
    assert stored.stage_progress()[stage] is True
    for other in ALL_PAGES:
        _ok(run_page(other, project=stored))


def test_app_entrypoint_runs_with_sidebar_and_navigation(app_env):
    from streamlit.testing.v1 import AppTest

    app_env.create_project("Sidebar project")
    at = AppTest.from_file("../../app.py", default_timeout=30).run()
    _ok(at)
    assert at.sidebar.selectbox[0].label == "Current project"
    assert "Sidebar project" in at.sidebar.selectbox[0].options


def test_two_sessions_editing_the_same_project_second_save_is_refused(run_page, app_env):
    project = app_env.create_project("Contended")
    first = _ok(run_page("pages/scope_decisions.py", project=project))
    second = _ok(run_page("pages/scope_decisions.py", project=project))
    first.text_area(key="decision_scope_summary").input("first wins")
    next(b for b in first.button if b.label.startswith("Save ")).click().run()
    second.text_area(key="decision_scope_summary").input("second is stale")
    next(b for b in second.button if b.label.startswith("Save ")).click().run()
    _ok(second)
    assert any("changed by tester" in e.value and "reload" in e.value for e in second.error)
    stored = app_env.get_project(project.id)
    assert stored.scope.decisions["summary"] == "first wins" and stored.version == 2
    # Saving as a copy keeps the second user's work in a new project; the original is untouched.
    second.button(key="conflict_copy").click().run()
    _ok(second)
    copy = app_env.get_project("Contended (copy 1)")
    assert copy.scope.decisions["summary"] == "second is stale"
    assert app_env.get_project(project.id).scope.decisions["summary"] == "first wins"
