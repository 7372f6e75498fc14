"""The report reads like a plan (issue 24, item 8), on the three plan projects of ``tests/support/plan_projects``
(an encoder, an encoder-decoder and a decoder, each with several scenarios and a chosen plan):

- human labels: no raw choice values (``amp_bf16``, ``qlora``) or mechanical labels ("Price usd per hour",
  "Seq len") anywhere, and no two rows of one scenario card share a label;
- no near-empty page: every page but the last has text on it (a lone "Still missing" box or a footer is not a
  page), checked on the PDF the Report page downloads (``render(report, "pdf")``);
- the plan on page 1 names the chosen scenarios and the summary shows their numbers."""

from __future__ import annotations

import re
import subprocess
import tempfile
from pathlib import Path

import pytest

from lifecycle.reports import build_report, render
from tests.support.plan_projects import CHOSEN, REJECTED, plan_projects

pytestmark = [pytest.mark.pdf, pytest.mark.subprocess]

PROJECTS = {p.name: p for p in plan_projects()}
RAW = re.compile(r"\bamp_bf16\b|\bamp_fp16\b|\bqlora\b|Price usd|Seq len|\bseq-cls\b|\btoken-cls\b|\bzero3\b")
MIN_PAGE_CHARS = 400  # a page of this report with a table or a card carries well over a thousand characters


def _pages(pdf: bytes) -> list[str]:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "r.pdf"
        path.write_bytes(pdf)
        text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True,
                              check=True).stdout
    return [re.sub(r"Page \d+ of \d+", "", page) for page in text.split("\f")[:-1]]


@pytest.fixture(scope="module", params=list(PROJECTS))
def rendered(request):
    project = PROJECTS[request.param]
    report = build_report(project)
    return project, report, _pages(render(report, "pdf"))


def test_no_raw_values_or_mechanical_labels(rendered):
    project, report, pages = rendered
    assert not RAW.findall("\n".join(pages)), (project.name, RAW.findall("\n".join(pages))[:5])
    for section in report.sections:
        for card in section.scenarios:
            for part in (card.inputs, card.results):
                labels = [f.label for f in part]
                assert len(labels) == len(set(labels)), (card.name, labels)


def test_no_near_empty_page(rendered):
    project, _, pages = rendered
    short = {i + 1: len(p.split()) for i, p in enumerate(pages[:-1]) if len(re.sub(r"\s", "", p)) < MIN_PAGE_CHARS}
    assert not short, f"{project.name}: near-empty pages {short} of {len(pages)}"


def test_page_one_is_the_chosen_plan_and_the_summary_its_numbers(rendered):
    project, report, pages = rendered
    first = re.sub(r"\s+", "", pages[0])
    for name in CHOSEN[project.name]:
        assert re.sub(r"\s+", "", name) in first
    for name in REJECTED[project.name]:
        assert re.sub(r"\s+", "", name) not in first
    assert report.plan[2].value.startswith(f"“{CHOSEN[project.name][0]}”")
