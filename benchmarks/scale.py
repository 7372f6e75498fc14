"""Scale: list, search and open projects with 10 000 projects holding 100 000 scenarios, in SQLite and
in PostgreSQL (a throw-away local server, or ``LIFECYCLE_BENCH_POSTGRES_URL``). Median latency of each
operation through ``lifecycle.records.store.Store``; target under 200 ms. Also times an app rerun (sidebar +
Projects page) against the SQLite database at that size.

The data is bulk-loaded with multi-row INSERTs of the same rows ``Store.create_project`` and
``save_project`` write (a project row plus its revision), so the store reads what the app would.

    .venv/bin/python benchmarks/scale.py [--projects 10000] [--scenarios-per-project 10] [--runs 15]
"""

from __future__ import annotations

import argparse
import functools
import json
import logging
import os
import random
import tempfile
import time
from datetime import timedelta
from pathlib import Path

from common import ROOT, format_table, summary_ms, time_calls, write_result

TARGET_MS = 200.0
BATCH = 1000



@functools.cache
def _templates() -> list:
    """One computed scenario of each common kind; documents reuse them under new ids (computing 100,000
    plans would measure the calculators, not the store)."""
    from lifecycle.memory.setup import InferenceSetup, TrainingSetup
    from lifecycle.models.ref import ModelRef
    from lifecycle.records.scenarios import make_scenario
    from lifecycle.scaling.pretraining import PretrainingSetup
    from lifecycle.serving.plan import ServingSetup
    from lifecycle.serving.quantization import QuantizationSetup
    from lifecycle.serving.sampling import SamplingSetup

    model = ModelRef.catalog("llama-2-7b")
    setups = [TrainingSetup(model=model, method="lora", micro_batch=4, gpu="a100-80gb", training_tokens=1e9),
              PretrainingSetup.with_builtin_laws(), ServingSetup(model=model, gpu="l4", precision="int8"),
              SamplingSetup(temperature=0.7, top_p=0.9), InferenceSetup(model=model, gpu="h100-80gb"),
              QuantizationSetup.for_model(model)]
    return [make_scenario(s, name="template") for s in setups]


def _document(i: int, scenarios: int, rng: random.Random):
    from lifecycle.records.project import Project, utc_now

    now = utc_now() - timedelta(minutes=i)
    p = Project(name=f"Project {i:05d} {rng.choice(['chatbot', 'classifier', 'summariser', 'search'])}",
                description=f"Synthetic project number {i} for the scale benchmark", owner=f"user{i % 50}",
                created_at=now, updated_at=now, updated_by=f"user{i % 50}")
    p.scope.use_case = "Answer support tickets in three languages."
    p.scope.tasks = ["text-generation"]
    p.scope.saved_at = now
    for j in range(scenarios):
        stage = p.stage(("scope", "select", "adapt", "integrate")[j % 4])
        template = _templates()[j % len(_templates())]
        stage.scenarios.append(template.model_copy(update={"id": f"s{i:05d}{j:03d}", "name": f"Scenario {j}",
                                                           "created_at": now}))
    return p


def bulk_load(url: str, projects: int, scenarios: int) -> dict:
    """Insert ``projects`` project rows (with their created revision) in batches; returns timings."""
    from sqlalchemy import insert

    from lifecycle.records.orm import ProjectRow, RevisionRow
    from lifecycle.records.rows import name_key  # no owner member here: scoped to "" (rows.name_key)
    from lifecycle.records.store import Store

    store = Store(url)
    rng = random.Random(1)
    start = time.perf_counter()
    next_id = 1
    for first in range(0, projects, BATCH):
        project_rows, revision_rows = [], []
        for i in range(first, min(first + BATCH, projects)):
            p = _document(i, scenarios, rng)
            doc = json.dumps(p.content(), ensure_ascii=False, sort_keys=True)
            project_rows.append({"id": next_id, "name": p.name, "name_key": name_key("", p.name), "description": p.description,
                                 "owner": p.owner, "archived": i % 20 == 0, "stages_done": "scope", "document": doc,
                                 "created_at": p.created_at, "updated_at": p.updated_at, "updated_by": p.updated_by,
                                 "version": 1})
            revision_rows.append({"project_id": next_id, "version": 1, "author": p.owner, "created_at": p.created_at,
                                  "section": "created", "summary": "Project created", "document": doc})
            next_id += 1
        with store.session() as s:
            s.execute(insert(ProjectRow), project_rows)
            s.execute(insert(RevisionRow), revision_rows)
    if store.engine.dialect.name == "postgresql":
        from sqlalchemy import text

        with store.engine.connect() as conn:  # keep the id sequence past the ids we chose
            conn.execute(text("SELECT setval('projects_id_seq', (SELECT max(id) FROM projects))"))
            conn.execute(text("ANALYZE"))
            conn.commit()
    load_s = time.perf_counter() - start
    store.engine.dispose()
    return {"load_s": load_s}


def operations(url: str, projects: int, runs: int) -> list[dict]:
    from lifecycle.records.store import Store

    store = Store(url)
    rng = random.Random(2)
    names = [s.name for s in store.list_projects(archived=None)]
    ops = {
        "list (all active, by last update)": lambda: store.list_projects(),
        "search, few hits ('project 0424')": lambda: store.list_projects("project 0424"),
        "search, many hits ('chatbot')": lambda: store.list_projects("chatbot"),
        "open one project by id (10 scenarios)": lambda: store.get_project(rng.randint(1, projects)),
        "open one project by name": lambda: store.get_project(rng.choice(names)),
        "history of one project": lambda: store.history(rng.randint(1, projects)),
    }
    import inspect

    if "limit" in inspect.signature(store.list_projects).parameters:  # paging in SQL, when the store has it
        ops["list first 500 (limit=500)"] = lambda: store.list_projects(limit=500)
    rows = []
    for name, fn in ops.items():
        stats = summary_ms(time_calls(fn, runs, warmup=1))
        rows.append({"operation": name, **stats, "meets_200ms": stats["median_ms"] < TARGET_MS})
    rows[0]["rows_returned"] = len(store.list_projects())
    rows[2]["rows_returned"] = len(store.list_projects("chatbot"))
    store.engine.dispose()
    return rows


def app_rerun(url: str, runs: int) -> dict:
    """An app rerun at this size: app.py (sidebar lists projects) showing the Projects page."""
    from streamlit.testing.v1 import AppTest

    logging.getLogger("streamlit").setLevel(logging.ERROR)
    os.environ["LIFECYCLE_DATABASE_URL"] = url
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=300)
    at.session_state["project_id"] = 1
    at.run()
    if at.exception:
        return {"error": at.exception[0].value}
    return summary_ms(time_calls(at.run, runs, warmup=1))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--projects", type=int, default=10_000)
    parser.add_argument("--scenarios-per-project", type=int, default=10)
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--skip-postgres", action="store_true")
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="scale-"))
    backends = {"sqlite": f"sqlite:///{tmp}/scale.db"}
    server = None
    if not args.skip_postgres:
        external = os.environ.get("LIFECYCLE_BENCH_POSTGRES_URL")
        if external:
            backends["postgresql"] = external
        else:
            from tests.support.pg_server import PostgresServer

            server = PostgresServer()
            server.start()
            backends["postgresql"] = server.create_database("scale")
    results, table = {}, []
    try:
        for backend, url in backends.items():
            load = bulk_load(url, args.projects, args.scenarios_per_project)
            print(f"{backend}: loaded {args.projects} projects / {args.projects * args.scenarios_per_project} "
                  f"scenarios in {load['load_s']:.1f} s")
            rows = operations(url, args.projects, args.runs)
            for r in rows:
                table.append({"backend": backend, **r})
            results[backend] = {**load, "operations": rows}
        rerun = app_rerun(backends["sqlite"], max(5, args.runs // 3))
        results["sqlite"]["app_rerun_projects_page"] = rerun
    finally:
        if server is not None:
            server.stop()
    print(format_table(table, ["backend", "operation", "median_ms", "p95_ms", "meets_200ms", "rows_returned"],
                       {"median_ms": ".1f", "p95_ms": ".1f"}))
    if "median_ms" in rerun:
        print(f"app rerun (sidebar + Projects page) at {args.projects} projects, SQLite: median "
              f"{rerun['median_ms']:.0f} ms, p95 {rerun['p95_ms']:.0f} ms")
    else:
        print(f"app rerun failed: {rerun}")
    write_result("scale", {"projects": args.projects, "scenarios": args.projects * args.scenarios_per_project,
                           "target_ms": TARGET_MS, "backends": results, "rows": table})
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
