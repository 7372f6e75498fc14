"""What to rent for serving: GPU type × weight precision × GPUs per replica × batch, each point from the serving
calculator (``serving.plan.serving_point``); a configuration is kept when it fits and its p95 latency meets the
target, replicas are added until the throughput target is met, and the options are ranked by the cost of
1,000 requests at that throughput (all replicas' GPU-hours ÷ the requests they serve)."""

from __future__ import annotations

import math
from functools import lru_cache

from pydantic import Field

from lifecycle._typed import Result, Setup
from lifecycle.choices import WeightFormat
from lifecycle.errors import LifecycleError
from lifecycle.models.gpus import get_gpu, list_gpus
from lifecycle.models.ref import ModelRef
from lifecycle.serving.plan import ServingSetup, serving_point

BATCHES = (1, 2, 4, 8, 16, 32, 64, 128, 256)
TP_DEGREES = (1, 2, 4, 8)
MAX_POINTS = 20_000


class ServingRentSetup(Setup):
    model: ModelRef
    prompt_tokens: int = Field(512, ge=1, le=1_000_000)
    new_tokens: int = Field(256, ge=0, le=1_000_000)
    latency_target_ms: float | None = Field(None, gt=0, le=1e7)
    throughput_target_rps: float | None = Field(None, gt=0, le=1e6)
    precisions: tuple[WeightFormat, ...] = ("bf16", "int8", "int4")
    gpus: tuple[str, ...] = ()  # GPU ids (empty: the whole catalog)
    prices: tuple[tuple[str, float], ...] = ()
    max_replicas: int = Field(1000, ge=1, le=100_000)


class ServingOption(Result):
    gpu: str
    gpu_name: str
    precision: str
    gpus_per_replica: int
    batch: int
    replicas: int
    p95_latency_s: float
    requests_per_s: float  # all replicas
    cost_per_hour_usd: float
    cost_per_thousand_requests_usd: float
    price_usd_per_hour: float


class ServingRentResult(Result):
    configurations_evaluated: int
    options: list[ServingOption]  # cheapest per 1,000 requests first, one per (GPU, precision, GPUs per replica)
    best: ServingOption | None = None
    notes: list[str] = []


@lru_cache(maxsize=64)  # a Setup is hashable and a Result frozen: a page rerun reuses the search
def serving_rent_search(setup: ServingRentSetup) -> ServingRentResult:
    prices = dict(setup.prices)
    gpus = [get_gpu(g) for g in setup.gpus] if setup.gpus else list_gpus()
    evaluated, options = 0, []
    for gpu in gpus:
        price = prices.get(gpu.id, gpu.price_usd_per_hour)
        for precision in setup.precisions:
            for tp in TP_DEGREES:
                best = None
                for batch in BATCHES:
                    if evaluated >= MAX_POINTS:
                        break
                    evaluated += 1
                    try:
                        point = serving_point(ServingSetup(model=setup.model, precision=precision, gpu=gpu.id, gpus=tp,
                                                           concurrent_sequences=batch, prompt_tokens=setup.prompt_tokens,
                                                           new_tokens=setup.new_tokens, price_usd_per_hour=price),
                                              batch, find_limits=False)
                    except LifecycleError:
                        break  # this tensor-parallel degree or precision does not apply to the model / GPU
                    if not point.fits:
                        break  # a larger batch fits even less
                    if setup.latency_target_ms is not None and point.p95_latency_s * 1000 > setup.latency_target_ms:
                        continue
                    if best is None or point.requests_per_s > best.requests_per_s:
                        best = point
                if best is None or best.requests_per_s <= 0:
                    continue
                replicas = math.ceil(setup.throughput_target_rps / best.requests_per_s) if setup.throughput_target_rps else 1
                if replicas > setup.max_replicas:
                    continue
                per_hour = price * tp * replicas
                served = setup.throughput_target_rps or best.requests_per_s
                options.append(ServingOption(
                    gpu=gpu.id, gpu_name=gpu.name, precision=precision, gpus_per_replica=tp, batch=best.batch,
                    replicas=replicas, p95_latency_s=best.p95_latency_s, requests_per_s=best.requests_per_s * replicas,
                    cost_per_hour_usd=per_hour, cost_per_thousand_requests_usd=per_hour / (served * 3.6),
                    price_usd_per_hour=price))
    options.sort(key=lambda o: (round(o.cost_per_thousand_requests_usd, 6), o.p95_latency_s))
    notes = [] if options else ["No GPU, precision and replica count meets the targets; relax the p95 latency."]
    return ServingRentResult(configurations_evaluated=evaluated, options=options, best=options[0] if options else None,
                             notes=notes)


def serving_option_setup(setup: ServingRentSetup, option: ServingOption) -> ServingSetup:
    """One replica of a serving option: what "use as plan" saves (the replica count is in its name)."""
    return ServingSetup(model=setup.model, precision=option.precision, gpu=option.gpu, gpus=option.gpus_per_replica,
                        concurrent_sequences=option.batch, prompt_tokens=setup.prompt_tokens, new_tokens=setup.new_tokens,
                        price_usd_per_hour=option.price_usd_per_hour, latency_target_ms=setup.latency_target_ms,
                        throughput_target_rps=setup.throughput_target_rps)
