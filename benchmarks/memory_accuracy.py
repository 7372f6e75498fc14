"""Accuracy of the memory estimator against measured H200 peak memory, next to the usual rules of thumb.

For every row of tests/data/h200-measurements.jsonl: measured peak_allocated, our estimate, our error, and
the error of the 24-bytes-per-parameter rule, accelerate's ``estimate-memory`` rule and DeepSpeed's
model-states formula on the same row. Then a summary line (median / worst absolute error of each), the
reserved-memory check, a held-out check of the allocator-slack fractions (fit on even rows, judged on odd
rows), and the estimator's speed. Writes benchmarks/results/memory_accuracy.json.

    .venv/bin/python benchmarks/memory_accuracy.py
"""

from __future__ import annotations

import json
import platform
import statistics
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from lifecycle.memory.gpu_count import RULES
from lifecycle.models.gpus import get_gpu
from tests.support.measurements import estimate_row, load_measurements, row_label, rules_for_row

RESULTS = ROOT / "benchmarks" / "results" / "memory_accuracy.json"
HOLDOUT = ROOT / "tests" / "data" / "h200-holdout.jsonl"
GB = 1e9


def _err(predicted, measured):
    return None if predicted is None else (predicted - measured) / measured


def _pct(x):
    return "    n/a" if x is None else f"{x * 100:+6.1f}%"


def _summary(errors):
    values = [abs(e) for e in errors if e is not None]
    return {"median_abs_error": statistics.median(values), "worst_abs_error": max(values), "rows": len(values)}


def _fraction(r) -> float:
    """The slack fraction the estimator applied to this row's churn (so reserved - allocated / it = our churn)."""
    from lifecycle.memory import overheads as o

    if r["kind"] == "infer":
        return o.SLACK_FRACTION_INFERENCE
    return o.SLACK_FRACTION_CHECKPOINTING if r.get("ckpt") else o.SLACK_FRACTION


def slack_held_out(rows, estimates) -> dict:
    """Fit the median slack fraction of each kind (training, checkpointing, inference) on even rows; judge odd rows."""
    def kind(r):
        return "inference" if r["kind"] == "infer" else ("checkpointing" if r.get("ckpt") else "training")

    def churn(r):  # what is allocated and freed within the step: the only memory that fragments (overheads.py)
        return max(r["steady"]["peak_allocated"] - r["steady"]["allocated"], 1)

    fit: dict[str, list[float]] = {}
    for i, r in enumerate(rows):
        if i % 2 == 0:
            fit.setdefault(kind(r), []).append((r["steady"]["peak_reserved"] - r["steady"]["peak_allocated"]) / churn(r))
    fractions = {k: statistics.median(v) for k, v in fit.items()}
    held = []
    for i, (r, est) in enumerate(zip(rows, estimates)):
        if i % 2 == 1:
            predicted = est.peak_allocated_bytes + fractions.get(kind(r), 0.063) * (
                est.peak_reserved_bytes - est.peak_allocated_bytes) / _fraction(r)
            held.append(abs(predicted - r["steady"]["peak_reserved"]) / r["steady"]["peak_reserved"])
    return {"fractions_fit_on_even_rows": fractions, "held_out_rows": len(held),
            "held_out_median_abs_error_of_reserved": statistics.median(held),
            "held_out_worst_abs_error_of_reserved": max(held)}


def accuracy_table(rows: list[dict], names: list[str], title: str) -> dict:
    """Print one row per measurement; return the errors, the table and the estimates."""
    header = f"{title:<58} {'measured':>9} {'ours':>9} {'error':>8}  " + "  ".join(f"{n[:14]:>14}" for n in names)
    print(header)
    print("-" * len(header))
    ours_errors, rule_errors, reserved_errors, table, estimates = [], {n: [] for n in names}, [], [], []
    for row in rows:
        est = estimate_row(row)
        estimates.append(est)
        measured = row["steady"]["peak_allocated"]
        err = _err(est.peak_allocated_bytes, measured)
        ours_errors.append(err)
        reserved_errors.append(abs(_err(est.peak_reserved_bytes, row["steady"]["peak_reserved"])))
        rules = rules_for_row(row)
        errs = {n: _err(rules.get(n), measured) for n in names}
        for n in names:
            rule_errors[n].append(errs[n])
        print(f"{row_label(row):<58} {measured / GB:8.2f}G {est.peak_allocated_bytes / GB:8.2f}G {_pct(err):>8}  "
              + "  ".join(f"{_pct(errs[n]):>14}" for n in names))
        table.append({"run": row_label(row), "measured_bytes": measured, "ours_bytes": est.peak_allocated_bytes,
                      "error": err, "peak_phase": est.peak_phase, "rules_error": errs})
    print("-" * len(header))
    summary = {"ours": _summary(ours_errors), **{n: _summary(rule_errors[n]) for n in names}}
    print(f"summary (median / worst absolute error of peak_allocated over {len(rows)} rows): "
          + "; ".join(f"{k} {v['median_abs_error'] * 100:.1f}% / {v['worst_abs_error'] * 100:.1f}%" for k, v in summary.items()))
    print(f"reserved memory: median {statistics.median(reserved_errors) * 100:.1f}% / worst {max(reserved_errors) * 100:.1f}%")
    return {"summary": summary, "reserved": {"median_abs_error": statistics.median(reserved_errors),
                                             "worst_abs_error": max(reserved_errors)},
            "rows": table, "estimates": estimates}


def main() -> int:
    all_rows = load_measurements()
    rows = [r for r in all_rows if r.get("ok")]
    names = list(RULES)
    calibration = accuracy_table(rows, names, "run (tests/data/h200-measurements.jsonl)")
    print()
    holdout_rows = [r for r in load_measurements(HOLDOUT) if r.get("ok")] if HOLDOUT.exists() else []
    holdout = accuracy_table(holdout_rows, names, "held-out run (tests/data/h200-holdout.jsonl)") if holdout_rows else None
    summary, estimates = calibration["summary"], calibration["estimates"]
    oom_rows = [r for r in all_rows if r.get("oom")]
    h200 = get_gpu("h200")
    oom = [{"run": row_label(r), "predicted_required_bytes": estimate_row(r).required_bytes,
            "fits_h200": estimate_row(r).fits(h200)} for r in oom_rows]
    held_out = slack_held_out(rows, estimates)

    from lifecycle.memory.estimate import training_memory
    from lifecycle.memory.setup import TrainingSetup
    from lifecycle.models.ref import ModelRef

    setup = TrainingSetup(model=ModelRef.catalog("llama-2-7b"), micro_batch=4, seq_len=2048, grad_checkpointing=True)
    start = time.perf_counter()
    for _ in range(200):
        training_memory(setup)
    per_call_ms = (time.perf_counter() - start) / 200 * 1e3

    print(f"held-out slack check: fractions fit on even rows {({k: round(v, 3) for k, v in held_out['fractions_fit_on_even_rows'].items()})}, "
          f"odd rows reserved error median {held_out['held_out_median_abs_error_of_reserved'] * 100:.1f}% / "
          f"worst {held_out['held_out_worst_abs_error_of_reserved'] * 100:.1f}%")
    for o in oom:
        print(f"OOM run {o['run']}: predicted {o['predicted_required_bytes'] / GB:.1f} GB; fits an H200: {o['fits_h200']}")
    print(f"estimator speed: {per_call_ms:.3f} ms per training_memory call")
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps({
        "generated_at": datetime.now(UTC).isoformat(timespec="seconds"), "python": platform.python_version(),
        "data": "tests/data/h200-measurements.jsonl (NVIDIA H200, torch 2.11.0+cu130, transformers 5.17.0)",
        "rules": RULES, "summary": summary,
        "reserved": calibration["reserved"],
        "holdout": None if holdout is None else {k: holdout[k] for k in ("summary", "reserved", "rows")},
        "held_out_slack": held_out, "oom_rows": oom, "ms_per_call": per_call_ms, "rows": calibration["rows"]}, indent=1))
    print(f"wrote {RESULTS.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
