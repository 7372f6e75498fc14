"""Adapt & Align: the evaluation plan — metrics and benchmarks for the project's tasks, and saved targets."""

from __future__ import annotations

import math

import pandas as pd
import streamlit as st

from lifecycle.adapt.evaluation import (
    EvaluationSetup,
    evaluation_plan,
    get_metric,
    list_metrics,
    metrics_for_tasks,
    target_met,
)
from lifecycle.adapt.metrics import SCORABLE, score
from lifecycle.errors import LifecycleError
from lifecycle.models.tasks import task_ids
from lifecycle.records.project import Project
from ui import common


def _tasks(project: Project | None) -> list[str]:
    scoped = [t for t in (project.scope.tasks if project else []) if t in task_ids()]
    if scoped:
        st.caption(f"Tasks from the Scope stage: {', '.join(scoped)}.")
        return scoped
    return st.multiselect("Tasks to evaluate", task_ids(), default=["text-generation"], key="evaluation_plan_tasks",
                          help="Set the project's tasks on the Scope page to fill this in automatically.")


def _targets_frame(project: Project | None, metrics: list) -> pd.DataFrame:
    if project is not None and project.adapt.eval_targets:
        rows = [{"metric": t.metric, "dataset": t.dataset, "threshold": t.threshold} for t in project.adapt.eval_targets]
    else:
        rows = [{"metric": m.id, "dataset": "", "threshold": None} for m in metrics[:3]]
    return pd.DataFrame(rows, columns=["metric", "dataset", "threshold"]).astype({"threshold": "float64"})


def _targets_from_widget(project: Project | None, tasks: list[str]) -> tuple:
    """The targets table (editable); its rows become the setup's (metric, dataset, threshold) triples."""
    st.markdown("**Targets**")
    all_ids = [m.id for m in list_metrics()]
    edited = st.data_editor(
        _targets_frame(project, metrics_for_tasks(tasks)), num_rows="dynamic", hide_index=True, width="stretch",
        key="evaluation_plan_targets",
        column_config={
            "metric": st.column_config.SelectboxColumn("metric", options=all_ids, required=True),
            "dataset": st.column_config.TextColumn("dataset (your held-out set or a benchmark)", max_chars=200),
            "threshold": st.column_config.NumberColumn("threshold", help="In the metric's unit (% for most)."),
        },
    )
    return tuple((r["metric"], r.get("dataset") or "", _num(r.get("threshold")))
                 for r in edited.to_dict("records") if r.get("metric"))


def render(project: Project | None) -> None:
    st.caption("How will the team know the adapted model works? Pick metrics suited to the tasks, the public "
               "benchmarks that report them, and a target on your own held-out data.")
    tasks = _tasks(project)
    tables = st.container()  # drawn above the targets editor, filled once the plan is computed from it
    try:
        plan = evaluation_plan(EvaluationSetup(tasks=tuple(tasks), targets=_targets_from_widget(project, tasks)))
    except LifecycleError as exc:
        common.show_error(exc)
        return
    with tables:
        _tables(plan, tasks)
    _targets(project, plan.targets)


def _tables(plan, tasks: list[str]) -> None:
    metrics = plan.metrics
    st.markdown("**Metrics for these tasks**")
    st.dataframe(pd.DataFrame([{"metric": m.name, "id": m.id, "measures": m.measures,
                                "better": "higher" if m.higher_is_better else "lower", "unit": m.unit,
                                "tasks": ", ".join(t for t in m.tasks if t in tasks) or "all",
                                "source": m.source} for m in metrics]), hide_index=True, width="stretch")
    st.markdown("**Public benchmarks**")
    st.dataframe(pd.DataFrame([{"benchmark": b.name, "measures": b.measures, "metric": get_metric(b.metric).name,
                                "year": b.year, "source": b.source} for b in plan.benchmarks]),
                 hide_index=True, width="stretch")


def _targets(project: Project | None, targets: list) -> None:
    for t in targets:
        m = get_metric(t.metric)
        if t.threshold is not None:
            st.caption(f"{m.name} on {common.escape_md(t.dataset or 'your data')}: {'≥' if t.higher_is_better else '≤'} "
                       f"{t.threshold:g} {m.unit}".rstrip())
    _score_sample(targets)
    if project is None:
        st.info("Open a project to save the targets.")
        return
    if st.button("Save evaluation targets", type="primary", key="evaluation_plan_save",
                 disabled=common.read_only(project)):
        project.adapt.eval_targets = targets
        if common.save_project(project, "adapt", summary=f"Saved {len(targets)} evaluation targets"):
            st.rerun()


def _num(value) -> float | None:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    return value


def _score_sample(targets: list) -> None:
    scorable = [t for t in targets if t.metric in SCORABLE]
    with st.expander("Score a sample of outputs against a target"):
        if not scorable:
            st.caption(f"Add a target with one of: {', '.join(SCORABLE)}.")
            return
        labels = [f"{get_metric(t.metric).name} on {t.dataset or 'your data'}" for t in scorable]
        i = st.selectbox("Target", range(len(scorable)), format_func=lambda k: labels[k], key="evaluation_plan_score_target")
        target = scorable[i]
        left, right = st.columns(2)
        hint = "natural-log token probabilities, one per line" if target.metric == "perplexity" else "one per line"
        preds = left.text_area(f"Model outputs ({hint})", key="evaluation_plan_preds", height=150, max_chars=200_000)
        refs = right.text_area("References (one per line)", key="evaluation_plan_refs", height=150, max_chars=200_000,
                               disabled=target.metric == "perplexity")
        if not preds.strip():
            return
        try:
            value = score(target.metric, preds.strip().splitlines(), refs.strip().splitlines())
        except LifecycleError as exc:
            common.show_error(exc)
            return
        verdict = "" if target.threshold is None else (" — meets the target" if target_met(target, value)
                                                       else " — below the target")
        st.metric(get_metric(target.metric).name, f"{value:.2f}", help=get_metric(target.metric).source)
        st.caption(f"Computed as the reference implementations do (sacreBLEU, rouge-score, SQuAD script){verdict}.")
