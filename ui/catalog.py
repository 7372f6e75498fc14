"""Select: filter, sort and compare catalog models, read a model card, choose one for the project."""

from __future__ import annotations

import re

import pandas as pd
import streamlit as st

from lifecycle.errors import LifecycleError
from lifecycle.models.cards import model_card
from lifecycle.models.catalog import list_models
from lifecycle.models.search import (
    COMPARE_MAX,
    SORT_KEYS,
    catalog_row,
    compare_models,
    licence_ids,
    search_models,
    suitability_warnings,
)
from lifecycle.models.tasks import FAMILIES, get_task
from lifecycle.records.custom_models import all_models
from lifecycle.records.project import Project
from lifecycle.records.project_facts import project_facts
from ui import common
from ui.common import reset_on_project_change

SIZE_STEPS_B = [0.05, 0.1, 0.25, 0.5, 1, 2, 4, 8, 16, 32, 64, 128, 256]
CONTEXT_STEPS = [0, 512, 1024, 2048, 4096, 8192, 32768, 131072]

# A link is drawn only for a plain https URL (no spaces, brackets or parentheses that Markdown would read).
SAFE_LINK = re.compile(r"https://[A-Za-z0-9.-]+(/[A-Za-z0-9._~/@-]*)?")


def _models():
    try:
        return all_models(common.get_store())
    except LifecycleError:
        return list_models()


def render(project: Project | None) -> None:
    reset_on_project_change("model_catalog_", project)
    models = _models()
    scope_tasks = project.scope.tasks if project is not None else []
    with st.expander("Filters and sorting", expanded=True):
        left, right = st.columns(2)
        fams = left.multiselect("Family", FAMILIES, key="model_catalog_family")
        lo, hi = left.select_slider("Size (billions of parameters)", SIZE_STEPS_B, value=(SIZE_STEPS_B[0], SIZE_STEPS_B[-1]),
                                    key="model_catalog_size")
        licences = right.multiselect("Licence", licence_ids(models), key="model_catalog_licence")
        min_ctx = right.select_slider("Minimum context (tokens)", CONTEXT_STEPS, value=0, key="model_catalog_context")
        suits = left.checkbox("Suits my task" + (f" ({', '.join(get_task(t).name for t in scope_tasks)})"
                                                 if scope_tasks else " (save tasks on the Scope page)"),
                              value=False, disabled=not scope_tasks, key="model_catalog_suits")
        lengths = None
        if project is not None and project.scope.input_tokens:
            lengths = (project.scope.input_tokens, project.scope.output_tokens or 0)
        fits = left.checkbox("Takes my lengths" + (f" ({lengths[0]:,} in + {lengths[1]:,} out tokens)" if lengths
                                                   else " (save input/output tokens on the Scope page)"),
                             value=bool(lengths), disabled=not lengths, key="model_catalog_lengths")
        sort_by = right.selectbox("Sort by", list(SORT_KEYS), format_func=SORT_KEYS.get, key="model_catalog_sort")
        descending = right.checkbox("Descending", key="model_catalog_desc")
    found = search_models(models, families=fams or None,
                          min_params=None if lo == SIZE_STEPS_B[0] else lo * 1e9,
                          max_params=None if hi == SIZE_STEPS_B[-1] else hi * 1e9,
                          licences=licences or None, min_context=min_ctx or None,
                          tasks=scope_tasks if suits and scope_tasks else None,
                          lengths=lengths if fits and lengths else None, sort_by=sort_by, descending=descending)
    st.caption(f"{len(found)} of {len(models)} models")
    if not found:
        st.info("No model matches these filters.")
        return
    st.dataframe(pd.DataFrame([catalog_row(m) for m in found]).drop(columns=["params_b"]), hide_index=True,
                 width="stretch", column_config={"params": st.column_config.NumberColumn("params", format="localized")})

    ids = [m.id for m in found]
    by_id = {m.id: m for m in models}
    compare = st.multiselect(f"Compare side by side (2–{COMPARE_MAX})", ids, max_selections=COMPARE_MAX,
                             key="model_catalog_compare")
    if len(compare) >= 2:
        rows = compare_models(compare, models)
        st.dataframe(pd.DataFrame(rows).astype(str), hide_index=True, width="stretch")
    elif compare:
        st.caption("Pick one more model to compare.")

    current = project.select.model_id if project is not None else None
    pick = st.selectbox("Model card", ids, index=ids.index(current) if current in ids else 0,
                        format_func=lambda i: f"{by_id[i].name} ({i})", key="model_catalog_card")
    model = by_id[pick]
    facts = project_facts(project)
    for warning in suitability_warnings(model, languages=facts.languages, commercial=facts.commercial):
        st.warning(common.escape_md(warning))
    card = model_card(model)
    with st.container(border=True):
        st.markdown(f"#### Model Card for {common.escape_md(card.title)}")
        for sec in card.sections:
            with st.expander(sec.title, expanded=sec.title in ("Model Details", "Uses")):
                for label, value in sec.fields:
                    shown = f"[{value}]({value})" if SAFE_LINK.fullmatch(value) else common.escape_md(value)
                    st.markdown(f"**{label}:** {shown}")
        st.download_button("Download card (Markdown)", card.to_markdown(), file_name=f"{model.id}-model-card.md",
                           mime="text/markdown", on_click="ignore", key="model_catalog_download")
        st.caption(f"{card.unknown_fields} fields are unknown in our data rather than guessed.")
    if project is None:
        st.info("Open a project to choose a model for it.")
        return
    if current:
        st.caption(f"Chosen for this project: `{current}`" + (" (pre-train my own)" if project.select.pretrain_own else ""))
    if st.button(f"Choose {common.plain_label(model.name)} for this project", type="primary", key="model_catalog_choose",
                 disabled=common.read_only(project)):
        project.select.model_id = model.id
        project.select.pretrain_own = False
        project.select.rationale = project.select.rationale or (
            f"{model.name}: {model.family}, {model.params / 1e9:.2f}B parameters, context {model.max_context:,}.")
        if common.save_project(project, "select", summary=f"Chose {model.id}"):
            st.success(f"Chosen: {common.escape_md(model.name)}. Check the prompt budget on the Scope page or plan adaptation next.")
