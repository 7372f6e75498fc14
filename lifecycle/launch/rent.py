"""What to rent for training: GPU type × GPU count × strategy × micro-batch × checkpointing × method, swept with
the vectorised estimator (``memory.grid.training_memory_grid``, equal to ``training_memory`` point by point),
kept where the required memory fits the GPU, priced and timed, ranked by cost and by time with the budget and
the deadline drawn in, and the Pareto front (no other option is both cheaper and faster) marked.

Memory is swept as a grid; each (GPU, count, strategy, method, checkpointing) that fits keeps its largest fitting
micro-batch (the fewest gathers and all-reduces per token), and is timed by the planner's own function
(``memory.plan.training_time``: k·N·D model FLOPs at ``mfu`` of the dense peak, slowed by the communication the
step cannot hide), so a row equals ``training_plan`` for its setup. Of the strategies that fit a (GPU, count,
method, checkpointing), the fastest is kept. The search is bounded by ``MAX_CONFIGURATIONS``.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
from pydantic import Field, model_validator

from lifecycle._typed import Result, Setup
from lifecycle.choices import Method, Strategy
from lifecycle.errors import InvalidInput
from lifecycle.limits import MAX_GLOBAL_BATCH, MAX_TOKENS, MAX_TRAINING_TOKENS
from lifecycle.memory.grid import training_memory_grid
from lifecycle.memory.plan import training_time
from lifecycle.memory.setup import TrainingSetup
from lifecycle.models.gpus import get_gpu, list_gpus
from lifecycle.models.ref import ModelRef
from lifecycle.scaling.compute import DEFAULT_MFU

GPU_COUNTS = (1, 2, 4, 8, 16, 32, 64, 128, 256, 512)
STRATEGIES: tuple[str, ...] = ("ddp", "zero1", "zero2", "zero3", "fsdp")
MICRO_BATCHES = (1, 2, 4, 8, 16, 32)
MAX_CONFIGURATIONS = 20_000_000
MAX_ROWS = 500
PRECISION = {"full": "amp_bf16", "lora": "amp_bf16", "qlora": "int4"}


class RentSetup(Setup):
    """One training run to rent for: the model, its sequence length and tokens, which methods the adaptation
    path allows, and the team's prices ((gpu id, USD per GPU-hour) pairs), budget and deadline."""

    model: ModelRef
    methods: tuple[Method, ...] = ("full", "lora", "qlora")
    seq_len: int = Field(1024, ge=1, le=MAX_TOKENS)
    training_tokens: float = Field(gt=0, le=MAX_TRAINING_TOKENS)
    lora_rank: int = Field(16, ge=1, le=65_536)
    gpus: tuple[str, ...] = ()  # GPU ids (empty: every priced GPU of the catalog)
    gpu_counts: tuple[int, ...] = GPU_COUNTS
    strategies: tuple[Strategy, ...] = STRATEGIES
    micro_batches: tuple[int, ...] = MICRO_BATCHES
    prices: tuple[tuple[str, float], ...] = ()
    mfu: float = Field(DEFAULT_MFU, ge=0.001, le=1)
    budget_usd: float | None = Field(None, ge=0, le=1e12)
    deadline_h: float | None = Field(None, gt=0, le=1e6)
    global_batch: int | None = Field(None, ge=1, le=MAX_GLOBAL_BATCH)  # sequences per step: GPUs x micro-batch <= it

    @model_validator(mode="after")
    def _bounded(self) -> RentSetup:
        if not self.methods or not self.gpu_counts or not self.strategies or not self.micro_batches:
            raise ValueError("the search needs at least one method, GPU count, strategy and micro-batch")
        if any(c < 1 or c > 4096 for c in self.gpu_counts) or any(b < 1 or b > 4096 for b in self.micro_batches):
            raise ValueError("GPU counts and micro-batches must lie between 1 and 4096")
        for gpu_id in self.gpus:
            get_gpu(gpu_id)
        if any(not (0 <= p <= 100_000) for _, p in self.prices):
            raise ValueError("a price per GPU-hour must lie between 0 and 100,000 USD")
        if configurations(self) > MAX_CONFIGURATIONS:
            raise ValueError(f"the search has more than {MAX_CONFIGURATIONS:,} configurations; narrow it")
        return self


class RentOption(Result):
    gpu: str
    gpu_name: str
    gpus: int
    strategy: str
    method: str
    precision: str
    grad_checkpointing: bool
    micro_batch: int
    required_bytes_per_gpu: float
    gpu_memory_bytes: int
    time_s: float
    cost_usd: float
    price_usd_per_hour: float
    other_strategies: list[str] = []  # the strategies that also fit at the same time and cost
    within_budget: bool | None = None
    within_deadline: bool | None = None
    pareto: bool = False


class RentResult(Result):
    configurations_evaluated: int
    fitting: int
    options: list[RentOption]  # the cheapest first (then the fastest), at most MAX_ROWS
    pareto: list[RentOption]  # time vs cost front, fastest first
    cheapest: RentOption | None = None
    fastest: RentOption | None = None
    best_within_limits: RentOption | None = None  # cheapest that meets budget and deadline
    notes: list[str] = []


def _gpus(setup: RentSetup) -> list:
    prices = dict(setup.prices)
    chosen = [get_gpu(g) for g in setup.gpus] if setup.gpus else list_gpus()
    return [g for g in chosen if g.id in prices or not setup.prices]


def configurations(setup: RentSetup) -> int:
    n_gpus = len(setup.gpus) if setup.gpus else len(list_gpus())
    return (n_gpus * len(setup.gpu_counts) * len(setup.strategies) * len(setup.micro_batches) * 2
            * len(setup.methods))


def _precision_and_peak(gpu, method: str) -> tuple[str, float | None]:
    """The training precision on this chip and its dense FLOP/s: mixed bf16 where the chip has bf16 tensor
    cores, else mixed fp16 (V100, T4: the same bytes per value); QLoRA's int4 base computes in 16 bits."""
    if method == "qlora":
        return "int4", gpu.peak_flops("half")
    for precision, compute in (("amp_bf16", "bf16"), ("amp_fp16", "fp16")):
        try:
            return precision, gpu.peak_flops(compute)
        except InvalidInput:
            continue
    return PRECISION[method], None


@lru_cache(maxsize=64)  # a Setup is hashable and a Result frozen: a page rerun reuses the search
def rent_search(setup: RentSetup) -> RentResult:
    """Every configuration that fits, priced and timed; the cheapest, the fastest and the Pareto front."""
    prices = dict(setup.prices)
    gpus = _gpus(setup)
    counts = np.asarray(setup.gpu_counts)
    batches = np.asarray(setup.micro_batches, dtype=float)
    rows: list[dict] = []
    for method in setup.methods:
        for ckpt in (False, True):
            base = TrainingSetup(model=setup.model, method=method, precision=PRECISION[method], lora_rank=setup.lora_rank,
                                 seq_len=setup.seq_len, grad_checkpointing=ckpt, mfu=setup.mfu)
            grid = training_memory_grid(base, batches=batches, seqs=[setup.seq_len], gpu_counts=counts,
                                        strategies=setup.strategies)
            required = grid["required_bytes"][..., 0]  # (strategy, count, batch)
            for gpu in gpus:
                precision, peak = _precision_and_peak(gpu, method)
                if peak is None:
                    continue
                price = prices.get(gpu.id, gpu.price_usd_per_hour)
                fits = required <= gpu.memory_bytes  # NaN (invalid pairs) compares False
                if setup.global_batch is not None:  # no more sequences in flight than the global batch holds
                    fits &= (counts[:, None] * batches[None, :] <= setup.global_batch)[None, :, :]
                any_fit = fits.any(axis=2)
                largest = np.where(fits, np.arange(len(batches))[None, None, :], -1).max(axis=2)
                for i, j in zip(*np.nonzero(any_fit), strict=True):
                    k = int(largest[i, j])
                    timed = training_time(base.vary(
                        micro_batch=int(batches[k]), gpus=int(counts[j]), strategy=str(setup.strategies[i]),
                        precision=precision, gpu=gpu.id, training_tokens=setup.training_tokens,
                        price_usd_per_hour=float(price)), gpu)
                    if timed is None:
                        continue
                    time_s, cost = timed.seconds, timed.cost_usd
                    rows.append({"gpu": gpu.id, "gpu_name": gpu.name, "gpus": int(counts[j]),
                                 "strategy": str(setup.strategies[i]), "method": method, "precision": precision,
                                 "grad_checkpointing": ckpt, "micro_batch": int(batches[k]),
                                 "required_bytes_per_gpu": float(required[i, j, k]), "gpu_memory_bytes": gpu.memory_bytes,
                                 "time_s": float(time_s), "cost_usd": float(cost), "price_usd_per_hour": float(price)})
    rows = _one_per_strategy_group(rows, setup.strategies)
    for r in rows:
        r["within_budget"] = None if setup.budget_usd is None else r["cost_usd"] <= setup.budget_usd
        r["within_deadline"] = None if setup.deadline_h is None else r["time_s"] <= setup.deadline_h * 3600
    front = pareto_indices([r["time_s"] for r in rows], [r["cost_usd"] for r in rows])
    for i in front:
        rows[i]["pareto"] = True
    method_rank = {m: i for i, m in enumerate(setup.methods)}
    order = sorted(range(len(rows)), key=lambda i: (round(rows[i]["cost_usd"], 2), rows[i]["gpus"], rows[i]["time_s"],
                                                     method_rank[rows[i]["method"]]))
    options = [RentOption(**rows[i]) for i in order]
    ok = [o for o in options if o.within_budget is not False and o.within_deadline is not False]
    notes = [] if rows else ["Nothing fits on the GPUs searched: add larger counts, offload or another method."]
    return RentResult(configurations_evaluated=configurations(setup), fitting=len(rows), options=options[:MAX_ROWS],
                      pareto=sorted((RentOption(**rows[i]) for i in front), key=lambda o: (o.time_s, o.cost_usd)),
                      cheapest=options[0] if options else None,
                      fastest=min(options, key=lambda o: (o.time_s, round(o.cost_usd, 2))) if options else None,
                      best_within_limits=ok[0] if ok else None, notes=notes)


def _one_per_strategy_group(rows: list[dict], strategies) -> list[dict]:
    """One row per (GPU, count, method, checkpointing): the fastest strategy that fits (ties: the earlier in
    ``strategies``, DDP before ZeRO before FSDP), the others listed on its row."""
    groups: dict[tuple, dict] = {}
    rank = {s: i for i, s in enumerate(strategies)}
    for r in sorted(rows, key=lambda r: (r["time_s"], rank[r["strategy"]])):
        key = (r["gpu"], r["gpus"], r["method"], r["grad_checkpointing"])
        if key in groups:
            groups[key]["other_strategies"].append(r["strategy"])
        else:
            groups[key] = {**r, "other_strategies": []}
    return list(groups.values())


def pareto_indices(times: list[float], costs: list[float]) -> list[int]:
    """Indices of the options no other option beats on both time and cost (ties: the first kept)."""
    cents = [round(c, 2) for c in costs]  # equal to the cent is equal: the faster one stays
    order = sorted(range(len(times)), key=lambda i: (times[i], cents[i]))
    front, best_cost = [], float("inf")
    for i in order:
        if cents[i] < best_cost:
            front.append(i)
            best_cost = cents[i]
    return front


def option_setup(setup: RentSetup, option: RentOption) -> TrainingSetup:
    """The training setup of one row: what "use as plan" saves."""
    return TrainingSetup(model=setup.model, method=option.method, precision=option.precision,
                         lora_rank=setup.lora_rank, seq_len=setup.seq_len, micro_batch=option.micro_batch,
                         grad_checkpointing=option.grad_checkpointing, gpus=option.gpus, strategy=option.strategy,
                         gpu=option.gpu, training_tokens=setup.training_tokens, mfu=setup.mfu,
                         price_usd_per_hour=option.price_usd_per_hour)
