"""``training_memory`` over a whole grid (strategy × GPU count × micro-batch × sequence length) with numpy.

The grid evaluates the scalar estimator's own pieces, not a copy of its formula: model states come from
``training_step_parts`` once per (strategy, GPU count); saved activations from ``activation_bytes`` once per
sequence length at micro-batch 1 (every activation is a whole multiple of the micro-batch, so the micro-batch's
bytes are that times b, exactly); ``activations_per_gpu``, ``step_phases`` and ``reserved_bytes`` then run on
arrays. The result equals ``training_memory`` point by point, to the byte (tests/unit/test_memory_grid.py).
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import reduce

import numpy as np

from lifecycle.errors import InvalidInput, LifecycleError
from lifecycle.memory.estimate import (
    activation_bytes,
    activations_per_gpu,
    step_phases,
    training_step_parts,
)
from lifecycle.memory.overheads import CUDA_CONTEXT_BYTES, reserved_bytes
from lifecycle.memory.precision import as_mixed, storage_precision
from lifecycle.memory.setup import TrainingSetup

MAX_GRID_POINTS = 50_000_000  # 400 MB per float64 array: the most one sweep may allocate


def _activations(setup: TrainingSetup, targets: set[str], batches: np.ndarray, seqs: np.ndarray) -> dict:
    """Per component, the (batch, seq) array of per-GPU activation bytes, as ``training_memory`` computes them."""
    per_sequence = [activation_bytes(setup.model_copy(update={"micro_batch": 1, "seq_len": int(s)}), targets)
                    for s in seqs]
    whole = {name: batches[:, None] * np.array([row[name] for row in per_sequence], dtype=float)[None, :]
             for name in per_sequence[0]}
    if setup.tp == 1 or setup.tp_plan != "dtensor":
        return activations_per_gpu(setup, whole)
    # DTensor's extras grow with the decoder tokens, which follow the length: one row per length
    rows = [activations_per_gpu(setup.model_copy(update={"seq_len": int(s)}),
                                {name: values[:, m] for name, values in whole.items()}, micro_batch=batches)
            for m, s in enumerate(seqs)]
    return {name: np.stack([row[name] for row in rows], axis=1) for name in whole}


def training_memory_grid(setup: TrainingSetup, *, batches, seqs, gpu_counts,
                         strategies: Sequence[str] = ("ddp",)) -> dict[str, np.ndarray]:
    """Peak allocated and required bytes per GPU of ``setup`` with its micro-batch, sequence length, GPU count
    and strategy swept over the grid; arrays shaped (strategy, gpus, batch, seq).

    Invalid (strategy, GPU count) pairs — e.g. a count that is not a multiple of tp·pp, or the setup's offload
    with DDP — are NaN.
    """
    batches = np.asarray(batches, dtype=float)
    seqs = np.asarray(seqs, dtype=float)
    if batches.ndim != 1 or seqs.ndim != 1 or (batches < 1).any() or (seqs < 1).any():
        raise InvalidInput("batches and seqs must be 1-D lists of values >= 1.")
    if (batches % 1).any() or (seqs % 1).any():
        raise InvalidInput("batches and seqs must be whole numbers.")
    if batches.size * seqs.size * len(gpu_counts) * len(strategies) > MAX_GRID_POINTS:
        raise InvalidInput(f"The grid has more than {MAX_GRID_POINTS:,} points; sweep fewer values.")
    by_dtype: dict[str, dict] = {}  # a sharded mixed-precision run computes in 16 bits: its own activations
    shape_out = (len(strategies), len(gpu_counts), len(batches), len(seqs))
    allocated = np.full(shape_out, np.nan)
    resident = np.zeros(shape_out[:2] + (1, 1))  # what does not fragment (estimate.StepParts.resident)
    for i, strategy in enumerate(strategies):
        for j, gpus in enumerate(gpu_counts):
            try:
                here = setup.vary(gpus=int(gpus), strategy=strategy)
                parts = training_step_parts(here)
            except LifecycleError:
                continue
            key = storage_precision(as_mixed(here))  # what activation_bytes sizes (fp8: bf16 mixed)
            if key not in by_dtype:
                by_dtype[key] = _activations(here, parts.targets, batches, seqs)
            phases = step_phases(parts, by_dtype[key], grad_checkpointing=here.grad_checkpointing,
                                 layers=here.model.shape.layers)
            allocated[i, j] = reduce(np.maximum, (sum(p.values()) for p in phases.values()))
            resident[i, j] = parts.resident
    reserved = reserved_bytes(allocated, static_bytes=resident, grad_checkpointing=setup.grad_checkpointing)
    return {"peak_allocated_bytes": allocated, "peak_reserved_bytes": reserved,
            "required_bytes": reserved + CUDA_CONTEXT_BYTES, "strategies": np.array(strategies),
            "gpu_counts": np.asarray(gpu_counts), "batches": batches, "seqs": seqs}
