"""What each ZeRO stage shards, and the ZeRO paper's Figure 1 recomputed for a team's model and GPU count.

Rajbhandari et al. 2020 (ZeRO, arXiv:1910.02054), Figure 1 and §5: with mixed-precision Adam each parameter
costs 2 bytes of fp16 weights, 2 of fp16 gradients and K = 12 of optimizer states (fp32 master weights,
momentum, variance). Per device with N_d data-parallel devices:
baseline (2 + 2 + K)Ψ; P_os 2Ψ + 2Ψ + KΨ/N_d; P_os+g 2Ψ + (2 + K)Ψ/N_d; P_os+g+p (2 + 2 + K)Ψ/N_d.
Figure 1's example: Ψ = 7.5B, N_d = 64 → 120 GB, 31.4 GB, 16.6 GB, 1.9 GB.
"""

from __future__ import annotations

from lifecycle._typed import Result
from lifecycle.memory.distributed import zero_paper_model_states_bytes

STAGE_SHARDS = {
    0: ("DDP (no sharding)", "nothing: every GPU holds weights, gradients and optimizer states"),
    1: ("ZeRO-1 (P_os)", "optimizer states (fp32 master weights, Adam momentum and variance)"),
    2: ("ZeRO-2 (P_os+g)", "optimizer states and gradients"),
    3: ("ZeRO-3 / FSDP full shard (P_os+g+p)", "optimizer states, gradients and the weights themselves"),
}
FIGURE_1 = {"params": 7.5e9, "gpus": 64, "gb": (120.0, 31.4, 16.6, 1.9)}  # as printed in the paper


class ZeroStageRow(Result):
    stage: int
    name: str
    shards: str
    bytes_per_gpu: float  # model states only: weights, gradients, optimizer states (no activations)


def zero_stage_rows(params: float, gpus: int, k: float = 12) -> list[ZeroStageRow]:
    """The four rows of ZeRO's Figure 1 for ``params`` parameters on ``gpus`` data-parallel GPUs."""
    return [ZeroStageRow(stage=s, name=name, shards=what,
                         bytes_per_gpu=zero_paper_model_states_bytes(params, s, gpus, k))
            for s, (name, what) in STAGE_SHARDS.items()]
