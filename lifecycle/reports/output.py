"""Building a report file in one of the three formats, and writing it atomically."""

from __future__ import annotations

from pathlib import Path

from lifecycle.errors import InvalidInput
from lifecycle.reports.model import Report

FORMATS: tuple[str, ...] = ("md", "html", "pdf")
MEDIA_TYPES: dict[str, str] = {"md": "text/markdown", "html": "text/html", "pdf": "application/pdf"}


def render(report: Report, fmt: str) -> bytes:
    """The report as bytes in ``fmt`` (md: charts omitted with a note; html; pdf)."""
    if fmt == "md":
        from lifecycle.reports.render_md import render_markdown

        return render_markdown(report).encode("utf-8")
    if fmt == "html":
        from lifecycle.reports.render_html import render_html

        return render_html(report).encode("utf-8")
    if fmt == "pdf":
        from lifecycle.reports.render_pdf import render_pdf

        return render_pdf(report)
    raise InvalidInput(f"Unknown report format {fmt!r}; choose one of {', '.join(FORMATS)}.")


def write_atomic(path: str | Path, data: bytes) -> Path | None:
    """The report's bytes to ``path`` through ``lifecycle._files.write_output`` (atomic for files, '-' for
    standard output, devices written in place, symlinks followed): the path written, None for stdout."""
    from lifecycle._files import write_output

    return write_output(path, data)


def write_markdown_with_charts(report: Report, path: str | Path) -> tuple[Path, list[Path]]:
    """Markdown plus one SVG per chart in ``<name>_charts/`` beside it (each file written atomically)."""
    from lifecycle.reports.render_md import render_markdown
    from lifecycle.reports.static_charts import figures_to_svg

    if str(path) == "-":
        raise InvalidInput("Chart files are written beside the report: give it a file name, not '-'.")
    path = Path(path)
    svgs, failure = figures_to_svg(report.figures)
    chart_dir = path.parent / f"{path.stem}_charts"
    written = []
    if svgs:
        chart_dir.mkdir(exist_ok=True)
        for chart_id, svg in sorted(svgs.items()):
            written.append(write_atomic(chart_dir / f"{chart_id}.svg", svg.encode("utf-8")))
    files = {cid: f"{chart_dir.name}/{cid}.svg" for cid in svgs}
    text = render_markdown(report, charts="files", chart_files=files, chart_note=failure)
    return write_atomic(path, text.encode("utf-8")), written


def build_file(report: Report, fmt: str, path: str | Path) -> Path:
    """Render and write in one go; rendering happens before the file is touched."""
    return write_atomic(path, render(report, fmt))
