"""Mixture-of-experts and latent-attention configs: exact parameter counts, active parameters, memory and refusal.

Each config in tests/data/moe-configs is the published ``config.json`` of the model (the fields the planner reads).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from lifecycle.errors import InvalidInput
from lifecycle.models.architecture import ModelShape, active_parameter_count, parameter_count

CONFIGS = Path(__file__).parents[1] / "data" / "moe-configs"


def shape(name: str) -> ModelShape:
    return ModelShape.from_config(json.loads((CONFIGS / f"{name}.json").read_text()))


# (config, total, active, published): totals are exact sums of the modules transformers builds for the config;
# "published" quotes the model card or paper the rounded figures come from.
CASES = [
    ("mixtral-8x7b", 46_702_792_704, 12_879_925_248, ("Jiang et al. 2024 (Mixtral): 47B parameters, 13B active; "
                                                        "issue 15: 46,702,792,704")),
    ("mixtral-8x22b", 140_630_071_296, 39_161_468_928, "Mixtral 8x22B card: 141B parameters, 39B active"),
    ("qwen1.5-moe-a2.7b", 14_315_784_192, 2_689_173_504, "Qwen1.5-MoE-A2.7B card: 14.3B total, 2.7B activated"),
    ("qwen3-30b-a3b", 30_532_122_624, 3_353_032_704, "Qwen3-30B-A3B card: 30.5B total, 3.3B activated"),
    ("olmoe-1b-7b", 6_919_161_856, 1_282_017_280, "OLMoE (Muennighoff et al. 2024): 6.9B total, 1.3B active"),
    ("deepseek-v3", 671_026_404_352, 37_552_282_624, ("DeepSeek-V3 report §1: 671B total, 37B activated (the 14B "
                                                        "multi-token-prediction module is not part of the Hugging Face model)")),
    ("gpt-oss-20b", 20_914_757_184, 4_187_440_704, ("gpt-oss model card: 20.91B total; 3.61B active counts no "
                                                      "input-embedding table")),
]


@pytest.mark.parametrize("name, total, active, published", CASES, ids=[c[0] for c in CASES])
def test_parameter_counts_are_exact_and_match_the_published_figures(name, total, active, published):
    s = shape(name)
    assert parameter_count(s) == total
    assert active_parameter_count(s) == active
    assert s.experts and s.experts_per_token


def test_published_rounded_figures():
    """The cards' own rounding of the exact counts above (Qwen and DeepSeek truncate)."""
    assert round(parameter_count(shape("mixtral-8x7b")) / 1e9, 1) == 46.7
    assert round(active_parameter_count(shape("mixtral-8x7b")) / 1e9, 1) == 12.9
    assert round(parameter_count(shape("qwen3-30b-a3b")) / 1e9, 1) == 30.5
    assert int(active_parameter_count(shape("qwen3-30b-a3b")) / 1e8) == 33  # the card's 3.3B, truncated
    assert round(parameter_count(shape("deepseek-v3")) / 1e9) == 671
    assert int(active_parameter_count(shape("deepseek-v3")) / 1e9) == 37  # "37B activated", truncated
    gpt_oss = shape("gpt-oss-20b")
    assert round(parameter_count(gpt_oss) / 1e9, 2) == 20.91
    embedding = gpt_oss.vocab * gpt_oss.hidden
    assert round((active_parameter_count(gpt_oss) - embedding) / 1e9, 2) == 3.61


def test_latent_attention_caches_the_compressed_latent():
    """DeepSeek-V2 §2.1.2: MLA caches (d_c + d_h^R) = 512 + 64 values per token and layer, against
    2·n_h·d_h = 2·128·128 for multi-head attention."""
    from lifecycle.memory.inference import kv_cache_bytes

    s = shape("deepseek-v3")
    assert kv_cache_bytes(s, batch=1, tokens=1, bytes_per_value=2) == 61 * (512 + 64) * 2


def test_decode_reads_only_the_experts_a_batch_touches():
    """Uniform routing of k of E experts: E·(1 − (1 − k/E)^B) distinct experts per layer for B tokens."""
    from lifecycle.models.architecture import expert_params
    from lifecycle.serving.plan import touched_weight_fraction

    s = shape("mixtral-8x7b")
    one = touched_weight_fraction(s, 1)
    unread = 32 * (8 - 2) * expert_params(s)
    assert one == pytest.approx(1 - unread / parameter_count(s))
    assert touched_weight_fraction(s, 64) == pytest.approx(1.0, abs=1e-6)
    assert one < touched_weight_fraction(s, 4) < 1


def test_memory_counts_every_expert_and_flops_only_the_active_ones():
    from lifecycle.memory.plan import training_plan
    from lifecycle.memory.setup import TrainingSetup
    from lifecycle.models.ref import ModelRef

    model = ModelRef(id="config", name="mixtral", shape=shape("mixtral-8x7b"))
    plan = training_plan(TrainingSetup(model=model, precision="bf16", training_tokens=1e9, gpu="h100-80gb", gpus=8,
                                       strategy="fsdp"))
    assert plan.estimate.params == 46_702_792_704 and plan.estimate.active_params == 12_879_925_248
    # 6·N·D with N the active weights a token is multiplied by: the 131M-parameter embedding lookup costs no FLOPs
    # (issue 26; tests/tools/test_flops_reference.py checks the convention against FlopCounterMode)
    assert plan.training_flops == 6 * (12_879_925_248 - 32_000 * 4096) * 1e9
    sharded = training_plan(TrainingSetup(model=model, precision="bf16", gpus=8, strategy="fsdp", ep=8))
    # FSDP already gives each GPU 1/world of every state; expert parallel only stops gathering remote experts
    assert sharded.estimate.model_states_bytes == pytest.approx(plan.estimate.model_states_bytes, rel=1e-6)
    gathered = "gathered layer buffers"
    assert sharded.estimate.components[gathered] < plan.estimate.components[gathered]
    with pytest.raises(InvalidInput):
        TrainingSetup(model=model, ep=3, gpus=8)  # 3 does not divide 8 experts


@pytest.mark.parametrize("config, fragment", [
    ({"model_type": "jamba", "num_experts": 16, "hidden_size": 4096, "num_hidden_layers": 32,
      "num_attention_heads": 32, "intermediate_size": 14336, "vocab_size": 65536}, "state-space / hybrid"),  # issue 26
    ({"model_type": "mamba", "hidden_size": 768, "num_hidden_layers": 24, "vocab_size": 50280}, "'mamba'"),
])
def test_an_architecture_not_understood_is_refused_by_name(config, fragment):
    with pytest.raises(InvalidInput, match=fragment):
        ModelShape.from_config(config)


def test_a_multimodal_config_plans_its_language_model():
    text = json.loads((CONFIGS / "mixtral-8x7b.json").read_text())
    s = ModelShape.from_config({"model_type": "llava", "text_config": text, "vision_config": {"hidden_size": 1024}})
    assert parameter_count(s) == 46_702_792_704


@pytest.mark.subprocess
def test_cli_prints_total_and_active_parameters(tmp_path):
    out = subprocess.run([sys.executable, "-m", "lifecycle", "memory", "--config",
                          str(CONFIGS / "mixtral-8x7b.json"), "--json"], capture_output=True, text=True, check=True)
    data = json.loads(out.stdout)
    assert (data["params"], data["active_params"]) == (46_702_792_704, 12_879_925_248)


def test_deepseek_v2_lite_and_llama4_scout():
    """DeepSeek-V2 paper (arXiv:2405.04434), V2-Lite: "15.7B total parameters, 2.4B activated" (the activated
    count leaves out the input embedding, 102,400 x 2,048). Llama 4 Scout card: "17B active parameters, 109B
    total" (total includes the vision encoder; its text model, planned here from text_config, is 107.8B)."""
    lite = shape("deepseek-v2-lite")
    assert lite.q_lora_rank == 0 and round(parameter_count(lite) / 1e9, 1) == 15.7
    assert int((active_parameter_count(lite) - lite.vocab * lite.hidden) / 1e8) == 24  # 2.45B, printed 2.4B
    scout = shape("llama4-scout-text")
    assert round(active_parameter_count(scout) / 1e9) == 17 and 107e9 < parameter_count(scout) < 109e9


def _mixtral_setup(**fields):
    from lifecycle.memory.setup import TrainingSetup
    from lifecycle.models.ref import ModelRef

    return TrainingSetup(model=ModelRef(id="config", name="mixtral", shape=shape("mixtral-8x7b")), precision="bf16",
                         **fields)


def test_expert_parallel_inside_tensor_parallel_gives_each_gpu_one_eighth_of_the_model():
    """Megatron-Core (``parallel_state.initialize_model_parallel``) and vLLM (EP size = TP x DP) build the
    expert-parallel group out of the tp x dp ranks of a pipeline stage; it does not multiply with tp. Mixtral-8x7B
    (46.7B parameters, 93.4 GB in bf16) with --tp 8 --ep 8 on 8 GPUs: each GPU holds one whole expert of every
    MoE layer and 1/8 of attention and embeddings, i.e. 1/8 of the bf16 weights (the planner used to divide the
    experts by 64, 3.6 GB per GPU)."""
    from lifecycle.memory.estimate import training_memory

    est = training_memory(_mixtral_setup(gpus=8, tp=8, ep=8))
    assert est.components["weights"] == pytest.approx(2 * 46_702_792_704 / 8, rel=1e-6)
    # ep 8 over 8 data-parallel GPUs (tp 1): experts / 8, attention and embeddings replicated
    dense = 46_702_792_704 - 32 * 8 * 3 * 4096 * 14336
    est = training_memory(_mixtral_setup(gpus=8, ep=8))
    assert est.components["weights"] == pytest.approx(2 * (dense + 32 * 3 * 4096 * 14336), rel=1e-6)


def test_a_layout_the_frameworks_refuse_is_refused_with_one_line():
    """world = tp x pp x dp and ep divides dp x tp (Megatron-Core raises on both); ep divides the experts."""
    with pytest.raises(InvalidInput, match="(?i)ep 8 must divide dp x tp = 4"):
        _mixtral_setup(gpus=8, pp=2, tp=2, ep=8)
    with pytest.raises(InvalidInput, match="multiple of tp x pp"):
        _mixtral_setup(gpus=12, tp=8)
    with pytest.raises(InvalidInput, match="divide the 8 experts"):
        _mixtral_setup(gpus=6, ep=6)


def test_serving_with_expert_parallel_splits_each_expert_once():
    """vLLM --enable-expert-parallel: attention over tp, experts whole over EP = TP x DP ranks: with tp 8 and ep 8
    each GPU holds 1/8 of Mixtral's weights, not 1/64 of its experts."""
    from lifecycle.memory.inference import inference_memory
    from lifecycle.memory.setup import InferenceSetup
    from lifecycle.models.ref import ModelRef

    model = ModelRef(id="config", name="mixtral", shape=shape("mixtral-8x7b"))
    est = inference_memory(InferenceSetup(model=model, tp=8, ep=8))
    assert est.components["weights"] == pytest.approx(2 * 46_702_792_704 / 8, rel=1e-3)
