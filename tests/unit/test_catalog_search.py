"""Catalog filters, sorting and side-by-side comparison; counts agree with the architecture."""

import pytest

from lifecycle.errors import InvalidInput, NotFound
from lifecycle.models.architecture import parameter_count
from lifecycle.models.catalog import list_models
from lifecycle.models.search import catalog_row, compare_models, licence_ids, search_models


@pytest.mark.parametrize("model", list_models(), ids=lambda m: m.id)
def test_catalog_parameter_count_matches_the_architecture_within_half_a_percent(model):
    # catalog params: transformers 5.24 meta-device counts (shared/reference/models.json)
    assert abs(parameter_count(model.shape) - model.params) <= 0.005 * model.params


def test_family_filter_keeps_only_that_family():
    found = search_models(families=["encoder-decoder"])
    assert found and {m.family for m in found} == {"encoder-decoder"}
    assert len(found) == sum(m.family == "encoder-decoder" for m in list_models())


def test_size_range_is_inclusive_and_sorted_by_size():
    found = search_models(min_params=6e9, max_params=8e9)
    assert [m.params for m in found] == sorted(m.params for m in found)
    assert all(6e9 <= m.params <= 8e9 for m in found)
    assert {"llama-2-7b", "mistral-7b-v0.1", "qwen2.5-7b"} <= {m.id for m in found}


def test_licence_and_context_filters():
    assert all(m.license.startswith("apache-2.0") for m in search_models(licences=["apache-2.0"]))
    long = search_models(min_context=32768)
    assert {m.id for m in long} == {m.id for m in list_models() if m.max_context >= 32768}
    assert "mistral-7b-v0.1" in {m.id for m in long}
    assert "apache-2.0" in licence_ids() and "mit" in licence_ids()


def test_suits_my_task_keeps_the_recommended_family():
    found = search_models(tasks=["sentiment-analysis"])
    assert found and {m.family for m in found} == {"encoder"}
    wider = search_models(tasks=["sentiment-analysis"], include_alternatives=True)
    assert {m.family for m in wider} == {"encoder", "decoder"}


def test_sorting_by_context_descending_and_by_name():
    by_ctx = search_models(sort_by="max_context", descending=True)
    assert by_ctx[0].max_context == max(m.max_context for m in list_models())
    names = [m.name.lower() for m in search_models(sort_by="name")]
    assert names == sorted(names)


def test_compare_two_to_four_models_side_by_side_with_derived_numbers():
    rows = compare_models(["bert-base-uncased", "gpt2-small", "t5-base"])
    table = {r["attribute"]: r for r in rows}
    assert table["family"]["t5-base"] == "encoder-decoder"
    assert table["parameters (from architecture)"]["gpt2-small"] == 124_439_808
    assert table["bf16 weights (GB, 1e9 bytes)"]["gpt2-small"] == round(124_439_808 * 2 / 1e9, 2)
    assert table["forward GFLOP per input token"]["bert-base-uncased"] == 0.17  # 2 x 85.05M non-embedding weights
    assert table["forward GFLOP per generated token"]["bert-base-uncased"] is None
    assert table["stacks"]["t5-base"] == "12+12"


@pytest.mark.parametrize("ids", [["gpt2-small"], ["gpt2-small"] * 3, ["a", "b", "c", "d", "e"]])
def test_comparing_fewer_than_two_or_more_than_four_models_is_refused(ids):
    with pytest.raises(InvalidInput):
        compare_models(ids)


def test_comparing_an_unknown_model_names_it():
    with pytest.raises(NotFound, match="nope"):
        compare_models(["gpt2-small", "nope"])


@pytest.mark.parametrize("kwargs", [{"families": ["rnn"]}, {"sort_by": "speed"},
                                    {"min_params": 2e9, "max_params": 1e9}, {"min_context": -1},
                                    {"tasks": ["unknown-task"]}])
def test_bad_filters_are_refused(kwargs):
    with pytest.raises(InvalidInput):
        search_models(**kwargs)


def test_catalog_rows_carry_every_column_the_issue_lists():
    row = catalog_row(list_models()[0])
    for key in ("family", "params", "layers", "hidden", "heads", "kv_heads", "ffn", "vocab", "context",
                "positional", "training_tokens", "license", "year", "paper"):
        assert row[key] is not None, key


def test_moe_rows_and_cards_show_total_and_active_parameters_experts_top_k_and_expert_width():
    """Mixtral of Experts (Jiang et al. 2024 §2.1): 8 experts of FFN width 14,336, top-2, 46.7B total, 12.9B active;
    gpt-oss model card: 32 experts, top-4, 20.91B total, 3.61B active without the embedding. A MoE row's "ffn" is
    empty when no layer uses a dense MLP (gpt-oss's intermediate_size is the experts' width)."""
    from lifecycle.models.cards import model_card
    from lifecycle.models.catalog import get_model

    mixtral = catalog_row(get_model("mixtral-8x7b"))
    assert (mixtral["params"], mixtral["active_params"]) == (46_702_792_704, 12_879_925_248)
    assert (mixtral["experts"], mixtral["experts_per_token"], mixtral["expert_ffn"], mixtral["ffn"]) == (8, 2, 14336,
                                                                                                         None)
    oss = catalog_row(get_model("gpt-oss-20b"))
    assert round(oss["active_params_non_embedding"] / 1e9, 2) == 3.61 and oss["experts_per_token"] == 4
    deepseek = catalog_row(get_model("deepseek-v3"))
    assert deepseek["ffn"] == 18432 and deepseek["expert_ffn"] == 2048  # its first 3 layers keep a dense MLP
    dense = catalog_row(get_model("llama3.1-8b"))
    assert dense["experts"] is None and dense["ffn"] == 14336 and dense["active_params"] == dense["params"]
    card = model_card(get_model("mixtral-8x7b")).to_markdown()
    assert "mixture of 8 experts (top-2) of FFN width 14336" in card and "active per token 12,879,925,248" in card
    assert "FFN 14336" not in card.replace("FFN width 14336", "")
