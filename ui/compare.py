"""View: put 2–4 saved scenarios side by side — inputs and results with differing rows marked,
their charts overlaid, and the numeric results that differ as bars — each one "Use as plan" away. Used on the
Compare page and on the Report page. The selection starts from the scenarios the plan chose, and is kept per
project outside the widget (``SELECTION_KEY``) so it carries from the Compare page to the Report page."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from lifecycle.errors import LifecycleError
from lifecycle.records.plan import KIND_WORDS, chosen_scenario, is_chosen, plan_stage_of
from lifecycle.records.project import STAGE_TITLES, Project
from lifecycle.reports import compare
from ui import common, plan_choice

K = "scenario_compare_"
CHOSEN_KEY = K + "ids"  # the widget's key
SELECTION_KEY = K + "selection"  # {project id: [scenario ids]}: outlives the widget when the page changes


def default_selection(project: Project) -> list[str]:
    """The plan's scenarios (training, serving), else nothing: Compare opens on what the team chose."""
    return [s.id for s in (chosen_scenario(project, "adapt"), chosen_scenario(project, "integrate")) if s is not None]


def selection(project: Project) -> list[str]:
    """The scenarios chosen for comparison in this session (on either page), still in the project."""
    ids = {s.id for _, s in compare.all_scenarios(project)}
    if CHOSEN_KEY in st.session_state:
        picked = st.session_state[CHOSEN_KEY] or []
    else:
        picked = st.session_state.get(SELECTION_KEY, {}).get(project.id, default_selection(project))
    return [i for i in picked if i in ids][: compare.MAX_SCENARIOS]


def _label(project: Project, stage_key: str, scenario) -> str:
    mark = " · ✓ the plan" if is_chosen(project, scenario) else ""
    return (f"{scenario.name} · {KIND_WORDS.get(scenario.kind, scenario.kind)} · {STAGE_TITLES[stage_key]} "
            f"({scenario.created_at:%Y-%m-%d %H:%M}){mark}")


def render(project: Project | None) -> None:
    if project is None:
        st.info("Open a project to compare its saved scenarios.")
        return
    pairs = compare.all_scenarios(project)
    if len(pairs) < compare.MIN_SCENARIOS:
        st.info(f"This project has {len(pairs)} saved scenario(s); save at least two (“Save as scenario” on the "
                "calculators) to compare them.")
        return
    labels = {s.id: _label(project, stage, s) for stage, s in pairs}
    st.session_state[CHOSEN_KEY] = selection(project)  # the widget starts from the kept selection
    chosen = st.multiselect(
        "Scenarios to compare (2–4)", list(labels), format_func=labels.get, max_selections=compare.MAX_SCENARIOS,
        key=CHOSEN_KEY, placeholder="Choose two to four saved scenarios",
        help="Opens on the scenarios chosen as the plan; the Report page compares the ones picked here.",
    )
    st.session_state.setdefault(SELECTION_KEY, {})[project.id] = list(chosen)
    if chosen:
        plan_choice.picker(project, [s for _, s in pairs if s.id in chosen and plan_stage_of(s)], K + "plan_")
    if len(chosen) < compare.MIN_SCENARIOS:
        st.caption("Pick at least two scenarios.")
        return
    try:
        scenarios = compare.pick(project, chosen)
        table = compare.comparison_table(scenarios)
        overlay = compare.overlay_figure(scenarios)
        numbers = compare.results_figure(scenarios)
    except LifecycleError as exc:
        common.show_error(exc)
        return
    only_diff = st.toggle("Show only rows that differ", value=False, key=K + "only_diff")
    rows = [(row, diff) for row, diff in zip(table.rows, table.highlight) if diff or not only_diff]
    frame = pd.DataFrame([row for row, _ in rows], columns=["row", *table.header[1:]])
    marks = [diff for _, diff in rows]
    styled = frame.style.apply(lambda r: ["background-color: #FFF3C4" if marks[r.name] else "" for _ in r], axis=1)
    st.dataframe(styled, hide_index=True, width="stretch", key=K + "table")
    st.caption(f"{sum(table.highlight)} of {len(table.rows)} rows differ (highlighted).")
    if overlay is not None:
        common.plotly_chart(overlay, width="stretch", key=K + "overlay")
    elif len({s.kind for s in scenarios}) > 1:
        st.caption("These scenarios come from different calculators, so their charts are not overlaid.")
    if numbers is not None:
        common.plotly_chart(numbers, width="stretch", key=K + "numbers")
