"""Charts of generation settings: the next-token distribution before and after temperature/top-k/top-p
(kept set highlighted), and seeded sample frequencies next to the probabilities."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from lifecycle.records.scenarios import SamplingScenario
from lifecycle.serving.sampling import SamplingDemo, Transformed

KEPT, DROPPED, BEFORE, SAMPLED = "#1F77B4", "#D3D3D3", "#9E9E9E", "#FF7F0E"
TOP_N = 25


def _top(t: Transformed, top_n: int) -> np.ndarray:
    """Indices of the tokens to draw: the top_n by original probability (stable order)."""
    return np.argsort(-np.asarray(t.original), kind="stable")[:top_n]


def _hidden_note(t: Transformed, idx: np.ndarray) -> str:
    hidden = len(t.tokens) - len(idx)
    if hidden <= 0:
        return ""
    mass = 1 - float(np.asarray(t.original)[idx].sum())
    return f"<br><sup>{hidden} less likely tokens not drawn ({mass:.1%} of the original mass)</sup>"


def add_distribution_traces(fig: go.Figure, t: Transformed, *, top_n: int = TOP_N, row=None, col=None) -> None:
    idx = _top(t, top_n)
    tokens = [t.tokens[i] for i in idx]
    kept = [t.kept[i] for i in idx]
    where = {"row": row, "col": col} if row else {}
    fig.add_trace(go.Bar(x=tokens, y=[t.original[i] for i in idx], name="before", marker_color=BEFORE,
                         hovertemplate="%{x}: %{y:.4f} before<extra></extra>"), **where)
    if t.temperature not in (0.0, 1.0):
        fig.add_trace(go.Bar(x=tokens, y=[t.after_temperature[i] for i in idx], name=f"after temperature {t.temperature:g}",
                             marker_color="#AEC7E8", hovertemplate="%{x}: %{y:.4f}<extra></extra>"), **where)
    fig.add_trace(go.Bar(x=tokens, y=[t.final[i] for i in idx], name="after (kept, renormalised)",
                         marker_color=[KEPT if k else DROPPED for k in kept],
                         hovertemplate="%{x}: %{y:.4f} after<extra></extra>"), **where)


def distribution_figure(t: Transformed, *, top_n: int = TOP_N) -> go.Figure:
    """Bars before and after the settings; kept tokens blue, dropped ones grey (0 after)."""
    fig = go.Figure()
    add_distribution_traces(fig, t, top_n=top_n)
    idx = _top(t, top_n)
    fig.update_layout(
        barmode="group", yaxis_title="probability", xaxis_title="next token",
        title=f"Kept {t.kept_count} of {len(t.tokens)} tokens (temperature {t.temperature:g}, top-k "
              f"{t.top_k if t.top_k else 'off'}, top-p {t.top_p:g}){_hidden_note(t, idx)}",
        legend={"orientation": "h", "y": -0.25}, margin={"t": 80},
    )
    return fig


def frequency_figure(tokens: list[str], probs: list[float], freqs: list[float], samples: int, seed: int | None,
                     *, top_n: int = TOP_N) -> go.Figure:
    """Sampled frequencies next to the probabilities they were drawn with (tokens with probability > 0)."""
    p = np.asarray(probs)
    idx = [i for i in np.argsort(-p, kind="stable") if p[i] > 0][:top_n]
    fig = go.Figure()
    fig.add_trace(go.Bar(x=[tokens[i] for i in idx], y=p[idx], name="probability", marker_color=KEPT))
    fig.add_trace(go.Bar(x=[tokens[i] for i in idx], y=np.asarray(freqs)[idx], name=f"frequency in {samples:,} draws",
                         marker_color=SAMPLED))
    fig.update_layout(barmode="group", yaxis_title="share", xaxis_title="next token",
                      title=f"{samples:,} seeded draws (seed {seed})", legend={"orientation": "h", "y": -0.25},
                      margin={"t": 60})
    return fig


def sampling_demo_figure(demo: SamplingDemo, samples: int, seed: int, title: str = "") -> go.Figure:
    """Both charts of a sampling demo: the distribution before/after the settings, and the seeded draws."""
    t, freqs = demo.transformed, np.asarray(demo.frequencies)
    fig = make_subplots(rows=2, cols=1, subplot_titles=("Distribution before and after the settings",
                                                        f"{samples:,} seeded draws (seed {seed}) vs probabilities"))
    add_distribution_traces(fig, t, row=1, col=1)
    idx = [i for i in _top(t, TOP_N) if t.final[i] > 0]
    fig.add_trace(go.Bar(x=[t.tokens[i] for i in idx], y=[t.final[i] for i in idx], name="probability",
                         marker_color=KEPT, showlegend=False), row=2, col=1)
    fig.add_trace(go.Bar(x=[t.tokens[i] for i in idx], y=freqs[idx], name="sampled frequency",
                         marker_color=SAMPLED), row=2, col=1)
    fig.update_layout(barmode="group", height=700, title=title, legend={"orientation": "h", "y": -0.12})
    return fig


def sampling_scenario_figure(scenario: SamplingScenario) -> go.Figure:
    """Redraw a saved sampling scenario from its stored result."""
    return sampling_demo_figure(scenario.result, scenario.setup.samples, scenario.setup.seed, scenario.name)


SCENARIO_FIGURES = {"sampling": sampling_scenario_figure}
