"""The Report page and the scenario-comparison view under AppTest."""

from __future__ import annotations

import pytest

from tests.support.example_project import example_project


@pytest.fixture
def full_project(app_env):
    return app_env.import_documents([example_project().content()], author="tester")[0]


def test_report_page_without_a_project_asks_for_one(run_page):
    at = run_page("pages/report.py")
    assert not at.exception
    assert any("Open a project" in i.value for i in at.info)


def test_report_page_of_a_new_project_previews_what_is_missing(run_page, app_env):
    project = app_env.create_project("Empty <script>alert(1)</script>")
    at = run_page("pages/report.py", project=project)
    assert not at.exception
    preview = "\n".join(m.value for m in at.markdown)
    assert "Still missing" in preview
    assert "The use case is not described" in preview


def test_building_html_offers_a_download_of_the_report(run_page, full_project):
    at = run_page("pages/report.py", project=full_project)
    assert not at.exception
    at.button(key="report_build").click().run(timeout=60)
    assert not at.exception
    built_key, data = at.session_state["report_built"]
    assert built_key[3] == "html"
    assert data.startswith(b"<!DOCTYPE html>")
    assert full_project.name.encode() in data


def test_section_toggles_leave_sections_out_of_the_preview(run_page, full_project):
    at = run_page("pages/report.py", project=full_project)
    assert "## References" in "\n".join(m.value for m in at.markdown)
    at.toggle(key="report_sec_references").set_value(False).run()
    assert not at.exception
    assert "## References" not in "\n".join(m.value for m in at.markdown)


def test_markdown_format_builds_and_the_comparison_can_be_added(run_page, full_project):
    ids = [s.id for s in full_project.adapt.scenarios]
    at = run_page("pages/report.py", project=full_project,
                  session_state={"scenario_compare_ids": ids, "report_format": "md"})
    assert not at.exception
    assert "## Scenario comparison" in "\n".join(m.value for m in at.markdown)
    at.button(key="report_build").click().run(timeout=60)
    _, data = at.session_state["report_built"]
    assert b"## Scenario comparison" in data


def test_compare_view_highlights_differences_and_overlays_charts(run_page, full_project):
    ids = [s.id for s in full_project.integrate.scenarios if s.kind == "serving"]
    at = run_page("pages/report.py", project=full_project, session_state={"scenario_compare_ids": ids})
    assert not at.exception
    assert any("rows differ" in c.value for c in at.caption)
    charts = at.get("plotly_chart")
    assert len(charts) == 2  # the serving charts overlaid, and the numeric results that differ
    at.toggle(key="scenario_compare_only_diff").set_value(True).run()
    assert not at.exception


def test_compare_view_with_one_or_no_scenario_explains_what_to_do(run_page, app_env):
    project = app_env.create_project("Lonely")
    at = run_page("pages/report.py", project=project)
    assert not at.exception
    assert any("save at least two" in i.value for i in at.info)


def test_an_older_revision_can_be_chosen(run_page, app_env):
    project = app_env.create_project("Revised")
    project.scope.use_case = "first idea"
    project = app_env.save_project(project, section="scope")
    project.scope.use_case = "second idea"
    project = app_env.save_project(project, section="scope")
    first = app_env.history(project.id)[-1]
    at = run_page("pages/report.py", project=project)
    assert "second idea" in "\n".join(m.value for m in at.markdown)
    at.selectbox(key="report_revision").set_value(first.id).run()
    assert not at.exception
    preview = "\n".join(m.value for m in at.markdown)
    assert "version 1" in preview and "second idea" not in preview
