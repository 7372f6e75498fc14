"""What a rank holds beyond an even split under tensor and expert parallelism: PyTorch's DTensor plan's extras
(``tensor_parallel_extra``, ``whole_embedding_gradient``) and the routed experts laid out by ``setup.expert_layout`` (``expert_parallel_states``).
"""

from __future__ import annotations

from lifecycle.memory import activations as act
from lifecycle.memory.breakdown import floor_bytes
from lifecycle.memory.distributed import ZERO_STAGE, data_parallel_degree
from lifecycle.memory.precision import as_mixed, storage_precision
from lifecycle.memory.setup import TrainingSetup, expert_layout, expert_share


def tensor_parallel_extra(setup: TrainingSetup, tokens) -> dict:
    """What PyTorch's DTensor plan (torchtitan's Llama plan with ``loss_parallel``) keeps per tensor-parallel rank
    beyond Megatron-LM's split, as FSDPMemTracker shows it (benchmarks/README.md): the full-vocabulary fp32 logits
    and loss buffers (``loss_parallel`` still materialises them whole on every rank) and the inputs of the
    column-parallel q/k/v and gate/up after the sequence-parallel all-gather (saved whole, where Megatron saves its
    shard and gathers again in backward). ``tokens``: the micro-batch's decoder tokens, an int or a numpy array
    (``memory.grid`` sweeps micro-batch and length with this same formula)."""
    shape, tp, pp = setup.model.shape, setup.tp, setup.pp
    w = act.widths(storage_precision(as_mixed(setup)), setup.method, shape.arch)
    layers = shape.layers // pp
    gathered_inputs = 2 * tokens * shape.hidden * w.c * (1 - 1 / tp)  # per block: attention and MLP inputs
    out_tokens = tokens if shape.head in ("lm", "mlm") else 0
    loss = out_tokens * 2 * shape.vocab * 4 * (1 - 1 / tp) / pp  # two fp32 V-wide buffers (Temp 2·B·S·V·4)
    if setup.grad_checkpointing:
        return {"logits and loss": floor_bytes(loss), "recomputed block": floor_bytes(gathered_inputs)}
    return {"logits and loss": floor_bytes(loss), "activations": floor_bytes(layers * gathered_inputs)}


def whole_embedding_gradient(setup: TrainingSetup) -> int:
    """Under PyTorch's DTensor plan the embedding's gradient reaches the optimizer step whole on every
    tensor-parallel rank (FSDPMemTracker, benchmarks/README.md); ZeRO-2 and above shard it over data parallel."""
    shape, tp, pp = setup.model.shape, setup.tp, setup.pp
    if tp == 1 or setup.tp_plan != "dtensor" or setup.method != "full":
        return 0
    grad_bytes = 2 if storage_precision(as_mixed(setup)) in ("bf16", "fp16") else 4
    embedding_grad = shape.vocab * shape.hidden * grad_bytes * (1 - 1 / tp)
    if ZERO_STAGE.get(setup.strategy, 0) >= 2:
        embedding_grad /= data_parallel_degree(setup.gpus, tp, pp)
    return int(embedding_grad)


def expert_parallel_states(per_gpu: dict[str, int], setup: TrainingSetup, stage: int, weight_name: str) -> dict[str, int]:
    """Per-rank states with the routed experts laid out by ``expert_layout``. ``per_gpu`` divided every state by
    tp·pp (and a sharded one by dp too); a rank holds 1/(pp·ep·etp) of the expert states instead (and a sharded one
    1/edp of that): the same 1/world for a fully sharded state, tp/(ep·etp) times the dense share otherwise."""
    share = expert_share(setup.model.shape)
    etp, _ = expert_layout(setup.gpus, setup.tp, setup.pp, setup.ep)
    sharded = {"optimizer states": stage >= 1, "master weights": stage >= 1, "fp32 gradient partition": stage >= 1,
               "gradients": stage >= 2, weight_name: stage >= 3 and weight_name == "weights"}
    out = {}
    for name, value in per_gpu.items():
        factor = 1 if sharded.get(name, False) and setup.strategy != "fsdp_hybrid" else setup.tp / (setup.ep * etp)
        out[name] = int(value * (1 - share + share * factor))
    return out
