"""Per-GPU memory of sharded training, measured by PyTorch's own tracker, against our estimator.

For a Llama-style (542M parameters) and a GPT-2-style (124M) decoder, and world sizes 2 to 64: FSDP2 full
shard and hybrid shard (HSDP: 8-GPU shard groups, world/8 replicas), each with and without activation
checkpointing, with CPU offload of parameters and optimizer states, tensor parallel alone (degrees 2, 4, 8)
and FSDP x TP on a 2-D mesh; then bf16 mixed precision — FSDP2 ``MixedPrecisionPolicy(param_dtype=bf16,
reduce_dtype=fp32)`` (``Case(mp="bf16")``) and DeepSpeed ZeRO-3 bf16 emulated on FSDP2 with fp32 master shards
(``Case(mp="zero3")``). Each case runs two AdamW steps under ``FakeTensorMode`` with the fake process
group (no GPU, no real memory), tracked by ``FSDPMemTracker`` (``tests/support/dist_tracker.py``); the table
gives one rank's peak by category next to ``lifecycle.memory.estimate.training_memory`` for the same setup.
Needs the ``dist`` (or ``test``) extra: ``pip install -e '.[dist]'`` — torch 2.13.0 and tabulate.

    .venv/bin/python benchmarks/distributed_memory.py            # every case, ~3 min on 2 cores
    .venv/bin/python benchmarks/distributed_memory.py --quick    # the two cases the slow test runs
    .venv/bin/python benchmarks/distributed_memory.py --only bf16   # the cases whose label contains "bf16"
    .venv/bin/python benchmarks/distributed_memory.py --device cuda   # same cases on one GPU (see README)

On a CPU mesh every tensor shares one device, so CPU offload cannot be seen directly: the offloaded groups
(sharded parameters, sharded gradients, optimizer states) are subtracted. ``--device cuda`` runs the same fake
step with the mesh on one GPU, where the tracker keeps offloaded tensors on the CPU by itself; it writes
benchmarks/results/distributed_memory_cuda.json.

Writes benchmarks/results/distributed_memory.json. Sizes are MiB (2^20 bytes).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
import warnings

from common import format_table, write_result  # puts the checkout on sys.path

MIB = 2**20
WORLDS = (2, 4, 8, 16, 32, 64)
QUICK = ("llama fsdp x8 b2s1024", "llama fsdp_tp x8 tp2 b2s1024")


def cases():
    from tests.support.dist_tracker import Case

    out = []
    for model in ("llama", "gpt2"):
        out += [Case(model, "fsdp", w, ac=ac) for ac in (False, True) for w in WORLDS]
        out += [Case(model, "hsdp", w, ac=ac) for ac in (False, True) for w in (16, 32, 64)]
        out += [Case(model, "fsdp", w, offload=True) for w in (WORLDS if model == "llama" else (8, 64))]
    out += [Case("llama", "tp", t) for t in (2, 4, 8)]
    out += [Case("llama", "fsdp_tp", w, tp=t) for w, t in ((8, 2), (16, 4), (64, 8), (64, 2))]
    out += [Case("llama", "fsdp_tp", 16, tp=4, ac=True)]
    # bf16 mixed precision: FSDP2 MixedPrecisionPolicy(param bf16, reduce fp32), and DeepSpeed ZeRO-3 bf16 emulated
    out += [Case(model, "fsdp", w, ac=ac, mp="bf16") for model in ("llama", "gpt2") for ac in (False, True)
            for w in (8, 64)]
    out += [Case("llama", "hsdp", 16, ac=ac, mp="bf16") for ac in (False, True)]
    out += [Case("llama", "fsdp", w, ac=ac, mp="zero3") for ac in (False, True) for w in (8, 64)]
    return out


def row(case, device: str = "cpu") -> dict:
    from tests.support.dist_tracker import grouped, ours_grouped, run_case

    start = time.perf_counter()
    raw = run_case(case, device=device)
    seconds = time.perf_counter() - start
    tracker = grouped(raw, offload=case.offload and device == "cpu")
    ours, phase = ours_grouped(case)
    out = {"setup": case.label, "seconds": round(seconds, 1), "our phase": phase, "raw": raw,
           "tracker": tracker, "ours": ours, "error": ours["total"] / tracker["total"] - 1}
    for group in ("params", "grads", "optimizer", "activations", "gathered/temp", "total"):
        out[f"t {group}"] = tracker[group] / MIB
        out[f"o {group}"] = ours[group] / MIB
    out["error %"] = 100 * out["error"]
    return out


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="only the two cases the slow test runs")
    parser.add_argument("--device", default="cpu", choices=("cpu", "cuda"), help="where the device mesh lives")
    parser.add_argument("--only", default="", help="only the cases whose label contains this text")
    args = parser.parse_args(argv)
    try:
        import tabulate  # noqa: F401  (the tracker's display needs it; so does the dist extra)
        import torch  # noqa: F401
    except ImportError as exc:
        print(f"skipped: {exc.name} is not installed (pip install -e '.[dist]')")
        return 0
    warnings.filterwarnings("ignore")
    todo = [c for c in cases() if (not args.quick or c.label in QUICK) and args.only in c.label]
    start = time.perf_counter()
    rows = []
    for case in todo:
        rows.append(row(case, args.device))
        r = rows[-1]
        print(f"{r['setup']:<40} tracker {r['t total']:8,.0f} MiB  ours {r['o total']:8,.0f} MiB  "
              f"{r['error %']:+6.1f}%  ({r['seconds']} s)", flush=True)
    total_s = time.perf_counter() - start
    columns = ["setup", "t total", "o total", "error %", "t params", "o params", "t grads", "o grads",
               "t optimizer", "o optimizer", "t activations", "o activations", "t gathered/temp",
               "o gathered/temp", "our phase"]
    print()
    print(format_table(rows, columns, {c: ",.0f" for c in columns if c[:2] in ("t ", "o ")} | {"error %": "+.1f"}))
    errors = [abs(r["error"]) for r in rows]
    summary = {"cases": len(rows), "median_abs_error": statistics.median(errors), "worst_abs_error": max(errors),
               "within_5pct": sum(e <= 0.05 for e in errors), "seconds": round(total_s, 1)}
    print(f"\n{summary['cases']} cases in {total_s:.0f} s: median |error| {100 * summary['median_abs_error']:.1f}%, "
          f"worst {100 * summary['worst_abs_error']:.1f}%, {summary['within_5pct']} within 5%")
    if not args.quick and not args.only:
        write_result("distributed_memory" + ("_cuda" if args.device == "cuda" else ""), {"rows": [{k: v for k, v in r.items() if k[:2] not in ("t ", "o ")}
                                                     for r in rows], "summary": summary})
    return 0


if __name__ == "__main__":
    sys.exit(main())
