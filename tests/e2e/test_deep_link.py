"""A colleague's link opens the same project on the same page, even as the first request a freshly
started server sees (Streamlit would otherwise serve the page file without the app's navigation)."""

import re

import pytest
from playwright.sync_api import expect

from lifecycle.records.store import Store
from tests.e2e.conftest import goto

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def seeded_project_id(app_db_url):
    store = Store(app_db_url)
    project = store.create_project("Linked project", author="e2e")
    store.engine.dispose()
    return project.id


def test_first_request_is_a_deep_link_to_a_page(page, seeded_project_id, app_url):
    goto(page, f"{app_url}/catalog?project={seeded_project_id}")
    sidebar = page.get_by_test_id("stSidebar")
    expect(sidebar).to_contain_text("GenAI Lifecycle Planner")
    expect(sidebar).to_contain_text("Adapt & Align")
    main = page.get_by_test_id("stMain")
    expect(main.get_by_role("heading", name="Catalog", exact=True)).to_be_visible()
    expect(main).to_contain_text("Project: Linked project")
    expect(page.get_by_test_id("stException")).to_have_count(0)


def test_a_first_version_link_lands_on_the_page_its_view_became(page, seeded_project_id, app_url):
    goto(page, f"{app_url}/adapt?project={seeded_project_id}&view=Memory+%26+GPUs")
    expect(page).to_have_url(re.compile(rf"/memory_gpus\?project={seeded_project_id}$"))
    expect(page.get_by_test_id("stMain").get_by_role("heading", name="Memory & GPUs", exact=True)).to_be_visible()


def test_projects_has_its_own_address(page, app_url):
    goto(page, f"{app_url}/projects")
    expect(page.get_by_test_id("stDialog")).to_have_count(0)  # no "Page not found"
    expect(page.get_by_test_id("stMain")).to_contain_text("New project")
