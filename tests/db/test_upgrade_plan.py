"""Schema 2 → 3 (the plan's pointers) on a real database made by an earlier release
(``tests/data/before-roles/lifecycle-0004.db``, schema-2 documents with several scenarios each): every project
and revision reads with nothing chosen — the latest saved scenario is never taken for the plan — and with
every value it held; the stored rows are not rewritten (the upgrade happens on read and is not a save)."""

from __future__ import annotations

import json
import shutil
import sqlite3
from pathlib import Path

import pytest

from lifecycle.records.plan import candidates, chosen_scenario
from lifecycle.records.project import SCHEMA_VERSION, STAGES
from lifecycle.records.store import Store

DB = Path(__file__).resolve().parents[1] / "data" / "before-roles" / "lifecycle-0004.db"
# Fields later schemas added: the plan's pointers (nothing chosen) and the classifier facts (issue 24: unset).
ADDED = {"scope": {"head", "num_labels"}, "adapt": {"training_scenario_id"},
         "integrate": {"serving_scenario_id", "generation"}}


def _docs(path: Path, table: str) -> dict[int, dict]:
    with sqlite3.connect(path) as conn:
        return {i: json.loads(d) for i, d in conn.execute(f"SELECT id, document FROM {table} ORDER BY id")}


@pytest.fixture
def upgraded(tmp_path, monkeypatch):
    monkeypatch.delenv("LIFECYCLE_USER", raising=False)
    copy = tmp_path / "lifecycle.db"
    shutil.copy(DB, copy)
    before = {t: _docs(copy, t) for t in ("projects", "revisions")}
    store = Store(f"sqlite:///{copy}")
    yield store, before, copy
    store.engine.dispose()


# Fields this wave's Setups and model shapes gained, each with a default that says "as before" (issue 24: the
# Architecture page's latency GPU and precision; issue 26: sliding windows, vision towers, shipped formats, the KV
# cache dtype; issue 25: pipeline micro-batches, the network, the TP plan, and the results' hardware FLOPs and
# communication, unknown for a result computed before): an old document reads with these defaults and nothing
# else changes.
NEW_DEFAULTS = {"precision": "bf16", "gpu": None, "sliding_window": 0, "sliding_layers": 0, "vision_params": 0,
                "vision": "", "image_tokens": 0, "shipped_format": "", "shipped_scope": "linears",
                "kv_cache_dtype": "auto", "micro_batches": 1, "network": None, "tp_plan": "dtensor",
                "hardware_flops": None, "communication": None,
                # issue 28: the fit verdict, headroom, data-parallel degree and FLOPs basis moved into the plan
                "headroom_bytes": None, "fit_verdict": None, "data_parallel_degree": 1, "flops_basis": ""}
# Derived from stored values on every read (pydantic computed fields), so an old document shows them too.
DERIVED = {"optimal_tokens_per_param", "seconds", "budget_pf_days"}


def _kept(old, new, path="") -> None:
    """Every value of ``old`` is in ``new`` unchanged; a key only ``new`` has is a new field at its default."""
    if isinstance(old, dict):
        assert isinstance(new, dict), path
        for key, value in old.items():
            assert key in new, f"{path}/{key} lost"
            _kept(value, new[key], f"{path}/{key}")
        for key in set(new) - set(old):
            assert key in DERIVED or (key in NEW_DEFAULTS and new[key] == NEW_DEFAULTS[key]), \
                f"{path}/{key} = {new[key]!r} is new"
    elif isinstance(old, list):
        assert isinstance(new, list) and len(new) == len(old), path
        for i, (a, b) in enumerate(zip(old, new, strict=True)):
            _kept(a, b, f"{path}[{i}]")
    else:
        assert new == old, f"{path}: {old!r} became {new!r}"


def _same_but_for_the_plan(old: dict, new: dict) -> None:
    assert old["schema_version"] == 2 and new["schema_version"] == SCHEMA_VERSION == 3
    for stage in STAGES:
        for field in ADDED.get(stage, ()):
            assert new[stage].pop(field) is None  # nothing chosen
    assert new["adapt"].pop("measured") == []  # optional list of measured runs (issue 29): none in an old document
    strip = lambda d: {k: v for k, v in d.items() if k not in ("schema_version", "id", "version")}
    _kept(strip(old), strip(new))


def test_every_project_reads_with_nothing_chosen_and_every_value_kept(upgraded):
    store, before, path = upgraded
    projects = store.list_projects(archived=None)
    assert len(projects) == len(before["projects"]) == 5
    with_scenarios = 0
    for summary in projects:
        project = store.get_project(summary.id)
        assert chosen_scenario(project, "adapt") is None and chosen_scenario(project, "integrate") is None
        assert project.integrate.generation is None
        with_scenarios += bool(candidates(project, "adapt") and candidates(project, "integrate"))
        _same_but_for_the_plan(before["projects"][summary.id], project.model_dump(mode="json"))
        for rev in store.history(summary.id):
            _same_but_for_the_plan(before["revisions"][rev.id], store.get_revision(rev.id).model_dump(mode="json"))
    assert with_scenarios == 1  # the example project: several training and serving candidates, none chosen
    assert {t: _docs(path, t) for t in before} == before  # rows as stored: the upgrade is not a save


def test_choosing_in_an_upgraded_project_saves_as_schema_3(upgraded):
    from lifecycle.records.plan import choose_scenario

    store, _, path = upgraded
    project = next(store.get_project(s.id) for s in store.list_projects(archived=None) if s.name.endswith("(example)"))
    older = candidates(project, "adapt")[-1]
    saved = store.save_project(choose_scenario(project, older.id), author="ann", section="adapt")
    assert chosen_scenario(store.get_project(saved.id), "adapt") == older
    assert _docs(path, "projects")[saved.id]["schema_version"] == 3
