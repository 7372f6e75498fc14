"""GPU memory of inference: weights, KV cache (grouped-query aware) and the working set of one layer.

Under ``torch.no_grad`` nothing is kept for backward, so activations cost only what one layer holds while
it runs (the residual, its normalised copy and the MLP intermediates — Pope et al. 2022, arXiv 2211.05102 §2
for the KV cache). Generation with a Hugging Face ``DynamicCache`` keeps K and V for every token so far:
``2 · layers · kv_heads · head_dim · bytes`` per token, and grows it with ``torch.cat``, so one layer's cache
briefly exists twice. ``generate`` computes logits for the last position only; a plain forward pass
(``new_tokens = 0``) returns logits for every position.
"""

from __future__ import annotations

from lifecycle.memory import activations as act
from lifecycle.memory.adapters import quantised_base_bytes
from lifecycle.memory.breakdown import MemoryEstimate
from lifecycle.memory.overheads import FRAMEWORK_WORKSPACE_BYTES, reserved_bytes
from lifecycle.memory.setup import InferenceSetup, expert_share
from lifecycle.models.architecture import (
    ModelShape,
    active_parameter_count,
    dense_equivalent,
    layer_counts,
    parameter_count,
)
from lifecycle.models.quantized import FORMAT_BITS, format_weight_bytes


def inference_weight_bytes(shape: ModelShape, precision: str) -> int:
    params = parameter_count(shape)
    if precision == "fp32":
        return 4 * params
    if precision in ("bf16", "fp16"):
        return 2 * params
    if precision in FORMAT_BITS:  # a shipped or downloaded format: converted weights at its bits, the rest 16-bit
        return format_weight_bytes(shape, precision)
    return quantised_base_bytes(shape, params, 8 if precision == "int8" else 4)


def cached_layer_tokens(shape: ModelShape, tokens: int) -> int:
    """Σ over decoder layers of the positions each keeps: ``tokens``, or at most ``sliding_window`` on a sliding
    layer (transformers DynamicSlidingWindowLayer; vLLM frees the blocks that leave the window)."""
    _, dec_layers = layer_counts(shape)
    sliding = min(shape.sliding_layers, dec_layers) if shape.sliding_window else 0
    return (dec_layers - sliding) * tokens + sliding * min(tokens, shape.sliding_window)


def kv_cache_bytes(shape: ModelShape, *, batch: int, tokens: int, bytes_per_value: float = 2, tp: int = 1) -> int:
    """K and V for ``tokens`` positions in every decoder layer (at most the window on a sliding-window layer);
    tensor parallel splits KV heads (at least one each); an FP8 cache stores one byte per value."""
    layer_tokens = cached_layer_tokens(shape, tokens)
    if shape.kv_lora_rank:  # latent attention caches the compressed latent and the shared rope key (DeepSeek-V2 §2.1.2)
        return int(layer_tokens * (shape.kv_lora_rank + shape.qk_rope_head_dim) * bytes_per_value * batch)
    kv_heads_per_gpu = max(shape.kv_heads / tp, 1)
    return int(2 * layer_tokens * kv_heads_per_gpu * shape.head_dim * bytes_per_value * batch)


def _layer_working_bytes_per_token(shape: ModelShape, c: int) -> int:
    """Largest set of tensors alive inside one layer's forward under no_grad, per token."""
    h, f, q, kv = shape.hidden, shape.ffn, shape.attention_dim, shape.kv_dim
    # the input embeddings (held by the model's forward), the layer's input (held by the loop that called it),
    # the residual after attention and its normalised copy
    base = 4 * c * h
    # gated: act(gate), up and their product; GPT-2's Python gelu_new: x, 0.5·x and two tanh temporaries
    mlp = (3 if shape.gated_mlp else 4 if shape.arch in act.PY_GELU_ARCHS else 2) * c * f
    attention = c * (2 * q + 2 * kv)
    return base + max(mlp, attention)


def inference_memory(setup: InferenceSetup) -> MemoryEstimate:
    """Peak GPU memory per GPU of a forward pass (new_tokens = 0) or of generating new_tokens after a prompt."""
    shape, precision, tp = setup.model.shape, setup.precision, setup.tp
    batch, prompt_tokens, new_tokens = setup.concurrent_sequences, setup.prompt_tokens, setup.new_tokens
    params = parameter_count(shape)
    c = 4 if precision == "fp32" else 2  # compute dtype: int8/int4 weights are dequantised to bf16 for matmuls
    # dense layers split over tp; routed experts over max(ep, tp): ep ranks of whole experts (vLLM EP = TP x DP),
    # or, with ep < tp, each expert split over tp/ep of them
    share, whole = expert_share(shape), inference_weight_bytes(shape, precision)
    weights = int(whole * (1 - share) / tp + whole * share / max(setup.ep, tp))
    kv = 1 if setup.kv_cache_dtype == "fp8" else c  # vLLM kv_cache_dtype="fp8": one byte per cached value
    eager = setup.attention == "eager" or shape.arch in act.EAGER_ONLY_ARCHS
    prompt = batch * prompt_tokens
    working = prompt * _layer_working_bytes_per_token(dense_equivalent(shape), c) // tp
    if eager:  # one layer's scores, their fp32 softmax and the cast back
        working += batch * shape.heads * prompt_tokens * prompt_tokens * (2 * c + 4) // tp
    out_tokens = prompt if new_tokens == 0 else batch  # generate keeps only the last position's logits
    logits = out_tokens * shape.vocab * (c + (4 if new_tokens else 0)) if shape.head in ("lm", "mlm") else 0
    logits //= tp
    head_inputs = 2 * out_tokens * c * shape.hidden // tp  # the last hidden states and the head's transform
    if shape.family == "encoder":
        phases = {"forward": {"weights": weights, "activations": working},
                  "output head": {"weights": weights, "activations": head_inputs, "logits": logits}}
    elif shape.family == "encoder-decoder":
        enc_out = prompt * c * shape.hidden // tp
        cross = kv_cache_bytes(shape, batch=batch, tokens=prompt_tokens, bytes_per_value=kv, tp=tp)
        self_kv = kv_cache_bytes(shape, batch=batch, tokens=max(new_tokens, 1), bytes_per_value=kv, tp=tp)
        step = 2 * self_kv // max(layer_counts(shape)[1], 1)
        phases = {"encoder": {"weights": weights, "activations": working},
                  "decoding": {"weights": weights, "cross-attention cache": cross, "encoder output": enc_out,
                               "KV cache": self_kv + step, "logits": batch * shape.vocab * (c + 4) // tp}}
    else:
        prefill_kv = kv_cache_bytes(shape, batch=batch, tokens=prompt_tokens, bytes_per_value=kv, tp=tp)
        phases = {"prefill": {"weights": weights, "KV cache": prefill_kv, "activations": working},
                  "output head": {"weights": weights, "KV cache": prefill_kv, "activations": head_inputs, "logits": logits}}
        if new_tokens:
            full_kv = kv_cache_bytes(shape, batch=batch, tokens=prompt_tokens + new_tokens, bytes_per_value=kv, tp=tp)
            one_layer = full_kv // max(layer_counts(shape)[1], 1)
            phases["decoding"] = {"weights": weights, "KV cache": full_kv + one_layer,
                                  "logits": batch * shape.vocab * (c + 4) // tp}
    for parts in phases.values():
        parts["cuBLAS workspaces"] = FRAMEWORK_WORKSPACE_BYTES
    totals = {name: sum(parts.values()) for name, parts in phases.items()}
    peak_phase = max(totals, key=totals.get)
    components = {k: int(v) for k, v in phases[peak_phase].items() if v}
    if precision in ("int8", "int4") and "weights" in components:
        components["quantised weights"] = components.pop("weights")
    allocated = sum(components.values())
    return MemoryEstimate(components=components, peak_allocated_bytes=allocated,
                          peak_reserved_bytes=reserved_bytes(allocated, static_bytes=weights, inference=True), params=params,
                          trainable_params=0, peak_phase=peak_phase, phases=totals,
                          active_params=active_parameter_count(shape))
