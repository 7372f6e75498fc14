"""The report a tech lead sends: short, human, and the same numbers as the screen.

Three kinds of project (tests/support/report_projects.py) export to PDFs of at most 8 pages without the
appendix and 12 with it; no page carries a raw value (None, a dict or list repr, a byte count written out
in full) or one of our own file paths; the report shows each scenario's key figures exactly as the page
that made it does (both go through ``lifecycle.display``).
"""

from __future__ import annotations

import re
import subprocess
import tempfile
from pathlib import Path

import pytest

from lifecycle.display import format_bytes, format_duration, format_money, format_rate
from lifecycle.reports import build_report, render
from lifecycle.reports.compare import differences_in_words, overlay_figure
from tests.support.example_project import example_project
from tests.support.report_projects import contract_summarizer, domain_pretraining

pytestmark = [pytest.mark.pdf, pytest.mark.subprocess]

MAIN = ("summary", "scope", "select", "adapt", "integrate")
RAW = re.compile(r"\bNone\b|\{'|\[\{|\d{1,3}(?:,\d{3}){3,}|\b\d{10,}\b|shared/|research notes|reference/|"
                 r"\.py\b|\.md\b|\bGiB \(")


def _projects():
    tmp = Path(tempfile.mkdtemp(prefix="report-doc-"))
    contract, history = contract_summarizer(tmp)
    return {"support-ticket classifier": (example_project(), []), "contract summarizer": (contract, history),
            "domain pre-training": (domain_pretraining(), [])}


PROJECTS = _projects()


def _pdf(report) -> tuple[int, str]:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "r.pdf"
        path.write_bytes(render(report, "pdf"))
        info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
        text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout
    return int(re.search(r"Pages:\s+(\d+)", info).group(1)), text


@pytest.mark.parametrize("kind", list(PROJECTS))
def test_the_pdf_is_a_short_document_with_no_raw_values(kind):
    project, history = PROJECTS[kind]
    main_pages, main_text = _pdf(build_report(project, history=history, sections=MAIN))
    full_pages, full_text = _pdf(build_report(project, history=history))
    assert main_pages <= 8, f"{kind}: {main_pages} pages without the appendix"
    assert full_pages <= 12, f"{kind}: {full_pages} pages with it"
    assert "Executive summary" in main_text.splitlines()[0:60].__str__()  # page 1 is the decision
    for text in (main_text, full_text):
        raw = RAW.findall(text)
        assert not raw, f"{kind}: raw values or internal paths in the PDF: {raw[:5]}"


def test_the_report_shows_each_scenario_kinds_key_figures_as_its_page_does():
    """The pages show these Result fields with these formatters (tests/app/test_shown_numbers.py pins the
    pages to the domain); the report's scenario cards must read the same."""
    project = example_project()
    cards = {b.id: {f.label: f.value for f in b.results} for s in build_report(project).sections for b in s.scenarios}
    seen = set()
    for stage in ("scope", "select", "adapt", "integrate"):
        for scenario in project.stage(stage).scenarios:
            card, r = cards[scenario.id], scenario.result
            if scenario.kind == "training":  # Memory & GPUs: "Needs (+ CUDA context)", "Cost"
                assert card["Required"] == format_bytes(r.estimate.required_bytes)
                assert card["Peak allocated"] == format_bytes(r.estimate.peak_allocated_bytes)
                assert card["Cost"] == format_money(r.time_and_cost.cost_usd)
                assert card["Training time"] == format_duration(r.time_and_cost.seconds)  # one label per quantity
            elif scenario.kind == "serving":  # Serving: the metric row
                assert card["Decode tokens/s"] == format_rate(r.decode_tokens_per_s)
                assert card["Request latency"] == format_duration(r.request_latency_s)
                assert card["Time to first token"] == format_duration(r.prefill_s)
                assert card["Cost per million output tokens"] == format_money(r.cost_per_million_output_tokens_usd)
            else:
                continue
            seen.add(scenario.kind)
    assert seen == {"training", "serving"}


def test_a_comparison_stacks_memory_and_says_the_differences_in_words():
    project = example_project()
    trainings = [s for s in project.adapt.scenarios if s.kind == "training"][:2]
    fig = overlay_figure(trainings)
    assert fig.layout.barmode == "stack"
    peaks = {}
    for trace in fig.data:
        if trace.type == "bar":
            for x, y in zip(trace.x, trace.y):
                peaks[x] = peaks.get(x, 0) + y
    for s in trainings:  # tensors + allocator slack + CUDA context add up to what the GPU must hold, in GB
        assert peaks[s.name] == pytest.approx(s.result.estimate.required_bytes / 1e9, rel=1e-6)
    words = differences_in_words(trainings)
    assert len(words) == 1 and trainings[1].name in words[0]
    assert "less cost" in words[0] or "more cost" in words[0]
