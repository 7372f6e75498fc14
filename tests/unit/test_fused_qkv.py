"""FUSED_QKV_ARCHS is the list of model types whose attention has one q,k,v projection, checked against transformers.

Primary source: the modules ``transformers`` builds (on the meta device, one block, nothing downloaded) from each
model type's own default config. A model type has a fused projection when one weight matrix maps the hidden size to
q + 2·kv (GPT-2's ``c_attn`` Conv1D, BLOOM/NeoX/Falcon's ``query_key_value``, Phi-3's ``qkv_proj``); the widths come
from the ``ModelShape`` our reader makes of that same config. Exact set equality: no tolerance.
"""

from __future__ import annotations

import pytest

from lifecycle.memory.activations import FUSED_QKV_ARCHS as ACTIVATIONS_LIST
from lifecycle.models.architecture import FUSED_QKV_ARCHS, ModelShape
from lifecycle.models.hf_config import READERS, shape_kwargs_from_config

LAYER_KEYS = ("num_hidden_layers", "n_layer", "num_layers", "num_decoder_layers", "encoder_layers",
              "decoder_layers")


def _has_fused_qkv(model_type: str) -> bool | None:
    """Whether transformers' model of this type has a hidden → q + 2·kv weight; None if it cannot be built here."""
    torch = pytest.importorskip("torch")
    transformers = pytest.importorskip("transformers")
    try:
        cfg = transformers.AutoConfig.for_model(model_type)
    except ValueError:
        return None
    for key in LAYER_KEYS:
        if isinstance(getattr(cfg, key, None), int):
            setattr(cfg, key, 1)
    try:
        shape = ModelShape(**shape_kwargs_from_config(cfg.to_dict()))
        with torch.device("meta"):
            model = transformers.AutoModel.from_config(cfg)
    except Exception:  # noqa: BLE001 - a default config this transformers version cannot build (e.g. ministral)
        return None
    fused = {shape.hidden, shape.attention_dim + 2 * shape.kv_dim}
    return any(p.ndim == 2 and set(p.shape) == fused for p in model.parameters())


@pytest.mark.slow  # builds some forty models (meta device): ~20 s
def test_the_fused_qkv_list_is_exactly_the_model_types_transformers_builds_with_one_qkv_projection():
    built = {mt: _has_fused_qkv(mt) for mt in READERS}
    checked = {mt for mt, fused in built.items() if fused is not None}
    # all but a few: transformers' default configs for deberta-v2, qwen3_moe, deepseek_v2/v3 and ministral leave out
    # or zero fields our reader needs (those types have separate projections, or MLA's, none of them fused)
    assert len(checked) >= len(READERS) - 6
    assert {mt for mt in checked if built[mt]} == FUSED_QKV_ARCHS & checked
    assert FUSED_QKV_ARCHS <= checked  # every listed type was itself checked


def test_the_memory_estimator_reads_the_one_list():
    assert ACTIVATIONS_LIST is FUSED_QKV_ARCHS


def test_a_fused_projection_takes_one_adapter_for_q_k_and_v():
    """PEFT can only target the fused layer: asking for q alone adapts q, k and v (Phi-3's ``qkv_proj``)."""
    from lifecycle.memory.adapters import lora_params, resolve_targets

    phi3 = ModelShape(arch="phi3", layers=1, hidden=64, heads=4, ffn=128, vocab=100, gated_mlp=True)
    llama = phi3.model_copy(update={"arch": "llama"})
    assert resolve_targets(phi3, {"q"}) == {"q", "k", "v"}
    assert resolve_targets(llama, {"q"}) == {"q"}
    rank = 8
    assert lora_params(phi3, rank, {"q", "k", "v"}) == rank * (64 + 64 + 2 * 64)  # one linear 64 -> 192
    assert lora_params(llama, rank, {"q", "k", "v"}) == 3 * rank * (64 + 64)  # three linears 64 -> 64
