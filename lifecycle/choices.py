"""One vocabulary per choice, defined once: the Literal types the Setups validate against, the argparse
``choices`` and the widgets' options all come from here, each with the title a person reads.

``options(Method)`` lists a Literal's values in order; ``TITLES[value]`` is how a value reads on screen.
"""

from __future__ import annotations

from typing import Literal, get_args

# Training: how weights, gradients and optimizer states are stored. "amp_*" keep fp32 master weights and run the
# matmuls in 16 bits, as each strategy does it (autocast on one GPU / DDP, FSDP's MixedPrecisionPolicy, DeepSpeed's
# bf16/fp16 engine: memory.precision.mixed_precision_policy); "bf16"/"fp16" store everything in 16 bits; int8/int4
# are quantised frozen bases for LoRA (int8) and QLoRA (int4).
TrainPrecision = Literal["amp_bf16", "amp_fp16", "fp32", "bf16", "fp16", "fp8", "int8", "int4"]
# Inference and serving: the format the weights are loaded in (fp8, mxfp4, gptq4: checkpoints shipped quantized,
# lifecycle/models/quantized.py).
WeightFormat = Literal["bf16", "fp16", "fp32", "int8", "int4", "fp8", "mxfp4", "gptq4"]
# KV cache storage (vLLM kv_cache_dtype): the compute dtype, or FP8 (one byte per value)
KvCacheDtype = Literal["auto", "fp8"]
Method = Literal["full", "lora", "qlora"]
Optimizer = Literal["adamw", "sgd", "adamw_8bit", "paged_adamw_32bit", "paged_adamw_8bit", "adafactor"]
# the output head a fine-tune trains: LM (next token), MLM, sequence or token classification
TrainingHead = Literal["lm", "mlm", "seq-cls", "token-cls"]
# dtype of LoRA adapters (and so of their gradients)
AdapterDtype = Literal["fp32", "bf16"]
OptimizerImpl = Literal["foreach", "fused"]
Attention = Literal["sdpa", "eager"]
Strategy = Literal["ddp", "zero1", "zero2", "zero3", "fsdp", "fsdp_hybrid"]
Offload = Literal["none", "optimizer", "params"]
# what a tensor-parallel rank holds: PyTorch's DTensor plan (torchtitan) or Megatron-LM's vocabulary-parallel loss
TpPlan = Literal["dtensor", "megatron"]
# the network between nodes (data/interconnects.json), per GPU
Network = Literal["ib-ndr", "ib-hdr", "ib-edr", "efa-p5", "efa-p4d", "roce-400", "eth-100"]
LoraTarget = Literal["q", "k", "v", "o", "gate", "up", "down"]
Workload = Literal["train", "infer"]
BudgetUnit = Literal["FLOPs", "PF-days", "GPU-hours", "USD"]
ScalingChart = Literal["loss", "allocation", "isoflop", "table_d1"]
DataAvailable = Literal["none", "few", "thousands", "billions"]

TITLES: dict[str, str] = {
    # precisions and weight formats
    "amp_bf16": "mixed bf16 (fp32 master weights, bf16 matmuls: autocast, FSDP MixedPrecision, DeepSpeed bf16)",
    "amp_fp16": "mixed fp16 (fp32 master weights, fp16 matmuls)",
    "fp32": "fp32", "bf16": "bf16", "fp16": "fp16",
    "int8": "int8 (LLM.int8)", "int4": "int4 (NF4)",
    # fp8 is both a training precision (Transformer Engine / torchao float8 matmuls, bf16 mixed precision
    # elsewhere; Hopper, Ada, Blackwell: memory.fp8) and a served weight format (E4M3 with block scales)
    "auto": "model dtype (auto)", "fp8": "FP8 (E4M3: float8 matmuls in training, block-scaled weights served)",
    "mxfp4": "MXFP4",
    "gptq4": "GPTQ / AWQ 4-bit",
    # output heads
    "lm": "language model (next token)", "seq-cls": "sequence classification", "token-cls": "token classification", "mlm": "masked LM",
    # methods
    "full": "full fine-tuning / pre-training", "lora": "LoRA", "qlora": "QLoRA (4-bit base)",
    # optimizers
    "adamw": "AdamW", "sgd": "SGD + momentum", "adamw_8bit": "8-bit AdamW (bitsandbytes)",
    "paged_adamw_32bit": "paged AdamW 32-bit (bitsandbytes, QLoRA)", "paged_adamw_8bit": "paged 8-bit AdamW (bitsandbytes)",
    "adafactor": "Adafactor",
    "foreach": "foreach (torch default: one extra copy during the step)", "fused": "fused",
    # attention kernels
    "sdpa": "memory-efficient / flash (sdpa)", "eager": "eager (s×s scores)",
    # strategies and offload
    "ddp": "DDP", "zero1": "ZeRO-1", "zero2": "ZeRO-2", "zero3": "ZeRO-3", "fsdp": "FSDP (full shard)",
    "fsdp_hybrid": "FSDP (hybrid shard)", "none": "none", "optimizer": "optimizer states", "params": "parameters",
    "dtensor": "PyTorch DTensor plan (torchtitan: full-vocabulary loss buffers, gathered inputs saved)",
    "megatron": "Megatron-LM (vocabulary-parallel cross-entropy, sequence-parallel inputs saved sharded)",
    # networks between nodes
    "ib-ndr": "InfiniBand NDR (400 Gb/s per GPU)", "ib-hdr": "InfiniBand HDR (200 Gb/s per GPU)",
    "ib-edr": "InfiniBand EDR (100 Gb/s per 2 GPUs)", "efa-p5": "AWS EFA, p5 (3,200 Gb/s per node)",
    "efa-p4d": "AWS EFA, p4d (400 Gb/s per node)", "roce-400": "RoCE 400 GbE per GPU",
    "eth-100": "100 Gb Ethernet per node",
    # workloads and charts
    "train": "Train / fine-tune", "infer": "Serve (inference)",
    "loss": "Loss vs compute (frontier)", "allocation": "N_opt and D_opt vs compute",
    "isoflop": "Iso-FLOP curves", "table_d1": "GPT-3 Table D.1 (PF-days)",
}
# Data-availability answers read differently from the other "none"
DATA_TITLES: dict[str, str] = {"none": "None yet", "few": "A few examples (prompting)",
                               "thousands": "Thousands of labelled examples",
                               "billions": "Billions of tokens of in-domain text"}


def options(choice) -> tuple[str, ...]:
    """The values of a Literal choice, in the order they are offered."""
    return tuple(get_args(choice))


# Shorter words for the same values where a sentence carries them (report summaries, table cells).
SHORT_TITLES: dict[str, str] = {"amp_bf16": "mixed bf16", "amp_fp16": "mixed fp16", "full": "full fine-tuning",
                                "int8": "int8", "int4": "int4 (NF4)", "seq-cls": "sequence classification",
                                "token-cls": "token classification", "lm": "language model"}


def title(value: str) -> str:
    return TITLES.get(value, value)


def short_title(value: str) -> str:
    """The value in a few words (``title`` where no shorter form is needed)."""
    return SHORT_TITLES.get(value, title(value))


def weight_format(precision: str) -> str:
    """The weight format that serves a model trained at ``precision`` (mixed precision serves in 16 bits)."""
    return {"amp_bf16": "bf16", "amp_fp16": "fp16"}.get(precision, precision)  # fp8 trains and serves in fp8


def compute_precision(precision: str) -> str:
    """The tensor-core precision that does the matmuls, for ``GPU.peak_flops``: fp32, bf16, fp16, or "half"
    (the chip's 16-bit format: bf16 where it has it, else fp16) for quantised weights, which are dequantised
    to 16 bits for the matmuls (bitsandbytes)."""
    # weight-only kernels dequantise to 16 bits; FP8 training is counted against the 16-bit peak too (its speed-up
    # is memory.fp8.effective_mfu), and only chips with bf16 train in FP8, so "half" is bf16 there
    if precision in ("int8", "int4", "fp8", "mxfp4", "gptq4"):
        return "half"
    if precision == "fp32":
        return "fp32"
    return "fp16" if "fp16" in precision else "bf16"  # fp8: counted against the bf16 peak (memory.fp8)
