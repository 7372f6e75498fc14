"""Prompt budget chart: tokens of the 0/1/k-shot prompts against the context window, output reserved."""

from __future__ import annotations

import plotly.graph_objects as go

from lifecycle.models.prompting import PromptBudget
from lifecycle.records.scenarios import PromptBudgetScenario


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


def prompt_budget_result_figure(budget: PromptBudget, *, shares_window: bool = True) -> go.Figure:
    rows = [{"shots": r.shots, "tokens": r.tokens, "planned_tokens": r.planned_tokens} for r in budget.rows]
    return prompt_budget_figure(rows, budget.context_tokens, budget.output_tokens if shares_window else 0,
                                exact=budget.exact)


def _prompt_budget_scenario(scenario: PromptBudgetScenario) -> go.Figure:
    return prompt_budget_result_figure(scenario.result, shares_window=scenario.setup.shares_window)


SCENARIO_FIGURES = {"prompt_budget": _prompt_budget_scenario}
