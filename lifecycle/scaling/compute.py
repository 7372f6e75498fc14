"""Training compute: FLOPs from parameters and tokens, and FLOPs -> PF-days, GPU-hours, days, dollars.

C = 6·N·D (Kaplan 2020 Sec 2.1; GPT-3 Table D.1): a forward pass costs 2 FLOPs per parameter
per token, the backward pass twice that. With full activation recomputation the forward runs
twice, so 8·N·D (Korthikanti 2022 / PaLM App. B "hardware FLOPs"); MFU keeps counting 6·N·D, so time is
model FLOPs (6·N·D) / (MFU · peak) whether or not the run recomputes (``model_and_hardware_flops``).
"""

from __future__ import annotations

import json
import math
from functools import lru_cache

from pydantic import BaseModel

from lifecycle.errors import InvalidInput
from lifecycle.models.gpus import GPU, get_gpu
from lifecycle.resources import data_path

# Kaplan 2020 Sec 1.3 and GPT-3 Table D.1 caption: 1 PF-day = 1e15 FLOP/s x 86,400 s.
PF_DAY_FLOPS = 1e15 * 24 * 3600  # 8.64e19
SECONDS_PER_DAY = 86_400
FORWARD_FLOPS_PER_PARAM_TOKEN = 2
TRAIN_FLOPS_PER_PARAM_TOKEN = 6
RECOMPUTE_FLOPS_PER_PARAM_TOKEN = 8
FROZEN_BASE_FLOPS_PER_PARAM_TOKEN = 4


def training_flops_per_param_token(method: str = "full", *, recompute: bool = False) -> int:
    """FLOPs per parameter per token of one training step, for every view that prices training.

    Full training: forward 2N + backward 4N (gradients of activations and of weights; Kaplan et al. 2020 §2.1).
    LoRA/QLoRA freeze the base: its weight gradients are never computed, so the backward is 2N and the step
    4N (Hu et al. 2021 §4.2; the adapters' own FLOPs are under 1% at usual ranks). Activation recomputation
    repeats the forward: +2N.
    """
    base = TRAIN_FLOPS_PER_PARAM_TOKEN if method == "full" else FROZEN_BASE_FLOPS_PER_PARAM_TOKEN
    return base + (FORWARD_FLOPS_PER_PARAM_TOKEN if recompute else 0)


def training_flops_params(shape) -> int:
    """N of C = k·N·D for a model shape: the weights each token is multiplied by — every matmul weight of a dense
    model, the active ones of a mixture of experts (shared + top-k routed experts; Fedus et al. 2022 §2), without
    the input-embedding lookup, which is no matmul (Kaplan et al. 2020 §2.1; ``flop_parameter_count``). The one
    count every view that prices training uses (Memory & GPUs, Adaptation path, What to rent, reports)."""
    from lifecycle.models.architecture import flop_parameter_count

    return flop_parameter_count(shape)


def model_and_hardware_flops(shape, tokens: float, method: str = "full", *,
                             recompute: bool = False) -> tuple[float, float]:
    """(model FLOPs, hardware FLOPs) of training ``shape`` on ``tokens`` tokens (PaLM, Chowdhery et al. 2022,
    App. B): model FLOPs are what the model needs, k·N·D (k = 6 full, 4 LoRA/QLoRA) — what MFU is defined on, so
    time = model FLOPs / (MFU · peak); hardware FLOPs add what the run recomputes (+2·N·D with full activation
    checkpointing), which is what the GPUs execute and what HFU measures."""
    n = training_flops_params(shape)
    model = training_flops(n, tokens, flops_per_param_per_token=training_flops_per_param_token(method))
    return model, model + (FORWARD_FLOPS_PER_PARAM_TOKEN * n * tokens if recompute else 0.0)


@lru_cache(maxsize=1)
def mfu_references() -> dict:
    """data/mfu.json: published MFU of large runs and the default chosen from them."""
    return json.loads(data_path("mfu.json").read_text())


DEFAULT_MFU: float = mfu_references()["_meta"]["default_mfu"]


def published_mfu_range() -> tuple[float, float]:
    """(lowest, highest) MFU of the published large runs in data/mfu.json (GPT-3 21.3 % … LLaMA-65B 47.6 %)."""
    mfus = [r["mfu"] for r in mfu_references()["runs"]]
    return min(mfus), max(mfus)


def _positive(name: str, value: float) -> float:
    try:
        value = float(value)
    except (TypeError, ValueError):
        raise InvalidInput(f"{name} must be a number, got {value!r}.") from None
    if not (math.isfinite(value) and value > 0):
        raise InvalidInput(f"{name} must be a positive finite number, got {value:g}.")
    return value


def training_flops(
    params: float,
    tokens: float,
    *,
    recompute: bool = False,
    flops_per_param_per_token: float | None = None,
    layers: int | None = None,
    seq: int | None = None,
    hidden: int | None = None,
) -> float:
    """FLOPs to train ``params`` parameters on ``tokens`` tokens.

    Default 6·N·D, 8·N·D with full recomputation; ``flops_per_param_per_token`` overrides the
    factor (GPT-3 Table D.1 uses 3 for T5, whose tokens each see half the parameters).
    With ``layers``, ``seq`` and ``hidden`` the attention-score term of Kaplan 2020 Eq 2.2 is
    added: 2·n_layer·n_ctx·d_model forward FLOPs per token, times 3 for training.
    """
    n = _positive("params", params)
    d = _positive("tokens", tokens)
    per_token = flops_per_param_per_token or (
        RECOMPUTE_FLOPS_PER_PARAM_TOKEN if recompute else TRAIN_FLOPS_PER_PARAM_TOKEN
    )
    flops = per_token * n * d
    if not math.isfinite(flops):
        raise InvalidInput(f"{n:.3g} parameters × {d:.3g} tokens is beyond the range of this calculator.")
    if layers or seq or hidden:
        if not (layers and seq and hidden):
            raise InvalidInput("The attention term needs layers, seq and hidden together.")
        passes = per_token / FORWARD_FLOPS_PER_PARAM_TOKEN  # 3 for training, 4 with recomputation
        flops += passes * 2 * _positive("layers", layers) * _positive("seq", seq) * _positive("hidden", hidden) * d
    return flops


def pf_days(flops: float) -> float:
    return _positive("compute", flops) / PF_DAY_FLOPS


def flops_from_pf_days(days: float) -> float:
    return _positive("PF-days", days) * PF_DAY_FLOPS


def _as_gpu(gpu: GPU | str) -> GPU:
    return gpu if isinstance(gpu, GPU) else get_gpu(gpu)


def _check_mfu(mfu: float) -> float:
    mfu = _positive("MFU", mfu)
    if mfu > 1:
        raise InvalidInput(f"MFU is a fraction of peak and must be at most 1, got {mfu:g}.")
    return mfu


def achieved_flops_per_s(gpu: GPU | str, *, mfu: float = DEFAULT_MFU, precision: str = "bf16") -> float:
    return _as_gpu(gpu).peak_flops(precision) * _check_mfu(mfu)


def gpu_seconds(
    flops: float, gpu: GPU | str, *, gpus: int = 1, mfu: float = DEFAULT_MFU, precision: str = "bf16"
) -> float:
    """Wall-clock seconds to spend ``flops`` on ``gpus`` GPUs at ``mfu`` of dense peak.

    With gpus=1 this is GPU-seconds. MFU absorbs communication and pipeline bubbles, so
    time falls linearly with GPU count here; pick a lower MFU for a large cluster.
    """
    if int(gpus) != gpus or gpus < 1:
        raise InvalidInput(f"GPU count must be a whole number of at least 1, got {gpus!r}.")
    return _positive("compute", flops) / (achieved_flops_per_s(gpu, mfu=mfu, precision=precision) * gpus)


def flops_from_gpu_hours(gpu_hours: float, gpu: GPU | str, *, mfu: float = DEFAULT_MFU, precision: str = "bf16") -> float:
    return _positive("GPU-hours", gpu_hours) * 3600 * achieved_flops_per_s(gpu, mfu=mfu, precision=precision)


class TrainingTime(BaseModel):
    flops: float
    pf_days: float
    gpu_id: str
    gpus: int
    mfu: float
    precision: str
    seconds: float  # wall clock on `gpus` GPUs
    days: float
    gpu_hours: float
    price_usd_per_hour: float
    cost_usd: float


def training_time_and_cost(
    flops: float,
    gpu: GPU | str,
    *,
    gpus: int = 1,
    mfu: float = DEFAULT_MFU,
    price_usd_per_hour: float | None = None,
    precision: str = "bf16",
) -> TrainingTime:
    """days = C / (n_gpu · peak · MFU · 86400); GPU-hours = C / (peak · MFU · 3600); cost = GPU-hours · price."""
    g = _as_gpu(gpu)
    seconds = gpu_seconds(flops, g, gpus=gpus, mfu=mfu, precision=precision)
    price = g.price_usd_per_hour if price_usd_per_hour is None else price_usd_per_hour
    if price < 0:
        raise InvalidInput(f"Price per GPU-hour must not be negative, got {price:g}.")
    gpu_hours = seconds * gpus / 3600
    if not all(math.isfinite(x) for x in (seconds, gpu_hours, gpu_hours * price)):
        raise InvalidInput(f"{flops:.3g} FLOPs at {mfu:.3g} MFU would take longer than a float can count; "
                           "check the compute and the MFU.")
    return TrainingTime(
        flops=flops, pf_days=pf_days(flops), gpu_id=g.id, gpus=int(gpus), mfu=mfu, precision=precision,
        seconds=seconds, days=seconds / SECONDS_PER_DAY, gpu_hours=gpu_hours,
        price_usd_per_hour=price, cost_usd=gpu_hours * price,
    )


def flops_from_budget_usd(
    budget_usd: float, gpu: GPU | str, *, mfu: float = DEFAULT_MFU,
    price_usd_per_hour: float | None = None, precision: str = "bf16",
) -> float:
    """Compute a money budget buys: (budget / price) GPU-hours at ``mfu`` of peak."""
    g = _as_gpu(gpu)
    price = _positive("price per GPU-hour", g.price_usd_per_hour if price_usd_per_hour is None else price_usd_per_hour)
    return flops_from_gpu_hours(_positive("budget", budget_usd) / price, g, mfu=mfu, precision=precision)


SLIDE_PF_DAY_CLAIM = ("Course slides, week 1 ('Compute budget for training LLMs'): 1 petaflop/s-day ≈ 8 NVIDIA V100s "
                      "or 2 NVIDIA A100s running at full efficiency for 24 hours")


def gpus_per_petaflop(gpu_id: str, *, sparse: bool = False) -> float:
    """GPUs at their 16-bit tensor peak that together run 1e15 FLOP/s, i.e. one petaflop/s-day in a day.

    V100: 1e15 / 125e12 = 8.0. A100: 1e15 / 312e12 = 3.2 dense; the slides' "2 A100s" needs the 624 TFLOPS that
    NVIDIA quotes with 2:4 structured sparsity (1.6 GPUs), which dense LLM training does not use.
    """
    from lifecycle.models.gpus import HALF, get_gpu

    peak = get_gpu(gpu_id).peak_flops(HALF) * (2 if sparse else 1)
    return 1e15 / peak


def slide_pf_day_check() -> str:
    """The slides' "1 PF-day ≈ 8 V100s or 2 A100s" set against datasheet peaks and published MFU (plain text): at
    MFU m, a PF-day of model FLOPs takes 1/m times the GPU-days it would at peak."""
    low, high = published_mfu_range()
    return (f"{SLIDE_PF_DAY_CLAIM}. At dense 16-bit peak that is {gpus_per_petaflop('v100-32gb'):.1f} V100s, "
            f"{gpus_per_petaflop('a100-80gb'):.1f} A100s or {gpus_per_petaflop('h100-80gb'):.1f} H100s; two A100s "
            f"({gpus_per_petaflop('a100-80gb', sparse=True):.1f}) only with 2:4 sparsity, which dense training does "
            f"not use — and published runs reach {low:.0%}–{high:.0%} of peak (MFU), so a PF-day takes "
            f"{1 / high:.1f}–{1 / low:.1f}× as many GPU-days.")
