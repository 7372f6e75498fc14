"""A person opens the Report page of a full project, builds and downloads the HTML and the PDF."""

from __future__ import annotations

import io

import pytest
from playwright.sync_api import expect
from pypdf import PdfReader

from lifecycle.records.store import Store
from lifecycle.reports import build_report
from tests.e2e.conftest import goto, wait_for_app_run
from tests.support.app_server import app_server
from tests.support.example_project import example_project

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def report_app(tmp_path_factory):
    """The app on a free port over a database holding the full example project."""
    db = tmp_path_factory.mktemp("e2e-report") / "report.db"
    store = Store(f"sqlite:///{db}")
    project = store.import_documents([example_project().content()], author="e2e")[0]
    store.engine.dispose()
    with app_server(f"sqlite:///{db}") as url:
        yield url, project


def _build_and_download(page, label: str) -> bytes:
    main = page.get_by_test_id("stMain")
    main.get_by_role("button", name="Build report").click()
    button = main.get_by_test_id("stDownloadButton").get_by_role("button", name=f"Download {label}")
    expect(button).to_be_visible(timeout=60_000)
    with page.expect_download() as info:
        button.click()
    with open(info.value.path(), "rb") as fh:
        return fh.read()


def test_download_html_and_pdf_from_the_report_page(page, report_app):
    url, project = report_app
    goto(page, f"{url}/report?project={project.id}")
    main = page.get_by_test_id("stMain")
    expect(page.get_by_test_id("stException")).to_have_count(0)
    expect(main.get_by_text("Executive summary").first).to_be_visible()

    html = _build_and_download(page, "HTML").decode("utf-8")
    assert html.startswith("<!DOCTYPE html>")
    for section in ("summary", "scope", "select", "adapt", "integrate", "assumptions", "references", "changelog"):
        assert f'id="section-{section}"' in html
    charts = len(build_report(example_project()).figures)
    assert charts >= 1
    assert html.count('class="plotly-graph-div"') == charts
    assert "<script src=" not in html

    main.get_by_test_id("stRadio").get_by_text("PDF", exact=True).click()
    wait_for_app_run(page)
    pdf = _build_and_download(page, "PDF")
    reader = PdfReader(io.BytesIO(pdf))
    assert 8 <= len(reader.pages) <= 30
    text = "\n".join(p.extract_text() for p in reader.pages)
    assert project.name in text and "Executive summary" in text and "Changelog" in text
    expect(page.get_by_test_id("stException")).to_have_count(0)
