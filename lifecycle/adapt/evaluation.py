"""Evaluation plan: which metrics and public benchmarks suit the project's tasks, and saved targets.

The catalogs are ``data/metrics.json`` and ``data/benchmarks.json``; every row names the paper
that defines it. Targets (metric, dataset, threshold) are the team's choice: we check them for
sense (a threshold inside the metric's range), we never invent them.
"""

from __future__ import annotations

import json
import math
from functools import lru_cache

from pydantic import BaseModel, ConfigDict, Field

from lifecycle._lookup import find_by_id
from lifecycle._typed import Result, Setup
from lifecycle.errors import InvalidInput
from lifecycle.resources import data_path

DATA_DIR = data_path()


class EvalTarget(BaseModel):
    """A target the team sets: a metric on a dataset, and the threshold to meet (direction from the metric)."""

    model_config = ConfigDict(extra="allow")  # keys a newer release adds are kept

    metric: str  # no length limits here: records saved by earlier releases must stay readable (make_target checks)
    dataset: str = ""
    threshold: float | None = Field(None, allow_inf_nan=False)
    higher_is_better: bool = True


class Metric(BaseModel):
    model_config = ConfigDict(frozen=True)

    id: str
    name: str
    measures: str
    unit: str
    min: float | None
    max: float | None
    higher_is_better: bool
    tasks: list[str]
    source: str


class Benchmark(BaseModel):
    model_config = ConfigDict(frozen=True)

    id: str
    name: str
    measures: str
    metric: str
    tasks: list[str]
    year: int
    source: str


@lru_cache(maxsize=1)
def _metrics() -> dict[str, Metric]:
    rows = json.loads((DATA_DIR / "metrics.json").read_text(encoding="utf-8"))["metrics"]
    return {r["id"]: Metric(**r) for r in rows}


@lru_cache(maxsize=1)
def _benchmarks() -> dict[str, Benchmark]:
    rows = json.loads((DATA_DIR / "benchmarks.json").read_text(encoding="utf-8"))["benchmarks"]
    return {r["id"]: Benchmark(**r) for r in rows}


def list_metrics() -> list[Metric]:
    return list(_metrics().values())


def list_benchmarks() -> list[Benchmark]:
    return list(_benchmarks().values())


def get_metric(metric_id: str) -> Metric:
    return find_by_id(_metrics(), metric_id, "metric")


def get_benchmark(benchmark_id: str) -> Benchmark:
    return find_by_id(_benchmarks(), benchmark_id, "benchmark")


def metrics_for_tasks(tasks: list[str]) -> list[Metric]:
    """Metrics that suit any of the tasks, in catalog order; all metrics when no task is given."""
    wanted = set(tasks or [])
    if not wanted:
        return list_metrics()
    return [m for m in list_metrics() if wanted & set(m.tasks)]


def benchmarks_for_tasks(tasks: list[str]) -> list[Benchmark]:
    wanted = set(tasks or [])
    if not wanted:
        return list_benchmarks()
    return [b for b in list_benchmarks() if wanted & set(b.tasks)]


class Suggestion(BaseModel):
    task: str
    metric: str
    metric_name: str
    benchmarks: list[str]  # benchmark ids whose headline metric this is, for the task
    reason: str


def suggested_metrics(tasks: list[str]) -> list[Suggestion]:
    """For each task, every suitable metric with the public benchmarks that report it."""
    out = []
    for task in tasks or []:
        for m in list_metrics():
            if task not in m.tasks:
                continue
            benches = [b.id for b in list_benchmarks() if b.metric == m.id and task in b.tasks]
            out.append(Suggestion(task=task, metric=m.id, metric_name=m.name, benchmarks=benches,
                                  reason=f"{m.name} suits {task}: {m.measures}"))
    return out


def make_target(metric: str, dataset: str = "", threshold: float | None = None) -> EvalTarget:
    """A checked evaluation target: a known metric, a threshold inside its range, the direction from the metric."""
    m = get_metric(metric)
    dataset = (dataset or "").strip()
    if len(dataset) > 200:
        raise InvalidInput("Dataset name is longer than 200 characters.")
    if threshold is not None:
        try:
            threshold = float(threshold)
        except (TypeError, ValueError):
            raise InvalidInput(f"Threshold must be a number, got {threshold!r}.") from None
        if math.isnan(threshold):
            raise InvalidInput("Threshold must be a number, got NaN.")
        if m.min is not None and threshold < m.min:
            raise InvalidInput(f"{m.name} threshold {threshold:g} is below its minimum {m.min:g} {m.unit}.".rstrip())
        if m.max is not None and threshold > m.max:
            raise InvalidInput(f"{m.name} threshold {threshold:g} is above its maximum {m.max:g} {m.unit}.".rstrip())
    return EvalTarget(metric=m.id, dataset=dataset, threshold=threshold, higher_is_better=m.higher_is_better)


def target_met(target: EvalTarget, score: float) -> bool:
    """Whether a measured score meets the target (direction from the metric)."""
    if target.threshold is None:
        raise InvalidInput(f"Target for {target.metric} has no threshold to compare with.")
    return score >= target.threshold if target.higher_is_better else score <= target.threshold


class EvaluationSetup(Setup):
    """The project's tasks and the targets the team chose."""

    tasks: tuple[str, ...] = Field((), max_length=30)
    targets: tuple[tuple[str, str, float | None], ...] = Field((), max_length=50)  # (metric, dataset, threshold)


class EvaluationPlan(Result):
    metrics: list[Metric]  # suited to the tasks
    benchmarks: list[Benchmark]  # public benchmarks that report them
    targets: list[EvalTarget]  # checked: known metric, threshold in range, direction from the metric


@lru_cache(maxsize=64)
def evaluation_plan(setup: EvaluationSetup) -> EvaluationPlan:
    """The evaluation calculator: metrics and benchmarks for the tasks, and the targets checked."""
    tasks = list(setup.tasks)
    return EvaluationPlan(metrics=metrics_for_tasks(tasks), benchmarks=benchmarks_for_tasks(tasks),
                          targets=[make_target(m, d, th) for m, d, th in setup.targets])
