"""The playground's n-gram model: real counts on a shipped public-domain text, decoded with the sampling pipeline."""

import math
from pathlib import Path

import numpy as np
import pytest

from lifecycle.errors import InvalidInput, NotFound
from lifecycle.serving.ngram import (
    GenerationSetup,
    NGramModel,
    detokenize,
    generate,
    generation_comparison,
    load_model,
    text_sources,
    tokenize,
)

ROOT = Path(__file__).resolve().parents[2]


def test_every_shipped_text_has_a_source_and_its_stated_word_count():
    for row in text_sources():
        assert row["source"] and row["licence"]
        text = (ROOT / "data" / "texts" / row["file"]).read_text(encoding="utf-8")
        assert len(text.split()) == row["words"]


def test_counts_are_maximum_likelihood_estimates():
    m = NGramModel(tokenize("the cat sat . the cat ran . the dog sat ."), order=2)
    d = m.next_distribution(["the"])
    assert dict(zip(d.tokens, d.probs)) == pytest.approx({"cat": 2 / 3, "dog": 1 / 3})
    # An unseen context backs off to unigram frequencies.
    uni = m.next_distribution(["zebra"])
    assert dict(zip(uni.tokens, uni.probs))["the"] == pytest.approx(3 / 12)


def test_the_shipped_model_is_trained_once_and_cached():
    a = load_model()
    assert a is load_model()
    assert a.tokens_trained > 3000 and len(a.vocab) > 400
    d = a.next_distribution(tokenize("And God"))
    assert d.tokens[0] == "said" and math.fsum(d.probs) == pytest.approx(1.0)


def test_tokenize_and_detokenize_round_trip_punctuation():
    toks = tokenize("And God said, Let there be light: and there was light.")
    assert toks[:4] == ["And", "God", "said", ","]
    assert detokenize(toks) == "And God said, Let there be light: and there was light."


def test_greedy_decoding_repeats_itself_and_ignores_the_seed():
    g = generate("And God said", max_new_tokens=80, temperature=0, seed=1)
    assert g.text == generate("And God said", max_new_tokens=80, temperature=0, seed=99).text
    windows = [tuple(g.new_tokens[i:i + 8]) for i in range(len(g.new_tokens) - 8)]
    assert len(set(windows)) < len(windows), "greedy output should contain a repeated 8-token span"
    # top-k = 1 is not always greedy here: n-gram counts tie, and HF keeps ties with the k-th token
    assert generate("And God said", max_new_tokens=80, do_sample=False, temperature=1.5, seed=5).text == g.text


def _share_off_greedy(temperature):
    """Among steps with a real choice, the share where a less probable word than the top one was drawn."""
    steps = [s for seed in range(8)
             for s in generate("In the beginning", max_new_tokens=100, temperature=temperature, seed=seed).steps
             if s.candidates > 1]
    return float(np.mean([s.rank > 0 for s in steps]))


def test_high_temperature_wanders_off_the_greedy_path():
    assert _share_off_greedy(0) == 0
    assert _share_off_greedy(0.3) < _share_off_greedy(1.0) < _share_off_greedy(2.5)


def test_top_p_trims_the_tail_of_every_step():
    loose = generate("And the LORD God", max_new_tokens=100, top_p=1.0, seed=3)
    tight = generate("And the LORD God", max_new_tokens=100, top_p=0.5, seed=3)
    assert all(s.kept == s.candidates for s in loose.steps)
    assert np.mean([s.kept for s in tight.steps]) < np.mean([s.candidates for s in tight.steps])
    # The nucleus never drops the most probable words: what is kept reaches p = 0.5.
    model = load_model()
    history = tokenize("And the LORD God")
    for s in tight.steps:
        d = model.next_distribution(history)
        assert sum(d.probs[: s.kept]) >= 0.5 - 1e-12
        history.append(s.token)


def test_max_new_tokens_cuts_the_output():
    for n in (1, 7, 30):
        g = generate("And God said", max_new_tokens=n, seed=0)
        assert len(g.new_tokens) == n == len(g.steps)
        assert g.stop_reason == "max_new_tokens"


def test_same_seed_same_text():
    a = generate("", max_new_tokens=50, temperature=1.2, seed=42)
    assert a.text == generate("", max_new_tokens=50, temperature=1.2, seed=42).text
    assert a.text != generate("", max_new_tokens=50, temperature=1.2, seed=43).text


@pytest.mark.parametrize("kw", [{"max_new_tokens": 0}, {"max_new_tokens": 501}, {"temperature": -1}, {"top_p": 0}, {"order": 9}])
def test_invalid_generation_settings_raise_invalid_input(kw):
    with pytest.raises(InvalidInput):
        generate("And", **kw)


def test_unknown_text_is_not_found():
    with pytest.raises(NotFound):
        load_model("no-such-text")


def test_stop_sequence_ends_generation_and_stays_in_the_text():
    """Hugging Face ``generate(stop_strings=...)`` (``StopStringCriteria``): generation stops once the
    generated text ends with a stop string, which is kept in the output."""
    long = generation_comparison(GenerationSetup(max_new_tokens=60, seed=0))
    stopped = generation_comparison(GenerationSetup(max_new_tokens=60, seed=0, stop_sequences=(".",)))
    assert stopped.sampled.stop_reason == "stop sequence" and stopped.sampled.stop_sequence == "."
    assert stopped.sampled.continuation.endswith(".")
    assert long.sampled.continuation.startswith(stopped.sampled.continuation)  # same seed, cut short
    assert len(stopped.sampled.new_tokens) < len(long.sampled.new_tokens)
    assert long.sampled.stop_reason == "max_new_tokens"


def test_sampling_off_generates_the_greedy_text():
    out = generation_comparison(GenerationSetup(do_sample=False, temperature=2.0, top_k=20, seed=5))
    assert out.sampled.text == out.greedy.text
