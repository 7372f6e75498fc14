"""Advice that uses what the team said (issue 24): task tags suggested from real use-case descriptions, NER and
token classification counted as one task, each alternative family listed once, counts that agree with nouns."""

from __future__ import annotations

import pytest

from lifecycle.models.advice import ArchitectureSetup, architecture_advice
from lifecycle.models.scale_advice import scale_advice
from lifecycle.models.tasks import distinct_tasks, recommend_architecture, suggest_tasks

# Descriptions written as teams write them (three from the browser walk-through of issue 24, the rest of our own),
# and the tags a reader would pick from the Hugging Face task list.
DESCRIPTIONS = [
    ("A bot that reviews Go pull requests and suggests review comments on the diff", {"code-generation"}),
    (("De-identify clinical notes: detect patient names, dates and medical record numbers (PHI) so they can be "
      "redacted"), {"ner"}),
    ("Translate our English FAQ pages into French, German, Spanish, Italian, Japanese and Portuguese", {"translation"}),
    ("Classify incoming support tickets by urgency and route them to the right team", {"text-classification"}),
    ("Summarize long legal contracts into a one-page brief for our lawyers", {"summarization"}),
    ("A customer-support chatbot that answers questions about billing", {"chat"}),
    ("Find duplicate bug reports with semantic search over our issue tracker", {"sentence-similarity"}),
    ("Analyse the sentiment of product reviews from the app store", {"sentiment-analysis"}),
    ("Tag drug names and dosages in hospital discharge summaries", {"ner"}),
]


@pytest.mark.parametrize("description, expected", DESCRIPTIONS)
def test_suggested_tasks_are_the_ones_a_reader_would_pick(description, expected):
    assert set(suggest_tasks(description)) == expected


def test_a_code_review_bot_is_not_sentiment_analysis_and_a_translation_faq_is_not_question_answering():
    assert "sentiment-analysis" not in suggest_tasks("We review Go code in pull requests")
    assert "question-answering" not in suggest_tasks("Translate the FAQ into Japanese")


def test_ner_and_token_classification_are_one_task():
    assert [t.id for t in distinct_tasks(["token-classification", "ner"])] == ["ner"]
    rec = recommend_architecture(["token-classification", "ner"])
    assert rec.family == "encoder" and rec.covers_all and rec.tasks == ["ner"]
    advice = scale_advice(["token-classification", "ner"], data_available="thousands")
    assert advice.verdict == "specialist"  # not "Either … start from llama-2-7b" for a hospital NER team


def test_each_alternative_family_is_listed_once():
    for tasks in (["summarization", "translation"], ["text-classification", "summarization", "translation"],
                  ["ner", "summarization", "chat"]):
        families = [a.family for a in recommend_architecture(tasks).alternatives]
        assert len(families) == len(set(families)), tasks


def test_one_output_token_is_singular():
    advice = architecture_advice(ArchitectureSetup(tasks=("text-classification",), latency_ms_p95=5_000,
                                                   output_tokens=1))
    text = " ".join(advice.scale.reasons)
    assert "1 output token " in text and "1 output tokens" not in text


def test_the_latency_check_runs_on_the_teams_gpu_and_precision():
    """Pope et al. 2022 §2: a batch-1 decode step reads every weight once, so time per token >= weight bytes ÷
    memory bandwidth: Llama-2-7B in bf16 on an L4 (300 GB/s) misses 500 tokens in 8 s that an A100 (2.04 TB/s) makes."""
    from lifecycle.models.catalog import get_model
    from lifecycle.models.gpus import get_gpu

    def latency(**team):
        advice = architecture_advice(ArchitectureSetup(tasks=("code-generation",), latency_ms_p95=8_000,
                                                       output_tokens=500, **team))
        return next(r for r in advice.scale.reasons if r.startswith("Latency"))

    assert "over your 8 s" in latency(gpu="l4") and "NVIDIA L4" in latency(gpu="l4")
    assert "within your 8 s" in latency() and "A100" in latency()
    seconds = 2 * get_model("llama-2-7b").params / get_gpu("l4").memory_bandwidth_bytes_per_s * 500
    assert f"{seconds:.1f} s" in latency(gpu="l4")
    assert "within your 8 s" in latency(gpu="l4", precision="int4")  # a quarter of the bytes read per token
