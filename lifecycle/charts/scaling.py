"""Scaling-law charts: loss vs compute with the compute-optimal frontier, iso-FLOP curves, N_opt and D_opt
vs compute with trained models placed on it, GPT-3 Table D.1 and a pilot-run fit.

Series are computed with numpy in ``scaling_series`` (one call per law for all budgets), so a chart
of hundreds of budgets and several laws recomputes in milliseconds (benchmarks/scaling.py).
"""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from lifecycle.records.scenarios import PretrainingScenario
from lifecycle.scaling.compute import PF_DAY_FLOPS
from lifecycle.scaling.laws import (
    ScalingLaw,
    compute_optimal_allocation,
    optimal_loss,
    parametric_allocation,
    predicted_loss,
)
from lifecycle.scaling.plan import gpt3_table_d1, gpt3_table_d1_footnote, trained_vs_optimal
from lifecycle.scaling.pretraining import PretrainingPlan, PretrainingSetup

COLORS = {"kaplan": "#7F7F7F", "chinchilla1": "#1F77B4", "chinchilla2": "#2CA02C", "chinchilla3": "#D62728",
          "chinchilla3_unrounded": "#FF9896", "epoch": "#9467BD"}
EXTRA_COLORS = ["#8C564B", "#E377C2", "#17BECF", "#BCBD22", "#FF7F0E"]
DEFAULT_LAWS = ("kaplan", "chinchilla1", "chinchilla2", "chinchilla3", "epoch")
GROUP_SYMBOLS = {"seed": "circle", "llama": "square", "overtrained": "diamond", "domain": "star", "user": "x"}


def _color(law: ScalingLaw, i: int) -> str:
    return COLORS.get(law.name, EXTRA_COLORS[i % len(EXTRA_COLORS)])


def budgets(c_min_flops: float, c_max_flops: float, n: int = 200) -> np.ndarray:
    if not (0 < c_min_flops < c_max_flops):
        from lifecycle.errors import InvalidInput

        raise InvalidInput("The compute range needs 0 < minimum < maximum.")
    return np.logspace(np.log10(c_min_flops), np.log10(c_max_flops), n)


def scaling_series(laws: list[ScalingLaw], c_flops: np.ndarray) -> dict[str, dict[str, np.ndarray | None]]:
    """For each law: optimal N, D and (where predicted) loss at every budget."""
    out = {}
    for law in laws:
        n, d = compute_optimal_allocation(law, c_flops)
        out[law.name] = {"params": np.asarray(n), "tokens": np.asarray(d), "loss": optimal_loss(law, c_flops)}
    return out


def _log_axes(fig: go.Figure, x_title: str, y_title: str, log_y: bool = True, **kw) -> None:
    fig.update_xaxes(type="log", title_text=x_title, exponentformat="power", **kw)
    fig.update_yaxes(type="log" if log_y else "linear", title_text=y_title, **kw)


GROUP_TITLES = {"seed": "models in the Chinchilla comparison", "llama": "LLaMA", "overtrained": "over-trained (Llama 2/3)",
                "domain": "domain model (BloombergGPT)", "user": "your plan"}


def _add_markers(fig: go.Figure, markers: list[dict], y_of, what: str, legend: bool = True, **axes) -> None:
    """One trace per marker group (seed table, over-trained Llamas, …), hover names each model."""
    for group in dict.fromkeys(m.get("group", "user") for m in markers):
        ms = [m for m in markers if m.get("group", "user") == group]
        fig.add_trace(go.Scatter(
            x=[6 * m["params"] * m["tokens"] for m in ms], y=[float(y_of(m)) for m in ms], mode="markers",
            name=GROUP_TITLES.get(group, group), legendgroup=f"m-{group}", showlegend=legend,
            marker={"symbol": GROUP_SYMBOLS.get(group, "x"), "size": 10, "color": "black" if group != "user" else "#E4572E"},
            text=[f"{m['name']}: N={m['params']:.3g}, D={m['tokens']:.3g}" + (f"<br>{m['note']}" if m.get("note") else "")
                  for m in ms],
            hovertemplate="%{text}<br>C=%{x:.3g}, " + what + " %{y:.4g}<extra></extra>", **axes))


def loss_vs_compute_figure(laws: list[ScalingLaw], c_min_flops=1e18, c_max_flops=1e26, n=200,
                           markers: list[dict] | None = None) -> go.Figure:
    """Loss on each law's compute-optimal frontier vs compute (Kaplan: Eq 1.3 L(C_min); Chinchilla/Epoch: Eq 2 at Eq 4)."""
    c = budgets(c_min_flops, c_max_flops, n)
    series = scaling_series(laws, c)
    fig = go.Figure()
    for i, law in enumerate(laws):
        loss = series[law.name]["loss"]
        if loss is None:
            continue  # Approaches 1 and 2 give an allocation, not a loss
        fig.add_trace(go.Scatter(x=c, y=loss, mode="lines", name=law.label, line={"color": _color(law, i)},
                                 hovertemplate="C=%{x:.3g} FLOPs<br>L=%{y:.4f}<extra>" + law.name + "</extra>"))
    # Models are placed with a parametric law's L(N, D): on its own scale they sit on or above its frontier.
    first = next((law for law in laws if law.kind == "parametric"), None)
    _add_markers(fig, markers if first else [],
                 lambda m: predicted_loss(first, m["params"], m["tokens"]), f"loss by {first.name if first else ''}")
    _log_axes(fig, "training compute C (FLOPs)", "loss (nats/token)", log_y=False)
    fig.update_layout(title="Loss on the compute-optimal frontier", height=420, legend={"orientation": "h", "y": -0.25},
                      margin={"t": 50, "b": 10})
    fig.add_annotation(text="Kaplan's loss is on WebText2 with non-embedding N; Chinchilla/Epoch on MassiveText: compare shapes, not levels.",
                       xref="paper", yref="paper", x=0, y=1.0, yanchor="bottom", showarrow=False, font={"size": 10})
    return fig


def isoflop_figure(law: ScalingLaw, budgets_flops: list[float], n_grid: int = 200) -> go.Figure:
    """Loss vs N at fixed C (D = C/6N), one curve per budget, the optimum marked (Chinchilla Fig 3 style)."""
    if not law.predicts_loss:
        from lifecycle.errors import InvalidInput

        raise InvalidInput(f"{law.label} gives an allocation but no loss; pick a parametric law or Kaplan for iso-FLOP curves.")
    fig = go.Figure()
    for i, c in enumerate(sorted(budgets_flops)):
        n_opt, _ = compute_optimal_allocation(law, c)
        n = np.logspace(np.log10(n_opt) - 1.5, np.log10(n_opt) + 1.5, n_grid)
        loss = predicted_loss(law, n, c / (6 * n))
        color = EXTRA_COLORS[i % len(EXTRA_COLORS)]
        fig.add_trace(go.Scatter(x=n, y=loss, mode="lines", name=f"C = {c:.1e}", line={"color": color}))
        if law.kind == "parametric":
            best_n, best_d = parametric_allocation(law, c)
        else:  # Kaplan's L(N, D) along 6ND = C: numeric minimum on the grid
            best_n = n[int(np.argmin(loss))]
            best_d = c / (6 * best_n)
        fig.add_trace(go.Scatter(x=[best_n], y=[predicted_loss(law, best_n, best_d)], mode="markers", showlegend=False,
                                 marker={"color": color, "size": 11, "symbol": "star"},
                                 hovertemplate=f"optimum N=%{{x:.3g}}, D={best_d:.3g}<extra></extra>"))
    _log_axes(fig, "parameters N", "loss (nats/token)", log_y=False)
    fig.update_layout(title=f"Iso-FLOP curves: {law.label}", height=420, margin={"t": 50, "b": 10})
    return fig


def allocation_figure(laws: list[ScalingLaw], c_min_flops=1e18, c_max_flops=1e26, n=200,
                      markers: list[dict] | None = None) -> go.Figure:
    """N_opt(C) and D_opt(C) for each law, with trained models at (6ND, N) and (6ND, D)."""
    c = budgets(c_min_flops, c_max_flops, n)
    series = scaling_series(laws, c)
    fig = _two_panels("optimal parameters N_opt", "optimal tokens D_opt")
    for i, law in enumerate(laws):
        for axis, key in (("", "params"), ("2", "tokens")):
            fig.add_trace(go.Scatter(x=c, y=series[law.name][key], mode="lines", name=law.label, legendgroup=law.name,
                                     showlegend=axis == "", line={"color": _color(law, i)},
                                     xaxis="x" + axis, yaxis="y" + axis))
    for axis, key in (("", "params"), ("2", "tokens")):
        _add_markers(fig, markers or [], lambda m, key=key: m[key], "as trained", legend=axis == "",
                     xaxis="x" + axis, yaxis="y" + axis)
    fig.update_layout(height=440, legend={"orientation": "h", "y": -0.25}, margin={"t": 40, "b": 10},
                      title="Compute-optimal allocation (markers: models as trained; above the line = too big for its compute)")
    return fig


def _two_panels(left: str, right: str) -> go.Figure:
    """Two log-log panels side by side; built by hand because make_subplots costs ~20 ms per chart."""
    fig = go.Figure()
    axis = {"type": "log", "exponentformat": "power"}
    fig.update_layout(
        xaxis=dict(domain=[0, 0.45], title_text="compute C (FLOPs)", **axis), yaxis=dict(anchor="x", **axis),
        xaxis2=dict(domain=[0.55, 1], anchor="y2", title_text="compute C (FLOPs)", **axis), yaxis2=dict(anchor="x2", **axis),
        annotations=[{"text": t, "x": x, "xref": "paper", "y": 1.0, "yref": "paper", "yanchor": "bottom", "showarrow": False}
                     for t, x in ((left, 0.225), (right, 0.775))])
    return fig


def seed_markers(groups: tuple[str, ...] = ("seed", "overtrained", "domain")) -> list[dict]:
    return [{"name": r["model"] + (" *" if r["note"] else ""), "params": r["params"], "tokens": r["tokens"],
             "group": r["group"], "note": r["note"]}
            for r in trained_vs_optimal(laws=[]) if r["group"] in groups]


def gpt3_table_d1_figure(plans: list[tuple[str, float]] = ()) -> go.Figure:
    """GPT-3 Table D.1: PF-days to pre-train, recomputed as k·N·D / 8.64e19; ``plans`` ((label, FLOPs)) are the
    user's own budgets, drawn in green among the published models, sorted by compute."""
    rows = gpt3_table_d1()
    bars = [(r["model"], r["pf_days_computed"], "#FF7F0E" if r["flops_per_param_per_token"] == 3 else "#1F77B4",
             f"paper {r['pf_days']}, {r['flops_per_param_per_token']} FLOPs/param/token") for r in rows]
    bars += [(label, flops / PF_DAY_FLOPS, "#2CA02C", "your plan: 6·N·D or the budget") for label, flops in plans]
    bars.sort(key=lambda b: b[1])
    fig = go.Figure(go.Bar(x=[b[0] for b in bars], y=[b[1] for b in bars], marker_color=[b[2] for b in bars],
                           customdata=[[b[3]] for b in bars],
                           hovertemplate="%{x}: %{y:.3g} PF-days<br>%{customdata[0]}<extra></extra>"))
    fig.update_yaxes(type="log", title_text="PF-days (1 PF-day = 8.64e19 FLOPs)")
    fig.update_layout(title="Total compute to pre-train (GPT-3 Table D.1)", height=420, margin={"t": 50, "b": 120})
    fig.add_annotation(text="Orange: " + gpt3_table_d1_footnote(), xref="paper", yref="paper", x=0, y=-0.42,
                       showarrow=False, align="left", font={"size": 11})
    return fig


def fit_figure(residuals: list[dict]) -> go.Figure:
    """Observed vs fitted loss of the pilot runs (left) and log residuals vs compute (right)."""
    obs = np.array([r["loss"] for r in residuals])
    pred = np.array([r["predicted"] for r in residuals])
    c = np.array([6 * r["params"] * r["tokens"] for r in residuals])
    fig = make_subplots(rows=1, cols=2, subplot_titles=("fitted vs observed loss", "residual log(L̂/L) vs compute"))
    fig.add_trace(go.Scatter(x=obs, y=pred, mode="markers", name="runs"), row=1, col=1)
    lo, hi = float(min(obs.min(), pred.min())), float(max(obs.max(), pred.max()))
    fig.add_trace(go.Scatter(x=[lo, hi], y=[lo, hi], mode="lines", name="y = x", line={"dash": "dot", "color": "gray"}), row=1, col=1)
    fig.add_trace(go.Scatter(x=c, y=[r["residual_log"] for r in residuals], mode="markers", name="residual"), row=1, col=2)
    fig.update_xaxes(title_text="observed loss", row=1, col=1)
    fig.update_yaxes(title_text="fitted loss", row=1, col=1)
    fig.update_xaxes(type="log", title_text="6·N·D (FLOPs)", row=1, col=2)
    fig.update_layout(height=380, showlegend=False, margin={"t": 40, "b": 10})
    return fig


def pretraining_figure(setup: PretrainingSetup, plan: PretrainingPlan) -> go.Figure:
    """The chart the setup asks for (loss, allocation, iso-FLOP or GPT-3 Table D.1), with the published models
    and the setup's own N and D as markers when it says so."""
    laws = list(setup.laws)
    lo, hi = setup.c_min_flops, setup.c_max_flops
    markers = []
    if setup.show_markers:
        markers = seed_markers()
        if setup.params is not None:
            markers.append({"name": "your N & D", "params": setup.params, "tokens": setup.tokens, "group": "user"})
    if setup.chart == "allocation":
        return allocation_figure(laws, lo, hi, markers=markers)
    if setup.chart == "isoflop":
        law = next((x for x in laws if x.predicts_loss), laws[0])  # a power law alone raises a clear error
        return isoflop_figure(law, plan.isoflop_budgets_flops)
    if setup.chart == "table_d1":
        plans = [("your budget", plan.budget_flops)]
        if plan.model_plans:
            plans.append(("your N & D", plan.model_plans[0].compute_flops))
        return gpt3_table_d1_figure(plans)
    return loss_vs_compute_figure(laws, lo, hi, markers=markers)


def scaling_scenario_figure(scenario: PretrainingScenario) -> go.Figure:
    """Redraw a saved pre-training plan from the law constants its setup carries."""
    return pretraining_figure(scenario.setup, scenario.result)


SCENARIO_FIGURES = {"pretraining": scaling_scenario_figure}
