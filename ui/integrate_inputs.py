"""Widgets shared by the Adapt & Align and Integrate views: the model and GPU pickers."""

from __future__ import annotations

import streamlit as st

from lifecycle.errors import LifecycleError
from lifecycle.models.catalog import CatalogModel, list_models
from lifecycle.models.gpus import GPU, list_gpus
from lifecycle.models.hub import hub_model
from lifecycle.records.custom_models import all_models, hub_preview_model
from lifecycle.records.project import Project
from lifecycle.records.project_facts import project_facts
from ui import common

DEFAULT_MODEL = "llama-2-7b"


def models() -> dict[str, CatalogModel]:
    try:
        rows = all_models(common.get_store())
    except LifecycleError:
        rows = list_models()
    return {m.id: m for m in rows}


def pick_model(project: Project | None, key: str, *, families: tuple[str, ...] | None = None) -> CatalogModel:
    """The project's selected model by default (Select stage), else LLaMA-2-7B."""
    by_id = {i: m for i, m in models().items() if families is None or m.family in families}
    ids = list(by_id)
    chosen = project.select.model_id if project is not None and project.select.model_id in by_id else DEFAULT_MODEL
    model_id = st.selectbox("Model", ids, index=ids.index(chosen) if chosen in ids else 0, key=key,
                            format_func=lambda i: f"{by_id[i].name} ({by_id[i].params / 1e9:.2f} B parameters)")
    hub = st.text_input("…or a Hugging Face model id (ORG/NAME or ORG/NAME@REVISION)", key=key + "_hub",
                        max_chars=250, placeholder="Qwen/Qwen3-30B-A3B")
    if hub.strip():
        try:
            model = hub_catalog_model(hub.strip())
        except LifecycleError as exc:
            common.show_error(exc)
        else:
            if families is None or model.family in families:
                st.caption(f"Sizing {common.escape_md(model.name)}: {model.params:,} parameters from its config.json.")
                return model
            st.warning(f"{common.escape_md(model.name)} is a {model.family} model; this calculator takes {', '.join(families)}.")
    return by_id[model_id]


@st.cache_data(show_spinner="Reading config.json from the Hugging Face Hub…", ttl=600, max_entries=64)
def hub_catalog_model(ref: str) -> CatalogModel:
    """A Hub model as a catalog row (not saved: **Add a model** stores it for the team)."""
    return hub_preview_model(hub_model(ref))


def pick_gpu(project: Project | None, key: str, label: str = "GPU", *, serving: bool = False) -> GPU:
    """The team's GPU (Scope facts) by default; for serving, the GPU the Integrate stage chose, if any."""
    gpus = {g.id: g for g in list_gpus()}
    ids = list(gpus)
    chosen = project_facts(project).gpu
    if serving and project is not None and project.integrate.gpu_id in gpus:
        chosen = project.integrate.gpu_id
    gpu_id = st.selectbox(label, ids, index=ids.index(chosen), key=key,
                          format_func=lambda i: f"{gpus[i].name} ({gpus[i].memory_bytes / 1e9:.0f} GB)")
    return gpus[gpu_id]
