"""The "will it fit" matrix as a heat map: each cell's per-GPU memory as a share of the GPU, green when it fits."""

from __future__ import annotations

import plotly.graph_objects as go

from lifecycle.serving.will_it_fit import FitMatrix

GB = 1e9


def fit_figure(matrix: FitMatrix, gpu_name: str) -> go.Figure:
    """Rows: weight formats; columns: workloads; colour: memory needed ÷ the GPU's usable memory (capped at 2)."""
    formats, workloads = list(matrix.formats), list(matrix.workloads)
    z, text = [], []
    for fmt in formats:
        row_z, row_t = [], []
        for w in workloads:
            c = matrix.cell(fmt, w)
            if c.per_gpu_bytes is None:
                row_z.append(None)
                row_t.append("—")
                continue
            row_z.append(min(c.per_gpu_bytes / matrix.gpu_memory_bytes, 2.0))
            where = "fits" if c.fits else (f"fits on {c.gpus} GPUs" if c.gpus else "does not fit")
            speed = f"<br>{c.tokens_per_s:,.0f} tok/s" if c.tokens_per_s else ""
            row_t.append(f"{c.per_gpu_bytes / GB:,.1f} GB<br>{where}{speed}")
        z.append(row_z)
        text.append(row_t)
    fig = go.Figure(go.Heatmap(
        z=z, x=[matrix.workloads[w] for w in workloads], y=[matrix.formats[f] for f in formats], text=text,
        texttemplate="%{text}", zmin=0, zmax=2, hoverongaps=False,
        colorscale=[[0, "#1a9850"], [0.45, "#a6d96a"], [0.5, "#fee08b"], [0.55, "#f46d43"], [1, "#a50026"]],
        colorbar={"title": "need ÷ GPU", "tickvals": [0, 0.5, 1, 1.5, 2], "ticktext": ["0", "½", "1", "1½", "≥2"]},
        hovertemplate="%{y} · %{x}<br>%{text}<extra></extra>"))
    fig.update_yaxes(autorange="reversed")
    fig.update_xaxes(side="top")
    fig.update_layout(title=f"Memory on one {gpu_name} (short {matrix.short_context:,} / long "
                            f"{matrix.long_context:,} tokens)", height=160 + 52 * len(formats),
                      margin={"t": 90, "l": 10, "r": 10, "b": 10})
    return fig
