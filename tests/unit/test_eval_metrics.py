"""Scoring a sample: each metric against its reference implementation's output on the same sample."""

import json
import math
from pathlib import Path

import pytest

from lifecycle.adapt.metrics import (
    accuracy,
    bleu,
    chrf,
    exact_match,
    macro_f1,
    normalize_answer,
    perplexity,
    rouge,
    score,
    token_f1,
    tokenize_13a,
)
from lifecycle.errors import InvalidInput

REF = json.loads((Path(__file__).resolve().parents[1] / "data" / "eval_metric_references.json").read_text())


def test_bleu_and_chrf_equal_sacrebleu():
    assert bleu(REF["hyps"], REF["refs"]) == pytest.approx(REF["bleu"], abs=1e-9)
    assert chrf(REF["hyps"], REF["refs"]) == pytest.approx(REF["chrf"], abs=1e-9)
    assert bleu(REF["hyps"][:2], REF["refs"][:2]) == pytest.approx(REF["bleu_first2"], abs=1e-9)
    assert chrf(REF["hyps"][:2], REF["refs"][:2]) == pytest.approx(REF["chrf_first2"], abs=1e-9)
    assert bleu(["cat"], ["the cat"]) == REF["bleu_short"] == 0.0


def test_13a_tokenizer_equals_sacrebleu():
    assert tokenize_13a("He paid $3.50, didn't he? (yes) 1-2 &amp; co.") == REF["tokens_13a"]


def test_rouge_equals_rouge_score():
    got = rouge(REF["hyps"], REF["refs"])
    for key, value in REF["rouge"].items():
        assert got[key] == pytest.approx(value, abs=1e-9)


def test_squad_normalisation_exact_match_and_token_f1():
    # SQuAD v1.1 evaluate script: articles, punctuation and case do not count.
    assert normalize_answer("The  Eiffel Tower!") == "eiffel tower"
    assert exact_match(["the Eiffel Tower", "Paris"], ["Eiffel Tower", "London"]) == 50.0
    # "in the year 1889" vs "1889": precision 1/3, recall 1 -> F1 0.5
    assert token_f1(["in the year 1889"], ["1889"]) == pytest.approx(50.0)


def test_accuracy_and_macro_f1_by_hand():
    preds, refs = ["a", "a", "b", "b", "c"], ["a", "b", "b", "b", "a"]
    assert accuracy(preds, refs) == 60.0
    # per label F1: a 0.5, b 0.8, c 0 -> macro 43.33 (scikit-learn f1_score(average="macro"))
    assert macro_f1(preds, refs) == pytest.approx(100 * 1.3 / 3)


def test_perplexity_is_exp_of_mean_negative_log_likelihood():
    assert perplexity([math.log(0.25)] * 4) == pytest.approx(4.0)
    assert score("perplexity", ["-1.0", "-3.0"], []) == pytest.approx(math.exp(2.0))


@pytest.mark.parametrize("call", [
    lambda: bleu(["a"], []), lambda: accuracy([], []), lambda: perplexity([0.5]), lambda: perplexity([]),
    lambda: score("elo", ["a"], ["a"]), lambda: score("perplexity", ["x"], []),
])
def test_bad_samples_are_rejected(call):
    with pytest.raises(InvalidInput):
        call()
