"""``lifecycle report PROJECT --format {md,html,pdf} -o FILE``: the project's planning report."""

from __future__ import annotations

import argparse
import sys

from lifecycle.records.store import Store
from lifecycle.reports import (
    ALL_SECTIONS,
    FORMATS,
    build_file,
    report_from_store,
    write_markdown_with_charts,
)


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("report", help="build a project's report as Markdown, HTML or PDF")
    p.add_argument("project", help="project name or id")
    p.add_argument("--format", choices=FORMATS, default="html", help="output format (default html)")
    p.add_argument("-o", "--output", required=True, help="file to write (written atomically; '-' for stdout)")
    p.add_argument("--revision", type=int, default=None, help="build from this revision id instead of the latest")
    p.add_argument("--sections", nargs="+", choices=ALL_SECTIONS, default=None, metavar="SECTION",
                   help=f"only these sections ({', '.join(ALL_SECTIONS)})")
    p.add_argument("--compare", nargs="+", default=None, metavar="SCENARIO_ID",
                   help="add a side-by-side comparison of 2-4 saved scenarios (ids)")
    p.add_argument("--md-charts", choices=("omit", "files"), default="omit",
                   help="Markdown only: omit charts with a note (default) or write SVG files beside it")
    p.set_defaults(func=_report)


def _report(args) -> int:
    report = report_from_store(Store(), args.project, revision_id=args.revision,
                               sections=args.sections, compare_ids=args.compare)
    if args.format == "md" and args.md_charts == "files":
        path, charts = write_markdown_with_charts(report, args.output)
        print(f"Wrote {path} and {len(charts)} chart file(s).", file=sys.stderr)
        return 0
    if args.output == "-" and args.format in ("md", "html"):
        # Text to standard output (often a terminal): a project name's ESC or BEL is shown, never obeyed.
        from lifecycle.display import terminal_text
        from lifecycle.reports.output import render

        text = render(report, args.format)
        text = text.decode("utf-8", "replace") if isinstance(text, bytes) else text
        sys.stdout.write("\n".join("\t".join(terminal_text(cell) for cell in line.split("\t"))
                                   for line in text.split("\n")))
        sys.stdout.flush()
        return 0
    path = build_file(report, args.format, args.output)
    if path is not None:
        print(f"Wrote {path} ({args.format}).", file=sys.stderr)
    return 0
