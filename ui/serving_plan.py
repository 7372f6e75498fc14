"""Integrate: the serving plan — memory per GPU, largest batch/context, throughput, latency and cost."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from lifecycle.charts.serving import memory_vs_sequences_figure, throughput_vs_batch_figure
from lifecycle.errors import LifecycleError
from lifecycle.models.catalog import CatalogModel
from lifecycle.records.project import Project, Scenario
from lifecycle.serving.plan import (
    DEFAULT_ENGINE,
    SERVING_PRECISIONS,
    batch_sweep,
    get_engine,
    list_engines,
    serving_plan,
    sweep_batches,
)
from ui import common
from ui.integrate_inputs import pick_gpu, pick_model

GB = 1e9


@st.cache_data(show_spinner=False, max_entries=64)
def _plan(model_json: str, batch: int, kwargs: tuple) -> dict:
    return serving_plan(CatalogModel.model_validate_json(model_json), batch=batch, **dict(kwargs)).model_dump()


@st.cache_data(show_spinner=False, max_entries=32)
def _sweep(model_json: str, batches: tuple, kwargs: tuple) -> list:
    return batch_sweep(CatalogModel.model_validate_json(model_json), list(batches), **dict(kwargs))


def _inputs(project: Project | None) -> tuple[CatalogModel, int, dict]:
    model = pick_model(project, "serving_plan_model")
    c1, c2, c3 = st.columns(3)
    saved_precision = project.integrate.precision if project and project.integrate.precision in SERVING_PRECISIONS else "bf16"
    precision = c1.selectbox("Precision", SERVING_PRECISIONS, index=SERVING_PRECISIONS.index(saved_precision),
                             key="serving_plan_precision")
    with c2:
        gpu = pick_gpu(project, "serving_plan_gpu")
    gpus = c3.number_input("GPUs per replica (tensor parallel)", min_value=1, max_value=64,
                           value=int(project.integrate.gpu_count or 1) if project else 1, key="serving_plan_gpus")
    c1, c2, c3 = st.columns(3)
    batch = c1.number_input("Concurrent sequences", min_value=1, max_value=4096, value=16, key="serving_plan_batch")
    scope_in = project.scope.input_tokens if project and project.scope.input_tokens else 512
    prompt = c2.number_input("Prompt tokens", min_value=1, max_value=max(1, model.max_context - 1),
                             value=min(scope_in, max(1, model.max_context - 1)), key="serving_plan_prompt")
    decoder = model.family != "encoder"
    scope_out = project.scope.output_tokens if project and project.scope.output_tokens else 256
    new = c3.number_input("New tokens per sequence", min_value=0, max_value=max(0, model.max_context - 1),
                          value=min(scope_out, model.max_context // 2) if decoder else 0, key="serving_plan_new",
                          disabled=not decoder, help=None if decoder else "Encoders produce no new tokens.")
    engines = {e.id: e for e in list_engines()}
    engine_id = st.selectbox("Serving engine (measured efficiencies)", list(engines), format_func=lambda i: engines[i].name,
                             index=list(engines).index(DEFAULT_ENGINE), key="serving_plan_engine")
    eng = get_engine(engine_id)
    with st.expander("Efficiency and price assumptions (editable)"):
        st.caption(f"{eng.note} Source: {eng.source}")
        a, b, c, d = st.columns(4)
        bw = a.number_input("Bandwidth efficiency", 0.05, 1.0, float(eng.bandwidth_efficiency), 0.01,
                            key=f"serving_plan_bw_{engine_id}")
        overhead_us = b.number_input("Overhead per layer per step (µs)", 0.0, 100_000.0,
                                     float(eng.per_layer_overhead_s * 1e6), 10.0, key=f"serving_plan_overhead_{engine_id}")
        util = c.number_input("Prefill utilisation", 0.05, 1.0, float(eng.prefill_utilisation), 0.01,
                              key=f"serving_plan_util_{engine_id}")
        price = d.number_input("Price per GPU-hour (USD)", 0.0, 1_000.0, float(gpu.price_usd_per_hour), 0.1,
                               key=f"serving_plan_price_{gpu.id}")
    kwargs = {"precision": precision, "gpu": gpu.id, "gpus": int(gpus), "prompt_tokens": int(prompt),
              "new_tokens": int(new) if decoder else 0, "engine": engine_id, "bandwidth_efficiency": float(bw),
              "per_layer_overhead_s": float(overhead_us) / 1e6, "prefill_utilisation": float(util),
              "price_usd_per_hour": float(price)}
    return model, int(batch), kwargs


def render(project: Project | None) -> None:
    st.subheader("Serving plan")
    st.caption("Memory from the memory planner (weights + KV cache with grouped-query attention + activations + "
               "runtime overhead). Prefill is compute-bound (≈ 2·N FLOPs per prompt token); decode is "
               "memory-bandwidth-bound (bytes read per step ÷ bandwidth). GB = 10⁹ bytes.")
    model, batch, kwargs = _inputs(project)
    try:
        model_json = model.model_dump_json()
        plan = _plan(model_json, batch, tuple(sorted(kwargs.items())))
        plans = _sweep(model_json, tuple(sweep_batches(batch, plan["max_batch"])), tuple(sorted(kwargs.items())))
    except LifecycleError as exc:
        common.show_error(exc)
        return
    _results(plan)
    st.plotly_chart(memory_vs_sequences_figure(plans), width="stretch", key="serving_plan_memory_chart")
    st.plotly_chart(throughput_vs_batch_figure(plans), width="stretch", key="serving_plan_throughput_chart")
    with st.expander("Assumptions of the throughput model"):
        for a in plan["assumptions"]:
            st.markdown(f"- {a}")
    if project is not None:
        _save(project, model, batch, kwargs, plan)


def _results(plan: dict) -> None:
    (st.success if plan["fits"] else st.error)(
        f"Needs {plan['memory_total_bytes'] / GB:,.2f} GB per GPU of {plan['gpu_memory_bytes'] / GB:,.0f} GB: "
        + ("fits." if plan["fits"] else "does not fit — lower the batch, the context or the precision, or add GPUs."))
    a, b, c, d = st.columns(4)
    a.metric("Largest batch at this context", f"{plan['max_batch']:,}")
    b.metric("Largest context at this batch", f"{plan['max_context']:,}", help=f"Model limit {plan['context_limit']:,} tokens")
    c.metric("Time to first token", f"{plan['prefill_s'] * 1e3:,.0f} ms")
    d.metric("Request latency", f"{plan['request_latency_s']:,.2f} s")
    a, b, c, d = st.columns(4)
    a.metric("Decode tokens/s (all sequences)", f"{plan['decode_tokens_per_s']:,.0f}", help=f"{plan['decode_bound']}-bound")
    b.metric("Tokens/s per sequence", f"{plan['per_sequence_tokens_per_s']:,.1f}")
    out = plan["cost_per_million_output_tokens_usd"]
    c.metric("Cost per 1M output tokens", "n/a" if out is None else f"${out:,.3f}")
    d.metric("Cost per 1M tokens (in + out)", f"${plan['cost_per_million_tokens_usd']:,.3f}")
    st.dataframe(pd.DataFrame([{"component": k, "GB per GPU": round(v / GB, 3)} for k, v in plan["memory_components"].items()]),
                 hide_index=True, width="stretch")


def _save(project: Project, model: CatalogModel, batch: int, kwargs: dict, plan: dict) -> None:
    left, right = st.columns(2)
    if left.button("Save precision and GPUs to the project", key="serving_plan_save"):
        project.integrate.precision = kwargs["precision"]
        project.integrate.gpu_id = kwargs["gpu"]
        project.integrate.gpu_count = kwargs["gpus"]
        if common.save_project(project, "integrate", summary="Saved serving plan decisions"):
            st.rerun()
    if right.button("Save as scenario", key="serving_plan_scenario"):
        name = f"{model.id} {kwargs['precision']} on {kwargs['gpus']}x{kwargs['gpu']}, batch {batch}"
        results = {k: plan[k] for k in ("fits", "memory_total_bytes", "max_batch", "max_context", "prefill_s",
                                        "decode_step_s", "decode_tokens_per_s", "request_latency_s",
                                        "throughput_tokens_per_s", "cost_per_million_output_tokens_usd")}
        scenario = Scenario(kind="serving", name=name, author=common.author(),
                            inputs={"model_id": model.id, "model": model.model_dump(mode="json"), "batch": batch,
                                    **kwargs}, results=results)
        common.save_scenario(project, "integrate", scenario)
