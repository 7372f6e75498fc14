"""Communication time of one training step, next to its compute time, so that time and cost stop falling where
communication dominates.

Collectives are NCCL rings; the time of one over ``n`` ranks on a link of bandwidth ``B`` (one direction per GPU)
is bytes x factor / B with the factors of NCCL's bus bandwidth (NCCL tests, PERFORMANCE.md): all-reduce
2(n-1)/n, all-gather and reduce-scatter (n-1)/n each. Per optimizer step (``micro_batches`` micro-batches of
``micro_batch`` x ``seq_len`` tokens per data-parallel replica), per GPU, with Ψ the parameters a GPU's tp x pp
slice holds:

- DDP, ZeRO-1/2: one gradient all-reduce per step, 2(d-1)/d x Ψ x gradient bytes (ZeRO-1/2 send the same volume
  as a reduce-scatter + all-gather: Rajbhandari et al. 2020, ZeRO §7.1).
- ZeRO-3 / FSDP: per micro-batch an all-gather of the weights in forward and again in backward, and a reduce-scatter
  of the gradients: 3(d-1)/d x Ψ bytes, 1.5x DDP (ZeRO §7.2.2; Zhao et al. 2023, PyTorch FSDP §3.2). HSDP: the
  same inside the 8-GPU shard group, plus an all-reduce of the gradient shards across replicas over the network.
- Tensor parallel: per layer and micro-batch two all-reduces of the b·s·h activations in forward and two in
  backward, two more when checkpointing recomputes the forward (Shoeybi et al. 2019, Megatron-LM §3; Korthikanti
  et al. 2022 §4.2: sequence parallel swaps them for all-gather + reduce-scatter of the same volume).
- Pipeline parallel: the bubble, (p-1)/(m+p-1) of the step idle (Narayanan et al. 2021 §2.2 / GPipe), i.e.
  compute x (p-1)/m on top.

Overlap: FSDP prefetches the next all-gather and reduce-scatters while the next block computes, DDP all-reduces
gradient buckets during backward (Li et al. 2020, PyTorch DDP §3.2.3), so data-parallel and tensor-parallel
traffic hides under compute up to the compute time: a step takes max(compute, communication) + bubble. MFU
covers the rest (kernels, stragglers). A data-parallel group crosses nodes when tp x dp > 8, where it runs at the
network's per-GPU bandwidth.
"""

from __future__ import annotations

import json
from functools import lru_cache

from lifecycle._typed import Result
from lifecycle.memory.adapters import quantised_base_bytes
from lifecycle.memory.distributed import ZERO_STAGE
from lifecycle.memory.fp8 import effective_mfu
from lifecycle.memory.setup import TrainingSetup
from lifecycle.models.architecture import parameter_count
from lifecycle.models.gpus import GPU
from lifecycle.resources import data_path
from lifecycle.scaling.compute import training_flops_params, training_flops_per_param_token


@lru_cache(maxsize=1)
def interconnects() -> dict:
    """data/interconnects.json: per-GPU link bandwidths with their datasheet sources."""
    return json.loads(data_path("interconnects.json").read_text())


def all_reduce_s(nbytes: float, ranks: int, bytes_per_s: float) -> float:
    """Ring all-reduce time: 2(n-1)/n x bytes / bandwidth (NCCL PERFORMANCE.md, busBw = algBw x 2(n-1)/n)."""
    return 2 * (ranks - 1) / ranks * nbytes / bytes_per_s if ranks > 1 else 0.0


def all_gather_s(nbytes: float, ranks: int, bytes_per_s: float) -> float:
    """Ring all-gather (or reduce-scatter) of ``nbytes`` in all: (n-1)/n x bytes / bandwidth."""
    return (ranks - 1) / ranks * nbytes / bytes_per_s if ranks > 1 else 0.0


class CommunicationEstimate(Result):
    """One optimizer step on one GPU: compute, communication, pipeline bubble and what the step takes."""

    intra_link: str
    intra_bytes_per_s: float  # achievable: datasheet x achievable_fraction
    network: str
    network_bytes_per_s: float
    data_parallel_crosses_nodes: bool
    data_parallel_bytes: float  # sent per GPU per step
    data_parallel_s: float
    tensor_parallel_bytes: float
    tensor_parallel_s: float
    compute_s: float  # model FLOPs of the step / (MFU x peak)
    bubble_fraction: float  # (p-1)/(m+p-1) of the step
    bubble_s: float
    step_s: float  # max(compute, communication) + bubble
    slowdown: float  # step_s / compute_s: what time and cost are multiplied by
    communication_bound: bool
    note: str


def _bytes(setup: TrainingSetup) -> tuple[float, float, float]:
    """(weight bytes gathered, gradient bytes reduced, activation bytes) per element for the run's precision."""
    p, full = ("amp_bf16" if setup.precision == "fp8" else setup.precision), setup.method == "full"
    weight = 4 if p == "fp32" else 2
    if not full:
        grad = setup.adapter_bytes
    elif p == "fp32" or (p.startswith("amp") and setup.strategy in ("ddp", "fsdp", "fsdp_hybrid")):
        grad = 4  # DDP on fp32 weights, FSDP MixedPrecisionPolicy(reduce_dtype=fp32)
    else:
        grad = 2  # 16-bit weights; DeepSpeed reduces in the 16-bit communication dtype
    return weight, grad, 4 if p == "fp32" else 2


def communication_estimate(setup: TrainingSetup, gpu: GPU) -> CommunicationEstimate:
    """Per-step compute, communication and pipeline bubble of ``setup`` on ``gpu`` (module docstring)."""
    data = interconnects()
    eff, per_node = data["_meta"]["achievable_fraction"], data["_meta"]["gpus_per_node"]
    link = data["intra_node"].get(gpu.id, data["intra_node"]["l40s"])  # a card not listed: PCIe Gen4
    network_id = setup.network or data["default_network"].get(gpu.id, data["default_network"]["_other"])
    network = data["networks"][network_id]
    intra, inter = link["bytes_per_s"] * eff, min(network["bytes_per_s"], link["bytes_per_s"]) * eff
    shape, tp, pp, m = setup.model.shape, setup.tp, setup.pp, setup.micro_batches
    dp = setup.gpus // (tp * pp)
    tokens = setup.micro_batch * setup.seq_len
    # compute: model FLOPs of the step on this GPU at the setup's MFU
    flops = training_flops_per_param_token(setup.method) * training_flops_params(shape) * tokens * m / (tp * pp)
    compute_s = flops / (gpu.peak_flops(_compute_precision(setup.precision)) * effective_mfu(setup.precision, setup.mfu))
    weight_b, grad_b, act_b = _bytes(setup)
    params = parameter_count(shape)
    trainable = params if setup.method == "full" else _trainable(setup)
    local_weights = (quantised_base_bytes(shape, params, 4) if setup.method == "qlora" else params * weight_b) / (tp * pp)
    local_grads = trainable * grad_b / (tp * pp)
    crosses = tp * dp > per_node
    dp_bw = inter if crosses else intra
    stage = ZERO_STAGE[setup.strategy]
    if stage < 3:  # one all-reduce (or reduce-scatter + all-gather) of the gradients per step
        dp_bytes, dp_s = 2 * (dp - 1) / dp * local_grads, all_reduce_s(local_grads, dp, dp_bw)
    elif setup.strategy == "fsdp_hybrid" and dp > per_node // tp:
        shard = max(per_node // tp, 1)
        replicas = dp // shard
        gathers = m * (2 * all_gather_s(local_weights, shard, intra) + all_gather_s(local_grads, shard, intra))
        dp_s = gathers + m * all_reduce_s(local_grads / shard, replicas, inter)
        dp_bytes = m * ((shard - 1) / shard * (2 * local_weights + local_grads)
                        + 2 * (replicas - 1) / replicas * local_grads / shard)
    else:  # ZeRO-3 / FSDP: all-gather in forward and in backward, reduce-scatter, every micro-batch
        dp_bytes = m * (dp - 1) / dp * (2 * local_weights + local_grads)
        dp_s = m * (2 * all_gather_s(local_weights, dp, dp_bw) + all_gather_s(local_grads, dp, dp_bw))
    # tensor parallel: 4 all-reduces per layer and micro-batch (+2 with recomputation) of b·s·h activations
    collectives = (4 + (2 if setup.grad_checkpointing else 0)) * shape.layers / pp * m
    activation = tokens * shape.hidden * act_b
    tp_bw = intra if tp <= per_node else inter
    tp_bytes = collectives * 2 * (tp - 1) / tp * activation if tp > 1 else 0.0
    tp_s = collectives * all_reduce_s(activation, tp, tp_bw) if tp > 1 else 0.0
    bubble_fraction = (pp - 1) / (m + pp - 1)
    bubble_s = compute_s * (pp - 1) / m
    step_s = max(compute_s, dp_s + tp_s) + bubble_s
    bound = dp_s + tp_s > compute_s
    note = (f"Per step: compute {compute_s:.3g} s, data-parallel traffic {dp_s:.3g} s "
            f"({'over ' + network['name'] if crosses else 'inside a node over ' + link['link']}), tensor-parallel "
            f"{tp_s:.3g} s, pipeline bubble {bubble_s:.3g} s. Communication overlaps compute (FSDP prefetch, DDP "
            "buckets), so only what exceeds compute adds time" + (": this run is communication-bound, more GPUs of "
                                                                  "this kind will not pay off." if bound else "."))
    return CommunicationEstimate(
        intra_link=link["link"], intra_bytes_per_s=intra, network=network["name"], network_bytes_per_s=inter,
        data_parallel_crosses_nodes=crosses, data_parallel_bytes=dp_bytes, data_parallel_s=dp_s,
        tensor_parallel_bytes=tp_bytes, tensor_parallel_s=tp_s, compute_s=compute_s, bubble_fraction=bubble_fraction,
        bubble_s=bubble_s, step_s=step_s, slowdown=step_s / compute_s, communication_bound=bound, note=note)


def _compute_precision(precision: str) -> str:
    from lifecycle.choices import compute_precision

    return compute_precision(precision)


def _trainable(setup: TrainingSetup) -> int:
    from lifecycle.memory.adapters import lora_params, resolve_targets

    return lora_params(setup.model.shape, setup.lora_rank, resolve_targets(setup.model.shape, setup.lora_targets))
