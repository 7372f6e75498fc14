"""Every string in a figure is plain text, whoever wrote it.

Plotly renders labels, legends, titles, annotations and category names as its own small HTML: a scenario
named ``<span style="background:url(http://…)">`` would make kaleido (PDF, Markdown charts) and every
browser that opens the app or the HTML report fetch that URL. ``plain_figure`` escapes every tag but the
few our own builders use for layout (line breaks, superscript, italics, bold, the hover ``<extra>`` box),
which carry no attributes and so can fetch nothing. It runs where figures leave the domain: the report's
chart sink and the app's one ``plotly_chart`` call.
"""

from __future__ import annotations

import re
from typing import Any

import plotly.graph_objects as go

# Bare tags only: no attributes, so no style, href or src can ride along.
_ALLOWED = re.compile(r"<(/?)(br|sup|sub|i|b|extra)\s*/?>", re.IGNORECASE)
_TOKEN = "\x00{}\x00"


def plain_text(text: str) -> str:
    """``text`` with every ``<``, ``>`` and ``&`` escaped except in the allowed bare tags."""
    kept: list[str] = []

    def keep(match: re.Match) -> str:
        kept.append(match.group(0))
        return _TOKEN.format(len(kept) - 1)

    masked = _ALLOWED.sub(keep, text.replace("\x00", ""))
    escaped = masked.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return re.sub(r"\x00(\d+)\x00", lambda m: kept[int(m.group(1))], escaped)


def _clean(value: Any) -> Any:
    if isinstance(value, str):
        return plain_text(value) if ("<" in value or ">" in value or "&" in value) else value
    if isinstance(value, dict):
        return {k: _clean(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_clean(v) for v in value]
    return value


def plain_figure(fig: go.Figure) -> go.Figure:
    """A copy of ``fig`` whose every string (traces, layout, frames) is plain text."""
    spec = fig.to_plotly_json()
    return go.Figure(_clean(spec))
