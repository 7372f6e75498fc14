"""``lifecycle serve-plan``: memory per GPU, fit, largest batch/context, tokens/s, latency and cost."""

from __future__ import annotations

import argparse

from lifecycle.choices import KvCacheDtype, options
from lifecycle.cli._io import print_json
from lifecycle.display import format_bytes, format_duration, format_money, format_number, format_rate
from lifecycle.errors import InvalidInput
from lifecycle.models.ref import ModelRef
from lifecycle.serving.plan import (
    DEFAULT_ENGINE,
    SERVING_PRECISIONS,
    ServingSetup,
    list_engines,
    serving_plan,
)

DEFAULT_NEW_TOKENS = 256


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "serve-plan", help="plan serving a model: memory per GPU, largest batch/context, tokens/s, cost per 1M tokens.",
        description="Context C is the tokens per sequence (prompt + new tokens); the prompt is C minus --new-tokens.",
    )
    p.add_argument("--model", required=True, help="catalog model id, e.g. llama-2-7b, or a Hugging Face id "
                                                  "ORG/NAME[@REVISION]")
    p.add_argument("--precision", default=None, choices=SERVING_PRECISIONS,
                   help="weight format (default: the format the checkpoint ships in, else bf16)")
    p.add_argument("--kv-cache-dtype", default="auto", choices=options(KvCacheDtype),
                   help="KV cache storage: auto (the compute dtype) or fp8 (vLLM kv_cache_dtype)")
    p.add_argument("--gpu", required=True, help="GPU id, e.g. h100-80gb")
    p.add_argument("--gpus", type=int, default=1, help="GPUs per replica (tensor parallel), default 1")
    p.add_argument("--batch", type=int, required=True, help="concurrent sequences")
    p.add_argument("--context", type=int, required=True, help="tokens per sequence: prompt + new tokens")
    p.add_argument("--new-tokens", type=int, default=None,
                   help=f"tokens generated per sequence (default {DEFAULT_NEW_TOKENS}, at most half the context)")
    p.add_argument("--engine", default=DEFAULT_ENGINE, choices=[e.id for e in list_engines()])
    p.add_argument("--prefill-utilisation", type=float, default=None, help="fraction of dense peak FLOP/s")
    p.add_argument("--bandwidth-efficiency", type=float, default=None, help="fraction of memory bandwidth")
    p.add_argument("--price", type=float, default=None, help="USD per GPU-hour (default: the GPU catalog's)")
    p.add_argument("--arrival-rate", type=float, default=None,
                   help="requests per second (Poisson): add the per-request view under continuous batching")
    p.add_argument("--concurrency", type=int, default=None,
                   help="clients with one request in flight each (vllm bench serve --max-concurrency)")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(func=handle)


def handle(args: argparse.Namespace) -> int:
    if args.context < 2:
        raise InvalidInput(f"--context must be at least 2 tokens (prompt + new tokens), got {args.context}.")
    new = args.new_tokens if args.new_tokens is not None else min(DEFAULT_NEW_TOKENS, args.context // 2)
    if not 0 <= new < args.context:
        raise InvalidInput(f"--new-tokens must be ≥ 0 and below --context ({args.context}), got {new}.")
    setup = ServingSetup(
        model=_model(args.model), precision=args.precision, kv_cache_dtype=args.kv_cache_dtype, gpu=args.gpu, gpus=args.gpus,
        concurrent_sequences=args.batch, prompt_tokens=args.context - new, new_tokens=new, engine=args.engine,
        prefill_utilisation=args.prefill_utilisation, bandwidth_efficiency=args.bandwidth_efficiency,
        price_usd_per_hour=args.price)
    plan = serving_plan(setup)
    view = None
    if args.arrival_rate is not None or args.concurrency is not None:
        from lifecycle.serving.batching import BatchingSetup, continuous_batching

        view = continuous_batching(BatchingSetup(serving=setup, arrival_rate_rps=args.arrival_rate,
                                                 concurrency=args.concurrency))
    if args.json:
        extra = {"continuous_batching": view.model_dump()} if view else {}
        print_json({"context_tokens": args.context, **plan.model_dump(exclude={"sweep"}), **extra})
        return 0
    print(f"{plan.model_id} in {plan.precision} on {plan.gpus} x {plan.gpu_id}: {plan.batch} sequences x "
          f"{plan.prompt_tokens} prompt + {plan.new_tokens} new tokens ({plan.engine})")
    print(f"memory per GPU: {format_bytes(plan.memory_total_bytes)} of {format_bytes(plan.gpu_memory_bytes)} "
          f"(GB = 1e9 bytes; reserved + CUDA context) -> {'fits' if plan.fits else 'DOES NOT FIT'}")
    for name, value in plan.memory_components.items():
        print(f"  {name:<28}{format_bytes(value):>12}")
    print(f"max batch at this context: {plan.max_batch:,}; max context at this batch: {plan.max_context:,} tokens "
          f"(model limit {plan.context_limit:,})")
    print(f"static batch (all {plan.batch} start together): prefill (time to first token) {format_duration(plan.prefill_s)}")
    if plan.new_tokens:
        print(f"decode: {format_duration(plan.decode_step_s)}/step ({plan.decode_bound}-bound), "
              f"{format_rate(plan.decode_tokens_per_s)} total, {format_rate(plan.per_sequence_tokens_per_s)} per sequence")
        print(f"request latency: {format_duration(plan.request_latency_s)}; "
              f"throughput {format_rate(plan.throughput_tokens_per_s, 'output tokens')}")
    else:
        print(f"no decoding (0 new tokens): {format_rate(plan.requests_per_s, 'requests')} of {plan.batch} sequences "
              "per pass")
    out = plan.cost_per_million_output_tokens_usd
    print(f"cost per 1M output tokens: {'n/a (no new tokens)' if out is None else format_money(out)} "
          f"(per 1M prompt+output tokens: {format_money(plan.cost_per_million_tokens_usd)}) at "
          f"{format_money(plan.price_usd_per_hour)}/GPU-hour")
    if view:
        load = f"{view.arrival_rate_rps:g} requests/s" if view.arrival_rate_rps else f"{view.concurrency} clients"
        print(f"continuous batching at {load}: settled batch {format_number(view.settled_batch)} (of {view.max_batch:,} "
              f"that fit); TTFT mean {format_duration(view.ttft_mean_s)}, p95 {format_duration(view.ttft_p95_s)}; "
              f"inter-token {format_duration(view.itl_mean_s)} (p95 {format_duration(view.itl_p95_s)}); latency p95 "
              f"{format_duration(view.latency_p95_s)}; {format_rate(view.throughput_tokens_per_s, 'output tokens')}")
        for note in view.notes:
            print(f"  {note}")
    return 0


def _model(model_id: str):
    from lifecycle.models.hub import hub_model_ref, is_hub_ref

    return hub_model_ref(model_id)[0] if is_hub_ref(model_id) else ModelRef.catalog(model_id)
