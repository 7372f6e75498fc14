"""Adapt & Align (and Integrate): will it fit, on how many GPUs of which kind, with which strategy?

Widgets → a TrainingSetup or InferenceSetup → one call (``training_plan`` / ``inference_plan``) → render:
per-GPU memory by component against the GPU, GPU count by strategy, time and cost, the rules of thumb
beside our estimate, and saved scenarios side by side.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from lifecycle.charts.memory import estimate_bars, memory_stack_figure, strategy_figure
from lifecycle.display import format_bytes, format_duration, format_money, format_number, format_percent
from lifecycle.errors import LifecycleError
from lifecycle.memory.gpu_count import RULES, slide_rule_check
from lifecycle.memory.plan import TIGHT_NOTE, inference_plan, training_plan
from lifecycle.memory.setup import TrainingSetup
from lifecycle.records.project import Project
from lifecycle.records.scenarios import InferenceScenario, TrainingScenario, make_scenario
from ui import common, plan_choice
from ui import project_facts as project_facts_ui
from ui.integrate_inputs import pick_gpu
from ui.memory_gpus_inputs import inference_setup, model_ref, training_setup

MODES = ("Train / fine-tune", "Serve (inference)")


def render(project: Project | None) -> None:
    render_for_stage(project, stage="adapt", k="memory_planner_")


def render_for_stage(project: Project | None, *, stage: str, k: str) -> None:
    """The planner for one stage; Integrate's "Serving memory" page is ``ui/serving_memory.py``."""
    st.subheader("Memory & GPUs: will it fit, on how many GPUs, with which strategy?")
    st.caption("Per-GPU peak memory from the tensors PyTorch keeps (weights, gradients, optimizer states, saved "
               "activations, fp32 logits/loss buffers, attention scores, KV cache), checked against peak memory "
               "measured on an H200 (benchmarks/memory_accuracy.py prints the errors). GB = 10⁹ bytes.")
    facts = project_facts_ui.facts_for(project, k)
    try:
        model = model_ref(project, k)
        if model is None:
            return
        workload = st.segmented_control("Workload", MODES, default=MODES[1 if stage == "integrate" else 0],
                                        key=k + "workload") or MODES[0]
        gpu = pick_gpu(project, k + "gpu", serving=stage == "integrate")
        if workload == MODES[0]:
            setup = training_setup(model, k, project, gpu.id, facts)
            plan = training_plan(setup)
            used = {"gpu": setup.gpu, "gpus": setup.gpus, "seq_len": setup.seq_len, "precision": setup.precision,
                    "training_tokens": setup.training_tokens}
        else:
            setup = inference_setup(model, k, gpu.id, facts, project if stage == "integrate" else None)
            plan = inference_plan(setup)
            used = {"gpu": setup.gpu, "input_tokens": setup.prompt_tokens, "output_tokens": setup.new_tokens}
    except LifecycleError as exc:
        common.show_error(exc)
        return
    project_facts_ui.note(facts, used, project)
    est = plan.estimate
    _verdict(plan)
    bars = {"our estimate": estimate_bars(est)}
    bars.update({name: {name: value} for name, value in plan.rules_of_thumb_bytes.items() if value is not None})
    common.plotly_chart(memory_stack_figure(bars, capacity_bytes=gpu.memory_bytes, gpu_name=gpu.name,
                                        title=f"Memory per GPU — {model.name}"), width="stretch", key=k + "stack")
    st.markdown(f"**Why the rules of thumb differ:** {plan.rules_note}")
    st.dataframe(pd.DataFrame([{"rule": n, "predicts": format_bytes(v) if v is not None else "not modelled",
                                "vs our estimate": "—" if v is None else f"{v / est.peak_allocated_bytes - 1:+.0%}",
                                "what it counts": RULES[n]} for n, v in plan.rules_of_thumb_bytes.items()]),
                 hide_index=True, width="stretch")
    for note in est.notes:
        st.caption(note)
    if workload == MODES[0]:
        _slide_rule()
        _strategies_and_cost(setup, plan, k)
    else:
        st.markdown(f"**Fewest GPUs (tensor parallel) that serve this on {gpu.name}:** {plan.min_gpus or 'none up to 64'}")
    _save_and_compare(project, stage, k, setup, plan)


def _verdict(plan) -> None:
    est, gpu = plan.estimate, plan.gpu
    c = st.columns(4)
    c[0].metric("Peak allocated", format_bytes(est.peak_allocated_bytes), help=f"at the {est.peak_phase}")
    c[1].metric("Reserved (+ allocator slack)", format_bytes(est.peak_reserved_bytes))
    c[2].metric("Needs (+ CUDA context)", format_bytes(est.required_bytes))
    c[3].metric(f"{gpu.name} has", format_bytes(gpu.memory_bytes),
                help=f"What a process can use (the datasheet says {gpu.datasheet_memory_gb:g} GB): {gpu.memory_source}")
    if plan.fit_verdict == "does_not_fit":
        st.error(f"Does not fit on one {gpu.name}: needs {format_bytes(-plan.headroom_bytes)} more per GPU.")
    elif plan.fit_verdict == "tight":
        st.warning(f"Fits, but tight: {format_bytes(plan.headroom_bytes)} of headroom. {TIGHT_NOTE}")
    else:
        st.success(f"Fits on one {gpu.name} with {format_bytes(plan.headroom_bytes)} to spare.")


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
                                "per GPU at that count": "—" if r.min_gpus is None else
                                format_bytes(r.per_gpu_required_bytes),
                                "CPU RAM for offload": format_bytes(r.cpu_offload_bytes) if r.cpu_offload_bytes else "—"}
                               for r in rows]), hide_index=True, width="stretch")
    common.plotly_chart(strategy_figure(rows, gpu_name=gpu.name), width="stretch", key=k + "strategies")
    with st.expander(f"What ZeRO stages 1, 2 and 3 shard: the ZeRO paper's Figure 1 for this model on "
                     f"{plan.data_parallel_degree} data-parallel GPUs"):
        st.dataframe(pd.DataFrame([{"stage": z.name, "shards": z.shards, "model states per GPU": format_bytes(z.bytes_per_gpu)}
                                   for z in plan.zero_stages]), hide_index=True, width="stretch")
        st.caption("Rajbhandari et al. 2020, Figure 1 and §5: 16-bit weights and gradients (2 + 2 B/param) and K = 12 "
                   "B/param of Adam states, model states only (no activations); the paper's own example, 7.5B "
                   "parameters on 64 GPUs, gives 120, 31.4, 16.6 and 1.9 GB.")
    cost = plan.time_and_cost
    if cost is None:
        st.caption(plan.time_note)
        return
    c = st.columns(3)
    c[0].metric("Training time", format_duration(cost.days * 86_400), help=f"on {cost.gpus} × {gpu.name}")
    c[1].metric("GPU-hours", format_number(cost.gpu_hours))
    c[2].metric("Cost", format_money(cost.cost_usd), help=f"at {format_money(cost.price_usd_per_hour)} per GPU-hour")
    st.caption(f"{plan.training_flops:.3g} FLOPs ({plan.flops_per_param_token}·N·D: {plan.flops_basis}) = {format_number(cost.pf_days)} PF-days on "
               f"{cost.gpus} × {gpu.name} at {format_percent(cost.mfu)} MFU.")
    if plan.communication is not None:
        st.caption(plan.communication.note)


def _save_and_compare(project, stage, k, setup, plan) -> None:
    if project is None:
        st.caption("Open a project to save this configuration as a scenario.")
        return
    c = st.columns([3, 1])
    kind = "train" if isinstance(setup, TrainingSetup) else "infer"
    name = c[0].text_input("Scenario name", f"{setup.model.name} — {kind}", key=k + "scenario_name", max_chars=200)
    if c[1].button("Save as scenario", key=k + "save", disabled=common.read_only(project)):
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
                                    "peak": format_bytes(s.result.estimate.peak_allocated_bytes),
                                    "needs": format_bytes(s.result.estimate.required_bytes),
                                    "GPU": s.result.gpu.name if s.result.gpu else "—",
                                    "fits": "—" if s.result.fits is None else ("yes" if s.result.fits else "no"),
                                    "fewest GPUs": str(s.result.min_gpus or "—")} for s in saved]),
                     hide_index=True, width="stretch")
        bars = {}
        for i, s in enumerate(saved, 1):  # same-named scenarios get a number so their bars stay apart
            bars[s.name if s.name not in bars else f"{s.name} #{i}"] = estimate_bars(s.result.estimate)
        common.plotly_chart(memory_stack_figure(bars, title="Saved scenarios side by side"), width="stretch",
                        key=k + "compare")
        plan_choice.picker(project, saved, k + "plan_")


def _slide_rule() -> None:
    c = slide_rule_check()
    scale = ", ".join(f"{p / 1e9:,.0f}B → {gb:,.0f} GB" for p, gb in c.scale_rows)
    reach = (f"{c.model_id} in fp32 reaches it at micro-batch {c.micro_batch} × {c.seq_len:,} tokens "
             f"({format_bytes(c.estimate_bytes)})" if c.micro_batch else "no micro-batch up to 4,096 reaches it")
    st.caption(f"The course slides' rule — 80 GB to train 1B parameters at 32-bit ({scale}) — is weights, gradients "
               f"and Adam ({format_bytes(c.model_states_bytes)} for {c.params / 1e9:.1f}B) plus activations: {reach}.")
