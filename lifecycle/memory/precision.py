"""What "mixed", "pure" and fp8 precision mean at each strategy (issue 25): one GPU and DDP use autocast,
FSDP its MixedPrecisionPolicy, DeepSpeed ZeRO its bf16/fp16 engine; FP8 training keeps bf16 mixed precision's
tensors (``memory.fp8``)."""

from __future__ import annotations

from lifecycle.memory.setup import TrainingSetup


def mixed_precision_policy(setup: TrainingSetup) -> str:
    """How a strategy runs "mixed bf16/fp16" (fp32 master weights, 16-bit matmuls) for full training:

    - ``autocast`` (DDP, one GPU): fp32 weights, ``torch.autocast`` keeps a 16-bit copy of each weight it uses.
    - ``fsdp``: FSDP2 ``MixedPrecisionPolicy(param_dtype=bf16, reduce_dtype=fp32)`` / FSDP1 ``MixedPrecision``:
      the sharded fp32 parameters are the master copy, all-gathers cast them to 16 bits block by block (nothing
      unsharded is kept for every weight), gradients reduce-scatter in fp32 into sharded fp32 gradients.
    - ``deepspeed`` (ZeRO-1/2/3 with ``bf16.enabled``/``fp16.enabled``): the module's weights are 16-bit
      (partitioned at stage 3), with a fp32 master partition, fp32 optimizer states and a fp32 gradient partition.
    - ``none``: pure fp32 or pure 16-bit (the same at every strategy), or LoRA/QLoRA (frozen base).
    """
    if not setup.precision.startswith("amp") or setup.method != "full":
        return "none"
    if setup.strategy in ("fsdp", "fsdp_hybrid"):
        return "fsdp"
    return "deepspeed" if setup.strategy.startswith("zero") else "autocast"


def storage_precision(setup: TrainingSetup) -> str:
    """The dtype the model's own forward runs in: a sharded mixed-precision run's blocks compute on 16-bit weights
    (FSDP casts the gathered weights, DeepSpeed holds 16-bit ones), so its activations are those of pure bf16/fp16."""
    if mixed_precision_policy(setup) in ("fsdp", "deepspeed"):
        return setup.precision.removeprefix("amp_")
    return setup.precision


def as_mixed(setup: TrainingSetup) -> TrainingSetup:
    """FP8 training keeps bf16 mixed precision's tensors (memory.fp8): size it as amp_bf16."""
    return setup.model_copy(update={"precision": "amp_bf16"}) if setup.precision == "fp8" else setup
