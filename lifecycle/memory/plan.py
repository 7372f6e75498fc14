"""The memory calculators: ``training_plan(TrainingSetup) -> TrainingPlan`` and
``inference_plan(InferenceSetup) -> InferencePlan``.

These are what the pages, the CLI, the reports and Python callers use: one call gives the per-GPU
estimate, whether it fits the chosen GPU, the fewest GPUs per strategy, what would make it fit, the rules
of thumb beside it and — for a training run with a token count — its time and cost on the setup's own GPUs.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Literal

from lifecycle._typed import Result
from lifecycle.choices import compute_precision
from lifecycle.errors import LifecycleError
from lifecycle.memory.breakdown import MemoryEstimate
from lifecycle.memory.communication import CommunicationEstimate, communication_estimate
from lifecycle.memory.distributed import data_parallel_degree
from lifecycle.memory.estimate import training_memory
from lifecycle.memory.fp8 import effective_mfu
from lifecycle.memory.gpu_count import (
    StrategyRow,
    min_gpus,
    min_gpus_inference,
    rule_of_thumb_bytes,
    strategy_table,
    what_would_fit,
    why_rules_differ,
)
from lifecycle.memory.inference import inference_memory
from lifecycle.memory.setup import InferenceSetup, TrainingSetup
from lifecycle.memory.zero_stages import ZeroStageRow, zero_stage_rows
from lifecycle.models.gpus import GPU, get_gpu
from lifecycle.scaling.compute import (
    TrainingTime,
    model_and_hardware_flops,
    training_flops_per_param_token,
    training_time_and_cost,
)

# A fit with less headroom than this share of the GPU is "tight": predicted reserved memory was within 10 % of the
# measured on 57 of the 64 H200 runs (tests/data/h200-*.jsonl; the worst 15 % under), so leave that margin.
TIGHT_HEADROOM_FRACTION = 0.10
TIGHT_NOTE = ("Predicted reserved memory was within ±10 % of the measured on 57 of 64 H200 runs (the worst 15 % "
              "under); leave a margin.")
FitVerdict = Literal["fits", "tight", "does_not_fit"]


def headroom(estimate: MemoryEstimate, gpu: GPU) -> tuple[int, FitVerdict]:
    """(bytes left on one ``gpu`` after the estimate's required memory, negative when short; the verdict): does
    not fit below zero, tight below TIGHT_HEADROOM_FRACTION of the GPU's memory, else fits."""
    left = gpu.memory_bytes - estimate.required_bytes
    if left < 0:
        return left, "does_not_fit"
    return left, "tight" if left < TIGHT_HEADROOM_FRACTION * gpu.memory_bytes else "fits"


def flops_basis(setup: TrainingSetup, hardware_flops: float | None) -> str:
    """What the k of k·N·D counts for this setup (scaling.compute.training_flops_per_param_token), and what the
    GPUs run beyond it with checkpointing (PaLM App. B: hardware FLOPs, which MFU does not count)."""
    why = ("forward 2·N + backward 2·N: the frozen base computes no weight gradients" if setup.uses_lora
           else "forward 2·N + backward 4·N")
    if setup.grad_checkpointing and hardware_flops:
        why += (f"; the GPUs also run the recomputed forward, {hardware_flops:.3g} hardware FLOPs, which MFU "
                "does not count")
    return why


class TrainingPlan(Result):
    """Everything the memory planner says about one training setup."""

    estimate: MemoryEstimate
    gpu: GPU | None = None  # the GPU the setup was checked against
    fits: bool | None = None  # on one ``gpu`` at the setup's sharding (None without a GPU)
    headroom_bytes: int | None = None  # the GPU's memory minus what the setup needs per GPU (negative: short by)
    fit_verdict: FitVerdict | None = None  # fits / tight / does_not_fit (``headroom``; None without a GPU)
    data_parallel_degree: int = 1  # gpus / (tp · pp): the replicas ZeRO shards over
    min_gpus: int | None = None  # fewest GPUs with the setup's strategy (None: does not fit up to 4096)
    by_strategy: list[StrategyRow] = []
    what_would_fit: list[str] = []  # filled when nothing fits
    rules_of_thumb_bytes: dict[str, int | float | None] = {}
    rules_note: str = ""
    training_flops: float | None = None  # model FLOPs: 6·N·D full, 4·N·D LoRA/QLoRA (what MFU and time use)
    hardware_flops: float | None = None  # + 2·N·D recomputed forward with checkpointing (PaLM App. B)
    zero_stages: list[ZeroStageRow] = []  # ZeRO Figure 1 for this model on the setup's data-parallel GPUs
    flops_per_param_token: int | None = None  # the factor k of k·N·D (training_flops_per_param_token)
    flops_basis: str = ""  # what k counts, and the recomputed forward's hardware FLOPs (``flops_basis``)
    time_and_cost: TrainingTime | None = None  # on the setup's ``gpus`` GPUs, exposed communication and bubble included
    communication: CommunicationEstimate | None = None  # per step: compute, communication, bubble
    time_note: str = ""  # why there is no time and cost, when there is none


class InferencePlan(Result):
    """Per-GPU memory of a forward pass or generation, and the fewest GPUs (tensor parallel) that serve it."""

    estimate: MemoryEstimate
    gpu: GPU | None = None
    fits: bool | None = None
    headroom_bytes: int | None = None  # as TrainingPlan
    fit_verdict: FitVerdict | None = None
    min_gpus: int | None = None  # smallest tensor-parallel degree that fits (None: none up to 64)
    rules_of_thumb_bytes: dict[str, int | float | None] = {}
    rules_note: str = ""


@lru_cache(maxsize=256)
def training_plan(setup: TrainingSetup) -> TrainingPlan:
    """The training calculator: memory, fit, GPU counts, rules of thumb, time and cost for one setup."""
    est = training_memory(setup)
    params = est.params
    dp = data_parallel_degree(setup.gpus, setup.tp, setup.pp)
    out: dict = {"estimate": est, "rules_note": why_rules_differ(est, params), "zero_stages": zero_stage_rows(params, dp),
                 "data_parallel_degree": dp,
                 "rules_of_thumb_bytes": rule_of_thumb_bytes(params, precision=setup.precision, workload="train",
                                                             gpus=setup.gpus)}
    gpu = get_gpu(setup.gpu) if setup.gpu else None
    if gpu is not None:
        count, _ = min_gpus(setup, gpu)
        left, verdict = headroom(est, gpu)
        out.update(gpu=gpu, fits=est.fits(gpu), headroom_bytes=left, fit_verdict=verdict, min_gpus=count,
                   by_strategy=strategy_table(setup, gpu),
                   what_would_fit=what_would_fit(setup, gpu) if count is None else [])
    fits = est.fits(gpu) if gpu is not None else None
    out.update(_time_and_cost(setup, gpu, fits))
    return TrainingPlan(**out)


def training_time(setup: TrainingSetup, gpu: GPU) -> TrainingTime | None:
    """The time and cost ``training_plan`` gives ``setup`` on ``gpu`` when it fits (communication included);
    None when it cannot be timed (no training tokens, or a precision the GPU cannot compute in)."""
    return _time_and_cost(setup, gpu, True).get("time_and_cost")


def _time_and_cost(setup: TrainingSetup, gpu: GPU | None, fits: bool | None = None) -> dict:
    if setup.training_tokens is None:
        return {"time_note": "Set the training tokens to get time and cost."}
    per_token = training_flops_per_param_token(setup.method)
    flops, hardware = model_and_hardware_flops(setup.model.shape, setup.training_tokens, setup.method,
                                               recompute=setup.grad_checkpointing)
    counted = {"training_flops": flops, "hardware_flops": hardware, "flops_per_param_token": per_token,
               "flops_basis": flops_basis(setup, hardware)}
    if gpu is None:
        return {**counted, "time_note": "Choose a GPU to get time and cost."}
    if fits is False:  # a run that cannot start has no time and cost
        return {**counted, "time_note": f"Does not fit on {setup.gpus:,} × {gpu.name}: no time and cost until it fits "
                             "(see what would fit, or the GPU count by strategy)."}
    try:
        cost = training_time_and_cost(flops, gpu, gpus=setup.gpus, mfu=effective_mfu(setup.precision, setup.mfu),
                                      price_usd_per_hour=setup.price_usd_per_hour,
                                      precision=compute_precision(setup.precision))
        comm = communication_estimate(setup, gpu)
    except LifecycleError as exc:  # e.g. bf16 on a GPU without bf16 tensor cores: the memory answer stands
        return {**counted, "time_note": str(exc)}
    k = comm.slowdown  # compute-only time x (max(compute, communication) + bubble) / compute
    cost = cost.model_copy(update={"seconds": cost.seconds * k, "days": cost.days * k, "gpu_hours": cost.gpu_hours * k,
                                   "cost_usd": cost.cost_usd * k})
    return {**counted, "time_and_cost": cost, "communication": comm}


@lru_cache(maxsize=256)
def inference_plan(setup: InferenceSetup) -> InferencePlan:
    """The serving-memory calculator: memory per GPU, fit, fewest tensor-parallel GPUs, rules of thumb."""
    est = inference_memory(setup)
    out: dict = {"estimate": est, "rules_note": why_rules_differ(est, est.params),
                 "rules_of_thumb_bytes": rule_of_thumb_bytes(est.params, precision=setup.precision, workload="infer")}
    if setup.gpu:
        gpu = get_gpu(setup.gpu)
        left, verdict = headroom(est, gpu)
        out.update(gpu=gpu, fits=est.fits(gpu), headroom_bytes=left, fit_verdict=verdict,
                   min_gpus=min_gpus_inference(setup, gpu))
    return InferencePlan(**out)
