"""Sliding-window attention keeps at most the window in the KV cache; an FP8 KV cache halves a 16-bit one.

Primary sources: transformers' ``DynamicCache`` built from each published config (meta tensors: shapes only) —
``DynamicSlidingWindowLayer`` "only cache[s] the last sliding_window - 1 tokens" on the layers ``layer_types`` (or
the config class's default) marks ``sliding_attention``; vLLM's documentation for ``kv_cache_dtype="fp8"``.
"""

from __future__ import annotations

import pytest

from lifecycle.memory.inference import kv_cache_bytes
from lifecycle.models.architecture import ModelShape
from tests.support.hf_reference import config, dynamic_cache_values

pytestmark = [pytest.mark.torch]

pytest.importorskip("transformers")

# (config, sliding layers, window): the window comes from the config, the sliding layers from transformers' rule
MODELS = [
    ("moe-configs/gpt-oss-20b.json", 12, 128),  # layer_types: sliding and full alternate
    ("moe-configs/gpt-oss-120b.json", 18, 128),
    ("catalog-configs/gemma2-9b.json", 21, 4096),  # Gemma2Config: (i + 1) % 2
    ("catalog-configs/gemma3-1b.json", 22, 512),  # Gemma3: five sliding layers, then one global
    ("catalog-configs/mistral-7b-v0.1.json", 32, 4096),  # every layer
    ("catalog-configs/phi3-mini-4k.json", 32, 2047),
    ("arch-configs/starcoder2-3b.json", 30, 4096),
    ("catalog-configs/mistral-nemo-12b.json", 0, 0),  # sliding_window: null
    ("catalog-configs/qwen2.5-7b-instruct.json", 0, 0),  # use_sliding_window false
    ("catalog-configs/llama3.1-8b.json", 0, 0),
]


@pytest.mark.parametrize("path, sliding, window", MODELS, ids=[m[0].split("/")[1][:-5] for m in MODELS])
@pytest.mark.parametrize("tokens", [100, 8192, 32768])
def test_kv_cache_matches_transformers_dynamic_cache(path, sliding, window, tokens):
    """Values held per token position: ours keep ``min(tokens, window)`` on a sliding layer, transformers keeps
    ``window - 1`` once the prompt is longer — within one position per sliding layer."""
    cfg = config(path)
    shape = ModelShape.from_config(cfg)
    assert (shape.sliding_layers, shape.sliding_window) == (sliding, window)
    ours = kv_cache_bytes(shape, batch=1, tokens=tokens, bytes_per_value=1)
    theirs = dynamic_cache_values(cfg, tokens)
    per_position = 2 * shape.kv_heads * shape.head_dim
    assert theirs <= ours <= theirs + sliding * per_position


def test_long_context_kv_cache_was_overstated_two_to_eight_times():
    """At 32k tokens: gpt-oss-20b caches 12 full layers + 12 × 128 tokens (2.0× less than every layer in full),
    Gemma 3 1B 4 full + 22 × 512 (6.0×), Mistral-7B-v0.1 32 × 4096 (8×)."""
    ratios = {}
    for path in ("moe-configs/gpt-oss-20b.json", "catalog-configs/gemma3-1b.json", "catalog-configs/mistral-7b-v0.1.json"):
        shape = ModelShape.from_config(config(path))
        full = shape.model_copy(update={"sliding_window": 0, "sliding_layers": 0})
        ratios[path] = kv_cache_bytes(full, batch=1, tokens=32768) / kv_cache_bytes(shape, batch=1, tokens=32768)
    assert [round(r, 1) for r in ratios.values()] == [2.0, 6.0, 8.0]


def test_fp8_kv_cache_halves_the_cache_and_names_its_accuracy_cost():
    """vLLM docs (features/quantization/quantized_kvcache.md): "FP8 halves the KV cache's per-token footprint relative
    to FP16/BF16 … KV cache capacity doubles" (Qwen3-4B on an L4: 83,488 → 166,992 tokens); "Accuracy depends on
    scale calibration. With the default scales (1.0, no calibration), quantization error can degrade output
    quality." The serving plan fits twice the sequences' cache and says so."""
    from lifecycle.memory.inference import inference_memory
    from lifecycle.memory.setup import InferenceSetup
    from lifecycle.models.ref import ModelRef
    from lifecycle.serving.plan import ServingSetup, serving_plan

    model = ModelRef.catalog("llama3.1-8b")
    bf16 = inference_memory(InferenceSetup(model=model, concurrent_sequences=8, prompt_tokens=8192, new_tokens=256))
    fp8 = inference_memory(InferenceSetup(model=model, concurrent_sequences=8, prompt_tokens=8192, new_tokens=256,
                                          kv_cache_dtype="fp8"))
    assert bf16.components["KV cache"] == 2 * fp8.components["KV cache"]
    auto = serving_plan(ServingSetup(model=model, gpu="l4", prompt_tokens=4096, new_tokens=256))
    eight = serving_plan(ServingSetup(model=model, gpu="l4", prompt_tokens=4096, new_tokens=256, kv_cache_dtype="fp8"))
    assert eight.max_batch > auto.max_batch and eight.decode_bytes_per_step < auto.decode_bytes_per_step
    assert any("depends on scale calibration" in a for a in eight.assumptions)
    assert not any("FP8 KV cache" in a for a in auto.assumptions)
