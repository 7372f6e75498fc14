"""Parameter counts equal transformers' own, on the meta device (configs in tests/data, nothing downloaded).

Primary source: ``sum(p.numel() for p in model.parameters())`` of the model ``transformers`` builds from the
published ``config.json`` under ``torch.device("meta")``; buffers (DeepSeek-V3's ``e_score_correction_bias``) are not
parameters.
"""

from __future__ import annotations

import pytest

from lifecycle.models.architecture import ModelShape, parameter_count
from tests.support.hf_reference import config, meta_model, parameter_total

pytestmark = [pytest.mark.torch]

pytest.importorskip("transformers")


def test_deepseek_v3_router_score_bias_is_a_buffer_not_a_parameter():
    """transformers DeepseekV3TopkRouter: ``self.register_buffer("e_score_correction_bias", ...)`` — 58 MoE layers ×
    256 experts = 14,848 values that ``parameters()`` does not return (671,026,404,352 parameters, was +14,848)."""
    cfg = config("moe-configs/deepseek-v3.json")
    model = meta_model(cfg)
    assert parameter_count(ModelShape.from_config(cfg)) == parameter_total(model) == 671_026_404_352
    buffers = sum(b.numel() for name, b in model.named_buffers() if "e_score_correction_bias" in name)
    assert buffers == 58 * 256 == 14_848


# (config in tests/data/arch-configs, exact count = transformers on the meta device, the published rounded figure)
ARCHITECTURES = [
    ("stablelm-2-1_6b", 1_644_515_328, "StableLM 2 1.6B card: 1.6B"),
    ("stablelm-2-12b", 12_143_185_920, "StableLM 2 12B card: 12.1B (parallel residual, per-head q/k LayerNorm)"),
    ("starcoder2-3b", 3_030_371_328, "StarCoder2 paper (Lozhkov et al. 2024) Table: 3B; card 3.03B"),
    ("command-r-v01", 34_980_831_232, "Cohere c4ai-command-r-v01 card: 35B"),
    ("command-r-plus", 103_810_674_688, "Cohere c4ai-command-r-plus card: 104B (q/k norm)"),
    ("granite-3.0-8b", 8_170_848_256, "IBM Granite 3.0 8B card: 8.1B"),
    ("granite-3.0-3b-a800m", 3_298_793_472, "IBM Granite 3.0 3B-A800M card: 3.3B total, 800M active"),
    ("phi-3.5-moe", 41_873_153_344, "Phi-3.5-MoE card: 42B total, 6.6B active"),
    ("ministral-8b", 8_019_808_256, "Ministral-8B-Instruct-2410 card: 8.02B"),
    ("ministral3-3b-text", 3_429_006_336, "Ministral 3 (head_dim 128 by default, tied embeddings)"),
]


@pytest.mark.parametrize("name, exact, published", ARCHITECTURES, ids=[a[0] for a in ARCHITECTURES])
def test_more_architectures_count_exactly_as_transformers(name, exact, published):
    """StableLM, StarCoder2, Cohere / Command-R(+), Granite, Granite-MoE, Phi-3.5-MoE and Ministral: the planner's
    count equals ``sum(p.numel() for p in model.parameters())`` of the transformers model built from the config."""
    cfg = config(f"arch-configs/{name}.json")
    assert parameter_count(ModelShape.from_config(cfg)) == parameter_total(meta_model(cfg)) == exact


def test_moe_architectures_report_their_published_active_counts():
    """Phi-3.5-MoE card: "6.6B active parameters"; Granite 3.0 3B-A800M card: "800M active" (no embedding table;
    its LM head is tied, so the table is the only input-embedding weight)."""
    from lifecycle.models.architecture import active_parameter_count, input_embedding_params

    phi = ModelShape.from_config(config("arch-configs/phi-3.5-moe.json"))
    assert round(active_parameter_count(phi) / 1e9, 1) == 6.6 and (phi.experts, phi.experts_per_token) == (16, 2)
    granite = ModelShape.from_config(config("arch-configs/granite-3.0-3b-a800m.json"))
    assert round((active_parameter_count(granite) - input_embedding_params(granite)) / 1e8) == 8
    assert granite.moe_ffn == 512


@pytest.mark.parametrize("cfg", [
    {"model_type": "mamba", "hidden_size": 2560, "num_hidden_layers": 64, "state_size": 16, "vocab_size": 50280},
    {"model_type": "jamba", "hidden_size": 4096, "num_hidden_layers": 32, "num_experts": 16, "num_experts_per_tok": 2,
     "attn_layer_period": 8, "mamba_d_state": 16, "vocab_size": 65536},
    {"model_type": "rwkv", "hidden_size": 2560, "num_hidden_layers": 32, "vocab_size": 50277},
    {"model_type": "some_new_ssm", "hidden_size": 1024, "ssm_state_size": 128, "num_hidden_layers": 24},
], ids=["mamba", "jamba", "rwkv", "unknown-ssm"])
def test_state_space_and_hybrid_models_are_refused_as_what_they_are(cfg):
    """Mamba (Gu & Dao 2023), Jamba (Lieber et al. 2024: Mamba + attention + MoE) and RWKV keep a recurrent state, not
    a per-token KV cache: refused as "a state-space / hybrid model" (Jamba was refused as mixture-of-experts)."""
    from lifecycle.errors import InvalidInput

    with pytest.raises(InvalidInput, match="state-space / hybrid model") as err:
        ModelShape.from_config(cfg)
    assert "mixture-of-experts" not in str(err.value)
