"""A person's first minutes in Chromium: create a project with another one present, open it, save the
Scope form (it lands in *that* project), walk every page through the sidebar with the project kept in
the URL, and hand the URL to a colleague who sees the same page and project."""

import os
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from lifecycle.records.store import Store
from tests.e2e.conftest import goto, save_use_case, wait_for_app_run
from ui.navigation import PAGES

pytestmark = pytest.mark.e2e
SHOTS = Path(os.environ.get("LIFECYCLE_SCREENSHOTS", "")) if os.environ.get("LIFECYCLE_SCREENSHOTS") else None


@pytest.fixture(scope="module")
def other_project_id(app_db_url):
    store = Store(app_db_url)
    project = store.create_project("Someone else's project", author="e2e")
    store.engine.dispose()
    return project.id


def _project_in_url(page) -> str:
    match = re.search(r"[?&]project=(\d+)", page.url)
    assert match, page.url
    return match.group(1)


def test_create_open_and_save_land_in_the_new_project(page, app_url, app_db_url, other_project_id):
    goto(page, f"{app_url}/projects?project={other_project_id}")  # another project is open
    main = page.get_by_test_id("stMain")
    main.get_by_text("New project").click()
    main.get_by_label("Name").fill("Browser project <b>bold</b>")
    main.get_by_role("button", name="Create project").click()
    wait_for_app_run(page)
    expect(main.get_by_test_id("stAlertContentSuccess")).to_contain_text("Created")
    new_id = _project_in_url(page)
    assert new_id != str(other_project_id)
    current = page.get_by_test_id("stSidebar").get_by_role("combobox", name="Current project")
    expect(current).to_have_value("Browser project <b>bold</b>")
    main.get_by_role("button", name="Open Scope").click()
    wait_for_app_run(page)
    expect(page).to_have_url(re.compile(rf"/use_case\?project={new_id}$"))
    expect(main).to_contain_text(f"Project: Browser project <b>bold</b> (#{new_id})")
    save_use_case(page, "classify support tickets by urgency")
    store = Store(app_db_url)
    try:
        assert store.get_project(int(new_id)).scope.use_case == "classify support tickets by urgency"
        assert store.get_project(other_project_id).version == 1  # untouched
    finally:
        store.engine.dispose()


def test_sidebar_navigation_keeps_the_project_on_every_page(page, app_url, other_project_id):
    goto(page, f"{app_url}/use_case?project={other_project_id}")
    sidebar = page.get_by_test_id("stSidebar")
    for spec in PAGES:
        sidebar.get_by_role("link", name=spec.title, exact=True).click()
        expect(page).to_have_url(re.compile(rf"/{spec.url_path}\?project={other_project_id}$"))
        wait_for_app_run(page)
        expect(page.get_by_test_id("stException")).to_have_count(0)
        if spec.url_path not in ("projects", "report"):
            expect(page.get_by_test_id("stMain")).to_contain_text(f"Someone else's project (#{other_project_id})")
        if SHOTS:
            SHOTS.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(SHOTS / f"{spec.url_path}.png"), full_page=True)


def test_a_copied_url_opens_the_same_page_and_project_for_a_colleague(browser, page, app_url, other_project_id):
    goto(page, f"{app_url}/projects?project={other_project_id}")
    page.get_by_test_id("stSidebar").get_by_role("link", name="Serving", exact=True).click()
    expect(page).to_have_url(re.compile(rf"/serving\?project={other_project_id}$"))
    wait_for_app_run(page)
    copied = page.url
    colleague = browser.new_context(viewport={"width": 1400, "height": 1000}).new_page()
    try:
        goto(colleague, copied)
        main = colleague.get_by_test_id("stMain")
        expect(main.get_by_role("heading", name="Serving", exact=True)).to_be_visible()
        expect(main).to_contain_text(f"Someone else's project (#{other_project_id})")
        expect(colleague.get_by_test_id("stException")).to_have_count(0)
    finally:
        colleague.context.close()


def test_your_name_survives_a_reload_and_signs_the_save(page, app_url, app_db_url, other_project_id):
    goto(page, f"{app_url}/scope_decisions?project={other_project_id}")
    name_box = page.get_by_test_id("stSidebar").get_by_label("Your name (saved with every change)")
    name_box.fill("Grace Hopper")
    name_box.press("Enter")
    page.wait_for_function("document.cookie.includes('lifecycle_author=Grace%20Hopper')")
    page.reload()
    page.wait_for_selector("[data-testid='stAppViewContainer']", state="attached")
    wait_for_app_run(page)
    name_box = page.get_by_test_id("stSidebar").get_by_label("Your name (saved with every change)")
    expect(name_box).to_have_value("Grace Hopper")
    main = page.get_by_test_id("stMain")
    main.get_by_role("textbox", name="Decision", exact=True).fill("Start from an open model")
    main.get_by_role("button", name="Save Scope decisions").click()
    wait_for_app_run(page)
    store = Store(app_db_url)
    try:
        assert store.history(other_project_id)[0].author == "Grace Hopper"
    finally:
        store.engine.dispose()
