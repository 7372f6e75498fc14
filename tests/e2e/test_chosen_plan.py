"""Three teams (an encoder, an encoder-decoder and a decoder project, ``tests/support/plan_projects.py``), each
with several saved scenarios where the latest saved is not the one chosen: the code-review team chooses its
serving plan in the browser ("Use as plan" on the Integrate decisions page); then each team downloads its report
from the Report page, and the summary names and shows the chosen scenarios — never the latest saved ones.

The team that chose in the browser downloads the PDF; the other two download the HTML (the same report model and
summary, without WeasyPrint's 5-15 s layout each): that the PDF of each of the three projects names its plan on
page 1 is tests/integration/test_report_plan_layout.py, and the PDF download itself is also test_report_download.py."""

from __future__ import annotations

import io
import os
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError
from playwright.sync_api import expect
from pypdf import PdfReader

from lifecycle.display import format_money
from lifecycle.records.plan import chosen_scenario
from lifecycle.records.store import Store
from tests.e2e.conftest import goto, wait_for_app_run
from tests.support.app_server import app_server
from tests.support.plan_projects import CHOSEN, REJECTED, plan_projects

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def plan_app(tmp_path_factory):
    """The app over a database holding the three projects (the code-review bot without a serving choice yet)."""
    db = tmp_path_factory.mktemp("e2e-plan") / "plan.db"
    store = Store(f"sqlite:///{db}")
    projects = store.import_documents([p.content() for p in plan_projects(choose_serving=False)], author="e2e")
    with app_server(f"sqlite:///{db}") as url:
        yield url, store, {p.name: p for p in projects}
    store.engine.dispose()


def _words(text: str) -> str:
    """PDF text without whitespace: pypdf splits kerned words ("RoBERT a") and wraps lines anywhere."""
    return re.sub(r"\s+", "", text)


class _Text(HTMLParser):
    """The text a reader sees in the HTML report (no scripts or styles)."""

    def __init__(self):
        super().__init__()
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        self._skip += tag in ("script", "style")

    def handle_endtag(self, tag):
        self._skip -= tag in ("script", "style")

    def handle_data(self, data):
        if not self._skip:
            self.parts.append(data)


def _download(page, url: str, project_id: int, fmt: str) -> tuple[str, str]:
    """Build and download the report in ``fmt`` (``PDF`` or ``HTML``) from the Report page: (the text of page 1,
    the text of the executive summary). HTML has no pages: its page 1 is everything before the Scope section."""
    goto(page, f"{url}/report?project={project_id}")
    main = page.get_by_test_id("stMain")
    expect(page.get_by_test_id("stException")).to_have_count(0)
    if fmt == "PDF":
        main.get_by_test_id("stRadio").get_by_text("PDF", exact=True).click()
        wait_for_app_run(page)
    main.get_by_role("button", name="Build report").click()
    button = main.get_by_test_id("stDownloadButton").get_by_role("button", name=f"Download {fmt}")
    expect(button).to_be_visible(timeout=90_000)
    with page.expect_download() as info:
        button.click()
    with open(info.value.path(), "rb") as fh:
        data = fh.read()
    keep = os.environ.get("LIFECYCLE_E2E_PDF_DIR")  # to look at the pages: pdftoppm -png -r 60 -f 1 -l 1
    if keep:
        Path(keep, f"plan-{project_id}.{fmt.lower()}").write_bytes(data)
    if fmt == "PDF":
        reader = PdfReader(io.BytesIO(data))
        first = _words(reader.pages[0].extract_text())
        summary = _words(" ".join(p.extract_text() for p in reader.pages[:2]))
    else:
        text = _Text()
        text.feed(data.decode("utf-8"))
        first = summary = _words(" ".join(text.parts)).split("ScopeDefinetheusecase")[0]
    return first, summary.split("ScopeDefinetheusecase")[0]


def _use_serving_plan_in_the_browser(page, url: str, project) -> None:
    wanted = CHOSEN[project.name][1]
    goto(page, f"{url}/integrate_decisions?project={project.id}")
    main = page.get_by_test_id("stMain")
    expect(main.get_by_text("No serving scenario is chosen as the plan", exact=False)).to_be_visible()
    picker = main.get_by_test_id("stSelectbox").filter(has_text="Use a saved scenario as the plan").first
    option = page.get_by_role("option").filter(has_text=wanted)
    for _ in range(3):  # a click that lands while the page is still settling leaves the list closed: open it again
        picker.click()
        try:
            option.click(timeout=10_000)
            break
        except PlaywrightTimeoutError:
            page.keyboard.press("Escape")
    else:
        pytest.fail(f"the option {wanted!r} never appeared in the plan picker")
    wait_for_app_run(page)
    expect(picker.get_by_role("combobox")).to_have_value(re.compile(re.escape(wanted)))
    main.get_by_role("button", name="Use as plan").click()
    wait_for_app_run(page)
    expect(main.get_by_text("over the target of 30 s", exact=False).first).to_be_visible()


def test_each_report_summary_is_the_chosen_plan_not_the_latest_saved(page, plan_app):
    url, store, projects = plan_app
    review = projects["Go code review bot"]
    _use_serving_plan_in_the_browser(page, url, review)
    assert chosen_scenario(store.get_project(review.id), "integrate").name == CHOSEN[review.name][1]

    for name, stored in projects.items():
        project = store.get_project(stored.id)
        first, summary = _download(page, url, project.id, "PDF" if name == review.name else "HTML")
        assert _words("The plan: what each stage chose") in first and "Executivesummary" in first, name
        train, serve = chosen_scenario(project, "adapt"), chosen_scenario(project, "integrate")
        for chosen in CHOSEN[name]:  # named on page 1 (the plan) and in the summary
            assert _words(chosen) in first and _words(chosen) in summary, (name, chosen)
        for rejected in REJECTED[name]:  # the latest saved, rejected: nowhere in the plan or the summary
            assert _words(rejected) not in summary, (name, rejected)
        # the summary shows the chosen scenarios' numbers, as the pages show them
        shown = [f"cost {format_money(train.result.time_and_cost.cost_usd)}"]
        if serve.result.new_tokens:
            shown.append(format_money(serve.result.cost_per_million_output_tokens_usd) + " per 1M output tokens")
        else:  # an encoder answers requests
            shown.append(format_money(serve.result.cost_per_thousand_requests_usd) + " per 1,000 requests")
        for text in shown + ["Training plan", "Serving plan"]:
            assert _words(text) in summary, (name, text)
    expect(page.get_by_test_id("stException")).to_have_count(0)
