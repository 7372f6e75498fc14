"""What the CUDA caching allocator and the driver add on top of tensor memory.

``torch.cuda.max_memory_reserved`` exceeds ``max_memory_allocated`` because the caching allocator keeps
freed blocks for reuse and rounds/splits them (fragmentation). Only memory that is allocated and freed during
the step fragments: activations, gradients, optimizer-step temporaries, recomputed blocks, gathered layers,
KV-cache growth. Weights, optimizer states and (4-bit) quantised bases are allocated once and never freed, so
the slack is a fraction of the *churn* (peak allocated minus what stays allocated between steps, the
measurements' ``steady.allocated``). SLACK_* below are the medians of (reserved - allocated) / churn on
tests/data/h200-measurements.jsonl (the held-out rows give 0.064, 0.53 and 0.25). The CUDA context (driver,
cuBLAS/cuDNN workspaces) is not in either number; the measurements' README puts it at about 0.5 GB, which we
round up to 0.5 GiB.
"""

from __future__ import annotations

import numpy as np

CUDA_CONTEXT_BYTES = 2**29  # 0.5 GiB
# cuBLAS/cuBLASLt workspaces PyTorch allocates through its caching allocator and keeps: the measurements'
# after_weights minus the weights' bytes is 65-66 MiB on every row after the first (median 69,207,040 B)
FRAMEWORK_WORKSPACE_BYTES = 66 * 2**20
SLACK_FRACTION = 0.063  # median (reserved - allocated) / churn, 30 training rows without checkpointing
SLACK_FRACTION_CHECKPOINTING = 0.47  # median of the 5 checkpointing rows (recomputation churns every block)
SLACK_FRACTION_INFERENCE = 0.25  # median of the 7 inference rows (a growing KV cache fragments the pool)


def reserved_bytes(allocated, *, static_bytes=0, grad_checkpointing: bool = False, inference: bool = False):
    """Peak reserved memory predicted from peak allocated memory, of which ``static_bytes`` (weights, optimizer
    states, quantised bases: allocated once, never freed) do not fragment. Ints give an int; numpy arrays
    (``memory.grid``) an array."""
    if inference:
        fraction = SLACK_FRACTION_INFERENCE
    else:
        fraction = SLACK_FRACTION_CHECKPOINTING if grad_checkpointing else SLACK_FRACTION
    reserved = np.floor(allocated + fraction * np.maximum(allocated - static_bytes, 0))
    return reserved if isinstance(reserved, np.ndarray) else int(reserved)
