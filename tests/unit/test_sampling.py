"""Sampling maths: temperature, top-k, top-p and seeded draws on a next-token distribution."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lifecycle.errors import InvalidInput
from lifecycle.serving.sampling import (
    DEFAULT_DISTRIBUTION,
    apply_temperature,
    default_distribution,
    make_distribution,
    parse_distribution,
    sample_frequencies,
    top_p_mask,
    transform,
)


def kept_tokens(t):
    return [tok for tok, k in zip(t.tokens, t.kept) if k]


def test_default_distribution_starts_with_the_course_example_and_sums_to_one():
    d = default_distribution()
    assert d.tokens[:4] == ["cake", "donut", "banana", "apple"]
    assert d.probs[:4] == pytest.approx([0.20, 0.10, 0.02, 0.01])
    assert math.fsum(d.probs) == pytest.approx(1.0, abs=1e-12)
    assert not d.renormalised
    assert len(DEFAULT_DISTRIBUTION) == 71


def test_course_examples_top_k_3_and_top_p_0_3():
    d = default_distribution()
    # Course: top-k = 3 samples among cake, donut, banana; top-p = 0.3 among cake and donut.
    assert kept_tokens(transform(d, top_k=3)) == ["cake", "donut", "banana"]
    t = transform(d, top_p=0.3)
    assert kept_tokens(t) == ["cake", "donut"]
    assert t.final[:2] == pytest.approx([2 / 3, 1 / 3])


def test_temperature_zero_and_near_zero_equal_greedy():
    d = default_distribution()
    greedy = transform(d, temperature=0)
    assert kept_tokens(greedy) == ["cake"] and greedy.final[0] == 1.0 and greedy.greedy
    cold = transform(d, temperature=0.01)
    assert cold.final[0] == pytest.approx(1.0, abs=1e-12)


def test_top_k_one_equals_greedy():
    d = make_distribution({"a": 0.1, "b": 0.6, "c": 0.3})
    t = transform(d, top_k=1)
    assert t.final == pytest.approx([0.0, 1.0, 0.0])
    assert t.final == transform(d, temperature=0).final


def test_top_p_one_and_top_k_vocab_leave_the_distribution_unchanged():
    d = default_distribution()
    for t in (transform(d, top_p=1.0), transform(d, top_k=len(d.tokens)), transform(d, top_k=10_000)):
        assert t.final == pytest.approx(d.probs, abs=1e-15)
        assert all(t.kept)


def test_temperature_one_is_identity_and_high_temperature_flattens():
    p = np.array([0.5, 0.3, 0.2])
    assert apply_temperature(p, 1.0) == pytest.approx(p)
    hot = apply_temperature(p, 100.0)
    assert hot.max() - hot.min() < 0.01
    # T = 2 is the square root of the probabilities, renormalised.
    assert apply_temperature(p, 2.0) == pytest.approx(np.sqrt(p) / np.sqrt(p).sum())


@pytest.mark.slow
@settings(max_examples=200, deadline=None)
@given(
    probs=st.lists(st.floats(0, 1), min_size=1, max_size=30).filter(lambda v: sum(v) > 1e-6),
    temperature=st.floats(0, 10),
    top_k=st.one_of(st.none(), st.integers(1, 40)),
    top_p=st.floats(1e-6, 1),
)
def test_final_probabilities_always_sum_to_one_over_the_kept_set(probs, temperature, top_k, top_p):
    d = make_distribution({f"t{i}": p for i, p in enumerate(probs)})
    t = transform(d, temperature=temperature, top_k=top_k, top_p=top_p)
    assert math.fsum(t.final) == pytest.approx(1.0, abs=1e-9)
    assert t.kept_count >= 1
    assert all(f == 0 for f, k in zip(t.final, t.kept) if not k)
    if top_k is not None:  # ties with the k-th stay (HF): fewer than k tokens are strictly above the cut
        kept_min = min(a for a, k in zip(t.after_temperature, t.kept) if k)
        assert sum(a > kept_min for a in t.after_temperature) < top_k


def test_seeded_frequencies_are_reproducible_and_match_probabilities():
    d = transform(default_distribution(), top_k=4)
    f1 = sample_frequencies(np.array(d.final), 20_000, seed=7)
    f2 = sample_frequencies(np.array(d.final), 20_000, seed=7)
    assert np.array_equal(f1, f2)
    p = np.array(d.final)
    sigma = np.sqrt(p * (1 - p) / 20_000)
    assert np.all(np.abs(f1 - p) <= 5 * sigma + 1e-12)


def test_user_weights_are_renormalised_and_reported():
    d = parse_distribution("cake 2, donut 1, banana 1")
    assert d.renormalised and d.input_sum == 4
    assert d.probs == pytest.approx([0.5, 0.25, 0.25])
    assert parse_distribution('{"a": 0.25, "b": 0.75}').probs == [0.25, 0.75]
    assert parse_distribution("cake: 0.2\ndonut=0.1\n…").tokens == ["cake", "donut"]


@pytest.mark.parametrize(
    "kwargs, fragment",
    [
        ({"temperature": -0.5}, "Temperature"),
        ({"top_p": 0.0}, "top-p"),
        ({"top_p": 1.5}, "top-p"),
        ({"top_k": 0}, "top-k"),
        ({"top_k": 2.5}, "top-k"),
        ({"temperature": float("nan")}, "Temperature"),
    ],
)
def test_invalid_settings_get_a_clear_message(kwargs, fragment):
    with pytest.raises(InvalidInput, match=fragment):
        transform(default_distribution(), **kwargs)


@pytest.mark.parametrize("text", ["", "cake -0.1", "cake 0, donut 0", "cake 0.1, cake 0.2", "cake", "{]"])
def test_invalid_distributions_are_rejected(text):
    with pytest.raises(InvalidInput):
        parse_distribution(text)


def test_top_k_keeps_ties_with_the_kth_token_like_hugging_face():
    """transformers ``TopKLogitsWarper.__call__``:
    ``indices_to_remove = scores < torch.topk(scores, top_k)[0][..., -1, None]`` — only scores *below* the
    k-th value are removed, so tokens tied with the k-th stay. On the course distribution with k = 4 the
    4th value is apple's 0.01, which the 67 tail words share: 71 tokens stay."""
    t = transform(default_distribution(), top_k=4)
    assert t.kept_count == 71
    assert kept_tokens(transform(default_distribution(), top_k=3)) == ["cake", "donut", "banana"]
    tie = transform(make_distribution({"a": 0.4, "b": 0.3, "c": 0.3}), top_k=2)
    assert tie.kept == [True, True, True] and tie.final == pytest.approx([0.4, 0.3, 0.3])


def test_sampling_off_is_greedy_whatever_the_settings():
    """The course slides (week 1, 'Generative configuration — greedy vs. random sampling'): greedy decoding
    picks the word with the highest probability; random sampling draws by probability. Hugging Face
    ``do_sample=False`` is greedy search, and the warpers are not applied."""
    d = default_distribution()
    t = transform(d, temperature=3.0, top_k=50, top_p=0.9, do_sample=False)
    assert t.greedy and not t.do_sample and t.kept_count == 1 and kept_tokens(t) == ["cake"]


@pytest.mark.torch
def test_top_p_keeps_as_many_tokens_as_hugging_faces_top_p_warper():
    """transformers ``TopPLogitsWarper`` (generation/logits_process.py): "sorted ascending, cumulative_probs <=
    (1 - top_p) are removed, min_tokens_to_keep = 1", applied by ``generate`` to float32 scores. On the course
    distribution and on 600 random ones (ties included) the same number of tokens survives; only sums within 1e-6 of
    top_p, where float32 rounding decides, are left out. top-p = 0.3 keeps cake and donut (float64 scores would
    round 0.2 + 0.1 below 0.3 and keep banana: the boundary is rounding, not a rule)."""
    torch = pytest.importorskip("torch")
    warper = pytest.importorskip("transformers.generation.logits_process").TopPLogitsWarper

    def kept_by_hf(p, top_p):
        scores = torch.log(torch.tensor(p, dtype=torch.float32))[None]
        return int((warper(top_p)(None, scores)[0] > -float("inf")).sum())

    course = np.array(default_distribution().probs)
    for top_p in (0.01, 0.2, 0.29, 0.3, 0.31, 0.5, 0.9):
        assert top_p_mask(course, top_p).sum() == kept_by_hf(course, top_p), top_p
    assert top_p_mask(course, 0.3).sum() == 2
    rng = np.random.default_rng(26)
    compared = 0
    for i in range(600):
        p = rng.dirichlet(np.ones(int(rng.integers(2, 30))) * rng.uniform(0.1, 3))
        if i % 3 == 0:  # coarse values: many ties
            p = np.maximum(np.round(p * 10) / 10, 0.05)
            p = p / p.sum()
        top_p = float(rng.choice([0.1, 0.2, 0.3, 0.5, 0.7, 0.9, rng.uniform(0.01, 1)]))
        ranked = np.sort(p)[::-1]
        if np.min(np.abs(np.cumsum(ranked) - ranked - top_p)) < 1e-6:
            continue
        mask = top_p_mask(p, top_p)
        assert mask.sum() == kept_by_hf(p, top_p)
        assert p[mask].min() >= p[~mask].max(initial=0)  # every token more probable than a kept one is kept
        compared += 1
    assert compared > 500
