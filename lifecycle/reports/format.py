"""Turning saved values into text a stakeholder reads: units from key suffixes, stable ordering.

The suffix convention is the project's (CONTRIBUTING.md): ``_bytes``, ``_flops``, ``_tokens``,
``_s``, ``_usd``, ``_gib``. Numbers go through ``lifecycle.display``, the formatter the pages use, so a
value reads the same in the report as on the screen ("28.7 GB", "42 min", "$0.43", "$607k").
"""

from __future__ import annotations

import math
from datetime import datetime
from typing import Any

from lifecycle.display import (
    format_bytes,
    format_count,
    format_duration,
    format_gib,
    format_money,
    format_number,
    format_percent,
    format_rate,
)
from lifecycle.reports.model import Fact, Table

MAX_LIST_ITEMS = 12
MAX_TABLE_ROWS = 25
MAX_TABLE_COLUMNS = 8
MAX_CELL_CHARS = 160
MAX_TEXT_CHARS = 600
GIB = 2**30

# Words that read better than a mechanical "key with spaces".
LABELS: dict[str, str] = {
    "gpu_id": "GPU", "gpu": "GPU", "gpus": "GPUs", "new_tokens": "New tokens", "prompt_tokens": "Prompt tokens",
    "train_tokens": "Training tokens", "params": "Parameters", "flops": "FLOPs", "min_gpus": "Minimum GPUs", "gpu_count": "GPU count",
    "mfu": "MFU", "tp": "Tensor parallel", "pp": "Pipeline parallel", "seq": "Sequence length",
    "lora_rank": "LoRA rank", "pf_days": "PF-days", "gpu_hours": "GPU-hours", "model_id": "Model",
    "top_k": "Top-k", "top_p": "Top-p", "kv_heads": "KV heads", "ffn": "FFN size",
    # one word per quantity: no two rows of a card share a label (“Training” was tokens, FLOPs and time)
    "seq_len_tokens": "Sequence length", "seq_len": "Sequence length", "target_len_tokens": "Decoder length",
    "target_len": "Decoder length", "training_tokens": "Training tokens", "training_flops": "Training compute",
    "training_s": "Training time", "training_days": "Training time", "price_usd_per_hour": "Price per GPU-hour",
    "cost_usd": "Cost", "budget_flops": "Compute budget", "micro_batch": "Micro-batch",
    "cpu_offload": "CPU offload", "kept_tokens": "Tokens kept", "max_context_tokens": "Longest context that fits",
    "memory_total_bytes": "Memory per GPU (total)", "gpu_memory_bytes": "GPU memory",
}
ACRONYMS = {"gpu": "GPU", "gpus": "GPUs", "cpu": "CPU", "mfu": "MFU", "kv": "KV", "lora": "LoRA", "ffn": "FFN",
            "bf16": "BF16", "fp16": "FP16", "fp32": "FP32", "int8": "INT8", "int4": "INT4"}
# Checked in order: "_per_s" before "_s".
UNIT_SUFFIXES: dict[str, str] = {
    "_tokens_per_s": " tokens/s", "_per_s": "/s", "_flops": " FLOPs", "_tokens": " tokens", "_gib": " GiB", "_gb": " GB", "_ms": " ms",
}


def label(key: str) -> str:
    """``peak_allocated_bytes`` → ``Peak allocated (bytes)``; known keys get their proper words."""
    if key in LABELS:
        return LABELS[key]
    if " " in str(key):  # "chinchilla1 training_tokens": one quantity of one law → "Chinchilla1: training tokens"
        head, rest = str(key).split(" ", 1)
        part = label(rest)
        return f"{head[:1].upper() + head[1:]}: {part[:1].lower() + part[1:]}"
    words = str(key).replace("-", "_").split("_")
    if len(words) > 2 and words[-2:] == ["per", "s"]:  # decode_tokens_per_s → Decode tokens/s
        text = " ".join(words[:-2])
        return text[:1].upper() + text[1:] + "/s"
    # The value carries its unit ("8.61 GB", "$2.76", "42 min"), so the label does not repeat it.
    if len(words) > 1 and words[-1] in {"bytes", "flops", "tokens", "usd", "s", "gib", "gb", "ms"}:
        words = words[:-1]
    words = [ACRONYMS.get(w, w) for w in words if w]
    text = " ".join(words)
    return text[:1].upper() + text[1:] if text else str(key)


def number(x: float) -> str:
    """Integers exactly below a million (counts people check), else three significant figures."""
    if isinstance(x, bool):
        return "yes" if x else "no"
    if isinstance(x, int) and abs(x) < 10**6:
        return f"{x:,}"
    if isinstance(x, float) and (math.isnan(x) or math.isinf(x)):
        return "not a number"
    return format_count(x) if abs(x) >= 10**6 else format_number(x)


def with_unit(key: str, value: Any) -> str:
    """A value rendered with the unit its key names (bytes also in GiB and GB)."""
    if key in ("gpu", "gpu_id") and isinstance(value, str):
        return gpu_name(value)
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return text(value)
    key = str(key).rsplit(" ", 1)[-1]  # "kaplan cost_usd" is in dollars like "cost_usd"
    if key.endswith("_bytes"):
        return format_bytes(value)
    if key.endswith("_per_s"):  # "decode_tokens_per_s" → "1.37k tokens/s", as the Serving page shows it
        return format_rate(value, key[: -len("_per_s")].split("_")[-1])
    if key.endswith("_gib"):
        return format_gib(value * GIB)
    if key.endswith("_usd") or "_usd_" in key or key.startswith(("cost", "price")):
        return format_money(value)
    if key == "seconds" or key.endswith("_seconds") or (key.endswith("_s") and not key.endswith("_per_s")):
        return duration(value)
    if key == "days" or key.endswith("_days") and key != "pf_days":
        return duration(value * 86_400)
    if key.endswith("_flops"):
        return f"{value:.3g} FLOPs"
    if key == "mfu" or key.endswith("_fraction"):
        return format_percent(value)
    for suffix, unit in UNIT_SUFFIXES.items():
        if key.endswith(suffix) and unit:
            return number(value) + unit
    return number(value)


def gpu_name(gpu_id: str) -> str:
    """A GPU as its datasheet names it; an id the catalog does not know stays as typed."""
    from lifecycle.errors import LifecycleError
    from lifecycle.models.gpus import get_gpu

    try:
        return get_gpu(gpu_id).name
    except LifecycleError:
        return text(gpu_id)


def duration(seconds: float) -> str:
    return format_duration(seconds)


def text(value: Any) -> str:
    """Any JSON-able value as one readable line (lists shortened, dicts as key: value pairs)."""
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, (int, float)):
        return number(value)
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M UTC")
    if isinstance(value, dict):
        items = sorted(value.items(), key=lambda kv: str(kv[0]))
        parts = [f"{label(k)}: {with_unit(k, v)}" for k, v in items[:MAX_LIST_ITEMS]]
        more = f" … and {len(items) - MAX_LIST_ITEMS} more" if len(items) > MAX_LIST_ITEMS else ""
        return _shorten("; ".join(parts) + more) if parts else "none"
    if isinstance(value, (list, tuple)):
        items = [text(v) for v in value[:MAX_LIST_ITEMS]]
        more = f" … and {len(value) - MAX_LIST_ITEMS} more" if len(value) > MAX_LIST_ITEMS else ""
        return _shorten(", ".join(items) + more) if items else "none"
    return _shorten(str(value))


def _shorten(s: str) -> str:
    return s if len(s) <= MAX_TEXT_CHARS else s[: MAX_TEXT_CHARS - 1] + "…"


def facts(values: dict[str, Any]) -> list[Fact]:
    """A dict as facts, keys in sorted order so the same record always reads the same."""
    return [Fact(label=label(k), value=with_unit(k, v)) for k, v in sorted(values.items(), key=lambda kv: str(kv[0]))]


def when(value: datetime | None) -> str:
    return value.strftime("%Y-%m-%d %H:%M UTC") if value else "—"


def is_records(value: Any) -> bool:
    """A non-empty list of dicts: shown as a table rather than one line."""
    return isinstance(value, list) and bool(value) and all(isinstance(v, dict) for v in value)


def records_table(key: str, rows: list[dict[str, Any]], caption_prefix: str = "") -> Table:
    """Records as a table: columns in first-seen order (capped), long tables cut with a note."""
    columns: list[str] = []
    for row in rows:
        columns.extend(k for k in row if k not in columns)
    shown = columns[:MAX_TABLE_COLUMNS]
    notes = []
    if len(columns) > len(shown):
        notes.append(f"{len(columns) - len(shown)} more columns not shown: {', '.join(map(str, columns[len(shown):]))}")
    if len(rows) > MAX_TABLE_ROWS:
        notes.append(f"first {MAX_TABLE_ROWS} of {len(rows)} rows")
    caption = f"{caption_prefix}{label(key)}" + (f" ({'; '.join(notes)})" if notes else "")
    body = [[_cell(with_unit(c, row.get(c))) if c in row else "—" for c in shown] for row in rows[:MAX_TABLE_ROWS]]
    return Table(caption=caption, header=[label(c) for c in shown], rows=body)


def _cell(s: str) -> str:
    return s if len(s) <= MAX_CELL_CHARS else s[: MAX_CELL_CHARS - 1] + "…"


def split_records(values: dict[str, Any], caption_prefix: str) -> tuple[list[Fact], list[Table]]:
    """Facts for the scalar values, tables for the list-of-records values (both in key order)."""
    scalars = {k: v for k, v in values.items() if not is_records(v)}
    tables = [records_table(k, v, caption_prefix) for k, v in sorted(values.items(), key=lambda kv: str(kv[0]))
              if is_records(v)]
    return facts(scalars), tables
