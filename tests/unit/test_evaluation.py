"""Evaluation plan: metric and benchmark catalogs, suggestions per task, checked targets."""

import json
from pathlib import Path

import pytest

from lifecycle.adapt.evaluation import (
    benchmarks_for_tasks,
    get_benchmark,
    get_metric,
    list_benchmarks,
    list_metrics,
    make_target,
    metrics_for_tasks,
    suggested_metrics,
    target_met,
)
from lifecycle.errors import InvalidInput, NotFound

ROOT = Path(__file__).resolve().parents[2]
TASKS = {t["id"] for t in json.loads((ROOT / "data" / "tasks.json").read_text())["tasks"]}


def test_every_metric_and_benchmark_row_has_a_source_and_known_tasks():
    for row in [*list_metrics(), *list_benchmarks()]:
        assert row.source.strip() and row.measures.strip()
        assert set(row.tasks) <= TASKS, (row.id, set(row.tasks) - TASKS)
    metric_ids = {m.id for m in list_metrics()}
    assert all(b.metric in metric_ids for b in list_benchmarks())


def test_every_task_in_the_taxonomy_has_at_least_one_metric():
    for task in TASKS:
        assert metrics_for_tasks([task]), task


@pytest.mark.parametrize(
    "task, expected",
    [
        ("text-classification", {"accuracy", "macro-f1"}),
        ("ner", {"entity-f1"}),
        ("summarization", {"rouge"}),
        ("translation", {"bleu", "chrf"}),
        ("question-answering", {"exact-match", "token-f1"}),
        ("text-generation", {"perplexity"}),
        ("chat", {"win-rate"}),
    ],
)
def test_issue_metrics_are_suggested_for_their_tasks(task, expected):
    assert expected <= {m.id for m in metrics_for_tasks([task])}


def test_named_public_benchmarks_are_present():
    ids = {b.id for b in list_benchmarks()}
    assert {"glue", "superglue", "mmlu", "big-bench", "helm"} <= ids
    assert get_benchmark("MMLU").id == "mmlu"


def test_suggestions_pair_metrics_with_benchmarks_that_report_them():
    s = {(x.task, x.metric): x for x in suggested_metrics(["summarization", "translation"])}
    assert {"cnn-dailymail", "xsum"} <= set(s[("summarization", "rouge")].benchmarks)
    assert s[("translation", "chrf")].benchmarks == ["flores-200"]
    assert benchmarks_for_tasks(["code-generation"])[0].id == "humaneval"


def test_targets_take_their_direction_from_the_metric_and_check_the_range():
    t = make_target("rouge", "CNN/DailyMail test", 40)
    assert t.higher_is_better and t.threshold == 40
    ppl = make_target("perplexity", "held-out support tickets", 12.5)
    assert ppl.higher_is_better is False
    assert target_met(ppl, 11.0) and not target_met(ppl, 13.0)
    assert target_met(t, 41.2) and not target_met(t, 39.9)
    with pytest.raises(InvalidInput, match="above its maximum"):
        make_target("accuracy", "", 120)
    with pytest.raises(InvalidInput, match="below its minimum"):
        make_target("perplexity", "", 0.5)
    with pytest.raises(InvalidInput):
        make_target("bleu", "", "high")
    with pytest.raises(NotFound, match="Did you mean"):
        get_metric("rogue")
