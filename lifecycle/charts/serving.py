"""Serving charts: memory per GPU against concurrent sequences (with the GPU's memory line),
and decode tokens/s against batch size."""

from __future__ import annotations

import plotly.graph_objects as go
from plotly.subplots import make_subplots

from lifecycle.records.scenarios import ServingScenario
from lifecycle.serving.plan import ServingPlan, ServingPoint

GB = 1e9  # charts in GB = 1e9 bytes
PALETTE = ["#1F77B4", "#FF7F0E", "#2CA02C", "#D62728", "#9467BD", "#8C564B", "#E377C2", "#7F7F7F"]


def _memory_traces(plans: list[ServingPoint]) -> list[go.BaseTraceType]:
    names: list[str] = []
    for p in plans:
        names += [n for n in p.memory_components if n not in names]
    xs = [str(p.batch) for p in plans]  # categories: stacked bars stay readable across 1 … 1000s
    traces = [go.Bar(x=xs, y=[p.memory_components.get(n, 0) / GB for p in plans], name=n,
                     marker_color=PALETTE[i % len(PALETTE)]) for i, n in enumerate(names)]
    traces.append(go.Scatter(x=xs, y=[p.memory_total_bytes / GB for p in plans], mode="lines+markers",
                             name="needed (reserved + CUDA context)", line={"color": "black", "dash": "dot"}))
    return traces


def memory_vs_sequences_figure(plans: list[ServingPoint]) -> go.Figure:
    fig = go.Figure(_memory_traces(plans))
    gpu_gb = plans[0].gpu_memory_bytes / GB
    fig.add_hline(y=gpu_gb, line_color="red", annotation_text=f"{plans[0].gpu_id}: {gpu_gb:.0f} GB")
    fig.update_layout(barmode="stack", xaxis_title="concurrent sequences", yaxis_title="memory per GPU (GB)",
                      xaxis_type="category", title=f"Memory per GPU vs concurrent sequences ({plans[0].model_id}, "
                      f"{plans[0].precision}, {plans[0].prompt_tokens}+{plans[0].new_tokens} tokens)",
                      legend={"orientation": "h", "y": -0.25})
    return fig


def _requests_vs_batch_figure(plans: list[ServingPoint]) -> go.Figure:
    """An encoder writes no tokens: requests per second (one replica) and p95 latency against the batch."""
    fig = make_subplots(specs=[[{"secondary_y": True}]])
    fits = [p for p in plans if p.fits]
    over = [p for p in plans if not p.fits]
    fig.add_trace(go.Scatter(x=[p.batch for p in fits], y=[p.requests_per_s for p in fits], mode="lines+markers",
                             name="requests/s (one replica)", line={"color": PALETTE[0]}))
    if over:
        fig.add_trace(go.Scatter(x=[p.batch for p in over], y=[p.requests_per_s for p in over], mode="markers",
                                 name="does not fit in memory", marker={"color": "#BBBBBB", "symbol": "x"}))
    fig.add_trace(go.Scatter(x=[p.batch for p in plans], y=[p.p95_latency_s * 1e3 for p in plans], mode="lines",
                             name="p95 latency (ms)", line={"color": PALETTE[1], "dash": "dash"}), secondary_y=True)
    fig.update_xaxes(title_text="concurrent sequences (batch)", type="log")
    fig.update_yaxes(title_text="requests/s, one replica", secondary_y=False)
    fig.update_yaxes(title_text="p95 latency (ms)", secondary_y=True)
    fig.update_layout(title=f"Requests per second vs batch ({plans[0].engine} engine)",
                      legend={"orientation": "h", "y": -0.25})
    return fig


def throughput_vs_batch_figure(plans: list[ServingPoint]) -> go.Figure:
    if plans and all(p.new_tokens == 0 for p in plans):
        return _requests_vs_batch_figure(plans)
    fig = make_subplots(specs=[[{"secondary_y": True}]])
    fits = [p for p in plans if p.fits]
    over = [p for p in plans if not p.fits]
    fig.add_trace(go.Scatter(x=[p.batch for p in fits], y=[p.decode_tokens_per_s for p in fits], mode="lines+markers",
                             name="decode tokens/s (all sequences)", line={"color": PALETTE[0]}))
    if over:
        fig.add_trace(go.Scatter(x=[p.batch for p in over], y=[p.decode_tokens_per_s for p in over], mode="markers",
                                 name="does not fit in memory", marker={"color": "#BBBBBB", "symbol": "x"}))
    fig.add_trace(go.Scatter(x=[p.batch for p in plans], y=[p.per_sequence_tokens_per_s for p in plans],
                             mode="lines", name="tokens/s per sequence", line={"color": PALETTE[1], "dash": "dash"}),
                  secondary_y=True)
    fig.update_xaxes(title_text="concurrent sequences (batch)", type="log")
    fig.update_yaxes(title_text="decode tokens/s, all sequences", secondary_y=False)
    fig.update_yaxes(title_text="tokens/s per sequence", secondary_y=True)
    fig.update_layout(title=f"Decode throughput vs batch ({plans[0].engine} engine)",
                      legend={"orientation": "h", "y": -0.25})
    return fig


def serving_figure(plan: ServingPlan, title: str = "") -> go.Figure:
    """Memory vs concurrent sequences and tokens/s vs batch, from the plan's own sweep."""
    plans = plan.sweep or [plan]
    encoder = all(p.new_tokens == 0 for p in plans)
    fig = make_subplots(rows=2, cols=1, specs=[[{}], [{"secondary_y": True}]],
                        subplot_titles=("Memory per GPU vs concurrent sequences (GB)",
                                        "Requests/s vs batch" if encoder else "Decode tokens/s vs batch"))
    for tr in _memory_traces(plans):
        fig.add_trace(tr, row=1, col=1)
    fig.add_hline(y=plans[0].gpu_memory_bytes / GB, line_color="red", row=1, col=1)
    for tr in throughput_vs_batch_figure(plans).data:
        fig.add_trace(tr, row=2, col=1, secondary_y=tr.name in ("tokens/s per sequence", "p95 latency (ms)"))
    fig.update_xaxes(type="category", row=1, col=1)
    fig.update_xaxes(type="log", row=2, col=1)
    fig.update_layout(barmode="stack", height=800, title=title, legend={"orientation": "h", "y": -0.1})
    return fig


def serving_scenario_figure(scenario: ServingScenario) -> go.Figure:
    """Redraw a saved serving scenario from its stored plan and sweep."""
    return serving_figure(scenario.result, scenario.name)


SCENARIO_FIGURES = {"serving": serving_scenario_figure}
