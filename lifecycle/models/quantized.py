"""Checkpoints as they ship: a config.json's ``quantization_config`` and the bytes its weights take.

A checkpoint stores its converted weights at the format's bits per weight and leaves the modules it does not convert
(``modules_to_not_convert``, and embeddings, norms and the LM head) in 16 bits. Bits per weight, from the layouts:
- MXFP4 (OCP Microscaling Formats v1.0 §5): 32 FP4 values share one 8-bit E8M0 scale → 4 + 8/32 = 4.25 bits.
  transformers' Mxfp4 integration converts only gpt-oss's experts (attention, router, embeddings stay bf16).
- FP8 (DeepSeek-V3 §3.3.2, Qwen3-FP8): E4M3 weights with one fp32 scale per 128×128 block → 8 + 32/16384 bits.
- GPTQ / AWQ 4-bit, group g: 4 bits + an fp16 scale and a 4-bit zero point per group of g → 4 + 20/g (4.156 at 128).
- bitsandbytes: the planner's int4 (NF4) and int8 (LLM.int8) formats.
- llama.cpp GGUF blocks (ggml-common.h): Q8_0 34 bytes per 32 weights, Q6_K 210/256, Q5_K 176/256, Q4_K 144/256.
"""

from __future__ import annotations

import math
from typing import Any

from lifecycle.errors import InvalidInput
from lifecycle.models.architecture import (
    ModelShape,
    attention_params,
    block_linear_params,
    moe_layer_count,
    parameter_count,
)

# bits per converted weight (block scales included)
FORMAT_BITS: dict[str, float] = {
    "fp8": 8 + 32 / (128 * 128), "mxfp4": 4 + 8 / 32, "gptq4": 4 + 16 / 128 + 4 / 128,
    "q8_0": 34 * 8 / 32, "q6_k": 210 * 8 / 256, "q5_k_m": 176 * 8 / 256, "q4_k_m": 144 * 8 / 256,
}
FORMAT_TITLES = {"fp8": "FP8 (E4M3, 128×128 block scales)", "mxfp4": "MXFP4 (4.25 bits)",
                 "gptq4": "GPTQ / AWQ 4-bit, group 128", "int4": "int4 (NF4, bitsandbytes)",
                 "int8": "int8 (LLM.int8, bitsandbytes)"}
SHIPPED_FORMATS = ("", "fp8", "mxfp4", "gptq4", "int4", "int8")
SCOPES = ("linears", "mlp", "experts")  # what a format converts: every block linear, the MLPs/experts, the experts


def converted_params(shape: ModelShape, scope: str) -> int:
    """Weights a format converts: every block linear, only the MLPs and experts (attention kept), or only the routed
    experts' matrices (gpt-oss: attention and router kept in bf16)."""
    if scope == "experts":
        matrices = (3 if shape.gated_mlp else 2) * shape.hidden * shape.moe_ffn
        return moe_layer_count(shape) * shape.experts * matrices
    linears = block_linear_params(shape)
    if scope == "mlp":
        cross = 2 if shape.family == "encoder-decoder" else 1
        linears -= (shape.encoder_layers if shape.family == "encoder-decoder" else 0) * attention_params(shape)
        linears -= (shape.decoder_layers if shape.family == "encoder-decoder" else shape.layers) * cross \
            * attention_params(shape)
    return linears


def format_weight_bytes(shape: ModelShape, fmt: str) -> int:
    """Bytes of the weights in ``fmt`` (a FORMAT_BITS id): converted weights at its bits, the rest in 16 bits; the
    checkpoint's own scope when it ships in this format, every block linear otherwise."""
    scope = shape.shipped_scope if shape.shipped_format == fmt else "linears"
    converted = converted_params(shape, scope)
    return int(converted * FORMAT_BITS[fmt] / 8 + 2 * (parameter_count(shape) - converted))


def expert_bytes_per_param(fmt: str) -> float | None:
    """Bytes per routed-expert weight in a FORMAT_BITS format (every scope converts the experts)."""
    return FORMAT_BITS[fmt] / 8 if fmt in FORMAT_BITS else None


def _number(q: dict, key: str, default: float) -> float:
    value = q.get(key, default)
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise InvalidInput(f"config.json quantization_config.{key} must be a number (got {value!r}).")
    return value


def _scope(q: dict, default: str) -> str:
    """modules_to_not_convert (or ignored_layers): attention kept → only the MLPs/experts are converted."""
    skipped = q.get("modules_to_not_convert") or q.get("ignored_layers") or q.get("ignore") or []
    if not isinstance(skipped, list) or not all(isinstance(s, str) for s in skipped):
        raise InvalidInput("config.json quantization_config.modules_to_not_convert must be a list of module names.")
    return "mlp" if default == "linears" and any("self_attn" in s or "attention" in s for s in skipped) else default


def shipped_quantization(config: Any, *, moe: bool) -> dict:
    """ModelShape fields for the checkpoint's own quantization (``{}`` when it ships unquantized); InvalidInput for a
    quantization_config this planner cannot size, rather than sizing it as 16-bit weights."""
    q = config.get("quantization_config") if isinstance(config, dict) else None
    if q is None:
        return {}
    if not isinstance(q, dict):
        raise InvalidInput("config.json quantization_config must be a JSON object.")
    method = str(q.get("quant_method", "")).lower()
    if method == "mxfp4":  # transformers' Mxfp4 replaces the experts only
        return {"shipped_format": "mxfp4", "shipped_scope": "experts" if moe else _scope(q, "linears")}
    if method == "fp8" or (method == "compressed-tensors" and _compressed_bits(q) == 8):
        return {"shipped_format": "fp8", "shipped_scope": _scope(q, "linears")}
    if method in ("gptq", "awq") or (method == "compressed-tensors" and _compressed_bits(q) == 4):
        bits = _number(q, "bits", 4)
        if bits != 4:
            raise InvalidInput(f"config.json quantization_config: {method} with {bits:g} bits is not modelled (4-bit only).")
        return {"shipped_format": "gptq4", "shipped_scope": _scope(q, "linears")}
    if method == "bitsandbytes":
        fmt = "int4" if q.get("load_in_4bit") else "int8" if q.get("load_in_8bit") else ""
        if not fmt:
            raise InvalidInput("config.json quantization_config: bitsandbytes with neither load_in_4bit nor "
                               "load_in_8bit.")
        return {"shipped_format": fmt, "shipped_scope": "linears"}
    raise InvalidInput(f"config.json quantization_config quant_method {method or 'missing'!r} is not modelled "
                       "(fp8, mxfp4, gptq, awq, bitsandbytes, compressed-tensors fp8/int4); refusing rather than "
                       "sizing the checkpoint as 16-bit weights.")


def _compressed_bits(q: dict) -> int | None:
    """compressed-tensors: the weights' num_bits of its first config group."""
    groups = q.get("config_groups") or {}
    for group in groups.values() if isinstance(groups, dict) else []:
        weights = group.get("weights") if isinstance(group, dict) else None
        if isinstance(weights, dict):
            return int(_number(weights, "num_bits", 16))
    return None
