"""GPU count, strategy comparison and the classic rules of thumb, built on ``training_memory``.

``min_gpus`` finds the fewest GPUs of a kind on which a configuration fits (reserved memory + CUDA context
<= the GPU's memory). More GPUs only help when something is sharded (ZeRO/FSDP) or split (tp/pp): plain DDP
keeps a full copy per GPU, so it either fits on one GPU or on none.
"""

from __future__ import annotations

from lifecycle.errors import InvalidInput, LifecycleError
from lifecycle.memory.breakdown import MemoryEstimate
from lifecycle.memory.distributed import STRATEGIES, STRATEGY_TITLES, ZERO_STAGE
from lifecycle.memory.estimate import training_memory
from lifecycle.memory.inference import inference_memory
from lifecycle.models.architecture import ModelShape

MAX_GPUS = 4096

# Rules of thumb users compare against (bytes per parameter), with where they come from
RULES = {
    "24 B/param rule": "4 B/param to store (fp32) + 20 B/param to train (grads, Adam states, activations) = 24 B "
                       "(\"1B parameters ≈ 24 GB\"); half that for 16-bit, a quarter for 8-bit",
    "accelerate estimate-memory": "accelerate: max(model, grads, Adam, step) = 16 B/param fp32, 8 B/param fp16/bf16 "
                                  "(src/accelerate/commands/estimate.py, after PR #2581)",
    "DeepSpeed model states": "DeepSpeed ZeRO-2 estimator, no offload: 2Ψ + 18Ψ/G (stage_1_and_2.py, after PR #5099)",
}


def rule_of_thumb_bytes(params: int, *, precision: str = "amp_bf16", workload: str = "train",
                        gpus: int = 1) -> dict[str, float | None]:
    """What each classic rule predicts for this model (None where the rule has no answer)."""
    if params <= 0:
        raise InvalidInput("params must be positive.")
    bits = {"fp32": 32, "amp_bf16": 32, "amp_fp16": 32, "bf16": 16, "fp16": 16, "int8": 8, "int4": 4}.get(precision, 16)
    if workload == "infer":
        return {"24 B/param rule": 4 * params * bits / 32,  # the "store" half of the rule
                "accelerate estimate-memory": params * bits / 8,
                "DeepSpeed model states": None}
    half = bits < 32
    return {"24 B/param rule": 24 * params * bits / 32,
            "accelerate estimate-memory": (8 if half else 16) * params if bits >= 16 else None,
            "DeepSpeed model states": 2 * params + 18 * params / gpus}


def why_rules_differ(estimate: MemoryEstimate, params: int) -> str:
    """One sentence on what the rule of thumb misses for this configuration."""
    comps = estimate.components
    dynamic = sum(v for k, v in comps.items() if k in ("activations", "attention scores", "logits and loss",
                                                      "checkpointed block inputs", "recomputed block", "KV cache",
                                                      "embeddings and head"))
    share = dynamic / max(estimate.peak_allocated_bytes, 1)
    rule = 24 * params
    if estimate.trainable_params and estimate.trainable_params < params:
        return (f"The rule prices every parameter as trainable; LoRA trains {estimate.trainable_params / params:.2%} of them, "
                f"so gradients and optimizer states almost vanish while activations ({share:.0%} of the peak) remain.")
    if share > 0.3:
        return (f"The rule counts model states only; here activations, logits and attention buffers are {share:.0%} of the "
                f"peak, and they grow with micro-batch × sequence length, which the rule never sees.")
    if estimate.peak_allocated_bytes < rule:
        return ("The rule's 20 B/param of training overhead assumes a generous activation budget; this configuration "
                "keeps few activations, so the model states dominate and the peak is below the rule.")
    return "Model states dominate this configuration, so the rule is close; the remainder is activations and buffers."


def _fits(shape: ModelShape, gpu, gpus: int, kwargs: dict) -> MemoryEstimate | None:
    try:
        est = training_memory(shape, gpus=gpus, **kwargs)
    except LifecycleError:
        return None
    return est if est.fits(gpu) else None


def min_gpus(shape: ModelShape, gpu, **kwargs) -> tuple[int | None, MemoryEstimate | None]:
    """Fewest GPUs (a multiple of tp·pp, at most MAX_GPUS) on which the configuration fits, and its estimate."""
    kwargs.pop("gpus", None)
    for knob in ("tp", "pp"):
        value = kwargs.get(knob, 1)
        if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= MAX_GPUS:
            raise InvalidInput(f"{knob} must be a whole number from 1 to {MAX_GPUS}, not {value!r}.")
    unit = kwargs.get("tp", 1) * kwargs.get("pp", 1)
    if unit > MAX_GPUS:
        raise InvalidInput(f"tp × pp = {unit} is more than the {MAX_GPUS} GPUs this planner searches.")
    strategy = kwargs.get("strategy", "ddp")
    est = _fits(shape, gpu, unit, kwargs)
    if est is not None:
        return unit, est
    if strategy == "ddp":
        return None, None  # DDP replicates: more GPUs never lower per-GPU memory
    hi = unit * 2
    while hi <= MAX_GPUS and _fits(shape, gpu, hi, kwargs) is None:
        hi *= 2
    if hi > MAX_GPUS:
        return None, None
    lo = hi // 2  # lo fails, hi fits: bisect on multiples of unit
    while hi - lo > unit:
        mid = (lo + hi) // 2 // unit * unit
        if mid <= lo:
            break
        if _fits(shape, gpu, mid, kwargs) is None:
            lo = mid
        else:
            hi = mid
    return hi, _fits(shape, gpu, hi, kwargs)


def strategy_table(shape: ModelShape, gpu, **kwargs) -> list[dict]:
    """Per strategy and offload choice: the minimum GPU count and per-GPU memory at that count."""
    rows = []
    base = {k: v for k, v in kwargs.items() if k not in ("strategy", "offload", "gpus")}
    for strategy in STRATEGIES:
        for offload in ("none", "optimizer", "params"):
            if offload != "none" and strategy == "ddp":
                continue
            if offload == "params" and ZERO_STAGE[strategy] < 3:
                continue
            count, est = min_gpus(shape, gpu, strategy=strategy, offload=offload, **base)
            rows.append({"strategy": strategy, "title": STRATEGY_TITLES[strategy], "offload": offload,
                         "min_gpus": count,
                         "per_gpu_allocated_bytes": est.peak_allocated_bytes if est else None,
                         "per_gpu_required_bytes": est.required_bytes if est else None,
                         "cpu_offload_bytes": est.cpu_offload_bytes if est else None})
    return rows


def what_would_fit(shape: ModelShape, gpu, **kwargs) -> list[str]:
    """When nothing fits: the single changes that would make it fit on one GPU (or on a few)."""
    ideas = []
    kwargs = {k: v for k, v in kwargs.items() if k != "gpus"}
    batch = kwargs.get("batch", 1)
    trials = []
    if batch > 1:
        trials.append((f"micro-batch 1 (keep the global batch with {batch}× gradient accumulation)", {"batch": 1}))
    if not kwargs.get("grad_checkpointing"):
        trials.append(("gradient checkpointing", {"grad_checkpointing": True}))
    if kwargs.get("method", "full") == "full":
        trials.append(("LoRA (rank 16 on q, v)", {"method": "lora", "lora_rank": 16}))
    if kwargs.get("method", "full") != "qlora":
        trials.append(("QLoRA (4-bit base)", {"method": "qlora", "lora_rank": kwargs.get("lora_rank", 16)}))
    for label, change in trials:
        trial = {**kwargs, **change}
        if trial.get("method") == "lora" and trial.get("precision") in ("int8", "int4"):
            continue
        if _fits(shape, gpu, kwargs.get("tp", 1) * kwargs.get("pp", 1), trial):
            ideas.append(label)
    combined = {**kwargs, "batch": 1, "grad_checkpointing": True}
    for strategy, offload, tp in (("zero3", "none", 1), ("fsdp", "none", 1), ("zero3", "optimizer", 1),
                                  ("zero3", "params", 1), ("zero3", "none", 8)):
        trial = {**combined, "strategy": strategy, "offload": offload, "tp": tp, "pp": 1}
        count, _ = min_gpus(shape, gpu, **trial)
        if count:
            extra = ("micro-batch 1 + checkpointing + " if (batch > 1 or not kwargs.get("grad_checkpointing")) else "")
            where = f", offload {offload} to CPU" if offload != "none" else ""
            ideas.append(f"{extra}{count} GPUs with {STRATEGY_TITLES[strategy]}{where}" + (f", tensor parallel {tp}" if tp > 1 else ""))
            break
    return ideas


def min_gpus_inference(shape: ModelShape, gpu, **kwargs) -> int | None:
    """The smallest tensor-parallel degree (a divisor of the heads, up to 64) at which serving fits."""
    kwargs.pop("tp", None)
    for tp in (d for d in range(1, 65) if shape.heads % d == 0):
        if inference_memory(shape, tp=tp, **kwargs).fits(gpu):
            return tp
    return None
