"""Sign-in for real: an OpenID Connect provider on 127.0.0.1 (``tests/support/oidc.py``), the app configured
with ``[auth]`` and the login redirect driven in Debian Chromium. Alice owns two projects: "Shared plan" (Bob
edits it, Carol views it) and "Alice private" (nobody else). Each test is a fresh browser (no cookies)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from lifecycle.records.access import AccessSettings, signed_in_identity
from lifecycle.records.store import Store
from tests.e2e.conftest import goto, save_use_case, wait_for_app_run
from tests.support.app_server import app_server, free_port
from tests.support.oidc import TEST_USERS, auth_secrets, oidc_provider, sign_in, sign_out
from ui import navigation

pytestmark = pytest.mark.e2e
PRIVATE = "Alice private"
PRIVATE_TEXT = "acquisition shortlist"
# Every control that writes to the project, by its whole label (a multiselect's "Remove <option>" chips are not).
WRITE_LABEL = re.compile(r"^(Save.*|Accept.*|Choose .*|Pre-train my own|Adapt an existing model|Delete scenario|"
                         r"Delete project|Archive|Restore|Restore this revision|Rename|Add member|Change role|Remove|"
                         r"Transfer ownership)$")


@pytest.fixture(scope="module")
def provider():
    with oidc_provider() as issuer:
        yield issuer


@pytest.fixture(scope="module")
def world(provider, tmp_path_factory):
    folder = tmp_path_factory.mktemp("signin")
    url = f"sqlite:///{folder / 'signin.db'}"
    alice = Store(url, actor=signed_in_identity({"iss": provider, "sub": "alice", "email_verified": True,
                                                 **TEST_USERS["alice"]},
                                                AccessSettings(trusted_email_issuers=frozenset({provider}))))
    shared = alice.create_project("Shared plan", description="support bot for tier-1 tickets")
    alice.add_member(shared.id, TEST_USERS["bob"]["email"], "editor", access_version=0)
    alice.add_member(shared.id, TEST_USERS["carol"]["email"], "viewer", access_version=1)
    private = alice.create_project(PRIVATE, description=PRIVATE_TEXT)
    port = free_port()
    secrets = auth_secrets(folder, provider, port)
    with app_server(url, port=port, extra_args=("--secrets.files", str(secrets))) as app_url:
        yield {"url": app_url, "store": alice, "shared": shared.id, "private": private.id, "issuer": provider}
    alice.engine.dispose()


def _sidebar_projects(page) -> list[str]:
    page.get_by_test_id("stSidebar").get_by_test_id("stSelectbox").click()
    options = page.get_by_role("option")
    expect(options.first).to_be_visible()
    names = options.all_inner_texts()
    page.keyboard.press("Escape")
    return names


def test_nothing_before_sign_in_and_then_only_your_projects(page, world):
    goto(page, f"{world['url']}/use_case?project={world['shared']}")
    expect(page.get_by_role("button", name="Sign in")).to_be_visible()
    assert "Shared plan" not in page.content()
    sign_in(page, world["url"], "carol")
    expect(page.get_by_test_id("stSidebar")).to_contain_text("Signed in as Carol Chen")
    assert _sidebar_projects(page) == ["Shared plan"]


# A write control each page shows for this project; waiting on it also waits for the page to finish drawing.
EXPECTED_WRITES = {
    "use_case": "Save use case", "architecture": "Accept this alternative",
    "prompt_budget": "Save this check as a scenario", "scope_decisions": "Save Scope decisions",
    "catalog": re.compile(r"^Choose .* for this project$"), "pretrain_or_adapt": "Pre-train my own",
    "select_decisions": "Save Select decisions", "memory_gpus": "Save as scenario",
    "adaptation_path": "Save adaptation path", "adapt_decisions": "Save Adapt & Align decisions",
    "generation": "Save these settings to the project", "optimize": "Save checklists",
    "integrate_decisions": "Save Integrate decisions", "projects": "Archive",
}


def test_a_viewer_cannot_save_from_any_page(page, world):
    sign_in(page, world["url"], "carol")
    pages = [spec for specs in navigation.sections().values() for spec in specs]
    assert set(EXPECTED_WRITES) <= {spec.url_path for spec in pages}
    for spec in pages:
        goto(page, f"{world['url']}/{spec.url_path}?project={world['shared']}")
        main = page.get_by_test_id("stMain")
        expect(main).to_contain_text("Shared plan")
        if spec.url_path in EXPECTED_WRITES:
            expect(main.get_by_role("button", name=EXPECTED_WRITES[spec.url_path], exact=True)).to_be_disabled()
        buttons = main.get_by_role("button", name=WRITE_LABEL)
        for i in range(buttons.count()):
            expect(buttons.nth(i)).to_be_disabled()
    assert world["store"].get_project(world["shared"]).version == 1


def test_an_editor_saves_under_their_identity_but_cannot_delete(page, world):
    sign_in(page, world["url"], "bob")
    goto(page, f"{world['url']}/projects?project={world['shared']}")
    main = page.get_by_test_id("stMain")
    expect(main.get_by_role("button", name="Archive", exact=True)).to_be_disabled()
    main.get_by_test_id("stPopoverButton").filter(has_text="duplicate").click()
    page.get_by_text("Yes, delete").click()
    wait_for_app_run(page)
    expect(page.get_by_role("button", name="Delete project")).to_be_disabled()

    goto(page, f"{world['url']}/use_case?project={world['shared']}")
    save_use_case(page, "classify support tickets by urgency")
    latest = world["store"].history(world["shared"])[0]
    assert (latest.author, latest.author_key) == ("Bob Brown <bob@example.test>", f"{world['issuer']} bob")
    goto(page, f"{world['url']}/projects?project={world['shared']}")
    page.get_by_text(re.compile(r"History \(\d+ revisions\)")).click()
    expect(page.get_by_test_id("stMain")).to_contain_text("by Bob Brown")


def test_a_strangers_deep_link_reveals_nothing(page, world):
    sign_in(page, world["url"], "bob")
    for path in ("use_case", "report", "projects", "memory_gpus"):
        goto(page, f"{world['url']}/{path}?project={world['private']}")
        expect(page.get_by_test_id("stMain")).to_contain_text(f"No access to project {world['private']}")
        html = page.content()
        assert PRIVATE not in html and PRIVATE_TEXT not in html


def test_sign_out_ends_access(page, world):
    sign_in(page, world["url"], "alice")
    goto(page, f"{world['url']}/use_case?project={world['private']}")
    expect(page.get_by_test_id("stMain")).to_contain_text(PRIVATE)
    sign_out(page, world["url"])
    expect(page.get_by_role("button", name="Sign in")).to_be_visible()
    goto(page, f"{world['url']}/use_case?project={world['private']}")
    expect(page.get_by_role("button", name="Sign in")).to_be_visible()
    assert PRIVATE not in page.content() and PRIVATE_TEXT not in page.content()
