"""Saved scenarios: one calculator run — its typed Setup and the Result computed from it — with a name, an
author and a time. ``Scenario`` is a union discriminated on ``kind``; every consumer (charts, reports,
comparisons) reads typed fields, never guessed dictionary keys.

A version-1 record that could not be recomputed on upgrade is kept whole as a ``LegacyScenario``
(``records.upgrade``): marked, shown as it was saved, never silently dropped.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from lifecycle._typed import Result, Setup
from lifecycle.adapt.advice import AdaptationSetup, PathAdvice, adaptation_advice
from lifecycle.errors import InvalidInput
from lifecycle.memory.plan import InferencePlan, TrainingPlan, inference_plan, training_plan
from lifecycle.memory.setup import InferenceSetup, TrainingSetup
from lifecycle.models.advice import ArchitectureAdvice, ArchitectureSetup, architecture_advice
from lifecycle.models.prompting import PromptBudget, PromptBudgetSetup, prompt_budget
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
    setup: TrainingSetup
    result: TrainingPlan


class InferenceScenario(_Saved):
    kind: Literal["inference"] = "inference"
    setup: InferenceSetup
    result: InferencePlan


class ServingScenario(_Saved):
    kind: Literal["serving"] = "serving"
    setup: ServingSetup
    result: ServingPlan


class PretrainingScenario(_Saved):
    kind: Literal["pretraining"] = "pretraining"
    setup: PretrainingSetup
    result: PretrainingPlan


class PromptBudgetScenario(_Saved):
    kind: Literal["prompt_budget"] = "prompt_budget"
    setup: PromptBudgetSetup
    result: PromptBudget


class SamplingScenario(_Saved):
    kind: Literal["sampling"] = "sampling"
    setup: SamplingSetup
    result: SamplingDemo


class QuantizationScenario(_Saved):
    kind: Literal["quantization"] = "quantization"
    setup: QuantizationSetup
    result: QuantizationReport


class ArchitectureScenario(_Saved):
    kind: Literal["architecture"] = "architecture"
    setup: ArchitectureSetup
    result: ArchitectureAdvice


class AdaptationScenario(_Saved):
    kind: Literal["adaptation"] = "adaptation"
    setup: AdaptationSetup
    result: PathAdvice


class LegacyScenario(_Saved):
    """A version-1 record whose inputs were not complete enough to recompute: its values, kept as saved."""

    kind: Literal["legacy"] = "legacy"
    original_kind: str = Field(max_length=100)
    inputs: dict[str, Any] = {}
    results: dict[str, Any] = {}
    reason: str = ""


Scenario = Annotated[
    TrainingScenario | InferenceScenario | ServingScenario | PretrainingScenario | PromptBudgetScenario
    | SamplingScenario | QuantizationScenario | ArchitectureScenario | AdaptationScenario | LegacyScenario,
    Field(discriminator="kind"),
]

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
KINDS: tuple[str, ...] = tuple(cls.model_fields["kind"].default for cls, _ in CALCULATORS.values()) + ("legacy",)


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
