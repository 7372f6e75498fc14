"""Two to four saved scenarios side by side: one table of inputs and results with the rows that
differ marked, an overlay of their own charts (when the calculators draw one) and a bar chart of
every numeric result that differs."""

from __future__ import annotations

import math
from typing import Any

import plotly.graph_objects as go
from plotly.subplots import make_subplots

from lifecycle import charts as chart_registry
from lifecycle.display import (
    format_bytes,
    format_duration,
    format_money,
    format_number,
    format_percent,
    format_rate,
)
from lifecycle.errors import InvalidInput
from lifecycle.records.key_figures import scenario_inputs, scenario_results
from lifecycle.records.plan import KIND_WORDS
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
    rows = [["Calculator", *[KIND_WORDS.get(s.kind, s.kind) for s in scenarios]]]
    highlight = [len({s.kind for s in scenarios}) > 1]
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


# What a reader compares first, and how a change in it reads: (result key, noun, "more" word, "less" word, kind).
_HEADLINES: tuple[tuple[str, str, str, str, str], ...] = (
    ("min_gpus", "GPUs", "more", "fewer", "count"),
    ("required_bytes", "memory per GPU", "more", "less", "bytes"),
    ("memory_total_bytes", "memory per GPU", "more", "less", "bytes"),
    ("training_s", "training time", "longer", "shorter", "seconds"),
    ("cost_usd", "cost", "more", "less", "money"),
    ("decode_tokens_per_s", "decode throughput", "higher", "lower", "rate"),
    ("request_latency_s", "request latency", "longer", "shorter", "seconds"),
    ("cost_per_million_output_tokens_usd", "cost per 1M output tokens", "more", "less", "money"),
    ("max_batch", "largest batch", "larger", "smaller", "count"),
    # an encoder's serving plan reads in requests (it writes no tokens)
    ("requests_per_s", "requests/s", "higher", "lower", "requests"),
    ("p95_latency_s", "p95 latency", "longer", "shorter", "seconds"),
    ("cost_per_thousand_requests_usd", "cost per 1,000 requests", "more", "less", "money"),
)


def _change(noun: str, more: str, less: str, kind: str, base: float, other: float) -> str | None:
    """One change in words: "2 fewer GPUs", "31% less cost ($607 vs $880)"."""
    if base == other:
        return None
    word = more if other > base else less
    if kind == "count":
        if noun == "GPUs":
            return f"{abs(int(other) - int(base))} {word} {noun}"
        return f"{noun} {format_number(other)} vs {format_number(base)}"
    shown = {"bytes": format_bytes, "seconds": format_duration, "rate": format_rate, "money": format_money,
             "requests": lambda v: format_rate(v, "requests")}[kind]
    relative = f"{format_percent(abs(other / base - 1))} " if base else ""
    return f"{relative}{word} {noun} ({shown(other)} vs {shown(base)})"


def differences_in_words(scenarios: list[Scenario]) -> list[str]:
    """Each scenario against the first, in words: "“B” against “A”: 2 fewer GPUs, 31% less cost ($607 vs $880)"."""
    _check(scenarios)
    first, base = scenarios[0], scenario_results(scenarios[0])
    lines = []
    for other in scenarios[1:]:
        values = scenario_results(other)
        changes = [c for key, noun, more, less, kind in _HEADLINES
                   if _numeric(base.get(key)) and _numeric(values.get(key))
                   and (c := _change(noun, more, less, kind, float(base[key]), float(values[key])))]
        if base.get("fits") is not None and values.get("fits") is not None and base["fits"] != values["fits"]:
            changes.insert(0, "fits on one GPU" if values["fits"] else "no longer fits on one GPU")
        lines.append(f"“{other.name}” against “{first.name}”: " + (", ".join(changes[:4]) if changes
                                                                     else "the headline results are the same") + ".")
    return lines


def memory_stack_comparison(scenarios: list[Scenario]) -> go.Figure | None:
    """Memory scenarios as stacked bars, one per scenario: the components add up to each peak (GB)."""
    if not all(s.kind in ("training", "inference") for s in scenarios):
        return None
    from lifecycle.charts.memory import estimate_bars, memory_stack_figure

    bars: dict[str, dict[str, float]] = {}
    for i, s in enumerate(scenarios, 1):
        bars[s.name if s.name not in bars else f"{s.name} #{i}"] = estimate_bars(s.result.estimate)
    gpus = {s.result.gpu.id: s.result.gpu for s in scenarios if s.result.gpu is not None}
    gpu = next(iter(gpus.values())) if len(gpus) == 1 else None
    return memory_stack_figure(bars, capacity_bytes=gpu.memory_bytes if gpu else None,
                               gpu_name=gpu.name if gpu else "", title="Memory per GPU, by component")


def overlay_figure(scenarios: list[Scenario]) -> go.Figure | None:
    """The calculators' own charts laid over each other (one legend group and dash per scenario);
    memory scenarios as stacked bars side by side; None unless every scenario is of one kind with a chart."""
    _check(scenarios)
    if len({s.kind for s in scenarios}) != 1:
        return None
    stacked = memory_stack_comparison(scenarios)
    if stacked is not None:
        return stacked
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
    units = {"_bytes": " (GB)", "_usd": " (USD)", "_s": " (s)"}
    titles = [fmt.label(k) + next((u for suffix, u in units.items() if k.endswith(suffix) and not k.endswith("_per_s")), "")
              for k in keys]
    fig = make_subplots(rows=nrows, cols=cols, subplot_titles=titles,
                        horizontal_spacing=0.12, vertical_spacing=0.5 / nrows)
    for i, key in enumerate(keys):
        scale = 1e9 if key.endswith("_bytes") else 1.0  # bytes are drawn in GB, as everywhere else
        for j, s in enumerate(scenarios):
            value = results[j].get(key)
            value = value / scale if _numeric(value) else value
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
    section.paragraphs.extend(differences_in_words(scenarios))
    section.paragraphs.append(f"{len(scenarios)} scenarios compared: {differing} of {len(table.rows)} rows differ.")
    overlay = overlay_figure(scenarios)
    if overlay is not None:
        section.charts.append(charts.add(overlay, "Charts overlaid", "compare-overlay"))
    elif len({s.kind for s in scenarios}) > 1:
        section.paragraphs.append("The scenarios come from different calculators, so their charts are not overlaid.")
    numbers = results_figure(scenarios)
    if numbers is not None:
        section.charts.append(charts.add(numbers, "Numeric results that differ", "compare-results"))
    return section
