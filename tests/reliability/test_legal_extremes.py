"""Every value the document accepts is one every page and the report can show (one set of bounds,
``lifecycle.records.project.LIMITS``), and nothing outside it gets in (import, save).

Found by review: a budget of $1e12 (legal on Scope) raised ``StreamlitValueAboveMaxError`` on Adaptation
path for everyone opening the project; an imported ``Infinity`` budget crashed four pages and the report.
"""

from __future__ import annotations

import json

import pytest

from lifecycle.errors import InvalidInput
from lifecycle.limits import MAX_GPUS
from lifecycle.records.project import LIMITS, Project
from lifecycle.records.transfer import import_json
from lifecycle.reports import build_report, render
from tests.reliability._finite import non_finite_paths
from tests.support.apptest import ok
from tests.support.calculators import compared_labels, shown_mismatches, spy_calculators
from ui.navigation import PAGES

SCOPE_FIELDS = [f for f in LIMITS]


def _project_at(edge: int) -> Project:
    """Every bounded Scope number at its lowest (edge 0) or highest (edge 1) legal value."""
    p = Project(name=f"At the {'top' if edge else 'bottom'}")
    for field, bounds in LIMITS.items():
        value = bounds[edge]
        setattr(p.scope, field, int(value) if field not in ("latency_ms_p95", "throughput_rps", "budget_usd", "epochs")
                else float(value))
    p.scope.tasks, p.scope.gpu_id, p.scope.precision = ["summarization"], "t4", "fp32"
    p.integrate.gpu_count = MAX_GPUS if edge else 1
    return p


@pytest.mark.parametrize("edge", [0, 1], ids=["lowest", "highest"])
def test_every_page_and_the_report_show_a_project_at_the_edge_of_every_bound(run_page, app_env, monkeypatch, edge):
    """Each page opens, and a calculator page shows the numbers its domain function returned for the Setup it
    built from these facts (all finite), or says in one error box why there is nothing to show."""
    project = app_env.create_project(_project_at(edge).name)
    stored = _project_at(edge).model_copy(update={"id": project.id, "version": project.version})
    project = app_env.save_project(stored, author="t", section="scope")
    calls = spy_calculators(monkeypatch)
    compared = 0
    for spec in PAGES:
        calls.clear()
        at = ok(run_page(spec.file, project=project))
        assert not [e for e in at.error if "Unexpected" in e.value], spec.file
        assert not shown_mismatches(at, calls), (spec.file, shown_mismatches(at, calls))
        assert not [p for c in calls for p in non_finite_paths(c.result, c.name)], spec.file
        if spec.calculator:
            assert calls or at.error, f"{spec.file} computed nothing and said nothing"
        compared += len(compared_labels(at, calls))
    assert compared >= 10, "the edge projects' numbers reach the pages"
    report = render(build_report(project), "md").decode()
    assert report.startswith("# ")
    assert not [w for w in report.replace("|", " ").split() if w.lower().strip(".,;:()") in ("nan", "inf", "-inf",
                                                                                             "infinity")]


@pytest.mark.parametrize("field, bad", [("budget_usd", "Infinity"), ("budget_usd", "1e999"), ("budget_usd", "1e13"),
                                        ("input_tokens", "99999999999"), ("latency_ms_p95", "NaN"),
                                        ("epochs", "0"), ("gpu_count", "0")])
def test_an_import_outside_the_bounds_is_refused_and_saves_nothing(app_env, field, bad):
    doc = {"format": "genai-lifecycle-planner/projects", "projects": [{"name": "Imported", "scope": {}}]}
    text = json.dumps(doc).replace('"scope": {}', f'"scope": {{"{field}": {bad}}}')
    with pytest.raises(InvalidInput) as caught:
        import_json(app_env, text.encode())
    assert "\n" not in str(caught.value)
    assert app_env.list_projects(archived=None) == []


def test_a_document_never_holds_a_non_finite_number():
    p = Project(name="Finite")
    for value in (float("inf"), float("nan")):
        with pytest.raises(ValueError):
            p.scope.budget_usd = value
