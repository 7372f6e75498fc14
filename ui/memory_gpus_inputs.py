"""Inputs of the memory planner: where the model shape comes from, and the training / serving knobs."""

from __future__ import annotations

import streamlit as st

from lifecycle.choices import (
    AdapterDtype,
    Attention,
    LoraTarget,
    Method,
    Offload,
    Optimizer,
    OptimizerImpl,
    Strategy,
    TrainPrecision,
    WeightFormat,
    options,
    title,
)
from lifecycle.memory.setup import HEADS_BY_FAMILY, InferenceSetup, TrainingSetup
from lifecycle.models.architecture import ModelShape
from lifecycle.models.gpus import get_gpu
from lifecycle.models.ref import ModelRef
from lifecycle.models.tasks import training_head_for_tasks
from lifecycle.records.custom_models import parse_config
from lifecycle.records.project import Project
from lifecycle.records.project_facts import DEFAULT_CONCURRENT_SEQUENCES, ProjectFacts
from lifecycle.scaling.compute import mfu_references
from ui.bounds import bounds
from ui.integrate_inputs import pick_model

SOURCES = ("Catalog model", "config.json (paste or upload)", "Typed numbers")


def model_ref(project: Project | None, k: str) -> ModelRef | None:
    """The model from the catalog, a config.json or typed numbers; None while a config is still to be given."""
    source = st.radio("Model from", SOURCES, horizontal=True, key=k + "source")
    model = pick_model(project, k + "model") if source != SOURCES[1] else None
    if source == SOURCES[0]:
        return ModelRef.of(model)
    if source == SOURCES[1]:
        upload = st.file_uploader("Upload config.json", type=["json"], key=k + "upload")
        pasted = st.text_area("…or paste its contents", height=140, key=k + "paste",
                              placeholder='{"model_type": "llama", "hidden_size": 4096, …}')
        raw = upload.getvalue() if upload is not None else (pasted or "").strip()
        if not raw:
            st.info("Upload or paste a Hugging Face config.json to size that model.")
            return None
        return ModelRef.from_config(parse_config(raw))
    return ModelRef(id="config", name=f"typed numbers (from {model.name})", shape=_typed_shape(model.shape, k))


def _typed_shape(start: ModelShape, k: str) -> ModelShape:
    st.caption("Start from the model above and change any number.")
    c = st.columns(4)
    family = c[0].selectbox("Family", ("decoder", "encoder", "encoder-decoder"),
                            index=("decoder", "encoder", "encoder-decoder").index(start.family), key=k + "t_family")
    if family == "encoder-decoder":
        enc = c[1].number_input("Encoder layers", 1, 1000, start.encoder_layers or max(start.layers // 2, 1), key=k + "t_enc")
        dec = c[2].number_input("Decoder layers", 1, 1000, start.decoder_layers or max(start.layers // 2, 1), key=k + "t_dec")
        layers = int(enc + dec)
    else:
        enc = dec = 0
        layers = int(c[1].number_input("Layers", 1, 1000, start.layers, key=k + "t_layers"))
    hidden = c[3].number_input("Hidden size", 1, 200_000, start.hidden, key=k + "t_hidden")
    c = st.columns(4)
    heads = c[0].number_input("Attention heads", 1, 1024, start.heads, key=k + "t_heads")
    kv_heads = c[1].number_input("KV heads", 1, 1024, start.kv_heads, key=k + "t_kv",
                                 help="Fewer than the heads = grouped-query attention (LLaMA-2-70B: 8 of 64).")
    ffn = c[2].number_input("FFN size", 1, 1_000_000, start.ffn, key=k + "t_ffn")
    vocab = c[3].number_input("Vocabulary", 1, 2_000_000, start.vocab, key=k + "t_vocab")
    c = st.columns(3)
    gated = c[0].checkbox("Gated MLP (SwiGLU/GeGLU)", start.gated_mlp, key=k + "t_gated")
    tied = c[1].checkbox("Tied input/output embeddings", start.tied_embeddings, key=k + "t_tied")
    norm = c[2].selectbox("Norm", ("rmsnorm", "layernorm"), index=("rmsnorm", "layernorm").index(start.norm), key=k + "t_norm")
    arch = start.arch if family == start.family else {"decoder": "llama", "encoder": "bert", "encoder-decoder": "t5"}[family]
    return ModelShape(family=family, arch=arch, layers=layers, encoder_layers=int(enc), decoder_layers=int(dec),
                      hidden=int(hidden), heads=int(heads), kv_heads=int(kv_heads), ffn=int(ffn), gated_mlp=gated,
                      vocab=int(vocab), tied_embeddings=tied, norm=norm, max_context=start.max_context,
                      head="lm" if family != "encoder" else "base")


def training_setup(model: ModelRef, k: str, project: Project | None, gpu_id: str, facts: ProjectFacts) -> TrainingSetup:
    """The training widgets, read into a TrainingSetup (widget bounds are the Setup's own); defaults are the
    project's facts."""
    shape = model.shape
    path = project.adapt.adaptation_path if project is not None else None
    c = st.columns(4)
    precisions = options(TrainPrecision)[:6]  # amp, fp32, 16-bit and fp8; int8/int4 come with LoRA/QLoRA
    precision = c[0].selectbox("Precision", precisions, format_func=title, key=k + "precision",
                               index=precisions.index(facts.precision) if facts.precision in precisions else 0)
    methods = options(Method)
    method = c[1].selectbox("Method", methods, index=methods.index(path) if path in methods else 0, key=k + "method",
                            format_func=title)
    optimizers = options(Optimizer)  # QLoRA's reference script pages its 32-bit AdamW states
    optimizer = c[2].selectbox("Optimizer", optimizers, format_func=title, key=k + "optimizer",
                               index=optimizers.index("paged_adamw_32bit" if method == "qlora" else "adamw"))
    impl = c[3].selectbox("AdamW kernel", options(OptimizerImpl), key=k + "impl",
                          help="torch's default foreach AdamW keeps one extra copy of the parameters during the step.")
    heads = HEADS_BY_FAMILY[shape.family]
    suggested = facts.head if facts.head in heads else training_head_for_tasks(list(facts.tasks), shape.family)
    head = st.selectbox("Output head", heads, key=k + "head", format_func=title,
                        index=heads.index(suggested) if suggested in heads else 0,
                        help="What the fine-tune trains on top of the model: an LM head scores the whole vocabulary "
                             "per token; a classifier only its labels. Default: the project's first task.")
    labels = 2
    if head in ("seq-cls", "token-cls"):
        labels = int(st.number_input("Labels", *bounds(TrainingSetup, "num_labels"),
                                     min(facts.num_labels, bounds(TrainingSetup, "num_labels")[1]), key=k + "labels",
                                     help="Default: the number of labels stated on the Use case page."))
    lora = {}
    if method != "full":
        c = st.columns(3)
        lora["lora_rank"] = int(c[0].number_input("LoRA rank r", *bounds(TrainingSetup, "lora_rank"), 16, key=k + "rank"))
        lora["lora_targets"] = tuple(c[1].multiselect("LoRA targets", options(LoraTarget), default=["q", "v"],
                                                      key=k + "targets") or ("q", "v"))
        dtypes = options(AdapterDtype)
        lora["adapter_dtype"] = c[2].selectbox(
            "Adapter dtype", dtypes, index=dtypes.index("bf16" if method == "qlora" else "fp32"), key=k + "adapter",
            help="peft keeps adapters in fp32; the QLoRA reference code casts them to bf16.")
    c = st.columns(4)
    batch = c[0].number_input("Micro-batch per GPU", *bounds(TrainingSetup, "micro_batch"), facts.micro_batch, key=k + "batch",
                              help="Gradient accumulation does not change memory: only the micro-batch does.")
    seq_default, target_default = facts.lengths_for(shape.family, shape.max_context)
    seq2seq = shape.family == "encoder-decoder"
    low, high = bounds(TrainingSetup, "seq_len")
    seq = c[1].number_input("Encoder length" if seq2seq else "Sequence length", low, high,
                            min(seq_default, high), key=k + "seq",
                            help=f"The model's window: {shape.max_context:,} tokens. Default: the project's input"
                                 + ("" if shape.family != "decoder" else " + output") + " tokens.")
    target_len = None
    if seq2seq:
        target_len = int(c[2].number_input("Decoder length", *bounds(TrainingSetup, "target_len"),
                                           min(target_default or 1, bounds(TrainingSetup, "target_len")[1]),
                                           key=k + "target", help="Default: the project's output tokens."))
    attention = c[3].selectbox("Attention kernel", options(Attention), key=k + "attention", format_func=title)
    ckpt = st.checkbox("Gradient checkpointing", method == "qlora", key=k + "ckpt",
                       help="On by default for QLoRA, as its reference script trains.")
    c = st.columns(5)
    gpus = int(c[0].number_input("GPUs", *bounds(TrainingSetup, "gpus"),
                                       min(facts.gpus, bounds(TrainingSetup, "gpus")[1]), key=k + "gpus"))
    strategy = c[1].selectbox("Strategy", options(Strategy), format_func=title, key=k + "strategy")
    offload = c[2].selectbox("CPU offload", options(Offload), key=k + "offload")
    tp = int(c[3].number_input("Tensor parallel", *bounds(TrainingSetup, "tp"), 1, key=k + "tp"))
    pp = int(c[4].number_input("Pipeline parallel", *bounds(TrainingSetup, "pp"), 1, key=k + "pp"))
    st.markdown("**Training time and cost**")
    c = st.columns(3)
    low, high = bounds(TrainingSetup, "training_tokens", float, low=0.0)  # 0: no time and cost (None)
    tokens = c[0].number_input("Training tokens (0 = no time and cost)", low, high, min(facts.training_tokens or 0.0, high),
                               format="%.3g", key=k + "tokens",
                               help="Default: the project's training examples × tokens per example × epochs.")
    mfu = c[1].number_input("MFU", *bounds(TrainingSetup, "mfu", float), facts.mfu, 0.01, key=k + "mfu",
                            help=mfu_references()["_meta"]["default_mfu_source"])
    price = c[2].number_input("USD per GPU-hour", *bounds(TrainingSetup, "price_usd_per_hour", float),
                              float(get_gpu(gpu_id).price_usd_per_hour), 0.1,
                              key=k + f"price_{gpu_id}")
    return TrainingSetup(model=model, head=head, num_labels=labels, precision=precision, method=method,
                         optimizer=optimizer, optimizer_impl=impl,
                         micro_batch=int(batch), seq_len=int(seq), target_len=target_len, attention=attention,
                         grad_checkpointing=ckpt, gpus=gpus, strategy=strategy, offload=offload, tp=tp, pp=pp,
                         gpu=gpu_id, training_tokens=float(tokens) or None, mfu=float(mfu),
                         price_usd_per_hour=float(price), **lora)


def inference_setup(model: ModelRef, k: str, gpu_id: str, facts: ProjectFacts,
                    project: Project | None = None) -> InferenceSetup:
    """The serving widgets; defaults are the Integrate stage's saved precision and GPU count (tensor parallel),
    else the project's facts."""
    shape = model.shape
    c = st.columns(6)
    formats = options(WeightFormat)
    saved = project.integrate.precision if project is not None else None
    # Integrate's saved format, else the format the checkpoint ships in, else the team's precision
    default = saved if saved in formats else shape.shipped_format or facts.weight_format
    if default == "bf16" and get_gpu(gpu_id).peak_bf16_dense_flops is None:
        default = "fp16"  # the GPU has no bf16 tensor cores (V100, T4)
    precision = c[0].selectbox("Weights", formats, format_func=title, key=k + "i_precision",
                               index=formats.index(default) if default in formats else 0,
                               help="Defaults to the format the checkpoint ships in (its quantization_config)"
                               if shape.shipped_format else None)
    batch = c[1].number_input("Concurrent sequences", *bounds(InferenceSetup, "concurrent_sequences"),
                               DEFAULT_CONCURRENT_SEQUENCES, key=k + "i_batch")
    # A default is the project's fact, within what the widget offers (the Setup's own bounds).
    prompt_default, new_default = facts.serving_lengths_for(shape.family, bounds(InferenceSetup, "prompt_tokens")[1])
    prompt = c[2].number_input("Prompt tokens", *bounds(InferenceSetup, "prompt_tokens"), prompt_default,
                               key=k + "i_prompt")
    new = c[3].number_input("New tokens", *bounds(InferenceSetup, "new_tokens"), new_default,
                            key=k + "i_new",
                            disabled=shape.family == "encoder")
    saved_gpus = project.integrate.gpu_count if project is not None else None
    if not saved_gpus and project is not None and "gpus" in facts.from_project:
        saved_gpus = facts.gpus if shape.heads % facts.gpus == 0 else None  # the team's GPUs, if they split the heads
    tp = c[4].number_input("Tensor parallel", *bounds(InferenceSetup, "tp"),
                           min(saved_gpus or 1, bounds(InferenceSetup, "tp")[1]), key=k + "i_tp",
                           help="Default: the GPUs per replica saved on the Serving page (Integrate), else the "
                                "team's GPUs (Scope).")
    attention = c[5].selectbox("Attention", options(Attention), key=k + "i_attention")
    return InferenceSetup(model=model, precision=precision, concurrent_sequences=int(batch), prompt_tokens=int(prompt),
                          new_tokens=0 if shape.family == "encoder" else int(new), tp=int(tp), attention=attention,
                          gpu=gpu_id)
