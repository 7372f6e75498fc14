"""What to rent: every fitting configuration as time (hours) against cost (USD), the Pareto front drawn as a
line, the budget and the deadline as the limits they are."""

from __future__ import annotations

import plotly.graph_objects as go

from lifecycle.launch.rent import RentOption, RentResult

METHOD_COLOURS = {"full": "#D62728", "lora": "#1F77B4", "qlora": "#2CA02C"}


def _label(o: RentOption) -> str:
    ckpt = ", checkpointing" if o.grad_checkpointing else ""
    return f"{o.gpus} × {o.gpu_name}<br>{o.method}, {o.strategy}, micro-batch {o.micro_batch}{ckpt}"


def pareto_figure(result: RentResult, *, budget_usd: float | None = None, deadline_h: float | None = None,
                  title: str = "What to rent: time against cost") -> go.Figure:
    fig = go.Figure()
    for method, colour in METHOD_COLOURS.items():
        rows = [o for o in result.options if o.method == method]
        if rows:
            fig.add_trace(go.Scatter(x=[o.time_s / 3600 for o in rows], y=[o.cost_usd for o in rows], mode="markers",
                                     name=f"{method} (fits)", marker={"color": colour, "size": 7, "opacity": 0.45},
                                     hovertext=[_label(o) for o in rows], hoverinfo="text+x+y"))
    if result.pareto:
        front = result.pareto
        fig.add_trace(go.Scatter(x=[o.time_s / 3600 for o in front], y=[o.cost_usd for o in front],
                                 mode="lines+markers+text", name="Pareto front (none both faster and cheaper)",
                                 line={"color": "black", "shape": "hv"}, marker={"size": 11, "symbol": "diamond"},
                                 text=[f"{o.gpus}×{o.gpu} {o.method}" for o in front], textposition="top right",
                                 hovertext=[_label(o) for o in front], hoverinfo="text+x+y"))
    # the limits as lines across the options' range (shapes and annotations misplace on log axes)
    times = [o.time_s / 3600 for o in result.options] or [1.0]
    costs = [o.cost_usd for o in result.options] or [1.0]
    if budget_usd is not None:
        fig.add_trace(go.Scatter(x=[min(times) / 1.5, max(times) * 1.5], y=[budget_usd, budget_usd], mode="lines",
                                 name=f"budget ${budget_usd:,.0f}", line={"color": "red", "dash": "dash"}))
    if deadline_h is not None:
        fig.add_trace(go.Scatter(x=[deadline_h, deadline_h], y=[min(costs) / 1.5, max(costs) * 1.5], mode="lines",
                                 name=f"deadline {deadline_h:g} h", line={"color": "red", "dash": "dot"}))
    fig.update_layout(title=title, xaxis_title="training time (hours, log)", yaxis_title="cost (USD, log)",
                      xaxis_type="log", yaxis_type="log", legend={"orientation": "h", "y": -0.2}, height=520)
    return fig
