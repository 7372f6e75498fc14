"""Upgrading a database made by the release before per-project roles (``tests/data/before-roles``): every
project, document, version and revision is kept, each project's previous owner becomes its owner member, and
the projects are reachable as before by the administrator and, by that owner's identity, under the rules."""

from __future__ import annotations

import hashlib
import shutil
import sqlite3
from pathlib import Path

import pytest

from lifecycle.errors import AccessDenied
from lifecycle.records.access import AccessSettings, Role, cli_identity, signed_in_identity
from lifecycle.records.store import Store

DB = Path(__file__).resolve().parents[1] / "data" / "before-roles" / "lifecycle-0004.db"
ROOT = Path(__file__).resolve().parents[2]


def _dump(path: Path) -> dict:
    with sqlite3.connect(path) as conn:
        return {
            "projects": conn.execute("SELECT id, name, owner, document, version, archived, updated_by FROM projects "
                                     "ORDER BY id").fetchall(),
            "revisions": conn.execute("SELECT id, project_id, version, author, section, summary, document "
                                      "FROM revisions ORDER BY id").fetchall(),
            "models": conn.execute("SELECT * FROM custom_models ORDER BY id").fetchall(),
            "laws": conn.execute("SELECT * FROM scaling_laws ORDER BY id").fetchall(),
        }


@pytest.fixture
def upgraded(tmp_path, monkeypatch) -> tuple[Store, dict, Path]:
    monkeypatch.delenv("LIFECYCLE_USER", raising=False)
    copy = tmp_path / "lifecycle.db"
    shutil.copy(DB, copy)
    before = _dump(copy)
    store = Store(f"sqlite:///{copy}")  # the administrator (LIFECYCLE_USER unset in this test)
    yield store, before, copy
    store.engine.dispose()


def _head() -> str:
    from tests.db.test_migrations import _head as head

    return head()


def test_nothing_is_lost(upgraded):
    store, before, path = upgraded
    assert _dump(path) == before  # rows, documents, versions and history byte for byte
    with sqlite3.connect(path) as conn:
        assert conn.execute("SELECT version_num FROM alembic_version").fetchall() == [(_head(),)]  # the newest
        owners = dict(conn.execute("SELECT p.name, m.principal FROM memberships m JOIN projects p "
                                   "ON p.id = m.project_id WHERE m.role = 3").fetchall())
    assert owners == {name: owner.lower() for _, name, owner, *_ in before["projects"]}
    # The one value migration 0008 rewrites (deliberately left out of _dump): name_key, now scoped to the owner
    # member's principal, so names are unique per owner (README, Security).
    with sqlite3.connect(path) as conn:
        keys = dict(conn.execute("SELECT name, name_key FROM projects").fetchall())
    assert keys == {name: hashlib.sha256(f"{owner.lower()}\x1f{name.lower()}".encode()).hexdigest()
                    for _, name, owner, *_ in before["projects"]}
    assert [s.name for s in store.list_projects(archived=None, sort="name")] == sorted(
        (p[1] for p in before["projects"]), key=str.lower)


def test_owners_keep_their_projects_under_the_rules(upgraded):
    store, _, _ = upgraded
    ann = store.acting_as(cli_identity("ann"))  # LIFECYCLE_USER=ann, the name she typed as owner
    assert sorted(s.name for s in ann.list_projects(archived=None)) == ["Old pilot", "Support chatbot"]
    chatbot = ann.get_project("Support chatbot")
    assert ann.my_role(chatbot.id) is Role.owner and len(ann.history(chatbot.id)) == 3
    # An owner typed as an e-mail matches the signed-in person with that (verified) address.
    lee = store.acting_as(signed_in_identity({"iss": "https://idp.example", "sub": "42", "email": "lee@example.com",
                                              "email_verified": True},
                                             AccessSettings(trusted_email_issuers=frozenset({"https://idp.example"}))))
    assert [s.name for s in lee.list_projects()] == ["Contract classifier"]
    with pytest.raises(AccessDenied):
        lee.get_project(chatbot.id)
