"""How model states (weights, gradients, optimizer states) are split across GPUs.

Strategies (Rajbhandari et al. 2020, ZeRO, arXiv 1910.02054 §5; Zhao et al. 2023, PyTorch FSDP, arXiv 2304.11277):
- ``ddp``: every GPU holds everything; PyTorch DDP also keeps gradient buckets as large as the gradients
  (DDP docs, ``gradient_as_bucket_view=False`` default).
- ``zero1`` shards optimizer states, ``zero2`` also gradients, ``zero3`` also weights (DeepSpeed);
  ``fsdp`` = FULL_SHARD (ZeRO-3-like), ``fsdp_hybrid`` shards within a node of 8 GPUs and replicates across nodes.
- Offload (ZeRO-Offload/Infinity, arXiv 2101.06840): ``optimizer`` moves optimizer states, master weights and
  gradients to CPU RAM (the optimizer steps on the CPU); ``params`` (ZeRO-3/FSDP only) moves the weights too.
- Tensor parallel ``tp`` and pipeline parallel ``pp`` divide model states by tp·pp; data-parallel degree is
  gpus / (tp·pp).
- What ZeRO-3/FSDP holds unsharded at once: DeepSpeed gathers the largest layer (weights and gradients);
  FSDP2 (``fully_shard`` per block, then the root) keeps the root group — embeddings, final norm and head,
  everything no block holds — unsharded from its forward to the end of backward (the root is not resharded
  after forward), prefetches the next block's all-gather, and keeps the root's unsharded gradients until the
  embedding's backward ends (``fsdp_unsharded_bytes``; checked with PyTorch's FSDPMemTracker,
  benchmarks/distributed_memory.py).

DeepSpeed's code (``stage_1_and_2.py``, ``stage3.py``) keeps a fp32 gradient partition next to the fp32
master weights, so its ZeRO-2 is ``2Ψ + 18Ψ/N`` where the paper's idealised figure is ``2Ψ + 14Ψ/N``; we follow
the code, and ``zero_paper_model_states_bytes`` gives the paper's equation for comparison.
"""

from __future__ import annotations

from lifecycle.choices import Strategy, options, title
from lifecycle.errors import InvalidInput
from lifecycle.models.architecture import (
    ModelShape,
    layer_counts,
    layer_params,
    moe_layer_count,
    parameter_count,
)

STRATEGIES = options(Strategy)
STRATEGY_TITLES = {s: title(s) for s in STRATEGIES}
GPUS_PER_NODE = 8
ZERO_STAGE = {"ddp": 0, "zero1": 1, "zero2": 2, "zero3": 3, "fsdp": 3, "fsdp_hybrid": 3}


def data_parallel_degree(gpus: int, tp: int, pp: int) -> int:
    for name, value in (("gpus", gpus), ("tp", tp), ("pp", pp)):
        if not isinstance(value, int) or value < 1:
            raise InvalidInput(f"{name} must be a whole number >= 1 (got {value!r}).")
    if gpus % (tp * pp):
        raise InvalidInput(f"GPU count {gpus} must be a multiple of tp x pp = {tp * pp}.")
    return gpus // (tp * pp)


def offload_problem(strategy: str, offload: str) -> str | None:
    """Why this CPU offload cannot go with this strategy (None when it can): the one rule, read by
    ``TrainingSetup`` (which refuses the pair) and by the searches that skip it (``planner.strategy_table``)."""
    if offload != "none" and strategy == "ddp":
        return "CPU offload needs a ZeRO stage or FSDP; DDP keeps everything on the GPU"
    if offload == "params" and ZERO_STAGE[strategy] < 3:
        return "offloading parameters needs ZeRO-3 or FSDP (only they shard the weights)"
    return None


def shard_model_states(states: dict[str, int], *, strategy: str, gpus: int, tp: int = 1, pp: int = 1,
                       offload: str = "none", gathered_layer_bytes: int = 0) -> tuple[dict[str, int], int]:
    """Per-GPU bytes of each model-state component, and the bytes moved to CPU RAM (per node-local rank).

    ``states`` holds whole-model bytes for: weights, gradients, optimizer states, master weights,
    fp32 gradient partition (any may be 0); strategy and offload are a pair ``TrainingSetup`` accepted
    (``offload_problem``). ``gathered_layer_bytes`` is what ZeRO-3/FSDP gathers at once
    (the unsharded weights and gradients of the largest layer, counted by the caller).
    """
    dp = data_parallel_degree(gpus, tp, pp)
    stage = ZERO_STAGE[strategy]
    shard_dp = min(dp, GPUS_PER_NODE) if strategy == "fsdp_hybrid" else dp
    split = tp * pp
    per_gpu: dict[str, int] = {}
    cpu = 0
    for name, total in states.items():
        value = total / split
        sharded = (
            (name in ("optimizer states", "master weights", "fp32 gradient partition") and stage >= 1)
            or (name == "gradients" and stage >= 2)
            or (name == "weights" and stage >= 3)
        )
        if sharded:
            value /= shard_dp
        # ZeRO-Offload streams gradients to CPU as backward produces them and steps the optimizer there
        to_cpu = (offload in ("optimizer", "params") and name in ("optimizer states", "master weights", "gradients",
                                                                   "fp32 gradient partition")) or (
            offload == "params" and name == "weights")
        if to_cpu:
            cpu += int(value)
            value = 0
        per_gpu[name] = round(value)
    if strategy == "ddp" and dp > 1:
        per_gpu["DDP gradient buckets"] = per_gpu.get("gradients", 0)
    if stage >= 3:
        per_gpu["gathered layer buffers"] = int(gathered_layer_bytes / tp)
    return per_gpu, cpu


def fsdp_unsharded_bytes(shape: ModelShape, weight_bytes: int, grad_bytes: int, *,
                         reduce_bytes: int = 0) -> tuple[int, int]:
    """FSDP2's unsharded buffers per GPU before tensor parallel: (at the start of backward, extra during a block's
    backward), with ``weight_bytes`` per gathered weight (4 in fp32; 2 when a MixedPrecisionPolicy gathers 16-bit).

    At the start of backward (PyTorch FSDPMemTracker: "Unsharded Param" + "All Gather"): the root group, kept
    unsharded since its forward (torch/distributed/fsdp/_fully_shard/_fsdp_state.py ``_lazy_init`` sets the
    root's ``post_forward_mesh_info`` to None), and the last block, all-gathered for backward. During a block's
    backward, in addition: the next block's prefetched all-gather, this block's unsharded gradients (the
    reduce-scatter input) and the root's unsharded gradients (the head's, produced first and reduce-scattered
    only with the embedding's, last). ``reduce_bytes`` (4 under a MixedPrecisionPolicy with ``reduce_dtype``
    fp32): FSDP2's ``foreach_reduce`` copies a block's 16-bit unsharded gradients into a fp32 reduce-scatter
    buffer, which stays alive (the collective is asynchronous) while the next block's backward runs; the
    tracker shows it ("Reduce Scatter", one block at 4 bytes) beside that block's own 16-bit gradients.
    """
    enc_layers, dec_layers = layer_counts(shape)
    moe = moe_layer_count(shape)  # a mixture-of-experts block gathers all its experts
    enc_block = layer_params(shape)
    dec_block = layer_params(shape, cross_attention=shape.family == "encoder-decoder")
    moe_block = layer_params(shape, moe=True) if moe else 0
    root = parameter_count(shape) - enc_layers * enc_block - (dec_layers - moe) * dec_block - moe * moe_block
    block = max(enc_block if enc_layers else 0, dec_block if dec_layers > moe else 0, moe_block)
    head = shape.vocab * shape.hidden if shape.head in ("lm", "mlm") else 0  # tied or not: one V x h gradient
    unsharded_grad = 2 if reduce_bytes else grad_bytes  # under mixed precision backward makes 16-bit gradients
    return (root + block) * weight_bytes, (block * weight_bytes + block * (unsharded_grad + reduce_bytes)
                                           + head * unsharded_grad)


def zero_paper_model_states_bytes(params: float, stage: int, n_d: int, k: float = 12) -> float:
    """ZeRO paper §5 / Figure 1: model-state bytes per device with mixed-precision Adam (K = 12).

    stage 0: (2 + 2 + K)Ψ; 1: 2Ψ + 2Ψ + KΨ/N_d; 2: 2Ψ + (2 + K)Ψ/N_d; 3: (2 + 2 + K)Ψ/N_d.
    """
    if stage not in (0, 1, 2, 3) or n_d < 1 or params <= 0:
        raise InvalidInput("stage must be 0-3, N_d >= 1 and params > 0.")
    if stage == 0:
        return (2 + 2 + k) * params
    if stage == 1:
        return 4 * params + k * params / n_d
    if stage == 2:
        return 2 * params + (2 + k) * params / n_d
    return (2 + 2 + k) * params / n_d


def deepspeed_zero2_estimate_bytes(params: float, *, gpus_per_node: int = 1, nodes: int = 1,
                                   offload_optimizer: bool = False) -> tuple[float, float]:
    """DeepSpeed ``estimate_zero2_model_states_mem_needs`` (stage_1_and_2.py, after PR #5099): (GPU, CPU) bytes.

    GPU: 2Ψ with the optimizer offloaded, else 2Ψ + 18Ψ/G; CPU: Ψ·max(4G, 16)·1.5 offloaded, else 4Ψ·n·1.5.
    """
    total_gpus = gpus_per_node * nodes
    if offload_optimizer:
        return 2 * params, params * max(4 * total_gpus, 16) * 1.5
    return 2 * params + 18 * params / total_gpus, 4 * params * gpus_per_node * 1.5


def deepspeed_zero3_estimate_bytes(params: float, largest_layer_params: float, *, gpus_per_node: int = 1,
                                   nodes: int = 1, offload_params: bool = False, offload_optimizer: bool = False,
                                   zero_init: bool = True) -> tuple[float, float]:
    """DeepSpeed ``estimate_zero3_model_states_mem_needs`` (stage3.py): (GPU, CPU) bytes."""
    total_gpus = gpus_per_node * nodes
    gpus_factor = 1 / nodes
    largest = 4 * largest_layer_params
    if offload_params and offload_optimizer:
        gpu = largest
        cpu = params * 18 * gpus_factor * 1.5 if zero_init else params * max(4 * gpus_per_node, 18 * gpus_factor) * 1.5
    elif offload_optimizer:
        gpu = largest + 2 * params / total_gpus
        cpu = params * 16 * gpus_factor * 1.5 if zero_init else params * max(4 * gpus_per_node, 16 * gpus_factor) * 1.5
    else:
        gpu = largest + 18 * params / total_gpus
        cpu = largest_layer_params * 4 * gpus_per_node * 1.5 if zero_init else params * 4 * gpus_per_node * 1.5
    return gpu, cpu
