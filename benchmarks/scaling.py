"""Benchmark the scaling planner: a full chart (≥200 budgets × 5 laws) must recompute in < 100 ms,
a fit of 50 pilot runs in < 5 s. Prints a table and writes benchmarks/results/scaling.json.

    .venv/bin/python benchmarks/scaling.py
"""

from __future__ import annotations

import json
import platform
import statistics
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from lifecycle.charts.scaling import (
    DEFAULT_LAWS,
    allocation_figure,
    budgets,
    loss_vs_compute_figure,
    scaling_series,
    seed_markers,
)
from lifecycle.scaling.law_fit import PilotRuns, fit_scaling_law
from lifecycle.scaling.laws import builtin_law, parametric_loss

N_BUDGETS = 250
CHART_LIMIT_S = 0.100
FIT_LIMIT_S = 5.0


def _time(fn, repeat: int) -> dict:
    fn()  # warm caches and imports
    runs = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        runs.append(time.perf_counter() - t)
    return {"median_s": statistics.median(runs), "max_s": max(runs), "repeat": repeat}


def main() -> dict:
    laws = [builtin_law(n) for n in DEFAULT_LAWS]
    markers = seed_markers()
    c = budgets(1e17, 1e28, N_BUDGETS)
    law = builtin_law("chinchilla3")
    rng = np.random.default_rng(0)
    n, d = 10 ** rng.uniform(7, 9.5, 50), 10 ** rng.uniform(9, 11.5, 50)
    runs = PilotRuns(params=n.tolist(), tokens=d.tolist(),
                     loss=(parametric_loss(law, n, d) * np.exp(rng.normal(0, 0.005, 50))).tolist())
    cases = {
        f"series only ({N_BUDGETS} budgets x {len(laws)} laws)": (_time(lambda: scaling_series(laws, c), 50), CHART_LIMIT_S),
        f"loss-vs-compute figure ({N_BUDGETS} x {len(laws)}, with models)":
            (_time(lambda: loss_vs_compute_figure(laws, 1e17, 1e28, N_BUDGETS, markers), 20), CHART_LIMIT_S),
        f"N_opt/D_opt figure ({N_BUDGETS} x {len(laws)}, with models)":
            (_time(lambda: allocation_figure(laws, 1e17, 1e28, N_BUDGETS, markers), 20), CHART_LIMIT_S),
        "fit 50 runs (grid + L-BFGS, no bootstrap)": (_time(lambda: fit_scaling_law(runs, bootstrap=0), 5), FIT_LIMIT_S),
        "fit 50 runs + 200 bootstrap resamples": (_time(lambda: fit_scaling_law(runs, bootstrap=200), 3), FIT_LIMIT_S),
    }
    print(f"{'case':<58} {'median':>10} {'max':>10} {'limit':>8}  ok")
    results = []
    for name, (t, limit) in cases.items():
        ok = t["median_s"] < limit  # median: the 2-CPU machine is shared, single maxima are scheduler noise
        print(f"{name:<58} {t['median_s'] * 1e3:>8.1f}ms {t['max_s'] * 1e3:>8.1f}ms {limit * 1e3:>6.0f}ms  {'yes' if ok else 'NO'}")
        results.append({"case": name, **t, "limit_s": limit, "ok": ok})
    out = {"machine": platform.processor() or platform.machine(), "python": platform.python_version(),
           "cpu_count": __import__("os").cpu_count(), "results": results}
    (ROOT / "benchmarks" / "results").mkdir(parents=True, exist_ok=True)
    (ROOT / "benchmarks" / "results" / "scaling.json").write_text(json.dumps(out, indent=2) + "\n")
    return out


if __name__ == "__main__":
    sys.exit(0 if all(r["ok"] for r in main()["results"]) else 1)
