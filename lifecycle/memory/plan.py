"""The memory calculators: ``training_plan(TrainingSetup) -> TrainingPlan`` and
``inference_plan(InferenceSetup) -> InferencePlan``.

These are what the pages, the CLI, the reports and Python callers use: one call gives the per-GPU
estimate, whether it fits the chosen GPU, the fewest GPUs per strategy, what would make it fit, the rules
of thumb beside it and — for a training run with a token count — its time and cost on the setup's own GPUs.
"""

from __future__ import annotations

from functools import lru_cache

from lifecycle._typed import Result
from lifecycle.choices import compute_precision
from lifecycle.errors import LifecycleError
from lifecycle.memory.breakdown import MemoryEstimate
from lifecycle.memory.estimate import training_memory
from lifecycle.memory.inference import inference_memory
from lifecycle.memory.planner import (
    StrategyRow,
    min_gpus,
    min_gpus_inference,
    rule_of_thumb_bytes,
    strategy_table,
    what_would_fit,
    why_rules_differ,
)
from lifecycle.memory.setup import InferenceSetup, TrainingSetup
from lifecycle.memory.zero_stages import ZeroStageRow, zero_stage_rows
from lifecycle.models.architecture import flop_parameter_count
from lifecycle.models.gpus import GPU, get_gpu
from lifecycle.scaling.compute import (
    TrainingTime,
    training_flops,
    training_flops_per_param_token,
    training_time_and_cost,
)


class TrainingPlan(Result):
    """Everything the memory planner says about one training setup."""

    estimate: MemoryEstimate
    gpu: GPU | None = None  # the GPU the setup was checked against
    fits: bool | None = None  # on one ``gpu`` at the setup's sharding (None without a GPU)
    min_gpus: int | None = None  # fewest GPUs with the setup's strategy (None: does not fit up to 4096)
    by_strategy: list[StrategyRow] = []
    what_would_fit: list[str] = []  # filled when nothing fits
    rules_of_thumb_bytes: dict[str, int | float | None] = {}
    rules_note: str = ""
    training_flops: float | None = None  # 6·N·D full, 4·N·D LoRA/QLoRA (+2·N·D with recomputation)
    zero_stages: list[ZeroStageRow] = []  # ZeRO Figure 1 for this model on the setup's data-parallel GPUs
    flops_per_param_token: int | None = None  # the factor k of k·N·D (training_flops_per_param_token)
    time_and_cost: TrainingTime | None = None  # on the setup's ``gpus`` GPUs
    time_note: str = ""  # why there is no time and cost, when there is none


class InferencePlan(Result):
    """Per-GPU memory of a forward pass or generation, and the fewest GPUs (tensor parallel) that serve it."""

    estimate: MemoryEstimate
    gpu: GPU | None = None
    fits: bool | None = None
    min_gpus: int | None = None  # smallest tensor-parallel degree that fits (None: none up to 64)
    rules_of_thumb_bytes: dict[str, int | float | None] = {}
    rules_note: str = ""


@lru_cache(maxsize=256)
def training_plan(setup: TrainingSetup) -> TrainingPlan:
    """The training calculator: memory, fit, GPU counts, rules of thumb, time and cost for one setup."""
    est = training_memory(setup)
    params = est.params
    dp = setup.gpus // (setup.tp * setup.pp)
    out: dict = {"estimate": est, "rules_note": why_rules_differ(est, params), "zero_stages": zero_stage_rows(params, dp),
                 "rules_of_thumb_bytes": rule_of_thumb_bytes(params, precision=setup.precision, workload="train",
                                                             gpus=setup.gpus)}
    gpu = get_gpu(setup.gpu) if setup.gpu else None
    if gpu is not None:
        count, _ = min_gpus(setup, gpu)
        out.update(gpu=gpu, fits=est.fits(gpu), min_gpus=count, by_strategy=strategy_table(setup, gpu),
                   what_would_fit=what_would_fit(setup, gpu) if count is None else [])
    out.update(_time_and_cost(setup, gpu, flop_parameter_count(setup.model.shape)))  # 6·N·D, N: active non-embedding
    return TrainingPlan(**out)


def _time_and_cost(setup: TrainingSetup, gpu: GPU | None, params: int) -> dict:
    if setup.training_tokens is None:
        return {"time_note": "Set the training tokens to get time and cost."}
    per_token = training_flops_per_param_token(setup.method, recompute=setup.grad_checkpointing)
    flops = training_flops(params, setup.training_tokens, flops_per_param_per_token=per_token)
    if gpu is None:
        return {"training_flops": flops, "flops_per_param_token": per_token,
                "time_note": "Choose a GPU to get time and cost."}
    try:
        cost = training_time_and_cost(flops, gpu, gpus=setup.gpus, mfu=setup.mfu,
                                      price_usd_per_hour=setup.price_usd_per_hour,
                                      precision=compute_precision(setup.precision))
    except LifecycleError as exc:  # e.g. bf16 on a GPU without bf16 tensor cores: the memory answer stands
        return {"training_flops": flops, "flops_per_param_token": per_token, "time_note": str(exc)}
    return {"training_flops": flops, "flops_per_param_token": per_token, "time_and_cost": cost}


@lru_cache(maxsize=256)
def inference_plan(setup: InferenceSetup) -> InferencePlan:
    """The serving-memory calculator: memory per GPU, fit, fewest tensor-parallel GPUs, rules of thumb."""
    est = inference_memory(setup)
    out: dict = {"estimate": est, "rules_note": why_rules_differ(est, est.params),
                 "rules_of_thumb_bytes": rule_of_thumb_bytes(est.params, precision=setup.precision, workload="infer")}
    if setup.gpu:
        gpu = get_gpu(setup.gpu)
        out.update(gpu=gpu, fits=est.fits(gpu), min_gpus=min_gpus_inference(setup, gpu))
    return InferencePlan(**out)
