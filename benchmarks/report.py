"""Benchmark the report builder: time to build each format for a full project (the computed
example project), cold (first build in the process) and warm (median of the next runs).
Target: PDF under 10 s. Prints a table and writes benchmarks/results/report.json.

    .venv/bin/python benchmarks/report.py [--runs N]
"""

from __future__ import annotations

import argparse
import io
import json
import platform
import statistics
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from pypdf import PdfReader

from lifecycle.reports import build_report, render
from tests.support.example_project import example_project

PDF_TARGET_S = 10.0
RESULTS = ROOT / "benchmarks" / "results" / "report.json"


def _time(fn) -> tuple[float, object]:
    start = time.perf_counter()
    out = fn()
    return time.perf_counter() - start, out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="warm runs per format (default 3)")
    args = parser.parse_args()
    project = example_project()
    when = datetime(2026, 1, 1, tzinfo=UTC)
    rows = []
    for fmt in ("md", "html", "pdf"):
        times, size = [], 0
        for _ in range(1 + args.runs):
            seconds, data = _time(lambda f=fmt: render(build_report(project, built_at=when), f))
            times.append(seconds)
            size = len(data)
        row = {"format": fmt, "cold_s": times[0], "warm_median_s": statistics.median(times[1:]),
               "warm_max_s": max(times[1:]), "bytes": size}
        if fmt == "pdf":
            row["pages"] = len(PdfReader(io.BytesIO(data)).pages)
        rows.append(row)
    print(f"{'format':<7}{'cold s':>9}{'warm median s':>15}{'warm max s':>12}{'size':>12}  pages")
    for r in rows:
        print(f"{r['format']:<7}{r['cold_s']:>9.3f}{r['warm_median_s']:>15.3f}{r['warm_max_s']:>12.3f}"
              f"{r['bytes'] / 1024:>10,.0f} KiB  {r.get('pages', '')}")
    pdf = next(r for r in rows if r["format"] == "pdf")
    ok = max(pdf["cold_s"], pdf["warm_max_s"]) < PDF_TARGET_S
    print(f"PDF under {PDF_TARGET_S:.0f} s: {'yes' if ok else 'NO'} (cold {pdf['cold_s']:.2f} s, "
          f"warm max {pdf['warm_max_s']:.2f} s)")
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps({"machine": platform.platform(), "python": platform.python_version(),
                                   "runs": args.runs, "pdf_target_s": PDF_TARGET_S, "pdf_ok": ok, "formats": rows},
                                  indent=2) + "\n")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
