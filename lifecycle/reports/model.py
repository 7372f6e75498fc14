"""The report model: everything a report says, built once from a project, its revision history
and the revision it was made from. The Markdown, HTML and PDF renderers only lay it out.

Every value a reader sees is already text here (formatted by ``lifecycle.reports.format``), so
the three formats cannot disagree; charts travel as Plotly figures keyed by a content-derived id.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import plotly.graph_objects as go
from pydantic import BaseModel, ConfigDict, Field

# Report-level sections in lifecycle order; the stage keys come from lifecycle.records.project.STAGES.
FRONT_SECTIONS: tuple[str, ...] = ("summary",)
BACK_SECTIONS: tuple[str, ...] = ("comparison", "details", "assumptions", "references", "changelog")
# The appendix: reference material a reader can switch off (the decision itself is in the sections above).
APPENDIX_SECTIONS: tuple[str, ...] = ("details", "assumptions", "references", "changelog")
SECTION_TITLES: dict[str, str] = {
    "summary": "Executive summary",
    "comparison": "Scenario comparison",
    "details": "Details by stage",
    "assumptions": "Assumptions",
    "references": "References",
    "changelog": "Changelog",
}


class Fact(BaseModel):
    """One labelled value: a row of a key/value table."""

    label: str
    value: str


class Chart(BaseModel):
    """A chart placeholder in the text; the figure itself lives in ``Report.figures[chart_id]``."""

    chart_id: str
    title: str
    note: str = ""  # why a chart is missing, when it is


class Table(BaseModel):
    """A small table with a caption; ``highlight[i]`` marks row i (e.g. values that differ)."""

    caption: str = ""
    header: list[str]
    rows: list[list[str]]
    highlight: list[bool] = Field(default_factory=list)


class ScenarioBlock(BaseModel):
    id: str
    name: str
    kind: str
    author: str
    created: str
    notes: str = ""
    inputs: list[Fact] = Field(default_factory=list)
    results: list[Fact] = Field(default_factory=list)
    tables: list[Table] = Field(default_factory=list)  # list-of-records inputs/results
    chart: Chart | None = None
    chosen: bool = False  # the scenario its stage chose as the plan
    kind_title: str = ""  # the kind in words ("serving", "prompt budget")


class Section(BaseModel):
    key: str
    title: str
    purpose: str = ""
    status: str = ""  # e.g. "Decisions saved 2026-11-26 05:00 UTC" or "Not decided yet"
    facts: list[Fact] = Field(default_factory=list)  # typed fields of the stage
    decisions: list[Fact] = Field(default_factory=list)  # the decision record (summary, rationale, risks …)
    paragraphs: list[str] = Field(default_factory=list)  # stage-specific prose (plain text)
    tables: list[Table] = Field(default_factory=list)
    notes: str = ""
    scenarios: list[ScenarioBlock] = Field(default_factory=list)
    charts: list[Chart] = Field(default_factory=list)  # section-level charts (comparison overlays)
    missing: list[str] = Field(default_factory=list)  # what this section still lacks, in words
    appendix: list[Table] = Field(default_factory=list)  # full tables with sources, shown under "Details by stage"


class Reference(BaseModel):
    text: str
    url: str = ""


class ChangeEntry(BaseModel):
    version: int
    when: str
    author: str
    section: str
    summary: str


class Report(BaseModel):
    model_config = ConfigDict(arbitrary_types_allowed=True)

    title: str
    project_name: str
    description: str = ""
    authors: list[str]
    built_at: datetime
    project_id: int | None
    project_version: int
    revision_id: int | None  # the stored revision this report was made from, when known
    stage_progress: dict[str, bool]
    plan: list[Fact] = Field(default_factory=list)  # page 1: what each stage chose
    summary: list[Fact] = Field(default_factory=list)
    risks: list[str] = Field(default_factory=list)
    missing: list[str] = Field(default_factory=list)
    sections: list[Section] = Field(default_factory=list)  # summary excluded; in lifecycle order
    assumptions: list[Fact] = Field(default_factory=list)
    references: list[Reference] = Field(default_factory=list)
    changelog: list[ChangeEntry] = Field(default_factory=list)
    included: list[str] = Field(default_factory=list)  # section keys, in order, that were asked for
    figures: dict[str, Any] = Field(default_factory=dict, exclude=True)  # chart_id -> go.Figure

    def has_appendix(self) -> bool:
        return any(key in self.included for key in APPENDIX_SECTIONS)

    def revision_label(self) -> str:
        rev = f", revision id {self.revision_id}" if self.revision_id is not None else ""
        saved = "unsaved project" if self.project_id is None else f"project id {self.project_id}"
        return f"version {self.project_version} ({saved}{rev})"

    def charts(self) -> list[Chart]:
        """Every chart placeholder in document order (drawn or not)."""
        out: list[Chart] = []
        for section in self.sections:
            out.extend(s.chart for s in section.scenarios if s.chart is not None)
            out.extend(section.charts)
        return out

    def figure(self, chart_id: str) -> go.Figure | None:
        return self.figures.get(chart_id)
