"""The "Decisions" view every stage page has: the stage's plan (what it chose, and the plan's consistency
findings), its decision record and its saved scenarios, each one "Use as plan" away."""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st

from lifecycle.records.plan import KIND_WORDS, forget_scenario, is_chosen
from lifecycle.records.project import STAGE_TITLES, Project
from ui import common, plan_choice

FIELDS = (
    ("summary", "Decision", "What did the team decide at this stage?"),
    ("rationale", "Why", "The reasons, and the alternatives that were considered."),
    ("risks", "Risks and open questions", "What could make this decision wrong?"),
)


def for_stage(stage_key: str) -> Callable[[Project | None], None]:
    def render(project: Project | None) -> None:
        _render(stage_key, project)

    return render


def _render(stage_key: str, project: Project | None) -> None:
    title = STAGE_TITLES[stage_key]
    if project is None:
        st.info(f"Open a project to record the {title} decisions.")
        return
    stage = project.stage(stage_key)
    plan_choice.stage_plan(project, stage_key)
    with st.form(f"decisions_{stage_key}"):
        values = {
            key: st.text_area(label, value=str(stage.decisions.get(key, "")), help=hint, key=f"decision_{stage_key}_{key}")
            for key, label, hint in FIELDS
        }
        notes = st.text_area("Notes", value=stage.notes, key=f"decision_{stage_key}_notes", height=120)
        submitted = st.form_submit_button(f"Save {title} decisions", type="primary",
                                              disabled=common.read_only(project))
    if submitted:
        stage.decisions.update({k: v.strip() for k, v in values.items()})
        stage.notes = notes
        if common.save_project(project, stage_key, summary=f"Saved {title} decisions"):
            st.rerun()
    if stage.saved_at:
        st.caption(f"Last saved {stage.saved_at:%Y-%m-%d %H:%M} UTC.")
    _scenarios(project, stage_key)


def _scenarios(project: Project, stage_key: str) -> None:
    scenarios = project.stage(stage_key).scenarios
    st.subheader(f"Saved scenarios ({len(scenarios)})")
    if not scenarios:
        st.caption("Calculators on this page save their inputs and results here with “Save as scenario”.")
        return
    st.dataframe(
        [{"name": s.name, "calculator": KIND_WORDS.get(s.kind, s.kind), "saved": f"{s.created_at:%Y-%m-%d %H:%M}",
          "by": s.author or "—", "plan": "✓ chosen" if is_chosen(project, s) else ""} for s in scenarios],
        hide_index=True, width="stretch",
    )
    plan_choice.picker(project, scenarios, f"plan_{stage_key}_")
    names = {f"{s.name} ({s.kind}, {s.id})": s.id for s in scenarios}
    choice = st.selectbox("Delete a scenario", list(names), index=None, key=f"scenario_delete_{stage_key}",
                          placeholder="Choose a scenario to delete")
    if choice and st.button("Delete scenario", key=f"scenario_delete_btn_{stage_key}",
                                disabled=common.read_only(project)):
        project = forget_scenario(project, names[choice])  # the plan no longer points at it
        project.stage(stage_key).scenarios = [s for s in scenarios if s.id != names[choice]]
        if common.save_project(project, stage_key, summary=f"Deleted scenario {choice}"):
            st.rerun()
