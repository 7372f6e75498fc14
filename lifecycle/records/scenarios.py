"""Saved scenarios: one calculator run — its typed Setup and the Result computed from it — with a name, an
author and a time. ``Scenario`` is a union discriminated on ``kind``; every consumer (charts, reports,
comparisons) reads typed fields, never guessed dictionary keys.

A version-1 record that could not be recomputed on upgrade is kept whole as a ``LegacyScenario``
(``records.upgrade``): marked, shown as it was saved, never silently dropped.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Annotated, Any, ClassVar, Literal, Union

from pydantic import BaseModel, ConfigDict, Field, field_validator

from lifecycle._typed import Result, Setup
from lifecycle.adapt.advice import AdaptationSetup, PathAdvice, adaptation_advice
from lifecycle.choices import short_title, title
from lifecycle.errors import InvalidInput
from lifecycle.memory.plan import InferencePlan, TrainingPlan, inference_plan, training_plan
from lifecycle.memory.setup import InferenceSetup, TrainingSetup
from lifecycle.models.advice import ArchitectureAdvice, ArchitectureSetup, architecture_advice
from lifecycle.models.prompting import PromptBudget, PromptBudgetSetup, prompt_budget
from lifecycle.records.key_figures import _classifier, _drop_none, _training_lengths, request_lengths
from lifecycle.scaling.pretraining import PretrainingPlan, PretrainingSetup, pretraining_plan
from lifecycle.serving.plan import ServingPlan, ServingSetup, serving_plan
from lifecycle.serving.quantization import QuantizationReport, QuantizationSetup, quantization_report
from lifecycle.serving.sampling import SamplingDemo, SamplingSetup, sampling_demo

SCENARIO_NAME_MAX_CHARS = 200


def _now() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


class _Saved(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_assignment=True)

    id: str = Field(default_factory=lambda: uuid.uuid4().hex[:12], min_length=1, max_length=64)
    name: str = Field(min_length=1, max_length=SCENARIO_NAME_MAX_CHARS)
    created_at: datetime = Field(default_factory=_now)
    author: str = Field("", max_length=200)
    notes: str = Field("", max_length=20_000)
    upgraded_from: dict[str, Any] | None = None  # the version-1 record, verbatim, when this was upgraded from it
    upgrade_note: str = ""

    @field_validator("name")
    @classmethod
    def _name_not_blank(cls, v: str) -> str:
        if not v.strip():
            raise ValueError("scenario name must not be empty")
        return v.strip()


class TrainingScenario(_Saved):
    kind: Literal["training"] = "training"
    words: ClassVar[str] = "training"
    setup: TrainingSetup
    result: TrainingPlan

    def key_inputs(self) -> dict[str, Any]:
        """What was chosen, in the order a reader scans it."""
        x = self.setup
        lora = {"lora_rank": x.lora_rank, "lora_targets": ", ".join(x.lora_targets)} if x.uses_lora else {}
        return _drop_none({"model": x.model.name, "method": title(x.method), **lora,
                           "precision": short_title(x.precision),
                           **_classifier(x.head, x.num_labels), "micro_batch": x.micro_batch,
                           **_training_lengths(x),
                           "gradient_checkpointing": x.grad_checkpointing, "gpu": x.gpu, "gpus": x.gpus,
                           "strategy": title(x.strategy), "cpu_offload": None if x.offload == "none" else title(x.offload),
                           "tp": x.tp if x.tp > 1 else None, "pp": x.pp if x.pp > 1 else None,
                           "training_tokens": x.training_tokens, "mfu": x.mfu,
                           "price_usd_per_hour": x.price_usd_per_hour})

    def key_results(self) -> dict[str, Any]:
        """The numbers a decision rests on."""
        r, est = self.result, self.result.estimate
        t = r.time_and_cost
        return _drop_none({"params": est.params, "trainable_params": est.trainable_params,
                           "peak_allocated_bytes": est.peak_allocated_bytes,
                           "required_bytes": est.required_bytes, "gpu_memory_bytes": r.gpu.memory_bytes if r.gpu else None,
                           "fits": r.fits, "min_gpus": r.min_gpus, "training_flops": r.training_flops,
                           "training_s": t.seconds if t else None, "gpu_hours": t.gpu_hours if t else None,
                           "cost_usd": t.cost_usd if t else None})



class InferenceScenario(_Saved):
    kind: Literal["inference"] = "inference"
    words: ClassVar[str] = "inference memory"
    setup: InferenceSetup
    result: InferencePlan

    def key_inputs(self) -> dict[str, Any]:
        """What was chosen, in the order a reader scans it."""
        x = self.setup
        return _drop_none({"model": x.model.name, "precision": x.precision,
                           "concurrent_sequences": x.concurrent_sequences,
                           **request_lengths(x.model.family, x.prompt_tokens, x.new_tokens),
                           "tp": x.tp if x.tp > 1 else None, "gpu": x.gpu})

    def key_results(self) -> dict[str, Any]:
        """The numbers a decision rests on."""
        r, est = self.result, self.result.estimate
        return _drop_none({"params": est.params, "peak_allocated_bytes": est.peak_allocated_bytes,
                           "required_bytes": est.required_bytes, "gpu_memory_bytes": r.gpu.memory_bytes if r.gpu else None,
                           "fits": r.fits, "min_gpus": r.min_gpus})



class ServingScenario(_Saved):
    kind: Literal["serving"] = "serving"
    words: ClassVar[str] = "serving"
    setup: ServingSetup
    result: ServingPlan

    def key_inputs(self) -> dict[str, Any]:
        """What was chosen, in the order a reader scans it."""
        x = self.setup
        return _drop_none({"model": x.model.name, "precision": x.precision, "gpu": x.gpu, "gpus": x.gpus,
                           "concurrent_sequences": x.concurrent_sequences,
                           **request_lengths(x.model.family, x.prompt_tokens, x.new_tokens),
                           "engine": x.engine, "price_usd_per_hour": x.price_usd_per_hour})

    def key_results(self) -> dict[str, Any]:
        """The numbers a decision rests on."""
        r = self.result
        memory = {"memory_total_bytes": r.memory_total_bytes, "gpu_memory_bytes": r.gpu_memory_bytes,
                  "fits": r.fits, "max_batch": r.max_batch}
        if r.new_tokens == 0:  # an encoder answers requests; it writes no tokens, so it is not read in tokens/s
            return _drop_none({**memory, "requests_per_s": r.requests_per_s, "p95_latency_s": r.p95_latency_s,
                               "replicas_for_throughput": r.replicas_for_throughput,
                               "cost_per_thousand_requests_usd": r.cost_per_thousand_requests_usd})
        return _drop_none({**memory, "max_context_tokens": r.max_context,
                           "time_to_first_token_s": r.prefill_s, "request_latency_s": r.request_latency_s,
                           "decode_tokens_per_s": r.decode_tokens_per_s,
                           "throughput_tokens_per_s": r.throughput_tokens_per_s,
                           "requests_per_s": r.requests_per_s,
                           "replicas_for_throughput": r.replicas_for_throughput,
                           "cost_per_million_output_tokens_usd": r.cost_per_million_output_tokens_usd,
                           "cost_per_million_tokens_usd": r.cost_per_million_tokens_usd,
                           "cost_per_thousand_requests_usd": r.cost_per_thousand_requests_usd})



class PretrainingScenario(_Saved):
    kind: Literal["pretraining"] = "pretraining"
    words: ClassVar[str] = "pre-training"
    setup: PretrainingSetup
    result: PretrainingPlan

    def key_inputs(self) -> dict[str, Any]:
        """What was chosen, in the order a reader scans it."""
        x = self.setup
        return _drop_none({"laws": [law.label for law in x.laws], "budget": f"{x.budget_amount:.4g} {x.budget_unit}",
                           "params": x.params, "training_tokens": x.tokens, "gpu": x.gpu, "gpus": x.gpus,
                           "mfu": x.mfu, "price_usd_per_hour": x.price_usd_per_hour})

    def key_results(self) -> dict[str, Any]:
        """The numbers a decision rests on."""
        out: dict[str, Any] = {"budget_flops": self.result.budget_flops}
        for p in self.result.budget_plans:
            out[f"{p.law} params"] = p.params
            out[f"{p.law} training_tokens"] = p.tokens
            if p.days is not None:
                out[f"{p.law} training_days"] = p.days
            if p.cost_usd is not None:
                out[f"{p.law} cost_usd"] = p.cost_usd
        return out



class PromptBudgetScenario(_Saved):
    kind: Literal["prompt_budget"] = "prompt_budget"
    words: ClassVar[str] = "prompt budget"
    setup: PromptBudgetSetup
    result: PromptBudget

    def key_inputs(self) -> dict[str, Any]:
        """What was chosen, in the order a reader scans it."""
        x = self.setup
        return _drop_none({"model": x.model.name, "examples": len(x.examples), "input_tokens": x.input_tokens,
                           "output_tokens": x.output_tokens})

    def key_results(self) -> dict[str, Any]:
        """The numbers a decision rests on."""
        r = self.result
        return {"context_tokens": r.context_tokens, "exact_count": r.exact,
                "examples_that_fit": r.max_examples_given_fit,
                "examples_of_this_length_that_fit": r.max_examples_typical_fit, "room_left_tokens": r.room_left_tokens}



class SamplingScenario(_Saved):
    kind: Literal["sampling"] = "sampling"
    words: ClassVar[str] = "generation settings"
    setup: SamplingSetup
    result: SamplingDemo

    def key_inputs(self) -> dict[str, Any]:
        """What was chosen, in the order a reader scans it."""
        x = self.setup
        return _drop_none({"temperature": x.temperature, "top_k": x.top_k, "top_p": x.top_p, "seed": x.seed,
                           "samples": x.samples, "vocabulary": len(x.distribution)})

    def key_results(self) -> dict[str, Any]:
        """The numbers a decision rests on."""
        t = self.result.transformed
        kept = sorted((p, tok) for tok, p, k in zip(t.tokens, t.final, t.kept) if k)[::-1][:5]
        return {"kept_tokens": t.kept_count, "greedy": t.greedy,
                "most_likely_after": ", ".join(f"{tok} {p:.2f}" for p, tok in kept)}



class QuantizationScenario(_Saved):
    kind: Literal["quantization"] = "quantization"
    words: ClassVar[str] = "quantisation"
    setup: QuantizationSetup
    result: QuantizationReport

    def key_inputs(self) -> dict[str, Any]:
        """What was chosen, in the order a reader scans it."""
        x = self.setup
        return _drop_none({"model": x.model.name if x.model else None, "params": x.params})

    def key_results(self) -> dict[str, Any]:
        """The numbers a decision rests on."""
        return {f"{row.format.lower()}_weights_bytes": row.weights_bytes for row in self.result.formats}



class ArchitectureScenario(_Saved):
    kind: Literal["architecture"] = "architecture"
    words: ClassVar[str] = "architecture advice"
    setup: ArchitectureSetup
    result: ArchitectureAdvice

    def key_inputs(self) -> dict[str, Any]:
        """What was chosen, in the order a reader scans it."""
        return {"tasks": list(self.setup.tasks)}

    def key_results(self) -> dict[str, Any]:
        """The numbers a decision rests on."""
        r = self.result
        return {"family": r.recommendation.family_name, "example_models": r.recommendation.example_models,
                "many_tasks_or_one": r.scale.headline}



class AdaptationScenario(_Saved):
    kind: Literal["adaptation"] = "adaptation"
    words: ClassVar[str] = "adaptation path"
    setup: AdaptationSetup
    result: PathAdvice

    def key_inputs(self) -> dict[str, Any]:
        """What was chosen, in the order a reader scans it."""
        x = self.setup
        return _drop_none({"tasks": list(x.tasks), "data_available": x.data_available,
                           "model": x.model.name if x.model else None, "gpu": x.gpu, "gpus": x.gpus,
                           "training_examples": x.training_examples, "tokens_per_example": x.tokens_per_example,
                           "epochs": x.epochs, "budget_usd": x.budget_usd})

    def key_results(self) -> dict[str, Any]:
        """The numbers a decision rests on."""
        primary = next((o for o in self.result.options if o.id == self.result.primary), None)
        sized = primary.sizing if primary is not None else None
        return _drop_none({"recommended": self.result.primary, "path": " → ".join(self.result.path),
                           "gpus": sized.gpus if sized and sized.gpus else None,
                           "training_s": sized.seconds if sized and sized.seconds else None,
                           "cost_usd": sized.cost_usd if sized and sized.cost_usd else None})



class LegacyScenario(_Saved):
    """A version-1 record whose inputs were not complete enough to recompute: its values, kept as saved."""

    kind: Literal["legacy"] = "legacy"
    words: ClassVar[str] = "version-1"
    original_kind: str = Field(max_length=100)
    inputs: dict[str, Any] = {}
    results: dict[str, Any] = {}
    reason: str = ""

    def key_inputs(self) -> dict[str, Any]:
        """What was chosen, in the order a reader scans it."""
        return dict(self.inputs)

    def key_results(self) -> dict[str, Any]:
        """The numbers a decision rests on."""
        return dict(self.results)



# Every kind of scenario, once: the union below, ``KINDS`` and tests/unit/test_scenario_kinds.py read this tuple.
SCENARIO_CLASSES: tuple[type[_Saved], ...] = (
    TrainingScenario, InferenceScenario, ServingScenario, PretrainingScenario, PromptBudgetScenario,
    SamplingScenario, QuantizationScenario, ArchitectureScenario, AdaptationScenario, LegacyScenario,
)
Scenario = Annotated[Union[SCENARIO_CLASSES], Field(discriminator="kind")]  # noqa: UP007  (a union built from a tuple)

# setup class -> (scenario class, the one function from setup to result)
CALCULATORS: dict[type[Setup], tuple[type[_Saved], Any]] = {
    TrainingSetup: (TrainingScenario, training_plan),
    InferenceSetup: (InferenceScenario, inference_plan),
    ServingSetup: (ServingScenario, serving_plan),
    PretrainingSetup: (PretrainingScenario, pretraining_plan),
    PromptBudgetSetup: (PromptBudgetScenario, prompt_budget),
    SamplingSetup: (SamplingScenario, sampling_demo),
    QuantizationSetup: (QuantizationScenario, quantization_report),
    ArchitectureSetup: (ArchitectureScenario, architecture_advice),
    AdaptationSetup: (AdaptationScenario, adaptation_advice),
}
KINDS: tuple[str, ...] = tuple(cls.model_fields["kind"].default for cls in SCENARIO_CLASSES)


def calculate(setup: Setup) -> Result:
    """The one function of ``setup``'s calculator."""
    try:
        return CALCULATORS[type(setup)][1](setup)
    except KeyError:
        raise InvalidInput(f"No calculator takes a {type(setup).__name__}.") from None


def make_scenario(setup: Setup, *, name: str, author: str = "", result: Result | None = None, **fields) -> Scenario:
    """A scenario of the right kind for ``setup``; its result is computed unless the caller already has it."""
    if type(setup) not in CALCULATORS:
        raise InvalidInput(f"No calculator takes a {type(setup).__name__}.")
    cls, fn = CALCULATORS[type(setup)]
    try:
        return cls(name=name, author=author, setup=setup, result=result if result is not None else fn(setup), **fields)
    except ValueError as exc:  # pydantic's ValidationError is a ValueError: the name or author
        from pydantic import ValidationError

        from lifecycle._typed import one_line

        raise InvalidInput(one_line(exc) if isinstance(exc, ValidationError) else str(exc)) from None
