"""transformers on the meta device and PyTorch's FlopCounterMode: the primary sources for parameter and FLOP counts.

Models are built from the ``config.json`` files in tests/data with ``torch.device("meta")``: no weights are
allocated and nothing is downloaded. FLOPs are counted by ``torch.utils.flop_counter.FlopCounterMode`` on a forward
pass over meta tensors (shapes only). Tests that use this skip when transformers is not installed.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

DATA = Path(__file__).parents[1] / "data"


def config(path: str) -> dict:
    """A config.json under tests/data (e.g. "catalog-configs/llama3.1-8b.json")."""
    return json.loads((DATA / path).read_text(encoding="utf-8"))


def meta_model(cfg: dict, *, seq2seq: bool = False, attn: str = "eager"):
    """The transformers model a config describes, built on the meta device."""
    torch = pytest.importorskip("torch")
    transformers = pytest.importorskip("transformers")
    fields = {k: v for k, v in cfg.items() if k not in ("architectures", "quantization_config")}
    hf_config = transformers.AutoConfig.for_model(**fields)
    auto = transformers.AutoModelForSeq2SeqLM if seq2seq else transformers.AutoModelForCausalLM
    with torch.device("meta"):
        return auto.from_config(hf_config, attn_implementation=attn)


def parameter_total(model) -> int:
    """``sum(p.numel() for p in model.parameters())`` (shared tensors once, buffers excluded)."""
    return sum(p.numel() for p in model.parameters())


def causal_forward_flops(model, tokens: int) -> dict[str, int]:
    """FlopCounterMode's counts by op for one forward pass of ``tokens`` tokens (batch 1) through a decoder.

    A 4-D additive mask is passed so that transformers does not inspect the (meta) mask values; sdpa then runs its
    math path, whose two batched matmuls FlopCounterMode counts in full (it does not halve them for causality)."""
    torch = pytest.importorskip("torch")
    from torch.utils.flop_counter import FlopCounterMode

    ids = torch.zeros(1, tokens, dtype=torch.long, device="meta")
    mask = torch.zeros(1, 1, tokens, tokens, device="meta")
    with FlopCounterMode(display=False) as counter, torch.no_grad():
        model(input_ids=ids, attention_mask=mask, use_cache=False)
    return {str(op).removeprefix("aten."): int(n) for op, n in counter.get_flop_counts()["Global"].items()}


def seq2seq_forward_flops(model, input_tokens: int, output_tokens: int) -> dict[str, int]:
    """FlopCounterMode's counts for one teacher-forced pass: the encoder reads ``input_tokens``, the decoder
    writes ``output_tokens`` (batch 1)."""
    torch = pytest.importorskip("torch")
    from torch.utils.flop_counter import FlopCounterMode

    ids = torch.zeros(1, input_tokens, dtype=torch.long, device="meta")
    out = torch.zeros(1, output_tokens, dtype=torch.long, device="meta")
    with FlopCounterMode(display=False) as counter, torch.no_grad():
        model(input_ids=ids, decoder_input_ids=out, use_cache=False)
    return {str(op).removeprefix("aten."): int(n) for op, n in counter.get_flop_counts()["Global"].items()}


def hf_config(cfg: dict):
    """The transformers config object of a config.json dict (its class fills the defaults, e.g. layer_types)."""
    transformers = pytest.importorskip("transformers")
    fields = {k: v for k, v in cfg.items() if k not in ("architectures", "quantization_config")}
    return transformers.AutoConfig.for_model(**fields)


def dynamic_cache_values(cfg: dict, tokens: int, batch: int = 1) -> int:
    """Values transformers' ``DynamicCache`` holds after a prefill of ``tokens`` tokens: every layer's K and V
    (meta tensors, so only shapes), sliding-window layers trimmed as the cache trims them."""
    torch = pytest.importorskip("torch")
    from transformers import DynamicCache

    config = hf_config(cfg)
    cache = DynamicCache(config=config)
    text = config.get_text_config()
    kv_heads = getattr(text, "num_key_value_heads", None) or text.num_attention_heads
    head_dim = getattr(text, "head_dim", None) or text.hidden_size // text.num_attention_heads
    for layer in range(text.num_hidden_layers):
        k = torch.empty(batch, kv_heads, tokens, head_dim, device="meta")
        cache.update(k, k.clone(), layer)
    return sum(layer.keys.numel() + layer.values.numel() for layer in cache.layers)
