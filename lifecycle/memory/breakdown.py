"""The per-GPU memory breakdown every estimator returns (training and inference alike)."""

from __future__ import annotations

import numpy as np
from pydantic import Field

from lifecycle._typed import Result
from lifecycle.memory.overheads import CUDA_CONTEXT_BYTES


def floor_bytes(value):
    """Whole bytes: ``int`` of a number, ``numpy.floor`` of an array (the grid evaluates the same formulas)."""
    return np.floor(value) if isinstance(value, np.ndarray) else int(value)


class MemoryEstimate(Result):
    """Per-GPU memory. ``components`` are the tensors alive at the peak and sum to ``peak_allocated_bytes``."""

    components: dict[str, int]
    peak_allocated_bytes: int
    peak_reserved_bytes: int
    cuda_context_bytes: int = CUDA_CONTEXT_BYTES
    params: int
    trainable_params: int
    active_params: int | None = None  # parameters one token passes through (a mixture of experts: its top-k)
    peak_phase: str = ""
    phases: dict[str, int] = Field(default_factory=dict)
    cpu_offload_bytes: int = 0
    model_states_bytes: int = 0  # weights + gradients + optimizer states (+ master copies) per GPU, as ZeRO counts them
    paged_bytes: int = 0  # paged optimizer states in unified memory (not in the peak: the driver pages them out)
    notes: list[str] = Field(default_factory=list)

    @property
    def allocator_slack_bytes(self) -> int:
        return self.peak_reserved_bytes - self.peak_allocated_bytes

    @property
    def required_bytes(self) -> int:
        """What the GPU must have free: reserved memory plus the CUDA context (what nvidia-smi shows)."""
        return self.peak_reserved_bytes + self.cuda_context_bytes

    def fits(self, gpu) -> bool:
        """True when reserved memory + CUDA context fit in the GPU's memory (a GPU, or its memory in bytes)."""
        capacity = gpu if isinstance(gpu, (int, float)) else gpu.memory_bytes
        return self.required_bytes <= capacity
