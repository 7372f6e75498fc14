"""Task taxonomy and the architecture-family recommender (HF course ch. 1 mapping)."""

import pytest

from lifecycle.errors import InvalidInput
from lifecycle.models.architecture import forward_flops_per_token, layer_params
from lifecycle.models.catalog import get_model
from lifecycle.models.scale_advice import decode_ms_per_token, scale_advice
from lifecycle.models.tasks import (
    FAMILIES,
    families,
    get_task,
    list_tasks,
    recommend_architecture,
    suggest_tasks,
    task_ids,
)

# Every tag the issue names (tag or common name), resolved through ids and aliases.
ISSUE_TAGS = ["text-classification", "sentiment", "token-classification", "ner", "fill-mask", "extractive-qa",
              "sentence-similarity", "embeddings", "zero-shot-classification", "summarization", "translation",
              "text2text", "generative-qa", "text-generation", "chat", "code-generation"]


@pytest.mark.parametrize("tag", task_ids())
def test_every_task_tag_gets_a_family_a_rationale_sources_and_catalog_examples(tag):
    rec = recommend_architecture([tag])
    assert rec.family in FAMILIES
    assert len(rec.rationale) > 80 and families()[rec.family].objective in rec.rationale
    assert rec.sources and all(s.strip() for s in rec.sources)
    assert rec.example_models, tag
    assert all(get_model(m).family == rec.family for m in rec.example_models)
    assert rec.alternatives and all(a.family in FAMILIES and a.when for a in rec.alternatives)
    assert rec.covers_all and rec.multi_task_cost == ""


@pytest.mark.parametrize("tag", ISSUE_TAGS)
def test_every_tag_named_in_the_issue_is_in_the_taxonomy(tag):
    assert get_task(tag).id in task_ids()


@pytest.mark.parametrize("tag", ["sentiment-analysis", "ner", "token-classification", "text-classification"])
def test_classic_mapping_understanding_tasks_go_to_encoders(tag):
    assert recommend_architecture([tag]).family == "encoder"


@pytest.mark.parametrize("tag", ["text-generation", "chat", "code-generation"])
def test_classic_mapping_generation_goes_to_decoders(tag):
    assert recommend_architecture([tag]).family == "decoder"


@pytest.mark.parametrize("tag", ["translation", "summarization", "generative-question-answering"])
def test_classic_mapping_seq2seq_tasks_go_to_encoder_decoders_with_the_decoder_alternative(tag):
    rec = recommend_architecture([tag])
    assert rec.family == "encoder-decoder"
    assert "decoder" in [a.family for a in rec.alternatives]


def test_extractive_question_answering_is_an_encoder_task_with_generative_alternatives():
    rec = recommend_architecture(["question-answering"])
    assert rec.family == "encoder"
    assert {"encoder-decoder", "decoder"} <= {a.family for a in rec.alternatives}


def test_aliases_and_spelling_variants_resolve():
    assert get_task("Sentiment").id == "sentiment-analysis"
    assert get_task("NER").id == "ner"
    assert get_task("conversational").id == "chat"
    assert get_task("word_classification").id == "token-classification"
    assert get_task("abstractive-qa").id == "generative-question-answering"


def test_unknown_tag_is_one_line_listing_every_valid_tag():
    with pytest.raises(InvalidInput) as err:
        recommend_architecture(["summarisation-of-cats"])
    message = str(err.value)
    assert "\n" not in message
    assert all(tag in message for tag in task_ids())


def test_no_tasks_is_invalid():
    with pytest.raises(InvalidInput):
        recommend_architecture([])


def test_encoder_and_seq2seq_tasks_are_covered_by_an_encoder_decoder_with_its_cost():
    rec = recommend_architecture(["ner", "summarization"])
    assert rec.family == "encoder-decoder" and not rec.covers_all
    assert "encoder" in [a.family for a in rec.alternatives]
    flan_in, flan_out = forward_flops_per_token(get_model("flan-t5-xl").shape)
    bert_in, _ = forward_flops_per_token(get_model("bert-base-uncased").shape)
    assert f"~{flan_in / 1e9:.1f} GFLOP per input token (encoder)" in rec.multi_task_cost
    assert f"~{flan_out / 1e9:.1f} GFLOP per generated token (decoder)" in rec.multi_task_cost
    assert f"{flan_in / bert_in:.0f}x less compute per input token" in rec.multi_task_cost
    assert rec.example_models[0] == "flan-t5-xl"


def test_any_open_generation_task_makes_the_decoder_cover_everything():
    rec = recommend_architecture(["text-classification", "chat", "translation"])
    assert rec.family == "decoder"
    llama, _ = forward_flops_per_token(get_model("llama-2-7b").shape)
    bert, _ = forward_flops_per_token(get_model("bert-base-uncased").shape)
    assert f"{llama / bert:.0f}x less compute per input token" in rec.multi_task_cost
    assert round(llama / bert) == 78  # 13.2 vs 0.170 GFLOP: bert-base's 23.8M embedding weights do no matmuls
    assert {"encoder", "encoder-decoder"} <= {a.family for a in rec.alternatives}


def test_duplicate_tags_and_aliases_count_once():
    assert recommend_architecture(["ner", "NER", "named-entity-recognition"]).tasks == ["ner"]


def test_taxonomy_rows_carry_sources_definitions_and_alternatives():
    for task in list_tasks():
        assert task.source and task.definition and task.reasons and task.alternatives and task.keywords


def test_the_support_ticket_use_case_suggests_text_classification():
    assert suggest_tasks("we want to classify support tickets by urgency") == ["text-classification"]
    assert suggest_tasks("Summarize contracts") == ["summarization"]
    assert suggest_tasks("") == []


def test_one_task_with_labels_is_advice_for_a_small_specialist():
    advice = scale_advice(["text-classification"], data_available="thousands")
    assert advice.verdict == "specialist"
    assert all(get_model(m).params < 1e9 for m in advice.example_models)
    assert any("BLOOM-176B" in r for r in advice.reasons)  # the 110M vs 176B spread from the source


def test_many_tasks_without_labels_is_advice_for_a_large_generalist():
    advice = scale_advice(["chat", "summarization", "translation"], data_available="few")
    assert advice.verdict == "generalist"
    assert get_model(advice.example_models[0]).params > 6e9


def test_decode_time_is_weights_over_bandwidth():
    # Llama-2-7B in bf16 on an A100 80GB (2,039 GB/s): 6,738,415,616 x 2 bytes / 2.039e12 B/s = 6.61 ms
    assert decode_ms_per_token(6_738_415_616) == pytest.approx(6.61, abs=0.01)


def test_a_tight_latency_target_pushes_towards_a_specialist():
    advice = scale_advice(["summarization"], latency_ms_p95=200, output_tokens=100)
    assert advice.verdict == "specialist"
    assert any("over your 200 ms" in r for r in advice.reasons)


def test_an_encoder_decoder_costs_its_encoder_per_input_and_its_decoder_per_output_token():
    """Kaplan et al. 2020, eq. 2.2: C_forward ≈ 2N + 2·n_layer·n_ctx·d_attn, with N the non-embedding
    parameters the token passes through. In T5 (Raffel et al. 2020, §3.1.1) an input token passes through
    the encoder's blocks only and a generated token through the decoder's (self- and cross-attention, MLP) and
    the LM head, so neither costs 2N of the whole model (the old figure: 5.7 GFLOP for flan-t5-xl)."""
    shape = get_model("flan-t5-xl").shape
    per_input, per_output = forward_flops_per_token(shape)
    # the cross-attention keys and values are projected once per input token (FlopCounterMode on T5, issue 26:
    # tests/tools/test_flops_reference.py), so their 2·h·d_kv weights per decoder layer move to the input side
    cross_kv = 2 * shape.decoder_layers * 2 * 2048 * 2048
    assert per_input == 2 * shape.encoder_layers * layer_params(shape) + cross_kv
    assert per_output == (2 * shape.decoder_layers * layer_params(shape, cross_attention=True) + 2 * 32128 * 2048
                          - cross_kv)
    assert per_input + per_output < 2 * get_model("flan-t5-xl").params  # the embedding is shared, not run twice
    assert 0.35 < per_input / (2 * get_model("flan-t5-xl").params) < 0.5  # 0.48 with the cross K/V (was 0.41)
    llama = get_model("llama-2-7b").shape
    assert forward_flops_per_token(llama)[0] == forward_flops_per_token(llama)[1]
    assert forward_flops_per_token(get_model("bert-base-uncased").shape)[1] == 0
