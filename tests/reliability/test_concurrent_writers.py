"""Eight processes saving one project 200 times each, on SQLite and on PostgreSQL.

The optimistic lock must refuse every stale write (ConflictError) and accept each write that
was based on the stored version; then every accepted write must be in the history and in the
final document (no lost update), and no raw "database is locked" may reach a caller.
"""

from __future__ import annotations

import json
import multiprocessing
import time

import pytest
from sqlalchemy import select

from lifecycle.records.orm import RevisionRow
from lifecycle.records.store import Store
from tests.reliability._workers import LOG_KEY, save_loop

pytestmark = [pytest.mark.subprocess]

WRITERS = 8
SAVES_PER_WRITER = 200
WRITER_DEADLINE_S = 1_200


def _run_writers(url: str, project_id: int) -> tuple[list[dict], float]:
    ctx = multiprocessing.get_context("spawn")
    start = ctx.Event()
    results = ctx.Queue()
    procs = [ctx.Process(target=save_loop, args=(url, project_id, w, SAVES_PER_WRITER, start, results))
             for w in range(WRITERS)]
    for p in procs:
        p.start()
    time.sleep(0.5)  # let every interpreter import before the race starts
    began = time.perf_counter()
    start.set()
    # The work is bounded by counts (8 × 200 saves); the deadline only catches a hang, so it is generous
    # enough for a loaded 2-core machine (a quiet one takes ~15 s), and progress is reported as writers finish.
    reports = []
    for _ in procs:
        reports.append(results.get(timeout=WRITER_DEADLINE_S))
        print(f"writer {reports[-1]['worker']} finished after {time.perf_counter() - began:.0f} s", flush=True)
    elapsed = time.perf_counter() - began
    for p in procs:
        p.join(timeout=30)
    assert all(p.exitcode == 0 for p in procs), [p.exitcode for p in procs]
    return reports, elapsed


def test_eight_writers_lose_no_update_and_see_no_raw_lock_error(backend_url):
    store = Store(backend_url)
    project = store.create_project("Contended by eight writers", author="setup")

    reports, elapsed = _run_writers(backend_url, project.id)

    errors = [e for r in reports for e in r["errors"]]
    assert errors == [], errors[:5]
    accepted = sorted((a for r in reports for a in r["accepted"]), key=lambda a: a[2])
    total = WRITERS * SAVES_PER_WRITER
    assert len(accepted) == total
    # Each accepted save was based on the version just before it: versions 2..total+1, no gaps.
    assert [a[2] for a in accepted] == list(range(2, total + 2))
    assert all(saved == based + 1 for _, based, saved in accepted)
    # Every stale copy was refused.
    assert sum(r["stale_accepted"] for r in reports) == 0
    assert sum(r["stale_refused"] for r in reports) == WRITERS * len(range(10, SAVES_PER_WRITER, 20))

    final = store.get_project(project.id)
    assert final.version == total + 1
    markers_in_order = [a[0] for a in accepted]
    assert final.scope.decisions[LOG_KEY] == markers_in_order

    with store.session() as s:
        revisions = s.execute(
            select(RevisionRow.version, RevisionRow.summary, RevisionRow.document)
            .where(RevisionRow.project_id == project.id).order_by(RevisionRow.version)
        ).all()
    assert [r.version for r in revisions] == list(range(1, total + 2))
    for rev, marker in zip(revisions[1:], markers_in_order):
        assert rev.summary == marker
        log = json.loads(rev.document)["scope"]["decisions"][LOG_KEY]
        assert log[-1] == marker and len(log) == rev.version - 1
    store.engine.dispose()
    conflicts = sum(r["conflicts"] for r in reports)
    busy = sum(r["busy"] for r in reports)
    print(f"\n{backend_url.split(':')[0]}: {total} writes accepted in {elapsed:.1f} s, "
          f"{conflicts} conflicts retried, {busy} busy retries")


def test_a_save_blocked_past_the_busy_timeout_says_busy_in_words(tmp_path, monkeypatch):
    """A writer that holds SQLite's write lock longer than the busy timeout: the save fails
    with StoreUnavailable and a plain message, reads keep working (WAL), and nothing changed."""
    import sqlite3

    import pytest

    import lifecycle.records.db as db_module
    from lifecycle.errors import StoreUnavailable

    monkeypatch.setattr(db_module, "SQLITE_BUSY_TIMEOUT_S", 0.3)
    path = tmp_path / "locked.db"
    store = Store(f"sqlite:///{path}")
    project = store.create_project("Locked out")
    blocker = sqlite3.connect(path, isolation_level=None)
    blocker.execute("BEGIN IMMEDIATE")  # holds the write lock, as a long save would
    try:
        project.scope.notes = "blocked"
        with pytest.raises(StoreUnavailable) as info:
            store.save_project(project, section="scope")
        assert "locked" not in str(info.value).lower() and "try again" in str(info.value)
        assert store.get_project(project.id).version == 1  # readers are not blocked
        assert [s.name for s in store.list_projects()] == ["Locked out"]
    finally:
        blocker.execute("ROLLBACK")
        blocker.close()
    saved = store.save_project(project, section="scope")  # the lock is gone: the same save works
    assert saved.version == 2 and store.get_project(project.id).scope.notes == "blocked"
    store.engine.dispose()
