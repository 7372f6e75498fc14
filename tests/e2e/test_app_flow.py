"""A person opens the app, creates a project and visits every page: no exception box anywhere."""

import os
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import goto, wait_for_app_run

pytestmark = pytest.mark.e2e
PAGES = ["", "scope", "select", "adapt", "integrate", "report"]
SHOTS = Path(os.environ.get("LIFECYCLE_SCREENSHOTS", "")) if os.environ.get("LIFECYCLE_SCREENSHOTS") else None


def test_create_a_project_and_reach_every_page(page, app_url):
    goto(page, app_url)
    main = page.get_by_test_id("stMain")
    expect(main.get_by_text("GenAI Lifecycle Planner").first).to_be_visible()
    main.get_by_label("Name").fill("Browser project <b>bold</b>")
    main.get_by_role("button", name="Create project").click()
    wait_for_app_run(page)
    expect(main.get_by_test_id("stAlertContentSuccess")).to_contain_text("Created")
    assert "project=" in page.url

    project_id = page.url.split("project=")[1].split("&")[0]
    for slug in PAGES:
        goto(page, f"{app_url}/{slug}?project={project_id}")
        expect(page.get_by_test_id("stDialog")).to_have_count(0)  # no "Page not found"
        expect(page.get_by_test_id("stException")).to_have_count(0)
        if slug != "report":
            expect(page.get_by_test_id("stMain")).to_contain_text("Browser project <b>bold</b>")
        if SHOTS:
            SHOTS.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(SHOTS / f"{slug or 'projects'}.png"), full_page=True)


def test_a_url_opens_the_same_project_on_the_same_page(page, app_url):
    goto(page, app_url)
    main = page.get_by_test_id("stMain")
    main.get_by_label("Name").fill("Shared link project")
    main.get_by_role("button", name="Create project").click()
    wait_for_app_run(page)
    project_id = page.url.split("project=")[1].split("&")[0]
    goto(page, f"{app_url}/adapt?project={project_id}")
    expect(page.get_by_test_id("stMain").get_by_text("Project: Shared link project")).to_be_visible()
    expect(page.get_by_test_id("stException")).to_have_count(0)
