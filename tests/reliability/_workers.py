"""Processes the reliability tests start: writers that save one project over and over.

They run in separate interpreters (multiprocessing "spawn"), each with its own Store and
connection pool, as separate app servers or CLI runs would.
"""

from __future__ import annotations

import os
import sys
import time

from lifecycle.errors import ConflictError, StoreUnavailable
from lifecycle.records.store import Store

LOG_KEY = "writes"  # the list in scope.decisions each accepted save appends its marker to


def save_loop(url: str, project_id: int, worker: int, saves: int, start, results) -> None:
    """Make ``saves`` accepted saves, each re-read and retried after a refusal, and report.

    Every 20th iteration also tries to save a copy opened at the start (stale on purpose):
    the store must refuse it with ConflictError. Any other exception, or any message that
    mentions "database is locked", is reported as an error for the test to fail on.
    """
    store = Store(url, apply_migrations=False)
    accepted: list[tuple[str, int, int]] = []  # (marker, version it was based on, version saved)
    counts = {"conflicts": 0, "busy": 0, "stale_refused": 0, "stale_accepted": 0}
    errors: list[str] = []
    start.wait()
    stale = store.get_project(project_id)
    for i in range(saves):
        marker = f"w{worker}-{i}"
        while True:
            try:
                project = store.get_project(project_id)
                project.scope.decisions.setdefault(LOG_KEY, []).append(marker)
                saved = store.save_project(project, author=f"writer-{worker}", section="scope", summary=marker)
            except ConflictError:
                counts["conflicts"] += 1
                continue
            except StoreUnavailable as exc:
                counts["busy"] += 1
                if "database is locked" in str(exc):
                    errors.append(f"raw sqlite message in StoreUnavailable: {exc}")
                time.sleep(0.01)
                continue
            except Exception as exc:  # noqa: BLE001 - exactly what the test looks for
                errors.append(f"{type(exc).__name__}: {exc}")
                break
            accepted.append((marker, project.version, saved.version))
            break
        if i % 20 == 10:
            try:
                store.save_project(stale, author=f"writer-{worker}", section="scope", summary="stale")
                counts["stale_accepted"] += 1
            except ConflictError:
                counts["stale_refused"] += 1
            except StoreUnavailable:
                counts["busy"] += 1
            except Exception as exc:  # noqa: BLE001
                errors.append(f"stale save: {type(exc).__name__}: {exc}")
    store.engine.dispose()
    results.put({"worker": worker, "accepted": accepted, "errors": errors, **counts})


def crash_loop(url: str, project_id: int, hold_after: int) -> None:
    """Save forever; print each committed version (flushed) so the parent knows what committed.

    After ``hold_after`` commits (never when negative) the next save stops between the project
    UPDATE and the revision INSERT — inside the open transaction — prints "in-transaction" and
    waits there for the parent's SIGKILL.
    """
    from sqlalchemy import event

    store = Store(url, apply_migrations=False)

    @event.listens_for(store.engine, "after_cursor_execute")
    def _hold(conn, cursor, statement, params, context, executemany):
        if statement.lstrip().upper().startswith("UPDATE PROJECTS") and i == hold_after:
            print("in-transaction", flush=True)
            time.sleep(120)

    i = 0
    while True:
        try:
            project = store.get_project(project_id)
        except StoreUnavailable:
            continue
        marker = f"pid{os.getpid()}-{i}"
        project.scope.decisions.setdefault(LOG_KEY, []).append(marker)
        project.scope.notes = "x" * (i % 50_000)  # documents of varied size: more pages touched
        try:
            saved = store.save_project(project, author="crasher", section="scope", summary=marker)
        except (ConflictError, StoreUnavailable):
            continue
        print(f"committed {saved.version} {marker}", flush=True)
        i += 1


if __name__ == "__main__":
    crash_loop(sys.argv[1], int(sys.argv[2]), int(sys.argv[3]))
