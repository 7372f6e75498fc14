"""The Projects page: create, rename, duplicate, archive/restore, delete, history, import."""

import pytest

from tests.support.apptest import click as _click
from tests.support.apptest import ok as _ok

PAGE = "pages/projects.py"


def _create(at, name, description=""):
    name_box = next(t for t in at.text_input if t.label == "Name")
    name_box.input(name)
    if description:
        next(t for t in at.text_area if t.label == "Description").input(description)
    next(b for b in at.button if b.label == "Create project").click().run()
    return _ok(at)


def test_create_a_project_from_the_form_opens_it(run_page, app_env):
    at = _create(run_page(PAGE), "Contract clause classifier", "Tag clauses by type")
    assert app_env.get_project("Contract clause classifier").description == "Tag clauses by type"
    assert any("Created" in s.value for s in at.success)
    assert at.session_state["project_id"] == app_env.get_project("Contract clause classifier").id


@pytest.mark.parametrize("bad,message", [("", "must not be empty"), ("   ", "must not be empty")])
def test_blank_names_get_a_clear_message(run_page, app_env, bad, message):
    at = _create(run_page(PAGE), bad)
    assert any(message in e.value for e in at.error)
    assert app_env.list_projects(archived=None) == []


def test_duplicate_name_gets_a_clear_message(run_page, app_env):
    app_env.create_project("Support chatbot")
    at = _create(run_page(PAGE), "support chatbot")
    assert any("already exists" in e.value for e in at.error)
    assert len(app_env.list_projects()) == 1


@pytest.mark.parametrize("name", ["<script>alert(1)</script>", "Robert'); DROP TABLE projects;--",
                                  "📈 émoji プロジェクト", "**bold** _x_ [a](b)"])
def test_odd_names_are_stored_verbatim_and_shown_as_text(run_page, app_env, name):
    _create(run_page(PAGE), name)
    project = app_env.get_project(name)
    assert project.name == name
    at = _ok(run_page(PAGE, project=project))
    shown = " ".join(m.value for m in at.markdown)
    assert "<script>" not in shown  # escaped for Markdown, never raw HTML
    for page in ["pages/use_case.py", "pages/report.py"]:
        _ok(run_page(page, project=project))


def test_rename_duplicate_archive_restore_and_delete(run_page, app_env):
    project = app_env.create_project("Alpha")
    at = _ok(run_page(PAGE, project=project))
    at.text_input(key="project_new_name").input("Beta")
    at.button(key="project_rename").click().run()
    _ok(at)
    assert app_env.get_project(project.id).name == "Beta"

    at.text_input(key="project_new_name").input("Beta copy")
    at.button(key="project_duplicate").click().run()
    _ok(at)
    assert {s.name for s in app_env.list_projects()} == {"Beta", "Beta copy"}

    at = _ok(run_page(PAGE, project=app_env.get_project("Beta")))
    at.button(key="project_archive").click().run()
    _ok(at)
    assert app_env.get_project("Beta").archived is True
    at.toggle(key="projects_archived").set_value(True).run()
    _ok(at)
    at.button(key="project_archive").click().run()
    assert app_env.get_project("Beta").archived is False

    at = _ok(run_page(PAGE, project=app_env.get_project("Beta copy")))
    assert at.button(key="project_delete").disabled
    at.checkbox(key="project_delete_sure").check().run()
    at.button(key="project_delete").click().run()
    _ok(at)
    assert [s.name for s in app_env.list_projects(archived=None)] == ["Beta"]


def test_restore_an_old_revision_from_history(run_page, app_env):
    project = app_env.create_project("Historic")
    project.scope.notes = "version two"
    project = app_env.save_project(project, section="scope")
    project.scope.notes = "version three"
    project = app_env.save_project(project, section="scope")
    at = _ok(run_page(PAGE, project=project))
    options = at.selectbox(key="history_revision").options
    at.selectbox(key="history_revision").select(next(o for o in options if o.startswith("v2"))).run()
    at.button(key="history_restore").click().run()
    _ok(at)
    restored = app_env.get_project(project.id)
    assert restored.scope.notes == "version two" and restored.version == 4


def test_search_filters_the_list(run_page, app_env):
    app_env.create_project("Support chatbot")
    app_env.create_project("Clause classifier")
    at = _ok(run_page(PAGE))
    at.text_input(key="projects_search").input("clause").run()
    _ok(at)
    chooser = next(s for s in at.selectbox if s.label == "Open project")
    assert chooser.options == ["Clause classifier"]


def test_a_new_project_is_the_open_one_everywhere_even_with_others_present(app_env):
    """The first version opened *another* project after "Create" and saved Scope into it."""
    from streamlit.testing.v1 import AppTest

    other = app_env.create_project("Other project")
    at = _ok(AppTest.from_file("../../app.py", default_timeout=30).run())
    at.session_state["project_id"] = other.id
    at.run()
    at = _create(at, "X")
    created = app_env.get_project("X")
    assert at.query_params["project"] == str(created.id)
    assert next(s for s in at.selectbox if s.label == "Open project").value == created.id
    assert at.sidebar.selectbox[0].value == created.id
    assert any("X" in m.value and "version 1" in m.value for m in at.markdown)
    at.button(key="project_open").click().run()  # "Open Scope": the Use case page of *this* project
    _ok(at)
    assert any(f"(#{created.id})" in m.value for m in at.markdown)
    at.text_area(key="use_case_text").input("classify support tickets by urgency").run()
    assert at.multiselect(key="use_case_tasks").value  # suggested from the sentence
    _click(at, "Save use case")
    assert app_env.get_project(created.id).scope.use_case == "classify support tickets by urgency"
    assert app_env.get_project(other.id).version == 1  # untouched


def test_an_all_digit_name_is_refused_so_it_never_shadows_an_id(run_page, app_env):
    at = _create(run_page(PAGE), "42")
    assert any("only digits" in e.value for e in at.error)
    assert app_env.list_projects(archived=None) == []
