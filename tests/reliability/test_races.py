"""Races end in a clear outcome, never a raw database exception (SQLite and PostgreSQL).

- eight processes starting on an empty database: the migrations run once (locked), every process works;
- two sessions deleting one project: the second hears "already deleted";
- two imports of the same names: the second is refused as a duplicate and saves nothing.
"""

from __future__ import annotations

import multiprocessing

import pytest
from sqlalchemy import text

from lifecycle.errors import DuplicateName, NotFound
from lifecycle.records.store import Store
from lifecycle.records.transfer import export_json, import_json

PROCESSES = 8


def _start_and_create(url: str, index: int, start, results) -> None:
    try:
        start.wait(60)
        store = Store(url)
        store.create_project(f"Started by process {index}", author=f"p{index}")
        store.engine.dispose()
        results.put(("ok", index))
    except BaseException as exc:  # noqa: BLE001 - the test reports exactly what a process saw
        results.put(("error", f"{index}: {type(exc).__name__}: {exc}"[:400]))


@pytest.mark.subprocess
def test_eight_processes_start_on_an_empty_database(backend_url):
    ctx = multiprocessing.get_context("spawn")
    start, results = ctx.Event(), ctx.Queue()
    procs = [ctx.Process(target=_start_and_create, args=(backend_url, i, start, results)) for i in range(PROCESSES)]
    for p in procs:
        p.start()
    start.set()
    outcomes = [results.get(timeout=300) for _ in procs]
    for p in procs:
        p.join(timeout=60)
    assert [o for o in outcomes if o[0] == "error"] == []
    store = Store(backend_url)
    assert len(store.list_projects()) == PROCESSES
    with store.engine.connect() as conn:
        assert len(conn.execute(text("SELECT version_num FROM alembic_version")).all()) == 1
    store.engine.dispose()


def test_deleting_a_project_another_session_just_deleted_says_so(backend_url, monkeypatch):
    mine, theirs = Store(backend_url), Store(backend_url)
    project = mine.create_project("Doomed")
    found = Store._row

    def row_then_they_delete(self, session, ref, operation):
        row = found(self, session, ref, operation)
        monkeypatch.setattr(Store, "_row", found)  # their delete reads normally
        theirs.delete_project(project.id, version=project.version)  # commits between my read and my delete
        return row

    monkeypatch.setattr(Store, "_row", row_then_they_delete)
    with pytest.raises(NotFound, match="already deleted"):
        mine.delete_project(project.id, version=project.version)
    with pytest.raises(NotFound):
        mine.get_project(project.id)
    mine.engine.dispose()
    theirs.engine.dispose()


def test_two_imports_of_the_same_names_one_wins_the_other_saves_nothing(backend_url, monkeypatch):
    mine, theirs = Store(backend_url), Store(backend_url)
    source = mine.create_project("Shared plan")
    exported = export_json(mine, [str(source.id)])
    mine.delete_project(source.id, version=source.version)
    check = Store._check_unique_name
    calls = []

    def they_import_first(self, session, *args, **kwargs):
        check(self, session, *args, **kwargs)
        if not calls:
            calls.append(args)
            import_json(theirs, exported)  # the same file, imported elsewhere, commits first

    monkeypatch.setattr(Store, "_check_unique_name", they_import_first)
    with pytest.raises(DuplicateName, match="nothing was imported"):
        import_json(mine, exported)
    assert [p.name for p in mine.list_projects()] == ["Shared plan"]  # theirs, once
    mine.engine.dispose()
    theirs.engine.dispose()
