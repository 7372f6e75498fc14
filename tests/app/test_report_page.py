"""The Report page and the scenario-comparison view under AppTest."""

from __future__ import annotations

import pytest

from lifecycle.reports.example import example_project


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
    assert built_key[2] == "html"
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


def test_compare_view_highlights_differences(run_page, full_project):
    ids = [s.id for s in full_project.adapt.scenarios]
    at = run_page("pages/report.py", project=full_project, session_state={"scenario_compare_ids": ids})
    assert not at.exception
    assert any("rows differ" in c.value for c in at.caption)
    at.toggle(key="scenario_compare_only_diff").set_value(True).run()
    assert not at.exception
