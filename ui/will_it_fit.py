"""Select: will it fit? One model on the team's GPU — weight formats × workloads on one screen."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from lifecycle.charts.fit import fit_figure
from lifecycle.display import format_bytes
from lifecycle.errors import LifecycleError
from lifecycle.models.ref import ModelRef
from lifecycle.records.project import Project
from lifecycle.serving.will_it_fit import FitSetup, fit_matrix
from ui import common
from ui import project_facts as project_facts_ui
from ui.bounds import bounds
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
    facts = project_facts_ui.facts_for(project, "will_it_fit_")
    stated = bool({"input_tokens", "output_tokens"} & set(facts.from_project))
    encoder = model.family == "encoder"
    window = min(model.max_context, bounds(FitSetup, "long_context")[1])
    c1, c2, c3 = st.columns(3)
    short = c1.number_input("Input tokens" if model.family != "decoder" else "Short context (prompt + output tokens)",
                            2, bounds(FitSetup, "short_context")[1],
                            min(facts.seq_len_for(window, model.family), bounds(FitSetup, "short_context")[1]) if stated else
                            min(2048, window), key="will_it_fit_short",
                            help="Default: the project's lengths (Scope): a decoder's prompt + output, an "
                                 "encoder's or an encoder-decoder's input.")
    long = c2.number_input("Long context (tokens, capped at the model's window)", 2, bounds(FitSetup, "long_context")[1],
                           max(2, window),
                           key="will_it_fit_long")
    low, high = bounds(FitSetup, "new_tokens")
    new = c3.number_input("Output tokens", low, high, 0 if encoder else min(facts.output_tokens, high),
                          key="will_it_fit_new", disabled=encoder,
                          help="Encoders write no tokens." if encoder else "Default: the project's output length.")
    lengths = ({"input_tokens": int(short)} if encoder else {"seq_len": int(short), "output_tokens": int(new)}
               if model.family == "decoder" else {"input_tokens": int(short), "output_tokens": int(new)})
    project_facts_ui.note(facts, {"gpu": gpu.id, **lengths}, project)
    try:
        matrix = fit_matrix(FitSetup(model=ModelRef.of(model), gpu=gpu.id, short_context=int(short),
                                     long_context=int(long), new_tokens=0 if encoder else int(new)))
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
    writes = "a forward pass over the input" if encoder else f"{int(new):,} new tokens"
    st.caption(f"{gpu.name}: {format_bytes(gpu.memory_bytes)} usable per GPU. Inference: one sequence, {writes}; "
               "training: micro-batch 1 at the short context with gradient checkpointing, LoRA on all "
               "linear layers (rank 16), QLoRA with a paged optimizer, full fine-tuning in mixed precision with "
               "FSDP beyond one GPU. Same numbers: `lifecycle fit --model ID --gpu GPU --json`.")
