"""Browser tests: `streamlit run app.py` on a free loopback port, driven by Playwright with Debian's
Chromium (never a downloaded browser). Waits on data-testid attributes, never on sleeps."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.support.app_server import app_server

CHROMIUM = os.environ.get("LIFECYCLE_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--no-first-run", "--disable-gpu", "--disable-quic", "--disable-dev-shm-usage"]


@pytest.fixture(scope="session", autouse=True)
def _patient_expect():
    """``expect(...)`` retries for up to 30 s (Playwright's default is 5 s): on a loaded 2-core machine a rerun
    can take longer. A passing check returns as soon as it holds, so this costs nothing when the page is quick."""
    from playwright.sync_api import expect

    expect.set_options(timeout=30_000)


@pytest.fixture(scope="module")
def app_db_url(tmp_path_factory) -> str:
    """The database the module's server uses (tests may seed it before the first page load)."""
    return f"sqlite:///{tmp_path_factory.mktemp('e2e') / 'e2e.db'}"


@pytest.fixture(scope="module")
def app_url(app_db_url):
    with app_server(app_db_url) as url:
        yield url


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: `make test` installs Debian's chromium package.")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, accept_downloads=True)
    pg = context.new_page()
    pg.set_default_timeout(30_000)
    yield pg
    context.close()


def wait_for_app_run(page) -> None:
    """Streamlit's own harness: connected, then the script has stopped running."""
    page.wait_for_selector("[data-testid='stApp'][data-test-connection-state='CONNECTED']", state="attached")
    page.wait_for_selector("[data-testid='stApp'][data-test-script-state='notRunning']", state="attached")


def goto(page, url: str) -> None:
    page.goto(url)
    page.wait_for_selector("[data-testid='stAppViewContainer']", state="attached")
    wait_for_app_run(page)


def save_use_case(page, text: str) -> None:
    """On the Use case page: describe the use case, take the suggested tasks and save; waits for the notice."""
    from playwright.sync_api import expect

    main = page.get_by_test_id("stMain")
    main.get_by_label("What do you want to build?").fill(text)
    main.get_by_label("What do you want to build?").press("Control+Enter")
    wait_for_app_run(page)
    expect(main.get_by_text("Suggested task tags from your description")).to_be_visible()
    main.get_by_role("button", name="Save use case").click()
    wait_for_app_run(page)
    expect(main.get_by_text("Saved: Text classification", exact=False)).to_be_visible()
