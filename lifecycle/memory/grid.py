"""``training_memory`` over a whole grid (strategy × GPU count × micro-batch × sequence length) with numpy.

Activation memory is linear in the micro-batch and a quadratic polynomial in the sequence length (tokens
times per-token bytes, plus attention scores ~ s²), so we read each component's three coefficients from
``activation_bytes`` at s = 1, 2, 3 and evaluate the whole grid at once; model states depend only on the
strategy and GPU count. The result equals ``training_memory`` point by point (tests/unit/test_memory_grid.py).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from lifecycle.errors import InvalidInput, LifecycleError
from lifecycle.memory.estimate import activation_bytes, training_step_parts
from lifecycle.memory.overheads import CUDA_CONTEXT_BYTES, SLACK_FRACTION, SLACK_FRACTION_CHECKPOINTING
from lifecycle.memory.precision import storage_precision
from lifecycle.memory.setup import TrainingSetup

MAX_GRID_POINTS = 50_000_000  # 400 MB per float64 array: the most one sweep may allocate
COMPONENTS = ("embeddings and head", "logits and loss", "checkpointed block inputs", "recomputed block",
              "activations", "attention scores")


def _seq_coefficients(setup: TrainingSetup, targets: set[str]) -> dict[str, np.ndarray]:
    """Per component, (c0, c1, c2) with bytes(b=1, s) = c0 + c1·s + c2·s²."""
    samples = {}
    for s in (1, 2, 3):
        t = setup.target_len or (128 if setup.model.family == "encoder-decoder" else s)
        samples[s] = activation_bytes(setup.model_copy(update={"micro_batch": 1, "seq_len": s, "target_len": t}), targets)
    vandermonde = np.array([[1, s, s * s] for s in (1, 2, 3)], dtype=float)
    return {name: np.linalg.solve(vandermonde, np.array([samples[s][name] for s in (1, 2, 3)], dtype=float))
            for name in COMPONENTS}


def training_memory_grid(setup: TrainingSetup, *, batches, seqs, gpu_counts,
                         strategies: Sequence[str] = ("ddp",)) -> dict[str, np.ndarray]:
    """Peak allocated and required bytes per GPU of ``setup`` with its micro-batch, sequence length, GPU count
    and strategy swept over the grid; arrays shaped (strategy, gpus, batch, seq).

    Invalid (strategy, GPU count) pairs — e.g. a count that is not a multiple of tp·pp — are NaN.
    """
    batches = np.asarray(batches, dtype=float)
    seqs = np.asarray(seqs, dtype=float)
    if batches.ndim != 1 or seqs.ndim != 1 or (batches < 1).any() or (seqs < 1).any():
        raise InvalidInput("batches and seqs must be 1-D lists of values >= 1.")
    if batches.size * seqs.size * len(gpu_counts) * len(strategies) > MAX_GRID_POINTS:
        raise InvalidInput(f"The grid has more than {MAX_GRID_POINTS:,} points; sweep fewer values.")
    shape, tp = setup.model.shape, setup.tp
    probe = training_step_parts(setup.model_copy(update={"gpus": setup.tp * setup.pp, "strategy": "ddp",
                                                         "offload": "none"}))
    s = seqs[None, :]
    b = batches[:, None]
    by_dtype: dict[str, tuple] = {}  # a sharded mixed-precision run computes in 16 bits: its own activations

    def activations(strategy_setup: TrainingSetup) -> tuple:
        key = storage_precision(strategy_setup)
        if key not in by_dtype:
            coeffs = _seq_coefficients(strategy_setup, probe.targets)
            acts = {name: np.floor(b * (coeffs[name][0] + coeffs[name][1] * s + coeffs[name][2] * s * s) / tp)
                    for name in COMPONENTS}  # (batch, seq), split by tp like training_memory
            by_dtype[key] = (acts, sum(acts[n] for n in COMPONENTS if n != "recomputed block"),
                             np.floor(acts["checkpointed block inputs"] / max(shape.layers, 1)))
        return by_dtype[key]

    shape_out = (len(strategies), len(gpu_counts), len(batches), len(seqs))
    allocated = np.full(shape_out, np.nan)
    resident = np.zeros(shape_out[:2] + (1, 1))  # what does not fragment (estimate.StepParts.resident)
    for i, strategy in enumerate(strategies):
        for j, gpus in enumerate(gpu_counts):
            try:
                here = setup.model_copy(update={"gpus": int(gpus), "strategy": strategy})
                parts = training_step_parts(here)
            except LifecycleError:
                continue
            acts, dynamic, ckpt_inputs_per_layer = activations(here)
            static = sum(parts.static.values())
            phases = [static + dynamic + parts.copies,
                      np.full_like(dynamic, static + parts.grads + parts.temp)]
            if setup.grad_checkpointing:
                phases.append(static + parts.grads + acts["recomputed block"] + parts.block_copies + ckpt_inputs_per_layer
                              + parts.block_backward)
            allocated[i, j] = np.maximum.reduce(phases)
            resident[i, j] = parts.resident
    slack = SLACK_FRACTION_CHECKPOINTING if setup.grad_checkpointing else SLACK_FRACTION
    reserved = np.floor(allocated + slack * np.maximum(allocated - resident, 0))
    return {"peak_allocated_bytes": allocated, "peak_reserved_bytes": reserved,
            "required_bytes": reserved + CUDA_CONTEXT_BYTES, "strategies": np.array(strategies),
            "gpu_counts": np.asarray(gpu_counts), "batches": batches, "seqs": seqs}
