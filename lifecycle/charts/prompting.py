"""Prompt budget chart: tokens of the 0/1/k-shot prompts against the context window, output reserved."""

from __future__ import annotations

import plotly.graph_objects as go

from lifecycle.records.project import Scenario


def prompt_budget_figure(rows: list[dict], context_tokens: int, output_tokens: int, *, exact: bool = True) -> go.Figure:
    """Bars of prompt tokens per shot count; lines at the window and at window minus the output."""
    labels = [f"{r['shots']}-shot" for r in rows]
    planned = [r.get("planned_tokens", r["tokens"]) for r in rows]
    fig = go.Figure(go.Bar(x=labels, y=[r["tokens"] for r in rows], name="prompt tokens",
                           marker_color="#1f77b4", hovertemplate="%{x}: %{y} tokens<extra></extra>"))
    if not exact:
        fig.add_trace(go.Bar(x=labels, y=[p - r["tokens"] for p, r in zip(planned, rows)], name="estimate margin",
                             marker_color="#aec7e8", hovertemplate="%{x}: +%{y} planned<extra></extra>"))
    fig.add_hline(y=context_tokens, line_dash="dash", line_color="#d62728",
                  annotation_text=f"context window {context_tokens:,}")
    if output_tokens:
        fig.add_hline(y=context_tokens - output_tokens, line_dash="dot", line_color="#ff7f0e",
                      annotation_text=f"room for the prompt ({output_tokens:,} kept for the output)",
                      annotation_position="bottom right")
    fig.update_layout(barmode="stack", height=320, margin={"l": 50, "r": 20, "t": 30, "b": 40},
                      yaxis_title="tokens", legend={"orientation": "h", "y": 1.12})
    return fig


def _prompt_budget_scenario(scenario: Scenario) -> go.Figure:
    r = scenario.results
    return prompt_budget_figure(r.get("rows", []), int(r.get("context_tokens", 0)),
                                int(scenario.inputs.get("output_tokens", 0)), exact=bool(r.get("exact", True)))


SCENARIO_FIGURES = {"prompt_budget": _prompt_budget_scenario}
