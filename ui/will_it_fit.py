"""Select: will it fit? One model on the team's GPU — weight formats × workloads on one screen."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from lifecycle.charts.fit import fit_figure
from lifecycle.display import format_bytes
from lifecycle.errors import LifecycleError
from lifecycle.models.ref import ModelRef
from lifecycle.records.project import Project
from lifecycle.serving.fit import FitSetup, fit_matrix
from ui import common
from ui.integrate_inputs import pick_gpu, pick_model


def render(project: Project | None) -> None:
    st.caption("Per-GPU memory for each weight format and workload, whether it fits one GPU (or how many it "
               "takes), and batch-1 decode speed. GPTQ/AWQ and GGUF sizes come from their block layouts; team "
               "models (including Hugging Face ids added on **Add a model**) are in the list.")
    c1, c2 = st.columns(2)
    with c1:
        model = pick_model(project, "will_it_fit_model")
    with c2:
        gpu = pick_gpu(project, "will_it_fit_gpu")
    c1, c2 = st.columns(2)
    short = c1.number_input("Short context (tokens)", 257, 131_072, 2048, key="will_it_fit_short")
    long = c2.number_input("Long context (tokens, capped at the model's window)", 257, 131_072,
                           min(model.max_context, 131_072) if model.max_context > 256 else 257, key="will_it_fit_long")
    try:
        matrix = fit_matrix(FitSetup(model=ModelRef.of(model), gpu=gpu.id, short_context=int(short),
                                     long_context=int(long)))
    except LifecycleError as exc:
        common.show_error(exc)
        return
    if matrix.shipped_format:
        shipped = matrix.cell(matrix.shipped_format, "infer_short")
        st.info(f"{model.name} ships as **{matrix.formats[matrix.shipped_format].split(' — ')[0]}** (its "
                f"quantization_config): {format_bytes(shipped.per_gpu_bytes or 0)} to serve at the short context — "
                + ("fits one GPU." if shipped.fits else f"needs {shipped.gpus or 'more than 64'} GPUs."))
    common.plotly_chart(fit_figure(matrix, gpu.name), width="stretch", key="will_it_fit_chart")
    rows = []
    for fmt, title in matrix.formats.items():
        row = {"format": title}
        for w, label in matrix.workloads.items():
            c = matrix.cell(fmt, w)
            row[label] = "—" if c.per_gpu_bytes is None else (
                f"{format_bytes(c.per_gpu_bytes)} · " + ("fits" if c.fits else f"fits on {c.gpus} GPUs" if c.gpus
                                                         else "does not fit"))
        rows.append(row)
    st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch")
    st.caption(f"{gpu.name}: {format_bytes(gpu.memory_bytes)} usable per GPU. Inference: one sequence, 256 new "
               "tokens; training: micro-batch 1 at the short context with gradient checkpointing, LoRA on all "
               "linear layers (rank 16), QLoRA with a paged optimizer, full fine-tuning in mixed precision with "
               "FSDP beyond one GPU. Same numbers: `lifecycle fit --model ID --gpu GPU --json`.")
