"""GPU count, strategy comparison and the classic rules of thumb, built on ``training_memory``.

``min_gpus`` finds the fewest GPUs of a kind on which a configuration fits (reserved memory + CUDA context
<= the GPU's memory). More GPUs only help when something is sharded (ZeRO/FSDP) or split (tp/pp): plain DDP
keeps a full copy per GPU, so it either fits on one GPU or on none.
"""

from __future__ import annotations

from lifecycle._typed import Result
from lifecycle.choices import Offload, Strategy, options
from lifecycle.errors import InvalidInput, LifecycleError
from lifecycle.limits import MAX_GPUS
from lifecycle.memory.breakdown import MemoryEstimate
from lifecycle.memory.distributed import STRATEGIES, STRATEGY_TITLES, offload_problem
from lifecycle.memory.estimate import training_memory
from lifecycle.memory.inference import inference_memory
from lifecycle.memory.setup import InferenceSetup, TrainingSetup
from lifecycle.models.gpus import GPU

STORE_RULE = "4 B/param to store"  # the inference row: "24 B/param rule" held 2 B/param at 16-bit there (issue 26)
# Rules of thumb users compare against (bytes per parameter), with where they come from
RULES = {
    "24 B/param rule": "4 B/param to store (fp32) + 20 B/param to train (grads, Adam states, activations) = 24 B "
                       "(\"1B parameters ≈ 24 GB\"); half that for 16-bit, a quarter for 8-bit",
    STORE_RULE: "the 24 B/param rule's first half for serving: 4 B/param to store the weights at fp32, 2 B at 16-bit, "
                "1 B at 8-bit",
    "accelerate estimate-memory": "accelerate: max(model, grads, Adam, step) = 16 B/param fp32, 8 B/param fp16/bf16 "
                                  "(src/accelerate/commands/estimate.py, after PR #2581)",
    "DeepSpeed model states": "DeepSpeed ZeRO-2 estimator, no offload: 2Ψ + 18Ψ/G (stage_1_and_2.py, after PR #5099)",
    "course slides (80 GB per 1B)": "Generative AI with LLMs, week 1: GPU RAM to train 1B parameters ≈ 80 GB at "
                                    "32-bit, 40 GB at 16-bit, 20 GB at 8-bit (so 175B → 14,000 GB, 500B → 40,000 GB)",
}
SLIDE_TRAIN_BYTES_PER_PARAM_32BIT = 80  # the slides' 80 GB for 1B parameters at 32-bit


def rule_of_thumb_bytes(params: int, *, precision: str = "amp_bf16", workload: str = "train",
                        gpus: int = 1) -> dict[str, float | None]:
    """What each classic rule predicts for this model (None where the rule has no answer)."""
    if params <= 0:
        raise InvalidInput("params must be positive.")
    bits = {"fp32": 32, "amp_bf16": 32, "amp_fp16": 32, "bf16": 16, "fp16": 16, "int8": 8, "int4": 4, "fp8": 8, "mxfp4": 4,
            "gptq4": 4}.get(precision, 16)
    if workload == "infer":
        return {STORE_RULE: 4 * params * bits / 32,  # the "store" half of the 24 B rule, not 24 B
                "accelerate estimate-memory": params * bits / 8,
                "DeepSpeed model states": None}
    half = bits < 32
    return {"24 B/param rule": 24 * params * bits / 32,
            "accelerate estimate-memory": (8 if half else 16) * params if bits >= 16 else None,
            "DeepSpeed model states": 2 * params + 18 * params / gpus,
            "course slides (80 GB per 1B)": SLIDE_TRAIN_BYTES_PER_PARAM_32BIT * params * bits / 32}


class SlideCheck(Result):
    """What the course slides' "80 GB to train 1B parameters at 32-bit" means in batch and sequence terms."""

    model_id: str
    params: int
    slide_bytes: float  # 80 B/param
    seq_len: int
    micro_batch: int | None  # the smallest micro-batch at which our fp32 estimate reaches the slide's figure
    estimate_bytes: int | None  # our allocated peak at that micro-batch
    model_states_bytes: int  # weights + grads + Adam states: the 16 B/param part that does not grow
    scale_rows: list[tuple[float, float]]  # (parameters, slide GB): the slides' 1B, 175B and 500B


def slide_rule_check(model_id: str = "tinyllama-1.1b", seq_len: int = 2048) -> SlideCheck:
    """The smallest fp32 micro-batch at which our estimate for a ~1B model reaches 80 B/param (binary search)."""
    from lifecycle.models.ref import ModelRef

    model = ModelRef.catalog(model_id)
    target = SLIDE_TRAIN_BYTES_PER_PARAM_32BIT * model.params

    def peak(batch: int) -> MemoryEstimate:
        return training_memory(TrainingSetup(model=model, precision="fp32", micro_batch=batch, seq_len=seq_len))

    lo, hi = 1, 1
    while peak(hi).peak_allocated_bytes < target and hi < 4096:
        lo, hi = hi, hi * 2
    found = peak(hi).peak_allocated_bytes >= target
    while found and lo < hi:
        mid = (lo + hi) // 2
        if peak(mid).peak_allocated_bytes >= target:
            hi = mid
        else:
            lo = mid + 1
    est = peak(hi) if found else None
    return SlideCheck(model_id=model.id, params=model.params, slide_bytes=target, seq_len=seq_len,
                      micro_batch=hi if found else None, estimate_bytes=est.peak_allocated_bytes if est else None,
                      model_states_bytes=peak(1).model_states_bytes,
                      scale_rows=[(p, SLIDE_TRAIN_BYTES_PER_PARAM_32BIT * p / 1e9) for p in (1e9, 175e9, 500e9)])


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


class StrategyRow(Result):
    """The fewest GPUs of one strategy and offload choice, and the per-GPU memory at that count."""

    strategy: Strategy
    title: str
    offload: Offload
    min_gpus: int | None
    per_gpu_allocated_bytes: int | None
    per_gpu_required_bytes: int | None
    cpu_offload_bytes: int | None


def _fits(setup: TrainingSetup, gpu: GPU, gpus: int) -> MemoryEstimate | None:
    try:  # a search: these values are produced here, not typed by a user, so no re-validation
        est = training_memory(setup.model_copy(update={"gpus": gpus}))
    except LifecycleError:
        return None
    return est if est.fits(gpu) else None


def min_gpus(setup: TrainingSetup, gpu: GPU) -> tuple[int | None, MemoryEstimate | None]:
    """Fewest GPUs (a multiple of tp·pp, at most MAX_GPUS) on which the setup fits, and its estimate."""
    unit = setup.tp * setup.pp
    if unit > MAX_GPUS:
        raise InvalidInput(f"tp × pp = {unit} is more than the {MAX_GPUS} GPUs this planner searches.")
    est = _fits(setup, gpu, unit)
    if est is not None:
        return unit, est
    if setup.strategy == "ddp":
        return None, None  # DDP replicates: more GPUs never lower per-GPU memory
    hi = unit * 2
    while hi <= MAX_GPUS and _fits(setup, gpu, hi) is None:
        hi *= 2
    if hi > MAX_GPUS:
        return None, None
    lo = hi // 2  # lo fails, hi fits: bisect on multiples of unit
    while hi - lo > unit:
        mid = (lo + hi) // 2 // unit * unit
        if mid <= lo:
            break
        if _fits(setup, gpu, mid) is None:
            lo = mid
        else:
            hi = mid
    return hi, _fits(setup, gpu, hi)


def strategy_table(setup: TrainingSetup, gpu: GPU) -> list[StrategyRow]:
    """Per strategy and offload choice: the minimum GPU count and per-GPU memory at that count."""
    rows = []
    for strategy in STRATEGIES:
        for offload in options(Offload):
            if offload_problem(strategy, offload):
                continue
            count, est = min_gpus(setup.model_copy(update={"strategy": strategy, "offload": offload}), gpu)
            rows.append(StrategyRow(strategy=strategy, title=STRATEGY_TITLES[strategy], offload=offload, min_gpus=count,
                                    per_gpu_allocated_bytes=est.peak_allocated_bytes if est else None,
                                    per_gpu_required_bytes=est.required_bytes if est else None,
                                    cpu_offload_bytes=est.cpu_offload_bytes if est else None))
    return rows


def what_would_fit(setup: TrainingSetup, gpu: GPU) -> list[str]:
    """When nothing fits: the single changes that would make it fit on tp·pp GPUs (or on a few more)."""
    ideas = []
    unit = setup.tp * setup.pp
    trials = []
    if setup.micro_batch > 1:
        trials.append((f"micro-batch 1 (keep the global batch with {setup.micro_batch}× gradient accumulation)",
                       {"micro_batch": 1}))
    if not setup.grad_checkpointing:
        trials.append(("gradient checkpointing", {"grad_checkpointing": True}))
    if setup.method == "full":
        trials.append(("LoRA (rank 16 on q, v)", {"method": "lora", "lora_rank": 16, "lora_targets": ("q", "v")}))
    if setup.method != "qlora":
        trials.append(("QLoRA (4-bit base)", {"method": "qlora"}))
    for label, change in trials:
        trial = setup.model_copy(update=change)
        if trial.method == "lora" and trial.precision in ("int8", "int4"):
            continue
        if _fits(trial, gpu, unit):
            ideas.append(label)
    combined = {"micro_batch": 1, "grad_checkpointing": True}
    for strategy, offload, tp in (("zero3", "none", 1), ("fsdp", "none", 1), ("zero3", "optimizer", 1),
                                  ("zero3", "params", 1), ("zero3", "none", 8)):
        if setup.model.shape.heads % tp:
            continue
        trial = setup.model_copy(update={**combined, "strategy": strategy, "offload": offload, "tp": tp, "pp": 1})
        count, _ = min_gpus(trial, gpu)
        if count:
            extra = ("micro-batch 1 + checkpointing + "
                     if (setup.micro_batch > 1 or not setup.grad_checkpointing) else "")
            where = f", offload {offload} to CPU" if offload != "none" else ""
            ideas.append(f"{extra}{count} GPUs with {STRATEGY_TITLES[strategy]}{where}"
                         + (f", tensor parallel {tp}" if tp > 1 else ""))
            break
    return ideas


def min_gpus_inference(setup: InferenceSetup, gpu: GPU) -> int | None:
    """The fewest GPUs (a tensor-parallel degree dividing the heads, up to 64) at which serving fits; with expert
    parallel the model spans max(tp, ep) GPUs (vLLM: EP = TP x DP)."""
    for tp in (d for d in range(1, 65) if setup.model.shape.heads % d == 0):
        if inference_memory(setup.model_copy(update={"tp": tp})).fits(gpu):
            return max(tp, setup.ep)
    return None
