"""View: put 2–4 saved scenarios side by side — inputs and results with differing rows marked,
their charts overlaid, and the numeric results that differ as bars. Used on the Report page and
on the stage pages (``("Compare scenarios", scenario_compare)`` in a page's VIEWS)."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from lifecycle.errors import LifecycleError
from lifecycle.records.project import STAGE_TITLES, Project
from lifecycle.reports import compare
from ui import common

K = "scenario_compare_"
CHOSEN_KEY = K + "ids"  # the Report page reads this to add the comparison to the report


def _label(stage_key: str, scenario) -> str:
    return f"{scenario.name} · {scenario.kind} · {STAGE_TITLES[stage_key]} ({scenario.created_at:%Y-%m-%d %H:%M})"


def render(project: Project | None) -> None:
    if project is None:
        st.info("Open a project to compare its saved scenarios.")
        return
    pairs = compare.all_scenarios(project)
    if len(pairs) < compare.MIN_SCENARIOS:
        st.info(f"This project has {len(pairs)} saved scenario(s); save at least two (“Save as scenario” on the "
                "calculators) to compare them.")
        return
    labels = {s.id: _label(stage, s) for stage, s in pairs}
    chosen = st.multiselect(
        "Scenarios to compare (2–4)", list(labels), format_func=labels.get, max_selections=compare.MAX_SCENARIOS,
        key=CHOSEN_KEY, placeholder="Choose two to four saved scenarios",
    )
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
