"""A measured run beside its scenario (Adapt & Align ``measured``): what the plan expected, what the run
measured, the relative error of each, and the MFU the run achieved (``launch.measured`` builds it)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

MAX_RANKS = 4096


def _now() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


class RankPeak(BaseModel):
    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)

    rank: int = Field(ge=0, le=1_000_000)
    peak_allocated_bytes: int | None = Field(None, ge=0, le=10**15)
    peak_reserved_bytes: int | None = Field(None, ge=0, le=10**15)
    device: str = Field("", max_length=200)


class PlanVsActual(BaseModel):
    """One number the plan gave and the run measured; ``error`` = actual / planned − 1."""

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)

    planned: float | None = None
    actual: float | None = None
    error: float | None = None


class MeasuredRun(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_assignment=True, allow_inf_nan=False)

    id: str = Field(default_factory=lambda: uuid.uuid4().hex[:12], min_length=1, max_length=64)
    scenario_id: str = Field(min_length=1, max_length=64)
    scenario_name: str = Field("", max_length=200)
    source: Literal["lifecycle-run-log", "trainer_state"]
    file_name: str = Field("", max_length=300)
    imported_at: datetime = Field(default_factory=_now)
    author: str = Field("", max_length=200)
    device: str = Field("", max_length=200)
    optimizer_steps: int = Field(0, ge=0, le=10**12)
    ranks: list[RankPeak] = Field(default_factory=list, max_length=MAX_RANKS)
    peak_allocated_bytes: PlanVsActual = Field(default_factory=PlanVsActual)  # the largest rank
    peak_reserved_bytes: PlanVsActual = Field(default_factory=PlanVsActual)
    tokens_per_s: PlanVsActual = Field(default_factory=PlanVsActual)
    step_s: PlanVsActual = Field(default_factory=PlanVsActual)
    planned_mfu: float = Field(ge=0, le=1)
    calibrated_mfu: float | None = Field(None, ge=0, le=10)  # planned MFU × actual / planned tokens/s
    notes: list[str] = Field(default_factory=list, max_length=20)
