"""One decode step and the FLOPs of a forward pass: the bytes a step reads (weights at the format's size, only the
experts a batch is routed to, the KV cache at its dtype) over bandwidth, or its FLOPs over peak (roofline, Williams
et al. 2009), plus the engine's per-layer overhead."""

from __future__ import annotations

import json
from functools import lru_cache

from pydantic import BaseModel

from lifecycle.choices import compute_precision
from lifecycle.memory.adapters import INT8_BYTES_PER_PARAM, NF4_BYTES_PER_PARAM
from lifecycle.memory.inference import inference_weight_bytes, kv_cache_bytes
from lifecycle.models.architecture import (
    ModelShape,
    attention_score_flops_per_token,
    block_linear_params,
    expert_params,
    forward_flops_per_token,
    moe_layer_count,
    parameter_count,
)
from lifecycle.models.gpus import GPU
from lifecycle.models.quantized import expert_bytes_per_param
from lifecycle.resources import data_path


@lru_cache(maxsize=1)
def _weight_kernels() -> dict:
    return json.loads(data_path("serving_engines.json").read_text(encoding="utf-8")).get("weight_kernels", {})


def kernel_weight_bytes(shape: ModelShape, precision: str, weights: float, batch: int, gpu_id: str | None) -> float:
    """Weight bytes a step effectively reads once the format's decode kernel is accounted for (data/
    serving_engines.json weight_kernels, each from a cited benchmark): the 16-bit bytes over the kernel's measured
    speed-up when that is below the bytes' ideal; past the kernel's batch, bitsandbytes dequantises to a 16-bit copy."""
    kernel = _weight_kernels().get(precision)
    if kernel is None or gpu_id is None:
        return weights
    total = inference_weight_bytes(shape, precision)
    linear = block_linear_params(shape)  # what bitsandbytes / GPTQ quantise; the rest stays 16-bit
    quantised = total - 2 * (parameter_count(shape) - linear)
    sixteen, rest = 2 * linear, total - quantised
    if batch > kernel["max_batch"]:
        effective = quantised + 2 * sixteen if kernel["beyond_max_batch"] == "dequantise" else quantised
    else:
        speedup = kernel["speedup_vs_16bit"].get(gpu_id)
        effective = max(quantised, sixteen / speedup) if speedup else quantised
    return (effective + rest) * weights / max(total, 1)  # this GPU's share of what the batch reads


def decode_bytes_per_step(shape: ModelShape, precision: str, batch: int, context: int, *, tp: int = 1,
                          prompt_tokens: int | None = None, kv_cache_dtype: str = "auto",
                          gpu_id: str | None = None) -> int:
    """Bytes one GPU reads in a decode step: all its weights plus the KV cache of ``context`` tokens per
    sequence (Pope et al. 2022 §2: decode is dominated by loading weights and the KV cache). Sizes come
    from lifecycle.memory.estimate; an encoder-decoder step also reads the cross-attention cache of the prompt."""
    # int8/int4 weights still keep a 16-bit KV cache unless it is stored in FP8
    value_bytes = 1 if kv_cache_dtype == "fp8" else 4 if precision == "fp32" else 2
    weights = (inference_weight_bytes(shape, precision) - unread_expert_bytes(shape, precision, batch)) / tp
    weights = int(kernel_weight_bytes(shape, precision, weights, batch, gpu_id))
    if shape.family == "encoder-decoder":
        cross = kv_cache_bytes(shape, batch=batch, tokens=prompt_tokens or 0, bytes_per_value=value_bytes, tp=tp)
        return weights + cross + kv_cache_bytes(shape, batch=batch, tokens=context, bytes_per_value=value_bytes, tp=tp)
    return weights + kv_cache_bytes(shape, batch=batch, tokens=context, bytes_per_value=value_bytes, tp=tp)


def touched_weight_fraction(shape: ModelShape, batch: int) -> float:
    """Share of the weights a decode step of ``batch`` tokens reads. A MoE layer reads only the experts its tokens
    were routed to: with uniform routing of k of E experts, the expected number of distinct experts is
    E·(1 − (1 − k/E)^B) — k for one token, all E once B is large."""
    moe = moe_layer_count(shape)
    if not moe:
        return 1.0
    e, k = shape.experts, shape.experts_per_token
    distinct = e * (1 - (1 - k / e) ** max(batch, 1))
    unread = moe * (e - distinct) * expert_params(shape)
    return 1 - unread / parameter_count(shape)


def unread_expert_bytes(shape: ModelShape, precision: str, batch: int) -> float:
    """Bytes of the routed experts a decode step of ``batch`` tokens does not read (uniform routing, as in
    ``touched_weight_fraction``), at the bytes per expert weight of ``precision`` (MXFP4 experts: 4.25 bits)."""
    moe = moe_layer_count(shape)
    if not moe:
        return 0.0
    e, k = shape.experts, shape.experts_per_token
    distinct = e * (1 - (1 - k / e) ** max(batch, 1))
    per_param = expert_bytes_per_param(precision)
    if per_param is None:
        per_param = {"fp32": 4.0, "int8": INT8_BYTES_PER_PARAM, "int4": NF4_BYTES_PER_PARAM}.get(precision, 2.0)
    return moe * (e - distinct) * expert_params(shape) * per_param


def decode_layers(shape: ModelShape) -> int:
    """Blocks a decode step runs: the decoder stack (encoder-decoder) or every layer (decoder-only)."""
    return shape.decoder_layers if shape.family == "encoder-decoder" else shape.layers


def forward_flops(params: int, shape: ModelShape, tokens: float, context: float, *, decode: bool = False,
                  prompt_tokens: float = 0) -> float:
    """Kaplan et al. 2020 eq. 2.2: 2·N + 2·n_layer·n_ctx·d_attn FLOPs per token.

    An encoder-decoder's prompt runs through the encoder only and each generated token through the decoder
    only (``forward_flops_per_token``), whose cross-attention also reads the ``prompt_tokens`` encoder states.
    Attention scores are halved under a causal mask only (decoder self-attention); encoder self-attention and
    cross-attention attend to every position (FlopCounterMode on T5: tests/tools/test_flops_reference.py).
    """
    d = shape.attention_dim
    if shape.family != "encoder-decoder":  # a decoder's mask is causal; an encoder attends to every position
        scores = attention_score_flops_per_token(shape.layers, context, d, causal=shape.family == "decoder")
        return tokens * (2 * params + scores)
    per_input, per_output = forward_flops_per_token(shape)
    if not decode:
        return tokens * (per_input + attention_score_flops_per_token(shape.encoder_layers, context, d, causal=False))
    attention = (attention_score_flops_per_token(shape.decoder_layers, context, d, causal=True)
                 + attention_score_flops_per_token(shape.decoder_layers, prompt_tokens, d, causal=False))
    return tokens * (per_output + attention)


class DecodeStep(BaseModel):
    seconds: float
    bytes_read: float  # per GPU
    memory_s: float
    compute_s: float
    overhead_s: float
    bound: str


def decode_step(shape: ModelShape, params: int, precision: str, gpu: GPU, *, batch: int, context: float, tp: int = 1,
                bandwidth_efficiency: float, per_layer_overhead_s: float, utilisation: float,
                prompt_tokens: int | None = None, kv_cache_dtype: str = "auto") -> DecodeStep:
    """One decode step at ``context`` tokens per sequence (roofline, Williams et al. 2009):
    max(bytes read / (bandwidth · efficiency), FLOPs / (peak · utilisation)) + layers · overhead."""
    bytes_read = decode_bytes_per_step(shape, precision, batch, max(1, round(context)), tp=tp, prompt_tokens=prompt_tokens,
                                       kv_cache_dtype=kv_cache_dtype, gpu_id=gpu.id)
    memory_s = bytes_read / (gpu.memory_bandwidth_bytes_per_s * bandwidth_efficiency)
    compute_s = batch * forward_flops(params, shape, 1, context, decode=True, prompt_tokens=prompt_tokens or 0) / (tp * gpu.peak_flops(compute_precision(precision)) * utilisation)
    overhead_s = decode_layers(shape) * per_layer_overhead_s
    return DecodeStep(seconds=max(memory_s, compute_s) + overhead_s, bytes_read=bytes_read, memory_s=memory_s,
                      compute_s=compute_s, overhead_s=overhead_s, bound="memory" if memory_s >= compute_s else "compute")
