"""LoRA/QLoRA adapters, quantised base weights and optimizer states: the per-parameter byte counts.

LoRA (Hu et al. 2021, arXiv 2106.09685): a target linear d_in -> d_out gains A (r x d_in) and B (d_out x r),
r·(d_in + d_out) parameters, trained in fp32 (peft upcasts adapters; autocast_adapter_dtype=True) or, as the
QLoRA reference code does, in bf16.
Paged optimizers (QLoRA §3, "Paged Optimizers"): bitsandbytes allocates their states in CUDA unified memory,
which the driver pages to CPU RAM when the GPU runs out, "to avoid memory spikes during gradient checkpointing";
PyTorch's allocator never sees them, and they need not fit beside the step's peak.
QLoRA (Dettmers et al. 2023, arXiv 2305.14314 §3): NF4 base weights at 0.5 byte/parameter plus block-wise
constants — 32-bit absmax per 64 weights (0.5 bit/param), 0.127 bit/param after double quantisation.
Embeddings, norms and the LM head stay in bf16 (bitsandbytes skips them).
"""

from __future__ import annotations

from collections.abc import Iterable

from lifecycle.models.architecture import FUSED_QKV_ARCHS, ModelShape, block_linear_params, layer_counts

NF4_BYTES_PER_PARAM = 0.5 + 0.127 / 8  # QLoRA §3: 4-bit values + double-quantised constants
INT8_BYTES_PER_PARAM = 1.0  # LLM.int8: one byte per weight (+ one fp32 scale per row, negligible)


def resolve_targets(shape: ModelShape, targets: Iterable[str]) -> set[str]:
    """The projections the adapters really sit on, for this architecture: no gate without a gated MLP, and a
    fused q,k,v projection (``FUSED_QKV_ARCHS``: GPT-2, BLOOM, NeoX, Falcon, Phi-3) adapts all three at once.
    ``targets`` are the short names a ``TrainingSetup`` holds (its validator maps q_proj, c_attn, all … to them)."""
    names = set(targets)
    if not shape.gated_mlp:
        names.discard("gate")
    if shape.arch in FUSED_QKV_ARCHS and names & {"q", "k", "v"}:
        names |= {"q", "k", "v"}  # one fused q,k,v projection: an adapter on it covers all three
    return names


def _target_params_per_block(shape: ModelShape, targets: set[str], rank: int, *, cross: bool) -> int:
    h, q, kv, f = shape.hidden, shape.attention_dim, shape.kv_dim, shape.ffn
    if shape.arch in FUSED_QKV_ARCHS and targets & {"q", "k", "v"}:
        attn = rank * (h + q + 2 * kv)  # the fused projection is one linear h -> q + 2kv
    else:
        attn = sum(rank * (h + (q if t == "q" else kv)) for t in targets & {"q", "k", "v"})
    attn += rank * (q + h) if "o" in targets else 0
    mlp = sum(rank * (h + f) for t in targets & {"gate", "up"}) + (rank * (f + h) if "down" in targets else 0)
    return attn * (2 if cross else 1) + mlp


def lora_params(shape: ModelShape, rank: int, targets: set[str]) -> int:
    """Trainable LoRA parameters; decoder blocks of encoder-decoders adapt their cross-attention too."""
    enc_layers, dec_layers = layer_counts(shape)
    cross = shape.family == "encoder-decoder"
    return (enc_layers * _target_params_per_block(shape, targets, rank, cross=False)
            + dec_layers * _target_params_per_block(shape, targets, rank, cross=cross))


def quantisable_params(shape: ModelShape) -> int:
    """Weights of the blocks' linear layers (what bitsandbytes quantises)."""
    return block_linear_params(shape)


def quantised_base_bytes(shape: ModelShape, params: int, bits: int) -> int:
    """Base weights with block linears in NF4 (bits=4) or int8 (bits=8) and everything else in bf16."""
    linear = quantisable_params(shape)
    per_param = NF4_BYTES_PER_PARAM if bits == 4 else INT8_BYTES_PER_PARAM
    return int(linear * per_param + 2 * (params - linear))


PAGED_OPTIMIZERS = ("paged_adamw_32bit", "paged_adamw_8bit")


def optimizer_state_bytes_per_param(optimizer: str, param_bytes: int) -> float:
    """AdamW: exp_avg + exp_avg_sq in the parameter dtype; SGD momentum: one buffer; bitsandbytes 32-bit AdamW:
    two fp32 states whatever the parameter dtype (``Optimizer2State``, ``optim_bits=32``); 8-bit AdamW: two 1-byte
    states (+ block constants, ~0.03 B); Adafactor: factored fp32 second moment, rows + columns instead of
    rows x columns (Shazeer & Stern 2018, arXiv 1804.04235) - under 0.04 B/param for transformer matrices."""
    if optimizer == "adamw":
        return 2 * param_bytes
    if optimizer == "sgd":
        return param_bytes
    if optimizer == "paged_adamw_32bit":
        return 2 * 4
    if optimizer in ("adamw_8bit", "paged_adamw_8bit"):
        return 2 + 2 * 4 / 256  # bitsandbytes blockwise: 1 byte per state + one fp32 absmax per 256 values
    return 0.04  # adafactor, see docstring


def optimizer_step_temp_bytes(optimizer: str, impl: str, param_bytes: int, trainable_shard: float,
                              shape: ModelShape) -> int:
    """Temporaries of the optimizer step.

    torch.optim.AdamW(foreach=True) computes ``exp_avg_sq_sqrt = _foreach_sqrt(exp_avg_sqs)`` for the whole
    parameter list at once: one extra copy of the parameters (torch/optim/adam.py ``_multi_tensor_adam``).
    The fused kernel and SGD's in-place foreach ops need none; Adafactor works per tensor (largest matrix x 3).
    """
    if optimizer == "adamw" and impl == "foreach":
        return int(param_bytes * trainable_shard)
    if optimizer == "adafactor":
        return int(3 * 4 * max(shape.hidden * shape.ffn, shape.vocab * shape.hidden))
    return 0
