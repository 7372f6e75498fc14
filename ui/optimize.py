"""Integrate: optimisation and augmentation checklists, saved with the project."""

from __future__ import annotations

import streamlit as st

from lifecycle.adapt.optimize import check_choices, checklist_items
from lifecycle.records.project import Project
from ui import common


def _checklist(section: str, title: str, chosen: list[str]) -> list[str]:
    st.markdown(f"**{title}**")
    picked = []
    for item in checklist_items()[section]:
        if st.checkbox(item["name"], value=item["id"] in chosen, key=f"optimize_augment_{item['id']}",
                       help=item["what"]):
            picked.append(item["id"])
        st.caption(f"When it helps: {item['when']} Trade-off: {item['tradeoff']} ({item['source']})")
    return picked


def render(project: Project | None) -> None:
    st.caption("Tick what the deployment will use; each item says when it helps and what it costs.")
    optimize = _checklist("optimize", "Optimize the model", project.integrate.optimize if project else [])
    augment = _checklist("augment", "Augment the application", project.integrate.augment if project else [])
    if project is None:
        st.info("Open a project to save the checklists.")
        return
    if st.button("Save checklists", type="primary", key="optimize_augment_save",
                 disabled=common.read_only(project)):
        project.integrate.optimize = check_choices("optimize", optimize)
        project.integrate.augment = check_choices("augment", augment)
        if common.save_project(project, "integrate", summary="Saved optimize/augment checklists"):
            st.rerun()
