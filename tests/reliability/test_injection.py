"""HTML/script, Markdown and SQL-looking strings typed into every text field: they round-trip
verbatim through the store (both backends) and export/import, and they are shown as typed —
escaped — on every page view and in every report format (Markdown, HTML, PDF).

"Shown as typed" is checked by rendering: Markdown the app or a report emits is rendered with
markdown-it (CommonMark, raw HTML enabled, as GitHub and most viewers do) and each marker in the
payload must come out as the literal text the user typed, not as bold, a link or a script.
"""

from __future__ import annotations

import html
import io
import re
from html.parser import HTMLParser

import pytest

from lifecycle.records.project import Project
from lifecycle.records.scenarios import LegacyScenario
from lifecycle.records.transfer import export_json, import_json
from tests.reliability._pages import open_view, page_views, problems, view_id

# Each marker is typed inside a construct that would do something if rendered unescaped.
LITERALS = {
    "SCRIPTINJ": "<script>alert('SCRIPTINJ')</script>",
    "IMGINJ": "<img src=x onerror=alert('IMGINJ')>",
    "BOLDINJ": "**BOLDINJ**",
    "LINKINJ": "[LINKINJ](javascript:alert(1))",
    "CODEINJ": "`CODEINJ`",
    "SQLINJ": "'; DROP TABLE projects; -- SQLINJ",
    "JINJAINJ": "{{ 'JINJAINJ' * 3 }}",
}
PAYLOAD = " ".join(LITERALS.values()) + " $MATHINJ$ :red[COLORINJ] | PIPEINJ |"


def _text(field: str) -> str:
    return f"{field}: {PAYLOAD}"


def injected_project(name_suffix: str = "") -> Project:
    """A project whose every free-text field holds the payload (names must stay unique)."""
    p = Project(name=f"{PAYLOAD[:150]}{name_suffix}", description=_text("description"), owner=PAYLOAD[:190])
    for key in ("scope", "select", "adapt", "integrate"):
        stage = p.stage(key)
        stage.notes = _text(f"{key}.notes")
        stage.decisions = {"summary": _text(f"{key}.summary"), "rationale": _text(f"{key}.rationale"),
                           "risks": _text(f"{key}.risks"), _text("key"): _text(f"{key}.odd key")}
        stage.scenarios.append(LegacyScenario(original_kind="note", name=_text(f"{key}.scenario")[:200],
                                              author=_text("author")[:200], notes=_text(f"{key}.scenario notes"),
                                              inputs={"comment": _text("inputs")},
                                              results={"comment": _text("results")}))
    p.scope.use_case = _text("use_case")
    p.scope.quality_bar = _text("quality_bar")
    p.scope.domain = _text("domain")
    p.scope.constraints = [_text("constraint")]
    p.select.rationale = _text("select.rationale")
    p.adapt.eval_targets = [{"metric": _text("metric"), "dataset": _text("dataset"), "threshold": 0.5}]
    return p


# ---- round trips ------------------------------------------------------------------------------

def test_payload_in_every_text_field_round_trips_verbatim_through_the_store(backend_url):
    from lifecycle.records.store import Store

    store = Store(backend_url)
    made = injected_project(" roundtrip")
    created = store.create_project(made.name, description=made.description, owner=made.owner)
    doc = {**made.content(), "created_at": created.created_at, "updated_at": created.updated_at,
           "updated_by": created.updated_by}
    saved = store.save_project(Project.model_validate({**doc, "id": created.id, "version": created.version}),
                               section="scope", summary=_text("summary"))
    loaded = store.get_project(saved.id)
    assert loaded.content() == saved.content()
    assert store.get_project(made.name).id == saved.id  # lookup by the injected name
    assert [s.id for s in store.list_projects(PAYLOAD[:40])] == [saved.id]  # LIKE with % and _ safe
    assert store.history(saved.id)[0].summary == _text("summary")
    assert {"projects", "revisions"} <= set(__import__("sqlalchemy").inspect(store.engine).get_table_names())
    # Export, then import into a fresh database: byte-for-byte the same content.
    text = export_json(store, [saved.id])
    store.delete_project(saved.id, version=saved.version)
    again = import_json(store, text)[0]
    # An import is a save by the importer (issue 27, class 9): its own time, everything else byte for byte.
    assert again.updated_at >= loaded.updated_at
    bookkeeping = ("updated_at",)
    assert ({k: v for k, v in again.content().items() if k not in bookkeeping}
            == {k: v for k, v in loaded.content().items() if k not in bookkeeping})
    store.engine.dispose()


@pytest.mark.parametrize("field,value", [
    ("owner", "o" * 250),  # the column holds 200 characters
    ("author", "a" * 250),
    ("description", "NUL \x00 inside"),  # PostgreSQL text cannot hold NUL
    ("name", "NUL \x00 name"),
])
def test_text_a_column_cannot_hold_is_refused_with_a_documented_error_or_kept(backend_url, field, value):
    """Whatever the backend's column limits, a user sees a LifecycleError or a verbatim round trip."""
    from lifecycle.errors import LifecycleError
    from lifecycle.records.store import Store

    store = Store(backend_url)
    try:
        if field == "author":
            p = store.create_project("Long author", author=value)
            got = store.get_project(p.id).updated_by
        else:
            kwargs = {"description": value, "owner": value}.get(field) and {field: value} or {}
            p = store.create_project(value if field == "name" else "Odd text", **kwargs)
            got = getattr(store.get_project(p.id), field)
    except LifecycleError:
        return
    finally:
        store.engine.dispose()
    assert got == (value.strip() if field == "name" else value)


def test_search_treats_like_wildcards_in_the_query_as_text(store):
    store.create_project("100% done_ok")
    store.create_project("100 percent done")
    assert [s.name for s in store.list_projects("100%")] == ["100% done_ok"]
    assert [s.name for s in store.list_projects("done_")] == ["100% done_ok"]


# ---- rendering: Markdown as the app and the reports emit it ------------------------------------

class _TextAndTags(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.text: list[str] = []
        self.tags: list[tuple[str, str]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, " ".join(f"{k}={v}" for k, v in attrs)))

    def handle_data(self, data):
        self.text.append(data)


def _parse_html(markup: str) -> _TextAndTags:
    parser = _TextAndTags()
    parser.feed(markup)
    return parser


def markdown_leaks(markdown_text: str, *, streamlit: bool = False) -> list[str]:
    """Payload markers that a Markdown renderer would not show as typed."""
    from markdown_it import MarkdownIt

    rendered = _parse_html(MarkdownIt("commonmark", {"html": True}).render(markdown_text))
    shown = "".join(rendered.text)
    leaks = [literal for marker, literal in LITERALS.items()
             if marker in markdown_text and literal not in shown and marker != "JINJAINJ"]
    leaks += [f"<{tag} {attrs}>" for tag, attrs in rendered.tags if "INJ" in attrs]
    if "JINJAINJJINJAINJ" in markdown_text:
        leaks.append("template expression evaluated")
    if streamlit:
        # Streamlit's own Markdown extensions: $…$ is LaTeX, :red[…] is colour.
        if re.search(r"(?<!\\)\$MATHINJ", markdown_text):
            leaks.append("$MATHINJ$ would render as LaTeX")
        if re.search(r":red(?<!\\)\[COLORINJ", markdown_text):
            leaks.append(":red[COLORINJ] would render in colour")
    return leaks


def test_the_leak_detector_catches_unescaped_payload_and_passes_escaped():
    from ui.common import escape_md

    assert markdown_leaks(PAYLOAD, streamlit=True)
    assert markdown_leaks(escape_md(PAYLOAD), streamlit=True) == []


MARKDOWN_ELEMENTS = {"markdown", "caption", "title", "header", "subheader", "info", "warning", "error", "success",
                     "toast"}


def _markdown_texts(node, out: list[tuple[str, str, bool]]) -> list[tuple[str, str, bool]]:
    kind = getattr(node, "type", "")
    if kind in MARKDOWN_ELEMENTS and isinstance(getattr(node, "value", None), str):
        out.append((kind, node.value, bool(getattr(getattr(node, "proto", None), "allow_html", False))))
    elif kind == "html":
        out.append((kind, getattr(node.proto, "body", ""), True))
    label = getattr(node, "label", None)
    if isinstance(label, str):
        out.append((f"{kind} label", label, False))
    for child in getattr(node, "children", {}).values():
        _markdown_texts(child, out)
    return out


@pytest.fixture
def injected(app_env):
    return app_env.import_documents([injected_project().content()], author="tester")[0]


@pytest.mark.parametrize("page_view", page_views(), ids=view_id)
def test_payload_shows_as_typed_on_every_page_view(app_env, injected, page_view):
    at = open_view(*page_view, injected.id)
    assert not problems(at), problems(at)
    leaks = []
    for kind, body, allow_html in _markdown_texts(at._tree, []):
        if allow_html and "INJ" in body:
            leaks.append(f"{kind} with HTML allowed shows user text: {body[:120]!r}")
        found = markdown_leaks(body, streamlit=True)
        if found:
            leaks.append(f"{kind}: {found} in {body[:160]!r}")
    assert not leaks, leaks


# ---- rendering: the report formats -----------------------------------------------------------

@pytest.fixture
def injected_report(app_env, injected):
    reports = pytest.importorskip("lifecycle.reports")
    return reports.build_report(injected, history=app_env.history(injected.id))


def test_markdown_report_shows_the_payload_as_typed(injected_report):
    from lifecycle.reports import render

    text = render(injected_report, "md").decode("utf-8")
    assert "BOLDINJ" in text and "SCRIPTINJ" in text  # the user text is in the report …
    assert markdown_leaks(text) == []  # … and shown as typed


def test_html_report_escapes_the_payload(injected_report):
    from lifecycle.reports import render

    page = render(injected_report, "html").decode("utf-8")
    parsed = _parse_html(page)
    assert [t for t in parsed.tags if "INJ" in t[1]] == []  # no element or attribute from user text
    assert "<script>alert('SCRIPTINJ')" not in page and "<img src=x onerror" not in page
    shown = html.unescape("".join(parsed.text))
    for marker, literal in LITERALS.items():
        if marker != "JINJAINJ":
            assert literal in shown, marker
    assert "JINJAINJJINJAINJ" not in page


@pytest.mark.pdf
def test_pdf_report_prints_the_payload_as_text(injected_report):
    from pypdf import PdfReader

    from lifecycle.reports import render

    pdf = PdfReader(io.BytesIO(render(injected_report, "pdf")))
    text = " ".join(" ".join((page.extract_text() or "").split()) for page in pdf.pages)
    for marker, literal in LITERALS.items():
        if marker in ("SCRIPTINJ", "BOLDINJ", "SQLINJ"):
            assert " ".join(literal.split()) in text, marker
    assert "JINJAINJJINJAINJ" not in text
