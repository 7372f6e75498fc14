"""Pre-training plans from scaling laws: budget -> (N, D, loss, time, cost), trained-vs-optimal
verdicts, and the published tables (Chinchilla Table 3, GPT-3 Table D.1) recomputed from formulas."""

from __future__ import annotations

import json
from functools import cache

from pydantic import BaseModel, computed_field

from lifecycle.choices import BudgetUnit, options
from lifecycle.errors import InvalidInput
from lifecycle.models.gpus import HALF  # plans run mixed precision in the chip's 16-bit format
from lifecycle.resources import data_path
from lifecycle.scaling.compute import (
    DEFAULT_MFU,
    PF_DAY_FLOPS,
    SECONDS_PER_DAY,
    pf_days,
    training_flops,
    training_time_and_cost,
)
from lifecycle.scaling.laws import (
    ScalingLaw,
    builtin_law,
    compute_optimal_allocation,
    kaplan_frontier,
    optimal_loss,
    parametric_constants,
    predicted_loss,
)


@cache
def _data(name: str) -> dict:
    return json.loads(data_path(name).read_text())


def tokens_per_param_rule() -> float:
    """~20 tokens per parameter, implied by Chinchilla Table 3 (data/trained_tokens.json)."""
    return float(_data("trained_tokens.json")["_meta"]["tokens_per_param_rule"])


def optimal_band_factor() -> float:
    return float(_data("trained_tokens.json")["_meta"]["optimal_band_factor"])


def training_verdict(tokens_per_param: float, optimal_tokens_per_param: float | None = None) -> str:
    """'under-trained' / 'compute-optimal' / 'over-trained': within a factor (data row) of the optimum counts as optimal."""
    optimum = optimal_tokens_per_param or tokens_per_param_rule()
    ratio = tokens_per_param / optimum
    band = optimal_band_factor()
    if ratio < 1 / band:
        return "under-trained"
    if ratio > band:
        return "over-trained"
    return "compute-optimal"


def compute_for_optimal_params(law: ScalingLaw, params: float) -> float:
    """Invert N_opt(C): the budget in FLOPs for which ``params`` is the law's compute-optimal size."""
    if params <= 0:
        raise InvalidInput("Parameters must be positive.")
    if law.kind == "parametric":
        k = parametric_constants(law)
        return 6 * (params / k["G"]) ** (1 / k["a"])  # Eq 4 solved for C
    if law.kind == "power_law":
        return (params / law.params["k_N"]) ** (1 / law.params["a"])
    return (params / law.params["N_e"]) ** (1 / law.params["p_N"]) * PF_DAY_FLOPS  # Kaplan Table 6


class ScalingPlan(BaseModel):
    law: str
    law_kind: str
    compute_flops: float
    pf_days: float
    params: float
    tokens: float
    tokens_per_param: float
    loss: float | None
    optimal_params: float  # the law's compute-optimal split of the same compute
    optimal_tokens: float
    optimal_loss: float | None
    verdict: str  # against the law's own optimum at this compute
    verdict_20_rule: str  # against ~20 tokens per parameter
    kaplan_note: str | None = None
    kaplan_budget_note: str | None = None  # a budget plan on Kaplan's frontier: why 6·N·D exceeds the budget
    kaplan_batch_tokens: float | None = None  # Kaplan Table 6 B(C_min), for a budget plan
    kaplan_steps: float | None = None  # Kaplan Table 6 S_min(C_min)
    gpu_id: str | None = None
    gpus: int | None = None
    mfu: float | None = None
    gpu_hours: float | None = None
    days: float | None = None
    cost_usd: float | None = None
    price_usd_per_hour: float | None = None

    @computed_field
    @property
    def optimal_tokens_per_param(self) -> float:
        """D_opt / N_opt: the tokens per parameter the law itself calls compute-optimal at this compute (Chinchilla
        Table 3, Approach 1: 20.2 at 1B, 20.5 at 10B; Kaplan Table 6: 2e10 / 1.3e9 = 15.4 at 1 PF-day)."""
        return self.optimal_tokens / self.optimal_params

    @computed_field
    @property
    def seconds(self) -> float | None:
        """Wall-clock training time on ``gpus`` GPUs in seconds (``days`` × 86,400), when a GPU was given."""
        return None if self.days is None else self.days * SECONDS_PER_DAY


KAPLAN_NOTE = ("Kaplan's N counts non-embedding parameters and C = 6·N·D non-embedding FLOPs in PF-days "
               "(1 PF-day = 8.64e19 FLOPs); treat N here as non-embedding parameters.")


def kaplan_budget_note(spent_over_budget: float) -> str:
    """Why 6·N·D of Kaplan's Table 6 plan exceeds the budget C_min."""
    return (f"6·N·D of this N and D is {spent_over_budget:.2f}x the budget: Table 6's D_opt = B_crit·S_min counts "
            "the tokens of training at the critical batch size, which spends C = (1 + B/B_crit)·C_min = 2·C_min "
            "(Kaplan et al. 2020, eq. 5.5; 1.8x with the fitted exponents). The budget C_min reaches the same loss "
            "only at batches well below B_crit, with more, smaller steps.")


MIN_PLAN_FLOPS = 1e6  # far below the smallest run in any scaling-law fit (Kaplan's start near 1e13)


def plan(
    law: ScalingLaw,
    *,
    compute_flops: float | None = None,
    params: float | None = None,
    tokens: float | None = None,
    gpu: str | None = None,
    gpus: int = 1,
    mfu: float = DEFAULT_MFU,
    price_usd_per_hour: float | None = None,
) -> ScalingPlan:
    """Either a budget (compute-optimal N and D of the law) or N and D (compute, loss, verdict)."""
    if compute_flops is not None and (params is not None or tokens is not None):
        raise InvalidInput("Give either a compute budget or parameters and tokens, not both.")
    if compute_flops is not None:
        if not compute_flops > 0:
            raise InvalidInput(f"Compute must be positive, got {compute_flops:g}.")
        if compute_flops < MIN_PLAN_FLOPS:  # a fitted law extrapolated to a few FLOPs gives N ≈ 0 and L = ∞
            raise InvalidInput(f"A compute budget of {compute_flops:.3g} FLOPs is below any training run the laws "
                               f"describe; give at least {MIN_PLAN_FLOPS:.0e} FLOPs.")
        params, tokens = compute_optimal_allocation(law, compute_flops)
        compute = float(compute_flops)
    elif params is not None and tokens is not None:
        if not (params >= 1 and tokens >= 1):  # fractions of a parameter or token have no loss (L → ∞)
            raise InvalidInput(f"Parameters and tokens must each be at least 1 (got {params:.3g} and {tokens:.3g}).")
        compute = training_flops(params, tokens)
        if compute < MIN_PLAN_FLOPS:
            raise InvalidInput(f"{params:.3g} parameters on {tokens:.3g} tokens is {compute:.3g} FLOPs, below any "
                               f"training run the laws describe; give at least {MIN_PLAN_FLOPS:.0e} FLOPs.")
    else:
        raise InvalidInput("Give a compute budget, or both parameters and tokens.")
    opt_n, opt_d = compute_optimal_allocation(law, compute)
    loss = predicted_loss(law, params, tokens)
    if compute_flops is not None and law.kind == "kaplan":
        loss = optimal_loss(law, compute)  # on the frontier Kaplan's own L(C_min) applies (Eq 1.3)
    tpp = tokens / params
    result = {
        "law": law.name, "law_kind": law.kind, "compute_flops": compute, "pf_days": pf_days(compute),
        "params": float(params), "tokens": float(tokens), "tokens_per_param": tpp,
        "loss": None if loss is None else float(loss), "optimal_params": float(opt_n), "optimal_tokens": float(opt_d),
        "optimal_loss": None if optimal_loss(law, compute) is None else float(optimal_loss(law, compute)),
        "verdict": training_verdict(tpp, opt_d / opt_n), "verdict_20_rule": training_verdict(tpp),
        "kaplan_note": KAPLAN_NOTE if law.kind == "kaplan" else None,
    }
    if compute_flops is not None and law.kind == "kaplan":
        frontier = kaplan_frontier(law, compute / PF_DAY_FLOPS)
        spent = training_flops(params, tokens) / compute
        result.update(kaplan_batch_tokens=frontier["batch_tokens"], kaplan_steps=frontier["steps"],
                      kaplan_budget_note=kaplan_budget_note(spent))
    if gpu:
        t = training_time_and_cost(compute, gpu, gpus=gpus, mfu=mfu, price_usd_per_hour=price_usd_per_hour,
                                   precision=HALF)
        result.update(gpu_id=t.gpu_id, gpus=t.gpus, mfu=t.mfu, gpu_hours=t.gpu_hours, days=t.days,
                      cost_usd=t.cost_usd, price_usd_per_hour=t.price_usd_per_hour)
    return ScalingPlan(**result)


def trained_vs_optimal(laws: list[ScalingLaw] | None = None) -> list[dict]:
    """Seed models (and over-trained Llamas) against 20 tokens/param and each law's optimum at their compute."""
    laws = laws if laws is not None else [builtin_law("chinchilla1"), builtin_law("epoch")]
    rule = tokens_per_param_rule()
    rows = []
    for r in _data("trained_tokens.json")["rows"]:
        n, d = r["params"], r["tokens"]
        c = training_flops(n, d)
        row = {"model": r["model"], "group": r["group"], "params": n, "tokens": d, "compute_flops": c,
                   "tokens_per_param": d / n, "optimal_tokens_20_rule": rule * n,
                   "ratio_to_20_rule": d / (rule * n), "verdict": training_verdict(d / n), "source": r["source"],
                   "note": r.get("note", "")}
        for law in laws:
            opt_n, opt_d = compute_optimal_allocation(law, c)
            row[f"{law.name}_optimal_params"] = float(opt_n)
            row[f"{law.name}_optimal_tokens"] = float(opt_d)
            row[f"{law.name}_verdict"] = training_verdict(d / n, opt_d / opt_n)
        rows.append(row)
    return rows


def table3_reproduction() -> list[dict]:
    """Chinchilla Table 3 (Approach 1) recomputed from our Approach 1 law, next to Approach 3 and Table A3."""
    a1, a3 = builtin_law("chinchilla1"), builtin_law("chinchilla3")
    a3_paper = {r["params"]: r for r in _data("chinchilla_table3.json")["table_a3"]["rows"]}
    rows = []
    for r in _data("chinchilla_table3.json")["rows"]:
        n = r["params"]
        c1 = compute_for_optimal_params(a1, n)
        _, d1 = compute_optimal_allocation(a1, c1)
        c3 = compute_for_optimal_params(a3, n)
        _, d3 = compute_optimal_allocation(a3, c3)
        rows.append({
            "params": n, "paper_flops": r["flops"], "a1_flops": c1, "paper_tokens": r["tokens"], "a1_tokens": float(d1),
            "a3_flops": c3, "a3_tokens": float(d3), "paper_a3_flops": a3_paper[n]["a3_flops"],
            "paper_a3_tokens": a3_paper[n]["a3_tokens"],
        })
    return rows


def gpt3_table_d1() -> list[dict]:
    """GPT-3 Table D.1 with FLOPs = k·N·D and PF-days recomputed (k = 3 for T5, 6 otherwise)."""
    rows = []
    for r in _data("gpt3_table_d1.json")["rows"]:
        flops = training_flops(r["params"], r["tokens"], flops_per_param_per_token=r["flops_per_param_per_token"])
        rows.append(dict(r, flops_computed=flops, pf_days_computed=pf_days(flops)))
    return rows


def gpt3_table_d1_footnote() -> str:
    return _data("gpt3_table_d1.json")["_meta"]["footnote_t5"]


BUDGET_UNITS = options(BudgetUnit)


def budget_flops(amount: float, unit: str, *, gpu: str | None = None, mfu: float = DEFAULT_MFU,
                 price_usd_per_hour: float | None = None) -> float:
    """A budget in FLOPs, PF-days (×8.64e19), GPU-hours on ``gpu`` at ``mfu``, or US dollars at the GPU's price."""
    from lifecycle.scaling.compute import flops_from_budget_usd, flops_from_gpu_hours, flops_from_pf_days

    if unit == "FLOPs":
        if not amount > 0:
            raise InvalidInput("The compute budget must be positive.")
        return float(amount)
    if unit == "PF-days":
        return flops_from_pf_days(amount)
    if unit not in BUDGET_UNITS:
        raise InvalidInput(f"Unknown budget unit {unit!r}; use one of {', '.join(BUDGET_UNITS)}.")
    if not gpu:
        raise InvalidInput(f"A budget in {unit} needs a GPU type.")
    if unit == "GPU-hours":
        return flops_from_gpu_hours(amount, gpu, mfu=mfu, precision=HALF)
    return flops_from_budget_usd(amount, gpu, mfu=mfu, price_usd_per_hour=price_usd_per_hour, precision=HALF)


def plans_for_laws(laws: list[ScalingLaw], **kwargs) -> list[ScalingPlan]:
    """The same budget (or the same N and D) under every law, for a comparison table."""
    return [plan(law, **kwargs) for law in laws]
