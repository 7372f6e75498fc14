"""Who is using the app: the signed-in identity when ``[auth]`` is in the secrets (Streamlit's OpenID Connect
``st.login``), else the embedded single-person mode. The Store enforces the rules; this only finds the
identity, gates the app behind sign-in and draws the sidebar's "who am I" block."""

from __future__ import annotations

from collections.abc import Mapping

import streamlit as st

from lifecycle.errors import LifecycleError
from lifecycle.records.access import Identity, access_settings, local_identity, signed_in_identity

USER_KEY = "user_name"  # the embedded mode's typed name (common.author_input)
SEEN_KEY = "_auth_session_open"  # this browser session already showed pages as a signed-in person


def _secrets_section(name: str) -> dict:
    try:
        section = st.secrets.get(name)
    except (FileNotFoundError, KeyError):  # no secrets file (StreamlitSecretNotFoundError): the embedded mode
        return {}
    return dict(section) if section else {}


def sign_in_configured() -> bool:
    """Sign-in is on when the secrets hold an ``[auth]`` section, as ``st.login`` requires."""
    return bool(_secrets_section("auth"))


def current_identity() -> Identity:
    """The acting identity for this run. With sign-in configured and nobody signed in (or a login older
    than the allowed age), draws the sign-in screen and stops the run: no page renders without an identity."""
    if not sign_in_configured():
        return local_identity(st.session_state.get(USER_KEY, ""))
    if not st.user.is_logged_in:
        _sign_in_screen()
    claims = st.user.to_dict()
    try:
        identity = signed_in_identity(claims, access_settings(_secrets_section("lifecycle")))  # expiry: there
        if identity.expired and not st.session_state.get(SEEN_KEY):
            _sign_in_screen(expired=True)  # a new visit: nothing typed yet, straight to sign-in
    except LifecycleError as exc:
        st.error(str(exc))
        st.button("Sign out", on_click=st.logout, key="auth_bad_identity_logout")
        st.stop()
    # Mid-session the page stays (with what was typed in it) and only saving stops: see sidebar_block.
    st.session_state[SEEN_KEY] = True
    return identity


def _sign_in_screen(*, expired: bool = False) -> None:
    st.title("GenAI Lifecycle Planner")
    if expired:
        st.warning("Your sign-in has expired. Sign in again to go on; what you saw is saved as of your last save.")
    else:
        st.info("This planner is shared by your team: sign in with your organisation's account to see your projects.")
    if expired:
        st.button("Sign in again", type="primary", on_click=_relogin, key="auth_sign_in")
        st.stop()
    # One [auth] provider: one button. Several ([auth.google], [auth.okta], …): one button each, by name.
    providers = [name for name, value in _secrets_section("auth").items() if isinstance(value, Mapping)]
    if not providers:
        st.button("Sign in", type="primary", on_click=st.login, key="auth_sign_in")
    for name in providers:
        st.button(f"Sign in with {name}", type="primary", on_click=st.login, args=(name,), key=f"auth_sign_in_{name}")
    st.stop()


def _relogin() -> None:
    st.logout()


def sidebar_block(identity: Identity) -> None:
    """Who you are and how to stop being them; in the embedded mode, that nobody signs in."""
    if identity.local:
        st.caption(":material/person: Single-person mode: no sign-in is configured, so whoever opens this app "
                   "can change every project. Configure `[auth]` to share it with a team (README).")
        return
    if identity.expired:
        st.warning("Your sign-in has expired: saving is off. Copy anything you typed, then sign in again.",
                   icon=":material/timer_off:")
        st.button("Sign in again", type="primary", on_click=_relogin, key="auth_sidebar_relogin")
    role = " · team admin" if identity.admin else ""
    st.caption(f":material/verified_user: Signed in as **{_plain(identity.display)}**{role}")
    st.button("Sign out", on_click=st.logout, key="auth_sign_out", icon=":material/logout:")


def _plain(text: str) -> str:
    return "".join("\\" + ch if ch in "\\`*_{}[]<>()#+-.!|~$:" else ch for ch in text)
