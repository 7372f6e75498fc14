"""Rent search: configurations evaluated and seconds for "what to rent" on a 7B and a 70B project — training
(every catalog GPU × GPU counts 1–512 × 5 strategies × 6 micro-batches × checkpointing × full/LoRA/QLoRA,
through the vectorised estimator) and serving (GPU × precision × GPUs per replica × batch, through the serving
calculator). Each search is timed cold (its first call, the estimator's caches empty) and as the median of warm runs.

    .venv/bin/python benchmarks/rent_search.py [--runs 5]
"""

from __future__ import annotations

import argparse
import statistics
import time

from common import format_table, time_calls, write_result

from lifecycle.launch.prices import price_table
from lifecycle.launch.rent import RentSetup
from lifecycle.launch.rent import rent_search as cached_rent_search
from lifecycle.launch.rent_serving import ServingRentSetup
from lifecycle.launch.rent_serving import serving_rent_search as cached_serving_rent_search

# the searches themselves, not their page-rerun cache
rent_search = cached_rent_search.__wrapped__
serving_rent_search = cached_serving_rent_search.__wrapped__
from lifecycle.models.ref import ModelRef

PROJECTS = {"llama-2-7b": 1e9, "llama-2-70b": 1e9}  # model -> training tokens (50k examples x 1k tokens x 2 epochs)
TARGET_S = 2.0  # a search the page runs on a click


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    prices = tuple((g, p.price_usd_per_hour) for g, p in sorted(price_table().items()))
    rows = []
    for model_id, tokens in PROJECTS.items():
        model = ModelRef.catalog(model_id)
        searches = {
            "training": (lambda m=model, t=tokens: rent_search(RentSetup(model=m, training_tokens=t, seq_len=2048,
                                                                         prices=prices, global_batch=128))),
            "serving": (lambda m=model: serving_rent_search(ServingRentSetup(
                model=m, prompt_tokens=1536, new_tokens=512, latency_target_ms=10_000, throughput_target_rps=20,
                prices=prices))),
        }
        for kind, search in searches.items():
            started = time.perf_counter()
            result = search()
            cold_s = time.perf_counter() - started
            warm_s = statistics.median(time_calls(search, args.runs, warmup=0))
            kept = result.fitting if kind == "training" else len(result.options)
            best = result.cheapest if kind == "training" else result.best
            rows.append({"model": model_id, "search": kind, "configurations": result.configurations_evaluated,
                         "kept": kept, "cold_s": cold_s, "warm_s": warm_s,
                         "configs_per_s": result.configurations_evaluated / warm_s, "meets_target": cold_s <= TARGET_S,
                         "best": None if best is None else (f"{best.gpus} x {best.gpu} {best.method} ${best.cost_usd:,.0f}"
                                                            if kind == "training" else
                                                            f"{best.replicas} x {best.gpus_per_replica} x {best.gpu} "
                                                            f"{best.precision} ${best.cost_per_thousand_requests_usd:.3f}/1k")})
    print(format_table(rows, ["model", "search", "configurations", "kept", "cold_s", "warm_s", "configs_per_s",
                              "meets_target", "best"], {"cold_s": ".3f", "warm_s": ".3f", "configs_per_s": ",.0f"}))
    write_result("rent_search", {"target_s": TARGET_S, "rows": rows})
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
