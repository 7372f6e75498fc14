"""Generation settings on a next-token distribution: temperature, top-k, top-p (nucleus), greedy.

The order follows Hugging Face ``generate``: temperature first, then top-k, then top-p, each
warper renormalising what it keeps (transformers ``TemperatureLogitsWarper``,
``TopKLogitsWarper``, ``TopPLogitsWarper``). Top-p is Holtzman et al. 2020 ("The Curious
Case of Neural Text Degeneration", §3.1): keep the smallest set of most probable tokens whose
cumulative probability reaches p. Temperature rescales log-probabilities:
``p_i(T) = exp(log p_i / T) / Σ_j exp(log p_j / T)``; T = 0 means greedy (argmax).
"""

from __future__ import annotations

import math
import re
from functools import lru_cache
from pathlib import Path

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from lifecycle._files import user_json
from lifecycle._typed import Result, Setup
from lifecycle.errors import InvalidInput
from lifecycle.limits import MAX_VOCAB_TOKENS

# The course's example lists its four most probable tokens and elides the rest of the vocabulary
# as "…"; the remaining 0.67 is spread evenly over 67 other food words (illustrative) so it sums to 1.
_COURSE_TOKENS = {"cake": 0.20, "donut": 0.10, "banana": 0.02, "apple": 0.01}
_TAIL_WORDS = (  # noqa: SIM905  (67 words read better as text)
    "pie bread cookie muffin pizza pasta rice soup salad cheese butter honey jam toast bagel "
    "croissant pancake waffle cereal yogurt milk tea coffee juice chocolate candy sorbet pudding "
    "custard tart brownie scone biscuit cracker pretzel popcorn almond walnut peanut cherry grape "
    "lemon orange mango peach pear plum melon berry carrot potato tomato onion pepper bean pea corn "
    "egg fish chicken steak sausage noodle dumpling taco burrito sandwich"
).split()
DEFAULT_DISTRIBUTION: dict[str, float] = {**_COURSE_TOKENS, **{w: 0.01 for w in _TAIL_WORDS}}
DEFAULT_DISTRIBUTION_SOURCE = (
    "cake 0.20, donut 0.10, banana 0.02, apple 0.01: DeepLearning.AI & AWS, 'Generative AI with Large "
    "Language Models', week 1, 'Generative configuration'. The slide elides the rest of the vocabulary "
    "('…'); here the remaining 0.67 is spread evenly over 67 other food words (illustrative)."
)
# Sum-to-one tolerance before we say we renormalised the user's numbers.
_SUM_TOLERANCE = 1e-6
MAX_FILE_BYTES = 20_000_000  # 300k tokens with their probabilities fit in a few MB
MAX_SAMPLES = 10_000_000  # drawn as multinomial counts: memory grows with the vocabulary, not with the draws


class Distribution(BaseModel):
    """Tokens and their probabilities (normalised to sum to 1)."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    tokens: list[str]
    probs: list[float]
    input_sum: float  # what the user's numbers summed to before normalising

    @property
    def renormalised(self) -> bool:
        return abs(self.input_sum - 1.0) > _SUM_TOLERANCE

    def as_array(self) -> np.ndarray:
        return np.asarray(self.probs, dtype=np.float64)


def make_distribution(weights: dict[str, float] | list[tuple[str, float]]) -> Distribution:
    """Validate token weights (non-negative, finite, some positive, unique tokens) and normalise them."""
    items = list(weights.items()) if isinstance(weights, dict) else list(weights)
    if not items:
        raise InvalidInput("The distribution is empty: give at least one token with a probability.")
    if len(items) > MAX_VOCAB_TOKENS:
        raise InvalidInput(f"The distribution has {len(items):,} tokens; the limit is {MAX_VOCAB_TOKENS:,}.")
    tokens: list[str] = []
    values: list[float] = []
    seen: set[str] = set()  # a set, not the list: a 50k-token vocabulary stays linear
    for token, value in items:
        token = str(token).strip()
        if not token:
            raise InvalidInput("A token in the distribution is blank.")
        if token in seen:
            raise InvalidInput(f"Token {token!r} appears twice in the distribution.")
        seen.add(token)
        try:
            v = float(value)
        except (TypeError, ValueError):
            raise InvalidInput(f"Probability of {token!r} is not a number: {value!r}.") from None
        if not math.isfinite(v) or v < 0:
            raise InvalidInput(f"Probability of {token!r} must be a finite number ≥ 0, got {value!r}.")
        tokens.append(token)
        values.append(v)
    total = math.fsum(values)
    if total <= 0:
        raise InvalidInput("All probabilities are zero: at least one token needs a positive probability.")
    return Distribution(tokens=tokens, probs=[v / total for v in values], input_sum=total)


def default_distribution() -> Distribution:
    return make_distribution(DEFAULT_DISTRIBUTION)


def parse_distribution(text: str) -> Distribution:
    """Parse ``"cake 0.20, donut 0.10"`` (pairs split by commas or new lines; ``token: p`` also works)
    or a JSON object ``{"cake": 0.2}``."""
    text = (text or "").strip()
    if text.startswith("{"):
        data = user_json(text, "The distribution")
        if not isinstance(data, dict):
            raise InvalidInput('A JSON distribution must be an object like {"cake": 0.2}.')
        return make_distribution(data)
    pairs = []
    for chunk in re.split(r"[,\n;]+", text):
        chunk = chunk.strip()
        if not chunk or chunk in ("…", "..."):
            continue
        match = re.fullmatch(r"(.+?)\s*[:=\s]\s*([-+0-9.eE]+)", chunk)
        if not match:
            raise InvalidInput(f"Cannot read {chunk!r}: write each entry as 'token probability', e.g. 'cake 0.20'.")
        pairs.append((match.group(1).strip(), match.group(2)))
    return make_distribution(pairs)


def load_distribution_text(path: str | Path) -> str:
    """The text of a distribution file, size-checked before it is read."""
    p = Path(path)
    if not p.is_file():
        raise InvalidInput(f"Probabilities file {str(p)!r} does not exist.")
    if p.stat().st_size > MAX_FILE_BYTES:
        raise InvalidInput(f"Probabilities file {str(p)!r} is {p.stat().st_size:,} bytes; the limit is {MAX_FILE_BYTES:,}.")
    try:
        return p.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise InvalidInput(f"Probabilities file {str(p)!r} is not UTF-8 text.") from None


def validate_settings(temperature: float, top_k: int | None, top_p: float) -> None:
    """Raise InvalidInput for settings no sampler accepts."""
    if temperature is None or not math.isfinite(float(temperature)) or float(temperature) < 0:
        raise InvalidInput(f"Temperature must be ≥ 0 (0 means greedy), got {temperature!r}.")
    if top_k is not None and (isinstance(top_k, bool) or int(top_k) != top_k or int(top_k) < 1):
        raise InvalidInput(f"top-k must be a whole number ≥ 1 (or left out to keep all tokens), got {top_k!r}.")
    if top_p is None or not math.isfinite(float(top_p)) or not 0 < float(top_p) <= 1:
        raise InvalidInput(f"top-p must be in (0, 1] (1 keeps every token), got {top_p!r}.")


def greedy_index(probs: np.ndarray) -> int:
    """The most probable token (the first of any tie), which greedy decoding always picks."""
    return int(np.argmax(probs))


def apply_temperature(probs: np.ndarray, temperature: float) -> np.ndarray:
    """Softmax of log-probabilities divided by T; T = 0 is the one-hot greedy limit."""
    p = np.asarray(probs, dtype=np.float64)
    if temperature == 0:
        out = np.zeros_like(p)
        out[greedy_index(p)] = 1.0
        return out
    with np.errstate(divide="ignore", over="ignore"):
        logp = np.log(p)
        # Shift before dividing so the most probable tokens sit at 0 and a tiny T cannot make every
        # logit -inf; zero-probability tokens stay at exp(-inf) = 0.
        e = np.exp((logp - logp.max()) / temperature)
    return e / e.sum()


def top_k_mask(probs: np.ndarray, k: int | None) -> np.ndarray:
    """Keep every token at least as probable as the k-th most probable one; k above the vocabulary keeps all.

    As Hugging Face's ``TopKLogitsWarper`` does (``scores < torch.topk(scores, top_k)[0][..., -1, None]`` are
    removed): tokens tied with the k-th are kept, so more than k tokens can survive.
    """
    p = np.asarray(probs, dtype=np.float64)
    if k is None or k >= p.size:
        return np.ones(p.size, dtype=bool)
    kth = np.partition(p, p.size - k)[p.size - k]  # the k-th largest value
    return p >= kth


def top_p_mask(probs: np.ndarray, top_p: float) -> np.ndarray:
    """The most probable tokens whose cumulative probability reaches top_p (always ≥ 1 token), as Hugging Face's
    ``TopPLogitsWarper`` decides: a token is removed when the tokens ranked above it already hold ``top_p``.

    The number kept equals the warper's (tests/unit/test_sampling.py compares them); which of several equally
    probable tokens at the edge is kept is the sort's choice there (``torch.sort`` is not stable), here the first
    listed. A sum landing exactly on ``top_p`` counts as reaching it: 0.2 + 0.1 reaches 0.3, so the course's
    top-p = 0.3 keeps cake and donut — as ``generate`` does with its float32 scores; only float64 scores round that
    sum below 0.3 and keep banana too.
    """
    p = np.asarray(probs, dtype=np.float64)
    if top_p >= 1:
        return p > 0 if np.any(p > 0) else np.ones(p.size, dtype=bool)
    order = np.argsort(-p, kind="stable")
    before = np.cumsum(p[order]) - p[order]  # mass of the tokens ranked above
    keep_sorted = before < top_p - 1e-12  # 1e-12: 0.2 + 0.1 counts as reaching 0.3
    keep_sorted[0] = True
    mask = np.zeros(p.size, dtype=bool)
    mask[order[keep_sorted]] = True
    return mask


class Transformed(BaseModel):
    """The distribution at each step of the pipeline, plus the kept set."""

    tokens: list[str]
    original: list[float]
    after_temperature: list[float]
    kept: list[bool]
    final: list[float]  # renormalised over the kept set; zero elsewhere
    greedy: bool
    do_sample: bool = True  # False: greedy search, whatever the warpers say (Hugging Face ``do_sample=False``)
    temperature: float
    top_k: int | None
    top_p: float

    @property
    def kept_count(self) -> int:
        return sum(self.kept)


def transform(
    dist: Distribution, *, temperature: float = 1.0, top_k: int | None = None, top_p: float = 1.0,
    do_sample: bool = True,
) -> Transformed:
    """Temperature, then top-k, then top-p, then renormalise over what is kept.

    ``do_sample=False`` is greedy decoding as the course slides and Hugging Face ``generate`` define it: the
    most probable token every time, and temperature, top-k and top-p have no effect.
    """
    validate_settings(temperature, top_k, top_p)
    p = dist.as_array()
    t = apply_temperature(p, float(temperature) if do_sample else 0.0)
    mask = top_k_mask(t, None if top_k is None else int(top_k))
    after_k = np.where(mask, t, 0.0)
    after_k /= after_k.sum()
    mask &= top_p_mask(after_k, float(top_p))
    mask &= t > 0
    final = np.where(mask, t, 0.0)
    final /= final.sum()
    return Transformed(
        tokens=dist.tokens, original=p.tolist(), after_temperature=t.tolist(), kept=mask.tolist(),
        final=final.tolist(), greedy=not do_sample or float(temperature) == 0 or int(mask.sum()) == 1,
        do_sample=bool(do_sample),
        temperature=float(temperature), top_k=None if top_k is None else int(top_k), top_p=float(top_p),
    )


def sample_frequencies(probs: np.ndarray, n: int, seed: int | None) -> np.ndarray:
    """Share of n seeded draws that landed on each token: one multinomial draw of the counts (numpy's PCG64:
    the same seed gives the same counts), so memory grows with the vocabulary, not with n."""
    if isinstance(n, bool) or int(n) != n or not 1 <= int(n) <= MAX_SAMPLES:
        raise InvalidInput(f"Number of samples must be a whole number from 1 to {MAX_SAMPLES:,}, got {n!r}.")
    if seed is not None and (int(seed) != seed or int(seed) < 0):
        raise InvalidInput(f"Seed must be a whole number ≥ 0, got {seed!r}.")
    p = np.asarray(probs, dtype=np.float64)
    counts = np.random.default_rng(seed).multinomial(int(n), p / p.sum())
    return counts / counts.sum()


class SamplingSetup(Setup):
    """Generation settings applied to one next-token distribution, and seeded draws from the result."""

    distribution: tuple[tuple[str, float], ...] = Field(
        default_factory=lambda: tuple(DEFAULT_DISTRIBUTION.items()), min_length=1, max_length=MAX_VOCAB_TOKENS)
    temperature: float = Field(1.0, ge=0, le=100)
    top_k: int | None = Field(None, ge=1, le=MAX_VOCAB_TOKENS)
    top_p: float = Field(1.0, gt=0, le=1)
    do_sample: bool = True  # False: greedy (random sampling off)
    seed: int = Field(0, ge=0, le=2**32 - 1)
    samples: int = Field(1000, ge=1, le=MAX_SAMPLES)

    @classmethod
    def from_text(cls, text: str, **fields) -> SamplingSetup:
        """From "cake 0.20, donut 0.10" or a JSON object (see ``parse_distribution``)."""
        dist = parse_distribution(text)  # keeps the weights as typed: the demo says when it renormalised them
        return cls(distribution=tuple((tok, p * dist.input_sum) for tok, p in zip(dist.tokens, dist.probs)), **fields)


class SamplingDemo(Result):
    distribution: Distribution
    transformed: Transformed
    frequencies: list[float]  # share of the seeded draws per token


@lru_cache(maxsize=64)
def sampling_demo(setup: SamplingSetup) -> SamplingDemo:
    """The generation-settings calculator: the distribution after temperature, top-k and top-p, and draws from it."""
    dist = make_distribution(list(setup.distribution))
    t = transform(dist, temperature=setup.temperature, top_k=setup.top_k, top_p=setup.top_p,
                  do_sample=setup.do_sample)
    freqs = sample_frequencies(np.asarray(t.final), setup.samples, setup.seed)
    return SamplingDemo(distribution=dist, transformed=t, frequencies=freqs.tolist())
