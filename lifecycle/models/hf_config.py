"""Read a Hugging Face ``config.json`` into the keyword arguments of ``ModelShape``.

One reader per family, because the key names differ (``n_embd`` vs ``hidden_size`` vs ``d_model``)
and so do the small things that make a parameter count exact (biases, norm types, learned
position tables, tied heads). The defaults are those of the transformers ``*Config`` classes.
"""

from __future__ import annotations

import math
from typing import Any

from lifecycle.errors import InvalidInput

NOT_TRANSFORMER_HINT = "expected a transformer config.json (GPT-2, BERT, T5, BART, BLOOM, OPT, GPT-NeoX, Falcon, LLaMA …)"


def _int(config: dict, *keys: str, default: Any = None) -> Any:
    for key in keys:
        value = config.get(key)
        if value is not None:
            if (isinstance(value, bool) or not isinstance(value, (int, float))
                    or (isinstance(value, float) and not math.isfinite(value)) or int(value) != value):
                raise InvalidInput(f"config.json: {key} must be a whole number (got {value!r}).")
            return int(value)
    if default is None:
        raise InvalidInput(f"config.json has no {' / '.join(keys)}; {NOT_TRANSFORMER_HINT}.")
    return default


def _head(config: dict, family: str) -> dict:
    """Which output head the architecture name says the model carries."""
    arch = " ".join(config.get("architectures") or [])
    if "MaskedLM" in arch or "ForPreTraining" in arch:
        return {"head": "mlm", "pooler": False}
    if "SequenceClassification" in arch:
        labels = len(config.get("id2label") or {}) or _int(config, "num_labels", default=2)
        return {"head": "classifier", "pooler": config.get("model_type") in ("bert", "roberta"), "num_labels": labels}
    if "TokenClassification" in arch:
        labels = len(config.get("id2label") or {}) or _int(config, "num_labels", default=2)
        return {"head": "token-classifier", "pooler": False, "num_labels": labels}
    if family == "encoder":
        return {"head": "base", "pooler": config.get("model_type") in ("bert", "roberta", "xlm-roberta")}
    return {"head": "lm"}


def _tied(config: dict, default: bool = True) -> bool:
    value = config.get("tie_word_embeddings")
    return default if value is None else bool(value)


def _gpt2(c: dict) -> dict:
    h = _int(c, "n_embd", "hidden_size")
    return {"arch": "gpt2", "layers": _int(c, "n_layer"), "hidden": h, "heads": _int(c, "n_head"),
                "ffn": _int(c, "n_inner", default=4 * h), "vocab": _int(c, "vocab_size"),
                "tied_embeddings": _tied(c), "max_context": _int(c, "n_positions", default=1024),
                "norm": "layernorm", "positional": "learned", "position_embeddings": _int(c, "n_positions", default=1024),
                "qkv_bias": True, "out_bias": True, "mlp_bias": True}


def _bert(c: dict) -> dict:
    model_type = c.get("model_type")
    positions = _int(c, "max_position_embeddings", default=512)
    return dict(arch=model_type or "bert", family="encoder", layers=_int(c, "num_hidden_layers"),
                hidden=_int(c, "hidden_size"), heads=_int(c, "num_attention_heads"),
                ffn=_int(c, "intermediate_size"), vocab=_int(c, "vocab_size"), tied_embeddings=_tied(c),
                max_context=positions - (2 if model_type in ("roberta", "xlm-roberta") else 0),
                norm="layernorm", final_norm=False, embedding_norm=True, positional="learned",
                position_embeddings=positions, token_types=_int(c, "type_vocab_size", default=2),
                qkv_bias=True, out_bias=True, mlp_bias=True, **_head(c, "encoder"))


def _distilbert(c: dict) -> dict:
    positions = _int(c, "max_position_embeddings", default=512)
    head = _head(c, "encoder")
    head["pooler"] = False
    return dict(arch="distilbert", family="encoder", layers=_int(c, "n_layers"), hidden=_int(c, "dim"),
                heads=_int(c, "n_heads"), ffn=_int(c, "hidden_dim"), vocab=_int(c, "vocab_size"),
                tied_embeddings=True, max_context=positions, norm="layernorm", final_norm=False,
                embedding_norm=True, positional="learned", position_embeddings=positions,
                qkv_bias=True, out_bias=True, mlp_bias=True, **head)


def _deberta(c: dict) -> dict:
    buckets = _int(c, "position_buckets", default=-1)
    relative = 2 * buckets if buckets > 0 else 2 * _int(c, "max_relative_positions", "max_position_embeddings", default=512)
    head = _head(c, "encoder")
    head["pooler"] = False
    positions = _int(c, "max_position_embeddings", default=512)
    return dict(arch="deberta-v2", family="encoder", layers=_int(c, "num_hidden_layers"), hidden=_int(c, "hidden_size"),
                heads=_int(c, "num_attention_heads"), ffn=_int(c, "intermediate_size"), vocab=_int(c, "vocab_size"),
                tied_embeddings=True, max_context=positions, norm="layernorm", final_norm=False, embedding_norm=True,
                positional="relative",
                position_embeddings=positions if c.get("position_biased_input", False) else 0,
                token_types=_int(c, "type_vocab_size", default=0), relative_position_embeddings=relative,
                qkv_bias=True, out_bias=True, mlp_bias=True, **head)


def _t5(c: dict) -> dict:
    enc = _int(c, "num_layers")
    proj = str(c.get("feed_forward_proj", "relu"))
    return {"arch": c.get("model_type", "t5"), "family": "encoder-decoder", "layers": enc + _int(c, "num_decoder_layers", default=enc),
                "encoder_layers": enc, "decoder_layers": _int(c, "num_decoder_layers", default=enc), "hidden": _int(c, "d_model"),
                "heads": _int(c, "num_heads"), "head_dim": _int(c, "d_kv", default=64), "ffn": _int(c, "d_ff"),
                "gated_mlp": proj.startswith("gated"), "vocab": _int(c, "vocab_size"), "tied_embeddings": _tied(c),
                "max_context": _int(c, "n_positions", default=512), "norm": "rmsnorm", "positional": "relative",
                "relative_attention_buckets": _int(c, "relative_attention_num_buckets", default=32)}


def _bart(c: dict) -> dict:
    enc, dec = _int(c, "encoder_layers"), _int(c, "decoder_layers")
    positions = _int(c, "max_position_embeddings", default=1024)
    return {"arch": c.get("model_type", "bart"), "family": "encoder-decoder", "layers": enc + dec, "encoder_layers": enc,
                "decoder_layers": dec, "hidden": _int(c, "d_model"), "heads": _int(c, "encoder_attention_heads"),
                "ffn": _int(c, "encoder_ffn_dim"), "vocab": _int(c, "vocab_size"), "tied_embeddings": _tied(c),
                "max_context": positions, "norm": "layernorm", "final_norm": False, "embedding_norm": True,
                "positional": "learned", "position_embeddings": positions + 2,  # BART's learned table has an offset of 2
                "qkv_bias": True, "out_bias": True, "mlp_bias": True}


def _bloom(c: dict) -> dict:
    h = _int(c, "hidden_size", "n_embed")
    return {"arch": "bloom", "layers": _int(c, "n_layer", "num_hidden_layers"), "hidden": h,
                "heads": _int(c, "n_head", "num_attention_heads"), "ffn": 4 * h, "vocab": _int(c, "vocab_size"),
                "tied_embeddings": _tied(c), "max_context": _int(c, "seq_length", default=2048), "norm": "layernorm",
                "embedding_norm": True, "positional": "alibi", "qkv_bias": True, "out_bias": True, "mlp_bias": True}


def _opt(c: dict) -> dict:
    h = _int(c, "hidden_size")
    if _int(c, "word_embed_proj_dim", default=h) != h:
        raise InvalidInput("OPT configs with word_embed_proj_dim different from hidden_size (OPT-350m) are not modelled.")
    positions = _int(c, "max_position_embeddings", default=2048)
    return {"arch": "opt", "layers": _int(c, "num_hidden_layers"), "hidden": h, "heads": _int(c, "num_attention_heads"),
                "ffn": _int(c, "ffn_dim"), "vocab": _int(c, "vocab_size"), "tied_embeddings": _tied(c), "max_context": positions,
                "norm": "layernorm", "final_norm": bool(c.get("do_layer_norm_before", True)), "positional": "learned",
                "position_embeddings": positions + 2, "qkv_bias": True, "out_bias": True, "mlp_bias": True}


def _neox(c: dict) -> dict:
    return {"arch": "gpt_neox", "layers": _int(c, "num_hidden_layers"), "hidden": _int(c, "hidden_size"),
                "heads": _int(c, "num_attention_heads"), "ffn": _int(c, "intermediate_size"), "vocab": _int(c, "vocab_size"),
                "tied_embeddings": _tied(c, False), "max_context": _int(c, "max_position_embeddings", default=2048),
                "norm": "layernorm", "positional": "rotary", "qkv_bias": bool(c.get("attention_bias", True)),
                "out_bias": bool(c.get("attention_bias", True)), "mlp_bias": True,
                "parallel_block": bool(c.get("use_parallel_residual", True))}


def _gptj(c: dict) -> dict:
    h = _int(c, "n_embd")
    return {"arch": "gptj", "layers": _int(c, "n_layer"), "hidden": h, "heads": _int(c, "n_head"),
                "ffn": _int(c, "n_inner", default=4 * h), "vocab": _int(c, "vocab_size"), "tied_embeddings": _tied(c, False),
                "max_context": _int(c, "n_positions", default=2048), "norm": "layernorm", "norms_per_layer": 1,
                "positional": "rotary", "mlp_bias": True, "lm_head_bias": True, "parallel_block": True}


def _falcon(c: dict) -> dict:
    h = _int(c, "hidden_size")
    heads = _int(c, "num_attention_heads", "n_head")
    new_arch = bool(c.get("new_decoder_architecture", False))
    if new_arch:
        kv = _int(c, "num_kv_heads", default=heads)
    else:
        kv = 1 if c.get("multi_query", True) else heads
    bias = bool(c.get("bias", False))
    parallel = bool(c.get("parallel_attn", True))
    return {"arch": "falcon", "layers": _int(c, "num_hidden_layers", "n_layer"), "hidden": h, "heads": heads, "kv_heads": kv,
                "ffn": _int(c, "ffn_hidden_size", default=4 * h), "vocab": _int(c, "vocab_size"), "tied_embeddings": _tied(c),
                "max_context": _int(c, "max_position_embeddings", default=2048), "norm": "layernorm",
                "norms_per_layer": 2 if new_arch or not parallel else 1,
                "positional": "alibi" if c.get("alibi") else "rotary", "qkv_bias": bias, "out_bias": bias, "mlp_bias": bias,
                "parallel_block": parallel}


def _llama(c: dict, *, default_head_dim: int | None = None) -> dict:
    """LLaMA, Mistral, Qwen2, Gemma(2/3), Phi-3, Granite, Ministral and other RMSNorm + gated-MLP decoders."""
    model_type = c.get("model_type", "llama")
    h = _int(c, "hidden_size")
    heads = _int(c, "num_attention_heads")
    if not c.get("head_dim") and default_head_dim:
        c = {**c, "head_dim": default_head_dim}
    if not c.get("head_dim") and heads > 0 and h % heads:
        raise InvalidInput(f"Attention heads ({heads}) must divide the hidden size ({h}).")
    head_dim = _int(c, "head_dim") if c.get("head_dim") else (h // heads if heads > 0 else 0)
    attention_bias = bool(c.get("attention_bias", model_type in ("qwen2", "qwen2_moe")))
    gemma = model_type in ("gemma", "gemma2", "gemma3_text")
    return {"arch": model_type, "layers": _int(c, "num_hidden_layers"), "hidden": h, "heads": heads,
                "kv_heads": _int(c, "num_key_value_heads", default=heads), "head_dim": int(head_dim),
                "ffn": _int(c, "intermediate_size"), "gated_mlp": True, "vocab": _int(c, "vocab_size"),
                "tied_embeddings": _tied(c, gemma), "max_context": _int(c, "max_position_embeddings", default=2048),
                "norm": "rmsnorm", "norms_per_layer": 4 if model_type in ("gemma2", "gemma3_text") else 2,
                "positional": "rotary", "qkv_bias": attention_bias,
                "out_bias": bool(c.get("attention_bias", False)) and model_type not in ("qwen2", "qwen2_moe"),
                "mlp_bias": bool(c.get("mlp_bias", False))}


def _gemma3(c: dict) -> dict:
    """Gemma 3 text: Gemma 2's layout plus an RMSNorm on every query and key head (q_norm, k_norm)."""
    return {**_llama(c), "qk_norm": "head"}


def _olmo2(c: dict) -> dict:
    """OLMo 2: norms after attention and MLP instead of before (same count) and q/k RMSNorm over the whole
    query and key widths."""
    return {**_llama(c), "arch": "olmo2", "qk_norm": "full"}


def _qwen3(c: dict) -> dict:
    """Qwen3 dense: LLaMA layout plus an RMSNorm on every query and key head (q_norm, k_norm over head_dim)."""
    return {**_llama(c), "qk_norm": "head"}


def _moe(c: dict, *, experts: str, width: str, shared: int = 0, **extra) -> dict:
    """The LLaMA-layout decoder with a mixture-of-experts MLP read from ``experts``/``width`` keys."""
    return {**_llama(c), "experts": _int(c, experts), "experts_per_token": _int(c, "num_experts_per_tok",
                                                                                "experts_per_token"),
            "moe_ffn": _int(c, width), "shared_ffn": shared, **extra}


def _mixtral(c: dict) -> dict:
    """Mixtral (Jiang et al. 2024): every layer's MLP is 8 SwiGLU experts of intermediate_size, top-2, router h x E."""
    return _moe(c, experts="num_local_experts", width="intermediate_size")


def _qwen_moe(c: dict) -> dict:
    """Qwen2-MoE / Qwen3-MoE: num_experts of moe_intermediate_size; Qwen2-MoE adds a gated shared expert;
    mlp_only_layers keep a dense MLP of intermediate_size."""
    qwen2 = c.get("model_type") == "qwen2_moe"
    dense = len(c.get("mlp_only_layers") or [])
    out = _moe(c, experts="num_experts", width="moe_intermediate_size",
               shared=_int(c, "shared_expert_intermediate_size", default=0) if qwen2 else 0,
               shared_expert_gate=qwen2, dense_layers=dense,
               moe_layer_step=_int(c, "decoder_sparse_step", default=1))
    return out if qwen2 else {**out, "qk_norm": "head"}


def _olmoe(c: dict) -> dict:
    """OLMoE (Muennighoff et al. 2024): 64 experts of intermediate_size, top-8, q/k RMSNorm over the full width."""
    return {**_moe(c, experts="num_experts", width="intermediate_size"), "qk_norm": "full"}


def _deepseek(c: dict) -> dict:
    """DeepSeek-V2/V3: multi-head latent attention, first_k_dense_replace dense layers, then n_routed_experts of
    moe_intermediate_size (top num_experts_per_tok) plus n_shared_experts always on; V3's noaux_tc routing keeps a
    per-expert score bias. The multi-token-prediction module (num_nextn_predict_layers) is not part of the
    Hugging Face model and is not counted."""
    base = _llama(c)
    moe_width = _int(c, "moe_intermediate_size")
    return {**base, "arch": c.get("model_type", "deepseek_v3"), "head_dim": _int(c, "v_head_dim"),
            "kv_heads": base["heads"], "experts": _int(c, "n_routed_experts"),
            "experts_per_token": _int(c, "num_experts_per_tok"), "moe_ffn": moe_width,
            "shared_ffn": _int(c, "n_shared_experts", default=0) * moe_width,
            "dense_layers": _int(c, "first_k_dense_replace", default=0),
            "moe_layer_step": _int(c, "moe_layer_freq", default=1),
            "router_score_bias": c.get("topk_method") == "noaux_tc",
            "q_lora_rank": _int(c, "q_lora_rank") if c.get("q_lora_rank") else 0,
            "kv_lora_rank": _int(c, "kv_lora_rank"), "qk_rope_head_dim": _int(c, "qk_rope_head_dim"),
            "qk_nope_head_dim": _int(c, "qk_nope_head_dim"), "v_head_dim": _int(c, "v_head_dim")}


def _gpt_oss(c: dict) -> dict:
    """gpt-oss (OpenAI 2025): attention with biases and a learned sink per head; num_local_experts SwiGLU experts
    of intermediate_size with biases, a router with a bias, top experts_per_token."""
    return {**_moe(c, experts="num_local_experts", width="intermediate_size"), "arch": "gpt_oss",
            "qkv_bias": True, "out_bias": True, "attention_sinks": True, "expert_bias": True, "router_bias": True}


def _llama4(c: dict) -> dict:
    """Llama 4 text model: num_local_experts of intermediate_size plus one shared expert of the same width
    every interleave_moe_layer_step-th layer; the others keep a dense MLP of intermediate_size_mlp."""
    out = _moe(c, experts="num_local_experts", width="intermediate_size", shared=_int(c, "intermediate_size"),
               moe_layer_step=_int(c, "interleave_moe_layer_step", default=1))
    return {**out, "arch": "llama4_text", "ffn": _int(c, "intermediate_size_mlp", "intermediate_size")}


def _ministral3(c: dict) -> dict:
    """Ministral 3 text model: LLaMA layout; head_dim defaults to 128 (Ministral3Config), not hidden / heads."""
    return _llama(c, default_head_dim=128)


def _stablelm(c: dict) -> dict:
    """StableLM (2): LayerNorms with bias, a gated MLP, optional q/k/v biases (use_qkv_bias), a per-head LayerNorm on
    queries and keys (qk_layernorm: one per head, so q and k widths), one norm per layer with use_parallel_residual."""
    parallel = bool(c.get("use_parallel_residual", False))
    return {**_llama(c), "arch": "stablelm", "norm": "layernorm", "norms_per_layer": 1 if parallel else 2,
            "parallel_block": parallel, "qkv_bias": bool(c.get("use_qkv_bias", False)), "out_bias": False,
            "mlp_bias": False, "tied_embeddings": _tied(c, False),
            "qk_norm": "full" if c.get("qk_layernorm") else "none"}


def _starcoder2(c: dict) -> dict:
    """StarCoder2: LayerNorms with bias, a plain (ungated) MLP c_fc/c_proj, biases everywhere (use_bias)."""
    bias = bool(c.get("use_bias", True))
    return {**_llama(c), "arch": "starcoder2", "gated_mlp": False, "norm": "layernorm", "qkv_bias": bias,
            "out_bias": bias, "mlp_bias": bias, "tied_embeddings": _tied(c, True)}


def _cohere(c: dict) -> dict:
    """Cohere / Command-R: one LayerNorm (weight only) per block feeding attention and MLP in parallel, tied
    embeddings; Command-R+ adds a LayerNorm (weight only) per query and key head (use_qk_norm)."""
    return {**_llama(c), "arch": "cohere", "norms_per_layer": 1, "parallel_block": True,
            "tied_embeddings": _tied(c, True), "qk_norm": "full" if c.get("use_qk_norm") else "none"}


def _granitemoe(c: dict) -> dict:
    """Granite-MoE: num_local_experts gated experts of intermediate_size (no dense MLP), a bias-free router."""
    return {**_moe(c, experts="num_local_experts", width="intermediate_size"), "arch": "granitemoe"}


def _phimoe(c: dict) -> dict:
    """Phi-3.5-MoE: Mixtral's experts with LayerNorms (with bias), attention biases and an LM-head bias."""
    bias = bool(c.get("attention_bias", False))
    return {**_moe(c, experts="num_local_experts", width="intermediate_size"), "arch": "phimoe", "norm": "layernorm",
            "qkv_bias": bias, "out_bias": bias, "lm_head_bias": bool(c.get("lm_head_bias", False))}


READERS = {
    "gpt2": _gpt2, "bert": _bert, "roberta": _bert, "xlm-roberta": _bert, "electra": _bert,
    "distilbert": _distilbert, "deberta-v2": _deberta, "t5": _t5, "mt5": _t5, "umt5": _t5,
    "bart": _bart, "mbart": _bart, "bloom": _bloom, "opt": _opt, "gpt_neox": _neox, "gptj": _gptj,
    "falcon": _falcon, "llama": _llama, "mistral": _llama, "qwen2": _llama, "qwen3": _qwen3,
    "gemma": _llama, "gemma2": _llama, "gemma3_text": _gemma3, "olmo2": _olmo2, "phi3": _llama,
    "mixtral": _mixtral, "qwen2_moe": _qwen_moe, "qwen3_moe": _qwen_moe, "olmoe": _olmoe,
    "deepseek_v2": _deepseek, "deepseek_v3": _deepseek, "gpt_oss": _gpt_oss, "llama4_text": _llama4,
    "stablelm": _stablelm, "starcoder2": _starcoder2, "cohere": _cohere, "granite": _llama, "granitemoe": _granitemoe,
    "phimoe": _phimoe, "ministral": _llama, "ministral3": _ministral3,
}
# State-space and hybrid models keep a recurrent state, not a KV cache per token: refused as what they are
STATE_SPACE_TYPES = ("mamba", "mamba2", "falcon_mamba", "jamba", "rwkv", "rwkv5", "rwkv6", "rwkv7", "zamba", "zamba2",
                     "bamba", "granitemoehybrid", "falcon_h1", "nemotron_h", "plamo2", "lfm2", "recurrent_gemma",
                     "xlstm", "minimax", "qwen3_next", "kimi_linear")
STATE_SPACE_KEYS = ("state_size", "ssm_state_size", "mamba_d_state", "mamba_expand", "attn_layer_period",
                    "time_mix_extra_dim", "ssm_cfg", "conv_kernel", "mamba_d_conv")
# Keys that mark a mixture-of-experts config: one we do not read is refused, never read as a dense model
MOE_KEYS = ("num_local_experts", "num_experts", "n_routed_experts", "num_experts_per_tok", "moe_intermediate_size",
            "experts_per_token")


# transformers' default sliding_window where a config omits the key (MistralConfig: 4096)
DEFAULT_SLIDING_WINDOW = {"mistral": 4096}
# every n-th layer attends to the whole context, the others slide (Gemma2Config, GptOssConfig: (i + 1) % 2)
ALTERNATING = {"gemma2": 2, "gpt_oss": 2}
QWEN_TYPES = ("qwen2", "qwen2_moe", "qwen3", "qwen3_moe")


def sliding_window_kwargs(c: dict, layers: int) -> dict:
    """Which layers keep a KV cache of at most ``sliding_window`` tokens, as transformers' DynamicCache decides
    (cache_utils.get_layer_types_and_kwargs): ``layer_types`` when given, else each config class's default —
    Gemma 2 and gpt-oss alternate (layers 0, 2, 4… slide), Gemma 3 slides on all but every
    ``sliding_window_pattern``-th (6), Qwen only with use_sliding_window from max_window_layers on, and any other
    config with a sliding_window slides on every layer (Mistral-7B-v0.1, Phi-3-mini, StarCoder2)."""
    model_type = c.get("model_type")
    window = c.get("sliding_window", DEFAULT_SLIDING_WINDOW.get(model_type))
    if model_type in QWEN_TYPES and not c.get("use_sliding_window"):
        window = None
    if window is None or window is False or layers <= 0:
        return {}
    window = _int(c, "sliding_window", default=window) if "sliding_window" in c else int(window)
    if window <= 0:
        return {}
    types = c.get("layer_types")
    if isinstance(types, list) and len(types) == layers:
        sliding = sum(t == "sliding_attention" for t in types)
    elif model_type in ALTERNATING:
        sliding = sum(1 for i in range(layers) if (i + 1) % ALTERNATING[model_type])
    elif model_type == "gemma3_text":
        pattern = max(_int(c, "sliding_window_pattern", default=6), 1)
        sliding = sum(1 for i in range(layers) if (i + 1) % pattern)
    elif model_type in QWEN_TYPES:
        sliding = max(layers - _int(c, "max_window_layers", default=layers), 0)
    else:
        sliding = layers
    return {"sliding_window": window, "sliding_layers": sliding} if sliding else {}


def shape_kwargs_from_config(config: Any) -> dict:
    """Map a config dict to ModelShape keyword arguments; InvalidInput when it is not a transformer we model."""
    if not isinstance(config, dict):
        raise InvalidInput(f"config.json must be a JSON object; {NOT_TRANSFORMER_HINT}.")
    model_type = config.get("model_type")
    if model_type is not None and not isinstance(model_type, str):
        raise InvalidInput(f"config.json model_type must be a string, not {type(model_type).__name__}.")
    reader = READERS.get(model_type)
    if model_type in STATE_SPACE_TYPES or (reader is None and any(k in config for k in STATE_SPACE_KEYS)):
        raise InvalidInput(f"config.json model_type {model_type!r} is a state-space / hybrid model (Mamba, Jamba, "
                           "RWKV…): it keeps a recurrent state instead of a per-token KV cache, which this planner "
                           "does not model; refusing rather than sizing it as a transformer.")
    if reader is None and isinstance(config.get("text_config"), dict):
        # a multimodal config (Llama 4, LLaVA, Gemma 3, Mistral 3, Qwen-VL): its language model, with the vision
        # tower and projector counted where lifecycle/models/vision.py knows them, else a visible "language model only"
        text = config["text_config"]
        if not isinstance(text.get("model_type"), str) or text.get("text_config") is not None:
            raise InvalidInput(f"config.json model_type {model_type!r}: its text_config has no readable model_type.")
        if "quantization_config" in config and "quantization_config" not in text:  # it quantizes the whole model
            text = {**text, "quantization_config": config["quantization_config"]}
        from lifecycle.models.vision import vision_kwargs

        out = shape_kwargs_from_config(text)
        return {**out, **vision_kwargs(config, out["hidden"])}
    if reader is None:
        supported = ", ".join(sorted(READERS))
        if any(k in config for k in MOE_KEYS):
            raise InvalidInput(f"config.json model_type {model_type!r} is a mixture-of-experts architecture this "
                               f"planner does not read; refusing rather than sizing it as a dense model "
                               f"(supported: {supported}).")
        raise InvalidInput(f"config.json model_type {model_type!r} is not a supported transformer "
                           f"(supported: {supported}); {NOT_TRANSFORMER_HINT}.")
    if reader is _llama and any(k in config for k in MOE_KEYS if k != "num_experts_per_tok"):
        raise InvalidInput(f"config.json model_type {model_type!r} carries mixture-of-experts keys "
                           f"({', '.join(k for k in MOE_KEYS if k in config)}) its dense reader would ignore.")
    out = reader(config)
    if out.get("family", "decoder") == "decoder":
        out.update(sliding_window_kwargs(config, out.get("layers", 0)))
    from lifecycle.models.quantized import shipped_quantization

    out.update(shipped_quantization(config, moe=bool(out.get("experts"))))
    return out
