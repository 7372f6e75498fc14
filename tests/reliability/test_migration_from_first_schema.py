"""A database created by the first released schema (revision "0001"), with data in every table,
migrates to head with nothing lost — on SQLite and on PostgreSQL.

The data is written with SQL against the 0001 tables (as the app of that release wrote it), so
the test keeps meaning the same thing when later migrations change the ORM classes.
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory

from lifecycle.records.custom_models import list_custom_models
from lifecycle.records.laws import get_law, list_laws
from lifecycle.records.project import Project, upgrade_document
from lifecycle.records.store import MIGRATIONS_DIR, Store, _engine_for

FIRST_REVISION = "0001"
CONFIGS = Path(__file__).resolve().parents[1] / "data" / "model-configs"
WHEN = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)

# The columns of each table as revision 0001 created them (the test compares exactly these).
TABLES_0001 = {
    "projects": ["id", "name", "name_key", "description", "owner", "archived", "stages_done", "document",
                 "created_at", "updated_at", "updated_by", "version"],
    "revisions": ["id", "project_id", "version", "author", "created_at", "section", "summary", "document"],
    "scaling_laws": ["id", "name", "kind", "params", "source", "builtin", "created_at", "created_by"],
    "custom_models": ["id", "model_id", "name", "config", "created_at", "created_by"],
}


def _alembic_config() -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    return cfg


def _upgrade_to(engine: sa.Engine, revision: str) -> None:
    cfg = _alembic_config()
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, revision)


def _project_document(i: int) -> Project:
    p = Project(name=f"Legacy project {i} <b>&</b> 'quoted'", description=f"made at 0001 #{i}", owner="ann",
                created_at=WHEN, updated_at=WHEN, updated_by="ann", archived=(i == 2))
    p.scope.use_case = "Classify contract clauses"
    p.scope.tasks = ["text-classification"]
    p.scope.input_tokens, p.scope.latency_ms_p95 = 512, 250.0
    p.scope.saved_at = WHEN
    p.select.model_id = "bert-base-uncased"
    p.adapt.eval_targets = []
    p.integrate.gpu_count = 2
    return p


V1_SCENARIO = {"kind": "memory", "name": "LoRA r=16", "author": "ann", "created_at": WHEN.isoformat(),
               "inputs": {"batch": 8, "seq": 512}, "results": {"peak_gib": 11.5}, "notes": ""}


def _v1_document(i: int) -> dict:
    """The document as the first release stored it: schema version 1, a free-form scenario."""
    doc = _project_document(i).content()
    doc["schema_version"] = 1
    doc["select"]["scenarios"] = [{**V1_SCENARIO, "id": f"legacy{i}"}]
    return doc


def _fill_first_schema(engine: sa.Engine) -> None:
    meta = sa.MetaData()
    t = {name: sa.Table(name, meta, autoload_with=engine) for name in TABLES_0001}
    with engine.begin() as conn:
        for i in range(1, 4):
            p = _project_document(i)
            doc = json.dumps(_v1_document(i), ensure_ascii=False, sort_keys=True)
            conn.execute(t["projects"].insert().values(
                id=i, name=p.name, name_key=p.name.lower(), description=p.description, owner=p.owner,
                archived=p.archived, stages_done="scope", document=doc, created_at=WHEN, updated_at=WHEN,
                updated_by="ann", version=2))
            for version, section in ((1, "created"), (2, "scope")):
                conn.execute(t["revisions"].insert().values(
                    project_id=i, version=version, author="ann", created_at=WHEN, section=section,
                    summary=f"v{version}", document=doc))
        conn.execute(t["scaling_laws"].insert().values(
            name="team pilot fit", kind="parametric", builtin=False, created_at=WHEN, created_by="ann",
            source="our 12 pilot runs, 2026-01",
            params=json.dumps({"constants": {"E": 1.9, "A": 400.0, "B": 900.0, "alpha": 0.33, "beta": 0.3},
                               "title": "Team fit", "extra": {"n_points": 12}})))
        conn.execute(t["custom_models"].insert().values(
            model_id="team-gpt2", name="Team GPT-2", created_at=WHEN, created_by="ann",
            config=(CONFIGS / "gpt2-small.json").read_text()))


def _snapshot(engine: sa.Engine) -> dict[str, list[dict]]:
    meta = sa.MetaData()
    out = {}
    with engine.connect() as conn:
        for name, columns in TABLES_0001.items():
            table = sa.Table(name, meta, autoload_with=engine)
            rows = conn.execute(sa.select(*[table.c[c] for c in columns]).order_by(table.c.id)).mappings().all()
            out[name] = [_normalise(dict(r)) for r in rows]
    return out


def _normalise(row: dict) -> dict:
    # SQLite hands back naive datetimes and 0/1 for booleans; compare values, not driver types.
    for key, value in row.items():
        if isinstance(value, datetime) and value.tzinfo is None:
            row[key] = value.replace(tzinfo=UTC)
    return row


def test_a_first_schema_database_with_data_migrates_to_head_with_nothing_lost(backend_url):
    if backend_url.endswith("/postgres"):
        pytest.skip("an external PostgreSQL database is shared; this test needs an empty one")
    engine = _engine_for(backend_url)
    _upgrade_to(engine, FIRST_REVISION)
    _fill_first_schema(engine)
    before = _snapshot(engine)
    engine.dispose()

    store = Store(backend_url)  # opening the store migrates to head
    with store.engine.connect() as conn:
        current = MigrationContext.configure(conn).get_current_revision()
    assert current == ScriptDirectory.from_config(_alembic_config()).get_current_head()

    after = _snapshot(store.engine)
    for table, rows in before.items():
        kept = [r for r in after[table] if r["id"] in {b["id"] for b in rows}]
        # every row and every column byte for byte, but documents (migration 0004 upgrades them to schema 2)
        # and projects.name_key (migration 0008 scopes it to the owner: names are unique per owner)
        changed = ("document", "name_key")
        assert [{k: v for k, v in r.items() if k not in changed} for r in kept] == \
            [{k: v for k, v in r.items() if k not in changed} for r in rows], table
        for old, new in zip(rows, kept):
            if "name_key" in old:  # sha256 of the owner member's principal (the owner, lower-cased) and the name
                scoped = f"{old['owner'].strip().lower()}\x1f{old['name'].lower()}"
                assert new["name_key"] == hashlib.sha256(scoped.encode()).hexdigest(), old["name"]
            if "document" in old:
                assert json.loads(new["document"]) == upgrade_document(json.loads(old["document"])), table
    # The app reads all of it; the v1 scenario (no model saved) is kept with its values, marked.
    for i in range(1, 4):
        project = store.get_project(i)
        [scenario] = project.select.scenarios
        assert scenario.kind == "legacy" and scenario.original_kind == "memory" and scenario.id == f"legacy{i}"
        assert scenario.inputs == V1_SCENARIO["inputs"] and scenario.results == V1_SCENARIO["results"]
        assert scenario.upgraded_from == {**V1_SCENARIO, "id": f"legacy{i}"}
        expected = _project_document(i).content()
        assert {k: v for k, v in project.content().items() if k != "select"} == \
            {k: v for k, v in expected.items() if k != "select"}
        assert [r.version for r in store.history(i)] == [2, 1]
    assert {s.name for s in store.list_projects(archived=None)} == {_project_document(i).name for i in range(1, 4)}
    law = get_law("team pilot fit", store)
    assert law.params["E"] == 1.9 and law.extra == {"n_points": 12} and not law.builtin
    assert "team pilot fit" in {x.name for x in list_laws(store)}
    assert [m.model_id for m in list_custom_models(store)] == ["team-gpt2"]
    # And it keeps working: a save after the migration makes version 3.
    project = store.get_project(1)
    project.scope.notes = "saved after the migration"
    assert store.save_project(project, section="scope").version == 3
    store.engine.dispose()
