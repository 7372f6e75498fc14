"""Run the estimator on measured rows (tests/data/h200-measurements.jsonl, format of its README).

Shared by the accuracy test and ``benchmarks/memory_accuracy.py`` so both read a row the same way:
``mode`` fp32/amp_bf16/bf16 -> precision; ``lora`` -> method lora (bf16 base under autocast); ``opt``
foreach/fused/sgd -> optimizer and its implementation; ``ckpt``, ``attn``, ``b``, ``s``, ``t``, ``p``, ``n``.
"""

from __future__ import annotations

import json
from pathlib import Path

from lifecycle.memory.breakdown import MemoryEstimate
from lifecycle.memory.gpu_count import rule_of_thumb_bytes
from lifecycle.models.architecture import ModelShape
from tests.support.memory import infer, train

REPO = Path(__file__).resolve().parents[2]
MEASUREMENTS = REPO / "tests" / "data" / "h200-measurements.jsonl"
CONFIGS = REPO / "tests" / "data" / "model-configs"


def load_measurements(path: Path = MEASUREMENTS) -> list[dict]:
    """Measurement rows (the leading ``env`` line and skipped runs dropped)."""
    rows = [json.loads(line) for line in Path(path).read_text(encoding="utf-8").splitlines() if line.strip()]
    return [r for r in rows if r.get("kind") in ("train", "infer")]


def shape_for(name: str, configs: Path = CONFIGS) -> ModelShape:
    return ModelShape.from_config(json.loads((Path(configs) / f"{name}.json").read_text(encoding="utf-8")))


def estimator_kwargs(row: dict) -> dict:
    """The keyword arguments of training_memory / inference_memory that reproduce a measured run."""
    if row["kind"] == "infer":
        return {"batch": row["b"], "prompt_tokens": row["p"], "new_tokens": row["n"]}
    kwargs = {"batch": row["b"], "seq": row["s"], "target_len": row.get("t"),
              "grad_checkpointing": bool(row.get("ckpt")), "attention": row.get("attn") or "sdpa"}
    if row["mode"] == "lora":
        kwargs.update(precision="amp_bf16", method="lora", lora_rank=row["lora"])
    else:
        kwargs["precision"] = row["mode"]
    opt = row.get("opt", "foreach")
    if opt == "sgd":
        kwargs["optimizer"] = "sgd"
    elif opt == "fused":
        kwargs["optimizer_impl"] = "fused"
    return kwargs


def estimate_row(row: dict, configs: Path = CONFIGS) -> MemoryEstimate:
    shape = shape_for(row["name"], configs)
    kwargs = estimator_kwargs(row)
    return infer(shape, **kwargs) if row["kind"] == "infer" else train(shape, **kwargs)


def rules_for_row(row: dict) -> dict[str, float | None]:
    """The classic rules' predictions for a measured row (LoRA rows: the rules only know the base model)."""
    if row["kind"] == "infer":
        return rule_of_thumb_bytes(row["params"], precision="bf16", workload="infer")
    precision = {"lora": "bf16"}.get(row["mode"], row["mode"])
    return rule_of_thumb_bytes(row["params"], precision=precision, workload="train")


def row_label(row: dict) -> str:
    if row["kind"] == "infer":
        return f"{row['name']} infer b={row['b']} p={row['p']} n={row['n']}"
    extras = [f"{k}={row[k]}" for k in ("t", "opt", "attn", "lora") if row.get(k)]
    extras += ["ckpt"] if row.get("ckpt") else []
    return f"{row['name']} {row['mode']} b={row['b']} s={row['s']}" + (" " + " ".join(extras) if extras else "")
