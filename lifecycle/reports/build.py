"""Build a ``Report`` from a project, its revision history and the revision it was made from."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime

from lifecycle.errors import InvalidInput
from lifecycle.records.project import STAGES, Project, utc_now
from lifecycle.records.store import RevisionSummary, Store
from lifecycle.reports import (
    appendix,
    compare,
    stage_run,  # noqa: F401  (registers "How to run it", after the stage builders)
    stage_sections,  # noqa: F401  (registers the stage builders)
)
from lifecycle.reports.model import BACK_SECTIONS, FRONT_SECTIONS, Report
from lifecycle.reports.sections import ChartSink, stage_section
from lifecycle.reports.summary import executive_summary, plan_facts

ALL_SECTIONS: tuple[str, ...] = (*FRONT_SECTIONS, *STAGES, *BACK_SECTIONS)
Progress = Callable[[float, str], None]


def _authors(project: Project, history: list[RevisionSummary]) -> list[str]:
    others = {r.author for r in history if r.version <= project.version}
    others |= {project.updated_by} | {s.author for k in STAGES for s in project.stage(k).scenarios}
    first = [project.owner] if project.owner else []
    return first + sorted(a for a in others if a and a not in first)


def _wanted(sections: Iterable[str] | None, comparing: bool) -> list[str]:
    if sections is None:
        wanted = set(ALL_SECTIONS)
    else:
        wanted = set(sections)
        unknown = wanted - set(ALL_SECTIONS)
        if unknown:
            raise InvalidInput(f"Unknown report section {', '.join(sorted(unknown))}; "
                               f"choose from {', '.join(ALL_SECTIONS)}.")
    if comparing:  # asking for a comparison is asking for its section
        wanted.add("comparison")
    else:
        wanted.discard("comparison")
    return [key for key in ALL_SECTIONS if key in wanted]


def build_report(
    project: Project,
    *,
    history: list[RevisionSummary] | None = None,
    revision_id: int | None = None,
    sections: Iterable[str] | None = None,
    compare_ids: list[str] | None = None,
    built_at: datetime | None = None,
    progress: Progress | None = None,
) -> Report:
    """Everything the report says. ``sections`` picks report sections (default: all);
    ``compare_ids`` adds a comparison of 2–4 saved scenarios."""
    history = history or []
    step = progress or (lambda fraction, message: None)
    included = _wanted(sections, bool(compare_ids))
    if revision_id is None:
        revision_id = next((r.id for r in history if r.version == project.version), None)
    charts = ChartSink()
    report = Report(
        title=f"{project.name} — GenAI lifecycle plan", project_name=project.name, description=project.description,
        authors=_authors(project, history), built_at=built_at or utc_now(), project_id=project.id,
        project_version=project.version, revision_id=revision_id, stage_progress=project.stage_progress(),
        included=included,
    )
    report.plan = plan_facts(project)
    if "summary" in included:
        report.summary, report.risks, report.missing = executive_summary(project)
    for i, key in enumerate(STAGES):
        if key in included:
            step(0.1 + 0.15 * i, f"Building the {key} section")
            report.sections.append(stage_section(project, key, charts))
    if "comparison" in included:
        report.sections.append(compare.comparison_section(compare.pick(project, compare_ids or []), charts))
    step(0.7, "Collecting assumptions and references")
    if "assumptions" in included:
        report.assumptions = appendix.assumptions(project)
    if "references" in included:
        report.references = appendix.references(project)
    if "changelog" in included:
        report.changelog = appendix.changelog(history, project.version)
    if "details" not in included:
        for section in report.sections:
            section.appendix = []
    report.figures = charts.figures
    return report


def report_from_store(store: Store, ref: int | str, *, revision_id: int | None = None, **kwargs) -> Report:
    """The report of a stored project (by id or name), as now or as of one of its revisions."""
    project = store.get_project(ref)
    history = store.history(project.id)
    if revision_id is not None:
        old = store.get_revision(revision_id)
        if old.id != project.id:
            raise InvalidInput(f"Revision {revision_id} does not belong to project {project.name!r}.")
        project = old
    return build_report(project, history=history, revision_id=revision_id, **kwargs)
