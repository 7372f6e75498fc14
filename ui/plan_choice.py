""""Use as plan": make a saved scenario what its stage's decision points at (``lifecycle.records.plan``), and
show a stage's plan with the plan's consistency findings. Used by the decisions pages, the calculators'
lists of saved scenarios and Compare. Saving goes through the Store (editor role) like every other save."""

from __future__ import annotations

import streamlit as st

from lifecycle.errors import LifecycleError
from lifecycle.records.plan import (
    KIND_WORDS,
    choose_scenario,
    find_scenario,
    is_chosen,
    plan_stage_of,
    stage_choice,
)
from lifecycle.records.plan_check import plan_consistency
from lifecycle.records.project import STAGE_TITLES, Project
from lifecycle.records.scenarios import Scenario
from lifecycle.reports.summary import model_phrase, serving_phrase, training_phrase, unchosen_note
from ui import common

SHOW = {"error": st.error, "warning": st.warning, "note": st.info}


def use_as_plan(project: Project, scenario_id: str) -> bool:
    """Choose the scenario and save; True when saved (the caller reruns)."""
    try:
        _, scenario = find_scenario(project, scenario_id)
        chosen = choose_scenario(project, scenario.id)
    except LifecycleError as exc:
        common.show_error(exc)
        return False
    stage = plan_stage_of(scenario)
    return common.save_project(chosen, stage, summary=f"Chose “{scenario.name[:80]}” as the plan") is not None


def picker(project: Project, scenarios: list[Scenario], key: str) -> None:
    """A "Use as plan" action over ``scenarios`` (those that can be part of a plan), the chosen one marked."""
    pool = [s for s in scenarios if plan_stage_of(s) is not None]
    if not pool:
        return
    labels = {s.id: f"{s.name} · {KIND_WORDS.get(s.kind, s.kind)}" + (" · ✓ the plan" if is_chosen(project, s) else "")
              for s in pool}
    left, right = st.columns([3, 1], vertical_alignment="bottom")
    pick = left.selectbox("Use a saved scenario as the plan", list(labels), format_func=labels.get, key=key + "pick",
                          help="The stage follows from the kind: training → Adapt & Align, serving → Integrate, "
                               "generation settings → Integrate, architecture advice → Scope.")
    chosen = next((s for s in pool if s.id == pick), None)
    clicked = right.button("Use as plan", key=key + "use", type="primary",
                           disabled=common.read_only(project) or chosen is None or is_chosen(project, chosen))
    if clicked and use_as_plan(project, pick):
        st.rerun()


def _chosen_line(project: Project, stage_key: str) -> str:
    choice = stage_choice(project, stage_key)
    if stage_key == "scope":
        return f"Architecture family: **{common.escape_md(choice.value)}**" if choice.chosen else ""
    if stage_key == "select":
        return f"Model: **{common.escape_md(model_phrase(project))}**" if choice.chosen else ""
    if choice.scenario is None:
        return ""
    _, scenario = find_scenario(project, choice.scenario.id)
    phrase = training_phrase(scenario) if stage_key == "adapt" else serving_phrase(scenario, project.scope.latency_ms_p95)
    return f"**{common.escape_md(phrase)}**"


def stage_plan(project: Project, stage_key: str) -> None:
    """The plan of one stage (or that nothing is chosen, with the candidates) and the findings about it."""
    st.subheader("The plan")
    line = _chosen_line(project, stage_key)
    if line:
        st.markdown(line)
    elif stage_key in ("adapt", "integrate"):
        st.info(common.escape_md(unchosen_note(project, stage_key, "training" if stage_key == "adapt" else "serving")))
    else:
        st.info(f"Nothing is chosen for {STAGE_TITLES[stage_key]} yet.")
    if stage_key == "integrate" and project.integrate.generation is not None:
        st.markdown(f"Generation settings: **{common.escape_md(project.integrate.generation.phrase())}**")
    check = plan_consistency(project)
    with st.container(key=f"plan_findings_{stage_key}"):
        for finding in (f for f in check.for_stage(stage_key) if f.check != "plan"):  # "nothing chosen" is said above
            SHOW[finding.severity](common.escape_md(finding.message))
    others = [f for f in check.findings if f.stage != stage_key and f.severity != "note"]
    if others:
        with st.expander(f"The rest of the plan: {len(others)} finding(s) at other stages"):
            for finding in others:
                SHOW[finding.severity](common.escape_md(finding.line()))
