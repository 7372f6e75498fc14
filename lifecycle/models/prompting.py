"""In-context learning budget: zero-, one- and few-shot prompts, their token counts, and how many
examples fit a model's context window with room left for the output.

Prompts follow the classic pattern (instruction, input, "Label: answer" per example, then the
query with an empty label), as in "Classify this review: I loved this DVD! Sentiment: Positive".
Tokens are counted with the real GPT-2 byte-level BPE shipped in ``data/tokenizers/gpt2`` (exact
for the models listed in its ``models.json``). For any other model the GPT-2 count is an
*estimate* and the budget reserves ``ESTIMATE_ERROR`` on top of it.
"""

from __future__ import annotations

import json
from functools import lru_cache

from pydantic import BaseModel, ConfigDict, Field, model_validator

from lifecycle._typed import Setup
from lifecycle.errors import InvalidInput
from lifecycle.limits import MAX_TOKENS
from lifecycle.models.ref import ModelRef
from lifecycle.resources import data_path

TOKENIZER_DIR = data_path("tokenizers", "gpt2")
# Assumed, not measured: the catalog's other tokenizers (30k-256k vocabularies) split English text
# differently from GPT-2's 50k BPE; the budget treats the GPT-2 count as +-25% and plans for the high end.
ESTIMATE_ERROR = 0.25
ESTIMATE_NOTE = ("estimate: counted with GPT-2's BPE; this model's own tokenizer splits text differently "
                 f"(assumed ±{ESTIMATE_ERROR:.0%} for English, more for other languages), so the budget plans "
                 f"for +{ESTIMATE_ERROR:.0%}")
MAX_PROMPT_CHARS = 500_000
MAX_EXAMPLES = 200


class Example(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    input: str = Field(max_length=MAX_PROMPT_CHARS)
    output: str = Field(max_length=MAX_PROMPT_CHARS)


def parse_examples(text: str) -> list[Example]:
    """One solved example per line: ``input | output`` (the last '|' splits them)."""
    examples = []
    for n, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        if "|" not in line:
            raise InvalidInput(f"Example line {n} has no '|' between the input and the output.")
        inp, out = line.rsplit("|", 1)
        if not inp.strip() or not out.strip():
            raise InvalidInput(f"Example line {n} needs text on both sides of '|'.")
        examples.append(Example(input=inp.strip(), output=out.strip()))
        if len(examples) > MAX_EXAMPLES:
            raise InvalidInput(f"More than {MAX_EXAMPLES} examples; keep the ones that teach the task.")
    return examples


class TokenCount(BaseModel):
    tokens: int  # GPT-2 BPE tokens (+ special tokens for exact models)
    exact: bool
    low: int
    high: int  # what the budget plans for
    tokenizer: str
    note: str


class ShotRow(BaseModel):
    shots: int
    prompt: str
    tokens: int
    planned_tokens: int  # tokens, or the high end of the estimate
    fits: bool


class PromptBudget(BaseModel):
    model_id: str
    context_tokens: int
    output_tokens: int
    exact: bool
    note: str
    rows: list[ShotRow]  # 0-shot, 1-shot, all examples given
    example_tokens: list[int]  # each example block, in tokens
    max_examples_given_fit: int  # how many of the given examples fit (in order)
    max_examples_typical_fit: int = Field(description="how many examples of the given average length would fit")
    room_left_tokens: int  # context left after the largest fitting prompt and the output
    input_reserve_tokens: int = 0  # room kept for real inputs longer than the sample query (the project's length)


@lru_cache(maxsize=1)
def gpt2_tokenizer():
    from tokenizers import Tokenizer

    return Tokenizer.from_file(str(TOKENIZER_DIR / "tokenizer.json"))


@lru_cache(maxsize=1)
def _exact_models() -> dict[str, int]:
    rows = json.loads((TOKENIZER_DIR / "models.json").read_text(encoding="utf-8"))["models"]
    return {row["id"]: row["special_tokens_added"] for row in rows}


def _check_text(text: str) -> str:
    if not isinstance(text, str):
        raise InvalidInput("Prompt text must be a string.")
    if len(text) > MAX_PROMPT_CHARS:
        raise InvalidInput(f"Prompt is {len(text):,} characters; the limit is {MAX_PROMPT_CHARS:,}.")
    return text


def gpt2_token_count(text: str) -> int:
    """Exact GPT-2 BPE token count (no special tokens)."""
    return len(gpt2_tokenizer().encode(_check_text(text)).ids)


def count_tokens(text: str, model_id: str | None = None) -> TokenCount:
    """Tokens of ``text`` for a catalog model: exact for GPT-2-BPE models, a labelled estimate otherwise."""
    base = gpt2_token_count(text)
    special = _exact_models().get(model_id or "gpt2-small")
    if special is not None:
        n = base + special
        return TokenCount(tokens=n, exact=True, low=n, high=n, tokenizer="GPT-2 byte-level BPE (exact)",
                          note=f"exact: {model_id or 'gpt2-small'} uses the GPT-2 BPE"
                          + (f" and adds {special} special token(s)" if special else ""))
    low = int(base * (1 - ESTIMATE_ERROR))
    high = -(-base * (100 + round(ESTIMATE_ERROR * 100)) // 100)  # ceil(base * 1.25) in integers
    return TokenCount(tokens=base, exact=False, low=low, high=high,
                      tokenizer="GPT-2 byte-level BPE (estimate for this model)", note=ESTIMATE_NOTE)


def example_block(instruction: str, example: Example, output_label: str) -> str:
    """One solved example: instruction, input, 'Label: answer', blank line."""
    return f"{instruction.strip()}\n{example.input.strip()}\n{output_label.strip()}: {example.output.strip()}\n\n"


def query_block(instruction: str, query: str, output_label: str) -> str:
    """The item to answer, with an empty label for the model to complete."""
    return f"{instruction.strip()}\n{query.strip()}\n{output_label.strip()}:"


def build_prompt(instruction: str, query: str, examples: list[Example] | tuple = (), *,
                 shots: int | None = None, output_label: str = "Sentiment") -> str:
    """Zero-shot (no examples), one-shot or few-shot prompt from the first ``shots`` examples."""
    if not instruction.strip():
        raise InvalidInput("Write the instruction (e.g. 'Classify this review:').")
    if not query.strip():
        raise InvalidInput("Write the input to classify or answer.")
    if not output_label.strip():
        raise InvalidInput("Write the output label (e.g. 'Sentiment').")
    examples = list(examples)
    k = len(examples) if shots is None else shots
    if k < 0 or k > len(examples):
        raise InvalidInput(f"Asked for {k} examples but {len(examples)} were given.")
    prompt = "".join(example_block(instruction, ex, output_label) for ex in examples[:k])
    return _check_text(prompt + query_block(instruction, query, output_label))


def prompt_budget_of(instruction: str, query: str, examples: list[Example], *, model_id: str,
                  context_tokens: int, output_tokens: int, output_label: str = "Sentiment",
                  shares_window: bool = True, input_tokens: int | None = None) -> PromptBudget:
    """Token counts of the 0/1/k-shot prompts and how many examples fit ``context_tokens``
    with ``output_tokens`` reserved for the answer. In a decoder prompt and output share one window;
    an encoder-decoder (``shares_window=False``) writes its output in the decoder, outside the input window."""
    if context_tokens <= 0:
        raise InvalidInput("The context window must be positive.")
    if output_tokens < 0 or (shares_window and output_tokens >= context_tokens):
        raise InvalidInput(f"Output tokens ({output_tokens}) must be between 0 and the context window ({context_tokens}).")
    zero = build_prompt(instruction, query, examples, shots=0, output_label=output_label)
    zero_count = count_tokens(zero, model_id)
    factor = 1.0 if zero_count.exact else 1 + ESTIMATE_ERROR
    if len(examples) > MAX_EXAMPLES:
        raise InvalidInput(f"{len(examples)} examples given; the limit is {MAX_EXAMPLES}.")
    # Count every k-shot prompt in one batch and take differences: a block's trailing "\n\n" is one
    # BPE token alone but two before the next block's text, so block counts do not simply add.
    prompts = [build_prompt(instruction, query, examples, shots=k, output_label=output_label)
               for k in range(len(examples) + 1)]
    counts = [len(e.ids) for e in gpt2_tokenizer().encode_batch(prompts)]
    example_tokens = [counts[k + 1] - counts[k] for k in range(len(examples))]
    budget = context_tokens - output_tokens if shares_window else context_tokens
    # The sample query stands for the team's inputs: when they are longer (``input_tokens``), keep that room too.
    reserve = max(0, input_tokens - count_tokens(query, model_id).tokens) if input_tokens else 0
    budget -= reserve

    def planned(n: int) -> int:
        return n if zero_count.exact else -(-int(n * factor * 100) // 100)

    shot_counts = sorted({0, min(1, len(examples)), len(examples)})
    rows = []
    for k in shot_counts:
        prompt = prompts[k]
        n = counts[k] + (zero_count.tokens - counts[0])  # + special tokens of exact models
        rows.append(ShotRow(shots=k, prompt=prompt, tokens=n, planned_tokens=planned(n), fits=planned(n) <= budget))
    used, fit = zero_count.tokens, 0
    for n in example_tokens:
        if planned(used + n) > budget:
            break
        used, fit = used + n, fit + 1
    mean = sum(example_tokens) / len(example_tokens) if example_tokens else 0.0
    free = budget / factor - zero_count.tokens
    typical = int(free // mean) if mean > 0 and free > 0 else 0
    return PromptBudget(
        model_id=model_id, context_tokens=context_tokens, output_tokens=output_tokens, exact=zero_count.exact,
        note=zero_count.note, rows=rows, example_tokens=example_tokens, max_examples_given_fit=fit,
        max_examples_typical_fit=typical, room_left_tokens=budget - planned(used), input_reserve_tokens=reserve,
    )


class PromptBudgetSetup(Setup):
    """A zero/one/few-shot prompt for ``model``, with ``output_tokens`` left for the answer."""

    model: ModelRef
    instruction: str = Field("", max_length=MAX_PROMPT_CHARS)
    query: str = Field("", max_length=MAX_PROMPT_CHARS)
    examples: tuple[Example, ...] = Field((), max_length=MAX_EXAMPLES)
    output_label: str = Field("Answer", max_length=200)
    output_tokens: int = Field(5, ge=0, le=MAX_TOKENS)
    input_tokens: int | None = Field(None, ge=0, le=MAX_TOKENS)  # the project's typical input: room kept for it

    @model_validator(mode="after")
    def _output_fits(self) -> PromptBudgetSetup:
        if self.shares_window and self.output_tokens >= self.model.max_context:
            raise ValueError(f"output tokens ({self.output_tokens:,}) must be below {self.model.name}'s context window "
                             f"({self.model.max_context:,} tokens)")
        return self

    @property
    def shares_window(self) -> bool:
        """A decoder writes its output into the same window as the prompt; an encoder-decoder's decoder does not."""
        return self.model.family != "encoder-decoder"


@lru_cache(maxsize=64)
def prompt_budget(setup: PromptBudgetSetup) -> PromptBudget:
    """The prompt-budget calculator: tokens of the 0/1/k-shot prompts and how many examples fit."""
    return prompt_budget_of(setup.instruction, setup.query, list(setup.examples), model_id=setup.model.id,
                            context_tokens=setup.model.max_context, output_tokens=setup.output_tokens,
                            output_label=setup.output_label, shares_window=setup.shares_window,
                            input_tokens=setup.input_tokens)
