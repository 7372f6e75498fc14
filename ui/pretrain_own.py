"""Select → "Pre-train your own": scaling-law charts, a compute-budget calculator, N & D → loss and verdict,
fitting a team's own law to pilot runs, and saving the plan as a scenario."""

from __future__ import annotations

import math

import pandas as pd
import streamlit as st

from lifecycle.charts.scaling import pretraining_figure
from lifecycle.choices import BudgetUnit, ScalingChart, options, title
from lifecycle.display import format_duration, format_money, format_number
from lifecycle.errors import LifecycleError
from lifecycle.models.gpus import get_gpu, list_gpus, price_assumption_note
from lifecycle.records.laws import list_laws
from lifecycle.records.project import Project
from lifecycle.records.scenarios import PretrainingScenario, make_scenario
from lifecycle.scaling.compute import (
    DEFAULT_MFU,
    PF_DAY_FLOPS,
    mfu_references,
    slide_pf_day_check,
)
from lifecycle.scaling.plan import KAPLAN_NOTE, tokens_per_param_rule
from lifecycle.scaling.pretraining import (
    DEFAULT_LAWS,
    PretrainingPlan,
    PretrainingSetup,
    pretraining_plan,
)
from ui import common, plan_choice, pretrain_own_laws
from ui import project_facts as project_facts_ui
from ui.bounds import bounds

K = "pretrain_planner_"
DEFAULT_BUDGET = {"FLOPs": 1e23, "PF-days": 1000.0, "GPU-hours": 100_000.0, "USD": 250_000.0}


def count(x: float | None) -> str:
    """7.0B, 1.40T: the way papers print parameter and token counts."""
    if x is None or not math.isfinite(x):
        return "—"
    for div, suffix in ((1e12, "T"), (1e9, "B"), (1e6, "M"), (1e3, "K")):
        if abs(x) >= div:
            return f"{x / div:.3g}{suffix}"
    return f"{x:.3g}"


def _laws():
    try:
        return list_laws(common.get_store())
    except LifecycleError:
        return list_laws()


def _hardware(col_gpu, col_n, col_mfu, col_price, facts):
    gpus = list_gpus()
    ids = [g.id for g in gpus]
    gpu_id = col_gpu.selectbox("GPU", ids, index=ids.index(facts.gpu), key=K + "gpu",
                               format_func=lambda i: get_gpu(i).name)
    # A pre-training run is sized for a cluster: the team's own count when stated, else 256.
    low, high = bounds(PretrainingSetup, "gpus")
    n = col_n.number_input("GPUs", low, high, step=8, key=K + "gpus",
                           value=min(facts.gpus, high) if "gpus" in facts.from_project else 256)
    mfu = col_mfu.number_input("MFU", *bounds(PretrainingSetup, "mfu", float), value=DEFAULT_MFU, step=0.01, key=K + "mfu",
                               help=mfu_references()["_meta"]["default_mfu_source"])
    price = col_price.number_input("USD per GPU-hour", *bounds(PretrainingSetup, "price_usd_per_hour", float), step=0.1,
                                   value=get_gpu(gpu_id).price_usd_per_hour, key=K + f"price_{gpu_id}",
                                   help=price_assumption_note())
    return gpu_id, int(n), float(mfu), float(price)


def _sig(x: float) -> float:
    """Four significant figures, kept a float (Arrow cannot hold ints past 2**63)."""
    return float(f"{x:.4g}")


def _plan_rows(plans) -> pd.DataFrame:
    return pd.DataFrame([{
        "law": p.law, "params N": count(p.params), "tokens D": count(p.tokens), "tokens/param": _sig(p.tokens_per_param),
        "loss (nats)": "— (no loss law)" if p.loss is None else f"{p.loss:.4f}", "days": _sig(p.days),
        "GPU-hours": _sig(p.gpu_hours), "cost (USD)": _sig(p.cost_usd), "compute (FLOPs)": f"{p.compute_flops:.3g}",
        "PF-days": _sig(p.pf_days), "verdict (this law)": p.verdict,
    } for p in plans])


def render(project: Project | None) -> None:
    st.subheader("Pre-train your own: how big a model, on how many tokens, for our budget?")
    st.caption(f"C = 6·N·D training FLOPs; 1 PF-day = 10¹⁵ FLOP/s × 86,400 s = {PF_DAY_FLOPS:.2e} FLOPs. "
               + KAPLAN_NOTE + " Chinchilla and Epoch count all parameters, embeddings included.")
    st.caption(slide_pf_day_check())
    all_laws = _laws()
    names = [law.name for law in all_laws]
    chosen = st.multiselect("Scaling laws", names, default=[n for n in DEFAULT_LAWS if n in names], key=K + "laws")
    laws = tuple(law for law in all_laws if law.name in chosen)
    if not laws:
        st.info("Pick at least one scaling law.")
        return
    facts = project_facts_ui.facts_for(project, K)
    a, b, c, d = st.columns(4)
    gpu_id, gpus, mfu, price = _hardware(a, b, c, d, facts)
    project_facts_ui.note(facts, {"gpu": gpu_id, "gpus": gpus}, project)
    budget_tab, model_tab, chart_tab, fit_tab, tables_tab = st.tabs(
        ["Budget → model", "Model → budget", "Charts & scenarios", "Fit your own law", "Published tables"])
    with budget_tab:
        unit = st.segmented_control("Budget in", options(BudgetUnit), default="FLOPs", key=K + "unit") or "FLOPs"
        amount = st.number_input(f"Budget ({unit})", min_value=1e-3, max_value=1e32, value=DEFAULT_BUDGET[unit],
                                 format="%.4g", key=K + f"amount_{unit}")
    with model_tab:
        x, y = st.columns(2)
        n_b = x.number_input("Parameters N (billions)", min_value=0.001, max_value=100_000.0, value=7.0, key=K + "n_b")
        d_b = y.number_input("Training tokens D (billions)", min_value=0.001, max_value=1e7, value=2000.0, key=K + "d_b")
    with chart_tab:
        kind = st.selectbox("Chart", options(ScalingChart), format_func=title, key=K + "chart")
        lo, hi = st.slider("Compute range (log₁₀ FLOPs)", 15, 30, (18, 26), key=K + "range")
        show_models = st.toggle("Place published models and your N & D on the chart", value=True, key=K + "markers")
    try:
        setup = PretrainingSetup(laws=laws, budget_amount=amount, budget_unit=unit, params=n_b * 1e9, tokens=d_b * 1e9,
                                 gpu=gpu_id, gpus=gpus, mfu=mfu, price_usd_per_hour=price, chart=kind,
                                 c_min_flops=10.0**lo, c_max_flops=10.0**hi if hi > lo else 10.0 ** (lo + 1),
                                 show_markers=show_models)
        plan = pretraining_plan(setup)
    except LifecycleError as exc:
        common.show_error(exc)
        return
    with budget_tab:
        _budget(plan, gpus, gpu_id, mfu)
    with model_tab:
        _model(plan)
    with chart_tab:
        _charts(project, setup, plan)
    with fit_tab:
        pretrain_own_laws.render_fit(project)
    with tables_tab:
        pretrain_own_laws.render_tables()


def _budget(plan: PretrainingPlan, gpus: int, gpu_id: str, mfu: float) -> None:
    st.markdown(f"**{plan.budget_flops:.3e} FLOPs = {plan.budget_pf_days:,.1f} PF-days**; each law's compute-optimal "
                f"split, and the time on {gpus} × {get_gpu(gpu_id).name} at MFU {mfu:.0%}:")
    st.dataframe(_plan_rows(plan.budget_plans).drop(columns=["compute (FLOPs)", "PF-days", "verdict (this law)"]),
                 hide_index=True, width="stretch")
    kaplan = next((p for p in plan.budget_plans if p.kaplan_batch_tokens), None)
    if kaplan:
        st.caption(f"Kaplan's compute-efficient frontier (Table 6) at this budget also sets a batch of "
                   f"{count(kaplan.kaplan_batch_tokens)} tokens and at least {kaplan.kaplan_steps:,.0f} steps. "
                   + (kaplan.kaplan_budget_note or ""))
    st.caption("Approaches 1 and 2 give an allocation but no loss. Losses of different laws are on different "
               "data and tokenizers: compare them within a law, not across laws.")


def _model(plan: PretrainingPlan) -> None:
    p0 = plan.model_plans[0]
    m1, m2, m3, m4 = st.columns(4)
    m1.metric("Compute", f"{format_number(p0.pf_days)} PF-days", help=f"{p0.compute_flops:.3g} FLOPs (6·N·D)")
    m2.metric("Tokens per parameter", format_number(p0.tokens_per_param),
              help=f"{p0.verdict_20_rule} by the ~{tokens_per_param_rule():g}:1 rule")
    m3.metric("Training time", format_duration(p0.seconds))
    m4.metric("Cost", format_money(p0.cost_usd))
    rows = _plan_rows(plan.model_plans)
    rows["law's optimal N at this compute"] = [count(p.optimal_params) for p in plan.model_plans]
    rows["law's optimal tokens/param"] = [round(p.optimal_tokens_per_param, 1) for p in plan.model_plans]
    st.dataframe(rows.drop(columns=["params N", "tokens D", "compute (FLOPs)", "PF-days", "days",
                                    "GPU-hours", "cost (USD)"]), hide_index=True, width="stretch")


def _charts(project, setup: PretrainingSetup, plan: PretrainingPlan) -> None:
    try:
        fig = pretraining_figure(setup, plan)
    except LifecycleError as exc:
        common.show_error(exc)
        return
    common.plotly_chart(fig, width="stretch", key=K + "fig")
    if setup.chart == "isoflop":
        st.caption("Each curve spends one budget (10× steps up to yours) on every N with D = C/(6N); "
                   "the star is the optimum of the first law that predicts a loss.")
    _save_and_compare(project, setup, plan)


def _save_and_compare(project, setup: PretrainingSetup, plan: PretrainingPlan) -> None:
    st.markdown("##### Save and compare")
    if project is None:
        st.info("Open a project to save this plan as a scenario.")
        return
    name = st.text_input("Scenario name", value="Pre-training plan", max_chars=120, key=K + "scenario_name")
    if st.button("Save as scenario", key=K + "save", disabled=common.read_only(project)):
        if not name.strip():
            st.error("Give the scenario a name.")
        elif common.save_scenario(project, "select", make_scenario(setup, result=plan, name=name.strip(),
                                                                   author=common.author())):
            st.success(f"Saved scenario {common.escape_md(repr(name.strip()))}.")
    saved = [s for s in project.select.scenarios if isinstance(s, PretrainingScenario)]
    if not saved:
        return
    table = [{"scenario": s.name, "saved": f"{s.created_at:%Y-%m-%d %H:%M}", "by": s.author or "—",
              "chart": title(s.setup.chart), "budget FLOPs": f"{s.result.budget_flops:.3g}", "GPU": s.setup.gpu,
              **{f"{p.law} N": count(p.params) for p in s.result.budget_plans}} for s in saved]
    st.dataframe(pd.DataFrame(table), hide_index=True, width="stretch")
    if project.select.pretrain_own:  # a pre-training plan is the training plan only of a team that pre-trains
        plan_choice.picker(project, saved, K + "plan_")
    pick = st.selectbox("Re-plot a saved scenario", [s.id for s in saved], key=K + "replot",
                        format_func=lambda i: next(s.name for s in saved if s.id == i))
    chosen = next(s for s in saved if s.id == pick)
    common.plotly_chart(pretraining_figure(chosen.setup, chosen.result), width="stretch", key=K + "replot_fig")
