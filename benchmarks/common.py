"""Shared helpers for the benchmark scripts: timing, a plain-text table, and the JSON result file.

Every benchmark prints a table to stdout and writes ``benchmarks/results/<name>.json`` with the
table rows, a summary, the machine it ran on and when, so README tables can be checked against it.
"""

from __future__ import annotations

import json
import os
import platform
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
RESULTS_DIR = ROOT / "benchmarks" / "results"
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


def percentile(values: Sequence[float], q: float) -> float:
    """The q-th percentile (0-100) with linear interpolation between order statistics (numpy's default)."""
    ordered = sorted(values)
    if not ordered:
        raise ValueError("no values")
    pos = (len(ordered) - 1) * q / 100
    lo = int(pos)
    hi = min(lo + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (pos - lo)


def time_calls(fn: Callable[[], Any], repeat: int, warmup: int = 1) -> list[float]:
    """Wall-clock seconds of ``repeat`` calls of ``fn`` after ``warmup`` untimed calls."""
    for _ in range(warmup):
        fn()
    out = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        out.append(time.perf_counter() - start)
    return out


def summary_ms(seconds: Sequence[float]) -> dict[str, float]:
    """Median, p95 and max in milliseconds, plus the sample count."""
    return {"median_ms": statistics.median(seconds) * 1e3, "p95_ms": percentile(seconds, 95) * 1e3,
            "max_ms": max(seconds) * 1e3, "n": len(seconds)}


def machine() -> dict[str, Any]:
    """What the numbers were measured on."""
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {"python": platform.python_version(), "platform": platform.platform(), "cpu": cpu,
            "cpus": os.cpu_count()}


def format_table(rows: list[dict[str, Any]], columns: list[str], formats: dict[str, str] | None = None) -> str:
    """A Markdown pipe table (also readable as plain text) of ``rows`` restricted to ``columns``."""
    formats = formats or {}

    def cell(row: dict, col: str) -> str:
        value = row.get(col)
        if value is None:
            return "n/a"
        if col in formats and isinstance(value, (int, float)) and not isinstance(value, bool):
            return format(value, formats[col])
        return str(value)

    body = [[cell(r, c) for c in columns] for r in rows]
    widths = [max(len(c), *(len(b[i]) for b in body)) if body else len(c) for i, c in enumerate(columns)]
    lines = ["| " + " | ".join(c.ljust(w) for c, w in zip(columns, widths)) + " |",
             "|" + "|".join("-" * (w + 2) for w in widths) + "|"]
    lines += ["| " + " | ".join(v.ljust(w) for v, w in zip(b, widths)) + " |" for b in body]
    return "\n".join(lines)


def write_result(name: str, payload: dict[str, Any]) -> Path:
    """Write ``benchmarks/results/<name>.json`` with the payload, the machine and the time."""
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    path = RESULTS_DIR / f"{name}.json"
    doc = {"benchmark": name, "generated_at": datetime.now(UTC).isoformat(timespec="seconds"),
           "machine": machine(), **payload}
    path.write_text(json.dumps(doc, indent=1, default=str) + "\n", encoding="utf-8")
    print(f"wrote {path.relative_to(ROOT)}")
    return path


def page_views() -> list[tuple[str, None]]:
    """(page file relative to the repo, None) for every page of the app, in the order app.py registers them."""
    from ui.navigation import PAGES

    return [(spec.file, None) for spec in PAGES]


def temporary_database_with_full_project(tmp_dir: Path) -> tuple[str, int]:
    """Point the app at a fresh SQLite file holding the example project (every stage, scenarios)."""
    url = f"sqlite:///{tmp_dir}/bench.db"
    os.environ["LIFECYCLE_DATABASE_URL"] = url
    os.environ.setdefault("LIFECYCLE_USER", "bench")
    from lifecycle.records.store import Store
    from tests.support.example_project import example_project

    store = Store(url)
    project = store.import_documents([example_project().content()], author="bench")[0]
    store.engine.dispose()
    return url, project.id
