"""The app with sign-in configured, under AppTest's simulated ``st.user``: nothing renders before sign-in, a
viewer finds every save control greyed out on every page (and the Store refuses a save anyway), a stranger's
deep link shows "no access" and nothing of the project, and the owner manages members from the Projects page.
The real login redirect against a real provider is driven in Chromium by ``tests/e2e/test_sign_in.py``."""

from __future__ import annotations

from pathlib import Path

import pytest

from lifecycle.records.access import AccessSettings, signed_in_identity
from lifecycle.records.project import Project
from tests.support.apptest import ok

ROOT = Path(__file__).resolve().parents[2]
PAGES = sorted(p.name for p in (ROOT / "pages").glob("*.py"))
ISSUER = "https://idp.test"
AUTH = {"redirect_uri": "http://localhost:8501/oauth2callback", "cookie_secret": "x" * 32, "client_id": "planner",
        "client_secret": "s", "server_metadata_url": f"{ISSUER}/.well-known/openid-configuration"}
SECRET_NAME = "Merger due diligence"
# Labels of every control that writes to the open project (the Store refuses them anyway).
WRITES = ("Save", "Accept", "Choose ", "Pre-train my own", "Adapt an existing", "Delete", "Archive", "Restore",
          "Rename", "Add member", "Change role", "Remove", "Transfer")


def claims(who: str) -> dict:
    return {"is_logged_in": True, "iss": ISSUER, "sub": f"sub-{who}", "email": f"{who}@example.test",
            "email_verified": True, "name": who.title()}


def person(who: str):
    return signed_in_identity(claims(who), AccessSettings(trusted_email_issuers=frozenset({ISSUER})))


@pytest.fixture
def shared(app_env) -> Project:
    alice = app_env.acting_as(person("alice"))
    project = alice.create_project(SECRET_NAME, description="target: Initech")
    alice.add_member(project.id, "carol@example.test", "viewer", access_version=0)
    return project


def _run(path: str, who: str | None, project: Project | None = None, **state):
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(ROOT / path), default_timeout=30)
    at.secrets["auth"] = AUTH
    at.secrets["lifecycle"] = {"trusted_email_issuers": [ISSUER]}  # e-mail invitations are claimed by this one
    at.user = claims(who) if who else {"is_logged_in": False}
    if project is not None:
        at.query_params["project"] = str(project.id)
    for key, value in state.items():
        at.session_state[key] = value
    return ok(at.run())


def _texts(at) -> str:
    parts = [e.value for kind in ("markdown", "caption", "title", "header", "subheader", "text", "info", "warning",
                                  "error", "success") for e in getattr(at, kind)]
    parts += [str(getattr(w, "options", "")) for w in at.selectbox]
    return "\n".join(str(p) for p in parts)


def test_nothing_renders_before_sign_in(shared):
    at = _run("app.py", None, shared)
    assert [b.label for b in at.button] == ["Sign in"]
    assert SECRET_NAME not in _texts(at) and not at.sidebar.selectbox


@pytest.mark.parametrize("page", PAGES)
def test_a_viewer_cannot_save_from_any_page(shared, page):
    at = _run(f"pages/{page}", "carol", shared)
    assert SECRET_NAME in _texts(at)  # she may read it
    writes = [b for b in [*at.button, *at.get("form_submit_button")] if b.label.startswith(WRITES)
              and b.label != "Save my version as a copy"]
    assert all(b.disabled for b in writes), [b.label for b in writes if not b.disabled]
    if any(b.label.startswith("Save") for b in writes):
        assert "You are a viewer of this project" in _texts(at)


def test_the_store_refuses_a_viewer_save_even_if_the_button_were_enabled(app_env, shared):
    from lifecycle.errors import AccessDenied

    carol = app_env.acting_as(person("carol"))
    with pytest.raises(AccessDenied, match="viewer"):
        carol.save_project(carol.get_project(shared.id), section="scope")


@pytest.mark.parametrize("page", ["projects.py", "use_case.py", "report.py", "compare.py", "memory_gpus.py"])
def test_a_strangers_deep_link_shows_no_access_and_nothing_of_the_project(shared, page):
    at = _run(f"pages/{page}", "dave", shared)
    shown = _texts(at)
    assert f"No access to project {shared.id}" in shown
    assert SECRET_NAME not in shown and "Initech" not in shown


def test_the_owner_adds_a_member_and_the_history_names_the_identity(app_env, shared):
    at = _run("pages/projects.py", "alice", shared)
    box = next(t for t in at.text_input if t.label == "Add a member by e-mail")
    box.input("bob@example.test")
    next(s for s in at.selectbox if s.label == "Role").set_value("editor")
    next(b for b in at.button if b.label == "Add member").click()
    at = ok(at.run())
    roles = {m.principal: m.role.name for m in app_env.acting_as(person("alice")).members(shared.id)}
    assert roles == {"alice@example.test": "owner", "bob@example.test": "editor", "carol@example.test": "viewer"}
    history = app_env.acting_as(person("alice")).history(shared.id)
    assert history[-1].author == "Alice <alice@example.test>" and history[-1].author_key == f"{ISSUER} sub-alice"
    assert not [t for t in at.text_input if t.label == "Your name (saved with every change)"]  # no typed name


def test_an_expired_login_mid_session_keeps_the_page_but_refuses_the_save(app_env, shared):
    alice = app_env.acting_as(person("alice"))
    old = {**claims("alice"), "iat": 1_000_000_000}  # 2001: far past any allowed age
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(ROOT / "pages/use_case.py"), default_timeout=30)
    at.secrets["auth"] = AUTH
    at.secrets["lifecycle"] = {"trusted_email_issuers": [ISSUER]}  # e-mail invitations are claimed by this one
    at.user = old
    at.query_params["project"] = str(shared.id)
    ok(at.run())
    assert [b.label for b in at.button] == ["Sign in again"]  # a fresh visit goes straight to sign-in
    at.session_state["_auth_session_open"] = True  # the same session, but its login has aged out since
    ok(at.run())
    at.text_area(key="use_case_text").input("summarise contracts")
    next(b for b in at.get("form_submit_button") if b.label == "Save use case").click()
    ok(at.run())
    assert any("has expired" in e.value for e in at.error)
    assert at.text_area(key="use_case_text").value == "summarise contracts"  # what was typed is still there
    assert alice.get_project(shared.id).version == shared.version


def test_a_wrong_setting_is_one_line_not_a_traceback(shared):
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(ROOT / "pages/projects.py"), default_timeout=30)
    at.secrets["auth"] = AUTH
    at.secrets["lifecycle"] = {"max_login_age_hours": "twelve"}
    at.user = claims("alice")
    ok(at.run())
    assert [e.value for e in at.error] == [("[lifecycle] max_login_age_hours must be a number of hours between 0 and "
                                            "8784, not 'twelve'.")]
    assert SECRET_NAME not in _texts(at)


def test_several_providers_get_a_button_each(shared):
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=30)
    common = {k: AUTH[k] for k in ("redirect_uri", "cookie_secret")}
    provider = {k: AUTH[k] for k in ("client_id", "client_secret", "server_metadata_url")}
    at.secrets["auth"] = {**common, "okta": provider, "google": provider}
    at.user = {"is_logged_in": False}
    ok(at.run())
    assert sorted(b.label for b in at.button) == ["Sign in with google", "Sign in with okta"]
