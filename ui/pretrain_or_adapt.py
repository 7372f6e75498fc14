"""Select: pre-train your own model or adapt an existing one, explained with BloombergGPT."""

from __future__ import annotations

import importlib.util

import streamlit as st

from lifecycle.display import format_duration, format_money, format_number
from lifecycle.errors import LifecycleError
from lifecycle.models.gpus import get_gpu, list_gpus
from lifecycle.records.project import Project
from lifecycle.scaling.compute import DEFAULT_MFU
from lifecycle.scaling.plan import tokens_per_param_rule
from lifecycle.scaling.pretrain_advice import PretrainDecisionSetup, pretrain_decision
from ui import common
from ui import project_facts as project_facts_ui
from ui.bounds import bounds
from ui.use_case import CONSTRAINTS, DATA_LABELS, DOMAINS

DEFAULT_TARGET_B = 7.0


def render(project: Project | None) -> None:
    st.subheader("Pre-train or adapt?")
    facts = project_facts_ui.facts_for(project, "pretrain_or_adapt_")
    scope = project.scope if project is not None else None
    st.caption("The Scope answers, editable here for what-ifs (edits are not saved to the Scope).")
    left, right = st.columns(2)
    domain = left.selectbox("Domain", DOMAINS, index=DOMAINS.index(scope.domain) if scope and scope.domain in DOMAINS
                            else 0, key="pretrain_or_adapt_domain")
    data_opts = list(DATA_LABELS)
    data = right.selectbox("Data available", data_opts, format_func=DATA_LABELS.get,
                           index=data_opts.index(scope.data_available) if scope and scope.data_available in data_opts
                           else 0, key="pretrain_or_adapt_data")
    budget = left.number_input("Budget (USD)", *bounds(PretrainDecisionSetup, "budget_usd", float), step=10_000.0,
                               value=scope.budget_usd if scope else None, key="pretrain_or_adapt_budget")
    constraints = right.multiselect("Constraints", CONSTRAINTS, key="pretrain_or_adapt_constraints",
                                    default=[c for c in (scope.constraints if scope else []) if c in CONSTRAINTS])
    with st.expander("Pre-training plan behind the cost", expanded=False):
        a, b, c = st.columns(3)
        target_b = a.number_input("Model size (B parameters)", min_value=0.01, max_value=2000.0,
                                  value=DEFAULT_TARGET_B, key="pretrain_or_adapt_size")
        tokens_b = b.number_input(f"Training tokens (B; 0 = {tokens_per_param_rule():g} per parameter)",
                                  min_value=0.0, max_value=1e6,
                                  value=0.0, key="pretrain_or_adapt_tokens")
        gpu_ids = [g.id for g in list_gpus()]
        gpu_id = c.selectbox("GPU", gpu_ids, index=gpu_ids.index(facts.gpu), key="pretrain_or_adapt_gpu")
        # A pre-training run is sized for a cluster: the team's own count when stated, else 512.
        low, high = bounds(PretrainDecisionSetup, "gpus")
        gpus = a.number_input("GPUs", low, high, key="pretrain_or_adapt_gpus",
                              value=min(facts.gpus, high) if "gpus" in facts.from_project else 512)
        mfu = b.number_input("MFU", *bounds(PretrainDecisionSetup, "mfu", float), value=DEFAULT_MFU, key="pretrain_or_adapt_mfu")
        price = c.number_input("Price per GPU-hour (USD)", *bounds(PretrainDecisionSetup, "price_usd_per_hour", float),
                               value=get_gpu(gpu_id).price_usd_per_hour, key=f"pretrain_or_adapt_price_{gpu_id}")
    project_facts_ui.note(facts, {"gpu": gpu_id, "gpus": int(gpus), "budget_usd": budget}, project)
    try:
        advice = pretrain_decision(PretrainDecisionSetup(
            domain=domain, data_available=data, budget_usd=budget, constraints=tuple(constraints),
            target_params=target_b * 1e9, target_tokens=tokens_b * 1e9 if tokens_b else None, gpu=gpu_id,
            gpus=int(gpus), mfu=mfu, price_usd_per_hour=price))
    except LifecycleError as exc:
        common.show_error(exc)
        return
    verdict = {"adapt": st.success, "continued-pretraining": st.info, "pretrain": st.warning}[advice.recommendation]
    verdict(f"**{advice.headline}**")
    arrows = {"pretrain": "leans to pre-training", "adapt": "leans to adapting", "neutral": "neutral"}
    for f in advice.factors:
        st.markdown(f"- **{f.factor}** ({arrows[f.leans]}): {common.escape_md(f.detail)}")
    x, y, z = st.columns(3)
    x.metric("Pre-training cost (GPU time)", format_money(advice.cost.cost_usd))
    y.metric("Wall clock", format_duration(advice.cost.seconds))
    z.metric("GPU-hours", format_number(advice.cost.gpu_hours))
    st.caption(f"{advice.target_params / 1e9:g}B parameters on {advice.target_tokens / 1e9:,.0f}B tokens: "
               f"{advice.cost.flops:.2e} FLOPs (6·N·D) on {advice.cost.gpus:,} × {advice.cost.gpu_id} at MFU "
               f"{advice.cost.mfu:.0%}, \\${advice.cost.price_usd_per_hour:g}/GPU-hour.")

    bb = advice.bloomberg
    st.markdown("#### The BloombergGPT case")
    st.markdown(
        f"Bloomberg pre-trained a **{bb.params / 1e9:.1f}B**-parameter decoder on **{bb.financial_tokens / 1e9:.0f}B** "
        f"tokens of financial text plus **{bb.public_tokens / 1e9:.0f}B** public tokens (**{bb.financial_share:.2%}** "
        f"financial in the mix), {bb.tokens_trained / 1e9:.0f}B tokens trained. It beat general models on financial "
        "tasks without losing general ability, at a cost few teams can carry; neither model nor data was released.")
    st.markdown(
        f"Our 6·N·D estimate on {bb.estimate.gpus} × {bb.estimate.gpu_id} at MFU {bb.estimate.mfu:.0%}: "
        f"**{bb.estimate.days:.0f} days**, {bb.estimate.gpu_hours:,.0f} GPU-hours, about \\${bb.estimate.cost_usd:,.0f} at "
        f"\\${bb.estimate.price_usd_per_hour:g}/GPU-hour. Reported: about {bb.reported_days:.0f} days, which implies an "
        f"MFU of {bb.implied_mfu:.0%}.")
    st.markdown(f"**Where it sits on Chinchilla:** {common.escape_md(bb.chinchilla_verdict)}")
    st.caption(f"Budget: {bb.budget_source}")
    if importlib.util.find_spec("ui.pretrain_own") is not None:
        st.caption("For a full pre-training plan (scaling laws, compute-optimal size and tokens), open the "
                   "**Pre-train your own** view on this page.")
    with st.expander("Sources"):
        for s in advice.sources:
            st.markdown(f"- {common.escape_md(s)}")
    if project is None:
        st.info("Open a project to record the choice.")
        return
    if project.select.pretrain_own:
        st.caption("This project currently plans to pre-train its own model.")
    one, two = st.columns(2)
    if one.button("Pre-train my own", key="pretrain_or_adapt_pretrain", disabled=common.read_only(project)):
        project.select.pretrain_own = True
        project.select.rationale = advice.headline
        if common.save_project(project, "select", summary="Pre-train our own model"):
            st.success("Saved: pre-train my own.")
    if two.button("Adapt an existing model", key="pretrain_or_adapt_adapt",
                  disabled=common.read_only(project)):
        project.select.pretrain_own = False
        project.select.rationale = advice.headline
        if common.save_project(project, "select", summary="Adapt an existing model"):
            st.success("Saved: adapt an existing model (choose it in the Model catalog).")
