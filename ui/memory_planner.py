"""Adapt & Align (and Integrate): will it fit, on how many GPUs of which kind, with which strategy?

Widgets → a TrainingSetup or InferenceSetup → one call (``training_plan`` / ``inference_plan``) → render:
per-GPU memory by component against the GPU, GPU count by strategy, time and cost, the rules of thumb
beside our estimate, and saved scenarios side by side.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from lifecycle.charts.memory import estimate_bars, memory_stack_figure, strategy_figure
from lifecycle.errors import LifecycleError
from lifecycle.memory.plan import inference_plan, training_plan
from lifecycle.memory.planner import RULES
from lifecycle.memory.setup import TrainingSetup
from lifecycle.records.project import Project
from lifecycle.records.scenarios import InferenceScenario, TrainingScenario, make_scenario
from ui import common
from ui.integrate_inputs import pick_gpu
from ui.memory_planner_inputs import inference_setup, model_ref, training_setup

GB = 1e9
MODES = ("Train / fine-tune", "Serve (inference)")


def render(project: Project | None) -> None:
    _render(project, stage="adapt", k="memory_planner_")


def render_serving(project: Project | None) -> None:
    """The same planner on the Integrate page, for serving."""
    _render(project, stage="integrate", k="memory_serving_")


def _render(project: Project | None, *, stage: str, k: str) -> None:
    st.subheader("Memory & GPUs: will it fit, on how many GPUs, with which strategy?")
    st.caption("Per-GPU peak memory from the tensors PyTorch keeps (weights, gradients, optimizer states, saved "
               "activations, fp32 logits/loss buffers, attention scores, KV cache), checked against peak memory "
               "measured on an H200 (benchmarks/memory_accuracy.py prints the errors). GB = 10⁹ bytes.")
    try:
        model = model_ref(project, k)
        if model is None:
            return
        workload = st.segmented_control("Workload", MODES, default=MODES[1 if stage == "integrate" else 0],
                                        key=k + "workload") or MODES[0]
        gpu = pick_gpu(project, k + "gpu")
        if workload == MODES[0]:
            setup = training_setup(model, k, project, gpu.id)
            plan = training_plan(setup)
        else:
            setup = inference_setup(model, k, gpu.id)
            plan = inference_plan(setup)
    except LifecycleError as exc:
        common.show_error(exc)
        return
    est = plan.estimate
    _verdict(plan)
    bars = {"our estimate": estimate_bars(est)}
    bars.update({name: {name: value} for name, value in plan.rules_of_thumb_bytes.items() if value is not None})
    st.plotly_chart(memory_stack_figure(bars, capacity_bytes=gpu.memory_bytes, gpu_name=gpu.name,
                                        title=f"Memory per GPU — {model.name}"), width="stretch", key=k + "stack")
    st.markdown(f"**Why the rules of thumb differ:** {plan.rules_note}")
    st.dataframe(pd.DataFrame([{"rule": n, "predicts (GB)": None if v is None else round(v / GB, 2),
                                "vs our estimate": None if v is None else f"{v / est.peak_allocated_bytes - 1:+.0%}",
                                "what it counts": RULES[n]} for n, v in plan.rules_of_thumb_bytes.items()]),
                 hide_index=True, width="stretch")
    for note in est.notes:
        st.caption(note)
    if workload == MODES[0]:
        _strategies_and_cost(setup, plan, k)
    else:
        st.markdown(f"**Fewest GPUs (tensor parallel) that serve this on {gpu.name}:** {plan.min_gpus or 'none up to 64'}")
    _save_and_compare(project, stage, k, setup, plan)


def _verdict(plan) -> None:
    est, gpu = plan.estimate, plan.gpu
    c = st.columns(4)
    c[0].metric("Peak allocated", f"{est.peak_allocated_bytes / GB:.1f} GB", help=f"at the {est.peak_phase}")
    c[1].metric("Reserved (+ allocator slack)", f"{est.peak_reserved_bytes / GB:.1f} GB")
    c[2].metric("Needs (+ CUDA context)", f"{est.required_bytes / GB:.1f} GB")
    c[3].metric(f"{gpu.name}", f"{gpu.memory_bytes / GB:.0f} GB", delta="fits" if plan.fits else "does not fit",
                delta_color="normal" if plan.fits else "inverse")
    headroom = gpu.memory_bytes - est.required_bytes
    if plan.fits and headroom < 0.1 * gpu.memory_bytes:
        st.warning(f"Tight: {headroom / GB:.1f} GB of headroom. Reserved memory varied by ±10 % around our "
                   "prediction in the measurements; leave a margin.")


def _strategies_and_cost(setup, plan, k) -> None:
    gpu = plan.gpu
    st.markdown(f"**Fewest {gpu.name} GPUs with {setup.strategy}:** {plan.min_gpus or 'does not fit at any count'}")
    if plan.min_gpus is None:
        st.warning("Nothing fits with these settings. " + (
            "Would fit with: " + "; ".join(plan.what_would_fit) + "." if plan.what_would_fit else
            "Try a smaller micro-batch, checkpointing, LoRA/QLoRA or a larger GPU."))
    rows = plan.by_strategy
    st.dataframe(pd.DataFrame([{"strategy": r.title, "CPU offload": r.offload,
                                "fewest GPUs": str(r.min_gpus) if r.min_gpus else "does not fit",
                                "per GPU at that count (GB)": "—" if r.min_gpus is None else
                                f"{r.per_gpu_required_bytes / GB:.1f}",
                                "CPU RAM for offload (GB)": round((r.cpu_offload_bytes or 0) / GB, 1)}
                               for r in rows]), hide_index=True, width="stretch")
    st.plotly_chart(strategy_figure(rows, gpu_name=gpu.name), width="stretch", key=k + "strategies")
    cost = plan.time_and_cost
    if cost is None:
        st.caption(plan.time_note)
        return
    recompute = ", 8·N·D with recomputation" if setup.grad_checkpointing else ""
    st.markdown(f"{plan.training_flops:.3g} FLOPs (6·N·D{recompute}) = {cost.pf_days:.3g} PF-days → "
                f"**{cost.days:.3g} days** on {cost.gpus} × {gpu.name} at {cost.mfu:.0%} MFU, "
                f"{cost.gpu_hours:,.0f} GPU-hours, **${cost.cost_usd:,.0f}** at ${cost.price_usd_per_hour:.2f}/GPU-hour.")


def _save_and_compare(project, stage, k, setup, plan) -> None:
    if project is None:
        st.caption("Open a project to save this configuration as a scenario.")
        return
    c = st.columns([3, 1])
    kind = "train" if isinstance(setup, TrainingSetup) else "infer"
    name = c[0].text_input("Scenario name", f"{setup.model.name} — {kind}", key=k + "scenario_name", max_chars=200)
    if c[1].button("Save as scenario", key=k + "save"):
        try:
            scenario = make_scenario(setup, result=plan, name=name.strip() or setup.model.name, author=common.author())
        except LifecycleError as exc:
            common.show_error(exc)
            return
        if common.save_scenario(project, stage, scenario) is not None:
            st.rerun()
    saved = [s for s in project.stage(stage).scenarios if isinstance(s, (TrainingScenario, InferenceScenario))]
    if saved:
        st.markdown("**Saved memory scenarios**")
        st.dataframe(pd.DataFrame([{"scenario": s.name, "by": s.author or "—",
                                    "peak (GB)": round(s.result.estimate.peak_allocated_bytes / GB, 1),
                                    "needs (GB)": round(s.result.estimate.required_bytes / GB, 1),
                                    "GPU": s.result.gpu.name if s.result.gpu else "—",
                                    "fits": "—" if s.result.fits is None else ("yes" if s.result.fits else "no"),
                                    "fewest GPUs": str(s.result.min_gpus or "—")} for s in saved]),
                     hide_index=True, width="stretch")
        bars = {}
        for i, s in enumerate(saved, 1):  # same-named scenarios get a number so their bars stay apart
            bars[s.name if s.name not in bars else f"{s.name} #{i}"] = estimate_bars(s.result.estimate)
        st.plotly_chart(memory_stack_figure(bars, title="Saved scenarios side by side"), width="stretch",
                        key=k + "compare")
