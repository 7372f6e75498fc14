"""A colleague's link opens the same project on the same page, even as the first request a freshly
started server sees (Streamlit would otherwise serve the page without the app's navigation)."""

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


def test_first_request_is_a_deep_link_to_a_stage_page(page, seeded_project_id, app_url):
    goto(page, f"{app_url}/select?project={seeded_project_id}&view=Model+catalog")
    expect(page.get_by_test_id("stSidebar")).to_contain_text("GenAI Lifecycle Planner")
    expect(page.get_by_test_id("stSidebarNav")).to_contain_text("Adapt & Align")
    main = page.get_by_test_id("stMain")
    expect(main.get_by_role("heading", name="Select")).to_be_visible()
    expect(main).to_contain_text("Project: Linked project")
    expect(page.get_by_test_id("stException")).to_have_count(0)
