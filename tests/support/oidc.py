"""A real OpenID Connect provider on 127.0.0.1 for the sign-in tests, and the app configured to use it.

The provider is ``oidc-provider-mock`` (Authlib's authorization server behind a small Flask app) in its own
process: discovery, authorization-code flow, signed ID tokens and JWKS, with predefined users who sign in by
one click on its authorization page. Streamlit's ``st.login`` talks to it exactly as to Okta or Entra.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from tests.support.app_server import free_port, stop

# Three people: the tests give them roles on projects (owner, editor, viewer) and keep one a stranger.
TEST_USERS = {
    "alice": {"email": "alice@example.test", "name": "Alice Adams"},
    "bob": {"email": "bob@example.test", "name": "Bob Brown"},
    "carol": {"email": "carol@example.test", "name": "Carol Chen"},
}
CLIENT_ID = "lifecycle-planner-tests"


@contextmanager
def oidc_provider(extra_users: dict[str, dict] | None = None) -> Iterator[str]:
    """Serve the provider on a free loopback port; yields its issuer URL once discovery answers.
    ``extra_users``: more predefined users, their claims exactly as given (no ``email_verified`` added)."""
    port = free_port()
    claims = [json.dumps({"sub": sub, "email_verified": True, **c}) for sub, c in TEST_USERS.items()]
    claims += [json.dumps({"sub": sub, **c}) for sub, c in (extra_users or {}).items()]
    args = [sys.executable, "-m", "oidc_provider_mock", "--host", "127.0.0.1", "--port", str(port)]
    for c in claims:
        args += ["--user-claims", c]
    # The provider refuses plain http unless told this is a test (it sets this itself; we say it too).
    env = {**os.environ, "AUTHLIB_INSECURE_TRANSPORT": "1", "NO_COLOR": "1"}
    proc = subprocess.Popen(args, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    issuer = f"http://127.0.0.1:{port}"
    try:
        _wait_for(f"{issuer}/.well-known/openid-configuration", proc)
        yield issuer
    finally:
        stop(proc)


def _wait_for(url: str, proc: subprocess.Popen, timeout_s: float = 60) -> None:
    deadline = time.time() + timeout_s
    while True:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            if proc.poll() is not None or time.time() > deadline:
                out = proc.stdout.read().decode(errors="replace") if proc.poll() is not None else ""
                raise RuntimeError(f"the OpenID Connect provider did not start:\n{out}") from None
            time.sleep(0.2)  # still starting: poll discovery again


def auth_secrets(folder: Path, issuer: str, app_port: int, *, admins: tuple[str, ...] = (),
                 trust_email: bool = True) -> Path:
    """A ``secrets.toml`` with ``[auth]`` for this provider and an app on ``app_port`` (the redirect URI must
    be known before the app starts); the provider is trusted for e-mail unless ``trust_email`` is false.
    Returned path goes to ``streamlit run --secrets.files``."""
    path = folder / "secrets.toml"
    admin_list = ", ".join(json.dumps(a) for a in admins)
    path.write_text(
        "[auth]\n"
        f'redirect_uri = "http://127.0.0.1:{app_port}/oauth2callback"\n'
        f'cookie_secret = "{os.urandom(24).hex()}"\n'
        f'client_id = "{CLIENT_ID}"\n'
        'client_secret = "not-a-real-secret"\n'
        f'server_metadata_url = "{issuer}/.well-known/openid-configuration"\n'
        "\n[lifecycle]\n"
        f"admins = [{admin_list}]\n"
        + (f"trusted_email_issuers = [{json.dumps(issuer)}]\n" if trust_email else ""),
        encoding="utf-8",
    )
    return path


def sign_in(page, app_url: str, user: str) -> None:
    """From the app's sign-in screen: the provider's page, one click on the predefined user, back in the app."""
    from tests.e2e.conftest import wait_for_app_run

    page.goto(app_url)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/oauth2/authorize**")
    page.locator(f"button[name='sub'][value='{user}']").first.click()
    page.wait_for_url(f"{app_url}/**")
    page.wait_for_selector("[data-testid='stSidebar']", state="attached")
    wait_for_app_run(page)


def sign_out(page, app_url: str) -> None:
    """The app's "Sign out": Streamlit drops its identity cookie and sends the browser to the provider's
    end-session page (RP-initiated logout), which hands it back to the app once confirmed."""
    from tests.e2e.conftest import wait_for_app_run

    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url("**/oauth2/end_session**")
    page.get_by_role("button", name="End session").click()
    page.wait_for_url(f"{app_url}/**")
    page.wait_for_selector("[data-testid='stAppViewContainer']", state="attached")
    wait_for_app_run(page)
