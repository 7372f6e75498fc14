"""The three transformer families side by side: their attention masks and blocks, the recommended
one marked. Masks follow the HF course ch. 1: encoder bidirectional, decoder causal, encoder-decoder
bidirectional encoder + causal decoder with cross-attention to every encoder position."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from lifecycle.models.tasks import FAMILIES, families
from lifecycle.records.scenarios import ArchitectureScenario

TOKENS = 5  # positions drawn per sequence


def attention_mask(family: str, tokens: int = TOKENS) -> np.ndarray:
    """1 where a query position (row) may attend to a key position (column)."""
    if family == "encoder":
        return np.ones((tokens, tokens))
    if family == "decoder":
        return np.tril(np.ones((tokens, tokens)))
    # rows/cols: encoder positions then decoder positions; the encoder never sees the decoder
    n = 2 * tokens
    mask = np.zeros((n, n))
    mask[:tokens, :tokens] = 1  # encoder self-attention, bidirectional
    mask[tokens:, :tokens] = 1  # decoder cross-attention to every encoder position
    mask[tokens:, tokens:] = np.tril(np.ones((tokens, tokens)))  # decoder self-attention, causal
    return mask


def family_diagram(recommended: str | None = None) -> go.Figure:
    """Three attention-mask panels with each family's blocks; ``recommended`` is outlined and starred."""
    info = families()
    titles = [f"{'★ ' if f == recommended else ''}{info[f].name}" for f in FAMILIES]
    fig = make_subplots(rows=1, cols=3, subplot_titles=titles, horizontal_spacing=0.08)
    for col, fam in enumerate(FAMILIES, start=1):
        mask = attention_mask(fam)
        n = mask.shape[0]
        labels = ([f"in{i + 1}" for i in range(TOKENS)] + [f"out{i + 1}" for i in range(TOKENS)]
                  if fam == "encoder-decoder" else [f"t{i + 1}" for i in range(n)])
        fig.add_trace(go.Heatmap(
            z=mask, x=labels, y=labels, showscale=False, xgap=2, ygap=2, zmin=0, zmax=1,
            colorscale=[[0, "#eeeeee"], [1, "#d62728" if fam == recommended else "#1f77b4"]],
            hovertemplate="query %{y} → key %{x}: %{z}<extra>" + fam + "</extra>"), row=1, col=col)
        fig.update_yaxes(autorange="reversed", row=1, col=col, tickfont={"size": 9})
        fig.update_xaxes(row=1, col=col, tickfont={"size": 9}, tickangle=0)
        blocks = info[fam].blocks.split(";")[0]
        fig.add_annotation(text=f"<i>{info[fam].aka}</i><br>{_wrap(blocks, 38)}", showarrow=False,
                           xref=f"x{col if col > 1 else ''} domain", yref="paper", x=0.5, y=-0.12, yanchor="top",
                           font={"size": 11}, align="center")
        if fam == recommended:
            dom = fig.layout[f"xaxis{col if col > 1 else ''}"].domain
            fig.add_shape(type="rect", xref="paper", yref="paper", x0=dom[0] - 0.02, x1=dom[1] + 0.02,
                          y0=-0.42, y1=1.12, line={"color": "#d62728", "width": 3})
    fig.update_layout(height=430, margin={"l": 40, "r": 20, "t": 70, "b": 120},
                      title={"text": "Attention masks (row = query token, column = token it may attend to)",
                             "x": 0, "xanchor": "left", "font": {"size": 14}})
    return fig


def _wrap(text: str, width: int) -> str:
    words, lines, line = text.split(), [], ""
    for w in words:
        if len(line) + len(w) + 1 > width and line:
            lines.append(line)
            line = w
        else:
            line = f"{line} {w}".strip()
    lines.append(line)
    return "<br>".join(lines)


def _architecture_scenario(scenario: ArchitectureScenario) -> go.Figure:
    return family_diagram(scenario.result.recommendation.family)


SCENARIO_FIGURES = {"architecture": _architecture_scenario}
