"""Writes replace only what they should (``lifecycle._files.write_output``, used by every CLI output).

Found by review: ``report -o /dev/null`` (as root) replaced the device node with a regular file, a
symlinked output became a regular file, and a replaced file always ended up mode 0600.
"""

from __future__ import annotations

import os
import stat
import subprocess
import sys

import pytest

from lifecycle._files import write_output
from lifecycle.cli import main as cli
from lifecycle.errors import InvalidInput


def test_a_device_is_written_to_not_replaced(tmp_path):
    """A private copy of /dev/null's device node (never the machine's own, should this regress)."""
    null = tmp_path / "null"
    try:
        os.mknod(null, 0o666 | stat.S_IFCHR, os.stat("/dev/null").st_rdev)
    except PermissionError:
        pytest.skip("creating a device node needs root; the FIFO test covers non-regular files")
    write_output(null, b"report bytes")
    after = os.stat(null)
    assert stat.S_ISCHR(after.st_mode) and after.st_rdev == os.stat("/dev/null").st_rdev


def test_a_fifo_stays_a_fifo_and_receives_the_bytes(tmp_path):
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    reader = subprocess.Popen([sys.executable, "-c", f"import sys; sys.stdout.write(open({str(fifo)!r}).read())"],
                              stdout=subprocess.PIPE, text=True)
    write_output(fifo, "through the pipe")
    assert reader.communicate(timeout=30)[0] == "through the pipe"
    assert stat.S_ISFIFO(os.stat(fifo).st_mode)


def test_a_symlink_is_followed_and_stays_a_link(tmp_path):
    real = tmp_path / "reports" / "plan.md"
    real.parent.mkdir()
    real.write_text("old")
    link = tmp_path / "latest.md"
    link.symlink_to(real)
    write_output(link, "new")
    assert link.is_symlink() and os.readlink(link) == str(real)
    assert real.read_text() == "new"


@pytest.mark.parametrize("mode", [0o644, 0o640, 0o600, 0o664])
def test_a_replaced_file_keeps_its_mode(tmp_path, mode):
    target = tmp_path / "plan.html"
    target.write_text("old")
    target.chmod(mode)
    write_output(target, "new")
    assert stat.S_IMODE(os.stat(target).st_mode) == mode and target.read_text() == "new"


def test_a_new_file_gets_the_umasks_mode_not_0600(tmp_path):
    old = os.umask(0o022)
    try:
        write_output(tmp_path / "new.md", "x")
    finally:
        os.umask(old)
    assert stat.S_IMODE(os.stat(tmp_path / "new.md").st_mode) == 0o644


def test_a_folder_or_a_missing_folder_is_one_clear_line(tmp_path):
    with pytest.raises(InvalidInput, match="is a folder"):
        write_output(tmp_path, "x")
    with pytest.raises(InvalidInput, match="does not exist"):
        write_output(tmp_path / "nope" / "r.md", "x")
    assert not list(tmp_path.iterdir())  # nothing half-written left behind


def test_dash_is_standard_output_for_reports_and_exports(tmp_path, monkeypatch, capfdbinary):
    monkeypatch.setenv("LIFECYCLE_DATABASE_URL", f"sqlite:///{tmp_path}/t.db")
    from lifecycle.records.store import Store

    store = Store()
    store.create_project("Piped")
    store.engine.dispose()
    assert cli(["report", "Piped", "--format", "md", "-o", "-"]) == 0
    out = capfdbinary.readouterr().out
    assert out.startswith(b"# Piped") and not (tmp_path / "-").exists()
    assert cli(["projects", "export", "-o", "-"]) == 0
    assert b'"Piped"' in capfdbinary.readouterr().out
    assert cli(["report", "Piped", "--format", "md", "--md-charts", "files", "-o", "-"]) == 2
