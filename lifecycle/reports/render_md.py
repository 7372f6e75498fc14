"""The report as Markdown (CommonMark + GFM tables), from the same report model as HTML and PDF.

Charts are either omitted with a note where each would be (``charts="omit"``, the default: the
Markdown is one self-contained file), or written as SVG image files beside it and linked
(``charts="files"``, used by ``lifecycle report --format md --md-charts files``).
Every user string is escaped so Markdown and raw HTML in it show as typed.
"""

from __future__ import annotations

import re
from functools import lru_cache

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from markupsafe import Markup

from lifecycle.records.project import STAGE_TITLES
from lifecycle.reports.model import Report
from lifecycle.reports.render_html import TEMPLATES_DIR, toc

# Characters Markdown (or HTML inside it) would interpret anywhere in a line.
_INLINE = set("\\`*_{}[]<>|~&#$!")
# Characters that only matter at the start of a line (lists, headings, setext underlines).
_LINE_START = re.compile(r"^(\s*)([-+=>]|\d+[.)])", re.MULTILINE)


def escape_md(value: object) -> str:
    """User text as literal Markdown: punctuation backslash-escaped, line breaks kept as breaks."""
    if isinstance(value, Markup):
        return str(value)
    text = "" if value is None else str(value)
    # Every line break Python knows (a lone \r, \x85, U+2028…) becomes \n first, so the line-start escaping
    # below sees every line a Markdown renderer will.
    text = "\n".join(text.splitlines())
    text = "".join("\\" + ch if ch in _INLINE else ch for ch in text)
    text = _LINE_START.sub(_escape_line_start, text)
    lines = [line.strip() for line in text.splitlines()]
    return "  \n".join(lines)


def _escape_line_start(m: re.Match) -> str:
    marker = m.group(2)
    return m.group(1) + (marker[:-1] + "\\" + marker[-1] if marker[0].isdigit() else "\\" + marker)


def cell(value: object) -> str:
    """Escaped text that fits in one table cell."""
    return escape_md(" ".join(str(value).split()))


@lru_cache(maxsize=1)
def environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(str(TEMPLATES_DIR)), autoescape=False, finalize=escape_md,
        undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True,
    )
    env.filters["cell"] = lambda v: Markup(cell(v))
    env.filters["raw"] = lambda v: Markup(str(v))
    return env


def render_markdown(report: Report, *, charts: str = "omit", chart_files: dict[str, str] | None = None,
                    chart_note: str = "") -> str:
    """``chart_files`` maps chart ids to relative image paths when ``charts == "files"``."""
    if charts not in ("omit", "files"):
        raise ValueError(f"charts must be 'omit' or 'files', not {charts!r}")
    return environment().get_template("report.md.j2").render(
        report=report, charts=charts, chart_files=chart_files or {}, chart_note=chart_note,
        toc=toc(report),
        stage_status=" · ".join(f"{t} {'✓' if report.stage_progress.get(k) else '✗'}" for k, t in STAGE_TITLES.items()),
        built_at=report.built_at.strftime("%Y-%m-%d %H:%M:%S UTC"),
    )
