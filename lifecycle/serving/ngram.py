"""A small, real language model for the generation playground: a word-level n-gram model.

Trained at first use (maximum-likelihood counts, Jurafsky & Martin, "Speech and Language
Processing", ch. 3, eq. 3.12: ``P(w | h) = C(h w) / C(h)``) on a public-domain text shipped in
``data/texts/``. Unseen contexts back off to the longest seen suffix of the context, down to
unigram counts (plain backoff without discounting: enough to generate, not to score). Decoding
uses the same temperature / top-k / top-p pipeline as ``lifecycle.serving.sampling``.
"""

from __future__ import annotations

import json
import re
from collections import Counter, defaultdict
from functools import lru_cache
from typing import Annotated

import numpy as np
from pydantic import BaseModel, Field

from lifecycle._typed import Result, Setup
from lifecycle.errors import InvalidInput, NotFound
from lifecycle.limits import MAX_VOCAB_TOKENS
from lifecycle.resources import data_path
from lifecycle.serving.sampling import Distribution, make_distribution, transform, validate_settings

TEXTS_DIR = data_path("texts")
DEFAULT_TEXT_ID = "kjv-genesis-1-4"
DEFAULT_ORDER = 3  # trigram: two words of context
MAX_NEW_TOKENS_LIMIT = 500

_TOKEN_RE = re.compile(r"[A-Za-z]+(?:'[A-Za-z]+)?|[.,;:!?]")
_PUNCT = set(".,;:!?")


def tokenize(text: str) -> list[str]:
    """Words (case kept: 'God', 'LORD') and punctuation marks as separate tokens."""
    return _TOKEN_RE.findall(text)


def detokenize(tokens: list[str]) -> str:
    out = ""
    for tok in tokens:
        out += tok if (tok in _PUNCT or not out) else " " + tok
    return out


def text_sources() -> list[dict]:
    """The shipped texts with their sources (data/texts/sources.json)."""
    return json.loads((TEXTS_DIR / "sources.json").read_text(encoding="utf-8"))


def _text_source(text_id: str) -> dict:
    for row in text_sources():
        if row["id"] == text_id:
            return row
    raise NotFound(f"Unknown text {text_id!r}; shipped texts: {', '.join(r['id'] for r in text_sources())}.")


class NGramModel:
    """Counts of next tokens for every context of 0 … order−1 preceding tokens."""

    def __init__(self, tokens: list[str], order: int = DEFAULT_ORDER):
        if order < 1:
            raise InvalidInput(f"n-gram order must be at least 1, got {order}.")
        if not tokens:
            raise InvalidInput("Cannot train an n-gram model on an empty text.")
        self.order = order
        self.tokens_trained = len(tokens)
        self.counts: dict[tuple[str, ...], Counter] = defaultdict(Counter)
        for i, tok in enumerate(tokens):
            for n in range(order):  # context lengths 0 … order−1
                if i - n < 0:
                    break
                self.counts[tuple(tokens[i - n:i])][tok] += 1
        self.vocab = sorted(self.counts[()])

    def context_used(self, history: list[str]) -> tuple[str, ...]:
        """The longest suffix of the history (≤ order−1 tokens) seen in training."""
        for n in range(min(self.order - 1, len(history)), 0, -1):
            ctx = tuple(history[-n:])
            if ctx in self.counts:
                return ctx
        return ()

    def next_distribution(self, history: list[str]) -> Distribution:
        """MLE next-token probabilities after the history, most probable first."""
        counter = self.counts[self.context_used(history)]
        return make_distribution(sorted(counter.items(), key=lambda kv: (-kv[1], kv[0])))


@lru_cache(maxsize=8)
def load_model(text_id: str = DEFAULT_TEXT_ID, order: int = DEFAULT_ORDER) -> NGramModel:
    """Train (once per process) on a shipped text."""
    if not 1 <= int(order) <= 5:
        raise InvalidInput(f"n-gram order must be between 1 and 5, got {order}.")
    row = _text_source(text_id)
    return NGramModel(tokenize((TEXTS_DIR / row["file"]).read_text(encoding="utf-8")), int(order))


class Step(BaseModel):
    context: list[str]  # the context the model actually used (after backoff)
    candidates: int  # tokens with non-zero probability before the settings
    kept: int  # tokens left after temperature/top-k/top-p
    token: str
    rank: int  # tokens strictly more probable than the chosen one: 0 = a most probable token
    prob_model: float  # the chosen token's probability under the model
    prob_sampled: float  # its probability after the settings (what it was drawn with)


class Generation(BaseModel):
    prompt: str
    text: str  # prompt + continuation
    continuation: str
    new_tokens: list[str]
    steps: list[Step]
    stop_reason: str  # "max_new_tokens", or "stop sequence" (the model has no end-of-text token)
    stop_sequence: str | None = None  # the stop sequence the text reached, kept at its end as HF does

    def distinct_ratio(self) -> float:
        """Distinct new tokens ÷ new tokens: low when decoding loops, high when it wanders."""
        return len(set(self.new_tokens)) / max(1, len(self.new_tokens))


def generate(
    prompt: str,
    *,
    max_new_tokens: int = 40,
    temperature: float = 1.0,
    top_k: int | None = None,
    top_p: float = 1.0,
    seed: int | None = 0,
    text_id: str = DEFAULT_TEXT_ID,
    order: int = DEFAULT_ORDER,
    do_sample: bool = True,
    stop_sequences: tuple[str, ...] = (),
) -> Generation:
    """Continue the prompt one token at a time, drawing each from the transformed n-gram distribution.

    Generation ends after ``max_new_tokens`` or as soon as the continuation's text ends with one of
    ``stop_sequences`` (Hugging Face ``stop_strings``/``StopStringCriteria``: the stop text stays in the output).
    """
    validate_settings(temperature, top_k, top_p)
    if isinstance(max_new_tokens, bool) or int(max_new_tokens) != max_new_tokens or not (
        1 <= int(max_new_tokens) <= MAX_NEW_TOKENS_LIMIT
    ):
        raise InvalidInput(f"max new tokens must be a whole number from 1 to {MAX_NEW_TOKENS_LIMIT}, got {max_new_tokens!r}.")
    model = load_model(text_id, order)
    history = tokenize(prompt or "")
    rng = np.random.default_rng(seed)
    stops = tuple(s for s in (x.strip() for x in stop_sequences) if s)
    new_tokens: list[str] = []
    steps: list[Step] = []
    reached: str | None = None
    for _ in range(int(max_new_tokens)):
        ctx = model.context_used(history)
        dist = model.next_distribution(history)
        t = transform(dist, temperature=temperature, top_k=top_k, top_p=top_p, do_sample=do_sample)
        idx = int(np.argmax(t.final)) if t.greedy else int(rng.choice(len(t.final), p=np.asarray(t.final)))
        token = dist.tokens[idx]
        steps.append(
            Step(context=list(ctx), candidates=len(dist.tokens), kept=t.kept_count, token=token, rank=sum(q > dist.probs[idx] for q in dist.probs),
                 prob_model=dist.probs[idx], prob_sampled=t.final[idx])
        )
        new_tokens.append(token)
        history.append(token)
        text_so_far = detokenize(new_tokens)
        reached = next((s for s in stops if text_so_far.endswith(s)), None)
        if reached is not None:
            break
    continuation = detokenize(new_tokens)
    prompt_text = detokenize(tokenize(prompt or ""))
    joiner = "" if not prompt_text or (new_tokens and new_tokens[0] in _PUNCT) else " "
    return Generation(
        prompt=prompt or "", text=(prompt_text + joiner + continuation).strip(), continuation=continuation,
        new_tokens=new_tokens, steps=steps, stop_reason="stop sequence" if reached else "max_new_tokens",
        stop_sequence=reached,
    )


class GenerationSetup(Setup):
    """Generation settings applied to a small real language model, next to greedy decoding."""

    prompt: str = Field("And God said", max_length=500)
    max_new_tokens: int = Field(40, ge=1, le=MAX_NEW_TOKENS_LIMIT)
    temperature: float = Field(1.0, ge=0, le=100)
    top_k: int | None = Field(None, ge=1, le=MAX_VOCAB_TOKENS)
    top_p: float = Field(1.0, gt=0, le=1)
    seed: int = Field(0, ge=0, le=2**32 - 1)
    order: int = Field(DEFAULT_ORDER, ge=2, le=4)
    text_id: str = Field(DEFAULT_TEXT_ID, max_length=100)
    do_sample: bool = True  # False: greedy decoding (random sampling off)
    stop_sequences: tuple[Annotated[str, Field(min_length=1, max_length=50)], ...] = Field((), max_length=8)


class GenerationComparison(Result):
    sampled: Generation  # with the setup's settings
    greedy: Generation  # temperature 0, for comparison
    tokens_trained: int  # words the n-gram model was trained on
    vocabulary: int
    source: dict  # the training text's title, licence and source


@lru_cache(maxsize=128)
def generation_comparison(setup: GenerationSetup) -> GenerationComparison:
    """The generation calculator: the prompt continued with the setup's settings and greedily."""
    common = {"max_new_tokens": setup.max_new_tokens, "text_id": setup.text_id, "order": setup.order,
              "stop_sequences": setup.stop_sequences}
    model = load_model(setup.text_id, setup.order)
    return GenerationComparison(
        sampled=generate(setup.prompt, temperature=setup.temperature, top_k=setup.top_k, top_p=setup.top_p,
                         seed=setup.seed, do_sample=setup.do_sample, **common),
        greedy=generate(setup.prompt, temperature=0.0, top_k=None, top_p=1.0, seed=0, **common),
        tokens_trained=model.tokens_trained, vocabulary=len(model.vocab), source=_text_source(setup.text_id))
