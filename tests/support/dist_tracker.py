"""One rank's memory of a sharded training step, measured by PyTorch's own tracker without GPUs, next to ours.

``run_case`` builds a decoder (``dist_models``) under ``FakeTensorMode`` (no storage is ever allocated), joins
the fake process group (``torch.testing._internal.distributed.fake_pg``: collectives return at once, any world
size on one process), shards it with FSDP2 ``fully_shard`` and/or DTensor tensor parallel on a CPU device
mesh, and runs two steps of forward, backward and ``AdamW(foreach=True).step()`` inside ``FSDPMemTracker``
(``MemTracker`` when there is no FSDP). The tracker counts every tensor storage alive — parameters,
gradients, optimizer states, activations, all-gather and reduce-scatter buffers — and keeps the category
split at the moment of the peak, as ``torch.cuda.max_memory_allocated`` would see it, minus what a GPU adds
(allocator rounding and caching, NCCL buffers, CUDA context and cuBLAS workspaces). torchtitan's memory
estimator (``scripts/estimate/estimation.py``) runs the same way.

``our_setup`` is the ``TrainingSetup`` of the same run (fp32 weights, gradients and AdamW states, as a plain
fp32 FSDP2 run keeps them). Imports torch: the benchmark and the slow test load this, never ``lifecycle``.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass

import torch
import torch.distributed as dist
from torch._subclasses.fake_tensor import FakeTensorMode, unset_fake_temporarily
from torch.distributed._tools.fsdp2_mem_tracker import FSDPMemTracker
from torch.distributed._tools.mem_tracker import MemTracker
from torch.distributed.algorithms._checkpoint.checkpoint_wrapper import checkpoint_wrapper
from torch.distributed.device_mesh import init_device_mesh
from torch.distributed.fsdp import CPUOffloadPolicy, MixedPrecisionPolicy, fully_shard
from torch.distributed.tensor import Replicate, Shard
from torch.distributed.tensor.parallel import (
    ColwiseParallel,
    PrepareModuleInput,
    RowwiseParallel,
    SequenceParallel,
    loss_parallel,
    parallelize_module,
)
from torch.testing._internal.distributed.fake_pg import FakeStore

from lifecycle.memory.estimate import training_memory
from lifecycle.memory.setup import TrainingSetup
from tests.support.dist_models import SHAPES, build_model

# AdamW runs per tensor (foreach=False): under FakeTensorMode the tracker also counts the global-shape fake
# tensors DTensor's sharding propagation makes for foreach/fused optimizer ops (a 542M-parameter model's
# step showed 6.8 GiB of "OptState" for 0.5 GiB of states). Per tensor, the step's temporaries are one
# parameter's worth: what our "fused" (no foreach copy) setting counts as zero.
OPTIMIZER_IMPL = "fused"
GPUS_PER_NODE = 8  # HSDP shards within a node of 8 and replicates across nodes, as our "fsdp_hybrid" does
# The tracker's categories (torch/distributed/_tools/fsdp2_mem_tracker.py _FSDPRefType, mem_tracker _MemRefType)
# gathered into the groups our breakdown has
GROUPS = {
    "params": ("Sharded Param", "Parameter", "Buffer"),
    "grads": ("Sharded Grad", "Gradient"),
    "optimizer": ("OptState", "Optstate"),
    "activations": ("Activation", "Inputs", "Other"),
    "gathered/temp": ("Unsharded Param", "Unsharded Grad", "All Gather", "Reduce Scatter", "Temp"),
}


# Our breakdown's components (lifecycle/memory/estimate.py) in those groups; the rest are activations
OUR_GROUP = {"weights": "params", "gradients": "grads", "optimizer states": "optimizer",
             "optimizer step buffers": "optimizer", "gathered layer buffers": "gathered/temp",
             "DDP gradient buckets": "gathered/temp", "unsharded backward buffers": "gathered/temp",
             "master weights": "optimizer", "fp32 gradient partition": "grads"}
# (the whole embedding gradient of the DTensor plan is inside "gradients" at the optimizer step)


@dataclass(frozen=True)
class Case:
    """One sharded run. layout: fsdp (full shard), hsdp (8-GPU shard groups x world/8 replicas), tp (tensor
    parallel alone, world = tp), fsdp_tp (2-D: world/tp data-parallel shards x tp)."""

    model: str
    layout: str
    world: int
    tp: int = 1
    ac: bool = False
    offload: bool = False
    batch: int = 2
    seq: int = 1024
    # "" fp32 throughout; "bf16": FSDP2 MixedPrecisionPolicy(param_dtype=bf16, reduce_dtype=fp32) on fp32 weights;
    # "zero3": DeepSpeed ZeRO-3 with bf16.enabled, emulated (bf16 module sharded by FSDP2, fp32 master partition)
    mp: str = ""

    @property
    def label(self) -> str:
        extra = "".join([f" tp{self.tp}" if self.layout == "fsdp_tp" else "", " +AC" if self.ac else "",
                         " +offload" if self.offload else "", f" {self.mp}" if self.mp else ""])
        return f"{self.model} {self.layout} x{self.world}{extra} b{self.batch}s{self.seq}"


def our_setup(case: Case) -> TrainingSetup:
    strategy = {"fsdp": "fsdp", "fsdp_tp": "fsdp", "hsdp": "fsdp_hybrid", "tp": "ddp"}[case.layout]
    if case.mp == "zero3":
        strategy = "zero3"
    tp = case.world if case.layout == "tp" else case.tp
    precision = {"": "fp32", "bf16": "amp_bf16", "zero3": "amp_bf16"}[case.mp]
    return TrainingSetup.for_shape(SHAPES[case.model], precision=precision, optimizer="adamw", optimizer_impl=OPTIMIZER_IMPL,
                                   micro_batch=case.batch, seq_len=case.seq, grad_checkpointing=case.ac,
                                   attention="sdpa", gpus=case.world, strategy=strategy, tp=tp,
                                   offload="params" if case.offload else "none")


def _tensor_parallel(model, tp_mesh) -> None:
    """torchtitan's Llama plan (with loss_parallel): sequence-parallel norms, column-wise q/k/v and gate/up, row-wise o and down
    (Megatron-LM, Shoeybi et al. 2019 §3; sequence parallel, Korthikanti et al. 2022 §4.2.2)."""
    parallelize_module(model, tp_mesh, {
        "embed": RowwiseParallel(input_layouts=Replicate(), output_layouts=Shard(1)),
        "norm": SequenceParallel(),
        # logits stay split over the vocabulary; the loss runs under loss_parallel (vocab-parallel cross-entropy)
        "lm_head": ColwiseParallel(input_layouts=Shard(1), output_layouts=Shard(-1), use_local_output=False),
    })
    for block in model.layers:
        parallelize_module(block, tp_mesh, {
            "input_norm": SequenceParallel(),
            "attn": PrepareModuleInput(input_layouts=(Shard(1), None, None),
                                       desired_input_layouts=(Replicate(), None, None)),
            "attn.q_proj": ColwiseParallel(), "attn.k_proj": ColwiseParallel(), "attn.v_proj": ColwiseParallel(),
            "attn.o_proj": RowwiseParallel(output_layouts=Shard(1)),
            "post_norm": SequenceParallel(),
            "mlp": PrepareModuleInput(input_layouts=(Shard(1),), desired_input_layouts=(Replicate(),)),
            "mlp.gate_proj": ColwiseParallel(), "mlp.up_proj": ColwiseParallel(),
            "mlp.down_proj": RowwiseParallel(output_layouts=Shard(1)),
        })


def _meshes(case: Case, device: str) -> tuple:
    """(tp mesh or None, FSDP mesh or None), made outside FakeTensorMode (the mesh reads real rank tensors)."""
    if case.layout == "tp":
        return init_device_mesh(device, (case.world,)), None
    if case.layout == "fsdp":
        return None, init_device_mesh(device, (case.world,))
    if case.layout == "hsdp":
        shard = min(case.world, GPUS_PER_NODE)
        return None, init_device_mesh(device, (case.world // shard, shard), mesh_dim_names=("replicate", "shard"))
    mesh = init_device_mesh(device, (case.world // case.tp, case.tp), mesh_dim_names=("dp", "tp"))
    return mesh["tp"], mesh["dp"]


def _shard(model, case: Case, tp_mesh, dp_mesh) -> None:
    """TP, then activation checkpointing, then FSDP (per block, then the root), as torchtitan orders them."""
    if tp_mesh is not None:
        _tensor_parallel(model, tp_mesh)
    if case.ac:
        for i, block in enumerate(model.layers):
            model.layers[i] = checkpoint_wrapper(block, preserve_rng_state=False)
    if dp_mesh is None:
        return
    kwargs = {"offload_policy": CPUOffloadPolicy(pin_memory=False)} if case.offload else {}
    if case.mp == "bf16":
        kwargs["mp_policy"] = MixedPrecisionPolicy(param_dtype=torch.bfloat16, reduce_dtype=torch.float32)
    with unset_fake_temporarily():  # on a 2-D mesh, DTensor's checks in fully_shard need real tensors
        for block in model.layers:
            fully_shard(block, mesh=dp_mesh, **kwargs)
        fully_shard(model, mesh=dp_mesh, **kwargs)


def run_case(case: Case, steps: int = 2, device: str = "cpu", phases: dict | None = None) -> dict[str, int]:
    """Peak bytes of one rank by tracker category, plus "Total"; the second step has optimizer states.

    ``device`` "cuda" (one GPU, still fake tensors and the fake process group) keeps CPU-offloaded states on
    the CPU, so only the GPU's own tensors are summed; on "cpu" every tensor shares the one device.
    """
    if dist.is_initialized():
        dist.destroy_process_group()
    dist.init_process_group("fake", rank=0, world_size=case.world, store=FakeStore())
    try:
        torch.manual_seed(0)
        tp_mesh, dp_mesh = _meshes(case, device)
        fsdp = dp_mesh is not None
        with FakeTensorMode():
            # tensor parallel alone shards real (fake) cpu tensors; FSDP shards first, then materialises
            with torch.device(device if case.layout == "tp" else "meta"):
                model = build_model(SHAPES[case.model])
            _shard(model, case, tp_mesh, dp_mesh)
            if fsdp:
                model.to_empty(device=device)
            if case.mp == "zero3":
                model.to(torch.bfloat16)
            ids = torch.randint(0, model.shape.vocab, (case.batch, case.seq), device=device)
            labels = torch.randint(0, model.shape.vocab, (case.batch, case.seq), device=device)
            masters = _fp32_masters(model) if case.mp == "zero3" else None
            optimizer = torch.optim.AdamW(masters or model.parameters(), lr=1e-4, foreach=False)
            tracker = FSDPMemTracker(model, optimizer) if fsdp else MemTracker()
            if fsdp:
                tracker.track_inputs((ids, labels))
            else:
                tracker.track_external(model, optimizer, ids, labels)
            if masters:
                tracker.track_external(*masters, *(m.grad for m in masters))
            with tracker:
                for step in range(steps):
                    with loss_parallel() if tp_mesh is not None else contextlib.nullcontext():
                        model(ids, labels).backward()
                    if masters:
                        _master_step(model, masters, optimizer)
                    else:
                        optimizer.step()
                        optimizer.zero_grad()
                    if step < steps - 1:
                        tracker.reset_mod_stats()  # per-module stats only; the global peak spans every step
            peak = tracker.get_tracker_snapshot("peak")
            if phases is not None:  # the last step's per-module snapshots (what phase the peak is in)
                for stats in tracker.memory_tracking.values():
                    for state, snaps in stats.snapshots.items():
                        for snap in snaps[-1:]:
                            dev_snap = next(iter(snap.values()))
                            phases[(stats.mod_fqn, state.value)] = {getattr(k, "value", k): int(v)
                                                                   for k, v in dev_snap.items()}
    finally:
        dist.destroy_process_group()
    by_device = [snap for dev, snap in peak.items() if dev.type == torch.device(device).type]
    out: dict[str, int] = {}
    for snap in by_device:
        for key, value in snap.items():
            name = getattr(key, "value", key)  # a _RefType enum member, or "Total"
            out[name] = out.get(name, 0) + int(value)
    return out


def _fp32_masters(model) -> list:
    """DeepSpeed ZeRO-3 bf16 (``stage3.py``): a fp32 copy of each rank's partition of the 16-bit weights, and the
    fp32 gradient partition it allocates up front (``fp32_partitioned_groups_flat`` and their ``.grad``)."""
    masters = []
    for p in model.parameters():
        local = p.to_local() if hasattr(p, "to_local") else p
        master = torch.nn.Parameter(local.detach().float())
        master.grad = torch.zeros_like(master)
        masters.append(master)
    return masters


def _master_step(model, masters, optimizer) -> None:
    """Copy the 16-bit sharded gradients into the fp32 partition and free them, step AdamW on the fp32 masters,
    copy the masters back into the 16-bit weights (DeepSpeed's ``_optimizer_step`` / ``_reassign_or_swap``)."""
    with torch.no_grad():
        for p, master in zip(model.parameters(), masters):
            local = p.to_local() if hasattr(p, "to_local") else p
            grad = p.grad.to_local() if hasattr(p.grad, "to_local") else p.grad
            master.grad.copy_(grad)
            p.grad = None
        optimizer.step()
        for p, master in zip(model.parameters(), masters):
            local = p.to_local() if hasattr(p, "to_local") else p
            local.copy_(master)


def grouped(peak: dict[str, int], *, offload: bool = False) -> dict[str, int]:
    """The tracker's categories gathered into our groups (GROUPS), plus "total" (bytes).

    With ``offload`` the sharded parameters, sharded gradients and optimizer states live in CPU RAM on a GPU
    machine; on this CPU mesh they share the one device, so they are taken out of the per-GPU total.
    """
    out = {group: sum(peak.get(k, 0) for k in keys) for group, keys in GROUPS.items()}
    out["total"] = peak.get("Total", sum(out.values()))
    if offload:
        for group in ("params", "grads", "optimizer"):
            out["total"] -= out[group]
            out[group] = 0
    return out


def ours_grouped(case: Case) -> tuple[dict[str, int], str]:
    """Our per-GPU peak allocated bytes in the same groups, less the cuBLAS workspaces (a GPU has them, the
    tracker does not), and the phase our peak is in."""
    est = training_memory(our_setup(case))
    out = {group: 0 for group in GROUPS}
    for name, value in est.components.items():
        if name != "cuBLAS workspaces":
            out[OUR_GROUP.get(name, "activations")] += value
    out["total"] = sum(out.values())
    return out, est.peak_phase
