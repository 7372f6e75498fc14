"""Browser: time from navigation to the first chart being visible, for every page and view, in headless
Debian Chromium driven by Playwright (never a downloaded browser), against ``streamlit run app.py`` with
the full example project. Median of 5 navigations each, after one untimed warm-up navigation. Also
reports the time until Streamlit says the script finished (``data-test-script-state=notRunning``).

    .venv/bin/python benchmarks/browser.py [--repeat 5] [--chromium /usr/bin/chromium]
    .venv/bin/python benchmarks/browser.py --cold   # a fresh server and browser per page: a first visit

``--cold`` answers "how long does a colleague wait on the first visit": for every page (and for the bare
one-chart app) a new ``streamlit run`` process and a new browser context, one navigation, timed to the
first chart and to the script settling. Target: every page settles in ≤ 3 s and its first chart shows
within 2× the bare app's.
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path

from common import ROOT, format_table, page_views, temporary_database_with_full_project, write_result

from tests.support.app_server import app_server  # common (above) puts the repository on sys.path

CHART = "[data-testid='stPlotlyChart'] .main-svg"
DONE = "[data-testid='stApp'][data-test-connection-state='CONNECTED'][data-test-script-state='notRunning']"
CHROMIUM_ARGS = ["--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--no-first-run", "--disable-gpu", "--disable-quic", "--disable-dev-shm-usage"]


BASELINE_APP = ('import plotly.graph_objects as go\nimport streamlit as st\n'
                'st.title("Baseline")\nst.plotly_chart(go.Figure(go.Scatter(x=[0, 1], y=[0, 1])))\n')


def url_paths() -> dict[str, str]:
    """page file -> URL path, from the list app.py registers."""
    from ui.navigation import PAGES

    return {spec.file: spec.url_path for spec in PAGES}


def navigate(page, url: str, expect_chart: bool, timeout_ms: int = 60_000) -> dict:
    """Load ``url``; seconds until the first chart is visible (when the view has one) and until the
    script finished with the page's title drawn."""
    start = time.perf_counter()
    page.goto(url)
    chart_s = None
    if expect_chart:
        page.wait_for_selector(CHART, state="visible", timeout=timeout_ms)
        chart_s = time.perf_counter() - start
    page.wait_for_selector("[data-testid='stMain'] h1", state="visible", timeout=timeout_ms)
    page.wait_for_selector(DONE, state="attached", timeout=timeout_ms)
    done_s = time.perf_counter() - start
    return {"chart_s": chart_s, "done_s": done_s, "exceptions": page.locator("[data-testid='stException']").count()}


def draws_a_chart(page, url: str, wait_ms: int = 10_000) -> bool:
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    """Untimed warm-up navigation (server caches, browser static files) that also finds out whether the
    view draws a chart at all (Plotly's component loads lazily, so wait for it rather than count)."""
    page.goto(url)
    try:
        page.wait_for_selector(CHART, state="visible", timeout=wait_ms)
        return True
    except PlaywrightTimeout:  # this view has no chart
        return False


COLD_DONE_S = 3.0
COLD_CHART_RATIO = 2.0


def cold(args) -> int:
    """One first visit per page, each on a freshly started server in a fresh browser context."""
    from playwright.sync_api import sync_playwright

    tmp = Path(tempfile.mkdtemp(prefix="browser-cold-"))
    url, project_id = temporary_database_with_full_project(tmp)
    (tmp / "baseline.py").write_text(BASELINE_APP)
    paths = url_paths()
    targets = [("baseline: title + 1 chart", tmp / "baseline.py", "")]
    targets += [(Path(f).stem, ROOT / "app.py", f"/{paths[f]}?project={project_id}") for f, _ in page_views()]
    rows = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=args.chromium, headless=True, args=CHROMIUM_ARGS)
        # Which pages draw a chart at all: probed once on a shared (then discarded) server.
        context = browser.new_context(viewport={"width": 1400, "height": 1000})
        probe = context.new_page()
        charts = {targets[0][0]: True}  # the bare app is one chart
        with app_server(url, user="bench") as base:
            for name, script, path in targets[1:]:
                charts[name] = draws_a_chart(probe, f"{base}{path}")
        context.close()
        for name, script, path in targets:
            with app_server(url, script=script, user="bench") as base:
                context = browser.new_context(viewport={"width": 1400, "height": 1000})
                run = navigate(context.new_page(), f"{base}{path}", expect_chart=charts[name])
                context.close()
            first_chart_ms = run["chart_s"] * 1e3 if charts[name] else None
            rows.append({"page": name, "first_chart_ms": first_chart_ms, "settled_ms": run["done_s"] * 1e3,
                         "exceptions": run["exceptions"]})
            print(f"{name:<26} chart {first_chart_ms or 0:7.0f} ms  settled {run['done_s'] * 1e3:7.0f} ms", flush=True)
        browser.close()
    base_chart = rows[0]["first_chart_ms"]
    for row in rows:
        row["chart_vs_bare"] = row["first_chart_ms"] / base_chart if row["first_chart_ms"] else None
        row["ok"] = (row["settled_ms"] <= COLD_DONE_S * 1e3 and row["exceptions"] == 0
                     and (row["chart_vs_bare"] is None or row["chart_vs_bare"] <= COLD_CHART_RATIO))
    print(format_table(rows, ["page", "first_chart_ms", "chart_vs_bare", "settled_ms", "exceptions", "ok"],
                       {"first_chart_ms": ".0f", "settled_ms": ".0f", "chart_vs_bare": ".2f"}))
    worst = max(rows[1:], key=lambda r: r["settled_ms"])
    summary = {"pages": len(rows) - 1, "bare_first_chart_ms": base_chart, "worst_settled_ms": worst["settled_ms"],
               "worst_page": worst["page"], "pages_missing_target": [r["page"] for r in rows[1:] if not r["ok"]]}
    print(f"cold first visit: worst {worst['settled_ms']:.0f} ms ({worst['page']}); "
          f"pages missing the target: {summary['pages_missing_target'] or 'none'}")
    write_result("browser_cold", {"method": f"Playwright + {args.chromium} headless; a new streamlit server and "
                                            "browser context per page, one navigation",
                                  "rows": rows, "summary": summary})
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--cold", action="store_true", help="first visits, a fresh server per page")
    parser.add_argument("--chromium", default=os.environ.get("LIFECYCLE_CHROMIUM", "/usr/bin/chromium"))
    args = parser.parse_args()
    if args.cold:
        return cold(args)
    from playwright.sync_api import sync_playwright

    tmp = Path(tempfile.mkdtemp(prefix="browser-bench-"))
    url, project_id = temporary_database_with_full_project(tmp)
    (tmp / "baseline.py").write_text(BASELINE_APP)
    paths = url_paths()
    rows = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=args.chromium, headless=True, args=CHROMIUM_ARGS)
        context = browser.new_context(viewport={"width": 1400, "height": 1000})
        page = context.new_page()
        # The floor: a Streamlit app that only draws a title and one small Plotly chart.
        with app_server(url, script=tmp / "baseline.py", user="bench") as base:
            draws_a_chart(page, base)
            runs = [navigate(page, base, expect_chart=True) for _ in range(args.repeat)]
            rows.append({"page": "baseline: title + 1 chart", "view": "",
                         "first_chart_ms": statistics.median(r["chart_s"] for r in runs) * 1e3,
                         "script_done_ms": statistics.median(r["done_s"] for r in runs) * 1e3, "exceptions": 0})
        with app_server(url, user="bench") as base:
            for page_file, view in page_views():
                query = {"project": project_id, **({"view": view} if view else {})}
                target = f"{base}/{paths.get(page_file, Path(page_file).stem)}?{urllib.parse.urlencode(query)}"
                has_chart = draws_a_chart(page, target)
                runs = [navigate(page, target, expect_chart=has_chart) for _ in range(args.repeat)]
                charts = [r["chart_s"] for r in runs if r["chart_s"] is not None]
                rows.append({"page": Path(page_file).stem, "view": view or "",
                             "first_chart_ms": statistics.median(charts) * 1e3 if len(charts) == len(runs) else None,
                             "script_done_ms": statistics.median(r["done_s"] for r in runs) * 1e3,
                             "exceptions": max(r["exceptions"] for r in runs)})
                print(f"{rows[-1]['page']:<10} {rows[-1]['view']:<24} chart {rows[-1]['first_chart_ms'] or 0:7.0f} ms"
                      f"  done {rows[-1]['script_done_ms']:7.0f} ms", flush=True)
        browser.close()
    print(format_table(rows, ["page", "view", "first_chart_ms", "script_done_ms", "exceptions"],
                       {"first_chart_ms": ".0f", "script_done_ms": ".0f"}))
    baseline, rows_app = rows[0], rows[1:]
    with_chart = [r["first_chart_ms"] for r in rows_app if r["first_chart_ms"] is not None]
    summary = {"views": len(rows_app), "views_with_chart": len(with_chart),
               "baseline_first_chart_ms": baseline["first_chart_ms"],
               "median_first_chart_ms": statistics.median(with_chart) if with_chart else None,
               "worst_first_chart_ms": max(with_chart) if with_chart else None,
               "views_with_exceptions": [f"{r['page']}:{r['view']}" for r in rows_app if r["exceptions"]]}
    print(f"first chart visible: median {summary['median_first_chart_ms']:.0f} ms, worst "
          f"{summary['worst_first_chart_ms']:.0f} ms over {len(with_chart)} views with a chart; a bare one-chart "
          f"Streamlit app: {baseline['first_chart_ms']:.0f} ms")
    write_result("browser", {"method": f"Playwright + {args.chromium} headless, navigation to each view URL; "
                                       f"median of {args.repeat} after one warm-up",
                             "rows": rows, "summary": summary})
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
