"""Pre-train your own model or adapt an existing one? Weighs the Scope answers.

Pre-training (or domain pre-training) pays only when all of these hold (research notes §4):
the domain's vocabulary is far from general text, you own a very large in-domain corpus, the
value justifies compute in the millions of dollars, and governance rules out third-party models.
Otherwise adapt (prompting, PEFT, fine-tuning, RAG). Costs use C = 6·N·D (lifecycle.scaling.compute) with
D = 20 tokens per parameter by default (Chinchilla, Hoffmann et al. 2022). BloombergGPT is the
worked example, with our estimate of its compute next to the reported training time.
"""

from __future__ import annotations

import json
from functools import lru_cache

from pydantic import BaseModel, Field

from lifecycle._typed import Setup
from lifecycle.choices import DataAvailable
from lifecycle.errors import InvalidInput
from lifecycle.limits import MAX_GPUS, MAX_USD_PER_GPU_HOUR
from lifecycle.models.gpus import get_gpu
from lifecycle.resources import data_path
from lifecycle.scaling.compute import (
    DEFAULT_MFU,
    SECONDS_PER_DAY,
    TrainingTime,
    training_flops,
    training_time_and_cost,
)
from lifecycle.scaling.laws import builtin_law, compute_optimal_allocation
from lifecycle.scaling.plan import optimal_band_factor, tokens_per_param_rule

CASES_FILE = data_path("pretrain_cases.json")
CONTROL_CONSTRAINT = "full control of training data"


class Factor(BaseModel):
    factor: str
    leans: str  # "pretrain" | "adapt" | "neutral"
    detail: str


class BloombergCase(BaseModel):
    params: int
    financial_tokens: int
    public_tokens: int
    financial_share: float
    tokens_trained: int
    estimate: TrainingTime  # our 6ND estimate on the reported hardware at the default MFU
    reported_days: float
    implied_mfu: float  # 6ND / (GPUs x peak x reported time)
    source: str
    budget_gpu_hours: float  # the compute budget the model size was chosen for
    budget_flops: float  # that budget at the implied MFU
    chinchilla_params: float  # Chinchilla's compute-optimal N and D for the budget (Approach 1 law)
    chinchilla_tokens: float
    budget_source: str
    tokens_per_param: float  # tokens trained / parameters (Chinchilla's optimum: ~20)
    params_share_of_optimal: float  # N / Chinchilla's N_opt for the budget
    tokens_share_of_optimal: float  # D trained / Chinchilla's D_opt for the budget
    budget_share_spent: float  # 6·N·D of the run / the budget it was sized for
    chinchilla_verdict: str  # where the run sits against Chinchilla's split of its budget, in plain text


class PretrainAdvice(BaseModel):
    recommendation: str  # "adapt" | "continued-pretraining" | "pretrain"
    headline: str
    factors: list[Factor]
    cost: TrainingTime  # pre-training the target size from scratch
    target_params: float
    target_tokens: float
    bloomberg: BloombergCase
    sources: list[str]


@lru_cache(maxsize=1)
def cases() -> dict:
    return json.loads(CASES_FILE.read_text(encoding="utf-8"))


def bloomberg_case(*, mfu: float = DEFAULT_MFU) -> BloombergCase:
    c = cases()["bloomberggpt"]
    flops = training_flops(c["params"], c["tokens_trained"])
    estimate = training_time_and_cost(flops, c["gpu_id"], gpus=c["gpus"], mfu=mfu)
    peak = get_gpu(c["gpu_id"]).peak_flops("bf16")
    implied = flops / (c["gpus"] * peak * c["reported_days"] * SECONDS_PER_DAY)
    # The whole budget at the MFU their run reached: C = GPU-hours x 3600 s x peak x MFU
    budget = c["budget_gpu_hours"] * 3600 * peak * implied
    n_opt, d_opt = compute_optimal_allocation(builtin_law("chinchilla1"), budget)
    n, d = c["params"], c["tokens_trained"]
    shares = {"params_share_of_optimal": n / n_opt, "tokens_share_of_optimal": d / d_opt,
              "budget_share_spent": flops / budget}
    return BloombergCase(params=n, financial_tokens=c["financial_tokens"], public_tokens=c["public_tokens"],
                         financial_share=c["financial_share_of_training_mix"], tokens_trained=d,
                         estimate=estimate, reported_days=c["reported_days"], implied_mfu=implied, source=c["source"],
                         budget_gpu_hours=c["budget_gpu_hours"], budget_flops=budget, chinchilla_params=float(n_opt),
                         chinchilla_tokens=float(d_opt), budget_source=c["budget_source"], tokens_per_param=d / n,
                         **shares, chinchilla_verdict=chinchilla_verdict(
                             params=n, tokens=d, budget_gpu_hours=c["budget_gpu_hours"], budget_flops=budget,
                             optimal_params=float(n_opt), optimal_tokens=float(d_opt), **shares))


def size_against_optimum(share_of_optimal: float) -> str:
    """'at the optimum' within the band that counts as compute-optimal (data/trained_tokens.json: a factor 1.25),
    else how far below or above it."""
    band = optimal_band_factor()
    if 1 / band <= share_of_optimal <= band:
        return f"at the optimum ({share_of_optimal:.0%} of it)"
    return f"{share_of_optimal:.0%} of the optimum ({'below' if share_of_optimal < 1 else 'above'} it)"


def chinchilla_verdict(*, params: float, tokens: float, budget_gpu_hours: float, budget_flops: float,
                       optimal_params: float, optimal_tokens: float, params_share_of_optimal: float,
                       tokens_share_of_optimal: float, budget_share_spent: float) -> str:
    """Where a run sits against Chinchilla's compute-optimal split of the budget it was sized for (plain text)."""
    return (f"The size was chosen for a budget of {budget_gpu_hours / 1e6:.1f}M GPU-hours, {budget_flops:.2e} FLOPs "
            f"at the MFU the run reached. Chinchilla's compute-optimal split of it (Approach 1) is "
            f"{optimal_params / 1e9:.1f}B parameters on {optimal_tokens / 1e9:,.0f}B tokens; the model has "
            f"{params / 1e9:.1f}B parameters, {size_against_optimum(params_share_of_optimal)}, and trained on "
            f"{tokens / 1e9:,.0f}B tokens ({tokens / params:.1f} per parameter), {tokens_share_of_optimal:.0%} of the "
            f"optimal data: 6·N·D spent {budget_share_spent:.0%} of the budget.")


def pretraining_cost(params: float, tokens: float | None = None, *, gpu_id: str = "a100-80gb", gpus: int = 512,
                     mfu: float = DEFAULT_MFU, price_usd_per_hour: float | None = None) -> TrainingTime:
    """Time and cost to pre-train ``params`` on ``tokens`` (default ``tokens_per_param_rule()``: 20 per parameter)."""
    if tokens is None:
        tokens = tokens_per_param_rule() * params
    # mixed precision in the chip's 16-bit format: bf16, or fp16 on V100/T4 (no bf16 tensor cores)
    return training_time_and_cost(training_flops(params, tokens), gpu_id, gpus=gpus, mfu=mfu,
                                  price_usd_per_hour=price_usd_per_hour, precision="half")


def pretrain_advice(*, domain: str = "general", data_available: str | None = None, budget_usd: float | None = None,
                    constraints: list[str] | None = None, target_params: float = 7e9, target_tokens: float | None = None,
                    gpu_id: str = "a100-80gb", gpus: int = 512, mfu: float = DEFAULT_MFU,
                    price_usd_per_hour: float | None = None) -> PretrainAdvice:
    """Recommend adapt, continued pre-training or pre-training, with the factors behind it."""
    if target_params <= 0:
        raise InvalidInput("The target model size must be positive.")
    c = cases()
    tokens = target_tokens if target_tokens is not None else tokens_per_param_rule() * target_params
    cost = pretraining_cost(target_params, tokens, gpu_id=gpu_id, gpus=gpus, mfu=mfu,
                            price_usd_per_hour=price_usd_per_hour)
    bb = bloomberg_case(mfu=mfu)
    factors: list[Factor] = []
    specialised = domain in c["specialised_domains"]
    factors.append(Factor(
        factor="Domain vocabulary", leans="pretrain" if specialised else "adapt",
        detail=(f"{domain} text uses notation far from general web text (tickers and figures, clinical "
                "abbreviations, citations, code), which a general tokenizer and model handle less well."
                if specialised else f"{domain} text is close to what general models were trained on.")))
    big_corpus = data_available == "billions"
    factors.append(Factor(
        factor="In-domain tokens", leans="pretrain" if big_corpus else "adapt",
        detail=(f"You have billions of in-domain tokens. BloombergGPT used {bb.financial_tokens / 1e9:.0f}B "
                f"financial tokens plus {bb.public_tokens / 1e9:.0f}B public ones ({bb.financial_share:.0%} "
                f"financial in the training mix); a {target_params / 1e9:g}B model wants ~{tokens / 1e9:,.0f}B tokens."
                if big_corpus else "Pre-training needs hundreds of billions of tokens for an LLM (billions of words "
                "for an encoder); with less, fine-tune or prompt an existing model.")))
    if budget_usd is None:
        factors.append(Factor(factor="Budget", leans="neutral",
                              detail=f"No budget given; pre-training {target_params / 1e9:g}B costs ~${cost.cost_usd:,.0f}."))
        affordable = False
    else:
        affordable = budget_usd >= cost.cost_usd
        if cost.cost_usd <= 0:  # GPU time priced at $0 (e.g. hardware already owned)
            share = "covers it: the GPU time is priced at $0"
        else:
            share = (f"covers it {budget_usd / cost.cost_usd:,.1f} times" if affordable
                     else f"covers {budget_usd / cost.cost_usd:.0%} of it")
        factors.append(Factor(
            factor="Budget", leans="pretrain" if affordable else "adapt",
            detail=f"Pre-training {target_params / 1e9:g}B on {tokens / 1e9:,.0f}B tokens costs ~${cost.cost_usd:,.0f} "
                   f"of GPU time ({cost.days:,.1f} days on {cost.gpus} x {cost.gpu_id} at "
                   f"${cost.price_usd_per_hour:g}/GPU-hour, MFU {cost.mfu:.0%}); data work, staff and failed runs "
                   f"come on top. Your budget of ${budget_usd:,.0f} {share}."))
    control = CONTROL_CONSTRAINT in (constraints or [])
    on_prem = any(x in (constraints or []) for x in ("on-premise", "data must stay in-house"))
    factors.append(Factor(
        factor="Need for control", leans="pretrain" if control else "neutral",
        detail=("You need full control of what the model was trained on: only your own pre-training gives that."
                if control else "On-premise serving is met by open-weight models you host; no pre-training needed."
                if on_prem else "No governance constraint rules out adapting an existing model.")))
    if specialised and big_corpus and affordable:
        rec, headline = "pretrain", (f"Pre-train (or domain-pre-train) your own {target_params / 1e9:g}B model: "
                                     "specialised vocabulary, a large in-domain corpus and the budget all hold.")
    elif specialised and big_corpus:
        rec, headline = "continued-pretraining", ("Continue pre-training an existing model on your in-domain "
                                                  "text, then fine-tune: full pre-training is beyond the budget.")
    else:
        rec, headline = "adapt", ("Adapt an existing foundation model (prompting, PEFT/LoRA, fine-tuning, RAG): "
                                  "the conditions that justify pre-training do not all hold.")
    sources = [bb.source, c["pubmedbert"]["source"], c["adapt_default"]["source"], c["chinchilla_source"],
               "C = 6·N·D (Kaplan et al. 2020, Sec. 2.1) via lifecycle.scaling.compute"]
    return PretrainAdvice(recommendation=rec, headline=headline, factors=factors, cost=cost,
                          target_params=target_params, target_tokens=tokens, bloomberg=bb, sources=sources)


class PretrainDecisionSetup(Setup):
    """The answers that decide between adapting a model, continued pre-training and pre-training one."""

    domain: str = Field("general", max_length=100)
    data_available: DataAvailable | None = None
    budget_usd: float | None = Field(None, ge=0, le=1e12)
    constraints: tuple[str, ...] = Field((), max_length=50)
    target_params: float = Field(7e9, gt=0, le=1e14)
    target_tokens: float | None = Field(None, gt=0, le=1e17)
    gpu: str = Field("a100-80gb", min_length=1, max_length=64)
    gpus: int = Field(512, ge=1, le=MAX_GPUS)
    mfu: float = Field(DEFAULT_MFU, ge=0.001, le=1)
    price_usd_per_hour: float | None = Field(None, ge=0, le=MAX_USD_PER_GPU_HOUR)


@lru_cache(maxsize=64)
def pretrain_decision(setup: PretrainDecisionSetup) -> PretrainAdvice:
    """The pre-train-or-adapt calculator (see ``pretrain_advice``)."""
    return pretrain_advice(domain=setup.domain, data_available=setup.data_available, budget_usd=setup.budget_usd,
                           constraints=list(setup.constraints), target_params=setup.target_params,
                           target_tokens=setup.target_tokens, gpu_id=setup.gpu, gpus=setup.gpus, mfu=setup.mfu,
                           price_usd_per_hour=setup.price_usd_per_hour)
