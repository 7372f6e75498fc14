"""The security review's browser cases (issue 27) against the real OpenID Connect provider on 127.0.0.1:
an unverified e-mail claims nobody's invitation (class 1), a stale tab's member action and visibility toggle are
refused (class 2: two browser contexts, both Alice), and a member cannot delete a team model someone else added
(class 3). Alice owns "Shared plan" (Bob edits, Carol views) and added the team model "team-llama"."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from lifecycle.records.access import AccessSettings, signed_in_identity
from lifecycle.records.custom_models import add_custom_model, get_custom_model
from lifecycle.records.store import Store
from tests.e2e.conftest import goto, wait_for_app_run
from tests.support.app_server import app_server, free_port
from tests.support.oidc import TEST_USERS, auth_secrets, oidc_provider, sign_in

pytestmark = pytest.mark.e2e
CONFIG = {"model_type": "llama", "architectures": ["LlamaForCausalLM"], "num_hidden_layers": 2, "hidden_size": 64,
          "num_attention_heads": 4, "num_key_value_heads": 4, "intermediate_size": 128, "vocab_size": 1000,
          "max_position_embeddings": 512}
# Mallory shows Bob's address, without the provider saying it is verified.
MALLORY = {"mallory": {"email": TEST_USERS["bob"]["email"], "name": "Mallory"}}


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    with oidc_provider(MALLORY) as provider:
        folder = tmp_path_factory.mktemp("security")
        url = f"sqlite:///{folder / 'security.db'}"
        settings = AccessSettings(trusted_email_issuers=frozenset({provider}))
        alice = Store(url, actor=signed_in_identity({"iss": provider, "sub": "alice", "email_verified": True,
                                                     **TEST_USERS["alice"]}, settings))
        shared = alice.create_project("Shared plan", description="support bot for tier-1 tickets")
        alice.add_member(shared.id, TEST_USERS["bob"]["email"], "editor", access_version=0)
        alice.add_member(shared.id, TEST_USERS["carol"]["email"], "viewer", access_version=1)
        add_custom_model(alice, CONFIG, model_id="team-llama")
        port = free_port()
        secrets = auth_secrets(folder, provider, port)
        with app_server(url, port=port, extra_args=("--secrets.files", str(secrets))) as app_url:
            yield {"url": app_url, "store": alice, "shared": shared.id}
        alice.engine.dispose()


def _members_panel(page, world):
    goto(page, f"{world['url']}/projects?project={world['shared']}")
    page.get_by_text("Members and sharing").first.click()
    wait_for_app_run(page)
    return page.get_by_test_id("stMain")


def test_an_unverified_address_claims_nothing(page, world):
    sign_in(page, world["url"], "mallory")
    goto(page, f"{world['url']}/use_case?project={world['shared']}")
    expect(page.get_by_test_id("stMain")).to_contain_text(f"No access to project {world['shared']}")
    assert "support bot" not in page.content()


def test_a_stale_tabs_remove_and_toggle_are_refused(browser, world):
    tabs = []
    for _ in range(2):
        context = browser.new_context(viewport={"width": 1400, "height": 1000})
        pg = context.new_page()
        pg.set_default_timeout(30_000)
        sign_in(pg, world["url"], "alice")
        tabs.append((context, pg))
    (ctx_a, a), (ctx_b, b) = tabs
    try:
        main_a, main_b = _members_panel(a, world), _members_panel(b, world)
        # Tab A picks Carol (and so is drawn at the current version); tab B then removes Bob.
        picker = main_a.get_by_test_id("stSelectbox").filter(has_text="Member").first
        picker.click()
        a.keyboard.type("carol")
        a.keyboard.press("Enter")
        wait_for_app_run(a)
        expect(main_a).to_contain_text("Transfer ownership to carol@example.test")
        main_b.get_by_role("button", name="Remove", exact=True).click()
        # Wait on what tab B shows after its rerun (the panel's title counts the members), not on the script
        # state alone: right after a click it may still read "notRunning" from before the click.
        expect(main_b.get_by_text("Members and sharing (2)")).to_be_visible()
        store = world["store"]
        assert "bob@example.test" not in {m.principal for m in store.members(world["shared"])}
        # Tab A's click was made against the list that still had Bob: refused, Carol stays.
        main_a.get_by_role("button", name="Remove", exact=True).click()
        wait_for_app_run(a)
        expect(main_a).to_contain_text("changed since you opened")
        assert "carol@example.test" in {m.principal for m in store.members(world["shared"])}
        # The same for the team-visibility toggle: B turns it on, A's stale click is refused. (The panel's
        # title counts the members, so it was redrawn closed: opening it is the browser's, no rerun.)
        for main in (main_a, main_b):
            main.get_by_text("Members and sharing").first.click()
        main_b.get_by_text("Visible to the whole team").click()
        _eventually(lambda: store.sharing(world["shared"]).team_visible, b)
        main_a.get_by_text("Visible to the whole team").click()
        wait_for_app_run(a)
        expect(main_a).to_contain_text("changed since you opened")
        assert store.sharing(world["shared"]).team_visible is True
    finally:
        ctx_a.close()
        ctx_b.close()


def _eventually(check, page, tries: int = 300) -> None:
    """A bounded poll (at most ``tries`` checks, 0.1 s apart) of something the page's rerun writes to the store."""
    for _ in range(tries):
        if check():
            return
        page.wait_for_timeout(100)
    raise AssertionError(f"still false after {tries} checks")


def test_a_member_cannot_delete_someone_elses_team_model(page, world):
    sign_in(page, world["url"], "carol")
    goto(page, f"{world['url']}/add_model")
    main = page.get_by_test_id("stMain")
    main.get_by_role("button", name="Delete", exact=True).first.click()
    wait_for_app_run(page)
    expect(main).to_contain_text("Only whoever added it")
    assert get_custom_model(world["store"], "team-llama").params > 0
