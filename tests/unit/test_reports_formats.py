"""The three formats: full and empty projects, escaping, reproducibility, atomic writes, the CLI."""

from __future__ import annotations

import io
import os
import re
from datetime import UTC, datetime
from html.parser import HTMLParser

import pytest
from markdown_it import MarkdownIt
from pypdf import PdfReader

from lifecycle.cli import main as cli_main
from lifecycle.records.project import Project
from lifecycle.records.scenarios import LegacyScenario
from lifecycle.reports import build_file, build_report, render, static_charts
from tests.support.example_project import example_project

WHEN = datetime(2026, 2, 1, 12, 0, tzinfo=UTC)
XSS = "<script>alert(1)</script>"
ODD = "Ünïcødé | *bold* _x_ # [link](http://e.x) & <b>b</b> `code`"
STAGE_IDS = ["section-summary", "section-scope", "section-select", "section-adapt", "section-integrate",
             "section-assumptions", "section-references", "section-changelog"]


class _Collect(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.ids, self.scripts, self.script_srcs, self.chart_divs, self.text = set(), 0, [], [], []
        self._in_script = False

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if "id" in a:
            self.ids.add(a["id"])
        if tag == "script":
            self.scripts += 1
            self._in_script = True
            if a.get("src"):
                self.script_srcs.append(a["src"])
        if tag == "div" and "plotly-graph-div" in (a.get("class") or ""):
            self.chart_divs.append(a["id"])

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_script = False

    def handle_data(self, data):
        if not self._in_script:
            self.text.append(data)


def _parse(html: str) -> _Collect:
    parser = _Collect()
    parser.feed(html)
    return parser


def _pdf_text(data: bytes) -> tuple[int, str]:
    reader = PdfReader(io.BytesIO(data))
    return len(reader.pages), "\n".join(page.extract_text() for page in reader.pages)


@pytest.fixture(scope="module")
def full_report():
    return build_report(example_project(), built_at=WHEN)


@pytest.fixture(scope="module")
def full_pdf(full_report):
    return render(full_report, "pdf")


def test_full_html_has_every_section_every_chart_and_plotly_embedded_once(full_report):
    html = render(full_report, "html").decode()
    doc = _parse(html)
    assert set(STAGE_IDS) <= doc.ids
    assert set(full_report.figures) <= set(doc.chart_divs)
    assert len(doc.chart_divs) == len(full_report.figures)
    assert doc.script_srcs == []  # nothing fetched: no CDN, no external script
    from plotly.offline import get_plotlyjs

    assert html.count(get_plotlyjs()) == 1
    outside = html.replace(get_plotlyjs(), "")
    assert "cdn.plot.ly" not in outside and "cdnjs" not in outside
    text = " ".join(doc.text)
    for scenario in (s for k in ("scope", "select", "adapt", "integrate") for s in example_project().stage(k).scenarios):
        assert scenario.name in text


@pytest.mark.pdf
def test_full_pdf_has_the_text_and_a_sensible_page_count(full_report, full_pdf):
    pages, text = _pdf_text(full_pdf)
    assert 8 <= pages <= 30, pages
    for heading in ("Executive summary", "Scope", "Select", "Adapt & Align", "Integrate", "Assumptions",
                    "References", "Changelog", "Key risks"):
        assert heading in text
    assert "Chart not included: static" not in text  # kaleido exported every chart
    assert full_report.project_name in text


@pytest.mark.pdf
def test_empty_project_builds_in_every_format_and_says_what_is_missing():
    report = build_report(Project(name="Nothing yet"), built_at=WHEN)
    md = render(report, "md").decode()
    assert "Still missing" in md and "The use case is not described" in md
    html = render(report, "html").decode()
    assert set(STAGE_IDS) <= _parse(html).ids
    pages, text = _pdf_text(render(report, "pdf"))
    assert 2 <= pages <= 6, pages
    assert "Still missing" in text and "No foundation model is chosen" in text


def test_markdown_renders_and_says_charts_are_omitted(full_report):
    md = render(full_report, "md").decode()
    html = MarkdownIt("commonmark").enable("table").render(md)
    assert "<table>" in html and "<h2>Executive summary</h2>" in html
    assert "Charts are omitted from this Markdown file" in md
    assert md.count("omitted: this Markdown file carries no images") == len(full_report.figures)


def _xss_project() -> Project:
    p = Project(name=XSS, description=ODD)
    p.scope.use_case = "<img src=x onerror=alert(2)>"
    p.scope.notes = "# not a heading\n- not a list\n<iframe src=javascript:alert(3)>"
    p.adapt.decisions = {"risks": "</td></tr></table><script>alert(4)</script>"}
    p.adapt.scenarios.append(LegacyScenario(original_kind="report_plain", name="<svg onload=alert(5)>",
                                            inputs={"<k>": "<v>"}))
    return p


@pytest.mark.pdf
def test_user_strings_are_text_in_html_markdown_and_pdf():
    report = build_report(_xss_project(), built_at=WHEN)
    html = render(report, "html").decode()
    for raw in (XSS, "<img src=x", "<iframe", "<svg onload", "</td></tr></table><script>alert(4)"):
        assert raw not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert _parse(html).scripts == 1 + len(report.figures)  # plotly.js + one per chart
    md_html = MarkdownIt("commonmark").enable("table").render(render(report, "md").decode())
    for raw in (XSS, "<img src=x", "<iframe", "<svg onload", "<script>alert(4)"):
        assert raw not in md_html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in md_html
    assert "<h1>&lt;script&gt;" in md_html and "<li>not a list" not in md_html
    _, text = _pdf_text(render(report, "pdf"))
    assert XSS in text and "<img src=x onerror=alert(2)>" in text


@pytest.mark.slow
def test_same_revision_twice_gives_identical_files_apart_from_the_timestamp():
    project = example_project()
    for fmt in ("md", "html"):
        one = render(build_report(project, built_at=WHEN), fmt)
        two = render(build_report(project.model_copy(deep=True), built_at=WHEN), fmt)
        assert one == two, fmt
        later = render(build_report(project, built_at=datetime(2027, 3, 4, 5, 6, 7, tzinfo=UTC)), fmt)
        strip = lambda b: re.sub(rb"20\d\d-\d\d-\d\d[ T]\d\d:\d\d:\d\d(\+00:00| UTC)", b"T", b)
        assert one != later and strip(one) == strip(later), fmt


@pytest.mark.pdf
def test_pdf_of_the_same_revision_is_identical(full_report, full_pdf):
    assert render(full_report, "pdf") == full_pdf


@pytest.mark.pdf
def test_pdf_still_builds_with_a_note_per_chart_when_charts_cannot_be_exported(monkeypatch, full_report):
    monkeypatch.setattr(static_charts, "browser_path", lambda: None)
    pages, text = _pdf_text(render(full_report, "pdf"))
    assert pages >= 8
    assert text.count("Chart not included: static charts need Chromium") == len(full_report.figures)


def test_a_failed_write_keeps_the_old_file_and_leaves_no_temporary(tmp_path, monkeypatch):
    target = tmp_path / "report.html"
    target.write_text("old report")
    report = build_report(Project(name="P"), built_at=WHEN)

    def boom(src, dst):
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", boom)
    with pytest.raises(OSError, match="disk full"):
        build_file(report, "html", target)
    assert target.read_text() == "old report"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.html"]


def test_a_failed_render_never_touches_the_file(tmp_path, monkeypatch):
    target = tmp_path / "report.pdf"
    target.write_bytes(b"old")
    from lifecycle.reports import render_pdf

    monkeypatch.setattr(render_pdf, "render_pdf", lambda r: (_ for _ in ()).throw(RuntimeError("layout crash")))
    with pytest.raises(RuntimeError):
        build_file(build_report(Project(name="P")), "pdf", target)
    assert target.read_bytes() == b"old" and len(list(tmp_path.iterdir())) == 1


@pytest.mark.pdf
def test_cli_writes_each_format_and_reports_bad_input(app_env, tmp_path, capsys):
    project = app_env.import_documents([_xss_project().content()])[0]
    for fmt in ("md", "html", "pdf"):
        out = tmp_path / f"r.{fmt}"
        assert cli_main(["report", str(project.id), "--format", fmt, "-o", str(out)]) == 0
        assert out.stat().st_size > 0
    assert PdfReader(str(tmp_path / "r.pdf")).pages
    assert cli_main(["report", "no such project", "--format", "md", "-o", str(tmp_path / "x.md")]) == 2
    assert "No access to project 'no such project'" in capsys.readouterr().err
    assert cli_main(["report", str(project.id), "--format", "md", "-o", str(tmp_path / "missing" / "x.md")]) == 2
    assert not (tmp_path / "x.md").exists()


@pytest.mark.pdf
def test_cli_markdown_with_chart_files(app_env, tmp_path):
    project = app_env.import_documents([example_project().content()])[0]
    out = tmp_path / "plan.md"
    assert cli_main(["report", project.name, "--format", "md", "--md-charts", "files", "-o", str(out)]) == 0
    svgs = sorted((tmp_path / "plan_charts").glob("*.svg"))
    assert svgs and all(p.read_text().startswith("<svg") for p in svgs)
    md = out.read_text()
    assert all(f"](plan_charts/{p.name})" in md for p in svgs)


@pytest.mark.slow
def test_cli_compare_and_sections(app_env, tmp_path, capsys):
    project = app_env.import_documents([example_project().content()])[0]
    ids = [s.id for s in project.integrate.scenarios if s.kind == "serving"]
    out = tmp_path / "cmp.md"
    assert cli_main(["report", project.name, "--format", "md", "-o", str(out), "--compare", *ids,
                     "--sections", "summary", "integrate"]) == 0
    md = out.read_text()
    assert "## Scenario comparison" in md and "## Integrate" in md
    assert "## Scope" not in md and "## References" not in md
    assert md.count("◆") >= 2
    assert cli_main(["report", project.name, "--format", "md", "-o", str(out), "--compare", ids[0]]) == 2
    assert "Compare 2 to 4 scenarios" in capsys.readouterr().err
