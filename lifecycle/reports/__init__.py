"""Planning reports: a project's decision record as Markdown, standalone HTML or PDF.

``build_report`` turns a project (plus its revision history) into a ``Report`` model; ``render``
lays that model out in one format; ``compare`` puts 2–4 saved scenarios side by side.
"""

from lifecycle.reports.build import ALL_SECTIONS, build_report, report_from_store
from lifecycle.reports.model import Report
from lifecycle.reports.output import (
    FORMATS,
    MEDIA_TYPES,
    build_file,
    render,
    write_atomic,
    write_markdown_with_charts,
)
from lifecycle.reports.sections import SECTION_BUILDERS, register_section

__all__ = [
    "ALL_SECTIONS",
    "FORMATS",
    "MEDIA_TYPES",
    "SECTION_BUILDERS",
    "Report",
    "build_file",
    "build_report",
    "register_section",
    "render",
    "report_from_store",
    "write_atomic",
    "write_markdown_with_charts",
]
