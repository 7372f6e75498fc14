"""The architecture calculator: ``architecture_advice(ArchitectureSetup) -> ArchitectureAdvice`` — which
transformer family suits the tasks and why (``tasks.recommend_architecture``), and whether one large
generalist or a small specialist fits the team's data and latency (``scale_advice``)."""

from __future__ import annotations

from functools import lru_cache

from pydantic import Field, field_validator, model_validator

from lifecycle._typed import Result, Setup
from lifecycle.choices import DataAvailable, WeightFormat
from lifecycle.limits import MAX_TOKENS
from lifecycle.models.gpus import get_gpu
from lifecycle.models.scale_advice import ScaleAdvice, scale_advice
from lifecycle.models.tasks import Recommendation, recommend_architecture, task_ids


class ArchitectureSetup(Setup):
    tasks: tuple[str, ...] = Field(min_length=1, max_length=30)  # Hugging Face task tags
    data_available: DataAvailable | None = None
    latency_ms_p95: float | None = Field(None, ge=0, le=3_600_000)
    input_tokens: int | None = Field(None, ge=0, le=MAX_TOKENS)
    output_tokens: int | None = Field(None, ge=0, le=MAX_TOKENS)
    gpu: str | None = Field(None, min_length=1, max_length=64)  # the team's GPU for the latency check (None: A100)
    precision: WeightFormat = "bf16"  # the weights the latency check reads per token

    @field_validator("tasks")
    @classmethod
    def _known(cls, tasks: tuple[str, ...]) -> tuple[str, ...]:
        known = set(task_ids())
        unknown = [t for t in tasks if t not in known]
        if unknown:
            raise ValueError(f"unknown task tag {unknown[0]!r}; see `lifecycle recommend --help` for the tags")
        return tuple(dict.fromkeys(tasks))  # each task once, in the order given


    @model_validator(mode="after")
    def _gpu_known(self) -> ArchitectureSetup:
        if self.gpu is not None:
            get_gpu(self.gpu)
        return self


class ArchitectureAdvice(Result):
    recommendation: Recommendation
    scale: ScaleAdvice


@lru_cache(maxsize=64)
def architecture_advice(setup: ArchitectureSetup) -> ArchitectureAdvice:
    """The family for the tasks (with reasons, alternatives, example models) and specialist-or-generalist."""
    return ArchitectureAdvice(
        recommendation=recommend_architecture(list(setup.tasks), setup.input_tokens, setup.output_tokens),
        scale=scale_advice(list(setup.tasks), data_available=setup.data_available,
                           latency_ms_p95=setup.latency_ms_p95, output_tokens=setup.output_tokens,
                           input_tokens=setup.input_tokens, gpu_id=setup.gpu, precision=setup.precision))
