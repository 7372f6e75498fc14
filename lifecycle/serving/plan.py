"""Serving plan: memory per GPU, the largest batch/context that fits, throughput, latency and cost.

Memory comes from ``lifecycle.memory.inference.inference_memory`` (one formula for the whole app).
Speed is a roofline model (Williams et al. 2009) with measured efficiencies (data/serving_engines.json):
- prefill is compute-bound: FLOPs = batch · p · (2·N + 2·n_layer·p·d_attn) (Kaplan et al. 2020, eq. 2.2; N the
  active parameters without the input-embedding lookup, ``flop_parameter_count``),
  time = FLOPs / (tp · peak · prefill_utilisation);
- a decode step is memory-bound: every weight and the whole KV cache are read once per step,
  time = max(bytes / (bandwidth · efficiency), FLOPs / (peak · utilisation)) + layers · per-layer overhead.
"""

from __future__ import annotations

import json
import math
from functools import lru_cache

from pydantic import BaseModel, Field, model_validator

from lifecycle._lookup import find_by_id
from lifecycle._typed import Result, Setup
from lifecycle.choices import KvCacheDtype, WeightFormat, compute_precision, options
from lifecycle.limits import MAX_TOKENS, MAX_USD_PER_GPU_HOUR
from lifecycle.memory.inference import inference_memory
from lifecycle.memory.setup import InferenceSetup
from lifecycle.models.architecture import flop_parameter_count
from lifecycle.models.gpus import get_gpu
from lifecycle.models.ref import ModelRef, with_shipped_precision
from lifecycle.resources import data_path
from lifecycle.serving.decode import (  # noqa: F401  (decode_bytes_per_step, forward_flops… are imported from here)
    DecodeStep,
    decode_bytes_per_step,
    decode_layers,
    decode_step,
    forward_flops,
    touched_weight_fraction,
    unread_expert_bytes,
)

SERVING_PRECISIONS = options(WeightFormat)
MAX_SEARCH_BATCH = 1 << 16


class Engine(BaseModel):
    id: str
    name: str
    bandwidth_efficiency: float
    per_layer_overhead_s: float
    prefill_utilisation: float
    note: str
    source: str


@lru_cache(maxsize=1)
def _engines_doc() -> dict:
    return json.loads(data_path("serving_engines.json").read_text(encoding="utf-8"))


def list_engines() -> list[Engine]:
    return [Engine(**row) for row in _engines_doc()["engines"]]


DEFAULT_ENGINE: str = _engines_doc()["default"]


def get_engine(engine_id: str) -> Engine:
    return find_by_id({e.id: e for e in list_engines()}, engine_id, "serving engine")


class ServingSetup(Setup):
    """One replica serving ``concurrent_sequences`` at once, tensor parallel over ``gpus`` GPUs of kind ``gpu``.
    The engine's measured efficiencies apply unless overridden (None)."""

    model: ModelRef
    precision: WeightFormat = "bf16"
    kv_cache_dtype: KvCacheDtype = "auto"  # vLLM kv_cache_dtype="fp8": half the KV cache (accuracy: see assumptions)
    gpu: str = Field("h100-80gb", min_length=1, max_length=64)
    gpus: int = Field(1, ge=1, le=64)
    concurrent_sequences: int = Field(1, ge=1, le=MAX_SEARCH_BATCH)
    prompt_tokens: int = Field(512, ge=1, le=MAX_TOKENS)
    new_tokens: int = Field(256, ge=0, le=MAX_TOKENS)
    engine: str = Field(DEFAULT_ENGINE, min_length=1, max_length=64)
    bandwidth_efficiency: float | None = Field(None, gt=0, le=1)
    per_layer_overhead_s: float | None = Field(None, ge=0, le=1)
    prefill_utilisation: float | None = Field(None, gt=0, le=1)
    price_usd_per_hour: float | None = Field(None, ge=0, le=MAX_USD_PER_GPU_HOUR)
    latency_target_ms: float | None = Field(None, gt=0, le=1e7)  # p95 request latency the team needs (Scope)
    throughput_target_rps: float | None = Field(None, gt=0, le=1e9)  # requests per second the team needs

    @model_validator(mode="before")
    @classmethod
    def _shipped(cls, data):  # precision defaults to the format the checkpoint ships in (gpt-oss: MXFP4)
        return with_shipped_precision(data)

    @model_validator(mode="after")
    def _consistent(self) -> ServingSetup:
        get_gpu(self.gpu)
        get_engine(self.engine)
        kv = self.model.shape.kv_heads
        if self.gpus > 1 and (kv % self.gpus and self.gpus % kv):
            raise ValueError(f"{self.gpus} GPUs cannot split {kv} KV heads evenly; pick a divisor or multiple")
        if self.new_tokens and self.model.family == "encoder":
            raise ValueError("encoder-only models do not generate tokens; set new tokens to 0")
        return self


class ServingPoint(Result):
    """The serving numbers at one batch size."""

    model_id: str
    precision: str
    gpu_id: str
    gpus: int
    batch: int
    prompt_tokens: int
    new_tokens: int
    engine: str
    # memory, per GPU (bytes)
    memory_components: dict[str, int]
    memory_reserved_bytes: int
    memory_total_bytes: int  # reserved + CUDA context: what nvidia-smi would show
    gpu_memory_bytes: int
    fits: bool
    max_batch: int  # at this context; 0 when even one sequence does not fit, -1 when not searched
    max_context: int  # prompt + new tokens (an encoder-decoder: encoder input) that fit at this batch, up to the window; 0: none
    context_limit: int  # the model's maximum context (prompt + new tokens)
    # speed
    prefill_flops: float
    prefill_s: float  # time to first token for the batch
    decode_bytes_per_step: float  # per GPU, at the mean context
    decode_step_s: float
    decode_bound: str  # "memory", "compute", or "none" when no tokens are generated
    decode_tokens_per_s: float  # all sequences together, decode only
    per_sequence_tokens_per_s: float
    request_latency_s: float  # prefill + new_tokens decode steps
    throughput_tokens_per_s: float  # output tokens / (prefill + decode), all sequences
    requests_per_s: float
    price_usd_per_hour: float  # per GPU
    cost_per_million_output_tokens_usd: float | None  # None when no tokens are generated
    cost_per_million_tokens_usd: float  # prompt + output tokens
    cost_per_thousand_requests_usd: float
    p95_latency_s: float  # static batch: every request of a batch finishes with it (queueing not modelled)
    meets_latency: bool | None = None  # against the setup's target (None without one)
    replicas_for_throughput: int | None = None  # replicas that reach the throughput target
    assumptions: list[str]


class ServingPlan(ServingPoint):
    """The serving calculator's result: the numbers at the chosen batch, and at a sweep of batch sizes."""

    sweep: list[ServingPoint] = []


def _memory(setup: ServingSetup, batch: int, prompt_tokens: int):
    return inference_memory(InferenceSetup(model=setup.model, precision=setup.precision, concurrent_sequences=batch,
                                           prompt_tokens=prompt_tokens, new_tokens=setup.new_tokens, tp=setup.gpus,
                                           kv_cache_dtype=setup.kv_cache_dtype))


def largest_fitting(fits, lo: int, hi: int) -> int:
    """Largest n in [lo, hi] with fits(n) true, assuming fits is monotone; lo − 1 when none fits."""
    if not fits(lo):
        return lo - 1
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if fits(mid):
            lo = mid
        else:
            hi = mid - 1
    return lo


@lru_cache(maxsize=128)
def serving_plan(setup: ServingSetup) -> ServingPlan:
    """The serving calculator: memory, fit, largest batch and context, throughput, latency and cost of one
    replica, and the same at a sweep of batch sizes (for the charts)."""
    point = serving_point(setup, setup.concurrent_sequences, find_limits=True)
    batches = sweep_batches(setup.concurrent_sequences, point.max_batch)
    sweep = [point if b == setup.concurrent_sequences else serving_point(setup, b, find_limits=False) for b in batches]
    return ServingPlan(**point.model_dump(), sweep=[ServingPoint(**s.model_dump()) for s in sweep])


def serving_point(setup: ServingSetup, batch: int, *, find_limits: bool) -> ServingPoint:
    """Memory, fit, throughput, latency and cost of serving ``batch`` sequences with ``setup``."""
    # FLOPs follow the weights a token is multiplied by: a mixture of experts' active parameters without the
    # input-embedding lookup (flop_parameter_count; Llama-3.1-8B prefill was +7 % over FlopCounterMode with it)
    shape, params, precision, tp = setup.model.shape, flop_parameter_count(setup.model.shape), setup.precision, setup.gpus
    prompt_tokens, new_tokens = setup.prompt_tokens, setup.new_tokens
    g = get_gpu(setup.gpu)
    eng = get_engine(setup.engine)
    bw_eff = eng.bandwidth_efficiency if setup.bandwidth_efficiency is None else setup.bandwidth_efficiency
    util = eng.prefill_utilisation if setup.prefill_utilisation is None else setup.prefill_utilisation
    overhead = eng.per_layer_overhead_s if setup.per_layer_overhead_s is None else setup.per_layer_overhead_s
    price = g.price_usd_per_hour if setup.price_usd_per_hour is None else setup.price_usd_per_hour
    peak = g.peak_flops(compute_precision(precision))

    est = _memory(setup, batch, prompt_tokens)
    fits = est.fits(g)
    max_batch = max_context = -1  # -1: not searched (sweeps skip the searches)
    if find_limits:
        max_batch = largest_fitting(lambda b: _memory(setup, b, prompt_tokens).fits(g), 1, MAX_SEARCH_BATCH)
        # A decoder's prompt and output share its window; an encoder-decoder's encoder has the window to itself.
        seq2seq = shape.family == "encoder-decoder"
        prompt_fit = largest_fitting(lambda p: _memory(setup, batch, p).fits(g), 1,
                                     shape.max_context if seq2seq else max(1, shape.max_context - new_tokens))
        max_context = (prompt_fit if seq2seq else prompt_fit + new_tokens) if prompt_fit >= 1 else 0

    # Prefill: compute-bound, split over tp GPUs.
    p_flops = batch * forward_flops(params, shape, prompt_tokens, prompt_tokens)
    layers = decode_layers(shape)
    prefill_s = p_flops / (tp * peak * util) + layers * overhead

    # Decode at the mean context: KV bytes grow linearly with the tokens so far, so this is the mean step.
    mean_ctx = new_tokens / 2 if shape.family == "encoder-decoder" else prompt_tokens + new_tokens / 2
    step = decode_step(shape, params, precision, g, batch=batch, context=mean_ctx, tp=tp, bandwidth_efficiency=bw_eff,
                       per_layer_overhead_s=overhead, utilisation=util, prompt_tokens=prompt_tokens,
                       kv_cache_dtype=setup.kv_cache_dtype)
    step_s, step_bytes, bound = (step.seconds, step.bytes_read, step.bound) if new_tokens else (0.0, 0.0, "none")
    decode_total_s = new_tokens * step_s
    latency = prefill_s + decode_total_s
    out_tokens = batch * new_tokens
    throughput = out_tokens / latency if new_tokens else 0.0
    dollars_per_s = price * tp / 3600
    all_tokens_per_s = batch * (prompt_tokens + new_tokens) / latency
    return ServingPoint(
        model_id=setup.model.id, precision=precision, gpu_id=g.id, gpus=tp, batch=batch, prompt_tokens=prompt_tokens,
        new_tokens=new_tokens, engine=eng.id, memory_components=dict(est.components),
        memory_reserved_bytes=est.peak_reserved_bytes, memory_total_bytes=est.peak_reserved_bytes + est.cuda_context_bytes,
        gpu_memory_bytes=g.memory_bytes, fits=fits, max_batch=max_batch, max_context=max_context, context_limit=shape.max_context,
        prefill_flops=p_flops, prefill_s=prefill_s, decode_bytes_per_step=step_bytes, decode_step_s=step_s,
        decode_bound=bound, decode_tokens_per_s=batch / step_s if step_s else 0.0,
        per_sequence_tokens_per_s=1 / step_s if step_s else 0.0,
        request_latency_s=latency, throughput_tokens_per_s=throughput, requests_per_s=batch / latency,
        price_usd_per_hour=price,
        cost_per_million_output_tokens_usd=dollars_per_s / throughput * 1e6 if throughput else None,
        cost_per_million_tokens_usd=dollars_per_s / all_tokens_per_s * 1e6,
        cost_per_thousand_requests_usd=dollars_per_s / (batch / latency) * 1000, p95_latency_s=latency,
        meets_latency=None if setup.latency_target_ms is None else latency * 1000 <= setup.latency_target_ms,
        replicas_for_throughput=None if setup.throughput_target_rps is None
        else math.ceil(setup.throughput_target_rps / (batch / latency)),
        assumptions=assumptions(eng, bw_eff, overhead, util, tp) + kv_notes(setup),
    )


def assumptions(eng: Engine, bw_eff: float, overhead: float, util: float, tp: int) -> list[str]:
    return [
        (f"Engine: {eng.name} — decode reaches {bw_eff:.0%} of datasheet memory bandwidth, "
         f"plus {overhead * 1e6:,.0f} µs per layer per step; prefill reaches {util:.0%} of dense peak FLOP/s "
         f"({eng.source})."),
        ("Every decode step reads all weights and the whole KV cache once (activations stay in cache); "
         "compute time is used instead when larger (roofline)."),
        ("Static batch: all concurrent sequences start together with the same prompt and output length; "
         "a continuous-batching server holding the same number of sequences has about the same throughput."),
        ("Prefill FLOPs = 2·N + 2·n_layer·n_ctx·d_attn per prompt token (Kaplan et al. 2020, eq. 2.2; N counts "
         "the weights a token is multiplied by — active parameters without the input-embedding lookup; an "
         "encoder-decoder's prompt runs through the encoder only, each new token through the decoder only); "
         "int8/int4 weight-only kernels compute in 16 bit."),
        (f"Tensor parallelism over {tp} GPUs divides weights, KV cache and FLOPs evenly; the all-reduce traffic "
         "between GPUs is not modelled (assumes NVLink)." if tp > 1 else "One GPU: no communication."),
        "Cost counts GPU time only, at 100% occupancy (no idle time, no CPU, storage or network).",
    ]


FP8_KV_NOTE = ("FP8 KV cache (vLLM kv_cache_dtype=\"fp8\"): one byte per cached value, twice the tokens in the same "
               "memory. Accuracy: vLLM's documentation says it \"depends on scale calibration\" — with the default "
               "scales of 1.0 quantization error can degrade output quality, so calibrate with llm-compressor; its "
               "calibrated Meta-Llama-3-8B-Instruct-FP8-KV scores 0.775 exact match on GSM8K (5-shot) in vLLM "
               "(vllm-project/llm-compressor examples/quantization_kv_cache). Measure on your own evaluation set.")


def kv_notes(setup: ServingSetup) -> list[str]:
    """What the KV-cache choices mean: the sliding window kept, and the FP8 cache's accuracy cost (sourced)."""
    shape, notes = setup.model.shape, []
    if shape.sliding_window and shape.sliding_layers:
        notes.append(f"Sliding-window attention: {shape.sliding_layers} of {shape.layers} layers cache at most the last "
                     f"{shape.sliding_window:,} tokens (transformers DynamicSlidingWindowLayer); the others the "
                     "whole context.")
    if setup.kv_cache_dtype == "fp8":
        notes.append(FP8_KV_NOTE)
    return notes


def sweep_batches(batch: int, max_batch: int, *, limit: int = 4096) -> list[int]:
    """Batch sizes for the charts: powers of two past both the chosen and the largest fitting batch."""
    top = min(limit, max(2 * batch, 2 * max(max_batch, 1), 8))  # one point past the largest fitting batch
    points = {1 << i for i in range(top.bit_length()) if (1 << i) <= top} | {batch}
    if 0 < max_batch <= top:
        points.add(max_batch)
    return sorted(points)
