"""Will it fit? One model on the team's GPU: weight formats × workloads on one screen.

Formats: the planner's own (fp32, bf16, int8, int4/NF4), the formats checkpoints ship in (FP8, MXFP4, GPTQ/AWQ
4-bit; the model's own ``quantization_config`` first, marked "as shipped") and llama.cpp's GGUF files. Bits per
weight come from the block layouts (lifecycle/models/quantized.py). The _M GGUF mixes (Q5_K_M, Q4_K_M) keep about
half of the attention-V and FFN-down tensors at Q6_K (llama.cpp PR #1684), so their size is a little above the
block figure shown. Embeddings and norms stay in 16 bits.

Workloads: inference at a short and a long context (one sequence), LoRA (16-bit or 8-bit base), QLoRA (NF4 base)
and full fine-tuning (mixed precision AdamW, FSDP beyond one GPU). Inference speed is the batch-1 decode step of
each format from the bytes it reads — weights at the format's size (for a mixture of experts, only the experts the
token is routed to), the KV cache, over bandwidth, plus the engine's per-layer overhead (Pope et al. 2022 §2) —
never another format's step rescaled. A 4-bit kernel that falls short of its bytes' ideal speed-up reads as its
cited benchmark says (bitsandbytes NF4 vs Marlin GPTQ/AWQ: data/serving_engines.json ``weight_kernels``).
"""

from __future__ import annotations

from functools import lru_cache

from pydantic import Field

from lifecycle._typed import Result, Setup
from lifecycle.errors import LifecycleError
from lifecycle.memory.inference import inference_weight_bytes
from lifecycle.memory.plan import inference_plan, training_plan
from lifecycle.memory.setup import InferenceSetup, TrainingSetup
from lifecycle.models.architecture import ModelShape, flop_parameter_count
from lifecycle.models.gpus import get_gpu
from lifecycle.models.quantized import FORMAT_BITS, format_weight_bytes
from lifecycle.models.ref import ModelRef

# format id -> (title, bits per weight of a download-only format or None when the planner serves it, precision the
# memory planner sizes it with)
FORMATS: dict[str, tuple[str, float | None, str]] = {
    "fp32": ("fp32", None, "fp32"),
    "bf16": ("bf16", None, "bf16"),
    "fp8": ("FP8 (E4M3, 128×128 block scales)", None, "fp8"),
    "int8": ("int8 (LLM.int8)", None, "int8"),
    "mxfp4": ("MXFP4 (4.25 bits)", None, "mxfp4"),
    "int4": ("int4 (NF4, bitsandbytes)", None, "int4"),
    "gptq4": ("GPTQ / AWQ 4-bit, group 128", None, "gptq4"),
    "q8_0": ("GGUF Q8_0", FORMAT_BITS["q8_0"], "bf16"),
    "q6_k": ("GGUF Q6_K", FORMAT_BITS["q6_k"], "bf16"),
    "q5_k_m": ("GGUF Q5_K_M (Q5_K blocks)", FORMAT_BITS["q5_k_m"], "bf16"),
    "q4_k_m": ("GGUF Q4_K_M (Q4_K blocks)", FORMAT_BITS["q4_k_m"], "bf16"),
}
WORKLOADS = {"infer_short": "inference, short context", "infer_long": "inference, long context",
             "lora": "LoRA fine-tuning", "qlora": "QLoRA fine-tuning", "full": "full fine-tuning"}
NEW_TOKENS = 256
MAX_LONG_CONTEXT = 131_072


class FitSetup(Setup):
    model: ModelRef
    gpu: str = Field("h100-80gb", min_length=1, max_length=64)
    short_context: int = Field(2048, ge=1, le=MAX_LONG_CONTEXT)  # a decoder's prompt + output; an encoder's input
    long_context: int | None = Field(None, ge=1, le=MAX_LONG_CONTEXT)  # None: the model's window
    lora_rank: int = Field(16, ge=1, le=4096)
    new_tokens: int = Field(NEW_TOKENS, ge=0, le=MAX_LONG_CONTEXT)  # generated per request (an encoder: none)


class FitCell(Result):
    format: str
    workload: str
    per_gpu_bytes: int | None = None  # on one GPU (None: the combination does not apply)
    fits: bool | None = None
    gpus: int | None = None  # fewest GPUs it fits on (tensor parallel to serve, FSDP to train); None: none tried
    tokens_per_s: float | None = None  # batch-1 decode (inference only)
    note: str = ""


class FitMatrix(Result):
    model_id: str
    gpu_id: str
    gpu_memory_bytes: int
    short_context: int
    long_context: int
    formats: dict[str, str]  # id -> title ("as shipped" on the checkpoint's own format, listed first)
    bits_per_weight: dict[str, float | None]
    shipped_format: str = ""  # the format the checkpoint ships in ("" for 16-bit weights)
    workloads: dict[str, str]
    cells: list[FitCell]

    def cell(self, fmt: str, workload: str) -> FitCell:
        return next(c for c in self.cells if c.format == fmt and c.workload == workload)


def batch1_decode_tokens_per_s(shape: ModelShape, fmt: str, gpu, *, gpus: int, context: int) -> float:
    """One sequence's decode speed in ``fmt`` at ``context`` tokens: the serving model's decode step (the default
    engine's measured bandwidth efficiency and per-layer overhead) over the bytes this format reads."""
    from lifecycle.serving.plan import DEFAULT_ENGINE, decode_step, get_engine

    eng = get_engine(DEFAULT_ENGINE)
    step = decode_step(shape, flop_parameter_count(shape), fmt, gpu, batch=1, context=context, tp=gpus,
                       bandwidth_efficiency=eng.bandwidth_efficiency, per_layer_overhead_s=eng.per_layer_overhead_s,
                       utilisation=eng.prefill_utilisation)
    return 1 / step.seconds


def _inference_cell(setup: FitSetup, fmt: str, workload: str, context: int) -> FitCell:
    _, bits, precision = FORMATS[fmt]
    gpu = get_gpu(setup.gpu)
    prompt, new = request_lengths(setup, context)
    base = InferenceSetup(model=setup.model, precision=precision, concurrent_sequences=1,
                          prompt_tokens=prompt, new_tokens=new, gpu=gpu.id)
    plan = inference_plan(base)
    extra = 0 if bits is None else format_weight_bytes(setup.model.shape, fmt) - inference_weight_bytes(
        setup.model.shape, precision)
    need = plan.estimate.required_bytes + extra
    gpus = plan.min_gpus if bits is None else _fewest_tp(setup, base, gpu, extra)
    speed = None
    if gpus and new:  # an encoder generates no tokens: no tokens/s to show
        try:  # the mean context of the generated tokens
            speed = batch1_decode_tokens_per_s(setup.model.shape, fmt, gpu, gpus=gpus, context=prompt + new // 2)
        except LifecycleError as exc:
            return FitCell(format=fmt, workload=workload, per_gpu_bytes=need, fits=need <= gpu.memory_bytes,
                           gpus=gpus, note=str(exc))
    return FitCell(format=fmt, workload=workload, per_gpu_bytes=need, fits=need <= gpu.memory_bytes, gpus=gpus,
                   tokens_per_s=speed)


def request_lengths(setup: FitSetup, context: int) -> tuple[int, int]:
    """(prompt, new tokens) of one request at ``context``: a decoder's prompt and output share the context; an
    encoder reads ``context`` tokens and writes none; an encoder-decoder reads ``context`` and writes its output
    in its own decoder."""
    family = setup.model.family
    if family == "encoder":
        return context, 0
    if family == "encoder-decoder":
        return context, setup.new_tokens
    new = min(setup.new_tokens, context - 1)
    return context - new, new


def _fewest_tp(setup: FitSetup, base: InferenceSetup, gpu, extra: int) -> int | None:
    heads = setup.model.shape.heads
    for tp in (d for d in range(1, 65) if heads % d == 0):
        est = inference_plan(base.model_copy(update={"tp": tp})).estimate
        if est.required_bytes + extra // tp <= gpu.memory_bytes:
            return tp
    return None


def _training_cell(setup: FitSetup, fmt: str, workload: str) -> FitCell:
    method = {"lora": "lora", "qlora": "qlora", "full": "full"}[workload]
    precision = {("full", "fp32"): "fp32", ("full", "bf16"): "amp_bf16", ("lora", "fp32"): "fp32",
                 ("lora", "bf16"): "bf16", ("lora", "int8"): "int8", ("qlora", "int4"): "int4"}.get((method, fmt))
    if precision is None:
        why = ("QLoRA trains on an NF4 base: see the int4 row" if method == "qlora" else
               "download formats are for inference" if FORMATS[fmt][1] is not None else
               "training is sized on a bf16, int8 or NF4 base (dequantise the checkpoint first)"
               if fmt in ("fp8", "mxfp4", "gptq4") else
               "full training needs 16- or 32-bit weights" if method == "full" else "LoRA on a 4-bit base is QLoRA")
        return FitCell(format=fmt, workload=workload, note=why)
    gpu = get_gpu(setup.gpu)
    plan = training_plan(TrainingSetup(
        model=setup.model, method=method, precision=precision, lora_rank=setup.lora_rank, lora_targets="all",
        micro_batch=1, seq_len=min(setup.short_context, setup.model.max_context), grad_checkpointing=True,
        target_len=max(1, min(setup.new_tokens, setup.model.max_context))
        if setup.model.family == "encoder-decoder" else None,
        strategy="fsdp" if method == "full" else "ddp",
        optimizer="paged_adamw_32bit" if method == "qlora" else "adamw", gpu=gpu.id))
    return FitCell(format=fmt, workload=workload, per_gpu_bytes=plan.estimate.required_bytes, fits=plan.fits,
                   gpus=plan.min_gpus)


@lru_cache(maxsize=64)
def fit_matrix(setup: FitSetup) -> FitMatrix:
    """Per-GPU memory, fits / fewest GPUs and batch-1 tokens/s for every format × workload of one model."""
    gpu = get_gpu(setup.gpu)
    long_ctx = min(setup.long_context or setup.model.max_context, setup.model.max_context, MAX_LONG_CONTEXT)
    short_ctx = min(setup.short_context, long_ctx)
    cells = []
    shipped = setup.model.shipped_format
    order = [shipped] + [f for f in FORMATS if f != shipped] if shipped else list(FORMATS)
    for fmt in order:
        for workload in WORKLOADS:
            if workload.startswith("infer"):  # an encoder's rows are one forward pass over its input
                ctx = short_ctx if workload == "infer_short" else long_ctx
                cells.append(_inference_cell(setup, fmt, workload, max(ctx, 2)))
            else:
                cells.append(_training_cell(setup, fmt, workload))
    return FitMatrix(model_id=setup.model.id, gpu_id=gpu.id, gpu_memory_bytes=gpu.memory_bytes,
                     short_context=short_ctx, long_context=long_ctx,
                     formats={k: FORMATS[k][0] + (" — as shipped" if k == shipped else "") for k in order},
                     bits_per_weight={k: FORMAT_BITS.get(k) for k in order}, shipped_format=shipped,
                     workloads=dict(WORKLOADS), cells=cells)
