"""Static SVG charts for PDF (and Markdown image files) through kaleido 1.x and Debian's Chromium.

Kaleido starts one headless browser for all charts of a report. MathJax is switched off (its
default is a CDN script, and a report must build offline) and plotly.js comes from the installed
plotly package. Plotly gives each SVG random element ids; they are replaced by ids derived from
the chart id so the same report always yields the same SVG text.

Nothing here raises: a chart that cannot be exported gets a one-line reason instead.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import os
import re
import shutil
from pathlib import Path

import plotly.graph_objects as go

DEBIAN_CHROMIUM = "/usr/bin/chromium"
EXPORT_TIMEOUT_S = 60
DEFAULT_WIDTH_PX = 760
DEFAULT_HEIGHT_PX = 420
MAX_TABS = 1  # one tab renders sequentially; each extra tab costs ~1 s to open (measured)
_LAYOUT_UID = re.compile(r'id="defs-([0-9a-f]+)"')


def browser_path() -> str | None:
    """``BROWSER_PATH`` if set, else Debian's Chromium, else any chromium on PATH."""
    for candidate in (os.environ.get("BROWSER_PATH"), DEBIAN_CHROMIUM, shutil.which("chromium")):
        if candidate and Path(candidate).exists():
            return candidate
    return None


def _prepared(fig: go.Figure, chart_id: str) -> go.Figure:
    """A copy with fixed trace uids (plotly derives SVG class names and colour-bar ids from them)."""
    fig = go.Figure(fig)
    for i, trace in enumerate(fig.data):
        trace.uid = f"{chart_id[-6:]}{i:03d}"
    return fig


def _stable_ids(svg: str, chart_id: str) -> str:
    match = _LAYOUT_UID.search(svg)
    return svg.replace(match.group(1), "u" + chart_id[-6:]) if match else svg


async def _export(figures: dict[str, go.Figure], path: str) -> dict[str, bytes]:
    import kaleido

    async with kaleido.Kaleido(n=min(MAX_TABS, len(figures)), timeout=EXPORT_TIMEOUT_S, mathjax=False,
                               path=path) as k:
        async def one(chart_id: str, fig: go.Figure) -> tuple[str, bytes]:
            height = fig.layout.height or DEFAULT_HEIGHT_PX
            opts = {"format": "svg", "width": DEFAULT_WIDTH_PX, "height": height}
            return chart_id, await k.calc_fig(_prepared(fig, chart_id), opts=opts)

        pairs = await asyncio.gather(*(one(c, f) for c, f in figures.items()))
    return dict(pairs)


def figures_to_svg(figures: dict[str, go.Figure]) -> tuple[dict[str, str], str]:
    """(chart id → SVG text, failure reason or ""). On failure no chart is returned."""
    if not figures:
        return {}, ""
    path = browser_path()
    if path is None:
        return {}, (f"static charts need Chromium ({DEBIAN_CHROMIUM}, Debian package 'chromium') "
                    "and none was found")
    try:
        # A fresh thread owns its own event loop, so this works inside Streamlit or a running loop.
        with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
            raw = pool.submit(asyncio.run, _export(figures, path)).result(timeout=EXPORT_TIMEOUT_S * 2)
    except Exception as exc:  # noqa: BLE001 - kaleido/choreographer raise many kinds; the report must still build
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        return {}, f"static chart export failed ({type(exc).__name__}: {reason[:200]})"
    return {cid: _stable_ids(svg.decode("utf-8"), cid) for cid, svg in raw.items()}, ""
