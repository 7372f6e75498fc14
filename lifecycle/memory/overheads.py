"""What the CUDA caching allocator and the driver add on top of tensor memory.

``torch.cuda.max_memory_reserved`` exceeds ``max_memory_allocated`` because the caching allocator keeps
freed blocks for reuse and rounds/splits them (fragmentation). On the H200 measurements in
tests/data/h200-measurements.jsonl the gap is 1-17 % of the peak, larger when gradient checkpointing
recomputes blocks (many short-lived tensors of changing sizes): SLACK_* below are the medians of those rows.
The CUDA context (driver, cuBLAS/cuDNN workspaces) is not in either number; the measurements' README puts it
at about 0.5 GB, which we round up to 0.5 GiB.
"""

from __future__ import annotations

CUDA_CONTEXT_BYTES = 2**29  # 0.5 GiB
# cuBLAS/cuBLASLt workspaces PyTorch allocates through its caching allocator and keeps: the measurements'
# after_weights minus the weights' bytes is 65-66 MiB on every row after the first (median 69,207,040 B)
FRAMEWORK_WORKSPACE_BYTES = 66 * 2**20
SLACK_FRACTION = 0.05  # median (reserved - allocated) / allocated, training rows without checkpointing
SLACK_FRACTION_CHECKPOINTING = 0.22  # median of the checkpointing rows
SLACK_FRACTION_INFERENCE = 0.06  # median of the inference rows (a growing KV cache fragments the pool)


def reserved_bytes(allocated: int, *, grad_checkpointing: bool = False, inference: bool = False) -> int:
    """Peak reserved memory predicted from peak allocated memory."""
    if inference:
        fraction = SLACK_FRACTION_INFERENCE
    else:
        fraction = SLACK_FRACTION_CHECKPOINTING if grad_checkpointing else SLACK_FRACTION
    return int(allocated * (1 + fraction))
