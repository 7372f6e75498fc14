"""`lifecycle app` is one process from the outside (issue 30): a stop signal sent to the command's PID alone — as
`kill PID`, systemd and `docker stop` send it — ends the Streamlit server it started, frees the port and leaves
no child behind; the same when `make app` is stopped. Bounded by poll counts, never by a sleep."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from tests.support.app_server import free_port

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
POLLS = 240  # a quarter of a second apart: the server starts, or stops, well within a minute


def _children(pid: int) -> set[int]:
    """Direct children of ``pid`` (Linux /proc)."""
    found: set[int] = set()
    for task in Path(f"/proc/{pid}/task").glob("*"):
        text = (task / "children").read_text() if (task / "children").exists() else ""
        found |= {int(c) for c in text.split()}
    return found


def _descendants(pid: int) -> set[int]:
    seen, todo = set(), [pid]
    while todo:
        for child in _children(todo.pop()) - seen:
            seen.add(child)
            todo.append(child)
    return seen


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError, IndexError):
        return False
    return state != "Z"  # a zombie has exited; it only waits for its parent to read its status


def _listening(port: int) -> bool:
    with socket.socket() as s:
        s.settimeout(0.5)
        return s.connect_ex(("127.0.0.1", port)) == 0


def _healthy(port: int) -> bool:
    try:
        return urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=2).read() == b"ok"
    except OSError:
        return False


def _start(command: list[str], tmp_path: Path) -> subprocess.Popen:
    env = {**os.environ, "LIFECYCLE_DATABASE_URL": f"sqlite:///{tmp_path / 'stop.db'}", "LIFECYCLE_USER": "t"}
    # start_new_session: the test sends its signal to the command's PID only, never to a process group.
    with open(tmp_path / "app.log", "wb") as log:  # the child keeps its own copy of the descriptor
        return subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
                                start_new_session=True)


def _wait_healthy(proc: subprocess.Popen, port: int, tmp_path: Path) -> None:
    for _ in range(POLLS):
        if _healthy(port):
            return
        assert proc.poll() is None, (tmp_path / "app.log").read_text(errors="replace")
        time.sleep(0.25)
    pytest.fail("the app never answered /_stcore/health:\n" + (tmp_path / "app.log").read_text())


def _stop_and_check(proc: subprocess.Popen, port: int, sig: int) -> int:
    server = _descendants(proc.pid)
    assert server, "the command started no server process"
    os.kill(proc.pid, sig)  # the command's PID only
    for _ in range(POLLS):
        if proc.poll() is not None and not _listening(port) and not any(_alive(p) for p in server):
            break
        time.sleep(0.25)
    try:
        assert proc.poll() is not None, "the command did not exit"
        assert not [p for p in server if _alive(p)], f"left running after the stop: {server}"
        assert not _listening(port), f"something still listens on port {port}"
        return proc.returncode
    finally:
        for p in server | {proc.pid}:
            try:
                os.kill(p, signal.SIGKILL)
            except ProcessLookupError:
                pass


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT, signal.SIGHUP],
                         ids=["SIGTERM", "SIGINT", "SIGHUP"])
def test_a_stop_signal_to_lifecycle_app_alone_ends_its_server_and_frees_the_port(tmp_path, sig):
    port = free_port()
    proc = _start([sys.executable, "-m", "lifecycle", "app", "--port", str(port), "--address", "127.0.0.1"],
                     tmp_path)
    _wait_healthy(proc, port, tmp_path)
    status = _stop_and_check(proc, port, sig)
    # The server's own status (Streamlit exits 0 when asked to stop), or 128 + the signal, as a shell says it.
    assert status in (0, 128 + sig), status


def test_killing_lifecycle_app_outright_still_ends_its_server(tmp_path):
    """SIGKILL cannot be forwarded: the server is told by the kernel that its parent died (PR_SET_PDEATHSIG)."""
    port = free_port()
    proc = _start([sys.executable, "-m", "lifecycle", "app", "--port", str(port), "--address", "127.0.0.1"],
                     tmp_path)
    _wait_healthy(proc, port, tmp_path)
    _stop_and_check(proc, port, signal.SIGKILL)


def test_stopping_make_app_ends_the_server(tmp_path):
    """`make app` as a newcomer runs it (installs already done by the test command): SIGTERM to make alone."""
    port = free_port()
    venv = Path(sys.executable).parent.parent
    if not (ROOT / ".venv" / "bin" / "lifecycle").exists() or venv.resolve() != (ROOT / ".venv").resolve():
        pytest.skip("make app needs the checkout's .venv, which this run does not use")
    proc = _start(["make", "-s", "app", f"PORT={port}"], tmp_path)
    _wait_healthy(proc, port, tmp_path)
    _stop_and_check(proc, port, signal.SIGTERM)
