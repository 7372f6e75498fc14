"""``lifecycle app``: serve the dashboard from wherever the package is (a checkout or an installed wheel).

    lifecycle app [--port 8501] [--address 127.0.0.1]

Runs ``python -m streamlit run <app.py>`` with the interpreter running this command, so it works from a pipx or
venv install without Streamlit on PATH. The database is ``LIFECYCLE_DATABASE_URL`` or the default SQLite file
(``data/lifecycle.db`` in a checkout, the user's data folder when installed).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import threading


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
    proc = subprocess.Popen(command, cwd=str(script.parent), env=env)
    local = "127.0.0.1" if args.address in (None, "", "0.0.0.0", "::") else args.address
    threading.Thread(target=warm_up, args=(f"http://{local}:{args.port}", proc), daemon=True).start()
    try:
        return proc.wait()
    except KeyboardInterrupt:
        proc.terminate()
        return 130


# Headless, no telemetry, no "Deploy" button, and the script health check on: ``warm_up`` uses it.
SERVER_FLAGS = ("--server.headless", "true", "--browser.gatherUsageStats", "false",
                "--client.toolbarMode", "minimal", "--client.showSidebarNavigation", "false",
                "--server.scriptHealthCheckEnabled", "true")


def warm_up(base_url: str, proc: subprocess.Popen | None = None, timeout_s: float = 60.0) -> bool:
    """Once the server answers, run the app once (Streamlit's script health check): imports and
    ``ui.warmup`` happen now, not during the first visitor's page load. True when the check passed."""
    import time
    import urllib.request

    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline and (proc is None or proc.poll() is None):
        try:
            with urllib.request.urlopen(f"{base_url}/_stcore/script-health-check", timeout=timeout_s) as reply:
                return reply.status == 200
        except OSError:
            time.sleep(0.2)  # not listening yet: poll again
    return False
