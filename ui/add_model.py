"""Select: add a model to the team catalog from a config.json (upload or paste) or typed numbers."""

from __future__ import annotations

import re

import streamlit as st

from lifecycle.errors import LifecycleError
from lifecycle.limits import MAX_CONFIG_BYTES
from lifecycle.models.architecture import ModelShape, active_parameter_count, parameter_count
from lifecycle.models.hub import count_note, hub_model
from lifecycle.models.tasks import FAMILIES
from lifecycle.records.custom_models import (
    add_custom_model,
    config_from_numbers,
    delete_custom_model,
    list_custom_models,
    preview_custom_model,
)
from lifecycle.records.project import Project
from ui import common

SOURCES = ["Hugging Face model id", "Upload config.json", "Paste config.json", "Type the numbers"]


@st.cache_data(show_spinner="Reading config.json from the Hugging Face Hub…", ttl=600, max_entries=64)
def _fetch(ref: str):
    return hub_model(ref)


def _hub_config() -> tuple[dict | None, str, str]:
    """(config with its repo id and commit, suggested id, suggested name) for a Hub id, or (None, "", "")."""
    ref = st.text_input("Hugging Face model id (ORG/NAME or ORG/NAME@REVISION)", key="add_model_hub_id",
                        placeholder="mistralai/Mixtral-8x7B-v0.1", max_chars=250)
    st.caption("Read with huggingface_hub (HF_TOKEN for gated models; HF_HUB_OFFLINE=1 uses the local cache). "
               "The config is stored with its commit, so a plan stays reproducible when the repository changes.")
    if not ref.strip():
        return None, "", ""
    model = _fetch(ref.strip())
    shape = ModelShape.from_config(model.config)
    st.info(count_note(model, parameter_count(shape)) + (f" Cached copy from {model.cached_from}."
                                                        if model.cached_from else ""))
    at = model.sha[:7] if model.sha else model.cached_from or model.revision
    slug = re.sub(r"[^a-z0-9-]+", "-", model.repo_id.split("/")[-1].lower()).strip("-")[:60] or "hub-model"
    config = {**model.config, "_hub": {"repo_id": model.repo_id, "revision": model.revision, "sha": model.sha,
                                       "hub_params": model.hub_params}}
    return config, slug, f"{model.repo_id}@{at}"


def _typed_config() -> dict:
    left, mid, right = st.columns(3)
    family = left.selectbox("Family", FAMILIES, index=1, key="add_model_family")
    layers = mid.number_input("Layers" + (" (per stack)" if family == "encoder-decoder" else ""), 1, 1000, 32,
                              key="add_model_layers")
    hidden = right.number_input("Hidden size", 1, 100_000, 4096, key="add_model_hidden")
    heads = left.number_input("Attention heads", 1, 1000, 32, key="add_model_heads")
    kv_heads = mid.number_input("KV heads (decoders)", 1, 1000, 32, key="add_model_kv_heads",
                                disabled=family != "decoder")
    ffn = right.number_input("FFN size", 1, 1_000_000, 11008, key="add_model_ffn")
    vocab = left.number_input("Vocabulary", 1, 10_000_000, 32000, key="add_model_vocab")
    context = mid.number_input("Context length", 1, 10_000_000, 4096, key="add_model_context")
    return config_from_numbers(family=family, layers=int(layers), hidden=int(hidden), heads=int(heads),
                               kv_heads=int(kv_heads) if family == "decoder" else None, ffn=int(ffn),
                               vocab=int(vocab), max_context=int(context))


def render(project: Project | None) -> None:
    st.subheader("Add a model to the team catalog")
    st.caption(f"A Hugging Face config.json (at most {MAX_CONFIG_BYTES:,} bytes): its family is detected and its "
               "parameters counted from the architecture. Nothing is saved unless it is valid.")
    source = st.radio("Source", SOURCES, horizontal=True, key="add_model_source")
    raw: bytes | str | dict | None = None
    suggested_id = suggested_name = ""
    if source == SOURCES[0]:
        try:
            raw, suggested_id, suggested_name = _hub_config()
        except LifecycleError as exc:
            common.show_error(exc)
    left, right = st.columns(2)
    model_id = left.text_input("Model id (lower case, unique)", key="add_model_id", placeholder="our-7b-base") or suggested_id
    name = right.text_input("Display name", key="add_model_name") or suggested_name
    try:
        if source == SOURCES[1]:
            upload = st.file_uploader("config.json", type=["json"], key="add_model_upload")
            raw = upload.getvalue() if upload is not None else None
        elif source == SOURCES[2]:
            raw = st.text_area("config.json contents", height=200, key="add_model_paste") or None
        elif source == SOURCES[3]:
            raw = _typed_config()
    except LifecycleError as exc:
        common.show_error(exc)
        raw = None
    if raw is not None and model_id.strip():
        try:
            preview = preview_custom_model(raw, model_id=model_id, name=name)
        except LifecycleError as exc:
            common.show_error(exc)
        else:
            a, b, c, d = st.columns(4)
            a.metric("Family", preview.family)
            b.metric("Parameters", f"{preview.params / 1e9:.3f}B")
            d.metric("Active per token", f"{active_parameter_count(preview.shape) / 1e9:.3f}B",
                     help="A mixture of experts runs only its top-k experts per token (all of them are in memory).")
            c.metric("Context", f"{preview.shape.max_context:,}")
            st.caption(f"{preview.params:,} parameters, counted from the architecture.")
            if st.button("Add to the team catalog", type="primary", key="add_model_add"):
                try:
                    added = add_custom_model(common.get_store(), raw, model_id=model_id, name=name,
                                             author=common.author())
                except LifecycleError as exc:
                    common.show_error(exc)
                else:
                    st.success(f"Added {added.model_id}: it now appears in the catalog.")
    elif raw is not None:
        st.caption("Give the model an id to check and add it.")

    st.markdown("#### Team models")
    try:
        team = list_custom_models(common.get_store())
    except LifecycleError as exc:
        common.show_error(exc)
        return
    if not team:
        st.caption("None yet.")
    for m in team:
        cols = st.columns([3, 2, 2, 1])
        cols[0].markdown(f"**{common.escape_md(m.name)}** (`{m.model_id}`)")
        cols[1].write(m.family)
        cols[2].write(f"{m.params / 1e9:.3f}B")
        if cols[3].button("Delete", key=f"add_model_delete_{m.model_id}"):
            try:
                delete_custom_model(common.get_store(), m.model_id)
            except LifecycleError as exc:
                common.show_error(exc)
            else:
                st.rerun()
    _team_history()


def _team_history() -> None:
    """Who added and deleted team models and laws: the audit trail's team-table events, with the identity."""
    try:
        events = common.get_store().team_history()
    except LifecycleError as exc:
        common.show_error(exc)
        return
    if events:
        with st.expander(f"Team catalog history ({len(events)})", icon=":material/history:"):
            st.dataframe([{"when": e.at.strftime("%Y-%m-%d %H:%M"), "who": e.actor, "identity": e.actor_key,
                           "what": e.action} for e in events], hide_index=True, width="stretch",
                         key="add_model_team_history")
