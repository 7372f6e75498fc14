"""GPU memory of training and inference, per GPU, broken into components a user can read.

The peak of a training step is the largest of three moments (what ``torch.cuda.max_memory_allocated``
sees): the start of backward (every saved activation is alive, plus the cross-entropy buffers and, under
autocast, the bf16 copies of the weights the matmuls kept), the optimizer step (all gradients plus
AdamW's foreach temporaries), and — with gradient checkpointing — the end of backward (all gradients plus
one recomputed block). Activations come from ``lifecycle/memory/activations.py``; sharding from ``distributed``.
Gradient accumulation has no memory effect: each micro-batch's activations are freed before the next.
"""

from __future__ import annotations

from dataclasses import dataclass

from lifecycle.memory import activations as act
from lifecycle.memory.adapters import (
    PAGED_OPTIMIZERS,
    lora_params,
    optimizer_state_bytes_per_param,
    optimizer_step_temp_bytes,
    quantised_base_bytes,
    resolve_targets,
)
from lifecycle.memory.breakdown import MemoryEstimate, floor_bytes
from lifecycle.memory.distributed import (
    ZERO_STAGE,
    data_parallel_degree,
    fsdp_unsharded_bytes,
    shard_model_states,
)
from lifecycle.memory.overheads import FRAMEWORK_WORKSPACE_BYTES, reserved_bytes
from lifecycle.memory.parallel import (
    expert_parallel_states,
    tensor_parallel_extra,
    whole_embedding_gradient,
)
from lifecycle.memory.precision import as_mixed, mixed_precision_policy, storage_precision
from lifecycle.memory.setup import TrainingSetup
from lifecycle.models.architecture import (
    ModelShape,
    active_parameter_count,
    block_linear_params,
    dense_equivalent,
    largest_layer_params,
    layer_counts,
    parameter_count,
)


def _base_weight_bytes(shape: ModelShape, params: int, precision: str, method: str) -> tuple[str, int]:
    """(component name, bytes) of the base weights for this precision and method."""
    if method == "qlora" or (method == "lora" and precision in ("int8", "int4")):
        bits = 8 if precision == "int8" and method == "lora" else 4
        return "quantised base weights", quantised_base_bytes(shape, params, bits)
    if precision == "fp32":
        return "weights", 4 * params
    if method == "lora" or precision in ("bf16", "fp16"):
        return "weights", 2 * params
    return "weights", 4 * params  # amp: fp32 weights, bf16 only inside autocast


def decoder_length(setup: TrainingSetup) -> int:
    """Decoder tokens per sequence: the target length of an encoder-decoder (128 unless set), else seq_len."""
    if setup.model.family == "encoder-decoder":
        return setup.target_len or 128
    return setup.seq_len


def activation_bytes(setup: TrainingSetup, targets: set[str]) -> dict[str, int]:
    """Saved activations for one micro-batch: blocks, attention scores, embeddings/head, checkpoint inputs."""
    setup = as_mixed(setup)
    # A token's activations see only its routed (and shared) experts: a dense MLP that wide
    shape, attention, grad_checkpointing = dense_equivalent(setup.model.shape), setup.attention, setup.grad_checkpointing
    batch, seq, target_len = setup.micro_batch, setup.seq_len, decoder_length(setup)
    w = act.widths(storage_precision(setup), setup.method, shape.arch)
    enc_layers, dec_layers = layer_counts(shape)
    if shape.family == "encoder-decoder":
        enc_tokens, dec_tokens, dec_len = batch * seq, batch * target_len, target_len
    elif shape.family == "encoder":
        enc_tokens, dec_tokens, dec_len = batch * seq, 0, 0
    else:
        enc_tokens, dec_tokens, dec_len = 0, batch * seq, seq
    cross = shape.family == "encoder-decoder"
    enc_block, _ = act.block_bytes_per_token(shape, w, targets=targets, attention=attention)
    dec_block, dec_cross_enc = act.block_bytes_per_token(shape, w, targets=targets, attention=attention, cross=cross)
    per_score = act.score_bytes_per_element(shape, w, attention)
    enc_scores = batch * shape.heads * seq * seq * per_score
    dec_scores = batch * shape.heads * dec_len * (dec_len + (seq if cross else 0)) * per_score
    enc_block_total = enc_layers * enc_tokens * enc_block
    dec_block_total = dec_layers * (dec_tokens * dec_block + enc_tokens * dec_cross_enc)
    out_tokens = dec_tokens if shape.family != "encoder" else enc_tokens
    if shape.head == "classifier":  # a sequence classifier reads one pooled position per sequence
        out_tokens = batch
    stacks_tokens = enc_tokens + dec_tokens
    out = {
        "embeddings and head": stacks_tokens * act.embedding_bytes_per_token(shape, w)
        + out_tokens * act.head_bytes_per_token(shape, w),
        "logits and loss": out_tokens * act.loss_bytes_per_token(shape, w),
    }
    if grad_checkpointing:
        out["checkpointed block inputs"] = (enc_layers * enc_tokens + dec_layers * dec_tokens) * act.checkpoint_bytes_per_token(shape, w)
        if cross:  # every decoder block also keeps the encoder output it attends to (one shared tensor)
            out["checkpointed block inputs"] += enc_tokens * w.r * shape.hidden
        out["recomputed block"] = max(enc_block_total // max(enc_layers, 1) + (enc_scores if enc_layers else 0),
                                      dec_block_total // max(dec_layers, 1) + (dec_scores if dec_layers else 0))
        out["activations"] = 0
        out["attention scores"] = 0
    else:
        out["activations"] = enc_block_total + dec_block_total
        out["attention scores"] = enc_layers * enc_scores + dec_layers * dec_scores
        out["checkpointed block inputs"] = 0
        out["recomputed block"] = 0
    return out


def _matmul_params(shape: ModelShape) -> int:
    """Parameters used as matmul weights (autocast keeps a bf16 copy of each for backward)."""
    head = shape.vocab * shape.hidden if shape.head in ("lm", "mlm") else 0
    return block_linear_params(shape) + head


@dataclass
class StepParts:
    """Everything of a training step that does not depend on micro-batch or sequence length."""

    params: int
    trainable: int
    targets: set[str]
    static: dict[str, int]  # alive through the whole step: weights, optimizer states, buffers
    grads: int
    temp: int  # optimizer-step temporaries
    copies: int  # autocast bf16 weight copies kept at the start of backward
    block_copies: int  # the same for one recomputed block (gradient checkpointing)
    cpu_bytes: int
    model_states: int
    paged: int = 0  # paged optimizer states: unified memory, outside PyTorch's allocator and the peak
    block_backward: int = 0  # FSDP: unsharded buffers a block's backward adds (prefetch, reduce-scatter, root grads)
    resident: int = 0  # allocated once and kept between steps (weights, optimizer states, workspaces): no slack
    embedding_grad: int = 0  # DTensor tensor parallel: the embedding's gradient reaches the step whole


def training_step_parts(setup: TrainingSetup) -> StepParts:
    """Model states per GPU after sharding, and the step's weight-sized buffers."""
    fp8, setup = setup.precision == "fp8", as_mixed(setup)
    shape, precision, method, optimizer = setup.model.shape, setup.precision, setup.method, setup.optimizer
    gpus, strategy, offload, tp, pp = setup.gpus, setup.strategy, setup.offload, setup.tp, setup.pp
    master_weights = setup.master_weights
    dp = data_parallel_degree(gpus, tp, pp)
    params = parameter_count(shape)
    targets = resolve_targets(shape, setup.lora_targets) if method != "full" else set()
    trainable = lora_params(shape, setup.lora_rank, targets) if method != "full" else params
    stage = ZERO_STAGE.get(strategy, 0)
    policy = mixed_precision_policy(setup)
    if policy == "deepspeed":  # DeepSpeed bf16/fp16.enabled: 16-bit weights beside a fp32 master partition
        precision = storage_precision(setup)
    half = precision in ("bf16", "fp16")
    if master_weights is None:  # DeepSpeed's bf16/fp16 engines always keep fp32 master weights (ZeRO §5)
        master_weights = half and strategy.startswith("zero") and method == "full"
    weight_name, weight_bytes = _base_weight_bytes(shape, params, precision, method)
    # Trainable parameters' states: LoRA adapters in their own dtype (fp32 under peft, bf16 in QLoRA's code)
    if method != "full":
        train_bytes = grad_bytes = setup.adapter_bytes
    else:
        train_bytes = 4 if (not half or master_weights) else 2
        grad_bytes = 2 if half else 4
    # DeepSpeed ZeRO-3 reduce-scatters 16-bit gradients into its fp32 partition and frees them (stage3.py)
    keeps_half_grads = not (master_weights and strategy == "zero3")
    states = {weight_name: weight_bytes, "gradients": grad_bytes * trainable if keeps_half_grads else 0,
              "optimizer states": optimizer_state_bytes_per_param(optimizer, train_bytes) * trainable,
              "master weights": 4 * trainable if master_weights else 0,
              "fp32 gradient partition": 4 * trainable if (master_weights and strategy.startswith("zero")) else 0}
    if method != "full":
        states["LoRA adapters"] = train_bytes * trainable
    gathered = block_backward = 0
    if strategy in ("fsdp", "fsdp_hybrid"):  # fp32 gathers fp32; mixed precision / 16-bit gather 16-bit weights
        gathered, block_backward = fsdp_unsharded_bytes(shape, 4 if precision == "fp32" else 2,
                                                        grad_bytes if method == "full" else 0,
                                                        reduce_bytes=4 if policy == "fsdp" else 0)
        block_backward //= tp * pp
        if fp8:  # FSDP2 enable_fsdp_float8_all_gather: a block's linear weights gather in 8 bits
            gathered -= block_linear_params(shape) // max(shape.layers, 1)
    elif stage >= 3:  # DeepSpeed ZeRO-3 gathers the largest layer's 16-bit weights and gradients
        gathered = largest_layer_params(shape) * (2 + grad_bytes)
    per_gpu, cpu_bytes = shard_model_states(states, strategy=strategy, gpus=gpus, tp=tp, pp=pp, offload=offload,
                                            gathered_layer_bytes=gathered)
    if weight_name == "quantised base weights" and offload != "params":
        per_gpu[weight_name] = int(weight_bytes / (tp * pp * (dp if stage >= 3 else 1)))
    if setup.ep > 1:  # each GPU keeps experts/ep of every MoE layer, each a 1/etp slice (expert_layout)
        per_gpu = expert_parallel_states(per_gpu, setup, stage, weight_name)
    grads = per_gpu.pop("gradients", 0)
    if strategy != "zero3":
        grads += per_gpu.pop("fp32 gradient partition", 0)
    # else: ZeRO-3 allocates its fp32 gradient partition when it starts (stage3.py grad_partitions_flat_buffer)
    paged = per_gpu.pop("optimizer states", 0) if optimizer in PAGED_OPTIMIZERS else 0
    model_states = grads + sum(v for k, v in per_gpu.items() if k in (
        weight_name, "optimizer states", "master weights", "LoRA adapters", "fp32 gradient partition"))
    static = {k: v for k, v in per_gpu.items() if v}
    static["cuBLAS workspaces"] = FRAMEWORK_WORKSPACE_BYTES
    amp_full = precision.startswith("amp") and method == "full" and policy == "autocast"
    head_matmul = shape.vocab * shape.hidden if shape.head in ("lm", "mlm") else 0
    copies = 2 * _matmul_params(shape) // (tp * pp) if amp_full else 0
    block_copies = 2 * (_matmul_params(shape) - head_matmul) // (tp * pp * max(shape.layers, 1)) if amp_full else 0
    if setup.grad_checkpointing and amp_full:
        copies = 2 * head_matmul // (tp * pp)  # checkpointed blocks run forward under no_grad: nothing kept
    opt_shard = trainable / (tp * pp) / (dp if stage >= 1 else 1)
    # DeepSpeed steps with its own fused Adam (or on the CPU when offloaded): no foreach temporaries
    temp = 0 if (offload != "none" or strategy.startswith("zero")) else optimizer_step_temp_bytes(
        optimizer, setup.optimizer_impl, train_bytes, opt_shard, shape)
    resident = sum(v for k, v in static.items() if k not in ("gathered layer buffers", "DDP gradient buckets"))
    return StepParts(params, trainable, targets, static, grads, temp, copies, block_copies, cpu_bytes,
                     model_states + paged, paged, block_backward, resident, whole_embedding_gradient(setup))


def activations_per_gpu(setup: TrainingSetup, acts: dict, micro_batch=None) -> dict:
    """``activation_bytes`` of the whole micro-batch on one GPU: tensor (+sequence) parallel splits activations
    (Korthikanti §4) and PyTorch's DTensor plan keeps its extras (``parallel.tensor_parallel_extra``).
    ``acts`` and ``micro_batch`` may be numpy arrays (``memory.grid`` sweeps micro-batch and length)."""
    tp = setup.tp
    out = {k: floor_bytes(v / tp) for k, v in acts.items()}
    if tp > 1 and setup.tp_plan == "dtensor":
        tokens = (setup.micro_batch if micro_batch is None else micro_batch) * decoder_length(setup)
        for name, extra in tensor_parallel_extra(setup, tokens).items():
            out[name] += extra
    return out


def step_phases(parts: StepParts, acts: dict, *, grad_checkpointing: bool, layers: int) -> dict[str, dict]:
    """What is alive at each moment that can be the step's peak (module docstring), per GPU: the one place the
    peak is put together, for ``training_memory`` and, with arrays of activations, ``memory.grid``."""
    acts = dict(acts)
    recomputed = acts.pop("recomputed block")
    backward_start = {**parts.static, **acts}
    if parts.copies:
        backward_start["autocast bf16 weight copies"] = parts.copies
    step = {**parts.static, "gradients": parts.grads + parts.embedding_grad}
    if parts.temp:
        step["optimizer step buffers"] = parts.temp
    phases = {"backward start": backward_start, "optimizer step": step}
    if grad_checkpointing:
        phases["end of backward"] = {**parts.static, "gradients": parts.grads,
                                     "recomputed block": recomputed + parts.block_copies,
                                     "unsharded backward buffers": parts.block_backward,
                                     "checkpointed block inputs": acts["checkpointed block inputs"] // max(layers, 1)}
    return phases


def training_memory(setup: TrainingSetup) -> MemoryEstimate:
    """Peak GPU memory per GPU of one training step (forward, backward, optimizer step)."""
    parts = training_step_parts(setup)
    acts = activations_per_gpu(setup, activation_bytes(setup, parts.targets))
    phases = step_phases(parts, acts, grad_checkpointing=setup.grad_checkpointing, layers=setup.model.shape.layers)
    totals = {name: sum(p.values()) for name, p in phases.items()}
    peak_phase = max(totals, key=totals.get)
    components = {k: int(v) for k, v in phases[peak_phase].items() if v}
    allocated = sum(components.values())
    notes = [("Gradient accumulation does not change per-GPU memory: each micro-batch's activations are freed "
             "before the next one runs.")]
    if setup.method != "full":
        notes.append(f"LoRA rank {setup.lora_rank} on {', '.join(sorted(parts.targets))}: {parts.trainable:,} trainable "
                     f"parameters in {'bf16' if setup.adapter_bytes == 2 else 'fp32'}.")
    window = setup.model.shape.max_context
    if setup.seq_len > window or decoder_length(setup) > window:
        notes.append(f"The sequence ({max(setup.seq_len, decoder_length(setup)):,} tokens) is longer than the model's "
                     f"{window:,}-token window: memory is sized as asked, but positions past the window were never "
                     "trained (learned position tables have no rows for them); extend the context (e.g. RoPE "
                     "scaling) or choose a longer-context model.")
    if setup.precision == "fp8":
        notes.append("FP8: the linear layers' GEMMs take float8 inputs; master weights, optimizer states, saved "
                     "activations, norms, attention and the loss are those of bf16 mixed precision (torchtitan: "
                     "47.65 GiB bf16 vs 47.32 GiB float8 on Llama 3 8B / 8 H100); FSDP gathers linear weights in 8 bits.")
    if parts.paged:
        notes.append(f"Paged optimizer states ({parts.paged / 1e9:,.2f} GB) live in CUDA unified memory: on the GPU while "
                     "there is room, paged to CPU RAM when the step needs the space (QLoRA §3), so they are not in "
                     "the peak and need not fit beside it; paging costs time, not memory.")
    return MemoryEstimate(components=components, peak_allocated_bytes=allocated,
                          peak_reserved_bytes=reserved_bytes(allocated, static_bytes=parts.resident,
                                                             grad_checkpointing=setup.grad_checkpointing),
                          params=parts.params, trainable_params=parts.trainable, peak_phase=peak_phase, phases=totals,
                          cpu_offload_bytes=parts.cpu_bytes, model_states_bytes=parts.model_states,
                          paged_bytes=parts.paged, active_params=active_parameter_count(setup.model.shape), notes=notes)

