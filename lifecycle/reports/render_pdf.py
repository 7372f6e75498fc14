"""The report as PDF: the HTML template in static mode, laid out by WeasyPrint, with every chart
as an SVG exported by kaleido (Debian's Chromium). When charts cannot be exported the PDF still
builds and says so where each chart would be."""

from __future__ import annotations

from lifecycle.reports.model import Report
from lifecycle.reports.render_html import render_page
from lifecycle.reports.static_charts import figures_to_svg


def static_html(report: Report) -> str:
    """The HTML WeasyPrint lays out (exposed for tests and for debugging the print layout)."""
    svgs, failure = figures_to_svg(report.figures)
    return render_page(report, mode="static", chart_svg=svgs, chart_note=failure)


def render_pdf(report: Report) -> bytes:
    from weasyprint import HTML
    from weasyprint.urls import URLFetcher

    # ``data:`` URLs (the charts, embedded) and nothing else: no string in a report can make the PDF build
    # reach the network or the file system.
    embedded_only = URLFetcher(allowed_protocols={"data"}, allow_redirects=False)
    return HTML(string=static_html(report), base_url=None, url_fetcher=embedded_only).write_pdf()
