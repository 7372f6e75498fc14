"""``streamlit run`` on a free loopback port, for browser tests and benchmarks."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from lifecycle.cli.app import SERVER_FLAGS, warm_up

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def app_server(db_url: str, *, script: Path = ROOT / "app.py", user: str = "e2e", warm: bool = True,
               env: dict[str, str] | None = None, port: int | None = None,
               extra_args: tuple[str, ...] = ()) -> Iterator[str]:
    """Serve ``script`` against ``db_url`` with the flags ``lifecycle app`` uses; yields the base URL once
    ``/_stcore/health`` answers ok and (``warm``) the app ran once, as ``lifecycle app`` makes it. ``port``
    when it must be known in advance (a sign-in redirect URI); ``extra_args`` such as ``--secrets.files``."""
    port = port or free_port()
    env = {**os.environ, "LIFECYCLE_DATABASE_URL": db_url, "LIFECYCLE_USER": user, **(env or {})}
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", str(script), *SERVER_FLAGS,
         "--server.port", str(port), "--server.address", "127.0.0.1",
         "--global.developmentMode", "false", "--server.fileWatcherType", "none", *extra_args],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.time() + 60
        while True:
            try:
                if urllib.request.urlopen(f"{url}/_stcore/health", timeout=2).read() == b"ok":
                    break
            except OSError:
                if proc.poll() is not None or time.time() > deadline:
                    raise RuntimeError("streamlit did not become healthy:\n"
                                       + proc.stdout.read().decode(errors="replace")) from None
                time.sleep(0.2)  # the server is still starting: poll its health endpoint again
        if warm:
            warm_up(url, proc)  # as `lifecycle app` does: the first visitor finds imports done
        yield url
    finally:
        stop(proc)


def stop(proc: subprocess.Popen) -> None:
    """Ask a server to stop; kill it if it has not within 10 s."""
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
