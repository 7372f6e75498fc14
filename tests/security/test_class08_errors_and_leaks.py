"""Class 8: errors are one line and leak nothing. A garbage database file, a schema from a newer release, a
``mysql://`` URL, a read-only database folder: one line from the CLI (exit 2) and the Store. A password with
``@`` in it is never printed. ``report --format md -o -`` shows a project name's ESC and BEL instead of
sending them to the terminal. The app's sidebar names no database host or user. A name clash with a project
you cannot see does not confirm its name."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from lifecycle.errors import DuplicateName, LifecycleError
from lifecycle.records.access import Identity
from lifecycle.records.store import Store
from lifecycle.records.transfer import export_json, import_json

ROOT = Path(__file__).resolve().parents[2]


def _cli(url: str, *args: str, user: str | None = None) -> subprocess.CompletedProcess:
    env = {**os.environ, "LIFECYCLE_DATABASE_URL": url, "PYTHONPATH": str(ROOT)}
    env.pop("LIFECYCLE_USER", None)
    if user is not None:
        env["LIFECYCLE_USER"] = user
    return subprocess.run([sys.executable, "-m", "lifecycle", *args], capture_output=True, env=env, timeout=120,
                          check=False, cwd=ROOT)


def _one_line(out: subprocess.CompletedProcess) -> str:
    err = out.stderr.decode("utf-8", "replace").strip()
    assert out.returncode == 2, (out.returncode, err)
    assert len(err.splitlines()) == 1 and "Traceback" not in err, err
    return err


@pytest.mark.subprocess
def test_a_garbage_database_file_is_one_line(tmp_path):
    bad = tmp_path / "garbage.db"
    bad.write_bytes(os.urandom(4096))
    with pytest.raises(LifecycleError):
        Store(f"sqlite:///{bad}")
    _one_line(_cli(f"sqlite:///{bad}", "projects", "list"))


@pytest.mark.subprocess
def test_a_schema_from_a_newer_release_is_one_line(tmp_path):
    db = tmp_path / "newer.db"
    Store(f"sqlite:///{db}").engine.dispose()
    with sqlite3.connect(db) as conn:
        conn.execute("UPDATE alembic_version SET version_num = '0999'")
    with pytest.raises(LifecycleError, match="newer release"):
        Store(f"sqlite:///{db}")
    assert "newer release" in _one_line(_cli(f"sqlite:///{db}", "projects", "list"))


@pytest.mark.subprocess
@pytest.mark.parametrize("url", ["mysql://root:pw@db.example/planner", "oracle://x", "not a url"])
def test_an_unsupported_database_url_is_one_line(url):
    with pytest.raises(LifecycleError):
        Store(url)
    assert "pw" not in _one_line(_cli(url, "projects", "list"))


@pytest.mark.subprocess
def test_a_password_with_an_at_sign_is_never_printed():
    from lifecycle.records.db import redact_url, scrub_password

    url = "postgresql://planner:s3cr@t-p@ss@127.0.0.1:1/planner"
    assert redact_url(url) == "postgresql://planner:***@127.0.0.1:1/planner"
    assert "s3cr" not in scrub_password("could not translate host name \"t-p@ss@127.0.0.1\"", url)
    out = _cli(url, "projects", "list")
    err = out.stderr.decode()
    assert out.returncode == 2 and len(err.strip().splitlines()) == 1
    for piece in ("s3cr", "t-p", "ss@"):
        assert piece not in err, err


@pytest.mark.subprocess
@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only folders; run as a normal user")
def test_a_read_only_database_folder_can_still_be_read(tmp_path):
    folder = tmp_path / "ro"
    folder.mkdir()
    store = Store(f"sqlite:///{folder / 'lifecycle.db'}")
    store.create_project("Readable")
    store.engine.dispose()
    for side in folder.glob("lifecycle.db-*"):
        side.unlink()
    folder.chmod(0o555)
    try:
        listed = _cli(f"sqlite:///{folder / 'lifecycle.db'}", "projects", "list")
        assert listed.returncode == 0 and b"Readable" in listed.stdout, listed.stderr
        _one_line(_cli(f"sqlite:///{folder / 'lifecycle.db'}", "projects", "create", "Another"))
    finally:
        folder.chmod(0o755)


@pytest.mark.subprocess
def test_a_report_to_standard_output_shows_control_characters(tmp_path):
    url = f"sqlite:///{tmp_path / 'report.db'}"
    store = Store(url)
    store.create_project("Evil\x1b]0;pwned\x07\x1b[2J name")
    store.engine.dispose()
    out = _cli(url, "report", "1", "--format", "md", "-o", "-")
    assert out.returncode == 0, out.stderr
    assert b"\x1b" not in out.stdout and b"\x07" not in out.stdout
    assert b"\\x1b" in out.stdout


def test_the_sidebar_names_no_host_or_user(tmp_path, monkeypatch):
    from streamlit.testing.v1 import AppTest

    db = tmp_path / "secret-folder" / "lifecycle.db"
    monkeypatch.setenv("LIFECYCLE_DATABASE_URL", f"sqlite:///{db}")
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=30).run()
    shown = " ".join(c.value for c in at.sidebar.caption) + " ".join(m.value for m in at.sidebar.markdown)
    assert "secret-folder" not in shown and str(tmp_path) not in shown


def test_a_name_someone_else_uses_is_simply_allowed_so_nothing_is_disclosed(tmp_path):
    """Names are unique per owner: a stranger creating, duplicating, importing or renaming to the name of a
    private project they cannot see succeeds as it would for any free name (no "exists", no "cannot be used"),
    and the owner's project is untouched and still found by its name."""
    base = Store(f"sqlite:///{tmp_path / 'names.db'}")
    alice = base.acting_as(Identity(issuer="https://idp.test", subject="alice", email="alice@example.test"))
    mallory = base.acting_as(Identity(issuer="https://idp.test", subject="mallory", email="mallory@example.test"))
    secret = alice.create_project("Acquisition of Initech", description="board only")
    mine = mallory.create_project("Mallory's")
    exported = export_json(base, [str(secret.id)])  # the very file alice would export (the admin's view here)
    for attempt in (lambda: mallory.create_project("acquisition of initech"),
                    lambda: mallory.duplicate_project(mine, "ACQUISITION OF INITECH"),
                    lambda: import_json(mallory, exported)[0],
                    lambda: mallory.rename_project(mallory.get_project(mine.id), "Acquisition of Initech")):
        made = attempt()
        assert made.name.lower() == "acquisition of initech" and made.id != secret.id
        assert [s.id for s in mallory.list_projects("initech")] == [made.id]  # hers stays out of sight
        if made.id != mine.id:
            mallory.delete_project(made.id, version=made.version)
    kept = alice.get_project("acquisition of initech")  # by name: alice sees only hers
    assert kept.id == secret.id and kept.version == secret.version and kept.description == "board only"
    assert [s.id for s in alice.list_projects()] == [secret.id]
    with pytest.raises(DuplicateName, match="^You already have a project named 'ACQUISITION OF INITECH'"):
        alice.create_project("ACQUISITION OF INITECH")  # her own clash: said plainly, to her
    base.engine.dispose()


def test_a_folder_this_process_cannot_write_opens_read_only(tmp_path, monkeypatch):
    """The same as above where the tests run as root (who may write anywhere): the folder reported unwritable."""
    db = tmp_path / "lifecycle.db"
    store = Store(f"sqlite:///{db}")
    store.create_project("Readable")
    store.engine.dispose()
    for side in tmp_path.glob("lifecycle.db-*"):
        side.unlink()
    real = os.access
    monkeypatch.setattr(os, "access", lambda p, m, **k: False if Path(p) == tmp_path and m == os.W_OK
                        else real(p, m, **k))
    reader = Store(f"sqlite:///{db}")
    assert [p.name for p in reader.list_projects()] == ["Readable"]
    with pytest.raises(LifecycleError, match="readonly") as refused:
        reader.create_project("Another")
    assert "\n" not in str(refused.value)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["lifecycle.db", "lifecycle.db.migrate-lock"]


@pytest.mark.parametrize("page", ["app.py", "pages/projects.py"])
def test_the_app_says_a_garbage_database_in_one_line_without_its_path(tmp_path, monkeypatch, page):
    from streamlit.testing.v1 import AppTest

    bad = tmp_path / "private-folder" / "garbage.db"
    bad.parent.mkdir()
    bad.write_bytes(os.urandom(4096))
    monkeypatch.setenv("LIFECYCLE_DATABASE_URL", f"sqlite:///{bad}")
    at = AppTest.from_file(str(ROOT / page), default_timeout=30).run()
    assert not at.exception
    errors = [e.value for e in at.error]
    assert len(errors) == 1 and "not a database" in errors[0] and "private-folder" not in errors[0]
