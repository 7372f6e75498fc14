"""Recommend an adaptation path from the project's Scope answers, with the reasons.

The rules follow the course's ladder (DeepLearning.AI & AWS, 'Generative AI with LLMs', weeks 2-3):
try prompting first; fine-tune (parameter-efficiently first) when prompting misses the bar and
labelled data exists; align with human preferences when the quality bar is about behaviour
(helpful, harmless, tone) rather than task accuracy.
"""

from __future__ import annotations

from functools import lru_cache

from pydantic import BaseModel, Field, model_validator

from lifecycle._typed import Result, Setup
from lifecycle.adapt.path import ALIGNMENT_WORDS, Sizing, get_option, list_options, size_option
from lifecycle.choices import DataAvailable, TrainingHead, TrainPrecision
from lifecycle.errors import LifecycleError
from lifecycle.limits import MAX_TOKENS, MAX_USD_PER_GPU_HOUR
from lifecycle.models.catalog import get_model
from lifecycle.models.gpus import get_gpu
from lifecycle.models.ref import ModelRef
from lifecycle.scaling.compute import DEFAULT_MFU

# Examples implied by each Scope answer for data_available (the planner's defaults; editable in the UI).
EXAMPLES_FOR_DATA = {"none": 0, "few": 100, "thousands": 5_000, "billions": 100_000}
FOUNDATION_DOMAIN = "general"


# A stated number of examples answers "how much labelled data" when the bucket was left unset: at least 500
# labelled examples is enough for parameter-efficient fine-tuning of one task (the "thousands" advice below), and
# a billion tokens of them is the scale of continued pre-training.
MIN_EXAMPLES_FOR_FINE_TUNING = 500
TOKENS_FOR_CONTINUED_PRETRAINING = 1_000_000_000


def implied_data_available(training_examples: int | None, tokens_per_example: int | None) -> DataAvailable | None:
    """The data bucket a team's stated examples (× tokens per example) fall in; None when nothing is stated."""
    if not training_examples:
        return None
    if training_examples * (tokens_per_example or 1) >= TOKENS_FOR_CONTINUED_PRETRAINING:
        return "billions"
    return "thousands" if training_examples >= MIN_EXAMPLES_FOR_FINE_TUNING else "few"


class OptionAdvice(BaseModel):
    id: str
    name: str
    status: str
    reasons: list[str]
    sizing: Sizing | None = None
    over_budget: bool = False
    sizing_error: str = ""


class AdaptationSetup(Setup):
    """The Scope answers the advice reads, and the model, GPU and run each option is sized on."""

    tasks: tuple[str, ...] = Field((), max_length=30)
    use_case: str = Field("", max_length=20_000)
    quality_bar: str = Field("", max_length=2_000)
    constraints: tuple[str, ...] = Field((), max_length=50)
    domain: str = Field("general", max_length=100)
    data_available: DataAvailable | None = None
    budget_usd: float | None = Field(None, ge=0, le=1e12)
    input_tokens: int | None = Field(None, ge=0, le=MAX_TOKENS)
    output_tokens: int | None = Field(None, ge=0, le=MAX_TOKENS)
    model: ModelRef | None = None  # with a GPU: each option is sized and priced
    gpu: str | None = Field(None, min_length=1, max_length=64)
    seq_len: int | None = Field(None, ge=1, le=MAX_TOKENS)  # None: input + output tokens of the Scope answers
    micro_batch: int = Field(4, ge=1, le=4096)
    epochs: float = Field(1.0, gt=0, le=1000)
    mfu: float = Field(DEFAULT_MFU, ge=0.001, le=1)
    price_usd_per_hour: float | None = Field(None, ge=0, le=MAX_USD_PER_GPU_HOUR)
    # The team's facts (Scope → Team facts): None falls back to the data-available bucket and general defaults.
    training_examples: int | None = Field(None, ge=0, le=10**12)
    tokens_per_example: int | None = Field(None, ge=1, le=10**7)
    gpus: int | None = Field(None, ge=1, le=1024)  # the GPUs the team has: options must fit on them
    precision: TrainPrecision = "amp_bf16"
    target_len: int | None = Field(None, ge=1, le=MAX_TOKENS)  # an encoder-decoder's decoder length
    head: TrainingHead | None = None
    num_labels: int = Field(2, ge=1, le=1_000_000)

    @model_validator(mode="after")
    def _gpu_known(self) -> AdaptationSetup:
        if self.gpu is not None:
            get_gpu(self.gpu)
        return self


class PathAdvice(Result):
    primary: str  # the option to save as project.adapt.adaptation_path
    path: list[str]  # the ladder to climb, cheapest first
    reasons: list[str]
    options: list[OptionAdvice]


@lru_cache(maxsize=64)
def adaptation_advice(setup: AdaptationSetup) -> PathAdvice:
    """The adaptation calculator: the recommended ladder with reasons, and every option sized on the GPUs."""
    return recommend_path(setup, model=setup.model, gpu=setup.gpu, seq=setup.seq_len, batch=setup.micro_batch,
                          epochs=setup.epochs, mfu=setup.mfu, price_usd_per_hour=setup.price_usd_per_hour,
                          precision=setup.precision, gpus=setup.gpus, tokens_per_example=setup.tokens_per_example,
                          target_len=setup.target_len, head=setup.head, num_labels=setup.num_labels)


def wants_alignment(scope: AdaptationSetup) -> bool:
    text = " ".join([scope.quality_bar or "", scope.use_case or "", " ".join(scope.constraints)]).lower()
    return "chat" in scope.tasks or any(w in text for w in ALIGNMENT_WORDS)


def recommend_path(scope: AdaptationSetup, *, model=None, gpu=None, seq: int | None = None, **sizing_kwargs) -> PathAdvice:
    """The path and per-option advice; with a model and GPU, each option is sized and priced too."""
    data = scope.data_available or implied_data_available(scope.training_examples, scope.tokens_per_example)
    align = wants_alignment(scope)
    specialised = (scope.domain or FOUNDATION_DOMAIN).strip().lower() not in ("", FOUNDATION_DOMAIN)
    tight = bool(scope.budget_usd is not None and scope.budget_usd < 1_000) or any(
        "single gpu" in c.lower() or "on-prem" in c.lower() for c in scope.constraints)
    reasons: list[str] = ["Start with prompting: it costs no training and sets the baseline to beat."]
    path = ["prompting"]
    if data in (None, "none"):
        reasons.append("No labelled data yet: stay with zero/few-shot prompting and collect a few hundred "
                       "labelled cases to evaluate it (and to fine-tune later if needed).")
    elif data == "few":
        reasons.append("A few labelled examples: use them as few-shot examples; fine-tune with LoRA once a few "
                       "hundred exist and prompting misses the quality bar.")
        path.append("qlora" if tight else "lora")
    elif data == "thousands":
        reasons.append("Thousands of labelled examples: enough for parameter-efficient fine-tuning "
                       "(500–1,000 often suffice for one task).")
        path.append("qlora" if tight else "lora")
        if specialised and not tight:
            reasons.append(f"Domain '{scope.domain}' differs from general text: if LoRA plateaus, full "
                           "fine-tuning lets every weight move.")
            path.append("full")
    else:
        reasons.append("Billions of tokens: enough for full fine-tuning or continued pre-training of the base model.")
        path += ["lora", "full"]
    if tight:
        reasons.append("Tight budget or single-GPU constraint: prefer QLoRA (4-bit base) over LoRA.")
    if align:
        reasons.append("The quality bar is about behaviour (chat, helpfulness, safety or tone): align with human "
                       "preferences — DPO first (one training loop, two models), RLHF with PPO if a reusable "
                       "reward model and online feedback justify four models.")
        if path[-1] == "prompting":
            path.append("lora")  # alignment starts from a supervised fine-tuned model
        path.append("dpo")
    primary = path[-1] if data not in (None, "none") or align else "prompting"
    if data in (None, "none") and align:
        primary = "prompting"
        reasons.append("Alignment needs preference data: collect it before planning DPO or RLHF.")
    family = _family(model)
    if family == "encoder":
        path, primary = ["full"], "full"
        reasons = [("Encoder models are fine-tuned, not prompted or preference-aligned: in-context learning "
                    "and RLHF/DPO act on generated text (Brown et al. 2020), while fine-tuning every weight of a "
                    "BERT-size encoder is the standard recipe (Devlin et al. 2019, arXiv:1810.04805).")]
        if data in (None, "none"):
            reasons.append("No labelled data yet: collect a few thousand labelled examples first.")
    # The team's own count (examples × tokens × epochs) when it states one; else the data-available bucket.
    examples = getattr(scope, "training_examples", None) or EXAMPLES_FOR_DATA.get(data or "none", 0)
    options = [_advise(o.id, path, examples, scope, model, gpu, seq, sizing_kwargs, family) for o in list_options()]
    primary = _primary_that_fits(primary, path, options, reasons)
    return PathAdvice(primary=primary, path=path, reasons=reasons, options=options)


def _primary_that_fits(primary: str, path: list[str], options: list[OptionAdvice], reasons: list[str]) -> str:
    """The recommendation steps down the path to the last option that fits the team's GPUs, saying why."""
    by_id = {o.id: o for o in options}
    sizing = by_id[primary].sizing
    if sizing is None or sizing.fits or primary not in path:
        return primary
    for step in reversed(path[: path.index(primary)]):
        if by_id[step].sizing is not None and by_id[step].sizing.fits:
            where = f"{sizing.team_gpus} GPU(s)" if sizing.team_gpus else "up to 1,024 GPUs"
            reasons.append(f"{by_id[primary].name} does not fit on {where}: plan for {by_id[step].name} first.")
            return step
    return primary


def _family(model) -> str | None:
    if model is None:
        return None
    try:
        return (get_model(model) if isinstance(model, str) else model).family
    except LifecycleError:
        return None


def _advise(option_id, path, examples, scope, model, gpu, seq, sizing_kwargs, family) -> OptionAdvice:
    o = get_option(option_id)
    if family == "encoder" and option_id in ("prompting", "dpo", "rlhf"):
        status, why = "not advised", ["Needs a model that generates text; this is an encoder."]
    elif option_id in path:
        status, why = "recommended", [f"On the recommended path (step {path.index(option_id) + 1} of {len(path)})."]
    elif option_id == "rlhf" and "dpo" in path:
        status, why = "possible", ["An alternative to DPO when a reward model will be reused for online feedback."]
    elif option_id in ("lora", "qlora") and ("lora" in path or "qlora" in path):
        status, why = "possible", ["Swap in if GPU memory decides: QLoRA's 4-bit base needs about a quarter of the weight memory."]
    elif o.trains and examples == 0:
        status, why = "not advised", ["Needs labelled data the project does not have yet."]
    else:
        status, why = "possible", [o.when]
    advice = OptionAdvice(id=o.id, name=o.name, status=status, reasons=why)
    if model is not None and gpu is not None:
        try:
            n = None if option_id == "prompting" or examples == 0 else (
                examples if option_id not in ("dpo", "rlhf") else None)
            sizing = size_option(option_id, model, gpu, examples=n, seq=seq or _scope_seq(scope, family), **sizing_kwargs)
            advice.sizing = sizing
            advice.over_budget = bool(scope.budget_usd is not None and sizing.cost_usd > scope.budget_usd)
            if not sizing.fits:
                advice.reasons.append(_does_not_fit(sizing))
            if sizing.truncated_from:
                advice.reasons.append(
                    f"The Scope's {sizing.truncated_from:,}-token examples exceed this model's {sizing.seq:,}-token "
                    f"window: sized at {sizing.seq:,} tokens, so training would cut every example; choose a "
                    "longer-context model or chunk the examples.")
            if advice.over_budget:
                advice.reasons.append(f"Estimated ${sizing.cost_usd:,.0f} exceeds the ${scope.budget_usd:,.0f} budget.")
        except LifecycleError as exc:
            advice.sizing_error = str(exc)
    return advice


def _does_not_fit(sizing: Sizing) -> str:
    """ "Does not fit — would fit with …": where it fails and the changes that would make it fit."""
    if sizing.gpus == 0:
        where = "even on 1,024 GPUs of this type"
    else:
        where = f"on your {sizing.team_gpus} GPU(s): needs {sizing.gpus}"
    ideas = "; ".join(sizing.would_fit[:3])
    return f"Does not fit {where}" + (f" — would fit with {ideas}." if ideas else ".")


def _scope_seq(scope: AdaptationSetup, family: str | None) -> int:
    """The Scope's training sequence for the model's family: an encoder reads the input only; an
    encoder-decoder's encoder reads the input (its decoder the output); a decoder reads both as one sequence."""
    inputs = scope.input_tokens or 512
    if family in ("encoder", "encoder-decoder"):
        return max(1, inputs)
    return max(1, inputs + (scope.output_tokens if scope.output_tokens is not None else 256))
