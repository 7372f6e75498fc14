"""The report as one standalone HTML file: interactive Plotly charts, plotly.js embedded once in
the head (never a CDN), every user string escaped by Jinja2's autoescape.

The same template (``templates/report.html.j2``) in ``static`` mode feeds the PDF renderer.
"""

from __future__ import annotations

import base64
from functools import lru_cache
from pathlib import Path

import plotly.graph_objects as go
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from markupsafe import Markup

from lifecycle.records.project import STAGE_TITLES
from lifecycle.reports.model import SECTION_TITLES, Report

TEMPLATES_DIR = Path(__file__).resolve().parent / "templates"


SHORT_FACT_CHARS = 40  # a fact this short shares its table row with another one


@lru_cache(maxsize=1)
def environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(str(TEMPLATES_DIR)),
        autoescape=select_autoescape(enabled_extensions=("html", "j2", "htm"), default=True),
        undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True,
    )
    env.tests["short"] = lambda value: len(str(value)) <= SHORT_FACT_CHARS
    return env


@lru_cache(maxsize=1)
def plotly_js() -> Markup:
    """plotly.js from the installed plotly package (so the file opens offline)."""
    from plotly.offline import get_plotlyjs

    return Markup(get_plotlyjs())


def toc(report: Report) -> list[tuple[str, str]]:
    titles = {s.key: s.title for s in report.sections} | SECTION_TITLES
    return [(key, titles.get(key, key)) for key in report.included]


def chart_div(fig: go.Figure, chart_id: str) -> Markup:
    """A Plotly div with a content-derived id (plotly would otherwise pick a random uuid)."""
    html = fig.to_html(full_html=False, include_plotlyjs=False, div_id=chart_id,
                       config={"displaylogo": False, "responsive": True}, default_width="100%")
    return Markup(html)


def svg_data_uri(svg: str) -> str:
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode("utf-8")).decode("ascii")


def render_page(report: Report, *, mode: str, chart_svg: dict[str, str] | None = None, chart_note: str = "") -> str:
    """The report page in ``interactive`` (HTML file) or ``static`` (PDF) mode."""
    figures = report.figures
    chart_html = {cid: chart_div(fig, cid) for cid, fig in figures.items()} if mode == "interactive" else {}
    svgs = {cid: svg_data_uri(svg) for cid, svg in (chart_svg or {}).items()}
    return environment().get_template("report.html.j2").render(
        report=report, mode=mode, plotlyjs=plotly_js() if mode == "interactive" else "",
        chart_html=chart_html, chart_svg=svgs, chart_note=chart_note,
        toc=toc(report), stage_titles=STAGE_TITLES,
        built_at=report.built_at.strftime("%Y-%m-%d %H:%M:%S UTC"), built_at_iso=report.built_at.isoformat(),
    )


def render_html(report: Report) -> str:
    return render_page(report, mode="interactive")
