"""Adaptation path: prompting → LoRA/QLoRA → full fine-tuning → alignment (DPO or RLHF with PPO).

For each option: labelled examples, GPUs (memory from ``lifecycle.memory.estimate``: PPO holds a trained
policy and value model plus a frozen reference and reward model), time and cost (FLOPs at a
model-FLOPs utilisation, ``lifecycle.scaling.compute``), and risk. The recommendation reads the project's
Scope answers (data available, quality bar, tasks, domain, budget, constraints).
Training FLOPs per token: 6·N full (Kaplan et al. 2020 §2.1); 4·N with a frozen base (LoRA/QLoRA:
forward 2·N plus the backward pass through the activations, no weight gradients — Hu et al. 2021 §4.2).
"""

from __future__ import annotations

import json
from functools import lru_cache

from pydantic import BaseModel

from lifecycle._lookup import find_by_id
from lifecycle.errors import InvalidInput, NotFound
from lifecycle.memory.breakdown import MemoryEstimate
from lifecycle.memory.estimate import training_memory
from lifecycle.memory.gpu_count import min_gpus, what_would_fit
from lifecycle.memory.inference import inference_memory
from lifecycle.memory.setup import InferenceSetup, TrainingSetup
from lifecycle.models.gpus import GPU, get_gpu
from lifecycle.models.ref import ModelRef
from lifecycle.resources import data_path
from lifecycle.scaling.compute import (
    DEFAULT_MFU,
    training_flops_params,
    training_flops_per_param_token,
    training_time_and_cost,
)

DATA_FILE = data_path("adaptation.json")
GPU_COUNTS = (1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024)
ALIGNMENT_WORDS = ("safe", "harmless", "helpful", "tone", "brand", "preference", "align", "polite", "toxic", "human")
# InstructGPT's three data sets (Ouyang et al. 2022 §3.2): demonstrations, comparison prompts, PPO prompts.
RLHF_SFT_EXAMPLES, RLHF_RM_COMPARISONS = 13_000, 33_000


class AdaptationOption(BaseModel):
    id: str
    name: str
    order: int
    trains: bool
    method: str | None = None
    flops_per_param_token: float | None = None
    examples_typical: int
    examples_text: str
    examples_source: str
    when: str
    risk_level: str
    risk: str
    risk_source: str


@lru_cache(maxsize=1)
def list_options() -> list[AdaptationOption]:
    rows = json.loads(DATA_FILE.read_text(encoding="utf-8"))["options"]
    return sorted((AdaptationOption(**r) for r in rows), key=lambda o: o.order)


def get_option(option_id: str) -> AdaptationOption:
    return find_by_id({o.id: o for o in list_options()}, option_id, "adaptation option")


class Sizing(BaseModel):
    """What one option needs on a given GPU type."""

    option: str
    examples: int
    gpus: int  # 0 when it does not fit even on the largest count tried
    per_gpu_bytes: dict[str, int]  # model role -> reserved bytes per GPU at that count
    required_bytes_per_gpu: int
    flops: float
    seconds: float
    gpu_hours: float
    cost_usd: float
    seq: int = 0  # the training sequence length sized
    truncated_from: int | None = None  # the requested length, when the model's window is shorter
    micro_batch: int = 1  # the micro-batch sized (the largest tried that fits, as Memory & GPUs would find it)
    grad_checkpointing: bool = True  # whether it needs gradient checkpointing to fit
    strategy: str = "zero3"  # how the trained model is spread beyond one GPU
    run_gpus: int = 0  # the GPUs the time and cost are for: the team's, when it fits on them, else the fewest
    team_gpus: int | None = None  # the GPUs the team has (None: not stated)
    would_fit: list[str] = []  # when it does not fit (on the team's GPUs): the changes that would make it fit

    @property
    def fits(self) -> bool:
        """Fits somewhere and, when the team said how many GPUs it has, on those."""
        return self.gpus > 0 and (self.team_gpus is None or self.gpus <= self.team_gpus)


def _frozen(model: ModelRef, g: int, seq: int, batch: int) -> MemoryEstimate:
    """A frozen bf16 copy (reference or reward model), split by the largest tensor-parallel degree ≤ g
    that the model's heads allow."""
    tp = g
    while tp > 1 and model.shape.heads % tp:
        tp //= 2
    return inference_memory(InferenceSetup(model=model, precision="bf16", concurrent_sequences=batch,
                                           prompt_tokens=seq, tp=tp))


def role_estimates(option_id: str, model: ModelRef, g: int, *, seq: int, batch: int,
                   grad_checkpointing: bool) -> dict[str, MemoryEstimate]:
    """Per-GPU memory of each model an option keeps on the GPUs, at g GPUs (ZeRO-3 beyond one GPU)."""
    base = TrainingSetup(model=model, micro_batch=batch, seq_len=seq, grad_checkpointing=grad_checkpointing, gpus=g,
                         strategy="ddp" if g == 1 else "zero3", precision="amp_bf16")
    if option_id == "prompting":
        return {"model (inference)": _frozen(model, g, seq, batch)}
    if option_id in ("lora", "qlora"):
        return {"policy (LoRA)": training_memory(base.vary(precision="bf16" if option_id == "lora" else "int4",
                                                           method=option_id))}
    policy = training_memory(base)
    if option_id == "full":
        return {"model (training)": policy}
    if option_id == "dpo":  # chosen and rejected answers pass through both models
        return {"policy (training)": training_memory(base.vary(micro_batch=2 * batch)),
                "reference (frozen)": _frozen(model, g, seq, 2 * batch)}
    if option_id == "rlhf":  # PPO phase: InstructGPT §3.5, reward/value initialised from the same size here
        return {"policy (training)": policy, "value (training)": policy,
                "reference (frozen)": _frozen(model, g, seq, batch), "reward (frozen)": _frozen(model, g, seq, batch)}
    raise NotFound(f"Unknown adaptation option {option_id!r}.")


def required_bytes(estimates: dict[str, MemoryEstimate]) -> int:
    """All models share the GPUs: reserved memory adds up; the CUDA context is paid once per GPU."""
    if not estimates:
        return 0
    return sum(e.peak_reserved_bytes for e in estimates.values()) + max(e.cuda_context_bytes for e in estimates.values())


def option_flops(option_id: str, params: int, examples: int, seq: int, epochs: float, response_tokens: int) -> float:
    """Model FLOPs of one option (0 for prompting), on ``params`` = ``training_flops_params(shape)`` (a mixture's
    active parameters); LoRA, QLoRA and full fine-tuning per token as the memory planner prices them
    (``training_flops_per_param_token``). Recomputation is hardware FLOPs, not model FLOPs: MFU (and so time)
    counts the model's (PaLM App. B)."""
    o = get_option(option_id)
    if not o.trains:
        return 0.0
    if option_id == "rlhf":
        # SFT (6N) on demonstrations, reward model (6N, two answers per comparison), then PPO per prompt:
        # rollout + reference + reward + value forwards (4 × 2N) and policy + value updates (2 × 6N) = 20N.
        sft = 6 * params * RLHF_SFT_EXAMPLES * seq
        rm = 6 * params * 2 * RLHF_RM_COMPARISONS * seq
        ppo = 20 * params * examples * (seq + response_tokens)
        return (sft + rm + ppo) * epochs
    # DPO: policy fwd+bwd (6N) and reference fwd (2N) on the chosen and the rejected answer: 16N per pair token.
    per_token = (o.flops_per_param_token if option_id == "dpo"
                 else training_flops_per_param_token(o.method))
    return per_token * params * examples * seq * epochs


def single_model_setup(option_id: str, model: ModelRef, gpu: GPU, *, seq: int, batch: int, precision: str,
                       grad_checkpointing: bool, target_len: int | None = None, head: str | None = None,
                       num_labels: int = 2) -> TrainingSetup:
    """The Memory & GPUs setup of a LoRA, QLoRA or full fine-tune: the team's precision, ZeRO-3 beyond one GPU."""
    method = get_option(option_id).method
    if method == "full" and precision in ("int8", "int4"):
        precision = "amp_bf16" if gpu.peak_bf16_dense_flops else "amp_fp16"
    if method == "lora" and precision == "int4":
        precision = "int8"
    return TrainingSetup(model=model, method=method, precision=precision, micro_batch=batch, seq_len=seq,
                         target_len=target_len if model.family == "encoder-decoder" else None,
                         grad_checkpointing=grad_checkpointing, strategy="zero3", gpu=gpu.id, head=head,
                         num_labels=num_labels)


def fitting_setup(base: TrainingSetup, gpu: GPU, team_gpus: int | None, *, checkpointing: bool | None = None
                  ) -> tuple[TrainingSetup, int | None]:
    """The micro-batch and checkpointing that fit, tried as Memory & GPUs suggests them (the micro-batch as set,
    then checkpointing, then micro-batch 1 with checkpointing), and the fewest GPUs (``min_gpus``, the function
    behind Memory & GPUs' count). The first try that fits on the team's GPUs wins; else the try with the fewest."""
    tries = [(base.micro_batch, False), (base.micro_batch, True), (1, True)]
    if checkpointing is not None:  # fixed by the caller: only the micro-batch is searched
        tries = [(base.micro_batch, checkpointing), (1, checkpointing)]
    best: tuple[TrainingSetup, int | None] = (base.model_copy(update={"grad_checkpointing": tries[0][1]}), None)
    for batch, ckpt in dict.fromkeys(tries):
        trial = base.model_copy(update={"micro_batch": batch, "grad_checkpointing": ckpt})
        count, _ = min_gpus(trial, gpu)
        if count is None:
            continue
        if team_gpus is not None and count <= team_gpus:
            return trial, count
        if best[1] is None or count < best[1]:
            best = (trial, count)
    return best


def size_option(
    option_id: str, model, gpu: GPU | str, *, examples: int | None = None, seq: int = 1024, batch: int = 4,
    epochs: float = 1.0, response_tokens: int = 256, grad_checkpointing: bool | None = None, mfu: float = DEFAULT_MFU,
    price_usd_per_hour: float | None = None, precision: str = "amp_bf16", gpus: int | None = None,
    tokens_per_example: int | None = None, target_len: int | None = None, head: str | None = None,
    num_labels: int = 2,
) -> Sizing:
    """GPUs, time and cost of one option for a model on one GPU type. ``gpus``: the GPUs the team has (time and
    cost are on those when the option fits on them); ``tokens_per_example``: the tokens trained per example when
    the project states them (else ``seq``); ``grad_checkpointing`` None: the search decides."""
    m = ModelRef.catalog(model) if isinstance(model, str) else model if isinstance(model, ModelRef) else ModelRef.of(model)
    g_type = gpu if isinstance(gpu, GPU) else get_gpu(gpu)
    opt = get_option(option_id)
    examples = opt.examples_typical if examples is None else int(examples)
    if examples < 0 or seq < 1 or batch < 1 or epochs <= 0 or (gpus is not None and gpus < 1):
        raise InvalidInput("Examples must be ≥ 0, sequence length, batch and GPUs ≥ 1, epochs > 0.")
    requested = seq
    seq = min(seq, m.shape.max_context)  # sized at the window; the result says what was cut
    target = None if target_len is None else min(target_len, m.shape.max_context)
    would_fit: list[str] = []
    if opt.method is not None and option_id in ("lora", "qlora", "full"):
        base = single_model_setup(option_id, m, g_type, seq=seq, batch=batch, precision=precision,
                                  grad_checkpointing=False, target_len=target, head=head, num_labels=num_labels)
        chosen, count = fitting_setup(base, g_type, gpus, checkpointing=grad_checkpointing)
        needed, batch, ckpt = count or 0, chosen.micro_batch, chosen.grad_checkpointing
        est = training_memory(chosen.model_copy(update={"gpus": needed or 1}))
        role = "model (training)" if option_id == "full" else "policy (LoRA)"
        per_gpu, required = {role: est.peak_reserved_bytes}, est.required_bytes
        if not needed or (gpus is not None and needed > gpus):
            would_fit = what_would_fit(chosen.model_copy(update={"gpus": gpus or 1}), g_type)
    else:
        ckpt = True if grad_checkpointing is None else grad_checkpointing
        needed, per_gpu, required = 0, {}, 0
        for b in dict.fromkeys((batch, 1)):  # the micro-batch as set, then 1
            for g in GPU_COUNTS:
                est = role_estimates(option_id, m, g, seq=seq, batch=b, grad_checkpointing=ckpt)
                required = required_bytes(est)
                per_gpu = {role: e.peak_reserved_bytes for role, e in est.items()}
                if required <= g_type.memory_bytes:
                    needed = g
                    break
            if needed and (gpus is None or needed <= gpus or b == 1):
                batch = b
                break
        if not needed:
            would_fit = ["a GPU with more memory, or a shorter sequence (the models' activations do not shard)"]
        elif gpus is not None and needed > gpus:
            would_fit = [f"{needed} GPUs (micro-batch {batch}, checkpointing)"]
    per_example = tokens_per_example if tokens_per_example and option_id != "rlhf" else seq
    # Model FLOPs on a mixture's active parameters; recomputation is hardware FLOPs, not in MFU's numerator.
    flops = option_flops(option_id, training_flops_params(m.shape), examples, per_example, epochs, response_tokens)
    run = gpus if gpus is not None and needed and needed <= gpus else needed
    if flops and needed:
        t = training_time_and_cost(flops, g_type, gpus=run, mfu=mfu, price_usd_per_hour=price_usd_per_hour,
                                   precision="half")
        seconds, gpu_hours, cost = t.seconds, t.gpu_hours, t.cost_usd
    else:
        seconds = gpu_hours = cost = 0.0
    return Sizing(option=option_id, examples=examples, gpus=needed, per_gpu_bytes=per_gpu,
                  required_bytes_per_gpu=required, flops=flops, seconds=seconds, gpu_hours=gpu_hours, cost_usd=cost,
                  seq=seq, truncated_from=requested if requested > seq else None, micro_batch=batch,
                  grad_checkpointing=ckpt, run_gpus=run, team_gpus=gpus, would_fit=would_fit)
