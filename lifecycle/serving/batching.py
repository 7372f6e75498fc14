"""Continuous batching: what each request sees when an engine schedules requests step by step.

vLLM, TGI and SGLang batch at the iteration level (Orca, Yu et al. OSDI 2022): every engine step runs one decode token
for each running request plus prompt chunks of newly admitted ones, up to a token budget (vLLM's
``max_num_batched_tokens``; chunked prefill), and admits a waiting request as soon as its KV cache fits. This module
simulates that scheduler deterministically — open loop (requests arrive at ``arrival_rate_rps``, evenly spaced or as a
seeded Poisson stream) or closed loop (``concurrency`` clients, each sending its next request when the last one
finishes, as ``vllm bench serve --max-concurrency`` does) — with each step's time from the serving model's roofline
(``lifecycle.serving.decode``: bytes read over bandwidth, or FLOPs over peak, plus the per-layer overhead).

It answers per request: time to first token (queueing + prefill), inter-token latency, end-to-end latency and their
95th percentiles, and the batch the engine settles at. The static-batch figures of ``serving_plan`` (all sequences
start together) stay as they are; this is the request-level view beside them.
"""

from __future__ import annotations

import math
from functools import lru_cache
from typing import Literal

import numpy as np
from pydantic import Field, model_validator

from lifecycle._typed import Result, Setup
from lifecycle.choices import compute_precision
from lifecycle.errors import InvalidInput
from lifecycle.models.architecture import flop_parameter_count
from lifecycle.models.gpus import get_gpu
from lifecycle.serving.decode import decode_bytes_per_step, decode_layers, forward_flops
from lifecycle.serving.plan import ServingSetup, get_engine, serving_plan

MAX_REQUESTS = 2000
WARMUP_SHARE = 0.1  # the first 10 % of requests fill the engine; statistics start after them


class BatchingSetup(Setup):
    """A serving setup (model, format, GPUs, prompt and output lengths, engine) under a request load."""

    serving: ServingSetup
    arrival_rate_rps: float | None = Field(None, gt=0, le=1e5)  # open loop
    concurrency: int | None = Field(None, ge=1, le=4096)  # closed loop: clients with one request in flight each
    arrivals: Literal["uniform", "poisson"] = "poisson"
    requests: int = Field(400, ge=10, le=MAX_REQUESTS)
    max_num_batched_tokens: int = Field(8192, ge=64, le=1 << 20)  # vLLM's per-step token budget (chunked prefill)
    seed: int = Field(0, ge=0, le=2**31)

    @model_validator(mode="after")
    def _one_load(self) -> BatchingSetup:
        if (self.arrival_rate_rps is None) == (self.concurrency is None):
            raise ValueError("give either an arrival rate (requests per second) or a concurrency, not both")
        if self.serving.new_tokens < 1:
            raise ValueError("continuous batching needs generated tokens (new tokens ≥ 1)")
        return self


class RequestLevelView(Result):
    """Per-request latencies under continuous batching (after the first 10 % of requests), and the settled batch."""

    arrival_rate_rps: float | None
    concurrency: int | None
    max_batch: int  # sequences whose KV cache fits at this context (the admission limit)
    settled_batch: float  # running sequences, averaged over time
    ttft_mean_s: float
    ttft_p95_s: float
    itl_mean_s: float  # inter-token latency (time per output token after the first)
    itl_p95_s: float
    latency_mean_s: float
    latency_p95_s: float
    throughput_tokens_per_s: float  # output tokens per second
    requests_per_s: float
    saturated: bool  # arrivals outpace the engine's capacity: the queue grows and latencies grow with the run
    static_ttft_s: float  # serving_plan's static batch of the settled size, for comparison
    notes: list[str]


def _arrival_times(setup: BatchingSetup) -> np.ndarray:
    n, rate = setup.requests, setup.arrival_rate_rps
    if setup.arrivals == "uniform":
        return np.arange(n) / rate
    return np.cumsum(np.random.default_rng(setup.seed).exponential(1 / rate, n))


@lru_cache(maxsize=64)
def continuous_batching(setup: BatchingSetup) -> RequestLevelView:
    """Simulate the iteration-level scheduler for ``setup.requests`` requests; deterministic for a given setup."""
    s = setup.serving
    shape, tp, precision = s.model.shape, s.gpus, s.precision
    plan = serving_plan(s)
    max_batch = max(plan.max_batch, 0)
    if max_batch < 1:
        raise InvalidInput("Not even one sequence fits this GPU at this context; see the serving plan.")
    gpu, eng = get_gpu(s.gpu), get_engine(s.engine)
    bw = eng.bandwidth_efficiency if s.bandwidth_efficiency is None else s.bandwidth_efficiency
    util = eng.prefill_utilisation if s.prefill_utilisation is None else s.prefill_utilisation
    overhead = (eng.per_layer_overhead_s if s.per_layer_overhead_s is None else s.per_layer_overhead_s) \
        * decode_layers(shape)
    peak = tp * gpu.peak_flops(compute_precision(precision)) * util
    n_params = flop_parameter_count(shape)
    p, n_new, budget = s.prompt_tokens, s.new_tokens, setup.max_num_batched_tokens

    closed = setup.concurrency is not None
    arrivals = [0.0] * min(setup.concurrency, setup.requests) if closed else list(_arrival_times(setup))
    sent = len(arrivals)
    prefill_left, decoded, first, start = {}, {}, {}, {}
    finish, itl_sum = {}, {}
    waiting = list(range(len(arrivals)))  # indices into arrivals, FIFO
    running: list[int] = []
    t, steps, batch_sum = 0.0, 0, 0.0
    while waiting or running:
        while waiting and arrivals[waiting[0]] <= t + 1e-12 and len(running) < max_batch:
            r = waiting.pop(0)
            running.append(r)
            prefill_left[r], decoded[r], start[r] = p, 0, t
        if not running:
            t = arrivals[waiting[0]]
            continue
        decoding = [r for r in running if prefill_left[r] == 0]
        left = budget - len(decoding)
        chunks = {}
        for r in running:
            if prefill_left[r] and left > 0:
                chunks[r] = min(prefill_left[r], left)
                left -= chunks[r]
        ctx = p + (sum(decoded[r] for r in decoding) / len(decoding) if decoding else 0)

        def step_s(context: float, decoding=decoding, chunks=chunks) -> float:
            read = decode_bytes_per_step(shape, precision, max(len(running), 1), max(1, round(context)), tp=tp, gpu_id=gpu.id,
                                         prompt_tokens=p, kv_cache_dtype=s.kv_cache_dtype)
            flops = len(decoding) * forward_flops(n_params, shape, 1, context, decode=True, prompt_tokens=p)
            flops += sum(forward_flops(n_params, shape, c, p - prefill_left[r] + c / 2) for r, c in chunks.items())
            return max(read / (gpu.memory_bandwidth_bytes_per_s * bw), flops / peak) + overhead

        step, k = step_s(ctx), 1
        if not chunks:  # only decodes until the next event (a request finishes or one can be admitted): jump there
            k = min(n_new - decoded[r] for r in decoding)
            if waiting and len(running) < max_batch:
                k = min(k, max(1, math.ceil((arrivals[waiting[0]] - t) / step)))
            k = max(k, 1)
            step = step_s(ctx + (k - 1) / 2) if k > 1 else step  # the mean step over the k (the KV cache grows)
        t += k * step
        steps += k
        batch_sum += len(running) * k * step  # time-weighted: idle gaps count as an empty batch
        for r in decoding:
            decoded[r] += k
            itl_sum[r] = itl_sum.get(r, 0.0) + k * step
        for r, c in chunks.items():
            prefill_left[r] -= c
            if prefill_left[r] == 0:  # the prefill's last chunk also yields the first token
                first[r], decoded[r] = t, 1
        for r in [r for r in running if decoded[r] >= n_new and prefill_left[r] == 0]:
            running.remove(r)
            finish[r] = t
            if closed and sent < setup.requests:
                arrivals.append(t)
                waiting.append(sent)
                sent += 1
    done = sorted(finish, key=lambda r: arrivals[r])[int(WARMUP_SHARE * len(finish)):]
    ttft = np.array([first[r] - arrivals[r] for r in done])
    itl = np.array([itl_sum.get(r, 0.0) / max(n_new - 1, 1) for r in done])
    latency = np.array([finish[r] - arrivals[r] for r in done])
    span = max(finish[r] for r in done) - min(arrivals[r] for r in done)
    # offered load above the engine's capacity (requests/s with the largest batch that fits, all decoding): the
    # queue or the batch grows for as long as arrivals last, so a longer run gives longer latencies
    capacity_rps = serving_plan(s.vary(concurrent_sequences=max_batch)).requests_per_s
    saturated = (not closed) and setup.arrival_rate_rps > capacity_rps
    settled = batch_sum / t if t > 0 else 0.0
    static = serving_plan(s.vary(concurrent_sequences=max(1, min(max_batch, round(settled))))).prefill_s
    notes = [(f"Iteration-level scheduling (Orca; vLLM): up to {budget:,} tokens per step, decodes first, then prompt "
              f"chunks; a request is admitted while the KV cache fits ({max_batch:,} sequences at this context).")]
    if saturated:
        notes.append("Arrivals outpace the engine: the queue grows for as long as the run lasts, so TTFT here is a "
                     "lower bound; lower the rate or add replicas.")
    return RequestLevelView(
        arrival_rate_rps=setup.arrival_rate_rps, concurrency=setup.concurrency, max_batch=max_batch,
        settled_batch=settled, ttft_mean_s=float(ttft.mean()), ttft_p95_s=float(np.percentile(ttft, 95)),
        itl_mean_s=float(itl.mean()), itl_p95_s=float(np.percentile(itl, 95)),
        latency_mean_s=float(latency.mean()), latency_p95_s=float(np.percentile(latency, 95)),
        throughput_tokens_per_s=len(done) * n_new / span if span > 0 else 0.0,
        requests_per_s=len(done) / span if span > 0 else 0.0, saturated=bool(saturated),
        static_ttft_s=static, notes=notes)


