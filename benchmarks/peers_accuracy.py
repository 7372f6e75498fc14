"""Accuracy against the peers: our memory estimator next to the 24-bytes-per-parameter rule,
accelerate's ``estimate-memory`` rule, DeepSpeed's ZeRO model-states formula and llm-analysis
(cli99/llm-analysis, run from its own virtual environment) on every measured H200 row each supports — the calibration rows and the held-out rows
(tests/data/h200-holdout.jsonl, measured afterwards on shapes the estimator was not tuned on), reported apart.

For each method: median and worst absolute error of peak allocated memory, and fit/no-fit agreement
over (row, GPU) pairs for every GPU in data/gpus.json. "Fits" in the measurements means the measured
peak reserved memory plus the CUDA context (0.5 GiB, the ground-truth README's figure) is at most the
GPU's memory; a run that went out of memory on the 141 GB H200 fits no GPU up to that size. Each
method's "fits" is its own number compared with the GPU's memory (ours: ``MemoryEstimate.fits``).
A "false fit" — predicted to fit, does not — is the error that costs a user an OOM.

llm-analysis supports decoder-only models in mixed-precision (16-bit weights, fp32 master) Adam or
SGD training and 16-bit generation; it models LoRA as full training and has no fp32 or pure-bf16
optimizer option, so those rows are left out for it. Install it once, outside the project:

    python3 -m venv /tmp/peers-venv && /tmp/peers-venv/bin/pip install llm-analysis==0.2.2
    .venv/bin/python benchmarks/peers_accuracy.py [--llm-analysis-python /tmp/peers-venv/bin/python]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
from pathlib import Path

from common import ROOT, format_table, write_result

from lifecycle.memory.gpu_count import RULES
from lifecycle.models.gpus import list_gpus
from tests.support.measurements import (
    estimate_row,
    load_measurements,
    row_label,
    rules_for_row,
    shape_for,
)

CUDA_CONTEXT_BYTES = 2**29  # ground-truth README: "The CUDA context (about 0.5 GB) comes on top of" peak_reserved
DEFAULT_PEER_PYTHON = "/tmp/peers-venv/bin/python"
LLM_ANALYSIS = "llm-analysis"
OURS = "ours (lifecycle.memory.estimate)"
GB = 1e9


def llm_analysis_case(row: dict) -> dict | None:
    """The llm-analysis inputs for a measured row, or None where it has no matching model."""
    shape = shape_for(row["name"])
    if shape.family != "decoder":
        return None
    model = {k: getattr(shape, k) for k in ("layers", "heads", "kv_heads", "hidden", "ffn", "vocab", "gated_mlp",
                                            "max_context", "arch")}
    if row["kind"] == "infer":
        if row["n"] < 1:
            return None
        return {"name": row_label(row), "kind": "infer", "model": model, "weight_bits": 16, "batch": row["b"],
                "seq": row["p"], "new_tokens": row["n"]}
    if row["mode"] != "amp_bf16":
        return None
    eager = row.get("attn") == "eager" or shape.arch == "bloom"  # BLOOM has no SDPA path (measurement notes)
    case = {"name": row_label(row), "kind": "train", "model": model, "weight_bits": 16, "batch": row["b"],
            "seq": row["s"], "ckpt": bool(row.get("ckpt")), "flash_attn": not eager}
    if row.get("opt") == "sgd":
        case["other_op_bytes"] = 4  # fp32 momentum
    return case


def run_llm_analysis(cases: list[dict], python: str) -> dict[str, float | None]:
    if not Path(python).exists():
        print(f"llm-analysis not run: {python} missing (see the docstring to install it in its own venv)")
        return {}
    proc = subprocess.run([python, str(ROOT / "benchmarks" / "peers" / "llm_analysis_runner.py")], input=json.dumps(cases),
                          capture_output=True, text=True, timeout=600, check=False, env={**os.environ, "PYTHONWARNINGS": "ignore"})
    if proc.returncode != 0:
        raise SystemExit(f"llm-analysis runner failed:\n{proc.stderr[-3000:]}")
    out = {}
    for r in json.loads(proc.stdout):
        if r.get("error"):
            print(f"llm-analysis failed on {r['name']}: {r['error']}")
        out[r["name"]] = r["bytes"]
    return out


def peer_version(python: str) -> str | None:
    if not Path(python).exists():
        return None
    proc = subprocess.run([python, "-c", "import importlib.metadata as m; print(m.version('llm-analysis'))"],
                          capture_output=True, text=True, check=False)
    return proc.stdout.strip() or None


def _measured_fits(row: dict, gpu) -> bool | None:
    if row.get("oom"):
        return False if gpu.memory_bytes <= 150_109_880_320 else None  # unknown beyond the H200 it failed on
    return row["steady"]["peak_reserved"] + CUDA_CONTEXT_BYTES <= gpu.memory_bytes


DATASETS = {"calibration": ROOT / "tests" / "data" / "h200-measurements.jsonl",
            "held-out": ROOT / "tests" / "data" / "h200-holdout.jsonl"}


def evaluate(peer_python: str, path: Path) -> dict:
    rows = [r for r in load_measurements(path) if r.get("ok") or r.get("oom")]
    gpus = list_gpus()
    cases = [c for c in (llm_analysis_case(r) for r in rows) if c]
    peer = run_llm_analysis(cases, peer_python)
    methods = [OURS, *RULES, LLM_ANALYSIS]
    table, per_method = [], {m: {"errors": [], "agree": 0, "pairs": 0, "false_fits": 0, "rows": []} for m in methods}
    for row in rows:
        label = row_label(row)
        est = estimate_row(row)
        predicted = {OURS: est.peak_allocated_bytes, **rules_for_row(row), LLM_ANALYSIS: peer.get(label)}
        line = {"run": label, "measured_gb": row["steady"]["peak_allocated"] / GB if row.get("ok") else None}
        for m in methods:
            value = predicted.get(m)
            if value is None:
                continue
            if row.get("ok"):
                err = (value - row["steady"]["peak_allocated"]) / row["steady"]["peak_allocated"]
                per_method[m]["errors"].append(abs(err))
                per_method[m]["rows"].append(label)
                line[m] = err
            for gpu in gpus:
                truth = _measured_fits(row, gpu)
                if truth is None:
                    continue
                fits = est.fits(gpu) if m == OURS else value <= gpu.memory_bytes
                per_method[m]["pairs"] += 1
                per_method[m]["agree"] += fits == truth
                per_method[m]["false_fits"] += fits and not truth
        table.append(line)
    summary = {}
    for m, d in per_method.items():
        if not d["errors"]:
            continue
        summary[m] = {"rows": len(d["errors"]), "median_abs_error": statistics.median(d["errors"]),
                      "worst_abs_error": max(d["errors"]), "fit_agreement": d["agree"] / d["pairs"],
                      "fit_pairs": d["pairs"], "false_fits": d["false_fits"]}
    # Head to head on the rows llm-analysis supports.
    common_rows = set(per_method[LLM_ANALYSIS]["rows"])
    head_to_head = {}
    for m in methods:
        errs = [abs(line[m]) for line in table if line["run"] in common_rows and m in line]
        if errs:
            head_to_head[m] = {"rows": len(errs), "median_abs_error": statistics.median(errs),
                               "worst_abs_error": max(errs)}
    return {"rows": table, "summary": summary, "head_to_head_on_llm_analysis_rows": head_to_head,
            "gpus": [g.id for g in gpus]}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--llm-analysis-python", default=os.environ.get("LLM_ANALYSIS_PYTHON", DEFAULT_PEER_PYTHON))
    args = parser.parse_args()
    results = {name: evaluate(args.llm_analysis_python, path) for name, path in DATASETS.items() if path.exists()}
    for name, result in results.items():
        print(f"\n## {name} rows ({DATASETS[name].relative_to(ROOT)})\n")
        _print(result)
    write_result("peers_accuracy", {
        "data": {name: str(DATASETS[name].relative_to(ROOT)) for name in results},
        "measured_on": "NVIDIA H200, torch 2.11.0+cu130, transformers 5.17.0",
        "note": "our estimator was developed against the calibration rows; the held-out rows were measured "
                "afterwards on shapes it was not tuned on",
        "target": "steady.peak_allocated (torch.cuda.max_memory_allocated)",
        "peers": {**RULES, LLM_ANALYSIS: f"cli99/llm-analysis {peer_version(args.llm_analysis_python)} from PyPI, "
                                         "flops/HBM efficiency 1, its own total memory per GPU"},
        "fit_rule": "measured fits when peak_reserved + 0.5 GiB CUDA context <= GPU memory; OOM rows fit no GPU <= 141 GB",
        "sets": results})
    return 0


def _print(result: dict) -> None:
    short = {OURS: "ours", "24 B/param rule": "24B rule", "4 B/param to store": "4B store", "accelerate estimate-memory": "accelerate",
             "DeepSpeed model states": "DeepSpeed", LLM_ANALYSIS: "llm-analysis"}
    rows = [{"run": r["run"], "measured_gb": r["measured_gb"], **{short[m]: r.get(m) for m in short}}
            for r in result["rows"]]
    pct = {short[m]: "+.1%" for m in short}
    print(format_table(rows, ["run", "measured_gb", *short.values()], {"measured_gb": ".2f", **pct}))
    print()
    summary_rows = [{"method": m, **s} for m, s in result["summary"].items()]
    print(format_table(summary_rows, ["method", "rows", "median_abs_error", "worst_abs_error", "fit_agreement",
                                      "fit_pairs", "false_fits"],
                       {"median_abs_error": ".1%", "worst_abs_error": ".1%", "fit_agreement": ".1%"}))
    print()
    print("head to head on the rows llm-analysis supports:")
    print(format_table([{"method": m, **s} for m, s in result["head_to_head_on_llm_analysis_rows"].items()],
                       ["method", "rows", "median_abs_error", "worst_abs_error"],
                       {"median_abs_error": ".1%", "worst_abs_error": ".1%"}))


if __name__ == "__main__":
    raise SystemExit(main())
