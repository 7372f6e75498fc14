"""The four-stage lifecycle diagram shown at the top of every stage page and in reports."""

from __future__ import annotations

import plotly.graph_objects as go

from lifecycle.project import STAGE_TITLES, STAGES

ACCENT = "#4C5FD5"
MUTED = "#E6E8F4"


def lifecycle_diagram(highlight: str | None = None, done: dict[str, bool] | None = None) -> go.Figure:
    """Scope → Select → Adapt & Align → Integrate as boxes and arrows, one stage highlighted."""
    fig = go.Figure()
    width, gap = 1.0, 0.35
    for i, key in enumerate(STAGES):
        x0 = i * (width + gap)
        on = key == highlight
        fig.add_shape(type="rect", x0=x0, x1=x0 + width, y0=0, y1=1, line=dict(color=ACCENT, width=2),
                      fillcolor=ACCENT if on else MUTED, layer="below")
        label = STAGE_TITLES[key] + (" ✓" if done and done.get(key) else "")
        fig.add_annotation(x=x0 + width / 2, y=0.5, text=f"<b>{label}</b>" if on else label, showarrow=False,
                           font=dict(color="white" if on else "#1F2340", size=14))
        if i < len(STAGES) - 1:
            fig.add_annotation(x=x0 + width + gap - 0.03, y=0.5, ax=x0 + width + 0.03, ay=0.5, xref="x", yref="y",
                               axref="x", ayref="y", showarrow=True, arrowhead=2, arrowsize=1.2, arrowwidth=2,
                               arrowcolor=ACCENT, text="")
    total = len(STAGES) * width + (len(STAGES) - 1) * gap
    fig.update_xaxes(visible=False, range=[-0.05, total + 0.05], fixedrange=True)
    fig.update_yaxes(visible=False, range=[-0.1, 1.1], fixedrange=True)
    fig.update_layout(height=90, margin=dict(l=0, r=0, t=0, b=0), plot_bgcolor="rgba(0,0,0,0)",
                      paper_bgcolor="rgba(0,0,0,0)", showlegend=False)
    return fig
