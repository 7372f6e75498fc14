"""Integrate: the serving plan — memory per GPU, largest batch/context, throughput, latency and cost."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from lifecycle.charts.serving import memory_vs_sequences_figure, throughput_vs_batch_figure
from lifecycle.choices import KvCacheDtype, options, title
from lifecycle.display import format_bytes, format_duration, format_money, format_number, format_rate
from lifecycle.errors import LifecycleError
from lifecycle.models.ref import ModelRef
from lifecycle.records.project import Project
from lifecycle.records.project_facts import DEFAULT_CONCURRENT_SEQUENCES
from lifecycle.records.scenarios import make_scenario
from lifecycle.serving.batching import BatchingSetup, continuous_batching
from lifecycle.serving.plan import (
    DEFAULT_ENGINE,
    SERVING_PRECISIONS,
    ServingPlan,
    ServingSetup,
    get_engine,
    list_engines,
    serving_plan,
)
from ui import common, plan_choice
from ui import project_facts as project_facts_ui
from ui.bounds import bounds
from ui.integrate_inputs import pick_gpu, pick_model


def _inputs(project: Project | None) -> ServingSetup:
    facts = project_facts_ui.facts_for(project, "serving_plan_")
    model = pick_model(project, "serving_plan_model")
    c1, c2, c3 = st.columns(3)
    with c2:
        gpu = pick_gpu(project, "serving_plan_gpu", serving=True)
    # Integrate's saved precision, else the format the checkpoint ships in, else the team's precision
    shipped = model.shape.shipped_format if model.shape.shipped_format in SERVING_PRECISIONS else None
    saved_precision = project.integrate.precision if project and project.integrate.precision in SERVING_PRECISIONS \
        else shipped or (facts.weight_format if facts.weight_format in SERVING_PRECISIONS else "bf16")
    if saved_precision == "bf16" and gpu.peak_bf16_dense_flops is None:
        saved_precision = "fp16"  # V100, T4: no bf16 tensor cores, so the default must not be refused
    precision = c1.selectbox("Precision", SERVING_PRECISIONS, index=SERVING_PRECISIONS.index(saved_precision),
                             key="serving_plan_precision")
    gpus = c3.number_input("GPUs per replica (tensor parallel)", *bounds(ServingSetup, "gpus"),
                           value=_default_gpus(project, facts, model.shape.kv_heads), key="serving_plan_gpus",
                           help="Default: the GPUs saved on this page, else the team's GPUs (Scope) when they split "
                                "the model's KV heads evenly.")
    c1, c2, c3 = st.columns(3)
    batch = c1.number_input("Concurrent sequences", *bounds(ServingSetup, "concurrent_sequences"),
                            value=DEFAULT_CONCURRENT_SEQUENCES, key="serving_plan_batch")
    decoder = model.family != "encoder"
    seq2seq = model.family == "encoder-decoder"
    window = max(1, model.max_context)
    prompt_default, new_default = facts.serving_lengths_for(model.family, window)
    # A decoder's prompt and output share its window; an encoder-decoder's each have the window of their own side.
    prompt = c2.number_input("Encoder input tokens" if seq2seq else "Prompt tokens", min_value=1,
                             max_value=window if seq2seq else max(1, window - 1),
                             value=min(prompt_default, window if seq2seq else max(1, window - 1)),
                             key="serving_plan_prompt")
    new = c3.number_input("Decoder output tokens" if seq2seq else "New tokens per sequence", min_value=0,
                          max_value=window if seq2seq else max(0, window - 1), value=new_default if decoder else 0,
                          key="serving_plan_new", disabled=not decoder,
                          help=None if decoder else "Encoders produce no new tokens.")
    engines = {e.id: e for e in list_engines()}
    c1, c2 = st.columns(2)
    engine_id = c1.selectbox("Serving engine (measured efficiencies)", list(engines), format_func=lambda i: engines[i].name,
                             index=list(engines).index(DEFAULT_ENGINE), key="serving_plan_engine")
    kv_dtype = c2.selectbox("KV cache", options(KvCacheDtype), format_func=title, key="serving_plan_kv_dtype",
                            help="vLLM kv_cache_dtype: FP8 stores one byte per value (accuracy note in the assumptions)")
    eng = get_engine(engine_id)
    with st.expander("Efficiency and price assumptions (editable)"):
        st.caption(f"{eng.note} Source: {eng.source}")
        a, b, c, d = st.columns(4)
        bw = a.number_input("Bandwidth efficiency", *bounds(ServingSetup, "bandwidth_efficiency", float, low=0.05),
                            float(eng.bandwidth_efficiency), 0.01,
                            key=f"serving_plan_bw_{engine_id}")
        overhead_us = b.number_input("Overhead per layer per step (µs)",
                                     *(1e6 * x for x in bounds(ServingSetup, "per_layer_overhead_s", float)),
                                     float(eng.per_layer_overhead_s * 1e6), 10.0, key=f"serving_plan_overhead_{engine_id}")
        util = c.number_input("Prefill utilisation", *bounds(ServingSetup, "prefill_utilisation", float, low=0.05),
                              float(eng.prefill_utilisation), 0.01,
                              key=f"serving_plan_util_{engine_id}")
        price = d.number_input("Price per GPU-hour (USD)", *bounds(ServingSetup, "price_usd_per_hour", float),
                               float(gpu.price_usd_per_hour), 0.1,
                               key=f"serving_plan_price_{gpu.id}")
    project_facts_ui.note(facts, {"input_tokens": int(prompt), "output_tokens": int(new) if decoder else 0}, project)
    return ServingSetup(model=ModelRef.of(model), precision=precision, kv_cache_dtype=kv_dtype, gpu=gpu.id, gpus=int(gpus),
                        concurrent_sequences=int(batch), prompt_tokens=int(prompt), new_tokens=int(new) if decoder else 0,
                        engine=engine_id, bandwidth_efficiency=float(bw), per_layer_overhead_s=float(overhead_us) / 1e6,
                        prefill_utilisation=float(util), price_usd_per_hour=float(price),
                        latency_target_ms=facts.latency_ms_p95, throughput_target_rps=facts.throughput_rps)


def _default_gpus(project: Project | None, facts, kv_heads: int) -> int:
    """Integrate's saved GPU count, else the team's GPUs when tensor parallelism can split the KV heads, else 1."""
    if project is not None and project.integrate.gpu_count:
        return min(int(project.integrate.gpu_count), 64)
    team = min(facts.gpus, 64) if "gpus" in facts.from_project else 1
    return team if kv_heads % team == 0 or team % kv_heads == 0 else 1


def render(project: Project | None) -> None:
    st.caption("Memory from the memory planner (weights + KV cache with grouped-query attention + activations + "
               "runtime overhead). Prefill is compute-bound (≈ 2·N FLOPs per prompt token); decode is "
               "memory-bandwidth-bound (bytes read per step ÷ bandwidth). GB = 10⁹ bytes.")
    try:
        setup = _inputs(project)
        plan = serving_plan(setup)
    except LifecycleError as exc:
        common.show_error(exc)
        return
    _results(plan)
    common.plotly_chart(memory_vs_sequences_figure(plan.sweep), width="stretch", key="serving_plan_memory_chart")
    common.plotly_chart(throughput_vs_batch_figure(plan.sweep), width="stretch", key="serving_plan_throughput_chart")
    with st.expander("Assumptions of the throughput model"):
        for a in plan.assumptions:
            st.markdown(f"- {a}")
    if plan.new_tokens:
        _request_view(setup)
    if project is not None:
        _save(project, setup, plan)


def _request_view(setup: ServingSetup) -> None:
    """Continuous batching: what one request sees at an arrival rate (vLLM/TGI/SGLang schedule step by step)."""
    st.subheader("Continuous batching: per request")
    target = float(setup.throughput_target_rps or 0.0)
    low, high = bounds(BatchingSetup, "arrival_rate_rps", float, low=0.0)  # 0: off (None)
    rate = st.number_input("Arrival rate (requests/s, Poisson; 0: off)", low, high, min(target, high), 0.5,
                           key="serving_plan_arrival_rate")
    if rate <= 0:
        st.caption("Set an arrival rate to see each request's time to first token, inter-token latency and p95 "
                   "under continuous batching, and the batch the engine settles at.")
        return
    try:
        view = continuous_batching(BatchingSetup(serving=setup, arrival_rate_rps=float(rate)))
    except LifecycleError as exc:
        common.show_error(exc)
        return
    a, b, c, d = st.columns(4)
    a.metric("TTFT p95 (continuous batching)", format_duration(view.ttft_p95_s),
             help=f"mean {format_duration(view.ttft_mean_s)}")
    b.metric("Inter-token latency", format_duration(view.itl_mean_s), help=f"p95 {format_duration(view.itl_p95_s)}")
    c.metric("Request latency p95", format_duration(view.latency_p95_s))
    d.metric("Settled batch", f"{view.settled_batch:,.1f}", help=f"{format_number(view.max_batch)} fit at this context")
    for note in view.notes:
        (st.warning if "outpace" in note else st.caption)(note)


def _results(plan: ServingPlan) -> None:
    (st.success if plan.fits else st.error)(
        f"Needs {format_bytes(plan.memory_total_bytes)} per GPU of {format_bytes(plan.gpu_memory_bytes)}: "
        + ("fits." if plan.fits else "does not fit — lower the batch, the context or the precision, or add GPUs."))
    a, b, c, d = st.columns(4)
    a.metric("Largest batch at this context", format_number(plan.max_batch))
    b.metric("Largest context at this batch", format_number(plan.max_context),
             help=f"Model limit {format_number(plan.context_limit)} tokens")
    c.metric("Time to first token (static batch)", format_duration(plan.prefill_s),
             help="All sequences start together: the whole batch's prefill. Set an arrival rate below for the "
             "per-request view under continuous batching.")
    d.metric("Request latency (static batch)", format_duration(plan.request_latency_s))
    if plan.new_tokens == 0:
        _encoder_results(plan)
    else:
        _decoder_results(plan)
    st.dataframe(pd.DataFrame([{"component": k, "per GPU": format_bytes(v)} for k, v in plan.memory_components.items()]),
                 hide_index=True, width="stretch")


def _targets(plan: ServingPlan) -> None:
    if plan.meets_latency is not None:
        (st.success if plan.meets_latency else st.warning)(
            f"p95 latency {format_duration(plan.p95_latency_s)} "
            + ("meets" if plan.meets_latency else "misses") + " the project's target (Scope).")
    if plan.replicas_for_throughput is not None:
        st.info(f"{plan.replicas_for_throughput:,} replica(s) of {plan.gpus} GPU(s) reach the project's throughput "
                f"target at {format_rate(plan.requests_per_s, 'requests')} each.")


def _encoder_results(plan: ServingPlan) -> None:
    """An encoder answers with a label per request: requests per second, latency and cost per request."""
    a, b, c, d = st.columns(4)
    a.metric("Requests per second", format_rate(plan.requests_per_s, "requests"),
             help=f"{plan.batch} sequences of {plan.prompt_tokens} tokens per forward pass, one replica")
    b.metric("p95 latency", format_duration(plan.p95_latency_s),
             help="Static batch: every request of a batch is answered when the forward pass ends; queueing not modelled.")
    d.metric("Replicas for the target", "—" if plan.replicas_for_throughput is None
             else f"{plan.replicas_for_throughput:,}", help="The project's throughput target (Scope) ÷ requests/s.")
    c.metric("Cost per 1,000 requests", format_money(plan.cost_per_thousand_requests_usd))
    _targets(plan)


def _decoder_results(plan: ServingPlan) -> None:
    a, b, c, d = st.columns(4)
    a.metric("Decode tokens/s (all sequences)", format_rate(plan.decode_tokens_per_s), help=f"{plan.decode_bound}-bound")
    b.metric("Tokens/s per sequence", format_rate(plan.per_sequence_tokens_per_s))
    out = plan.cost_per_million_output_tokens_usd
    c.metric("Cost per 1M output tokens", "n/a" if out is None else format_money(out))
    d.metric("Cost per 1M tokens (in + out)", format_money(plan.cost_per_million_tokens_usd))
    st.caption(f"Cost per 1,000 requests: {format_money(plan.cost_per_thousand_requests_usd)}.")
    _targets(plan)


def _save(project: Project, setup: ServingSetup, plan: ServingPlan) -> None:
    left, right = st.columns(2)
    if left.button("Save precision and GPUs to the project", key="serving_plan_save",
                   disabled=common.read_only(project)):
        project.integrate.precision = setup.precision
        project.integrate.gpu_id = setup.gpu
        project.integrate.gpu_count = setup.gpus
        if common.save_project(project, "integrate", summary="Saved serving plan decisions"):
            st.rerun()
    if right.button("Save as scenario", key="serving_plan_scenario", disabled=common.read_only(project)):
        name = (f"{setup.model.id} {setup.precision} on {setup.gpus}x{setup.gpu}, "
                f"batch {setup.concurrent_sequences}")
        common.save_scenario(project, "integrate", make_scenario(setup, result=plan, name=name, author=common.author()))
    plan_choice.picker(project, [s for s in project.integrate.scenarios if s.kind == "serving"], "serving_plan_plan_")
