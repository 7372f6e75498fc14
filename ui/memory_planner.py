"""Adapt & Align (and Integrate): will it fit, on how many GPUs of which kind, with which strategy?

Per-GPU memory by component against the GPU's capacity, GPU count by strategy, training time and cost,
the classic rules of thumb beside our estimate, the quantisation table, and saved scenarios side by side.
"""

from __future__ import annotations

import json

import pandas as pd
import streamlit as st

from lifecycle.charts.memory import memory_stack_figure, strategy_figure
from lifecycle.errors import LifecycleError
from lifecycle.memory.estimate import training_memory
from lifecycle.memory.inference import inference_memory
from lifecycle.memory.planner import (
    RULES,
    min_gpus,
    min_gpus_inference,
    rule_of_thumb_bytes,
    strategy_table,
    what_would_fit,
    why_rules_differ,
)
from lifecycle.models.architecture import ModelShape
from lifecycle.models.gpus import get_gpu
from lifecycle.records.project import Project, Scenario
from lifecycle.scaling.compute import DEFAULT_MFU, mfu_references, training_flops, training_time_and_cost
from lifecycle.serving.quantization import quantization_table
from ui import common
from ui.integrate_inputs import pick_gpu
from ui.memory_planner_inputs import model_shape, serving_knobs, training_knobs

GB = 1e9


def render(project: Project | None) -> None:
    _render(project, stage="adapt", k="memory_planner_")


def render_serving(project: Project | None) -> None:
    """The same planner on the Integrate page, for serving."""
    _render(project, stage="integrate", k="memory_serving_")


def _render(project: Project | None, *, stage: str, k: str) -> None:
    st.subheader("Memory & GPUs: will it fit, on how many GPUs, with which strategy?")
    st.caption("Per-GPU peak memory from the tensors PyTorch keeps (weights, gradients, optimizer states, saved "
               "activations, fp32 logits/loss buffers, attention scores, KV cache), checked against peak memory "
               "measured on an H200 (tests/data/h200-measurements.jsonl; benchmarks/memory_accuracy.py prints the "
               "errors). GB = 10⁹ bytes.")
    try:
        picked = model_shape(project, k)
    except LifecycleError as exc:
        common.show_error(exc)
        return
    if picked is None:
        return
    label, shape = picked
    modes = ("Train / fine-tune", "Serve (inference)")
    workload = st.segmented_control("Workload", modes, default=modes[1 if stage == "integrate" else 0],
                                    key=k + "workload") or modes[0]
    gpu = pick_gpu(project, k + "gpu")
    try:
        if workload == modes[0]:
            knobs = training_knobs(shape, k, project)
            est = training_memory(shape, **knobs)
        else:
            knobs = serving_knobs(shape, k)
            est = inference_memory(shape, **knobs)
    except LifecycleError as exc:
        common.show_error(exc)
        return
    train = workload == modes[0]
    _verdict(est, gpu)
    rules = rule_of_thumb_bytes(est.params, precision=knobs["precision"], workload="train" if train else "infer",
                                gpus=knobs.get("gpus", 1))
    bars = {"our estimate": {**est.components, "allocator slack": est.allocator_slack_bytes,
                             "CUDA context": est.cuda_context_bytes}}
    bars.update({name: {name: value} for name, value in rules.items() if value is not None})
    st.plotly_chart(memory_stack_figure(bars, capacity_bytes=gpu.memory_bytes, gpu_name=gpu.name,
                                        title=f"Memory per GPU — {label}"), width="stretch", key=k + "stack")
    st.markdown(f"**Why the rules of thumb differ:** {why_rules_differ(est, est.params)}")
    st.dataframe(pd.DataFrame([{"rule": n, "predicts (GB)": None if v is None else round(v / GB, 2),
                                "vs our estimate": None if v is None else f"{v / est.peak_allocated_bytes - 1:+.0%}",
                                "what it counts": RULES[n]} for n, v in rules.items()]), hide_index=True, width="stretch")
    for note in est.notes:
        st.caption(note)
    results = {"components": est.components, "peak_allocated_bytes": est.peak_allocated_bytes,
               "peak_reserved_bytes": est.peak_reserved_bytes, "allocator_slack_bytes": est.allocator_slack_bytes,
               "cuda_context_bytes": est.cuda_context_bytes, "required_bytes": est.required_bytes,
               "fits": est.fits(gpu), "gpu": gpu.id, "gpu_memory_bytes": gpu.memory_bytes,
               "params": est.params, "trainable_params": est.trainable_params}
    if train:
        results.update(_strategies_and_cost(shape, gpu, knobs, est, k))
    else:
        results["min_gpus"] = min_gpus_inference(shape, gpu, **{x: v for x, v in knobs.items() if x != "tp"})
        st.markdown(f"**Fewest GPUs (tensor parallel) that serve this on {gpu.name}:** {results['min_gpus'] or 'none up to 64'}")
    with st.expander("Number formats: memory of this model's weights in each"):
        st.dataframe(pd.DataFrame([{"format": r["format"], "bits": r["bits"], "exponent bits": r["exponent_bits"],
                                    "fraction bits": r["fraction_bits"], "bytes per value": r["bytes_per_value"],
                                    "weights (GB)": round(r["weights_gb"], 2)} for r in quantization_table(est.params)]),
                     hide_index=True, width="stretch")
    _save_and_compare(project, stage, k, label, {"model": label, "workload": "train" if train else "infer", **knobs},
                      results)


def _verdict(est, gpu) -> None:
    c = st.columns(4)
    c[0].metric("Peak allocated", f"{est.peak_allocated_bytes / GB:.1f} GB", help=f"at the {est.peak_phase}")
    c[1].metric("Reserved (+ allocator slack)", f"{est.peak_reserved_bytes / GB:.1f} GB")
    c[2].metric("Needs (+ CUDA context)", f"{est.required_bytes / GB:.1f} GB")
    c[3].metric(f"{gpu.name}", f"{gpu.memory_bytes / GB:.0f} GB", delta="fits" if est.fits(gpu) else "does not fit",
                delta_color="normal" if est.fits(gpu) else "inverse")
    headroom = gpu.memory_bytes - est.required_bytes
    if est.fits(gpu) and headroom < 0.1 * gpu.memory_bytes:
        st.warning(f"Tight: {headroom / GB:.1f} GB of headroom. Reserved memory varied by ±10 % around our "
                   "prediction in the measurements; leave a margin.")


def _strategies_and_cost(shape, gpu, knobs, est, k) -> dict:
    base = {x: v for x, v in knobs.items() if x not in ("gpus",)}
    count, _ = min_gpus(shape, gpu, **base)
    rows = _strategy_rows(shape.model_dump_json(), gpu.id, json.dumps(base, sort_keys=True))
    st.markdown(f"**Fewest {gpu.name} GPUs with {knobs['strategy']}:** {count or 'does not fit at any count'}")
    if count is None:
        ideas = what_would_fit(shape, gpu, **base)
        st.warning("Nothing fits with these settings. " + (
            "Would fit with: " + "; ".join(ideas) + "." if ideas else "Try a smaller micro-batch, checkpointing, "
            "LoRA/QLoRA or a larger GPU."))
    st.dataframe(pd.DataFrame([{"strategy": r["title"], "CPU offload": r["offload"],
                                "fewest GPUs": str(r["min_gpus"]) if r["min_gpus"] else "does not fit",
                                "per GPU at that count (GB)": None if r["min_gpus"] is None else round(r["per_gpu_required_bytes"] / GB, 1),
                                "CPU RAM for offload (GB)": round((r["cpu_offload_bytes"] or 0) / GB, 1)}
                               for r in rows]), hide_index=True, width="stretch")
    st.plotly_chart(strategy_figure(rows, gpu_name=gpu.name), width="stretch", key=k + "strategies")
    st.markdown("**Training time and cost**")
    c = st.columns(4)
    tokens = c[0].number_input("Training tokens", 1e3, 1e15, 1e9, format="%.3g", key=k + "tokens")
    n = c[1].number_input("GPUs for the run", 1, 65_536, max(knobs["gpus"], count or 1), key=k + "run_gpus")
    mfu = c[2].number_input("MFU", 0.01, 1.0, DEFAULT_MFU, 0.01, key=k + "mfu",
                            help=mfu_references()["_meta"]["default_mfu_source"])
    price = c[3].number_input("USD per GPU-hour", 0.0, 1000.0, float(gpu.price_usd_per_hour), 0.1, key=k + f"price_{gpu.id}")
    precision = "fp32" if knobs["precision"] == "fp32" else ("fp16" if "fp16" in knobs["precision"] else "bf16")
    try:
        flops = training_flops(est.params, tokens, recompute=knobs["grad_checkpointing"])
        cost = training_time_and_cost(flops, gpu, gpus=int(n), mfu=mfu, price_usd_per_hour=price, precision=precision)
    except LifecycleError as exc:
        common.show_error(exc)
        return {"min_gpus": count}
    st.markdown(f"{flops:.3g} FLOPs (6·N·D{', 8·N·D with recomputation' if knobs['grad_checkpointing'] else ''}) = "
                f"{cost.pf_days:.3g} PF-days → **{cost.days:.3g} days** on {int(n)} × {gpu.name} at {mfu:.0%} MFU, "
                f"{cost.gpu_hours:,.0f} GPU-hours, **${cost.cost_usd:,.0f}** at ${price:.2f}/GPU-hour.")
    return {"min_gpus": count, "by_strategy": rows, "training_tokens": tokens, "days": cost.days,
            "gpu_hours": cost.gpu_hours, "cost_usd": cost.cost_usd, "mfu": mfu}


@st.cache_data(show_spinner=False, max_entries=256)
def _strategy_rows(shape_json: str, gpu_id: str, base_json: str) -> list[dict]:
    """The strategy table (tens of estimates), cached per model, GPU and knobs so reruns stay fast."""
    return strategy_table(ModelShape.model_validate_json(shape_json), get_gpu(gpu_id), **json.loads(base_json))


def _save_and_compare(project, stage, k, label, inputs, results) -> None:
    if project is None:
        st.caption("Open a project to save this configuration as a scenario.")
        return
    c = st.columns([3, 1])
    name = c[0].text_input("Scenario name", f"{label} — {inputs['workload']}", key=k + "scenario_name", max_chars=200)
    if c[1].button("Save as scenario", key=k + "save"):
        try:
            scenario = Scenario(kind="memory", name=name.strip() or label, inputs=inputs, results=results)
        except ValueError as exc:
            st.error(common.escape_md(f"Scenario not saved: {exc}"))
            return
        if common.save_scenario(project, stage, scenario) is not None:
            st.rerun()
    saved = [s for s in project.stage(stage).scenarios if s.kind == "memory"]
    if saved:
        st.markdown("**Saved memory scenarios**")
        st.dataframe(pd.DataFrame([{"scenario": s.name, "peak (GB)": round(s.results.get("peak_allocated_bytes", 0) / GB, 1),
                                    "needs (GB)": round(s.results.get("required_bytes", 0) / GB, 1),
                                    "GPU": s.results.get("gpu"), "fits": s.results.get("fits"),
                                    "fewest GPUs": str(s.results.get("min_gpus") or "—")} for s in saved]),
                     hide_index=True, width="stretch")
        bars = {}
        for i, s in enumerate(saved, 1):  # same-named scenarios get a number so their bars stay apart
            bars[s.name if s.name not in bars else f"{s.name} #{i}"] = {
                **(s.results.get("components") or {}), "allocator slack": s.results.get("allocator_slack_bytes", 0)}
        st.plotly_chart(memory_stack_figure(bars, title="Saved scenarios side by side"), width="stretch",
                        key=k + "compare")
