"""Scope: which architecture family for the tasks, why, the alternatives, and many-tasks-or-one."""

from __future__ import annotations

import streamlit as st

from lifecycle.charts.architecture import family_diagram
from lifecycle.choices import WeightFormat, options
from lifecycle.errors import LifecycleError
from lifecycle.models.advice import ArchitectureSetup, architecture_advice
from lifecycle.models.catalog import get_model
from lifecycle.models.search import suitability_warnings
from lifecycle.models.tasks import FAMILY_ALTERNATIVE_KEY as ALTERNATIVE_KEY
from lifecycle.models.tasks import get_task, list_tasks
from lifecycle.records.project import Project
from lifecycle.records.project_facts import project_facts
from lifecycle.records.scenarios import make_scenario
from ui import common
from ui.common import reset_on_project_change


@st.cache_data(show_spinner=False)
def _diagram(family: str):
    return family_diagram(family)


def render(project: Project | None) -> None:
    reset_on_project_change("architecture_advice_", project)
    scope = project.scope if project is not None else None
    all_tags = [t.id for t in list_tasks()]
    saved = [t for t in (scope.tasks if scope else []) if t in all_tags]
    if project is not None and not saved:
        st.info("No tasks saved yet: fill in the **Use case** view first, or pick tasks here to explore.")
    tasks = st.multiselect("Tasks", all_tags, default=saved or ["text-classification"],
                           format_func=lambda t: f"{get_task(t).name} ({t})", key="architecture_advice_tasks")
    if not tasks:
        st.warning("Pick at least one task.")
        return
    facts = project_facts(project)
    try:
        setup = ArchitectureSetup(tasks=tuple(tasks), gpu=facts.gpu if "gpu" in facts.from_project else None,
                                  precision=facts.weight_format if facts.weight_format in options(WeightFormat)
                                  else "bf16", data_available=scope.data_available if scope else None,
                                  latency_ms_p95=scope.latency_ms_p95 if scope else None,
                                  input_tokens=scope.input_tokens if scope else None,
                                  output_tokens=scope.output_tokens if scope else None)
        advice_result = architecture_advice(setup)
    except LifecycleError as exc:
        common.show_error(exc)
        return
    rec, advice = advice_result.recommendation, advice_result.scale
    st.markdown(f"### Recommended: **{rec.family_name}** (`{rec.family}`)")
    st.write(rec.rationale)
    common.plotly_chart(_diagram(rec.family), width="stretch", key="architecture_advice_diagram")
    for a in rec.per_task:
        st.markdown(f"- **{a.name}** (`{a.task}`) → classic family **{a.family}**: {'; '.join(a.reasons)}")
    if rec.multi_task_cost:
        st.markdown("**One family for all tasks: what it costs**")
        st.write(rec.multi_task_cost)
    st.markdown("**Honest alternatives**")
    for alt in rec.alternatives:
        st.markdown(f"- **{alt.family}** — {common.escape_md(alt.when)}")
    if rec.context_note:
        st.warning(rec.context_note)
    if rec.example_models:
        st.markdown("**Example models in the catalog:** " + ", ".join(f"`{m}`" for m in rec.example_models))
        for m in rec.example_models:
            for warning in suitability_warnings(get_model(m), languages=facts.languages, commercial=facts.commercial):
                st.warning(common.escape_md(warning))

    st.markdown("### Good at many tasks or one?")
    st.markdown(f"**{advice.headline}**")
    for reason in advice.reasons:
        st.markdown(f"- {reason}")
    st.caption("Start from: " + ", ".join(f"`{m}`" for m in advice.example_models))
    with st.expander("Sources"):
        for src in [*rec.sources, *advice.sources]:
            st.markdown(f"- {common.escape_md(src)}")

    if project is None:
        st.info("Open a project to accept this recommendation.")
        return
    if scope.family == rec.family and sorted(scope.tasks) == sorted(rec.tasks):
        st.success(f"Accepted for this project: {rec.family_name}.")
    if st.button(f"Accept {rec.family_name} for this project", type="primary", key="architecture_advice_accept",
                 disabled=common.read_only(project)):
        project.scope.tasks = rec.tasks
        project.scope.family = rec.family
        project.scope.scenarios.append(make_scenario(
            setup, result=advice_result, name=f"Architecture for {', '.join(rec.tasks)}", author=common.author()))
        project.scope.decisions.pop(ALTERNATIVE_KEY, None)
        if common.save_project(project, "scope", summary=f"Accepted family {rec.family}"):
            st.success(f"Saved: {rec.family_name}. Next: pick a model on the **Select** page.")
    _accept_alternative(project, rec)




def _accept_alternative(project: Project, rec) -> None:
    """A team may take a family the advice lists as an alternative; the report records which and why."""
    options = {a.family: a.when for a in rec.alternatives if a.family != rec.family}
    if not options:
        return
    c1, c2 = st.columns([2, 1])
    alt = c1.selectbox("Or take an alternative the advice lists", list(options), key="architecture_advice_alt",
                       format_func=lambda f: f"{f} — {options[f]}")
    if c2.button("Accept this alternative", key="architecture_advice_accept_alt",
                  disabled=common.read_only(project)):
        project.scope.tasks = rec.tasks
        project.scope.family = alt
        project.scope.decisions[ALTERNATIVE_KEY] = {"family": alt, "recommended": rec.family, "when": options[alt]}
        if common.save_project(project, "scope", summary=f"Accepted alternative family {alt}"):
            st.success(f"Saved: {alt}, instead of the recommended {rec.family}; the report records why.")
