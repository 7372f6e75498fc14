"""Held-out ground truth (tests/data/h200-holdout.jsonl): the harness of shared/ground-truth/measure.py
(copy it beside this file as measure.py) run on shapes the estimator was never tuned on.
Measured on one NVIDIA H200, torch 2.11.0+cu130, transformers 5.17.0, 2026-11-26: `python measure_holdout.py OUT.jsonl`."""
import gc
import json
import sys
import time
import traceback

sys.argv = [sys.argv[0], sys.argv[1]]
import measure as M
import torch

RUNS = [
    ("train", "gpt2-small", {"mode": "fp32", "b": 4, "s": 1024}),
    ("train", "gpt2-medium", {"mode": "amp_bf16", "b": 4, "s": 512}),
    ("train", "gpt2-medium", {"mode": "amp_bf16", "b": 8, "s": 1024, "opt": "sgd"}),
    ("train", "gpt2-large", {"mode": "amp_bf16", "b": 4, "s": 1024, "ckpt": True}),
    ("train", "bert-base", {"mode": "amp_bf16", "b": 16, "s": 256}),
    ("train", "bert-large", {"mode": "fp32", "b": 16, "s": 512}),
    ("train", "t5-small", {"mode": "fp32", "b": 16, "s": 512, "t": 64}),
    ("train", "t5-base", {"mode": "amp_bf16", "b": 8, "s": 1024, "t": 256}),
    ("train", "bart-large", {"mode": "amp_bf16", "b": 16, "s": 256, "t": 64}),
    ("train", "tinyllama-1.1b", {"mode": "amp_bf16", "b": 4, "s": 2048}),
    ("train", "tinyllama-1.1b", {"mode": "lora", "lora": 64, "b": 8, "s": 1024}),
    ("train", "llama3.2-1b", {"mode": "amp_bf16", "b": 4, "s": 2048, "ckpt": True}),
    ("train", "llama3.2-1b", {"mode": "bf16", "b": 8, "s": 1024, "opt": "sgd"}),
    ("train", "bloom-560m", {"mode": "amp_bf16", "b": 4, "s": 512}),
    ("train", "gpt2-xl", {"mode": "bf16", "b": 4, "s": 512}),
    ("train", "llama-7b", {"mode": "lora", "lora": 8, "b": 2, "s": 2048}),
    ("train", "llama3-8b", {"mode": "lora", "lora": 32, "b": 2, "s": 2048, "ckpt": True}),
    ("infer", "tinyllama-1.1b", {"b": 32, "p": 1024, "n": 128}),
    ("infer", "llama3.2-1b", {"b": 8, "p": 4096, "n": 64}),
    ("infer", "gpt2-large", {"b": 8, "p": 1024, "n": 0}),
    ("infer", "t5-base", {"b": 32, "p": 512, "n": 64}),
    ("infer", "llama3-8b", {"b": 4, "p": 512, "n": 512}),
]

out = sys.argv[1]
env = {"kind": "env", "torch": torch.__version__, "transformers": M.tf.__version__}
torch.cuda.init()
free, total = torch.cuda.mem_get_info()
env.update({"gpu": torch.cuda.get_device_name(), "total": total, "free_at_start": free, "set": "holdout"})
deadline = time.time() + 330
with open(out, "w") as f:
    f.write(json.dumps(env) + "\n")
    for kind, name, kw in RUNS:
        if time.time() > deadline:
            f.write(json.dumps({"kind": "skipped", "name": name, **kw}) + "\n"); continue
        rec = {"kind": kind, "name": name, **kw}
        M.reset(); t0 = time.perf_counter()
        try:
            (M.train if kind == "train" else M.infer)(rec, name, **kw); rec["ok"] = True
        except torch.OutOfMemoryError:
            rec.update({"ok": False, "oom": True, "peak_at_oom": M.mem()})
        except Exception as e:  # noqa: BLE001 - a failed run is recorded as a row, the sweep goes on
            rec.update({"ok": False, "error": f"{type(e).__name__}: {e}"[:500], "tb": traceback.format_exc()[-800:]})
        rec["wall_total_s"] = round(time.perf_counter() - t0, 2)
        gc.collect()
        f.write(json.dumps(rec) + "\n"); f.flush()
        print(json.dumps({k: rec.get(k) for k in ("name", "mode", "b", "s", "ok", "steady", "wall_total_s", "error")}), flush=True)
