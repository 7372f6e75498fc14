"""No string a user types can make a report, or a browser opening it, fetch anything (SSRF, phoning home).

A listener on 127.0.0.1 counts requests. Scenario names, sampling tokens and a team law's name carry
Plotly pseudo-HTML that points at it (``<span style="background:url(…)">``, ``<a href>``, ``<img src>``);
the report is built as Markdown with chart files, HTML (then opened in headless Chromium) and PDF
(kaleido + WeasyPrint). The listener must see zero requests, and the text must still read as typed.
"""

from __future__ import annotations

import http.server
import threading
import typing

import pytest

from lifecycle.memory.setup import TrainingSetup
from lifecycle.models.catalog import get_model
from lifecycle.models.ref import ModelRef
from lifecycle.records.project import Project
from lifecycle.records.scenarios import make_scenario
from lifecycle.reports import build_report, render, write_markdown_with_charts
from lifecycle.serving.sampling import SamplingSetup


class _Counter(http.server.BaseHTTPRequestHandler):
    hits: typing.ClassVar[list[str]] = []  # shared by every handler the server makes

    def do_GET(self):
        _Counter.hits.append(self.path)
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args):  # keep the test output clean
        pass


@pytest.fixture(scope="module")
def listener():
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Counter)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


def _hostile_project(url: str) -> Project:
    span = f'<span style="background:url({url}/span)">styled</span>'
    link = f'<a href="{url}/a">link</a>'
    image = f'<img src="{url}/img">'
    p = Project(name=f"Hostile {image}")
    train = TrainingSetup(model=ModelRef.of(get_model("gpt2-small")), gpus=2, strategy="zero2")
    p.adapt.scenarios.append(make_scenario(train, name=f"run {span}", author=link))
    p.adapt.scenarios.append(make_scenario(train.vary(gpus=4), name=f"other {link}", author="b"))
    sampling = SamplingSetup.from_text(f"cat 0.5, {span} 0.3, {image} 0.2", temperature=0.7, samples=100)
    p.integrate.scenarios.append(make_scenario(sampling, name=f"tokens {image}", author="c"))
    return p


@pytest.mark.pdf
@pytest.mark.network
def test_no_report_format_fetches_anything(listener, tmp_path, browser_page):
    project = _hostile_project(listener)
    ids = [s.id for s in project.adapt.scenarios]
    report = build_report(project, compare_ids=ids)
    assert report.figures, "the hostile strings reach real charts"
    _md_path, chart_files = write_markdown_with_charts(report, tmp_path / "r.md")  # kaleido draws each chart
    assert chart_files
    pdf = render(report, "pdf")
    assert pdf.startswith(b"%PDF")
    html_path = tmp_path / "r.html"
    html_path.write_bytes(render(report, "html"))
    asked = []
    browser_page.on("request", lambda request: asked.append(request.url) if request.url.startswith(listener) else None)
    browser_page.goto(html_path.as_uri(), wait_until="load")
    # every chart drawn, then two animation frames: styles are resolved and painted, fetches issued
    browser_page.wait_for_function(f"document.querySelectorAll('.plotly .main-svg').length >= {len(report.figures)}",
                                   timeout=30_000)
    browser_page.evaluate("() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")
    assert asked == [], asked
    assert _Counter.hits == [], _Counter.hits
    # and the text still reads as typed, as text
    assert "styled" in browser_page.inner_text("body")


@pytest.fixture
def browser_page():
    from playwright.sync_api import sync_playwright

    from tests.e2e.conftest import CHROMIUM, CHROMIUM_ARGS

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        page = browser.new_page()
        yield page
        browser.close()


def test_the_app_draws_user_strings_in_charts_as_plain_text(run_page, app_env):
    """The same strings on the page that charts saved scenarios (Memory & GPUs draws their bars)."""
    project = app_env.create_project("Hostile names")
    url = "http://127.0.0.1:9/never"
    train = TrainingSetup(model=ModelRef.of(get_model("gpt2-small")))
    project.adapt.scenarios.append(make_scenario(train, name=f'<span style="background:url({url})">x</span>',
                                                 author="a"))
    project = app_env.save_project(project, author="a", section="adapt")
    at = run_page("pages/memory_gpus.py", project=project)
    assert not at.exception
    specs = [chart.proto.spec for chart in at.get("plotly_chart")]
    assert any("&lt;span style" in spec for spec in specs)  # drawn, as text
    assert not any("<span style" in spec for spec in specs)
