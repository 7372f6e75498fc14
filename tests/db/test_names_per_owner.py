"""Project names are unique per owner (``rows.name_key``; README, Security): one's own clash is said plainly,
a name someone else uses is allowed, a name several visible projects share asks for the id (``#ID``), a
transfer to someone who already owns that name is refused, and migration 0008 rewrites old rows' keys."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.config import Config

from lifecycle.errors import AccessDenied, DuplicateName, InvalidInput
from lifecycle.records.access import Identity, Role
from lifecycle.records.rows import name_key
from lifecycle.records.store import MIGRATIONS_DIR, Store, _engine_for
from lifecycle.records.transfer import export_json, import_json
from tests.conftest import _fresh_url

ROOT = Path(__file__).resolve().parents[2]


def _person(store: Store, who: str) -> Store:
    return store.acting_as(Identity(issuer="https://idp.test", subject=who, email=f"{who}@example.test"))


def test_a_clash_with_your_own_project_is_said_plainly(any_store):
    ann = _person(any_store, "ann")
    plan, other = ann.create_project("Plan"), ann.create_project("Other")
    exported = export_json(ann, [str(plan.id)])
    for attempt in (lambda: ann.create_project("PLAN"), lambda: ann.duplicate_project(other, " plan "),
                    lambda: ann.rename_project(other, "pLaN"), lambda: import_json(ann, exported)):
        with pytest.raises(DuplicateName, match=r"^You already have a project named '(PLAN|plan|pLaN|Plan)'"):
            attempt()
    assert sorted(s.name for s in ann.list_projects()) == ["Other", "Plan"]
    ann.rename_project(ann.get_project(plan.id), "plan")  # a change of case of the same project is no clash
    assert ann.get_project("PLAN").name == "plan"


def test_an_editor_renaming_into_the_owners_name_is_told_it_is_the_owners(any_store):
    ann, bob = _person(any_store, "ann"), _person(any_store, "bob")
    ann.create_project("Budget")
    shared = ann.create_project("Shared")
    ann.add_member(shared.id, "bob@example.test", Role.editor, access_version=ann.sharing(shared.id).version)
    bob.create_project("Budget 2")
    with pytest.raises(DuplicateName, match=r"^This project's owner already has a project named 'budget'"):
        bob.rename_project(bob.get_project(shared.id), "budget")
    assert bob.rename_project(bob.get_project(shared.id), "Budget 2").name == "Budget 2"  # his name, ann's project


def test_a_name_several_visible_projects_share_asks_for_the_id(any_store):
    ann, bob, cat = _person(any_store, "ann"), _person(any_store, "bob"), _person(any_store, "cat")
    hers, his = ann.create_project("Roadmap"), bob.create_project("roadmap")
    assert ann.get_project("ROADMAP").id == hers.id and bob.get_project("Roadmap").id == his.id
    with pytest.raises(AccessDenied, match="^No access to project 'Roadmap'"):
        cat.get_project("Roadmap")
    ann.set_team_visible(hers.id, True, access_version=ann.sharing(hers.id).version)
    assert cat.get_project("roadmap").id == hers.id  # the one cat can see
    with pytest.raises(InvalidInput) as asked:
        bob.get_project("Roadmap")
    text = str(asked.value)
    assert "\n" not in text and f"#{hers.id} (owner ann@example.test)" in text and f"#{his.id} (owner bob" in text
    assert bob.get_project(f"#{hers.id}").id == hers.id and bob.get_project(f" #{his.id}").id == his.id
    with pytest.raises(InvalidInput, match=f"#{hers.id} .*#{his.id}"):  # the administrator sees both too
        any_store.get_project("roadmap")


def test_a_transfer_to_someone_who_owns_that_name_is_refused_and_changes_nothing(any_store):
    ann, bob = _person(any_store, "ann"), _person(any_store, "bob")
    hers = ann.create_project("Roadmap")
    bob.create_project("ROADMAP")
    before = ann.sharing(hers.id)
    with pytest.raises(DuplicateName) as refused:
        ann.transfer_ownership(hers.id, "bob@example.test", access_version=before.version)
    assert str(refused.value) == ("bob@example.test already owns a project named 'Roadmap': rename one of the two "
                                  "first; nothing was changed.")
    assert ann.sharing(hers.id) == before and ann.get_project(hers.id).owner == hers.owner
    renamed = ann.rename_project(ann.get_project(hers.id), "Roadmap 2")
    ann.transfer_ownership(hers.id, "bob@example.test", access_version=before.version)
    assert bob.get_project("roadmap 2").id == renamed.id  # now bob's: his name space
    with pytest.raises(DuplicateName, match="^You already have a project named 'Roadmap 2'"):
        bob.create_project("Roadmap 2")
    assert ann.create_project("Roadmap 2").id != renamed.id  # and no longer ann's


@pytest.mark.subprocess
def test_the_cli_asks_for_the_id_in_one_line(tmp_path):
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    store = Store(url)
    a, b = _person(store, "ann").create_project("Pilot"), _person(store, "bob").create_project("pilot")
    store.engine.dispose()
    env = {**os.environ, "LIFECYCLE_DATABASE_URL": url, "PYTHONPATH": str(ROOT)}
    env.pop("LIFECYCLE_USER", None)  # the administrator: sees both

    def cli(*args):
        return subprocess.run([sys.executable, "-m", "lifecycle", "projects", *args], capture_output=True, env=env,
                              timeout=120, check=False, cwd=ROOT)

    out = cli("show", "PILOT")
    err = out.stderr.decode().strip()
    assert out.returncode == 2 and len(err.splitlines()) == 1 and "Traceback" not in err, err
    assert f"#{a.id} (owner ann@example.test)" in err and f"#{b.id} (owner bob@example.test)" in err
    shown = cli("show", f"#{b.id}")
    assert shown.returncode == 0 and "pilot" in shown.stdout.decode(), shown.stderr


# ---- migration 0008 ------------------------------------------------------------------------------------

WHEN = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def url(request, tmp_path) -> str:
    return _fresh_url(request, tmp_path, request.param)


def _alembic(engine: sa.Engine, verb: str, revision: str) -> None:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        getattr(command, verb)(cfg, revision)


def _old_key(owner: str, name: str) -> str:
    return hashlib.sha256(f"{owner}\x1f{name.lower()}".encode()).hexdigest()


def test_migration_0008_scopes_old_keys_to_their_owner_and_back(url):
    engine = _engine_for(url)
    _alembic(engine, "upgrade", "0007")
    # 4 is named with 64 hex digits: exactly the key project 1 gets, so it must move aside first.
    projects = {1: ("Plan", "ann"), 2: ("Other", "bob"), 3: ("Orphan", None), 4: (_old_key("ann", "Plan"), "bob")}
    meta = sa.MetaData()
    p, m = (sa.Table(t, meta, autoload_with=engine) for t in ("projects", "memberships"))
    with engine.begin() as conn:
        for i, (name, owner) in projects.items():
            conn.execute(p.insert().values(id=i, name=name, name_key=name.lower(), description="", owner=owner or "",
                                           archived=False, stages_done="", document="{}", created_at=WHEN,
                                           updated_at=WHEN, updated_by="", version=1))
            if owner:
                conn.execute(m.insert().values(project_id=i, principal=owner, issuer="", subject="", role=3,
                                               added_at=WHEN, added_by=""))
        conn.execute(m.insert().values(project_id=2, principal="zed", issuer="", subject="", role=3, added_at=WHEN,
                                       added_by=""))  # a second owner row: the lowest id (bob) scopes the name
    def keys() -> dict[int, str]:
        with engine.connect() as conn:
            return dict(conn.execute(sa.select(p.c.id, p.c.name_key)).all())

    _alembic(engine, "upgrade", "0008")
    assert keys() == {1: _old_key("ann", "Plan"), 2: _old_key("bob", "Other"), 3: _old_key("", "Orphan"),
                      4: _old_key("bob", projects[4][0])}
    assert keys()[1] == name_key("ann", "plan")  # the app's own function gives the same value
    _alembic(engine, "downgrade", "0007")
    assert keys() == {i: name.lower() for i, (name, _) in projects.items()}
    _alembic(engine, "upgrade", "0008")
    with engine.begin() as conn:  # bob now has a "plan" too: one name per database cannot hold both
        conn.execute(p.update().where(p.c.id == 2).values(name="PLAN", name_key=_old_key("bob", "plan")))
    with pytest.raises(RuntimeError, match="rename one before downgrading"):
        _alembic(engine, "downgrade", "0007")
    assert keys()[2] == _old_key("bob", "plan")
    engine.dispose()
