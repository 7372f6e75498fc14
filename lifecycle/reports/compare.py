"""Two to four saved scenarios side by side: one table of inputs and results with the rows that
differ marked, an overlay of their own charts (when the calculators draw one) and a bar chart of
every numeric result that differs."""

from __future__ import annotations

import math
from typing import Any

import plotly.graph_objects as go
from plotly.subplots import make_subplots

from lifecycle import charts as chart_registry
from lifecycle.errors import InvalidInput
from lifecycle.records.facts import scenario_inputs, scenario_results
from lifecycle.records.project import STAGES, Project
from lifecycle.records.scenarios import Scenario
from lifecycle.reports import format as fmt
from lifecycle.reports.model import SECTION_TITLES, Section, Table
from lifecycle.reports.sections import ChartSink

MIN_SCENARIOS, MAX_SCENARIOS = 2, 4
MAX_RESULT_PANELS = 9
DASHES = ("solid", "dash", "dot", "dashdot")
COLOURS = ("#4C5FD5", "#E07A5F", "#3D9970", "#B10DC9")
_MISSING = object()


def all_scenarios(project: Project) -> list[tuple[str, Scenario]]:
    """(stage key, scenario) for every saved scenario, in lifecycle order."""
    return [(key, s) for key in STAGES for s in project.stage(key).scenarios]


def pick(project: Project, scenario_ids: list[str]) -> list[Scenario]:
    by_id = {s.id: s for _, s in all_scenarios(project)}
    unknown = [i for i in scenario_ids if i not in by_id]
    if unknown:
        raise InvalidInput(f"No saved scenario with id {', '.join(map(repr, unknown))} in this project.")
    return [by_id[i] for i in scenario_ids]


def _check(scenarios: list[Scenario]) -> None:
    if not MIN_SCENARIOS <= len(scenarios) <= MAX_SCENARIOS:
        raise InvalidInput(f"Compare {MIN_SCENARIOS} to {MAX_SCENARIOS} scenarios; {len(scenarios)} were chosen.")
    if len({s.id for s in scenarios}) != len(scenarios):
        raise InvalidInput("The same scenario was chosen twice; pick different scenarios to compare.")


def _differs(values: list[Any]) -> bool:
    first = values[0]
    return any(v is _MISSING or v != first for v in values[1:]) or first is _MISSING


def comparison_table(scenarios: list[Scenario]) -> Table:
    """Inputs then results, one column per scenario; ``highlight`` marks rows whose values differ."""
    _check(scenarios)
    rows, highlight = [["Calculator", *[s.kind for s in scenarios]]], [len({s.kind for s in scenarios}) > 1]
    for read, title in ((scenario_inputs, "Input"), (scenario_results, "Result")):
        values_of = [read(s) for s in scenarios]
        keys = list(dict.fromkeys(k for v in values_of for k in v))  # the facts' own order
        for key in keys:
            values = [v.get(key, _MISSING) for v in values_of]
            cells = ["—" if v is _MISSING else fmt.with_unit(key, v) for v in values]
            rows.append([f"{title}: {fmt.label(key)}", *cells])
            highlight.append(_differs(values))
    return Table(caption="Rows marked ◆ differ between the scenarios.", header=["", *[s.name for s in scenarios]],
                 rows=rows, highlight=highlight)


def overlay_figure(scenarios: list[Scenario]) -> go.Figure | None:
    """The calculators' own charts laid over each other (one legend group and dash per scenario);
    None unless every scenario is of one kind with a chart."""
    _check(scenarios)
    if len({s.kind for s in scenarios}) != 1:
        return None
    figures = []
    for s in scenarios:
        try:
            fig = chart_registry.scenario_figure(s)
        except Exception:  # noqa: BLE001 - an unreadable old scenario: no overlay, the table still compares
            return None
        if fig is None:
            return None
        figures.append(fig)
    out = go.Figure(layout=figures[0].layout)
    for i, (s, fig) in enumerate(zip(scenarios, figures)):
        for trace in fig.data:
            trace = trace.to_plotly_json()
            trace["name"] = f"{s.name} · {trace.get('name')}" if trace.get("name") else s.name
            trace["legendgroup"] = s.id
            trace["showlegend"] = True
            if trace.get("type") in ("scatter", "scattergl"):
                trace.setdefault("line", {})["dash"] = DASHES[i]
            if trace.get("type") == "bar":
                trace["offsetgroup"] = str(i)
            out.add_trace(trace)
    out.update_layout(title=f"Compared: {', '.join(s.name for s in scenarios)}", barmode="group", showlegend=True)
    return out


def results_figure(scenarios: list[Scenario]) -> go.Figure | None:
    """One small bar panel per numeric result that differs between the scenarios."""
    _check(scenarios)
    results = [scenario_results(s) for s in scenarios]
    keys = list(dict.fromkeys(k for r in results for k, v in r.items() if _numeric(v)))
    keys = [k for k in keys if _differs([r.get(k, _MISSING) for r in results])][:MAX_RESULT_PANELS]
    if not keys:
        return None
    cols = min(3, len(keys))
    nrows = math.ceil(len(keys) / cols)
    fig = make_subplots(rows=nrows, cols=cols, subplot_titles=[fmt.label(k) for k in keys],
                        horizontal_spacing=0.12, vertical_spacing=0.5 / nrows)
    for i, key in enumerate(keys):
        for j, s in enumerate(scenarios):
            value = results[j].get(key)
            # One trace per scenario so the legend names them once; the x axis stays unlabelled.
            fig.add_trace(go.Bar(x=[j], y=[value if _numeric(value) else None], name=s.name, legendgroup=s.id,
                                 marker_color=COLOURS[j], showlegend=i == 0,
                                 hovertemplate=f"{s.name}: %{{y:.4g}}<extra></extra>"),
                          row=i // cols + 1, col=i % cols + 1)
    fig.update_xaxes(showticklabels=False)
    fig.update_layout(height=230 * nrows + 80, title="Numeric results that differ", barmode="group",
                      legend={"orientation": "h", "y": -0.08}, margin={"t": 80, "l": 40, "r": 20, "b": 40})
    return fig


def _numeric(v: Any) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)


def comparison_section(scenarios: list[Scenario], charts: ChartSink) -> Section:
    """The report's comparison section for the chosen scenarios."""
    table = comparison_table(scenarios)
    section = Section(key="comparison", title=SECTION_TITLES["comparison"], tables=[table],
                      purpose="Saved scenarios side by side; rows that differ are marked.")
    differing = sum(table.highlight)
    section.paragraphs.append(
        f"{len(scenarios)} scenarios compared: {differing} of {len(table.rows)} rows differ."
    )
    overlay = overlay_figure(scenarios)
    if overlay is not None:
        section.charts.append(charts.add(overlay, "Charts overlaid", "compare-overlay"))
    elif len({s.kind for s in scenarios}) > 1:
        section.paragraphs.append("The scenarios come from different calculators, so their charts are not overlaid.")
    numbers = results_figure(scenarios)
    if numbers is not None:
        section.charts.append(charts.add(numbers, "Numeric results that differ", "compare-results"))
    return section
