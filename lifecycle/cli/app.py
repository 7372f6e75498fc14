"""``lifecycle app``: serve the dashboard from wherever the package is (a checkout or an installed wheel).

    lifecycle app [--port 8501] [--address 127.0.0.1]

Runs ``python -m streamlit run <app.py>`` with the interpreter running this command, so it works from a pipx or
venv install without Streamlit on PATH. The database is ``LIFECYCLE_DATABASE_URL`` or the default SQLite file
(``data/lifecycle.db`` in a checkout, the user's data folder when installed).
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import threading
import time


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("app", help="serve the dashboard (Streamlit) on http://localhost:PORT")
    p.add_argument("--port", type=int, default=8501, help="port to listen on (default 8501)")
    p.add_argument("--address", default=None, help="address to bind (default: Streamlit's, all interfaces)")
    p.set_defaults(func=_app)


def _app(args) -> int:
    from lifecycle.errors import InvalidInput
    from lifecycle.resources import app_path

    if not 1 <= args.port <= 65_535:
        raise InvalidInput(f"--port must be from 1 to 65535, not {args.port}.")
    script = app_path()
    command = [sys.executable, "-m", "streamlit", "run", str(script), "--server.port", str(args.port),
               *SERVER_FLAGS]
    if args.address:
        command += ["--server.address", args.address]
    # Streamlit puts the script's folder on sys.path, so the bundled ui/ and pages/ import beside app.py.
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    # preexec_fn runs before any thread of ours exists (the warm-up thread starts below).
    proc = subprocess.Popen(command, cwd=str(script.parent), env=env,
                            preexec_fn=_die_with_parent)  # noqa: PLW1509
    local = "127.0.0.1" if args.address in (None, "", "0.0.0.0", "::") else args.address
    threading.Thread(target=warm_up, args=(f"http://{local}:{args.port}", proc), daemon=True).start()
    return serve_until_stopped(proc)


# The signals a terminal, a script (`kill PID`), systemd and `docker stop` send to stop a service.
STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT, signal.SIGHUP)
# Streamlit stops in about a second on SIGTERM; past this the server is killed so the port is never held.
STOP_GRACE_S = 15.0


def serve_until_stopped(proc: subprocess.Popen) -> int:
    """Wait for the server; a stop signal sent to this process alone is passed on to it, then we wait for it to
    end, so from the outside ``lifecycle app`` is one process. Returns the server's exit status (128 + signal
    number when a signal ended it, as a shell reports it)."""
    received: list[int] = []

    def forward(signum, _frame):
        received.append(signum)
        if proc.poll() is None:
            proc.send_signal(signum)

    previous = {sig: signal.signal(sig, forward) for sig in STOP_SIGNALS}
    try:
        status, stop_by = None, None
        while status is None:
            try:  # a bounded wait: a signal handled during it does not restart an endless one
                status = proc.wait(timeout=0.5)
            except subprocess.TimeoutExpired:
                if received and stop_by is None:
                    stop_by = time.monotonic() + STOP_GRACE_S
                if stop_by is not None and time.monotonic() > stop_by:
                    proc.kill()  # it ignored the stop signal: never leave it holding the port
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    return 128 - status if status < 0 else status


def _die_with_parent() -> None:
    """In the child, before exec: if this command is killed outright (SIGKILL, which cannot be forwarded), Linux
    sends the server SIGTERM (prctl PR_SET_PDEATHSIG); elsewhere this does nothing."""
    if not sys.platform.startswith("linux"):
        return
    import ctypes

    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGTERM, 0, 0, 0)  # 1 = PR_SET_PDEATHSIG (linux/prctl.h)
    except (OSError, AttributeError):
        pass  # no prctl: the signal forwarding above still holds


# Headless, no telemetry, no "Deploy" button, and the script health check on: ``warm_up`` uses it.
SERVER_FLAGS = ("--server.headless", "true", "--browser.gatherUsageStats", "false",
                "--client.toolbarMode", "minimal", "--client.showSidebarNavigation", "false",
                "--server.scriptHealthCheckEnabled", "true")


def warm_up(base_url: str, proc: subprocess.Popen | None = None, timeout_s: float = 60.0) -> bool:
    """Once the server answers, run the app once (Streamlit's script health check): imports and
    ``ui.warmup`` happen now, not during the first visitor's page load. True when the check passed."""
    import urllib.request

    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline and (proc is None or proc.poll() is None):
        try:
            with urllib.request.urlopen(f"{base_url}/_stcore/script-health-check", timeout=timeout_s) as reply:
                return reply.status == 200
        except OSError:
            time.sleep(0.2)  # not listening yet: poll again
    return False
