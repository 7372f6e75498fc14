"""The report's Adapt & Align section says how to run the chosen training scenario, with the same numbers as
the exported files (``launch.files.header_lines``) and the runs measured against it."""

from __future__ import annotations

import json

from lifecycle.launch.choose import job_setup
from lifecycle.launch.files import header_lines
from lifecycle.launch.job import job_plan
from lifecycle.launch.measured import add_measured, measured_run
from lifecycle.records.plan import choose_scenario
from lifecycle.reports.build import build_report
from tests.support.launch import launch_project


def _adapt(report):
    return next(s for s in report.sections if s.key == "adapt")


def test_how_to_run_it_appears_once_a_training_scenario_is_chosen():
    project = launch_project()
    assert not any("How to run it" in p for p in _adapt(build_report(project)).paragraphs)
    project = choose_scenario(project, "lora on 4xL4")
    section = _adapt(build_report(project))
    text = " ".join(section.paragraphs)
    job = job_plan(job_setup(project))
    assert "How to run it. Plan: Llama-2-7B, LoRA" in text and "lifecycle run-config" in text
    assert f"global batch {job.global_batch}" in text and header_lines(job)[2] in text  # the files' expectations
    assert "measured" not in [f.label.lower() for f in section.facts]  # the list is a table, not a fact


def test_measured_runs_of_the_chosen_scenario_are_a_table():
    project = choose_scenario(launch_project(), "lora on 4xL4")
    log = {"format": "lifecycle-run-log", "plan": {"global_batch": 16},
           "actual": {"ranks": [{"rank": 0, "peak_allocated_bytes": 2**33}], "tokens_per_s": 100.0, "step_s": 1.0}}
    add_measured(project, measured_run(project, json.dumps(log)))
    table = next(t for t in _adapt(build_report(project)).tables if t.caption.startswith("Measured"))
    assert table.rows[0][1:4] == ["peak allocated / GPU (GiB)", f"{job_plan(job_setup(project)).expected_peak_allocated_bytes / 2**30:,.2f}", "8.00"]
