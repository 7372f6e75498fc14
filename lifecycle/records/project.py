"""The project record: one pydantic model per lifecycle stage, plus saved scenarios.

A project is stored as one JSON document (``Project.model_dump(mode="json")``) in
the ``projects`` table; every save also writes a revision with the full document.
``SCHEMA_VERSION`` is bumped whenever a field changes meaning, and ``upgrade_document``
turns an older document into the current shape so old exports and revisions stay readable.
"""

from __future__ import annotations

import unicodedata
from datetime import UTC, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

from lifecycle.adapt.evaluation import EvalTarget
from lifecycle.choices import DataAvailable, TrainingHead, TrainPrecision
from lifecycle.errors import InvalidInput
from lifecycle.limits import MAX_GPUS, MAX_TOKENS
from lifecycle.records.measured import MeasuredRun
from lifecycle.records.plan import GenerationSettings
from lifecycle.records.scenarios import Scenario

# 2: typed scenarios (setup + result, discriminated on kind); 3: the plan's pointers (records/plan.py)
SCHEMA_VERSION = 3
NAME_MAX_CHARS = 200

STAGES: tuple[str, ...] = ("scope", "select", "adapt", "integrate")
STAGE_TITLES: dict[str, str] = {
    "scope": "Scope",
    "select": "Select",
    "adapt": "Adapt & Align",
    "integrate": "Integrate",
}
# What each stage decides, in one line: shown on the stage pages and in reports.
STAGE_PURPOSE: dict[str, str] = {
    "scope": "Define the use case: the task(s), domain, lengths, quality bar, latency and data available.",
    "select": "Choose an existing foundation model to start from, or decide to pre-train your own.",
    "adapt": "Adapt and align the model (prompting, LoRA/QLoRA, full fine-tuning, RLHF/DPO) "
    "and decide how to evaluate it.",
    "integrate": "Serve the model: precision, GPUs, throughput, cost, and the optimisations "
    "and augmentations around it.",
}

def utc_now() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


def normalise_name(name: str) -> str:
    """One spelling per name: Unicode NFC ("Café" typed either way is one name), without the invisible
    format characters (bidi overrides such as U+202E, zero-width spaces) that make two names look alike."""
    text = unicodedata.normalize("NFC", name)
    return "".join(ch for ch in text if unicodedata.category(ch) != "Cf")


def validate_name(name: str) -> str:
    """Project names are stored as typed, normalised (``normalise_name``), non-blank and of a sane length."""
    if not isinstance(name, str):
        raise InvalidInput("Project name must be text.")
    name = normalise_name(name)
    if not name.strip():
        raise InvalidInput("Project name must not be empty.")
    if len(name) > NAME_MAX_CHARS:
        raise InvalidInput(f"Project name is {len(name)} characters long; the limit is {NAME_MAX_CHARS}.")
    if "\x00" in name:
        raise InvalidInput("Project name must not contain NUL (\\x00) characters.")
    if name.strip().isascii() and name.strip().isdigit():
        raise InvalidInput(f"Project name {name.strip()!r} is only digits, which reads as a project id; add a word.")
    return name.strip()


def validate_text(field: str, value: str, max_chars: int | None = None) -> str:
    """Free text stored in its own column: no NUL (PostgreSQL refuses it) and, where the column has
    a width, no longer than it."""
    if "\x00" in value:
        raise InvalidInput(f"The {field} must not contain NUL (\\x00) characters.")
    if max_chars is not None and len(value) > max_chars:
        raise InvalidInput(f"The {field} is {len(value)} characters long; the limit is {max_chars}.")
    return value


class _Record(BaseModel):
    # Unknown keys are kept (not dropped) so a newer export read by an older app loses nothing; a number
    # is never NaN or infinite (no page could show it, no JSON export could write it).
    model_config = ConfigDict(extra="allow", validate_assignment=True, allow_inf_nan=False)


class StageSection(_Record):
    """Fields every stage shares: free notes, extra decisions, saved scenarios."""

    notes: str = ""
    decisions: dict[str, Any] = Field(default_factory=dict)
    scenarios: list[Scenario] = Field(default_factory=list)
    saved_at: datetime | None = None

    def has_decisions(self) -> bool:
        return self.saved_at is not None


# One set of bounds per number the team states: the document refuses what lies outside, the widgets offer
# exactly this range, and an import is checked against it (a value a page cannot show is never stored).
LIMITS: dict[str, tuple[float, float]] = {
    "input_tokens": (0, MAX_TOKENS), "output_tokens": (0, MAX_TOKENS), "latency_ms_p95": (0, 3_600_000),
    "throughput_rps": (0, 1_000_000), "budget_usd": (0, 1e12), "gpu_count": (1, MAX_GPUS),
    "training_examples": (0, 10**12), "tokens_per_example": (1, 10**7), "epochs": (0.1, 1_000),
    "num_labels": (1, 1_000_000),
}


def _within(field: str):
    low, high = LIMITS[field]
    return Field(default=None, ge=low, le=high)


class ScopeStage(StageSection):
    use_case: str = ""
    tasks: list[str] = Field(default_factory=list)  # Hugging Face task tags
    domain: str = "general"
    languages: list[str] = Field(default_factory=lambda: ["en"])
    input_tokens: int | None = _within("input_tokens")
    output_tokens: int | None = _within("output_tokens")
    quality_bar: str = ""
    latency_ms_p95: float | None = _within("latency_ms_p95")
    throughput_rps: float | None = _within("throughput_rps")
    data_available: DataAvailable | None = None
    constraints: list[str] = Field(default_factory=list)  # e.g. on-premise, open licence
    budget_usd: float | None = _within("budget_usd")
    family: str | None = None  # recommended architecture family, once accepted
    # The team's facts, set once and used as the default of every calculator (records/project_facts.py).
    gpu_id: str | None = None  # the GPU type the team has
    gpu_count: int | None = _within("gpu_count")
    training_examples: int | None = _within("training_examples")
    tokens_per_example: int | None = _within("tokens_per_example")
    epochs: float | None = _within("epochs")
    precision: TrainPrecision | None = None  # the team's preference; serving uses its weight format
    head: TrainingHead | None = None  # what the fine-tune trains on top: a classifier's head (Use case page)
    num_labels: int | None = _within("num_labels")  # the classes of a seq-cls / token-cls head


class SelectStage(StageSection):
    model_id: str | None = None  # catalog id of the chosen model
    pretrain_own: bool = False
    rationale: str = ""

    @field_validator("model_id")
    @classmethod
    def _current_id(cls, value: str | None) -> str | None:
        """A model saved under a former catalog id (merged duplicates) opens under its current id."""
        from lifecycle.models.catalog import canonical_model_id

        return canonical_model_id(value)


class AdaptStage(StageSection):
    adaptation_path: str | None = None  # prompting | lora | qlora | full | rlhf | dpo
    eval_targets: list[EvalTarget] = Field(default_factory=list)
    training_scenario_id: str | None = Field(None, max_length=64)  # the plan's training scenario (records/plan.py)
    # runs measured against a training scenario (lifecycle projects measured); optional: older documents load
    measured: list[MeasuredRun] = Field(default_factory=list)


class IntegrateStage(StageSection):
    precision: str | None = None
    gpu_id: str | None = None
    gpu_count: int | None = Field(default=None, ge=1, le=MAX_GPUS)
    optimize: list[str] = Field(default_factory=list)  # distillation, quantization, pruning
    augment: list[str] = Field(default_factory=list)  # rag, tools, guardrails
    serving_scenario_id: str | None = Field(None, max_length=64)  # the plan's serving scenario (records/plan.py)
    generation: GenerationSettings | None = None  # the plan's decoding settings, from a sampling scenario


class Project(_Record):
    """A project document. ``id`` and ``version`` mirror the database row (None/0 before saving)."""

    schema_version: int = SCHEMA_VERSION
    id: int | None = None
    version: int = 0
    name: str
    description: str = ""
    owner: str = ""
    archived: bool = False
    created_at: datetime = Field(default_factory=utc_now)
    updated_at: datetime = Field(default_factory=utc_now)
    updated_by: str = ""
    scope: ScopeStage = Field(default_factory=ScopeStage)
    select: SelectStage = Field(default_factory=SelectStage)
    adapt: AdaptStage = Field(default_factory=AdaptStage)
    integrate: IntegrateStage = Field(default_factory=IntegrateStage)

    @field_validator("name")
    @classmethod
    def _valid_name(cls, v: str) -> str:
        try:
            return validate_name(v)
        except InvalidInput as exc:
            raise ValueError(str(exc)) from None

    def stage(self, key: str) -> StageSection:
        if key not in STAGES:
            raise InvalidInput(f"Unknown stage {key!r}; expected one of {', '.join(STAGES)}.")
        return getattr(self, key)

    def stage_progress(self) -> dict[str, bool]:
        """Which stages have saved decisions (drives the sidebar and the Projects list)."""
        return {key: self.stage(key).has_decisions() for key in STAGES}

    def content(self) -> dict[str, Any]:
        """The document without database bookkeeping: what export/import round-trips compare."""
        return self.model_dump(mode="json", exclude={"id", "version"})


def upgrade_document(doc: dict[str, Any]) -> dict[str, Any]:
    """Bring a stored or imported document to ``SCHEMA_VERSION`` (see ``records.upgrade``)."""
    from lifecycle.records.upgrade import upgrade_document as upgrade

    return upgrade(doc)
