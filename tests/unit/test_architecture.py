"""Shapes from config.json and exact parameter counts, checked against measured models."""

import json
from pathlib import Path

import pytest

from lifecycle.errors import InvalidInput
from lifecycle.models.architecture import ModelShape, largest_layer_params, parameter_count

DATA = Path(__file__).resolve().parents[1] / "data"


def measured_params() -> dict[str, int]:
    rows = [json.loads(line) for line in (DATA / "h200-measurements.jsonl").read_text().splitlines() if line.strip()]
    return {r["name"]: r["params"] for r in rows if "params" in r}


@pytest.mark.parametrize("name,params", sorted(measured_params().items()))
def test_parameter_count_matches_every_measured_model_to_the_parameter(name, params):
    config = json.loads((DATA / "model-configs" / f"{name}.json").read_text())
    assert parameter_count(ModelShape.from_config(config)) == params


def test_config_families_are_read_into_the_right_shape():
    t5 = ModelShape.from_config(json.loads((DATA / "model-configs" / "t5-large.json").read_text()))
    assert (t5.family, t5.encoder_layers, t5.decoder_layers, t5.layers) == ("encoder-decoder", 24, 24, 48)
    llama3 = ModelShape.from_config(json.loads((DATA / "model-configs" / "llama3-8b.json").read_text()))
    assert (llama3.kv_heads, llama3.head_dim, llama3.gated_mlp, llama3.tied_embeddings) == (8, 128, True, False)
    bert = ModelShape.from_config(json.loads((DATA / "model-configs" / "bert-base.json").read_text()))
    assert (bert.family, bert.head) == ("encoder", "mlm")


def test_falcon_gptj_neox_opt_qwen_configs_are_understood():
    falcon = {"model_type": "falcon", "hidden_size": 4544, "num_attention_heads": 71, "num_hidden_layers": 32,
              "vocab_size": 65024, "multi_query": True, "parallel_attn": True, "bias": False}
    assert parameter_count(ModelShape.from_config(falcon)) == 6_921_720_704  # Falcon-7B, models.json
    gptj = {"model_type": "gptj", "n_embd": 4096, "n_head": 16, "n_layer": 28, "vocab_size": 50400, "n_positions": 2048}
    assert parameter_count(ModelShape.from_config(gptj)) == 6_050_882_784  # GPT-J-6B, models.json
    neox = {"model_type": "gpt_neox", "hidden_size": 2048, "num_attention_heads": 8, "num_hidden_layers": 16,
            "intermediate_size": 8192, "vocab_size": 50304}
    assert parameter_count(ModelShape.from_config(neox)) == 1_011_781_632  # Pythia-1B, models.json
    opt = {"model_type": "opt", "hidden_size": 2048, "num_attention_heads": 32, "num_hidden_layers": 24,
           "ffn_dim": 8192, "vocab_size": 50272, "max_position_embeddings": 2048}
    assert parameter_count(ModelShape.from_config(opt)) == 1_315_758_080  # OPT-1.3B, models.json
    qwen = {"model_type": "qwen2", "hidden_size": 3584, "num_attention_heads": 28, "num_key_value_heads": 4,
            "num_hidden_layers": 28, "intermediate_size": 18944, "vocab_size": 152064, "tie_word_embeddings": False}
    assert parameter_count(ModelShape.from_config(qwen)) == 7_615_616_512  # Qwen2.5-7B, models.json


@pytest.mark.parametrize("config,message", [
    ({"model_type": "resnet", "hidden_sizes": [256, 512]}, "not a supported transformer"),
    ({"model_type": "llama", "hidden_size": 1000, "num_attention_heads": 3, "num_hidden_layers": 2,
      "intermediate_size": 10, "vocab_size": 10}, "divide the hidden size"),
    ({"model_type": "gpt2", "n_embd": -768, "n_head": 12, "n_layer": 12, "vocab_size": 50257}, "positive"),
    (["not", "a", "dict"], "JSON object"),
])
def test_bad_configs_raise_invalid_input_with_a_clear_message(config, message):
    with pytest.raises(InvalidInput, match=message):
        ModelShape.from_config(config)


def test_typed_numbers_are_validated():
    with pytest.raises(InvalidInput, match="KV heads"):
        ModelShape(layers=2, hidden=64, heads=8, kv_heads=3, ffn=256, vocab=100)
    with pytest.raises(InvalidInput, match="layers"):
        ModelShape(layers=0, hidden=64, heads=8, ffn=256, vocab=100)
    shape = ModelShape(family="encoder-decoder", layers=0, encoder_layers=2, decoder_layers=3, hidden=64, heads=8,
                       ffn=256, vocab=100)
    assert shape.layers == 5


def test_largest_layer_is_the_embedding_or_a_block():
    llama = ModelShape.from_config(json.loads((DATA / "model-configs" / "llama-7b.json").read_text()))
    assert largest_layer_params(llama) == 202_383_360  # one LLaMA-7B block: 4·4096² + 3·4096·11008 + 2·4096
