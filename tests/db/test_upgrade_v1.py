"""Schema 1 → 2 with nothing lost: a real version-1 database and a version-1 export, both made by the v1 app
(tests/data/v1/README.md), upgrade to typed scenarios.

Every v1 scenario becomes either a typed scenario recomputed from its inputs, or a legacy scenario carrying its
values as saved; in both cases the v1 record is kept verbatim in ``upgraded_from``. Everything else in the
document is unchanged, and versions and history stay as they were (an upgrade is not a save).
"""

from __future__ import annotations

import json
import shutil
import sqlite3
from pathlib import Path

import pytest

from lifecycle.memory.plan import training_plan
from lifecycle.records.project import SCHEMA_VERSION, STAGES
from lifecycle.records.scenarios import KINDS, LegacyScenario, TrainingScenario, calculate
from lifecycle.records.store import Store
from lifecycle.records.transfer import export_json, import_json

V1 = Path(__file__).resolve().parents[1] / "data" / "v1"


def _v1_rows(db: Path) -> dict[str, dict]:
    with sqlite3.connect(db) as conn:
        return {name: json.loads(doc) for name, doc in conn.execute("SELECT name, document FROM projects")}


def _without_scenarios(doc: dict) -> dict:
    out = {k: v for k, v in doc.items() if k not in ("schema_version", "id", "version")}
    for stage in STAGES:
        out[stage] = {k: v for k, v in doc[stage].items() if k != "scenarios"}
    return out


def _check_nothing_lost(v1_doc: dict, project) -> None:
    assert project.schema_version == SCHEMA_VERSION
    upgraded = _without_scenarios(project.model_dump(mode="json"))
    # Fields added since version 1 (the Scope's team facts) start empty; everything version 1 held is kept.
    for stage in STAGES:
        added = set(upgraded[stage]) - set(v1_doc[stage])
        # None, or an empty list for the Adapt stage's measured runs (issue 29)
        assert all(upgraded[stage][k] is None or (stage, k, upgraded[stage][k]) == ("adapt", "measured", [])
                   for k in added), added
        upgraded[stage] = {k: v for k, v in upgraded[stage].items() if k not in added}
    assert upgraded == _without_scenarios(v1_doc)
    for stage in STAGES:
        old, new = v1_doc[stage]["scenarios"], project.stage(stage).scenarios
        assert len(new) == len(old)
        for before, after in zip(old, new):
            assert after.kind in KINDS
            assert after.upgraded_from == before  # the v1 record, verbatim
            assert after.id == before.get("id", after.id) and after.name == before["name"]
            if isinstance(after, LegacyScenario):
                assert after.inputs == before["inputs"] and after.results == before["results"]
                assert after.original_kind == before["kind"] and after.reason.startswith("Kept as saved")
            else:  # recomputed: the stored result is what the calculator gives for the stored setup
                assert after.result == calculate(after.setup)


@pytest.fixture
def v1_store(tmp_path) -> Store:
    db = tmp_path / "v1.db"
    shutil.copy(V1 / "lifecycle-v1.db", db)
    store = Store(f"sqlite:///{db}")  # opening it migrates 0002 → head (0003 laws, 0004 documents)
    yield store
    store.engine.dispose()


def test_a_version_1_database_upgrades_with_nothing_lost(v1_store, tmp_path):
    before = _v1_rows(V1 / "lifecycle-v1.db")
    summaries = v1_store.list_projects(archived=None)
    assert sorted(s.name for s in summaries) == sorted(before)
    for summary in summaries:
        project = v1_store.get_project(summary.id)
        _check_nothing_lost(before[summary.name], project)
        history = v1_store.history(summary.id)
        assert history[0].version == project.version  # no revision was added by the upgrade
        for rev in history:  # every revision is readable as a current document
            assert v1_store.get_revision(rev.id).schema_version == SCHEMA_VERSION
    with sqlite3.connect(tmp_path / "v1.db") as conn:
        assert conn.execute("SELECT COUNT(*) FROM revisions").fetchone()[0] == 17
        stored = [json.loads(d) for (d,) in conn.execute("SELECT document FROM projects")]
    assert {d["schema_version"] for d in stored} == {SCHEMA_VERSION}  # upgraded in place by 0004, not only on read


def test_complete_v1_scenarios_are_recomputed_from_their_inputs(v1_store):
    project = v1_store.get_project("Contract summarizer")
    kinds = [s.kind for stage in STAGES for s in project.stage(stage).scenarios]
    assert kinds == ["architecture", "prompt_budget", "pretraining", "training", "training", "legacy", "inference",
                     "serving", "sampling"]
    lora = next(s for s in project.adapt.scenarios if s.name == "LoRA r32 on 2xA100, ZeRO-2")
    assert isinstance(lora, TrainingScenario)
    setup = lora.setup
    assert (setup.model.id, setup.method, setup.lora_rank, setup.gpus, setup.strategy, setup.gpu) == \
        ("llama-2-7b", "lora", 32, 2, "zero2", "a100-80gb")
    assert setup.training_tokens == lora.upgraded_from["results"]["training_tokens"]
    assert lora.result == training_plan(setup)
    # time and cost now use the scenario's own 2 GPUs (v1 priced the run on a separate, unsaved GPU count)
    assert lora.result.time_and_cost.gpus == 2
    config = next(s for s in project.adapt.scenarios if s.kind == "legacy")
    assert config.original_kind == "memory" and "config.json" in config.reason


def test_a_version_1_export_imports_exports_as_version_2_and_round_trips(any_store):
    text = (V1 / "projects-v1.json").read_text(encoding="utf-8")
    v1_docs = {d["name"]: d for d in json.loads(text)["projects"]}
    imported = import_json(any_store, text, author="importer")
    assert sorted(p.name for p in imported) == sorted(v1_docs)
    for project in imported:
        stored = any_store.get_project(project.id)
        # An imported copy was last saved by its importer, now (security review, class 9); all else is kept.
        assert stored.updated_by == "importer"
        saved = {k: stored.model_dump(mode="json")[k] for k in ("updated_by", "updated_at")}
        _check_nothing_lost({**v1_docs[project.name], **saved}, stored)
    again = json.loads(export_json(any_store))
    assert {d["schema_version"] for d in again["projects"]} == {SCHEMA_VERSION}
    for d in again["projects"]:
        d["name"] += " (copy)"
    reimported = import_json(any_store, json.dumps(again), author="importer")
    for project in reimported:
        original = any_store.get_project(project.name.removesuffix(" (copy)"))
        assert project.content()["scope"] == original.content()["scope"]


def test_an_unknown_future_schema_version_is_refused_in_one_line(store):
    doc = json.loads((V1 / "projects-v1.json").read_text(encoding="utf-8"))
    doc["projects"][0]["schema_version"] = 99
    from lifecycle.errors import InvalidInput

    with pytest.raises(InvalidInput, match="Unsupported project schema version 99"):
        import_json(store, json.dumps(doc))
