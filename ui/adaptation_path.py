"""Adapt & Align: recommend an adaptation path from the Scope answers, and size every option."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from lifecycle.adapt.advice import AdaptationSetup, adaptation_advice, implied_data_available
from lifecycle.adapt.path import get_option, list_options
from lifecycle.display import format_bytes, format_count, format_duration, format_money
from lifecycle.errors import LifecycleError
from lifecycle.memory.setup import HEADS_BY_FAMILY
from lifecycle.models.ref import ModelRef
from lifecycle.records.project import LIMITS, Project, ScopeStage
from ui import common
from ui import project_facts as project_facts_ui
from ui.bounds import bounds
from ui.integrate_inputs import pick_gpu, pick_model

DATA_CHOICES = ["none", "few", "thousands", "billions"]


def _scope(project: Project | None) -> ScopeStage:
    scope = project.scope.model_copy() if project else ScopeStage()
    with st.expander("Scope answers used (edit here to try alternatives; the Scope page saves them)",
                     expanded=project is None):
        c1, c2 = st.columns(2)
        stated = scope.data_available or implied_data_available(scope.training_examples, scope.tokens_per_example)
        data = c1.selectbox("Labelled data available", DATA_CHOICES, index=DATA_CHOICES.index(stated or "none"),
                            key="adaptation_path_data",
                            help="Unset on Scope: read from the team's training examples × tokens per example.")
        domain = c2.text_input("Domain", value=scope.domain or "general", max_chars=100, key="adaptation_path_domain")
        quality = st.text_input("Quality bar", value=scope.quality_bar, max_chars=500, key="adaptation_path_quality",
                                help="Words such as helpful, harmless, safe, tone or brand point to alignment.")
        c1, c2 = st.columns(2)
        budget = c1.number_input("Budget (USD, 0 = none set)", *bounds(AdaptationSetup, "budget_usd", float),
                                 value=float(scope.budget_usd or 0.0), step=100.0, key="adaptation_path_budget")
        chat = c2.checkbox("Chat assistant", value="chat" in scope.tasks, key="adaptation_path_chat")
    tasks = [t for t in scope.tasks if t != "chat"] + (["chat"] if chat else [])
    return scope.model_copy(update={"data_available": data, "domain": domain, "quality_bar": quality,
                                    "budget_usd": budget or None, "tasks": tasks})


def render(project: Project | None) -> None:
    st.caption("Prompting → LoRA/QLoRA → full fine-tuning → alignment (DPO, or RLHF with a reward model and PPO). "
               "Each option is sized with the memory planner (PPO holds policy, value, reference and reward models) "
               "and timed at a model-FLOPs utilisation.")
    facts = project_facts_ui.facts_for(project, "adaptation_path_")
    scope = _scope(project)
    model = pick_model(project, "adaptation_path_model", families=("decoder", "encoder-decoder", "encoder"))
    c1, c2 = st.columns(2)
    with c1:
        gpu = pick_gpu(project, "adaptation_path_gpu", "GPU type for training")
    low, high = bounds(AdaptationSetup, "seq_len")
    seq = c2.number_input("Sequence length (tokens)", low, high,
                          value=min(max(low, facts.seq_len_for(model.max_context, model.family)), high),
                          key="adaptation_path_seq", help=f"{model.name}'s window: {model.max_context:,} tokens.")
    c1, c2, c3 = st.columns(3)
    stated_gpus = "gpus" in facts.from_project
    low, high = bounds(AdaptationSetup, "gpus", low=0)  # 0: not stated (None)
    gpus = c1.number_input("GPUs the team has (0 = not stated)", low, high,
                           value=min(facts.gpus, high) if stated_gpus else 0, key="adaptation_path_gpus",
                           help="Each option must fit on these; time and cost run on them. 0: the fewest that fit.")
    examples = c2.number_input("Training examples", *bounds(AdaptationSetup, "training_examples"),
                               value=int(facts.training_examples or 0), key="adaptation_path_examples",
                               help="Default: the project's team facts; 0 = the typical count for the data available.")
    per_example = c3.number_input("Tokens per example", *bounds(AdaptationSetup, "tokens_per_example", low=0),
                                  value=int(facts.tokens_per_example or 0), key="adaptation_path_tokens_per_example",
                                  help="Default: the project's team facts; 0 = the sequence length.")
    c1, c2, c3, c4 = st.columns(4)
    batch = c1.number_input("Micro-batch per GPU (largest tried)", *bounds(AdaptationSetup, "micro_batch"),
                            value=facts.micro_batch,
                            key="adaptation_path_batch",
                            help="Tried first; if it does not fit, checkpointing and then micro-batch 1 are tried.")
    epochs = c2.number_input("Epochs", *bounds(AdaptationSetup, "epochs", float, low=LIMITS["epochs"][0]),
                             value=facts.epochs, step=0.5, key="adaptation_path_epochs")
    mfu = c3.number_input("MFU", *bounds(AdaptationSetup, "mfu", float), value=facts.mfu, step=0.05,
                          key="adaptation_path_mfu", help="Model-FLOPs utilisation (data/mfu.json: published runs 21–48%).")
    price = c4.number_input("USD per GPU-hour", *bounds(AdaptationSetup, "price_usd_per_hour", float),
                            value=float(gpu.price_usd_per_hour),
                            step=0.1, key=f"adaptation_path_price_{gpu.id}")
    project_facts_ui.note(facts, {"gpu": gpu.id, "gpus": int(gpus) or None, "seq_len": int(seq), "epochs": float(epochs),
                                  "training_examples": int(examples) or None}, project)
    _, target_len = facts.lengths_for(model.family, model.max_context)
    try:
        advice = adaptation_advice(AdaptationSetup(
            tasks=tuple(scope.tasks), use_case=scope.use_case, quality_bar=scope.quality_bar,
            constraints=tuple(scope.constraints), domain=scope.domain or "general",
            data_available=scope.data_available, budget_usd=scope.budget_usd, input_tokens=scope.input_tokens,
            output_tokens=scope.output_tokens, model=ModelRef.of(model), gpu=gpu.id, seq_len=int(seq),
            micro_batch=int(batch), epochs=float(epochs), mfu=float(mfu), price_usd_per_hour=float(price),
            training_examples=int(examples) or None, tokens_per_example=int(per_example) or None, gpus=int(gpus) or None,
            precision=facts.precision, target_len=target_len, num_labels=facts.num_labels,
            head=facts.head if facts.head in HEADS_BY_FAMILY[model.family] else None)
        ).model_dump()
    except LifecycleError as exc:
        common.show_error(exc)
        return
    cut = next((o["sizing"] for o in advice["options"] if (o.get("sizing") or {}).get("truncated_from")), None)
    if cut:
        st.warning(f"Your {cut['truncated_from']:,}-token examples exceed {common.escape_md(model.name)}'s {cut['seq']:,}-token window: "
                   f"sized at {cut['seq']:,} tokens, which would cut every example. Choose a longer-context model or "
                   "chunk the examples.")
    st.markdown("**Recommended path:** " + " → ".join(get_option(o).name for o in advice["path"]))
    for reason in advice["reasons"]:
        st.markdown(f"- {reason}")
    st.dataframe(pd.DataFrame([_row(o) for o in advice["options"]]), hide_index=True, width="stretch")
    st.caption("Memory per GPU is reserved memory per model role at the GPU count shown (ZeRO-3 sharding beyond one "
               "GPU). Time = model FLOPs ÷ (GPUs × peak × MFU), as in Memory & GPUs: 6·N per token full, 4·N with a "
               "frozen base (N: active parameters without the input embedding; recomputation under checkpointing "
               "is hardware FLOPs, already inside MFU), "
               "16·N per preference-pair token for DPO; RLHF adds SFT and reward-model training to PPO (20·N per "
               "token; PPO's sampling is memory-bound, so its time is a lower bound).")
    with st.expander("Where the example counts and risks come from"):
        for o in list_options():
            st.markdown(f"- **{o.name}** — examples: {o.examples_source}. Risk: {o.risk_source}.")
    _save(project, advice)


def _row(o: dict) -> dict:
    opt = get_option(o["id"])
    s = o.get("sizing") or {}
    roles = "; ".join(f"{k} {format_bytes(v)}" for k, v in (s.get("per_gpu_bytes") or {}).items())
    priced = bool(s and s.get("gpus") and s.get("flops"))
    fits_team = bool(s.get("gpus")) and (s.get("team_gpus") is None or s["gpus"] <= s["team_gpus"])
    gpus = ("does not fit" if not s.get("gpus") else f"{s['gpus']}" + ("" if fits_team else f" (you have {s['team_gpus']})")) if s else "—"
    return {"option": opt.name, "status": o["status"], "GPUs": gpus,
            "runs with": (f"micro-batch {s['micro_batch']}" + (", checkpointing" if s["grad_checkpointing"] else ""))
            if s and s.get("gpus") and opt.trains else "—",
            "memory per GPU": roles or "—",
            "time": f"{format_duration(s['seconds'])} on {s['run_gpus']}" if priced else "—",
            "cost": format_money(s["cost_usd"]) if priced else "—",
            "examples used": format_count(s["examples"]) if s.get("examples") else "—",
            "labelled examples": opt.examples_text, "risk": f"{opt.risk_level}: {opt.risk}",
            "why": " ".join(o["reasons"]) + (f" {o['sizing_error']}" if o.get("sizing_error") else "")}


def _save(project: Project | None, advice: dict) -> None:
    if project is None:
        st.info("Open a project to save the chosen path.")
        return
    ids = [o.id for o in list_options()]
    current = project.adapt.adaptation_path if project.adapt.adaptation_path in ids else advice["primary"]
    choice = st.radio("Adaptation path to plan for", ids, index=ids.index(current), horizontal=True,
                      format_func=lambda i: get_option(i).name, key="adaptation_path_choice")
    if st.button("Save adaptation path", type="primary", key="adaptation_path_save",
                 disabled=common.read_only(project)):
        project.adapt.adaptation_path = choice
        project.adapt.decisions["adaptation_path_reasons"] = advice["reasons"]
        if common.save_project(project, "adapt", summary=f"Chose adaptation path {choice}"):
            st.rerun()
