"""Sweep: how many memory estimates per second the planner computes over a strategy × GPU count ×
micro-batch × sequence-length grid (the Adapt page's "what fits" search), for LLaMA-2-7B.

Times the vectorised ``lifecycle.memory.grid.training_memory_grid`` (target ≥ 100 000 estimates/s)
next to the scalar ``lifecycle.memory.estimate.training_memory`` called point by point, and checks on a sample
of grid points that both give the same bytes. If the vectorised module is missing, only the scalar
rate is reported (and the JSON says so).

    .venv/bin/python benchmarks/sweep.py [--runs 7]
"""

from __future__ import annotations

import argparse
import importlib
import itertools
import random
import statistics

import numpy as np
from common import format_table, time_calls, write_result

from lifecycle.errors import LifecycleError
from lifecycle.memory.distributed import STRATEGIES
from lifecycle.memory.estimate import training_memory
from lifecycle.memory.setup import TrainingSetup
from lifecycle.models.ref import ModelRef

TARGET_PER_S = 100_000
MODEL_ID = "llama-2-7b"
GPU_COUNTS = [1, 2, 4, 8, 16, 32, 64, 128]
BATCHES = list(range(1, 33))
SEQS = [128 * k for k in range(1, 65)]  # 128 … 8192 tokens
SCALAR_SAMPLE = 300


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    base = TrainingSetup(model=ModelRef.catalog(MODEL_ID), grad_checkpointing=True)
    points = list(itertools.product(STRATEGIES, GPU_COUNTS, BATCHES, SEQS))
    rng = random.Random(0)
    sample = rng.sample(points, SCALAR_SAMPLE)

    def scalar():
        out = []
        for strategy, gpus, batch, seq in sample:
            try:
                point = base.model_copy(update={"micro_batch": batch, "seq_len": seq, "gpus": gpus,
                                                "strategy": strategy})
                out.append(training_memory(point).peak_allocated_bytes)
            except LifecycleError:  # an invalid (strategy, gpus) pair: the grid marks it NaN
                out.append(None)
        return out

    scalar_s = statistics.median(time_calls(scalar, max(3, args.runs // 2)))
    scalar_rate = SCALAR_SAMPLE / scalar_s
    rows = [{"path": "scalar training_memory (point by point)", "estimates": SCALAR_SAMPLE,
             "median_s": scalar_s, "estimates_per_s": scalar_rate, "meets_target": scalar_rate >= TARGET_PER_S}]
    result = {"model": MODEL_ID, "grid": {"strategies": list(STRATEGIES), "gpu_counts": GPU_COUNTS,
                                          "batches": [BATCHES[0], BATCHES[-1]], "seqs": [SEQS[0], SEQS[-1]],
                                          "points": len(points)},
              "target_per_s": TARGET_PER_S, "grad_checkpointing": True}
    try:
        grid_module = importlib.import_module("lifecycle.memory.grid")
    except ImportError:
        grid_module = None
    if grid_module is None:
        result["vectorised"] = "lifecycle.memory.grid is missing: only the scalar rate is reported"
    else:
        def grid():
            return grid_module.training_memory_grid(base, batches=BATCHES, seqs=SEQS, gpu_counts=GPU_COUNTS,
                                                    strategies=STRATEGIES)
        grid_s = statistics.median(time_calls(grid, args.runs))
        rate = len(points) / grid_s
        rows.append({"path": "vectorised training_memory_grid", "estimates": len(points), "median_s": grid_s,
                     "estimates_per_s": rate, "meets_target": rate >= TARGET_PER_S})
        # Same numbers as the scalar path on the sampled points.
        g = grid()["peak_allocated_bytes"]
        index = {name: {v: i for i, v in enumerate(values)} for name, values in
                 (("s", STRATEGIES), ("g", GPU_COUNTS), ("b", BATCHES), ("q", SEQS))}
        mismatches = 0
        for (strategy, gpus, batch, seq), exact in zip(sample, scalar()):
            v = g[index["s"][strategy], index["g"][gpus], index["b"][batch], index["q"][seq]]
            if exact is None:
                mismatches += not np.isnan(v)
            elif np.isnan(v) or abs(v - exact) > 1:
                mismatches += 1
        result["sample_mismatches"] = mismatches
        result["sample_size"] = SCALAR_SAMPLE
        result["speedup"] = rate / scalar_rate
    print(format_table(rows, ["path", "estimates", "median_s", "estimates_per_s", "meets_target"],
                       {"median_s": ".4f", "estimates_per_s": ",.0f"}))
    if "speedup" in result:
        print(f"vectorised / scalar: {result['speedup']:,.0f}×; grid vs scalar on {SCALAR_SAMPLE} sampled points: "
              f"{result['sample_mismatches']} mismatches")
    write_result("sweep", {**result, "rows": rows})
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
