"""Page speed: every page and view of the app, run with Streamlit's AppTest with warm caches and the
full example project loaded, next to a one-line Streamlit page file measured the same way in the same
run. Reports the median and p95 script run time of each page file and its ratio to the one-line page,
and the same page reached through ``app.py`` (navigation + sidebar: what a user's rerun really costs).
Targets: every view under 3× the one-line page and under 300 ms.

    .venv/bin/python benchmarks/page_speed.py [--runs 20]
"""

from __future__ import annotations

import argparse
import logging
import tempfile
from pathlib import Path

from common import (
    ROOT,
    format_table,
    page_views,
    summary_ms,
    temporary_database_with_full_project,
    time_calls,
    write_result,
)

RATIO_TARGET = 3.0
MS_TARGET = 300.0
ONE_LINE_PAGE = 'import streamlit as st\nst.write("Hello")\n'


def _page_test(path: Path, view: str | None, project_id: int):
    """The page file alone, as the tests' ``run_page`` runs it."""
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(path), default_timeout=120)
    at.session_state["project_id"] = project_id
    at.run()
    return at


def _app_test_for(page: str, view: str | None, project_id: int):
    """The page reached through app.py, as a browser reruns it (sidebar and navigation included)."""
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.session_state["project_id"] = project_id
    at.run()
    at.switch_page(page)
    at.run()
    return at


def measure(runs: int) -> dict:
    logging.getLogger("streamlit").setLevel(logging.ERROR)
    tmp = Path(tempfile.mkdtemp(prefix="page-speed-"))
    _, project_id = temporary_database_with_full_project(tmp)
    one_line = tmp / "one_line_page.py"
    one_line.write_text(ONE_LINE_PAGE)
    rows = []
    baseline = summary_ms(time_calls(_page_test(one_line, None, project_id).run, runs, warmup=2))
    rows.append({"page": "one-line page", "view": "", **baseline, "ratio": 1.0, "elements": 1})
    for page, view in page_views():
        at = _page_test(ROOT / page, view, project_id)
        stats = summary_ms(time_calls(at.run, runs, warmup=2))
        via_app = _app_test_for(page, view, project_id)
        app_stats = summary_ms(time_calls(via_app.run, runs, warmup=2))
        for test in (at, via_app):
            if test.exception:
                raise SystemExit(f"{page} {view}: {test.exception[0].value}")
        stats["ratio"] = stats["median_ms"] / baseline["median_ms"]
        stats["elements"] = sum(1 for _ in _walk(at._tree))
        stats["app_median_ms"], stats["app_p95_ms"] = app_stats["median_ms"], app_stats["p95_ms"]
        rows.append({"page": Path(page).stem, "view": view or "", **stats})
    return {"rows": rows, "baseline": baseline}


def _walk(node):
    yield node
    for child in getattr(node, "children", {}).values():
        yield from _walk(child)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20, help="timed reruns per view (after 2 warm-up runs)")
    args = parser.parse_args()
    result = measure(args.runs)
    rows = result["rows"]
    print(format_table(rows, ["page", "view", "median_ms", "p95_ms", "ratio", "app_median_ms", "app_p95_ms",
                              "elements"],
                       {"median_ms": ".1f", "p95_ms": ".1f", "ratio": ".2f", "app_median_ms": ".1f",
                        "app_p95_ms": ".1f"}))
    views = rows[1:]
    worst_ratio = max(r["ratio"] for r in views)
    worst_ms = max(max(r["p95_ms"], r["app_p95_ms"]) for r in views)
    over_ratio = [f"{r['page']}:{r['view']}" for r in views if r["ratio"] >= RATIO_TARGET]
    over_ms = [f"{r['page']}:{r['view']}" for r in views if max(r["p95_ms"], r["app_p95_ms"]) >= MS_TARGET]
    median_ratio = sorted(r["ratio"] for r in views)[len(views) // 2]
    print(f"median ratio to the one-line page {median_ratio:.1f}×, worst {worst_ratio:.1f}× (target < {RATIO_TARGET}×: "
          f"{len(views) - len(over_ratio)}/{len(views)} views meet it); worst p95 {worst_ms:.0f} ms "
          f"(target < {MS_TARGET:.0f} ms: {len(views) - len(over_ms)}/{len(views)} views meet it)")
    write_result("page_speed", {
        "method": "AppTest through app.py (sidebar + page), full example project, warm caches; "
                  f"{args.runs} timed reruns per view after 2 warm-up runs; baseline = a one-line page run the same way",
        "targets": {"ratio": RATIO_TARGET, "ms": MS_TARGET}, "rows": rows,
        "summary": {"median_ratio": median_ratio, "worst_median_ratio": worst_ratio, "worst_p95_ms": worst_ms,
                    "over_ratio_target": over_ratio, "over_ms_target": over_ms, "views": len(views)}})
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
