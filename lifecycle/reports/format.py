"""Turning saved values into text a stakeholder reads: units from key suffixes, stable ordering.

The suffix convention is the project's (CONTRIBUTING.md): ``_bytes``, ``_flops``, ``_tokens``,
``_s``, ``_usd``, ``_gib``. Bytes are shown in GiB (2**30 bytes) and GB (1e9 bytes), both named.
"""

from __future__ import annotations

import math
from datetime import datetime
from typing import Any

from lifecycle.reports.model import Fact, Table

MAX_LIST_ITEMS = 12
MAX_TABLE_ROWS = 25
MAX_TABLE_COLUMNS = 8
MAX_CELL_CHARS = 160
MAX_TEXT_CHARS = 600
GIB = 2**30
GB = 1e9

# Words that read better than a mechanical "key with spaces".
LABELS: dict[str, str] = {
    "gpu_id": "GPU", "gpu": "GPU", "gpus": "GPUs", "new_tokens": "New tokens", "prompt_tokens": "Prompt tokens",
    "train_tokens": "Training tokens", "params": "Parameters", "flops": "FLOPs", "min_gpus": "Minimum GPUs", "gpu_count": "GPU count",
    "mfu": "MFU", "tp": "Tensor parallel", "pp": "Pipeline parallel", "seq": "Sequence length",
    "lora_rank": "LoRA rank", "pf_days": "PF-days", "gpu_hours": "GPU-hours", "model_id": "Model",
    "top_k": "Top-k", "top_p": "Top-p", "kv_heads": "KV heads", "ffn": "FFN size",
}
# Checked in order: "_per_s" before "_s".
UNIT_SUFFIXES: dict[str, str] = {
    "_tokens_per_s": " tokens/s", "_per_s": "/s", "_flops": " FLOPs", "_tokens": " tokens", "_gib": " GiB", "_gb": " GB", "_ms": " ms",
}


def label(key: str) -> str:
    """``peak_allocated_bytes`` → ``Peak allocated (bytes)``; known keys get their proper words."""
    if key in LABELS:
        return LABELS[key]
    words = str(key).replace("-", "_").split("_")
    if len(words) > 2 and words[-2:] == ["per", "s"]:  # decode_tokens_per_s → Decode tokens/s
        text = " ".join(words[:-2])
        return text[:1].upper() + text[1:] + "/s"
    unit = ""
    if len(words) > 1 and words[-1] in {"bytes", "flops", "tokens", "usd", "s", "gib", "gb", "ms"}:
        unit = {"usd": "USD", "s": "s", "gib": "GiB", "gb": "GB", "flops": "FLOPs"}.get(words[-1], words[-1])
        words = words[:-1]
    text = " ".join(w for w in words if w)
    text = text[:1].upper() + text[1:] if text else str(key)
    return f"{text} ({unit})" if unit else text


def number(x: float) -> str:
    """Four significant figures, thousands separators for large integers, scientific beyond 1e12."""
    if isinstance(x, bool):
        return "yes" if x else "no"
    if isinstance(x, int):
        return f"{x:,}" if abs(x) < 10**15 else f"{x:.3e}"
    if math.isnan(x) or math.isinf(x):
        return "not a number" if math.isnan(x) else ("∞" if x > 0 else "−∞")
    if x == 0:
        return "0"
    if abs(x) >= 1e12 or abs(x) < 1e-3:
        return f"{x:.3e}"
    if abs(x) >= 1e4:
        return f"{x:,.0f}"
    return f"{x:.4g}"


def with_unit(key: str, value: Any) -> str:
    """A value rendered with the unit its key names (bytes also in GiB and GB)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return text(value)
    key = str(key)
    if key.endswith("_bytes"):
        return f"{value / GIB:,.2f} GiB ({value / GB:,.2f} GB; {number(value)} bytes)"
    if key.endswith("_usd") or "_usd_" in key or key.startswith(("cost", "price")):
        return f"${value:,.2f}" if abs(value) >= 0.01 or value == 0 else f"${value:.3g}"
    if key == "seconds" or key.endswith("_seconds") or (key.endswith("_s") and not key.endswith("_per_s")):
        return duration(value)
    if key == "days" or key.endswith("_days") and key != "pf_days":
        return f"{number(value)} days"
    for suffix, unit in UNIT_SUFFIXES.items():
        if key.endswith(suffix) and unit:
            return number(value) + unit
    return number(value)


def duration(seconds: float) -> str:
    if seconds < 120:
        return f"{number(seconds)} s"
    if seconds < 2 * 3600:
        return f"{seconds / 60:.1f} min ({number(seconds)} s)"
    if seconds < 2 * 86400:
        return f"{seconds / 3600:.1f} h ({number(seconds)} s)"
    return f"{seconds / 86400:,.1f} days ({number(seconds)} s)"


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
