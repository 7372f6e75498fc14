"""The project's facts as the calculators' defaults, and a visible note of where a scenario departs from them."""

from __future__ import annotations

from typing import Any

import streamlit as st

from lifecycle.choices import title
from lifecycle.display import format_count, format_money, format_number
from lifecycle.models.gpus import get_gpu
from lifecycle.records.project import Project
from lifecycle.records.project_facts import ProjectFacts, project_facts
from ui.common import reset_on_project_change

LABELS = {"gpu": "GPU", "gpus": "GPUs", "input_tokens": "input tokens", "output_tokens": "output tokens",
          "seq_len": "sequence length", "training_tokens": "training tokens", "epochs": "epochs",
          "precision": "precision", "budget_usd": "budget", "model_id": "model",
          "training_examples": "training examples"}


def facts_for(project: Project | None, widget_prefix: str) -> ProjectFacts:
    """The facts, and a fresh start for this page's widgets when another project is opened: widgets keep
    their values by key, and the new project's facts must become the defaults."""
    reset_on_project_change(widget_prefix, project)
    return project_facts(project)


def _shown(field: str, value: Any) -> str:
    if value is None:
        return "—"
    if field == "gpu":
        return get_gpu(value).name
    if field == "precision":
        return title(value)
    if field == "budget_usd":
        return format_money(value)
    if isinstance(value, float) and not value.is_integer():
        return f"{value:g}"
    if isinstance(value, int) and abs(value) < 1e6:
        return f"{value:,}"  # token counts and GPU counts, exactly
    return format_count(value) if abs(value) >= 1e6 else format_number(value)


def note(facts: ProjectFacts, used: dict[str, Any], project: Project | None) -> None:
    """One caption: the values taken from the project, and those this scenario changes (project value beside)."""
    if project is None:
        st.caption("No project open: the calculator starts from general defaults.")
        return
    stated = set(facts.from_project) | ({"seq_len"} if {"input_tokens", "output_tokens"} & set(facts.from_project)
                                        else set())
    same, changed = [], []
    for field, value in used.items():
        if field not in stated:
            continue
        fact = getattr(facts, field)
        same_value = value == fact or (isinstance(value, float | int) and isinstance(fact, float | int)
                                       and abs(float(value) - float(fact)) <= 1e-9 * max(1.0, abs(float(fact))))
        (same if same_value else changed).append(
            f"{LABELS.get(field, field)} {_shown(field, value)}" if same_value
            else f"{LABELS.get(field, field)} {_shown(field, value)} (project: {_shown(field, fact)})")
    if not same and not changed:
        st.caption("The project states none of these inputs yet (Scope → Use case → Team facts); general defaults.")
        return
    parts = []
    if same:
        parts.append("From the project: " + ", ".join(same) + ".")
    if changed:
        parts.append(":orange[Changed for this scenario: " + ", ".join(changed) + ".]")
    st.caption(" ".join(parts))
