"""Static SVG charts for PDF (and Markdown image files) through kaleido 1.x and Debian's Chromium.

Kaleido drives one headless browser, kept open for the life of the process. MathJax is switched off (its
default is a CDN script, and a report must build offline) and plotly.js comes from the installed
plotly package. Plotly gives each SVG random element ids; they are replaced by ids derived from
the chart id so the same report always yields the same SVG text.

Nothing here raises: a chart that cannot be exported gets a one-line reason instead.
"""

from __future__ import annotations

import asyncio
import atexit
import contextlib
import os
import re
import shutil
import threading
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


class _Exporter:
    """One headless Chromium (through kaleido) kept open on its own event-loop thread, so only the
    first report of a process pays the browser start (~2 s). Calls are serialised by a lock; any
    failure closes the browser and the next call starts a fresh one."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._kaleido = None

    def _run(self, coro, timeout_s: float):
        return asyncio.run_coroutine_threadsafe(coro, self._loop).result(timeout=timeout_s)

    def _open(self, path: str) -> None:
        import kaleido

        self._loop = asyncio.new_event_loop()
        threading.Thread(target=self._loop.run_forever, name="report-kaleido", daemon=True).start()
        self._kaleido = kaleido.Kaleido(n=MAX_TABS, timeout=EXPORT_TIMEOUT_S, mathjax=False, path=path)
        self._run(self._kaleido.open(), EXPORT_TIMEOUT_S)

    def close(self) -> None:
        if self._kaleido is not None:
            with contextlib.suppress(Exception):  # the browser may already be gone
                self._run(self._kaleido.close(), 15)
        if self._loop is not None:
            self._loop.call_soon_threadsafe(self._loop.stop)
        self._loop, self._kaleido = None, None

    def export(self, figures: dict[str, go.Figure], path: str) -> dict[str, bytes]:
        with self._lock:
            try:
                if self._kaleido is None:
                    self._open(path)
                out = {}
                for chart_id, fig in figures.items():
                    height = fig.layout.height or DEFAULT_HEIGHT_PX
                    opts = {"format": "svg", "width": DEFAULT_WIDTH_PX, "height": height}
                    out[chart_id] = self._run(self._kaleido.calc_fig(_prepared(fig, chart_id), opts=opts),
                                              EXPORT_TIMEOUT_S)
                return out
            except BaseException:
                self.close()
                raise


_EXPORTER = _Exporter()
atexit.register(_EXPORTER.close)


def figures_to_svg(figures: dict[str, go.Figure]) -> tuple[dict[str, str], str]:
    """(chart id → SVG text, failure reason or ""). On failure no chart is returned."""
    if not figures:
        return {}, ""
    path = browser_path()
    if path is None:
        return {}, (f"static charts need Chromium ({DEBIAN_CHROMIUM}, Debian package 'chromium') "
                    "and none was found")
    try:
        raw = _EXPORTER.export(figures, path)
    except Exception as exc:  # noqa: BLE001 - kaleido/choreographer raise many kinds; the report must still build
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        return {}, f"static chart export failed ({type(exc).__name__}: {reason[:200]})"
    return {cid: _stable_ids(svg.decode("utf-8"), cid) for cid, svg in raw.items()}, ""
