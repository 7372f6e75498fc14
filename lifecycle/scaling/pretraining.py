"""The pre-training calculator: ``pretraining_plan(PretrainingSetup) -> PretrainingPlan``.

A budget (FLOPs, PF-days, GPU-hours or US dollars) becomes each law's compute-optimal N and D with its loss,
time and cost on the chosen GPUs; optionally a model size and token count are placed against each law's
optimum at the same compute. The chart settings travel with the setup so a saved plan redraws as it was.
"""

from __future__ import annotations

from functools import lru_cache

from pydantic import Field, computed_field, model_validator

from lifecycle._typed import Result, Setup
from lifecycle.choices import BudgetUnit, ScalingChart
from lifecycle.limits import MAX_GPUS, MAX_USD_PER_GPU_HOUR
from lifecycle.models.gpus import get_gpu
from lifecycle.scaling.compute import DEFAULT_MFU, pf_days
from lifecycle.scaling.laws import ScalingLaw, builtin_law
from lifecycle.scaling.plan import ScalingPlan, budget_flops, plans_for_laws

DEFAULT_LAWS = ("kaplan", "chinchilla1", "chinchilla2", "chinchilla3", "epoch")
MAX_LAWS = 20
MIN_FLOPS, MAX_FLOPS = 1e15, 1e32  # the charts' range: far below GPT-2, far above any run announced


class PretrainingSetup(Setup):
    """A compute budget (and optionally an N and D) under one or more scaling laws, on ``gpus`` × ``gpu``."""

    laws: tuple[ScalingLaw, ...] = Field(min_length=1, max_length=MAX_LAWS)
    budget_amount: float = Field(1e23, gt=0, le=MAX_FLOPS)
    budget_unit: BudgetUnit = "FLOPs"
    params: float | None = Field(None, gt=0, le=1e15)  # N of "Model → budget"
    tokens: float | None = Field(None, gt=0, le=1e17)  # D of "Model → budget"
    gpu: str = Field("h100-80gb", min_length=1, max_length=64)
    gpus: int = Field(256, ge=1, le=MAX_GPUS)
    mfu: float = Field(DEFAULT_MFU, ge=0.001, le=1)
    price_usd_per_hour: float | None = Field(None, ge=0, le=MAX_USD_PER_GPU_HOUR)
    chart: ScalingChart = "loss"
    c_min_flops: float = Field(1e18, ge=MIN_FLOPS, le=MAX_FLOPS)
    c_max_flops: float = Field(1e26, ge=MIN_FLOPS, le=MAX_FLOPS)
    show_markers: bool = True  # published models (and this N and D) on the chart

    @model_validator(mode="after")
    def _consistent(self) -> PretrainingSetup:
        get_gpu(self.gpu)
        if (self.params is None) != (self.tokens is None):
            raise ValueError("give both parameters and tokens, or neither")
        if self.c_min_flops >= self.c_max_flops:
            raise ValueError("the chart's lowest compute must be below its highest")
        return self

    @classmethod
    def with_builtin_laws(cls, names=DEFAULT_LAWS, **fields) -> PretrainingSetup:
        return cls(laws=tuple(builtin_law(n) for n in names), **fields)


class PretrainingPlan(Result):
    budget_flops: float
    budget_plans: list[ScalingPlan]  # each law's compute-optimal N and D for the budget
    model_plans: list[ScalingPlan] = []  # the setup's N and D under each law (when given)
    isoflop_budgets_flops: list[float]  # the iso-FLOP chart's curves: the budget and 10×, 100×, 1000× less

    @computed_field
    @property
    def budget_pf_days(self) -> float:
        """The budget in PF-days: FLOPs / 8.64e19 (1 PF-day = 1e15 FLOP/s × 86,400 s; Kaplan 2020 §1.3)."""
        return pf_days(self.budget_flops)


@lru_cache(maxsize=64)
def pretraining_plan(setup: PretrainingSetup) -> PretrainingPlan:
    """Each law's compute-optimal split of the budget (and the setup's N and D against it), with time and cost."""
    hardware = {"gpu": setup.gpu, "gpus": setup.gpus, "mfu": setup.mfu, "price_usd_per_hour": setup.price_usd_per_hour}
    compute = budget_flops(setup.budget_amount, setup.budget_unit, gpu=setup.gpu, mfu=setup.mfu,
                           price_usd_per_hour=setup.price_usd_per_hour)
    laws = list(setup.laws)
    model_plans = [] if setup.params is None else plans_for_laws(laws, params=setup.params, tokens=setup.tokens,
                                                                  **hardware)
    return PretrainingPlan(budget_flops=compute, budget_plans=plans_for_laws(laws, compute_flops=compute, **hardware),
                           model_plans=model_plans, isoflop_budgets_flops=[compute / 10**k for k in (3, 2, 1, 0)])
