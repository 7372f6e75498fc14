"""Memory charts: the per-GPU components stacked against the GPU's capacity, and GPU count by strategy.

Units are decimal GB (1e9 bytes), as GPU datasheets print them.
"""

from __future__ import annotations

import plotly.graph_objects as go

from lifecycle.memory.breakdown import MemoryEstimate
from lifecycle.memory.gpu_count import StrategyRow
from lifecycle.records.scenarios import InferenceScenario, TrainingScenario

GB = 1e9
# one colour per component so the same thing looks the same in every chart
COLOURS = {
    "weights": "#1f77b4", "quantised base weights": "#1f77b4", "quantised weights": "#1f77b4",
    "master weights": "#aec7e8", "gradients": "#ff7f0e", "optimizer states": "#2ca02c",
    "optimizer step buffers": "#98df8a", "LoRA adapters": "#17becf", "DDP gradient buckets": "#ffbb78",
    "gathered layer buffers": "#c5b0d5", "activations": "#d62728", "attention scores": "#ff9896",
    "logits and loss": "#9467bd", "embeddings and head": "#8c564b", "checkpointed block inputs": "#e377c2",
    "recomputed block": "#f7b6d2", "autocast bf16 weight copies": "#bcbd22", "KV cache": "#d62728",
    "cross-attention cache": "#ff9896", "encoder output": "#8c564b", "logits": "#9467bd",
    "cuBLAS workspaces": "#7f7f7f", "allocator slack": "#c7c7c7", "CUDA context": "#525252",
}


def memory_stack_figure(bars: dict[str, dict[str, int]], *, capacity_bytes: int | None = None,
                        gpu_name: str = "", title: str = "Memory per GPU") -> go.Figure:
    """One stacked bar per label (components in bytes); a dashed line at the GPU's memory."""
    labels = list(bars)
    names: list[str] = []
    for parts in bars.values():
        names += [n for n in parts if n not in names]
    fig = go.Figure()
    for name in names:
        values = [bars[label].get(name, 0) / GB for label in labels]
        fig.add_bar(name=name, x=labels, y=values, marker_color=COLOURS.get(name),
                    hovertemplate=f"{name}: %{{y:.2f}} GB<extra></extra>")
    if capacity_bytes:
        fig.add_hline(y=capacity_bytes / GB, line_dash="dash", line_color="black",
                      annotation_text=f"{gpu_name} {capacity_bytes / GB:.0f} GB".strip(), annotation_position="top left")
    fig.update_layout(barmode="stack", title=title, yaxis_title="GB per GPU (1 GB = 1e9 bytes)",
                      legend_title="component", margin={"t": 60, "b": 40}, height=460)
    return fig


def strategy_figure(rows: list[StrategyRow], *, gpu_name: str = "") -> go.Figure:
    """Minimum GPU count per strategy and offload choice; strategies that never fit are marked."""
    labels = [r.title + (f" + offload {r.offload}" if r.offload != "none" else "") for r in rows]
    counts = [r.min_gpus or 0 for r in rows]
    text = [str(r.min_gpus) if r.min_gpus else "does not fit" for r in rows]
    per_gpu = [(r.per_gpu_required_bytes or 0) / GB for r in rows]
    fig = go.Figure(go.Bar(x=labels, y=counts, text=text, textposition="outside", marker_color="#1f77b4",
                           customdata=per_gpu,
                           hovertemplate="%{x}<br>%{text} GPUs<br>%{customdata:.1f} GB per GPU<extra></extra>"))
    fig.update_layout(title=f"Fewest GPUs that fit{' (' + gpu_name + ')' if gpu_name else ''}",
                      yaxis_title="GPUs", yaxis_type="log" if max(counts, default=0) > 64 else "linear",
                      margin={"t": 60, "b": 120}, height=420)
    return fig


def estimate_bars(est: MemoryEstimate) -> dict[str, int]:
    """The stacked bar of one estimate: the tensors at the peak, the allocator's slack, the CUDA context."""
    return {**est.components, "allocator slack": est.allocator_slack_bytes, "CUDA context": est.cuda_context_bytes}


def scenario_memory_figure(scenario: TrainingScenario | InferenceScenario) -> go.Figure:
    """Redraw a saved training or inference scenario from its stored estimate."""
    gpu = scenario.result.gpu
    return memory_stack_figure({scenario.name: estimate_bars(scenario.result.estimate)},
                               capacity_bytes=gpu.memory_bytes if gpu else None, gpu_name=gpu.name if gpu else "",
                               title=f"Memory per GPU — {scenario.name}")


SCENARIO_FIGURES = {"training": scenario_memory_figure, "inference": scenario_memory_figure}
