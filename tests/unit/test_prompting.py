"""Prompt builder and in-context learning budget, counted with the shipped GPT-2 BPE."""

import json
import math
from pathlib import Path

import pytest

from lifecycle.errors import InvalidInput
from lifecycle.models.prompting import (
    ESTIMATE_ERROR,
    Example,
    PromptBudgetSetup,
    build_prompt,
    count_tokens,
    gpt2_token_count,
    gpt2_tokenizer,
    parse_examples,
    prompt_budget,
    prompt_budget_of,
)
from lifecycle.models.ref import ModelRef

REFERENCE = json.loads((Path(__file__).parents[1] / "data" / "gpt2_reference_tokens.json").read_text())
REVIEWS = [Example(input="I loved this DVD!", output="Positive"),
           Example(input="I don't like this chair.", output="Negative")]


@pytest.mark.parametrize("row", REFERENCE["rows"], ids=lambda r: r["text"][:20] or "empty")
def test_shipped_tokenizer_gives_the_reference_gpt2_ids(row):
    assert gpt2_tokenizer().encode(row["text"]).ids == row["ids"]
    assert gpt2_token_count(row["text"]) == row["tokens"]


def test_hello_world_is_the_well_known_two_gpt2_tokens():
    assert gpt2_tokenizer().encode("Hello world").ids == [15496, 995]


def test_zero_one_and_few_shot_prompts_follow_the_classic_pattern():
    zero = build_prompt("Classify this review:", "Who would use this product?", REVIEWS, shots=0)
    assert zero == "Classify this review:\nWho would use this product?\nSentiment:"
    one = build_prompt("Classify this review:", "Who would use this product?", REVIEWS, shots=1)
    assert one == "Classify this review:\nI loved this DVD!\nSentiment: Positive\n\n" + zero
    few = build_prompt("Classify this review:", "Who would use this product?", REVIEWS)
    assert few.count("Sentiment:") == 3 and few.endswith(zero)


def test_budget_rows_count_the_exact_prompts():
    budget = prompt_budget_of("Classify this review:", "Who would use this product?", REVIEWS,
                           model_id="gpt2-small", context_tokens=1024, output_tokens=5)
    assert [r.shots for r in budget.rows] == [0, 1, 2]
    for row in budget.rows:
        assert row.tokens == gpt2_token_count(row.prompt) == row.planned_tokens
    assert budget.exact
    assert budget.rows[0].tokens + sum(budget.example_tokens) == budget.rows[-1].tokens
    assert budget.room_left_tokens == 1024 - 5 - budget.rows[-1].tokens


def test_examples_that_fit_stop_exactly_at_the_context_window_minus_the_output():
    base = prompt_budget_of("Classify this review:", "Who would use this product?", REVIEWS,
                         model_id="gpt2-small", context_tokens=1024, output_tokens=5)
    full = base.rows[-1].tokens
    exactly = prompt_budget_of("Classify this review:", "Who would use this product?", REVIEWS,
                            model_id="gpt2-small", context_tokens=full + 5, output_tokens=5)
    assert exactly.max_examples_given_fit == 2 and exactly.room_left_tokens == 0
    short = prompt_budget_of("Classify this review:", "Who would use this product?", REVIEWS,
                          model_id="gpt2-small", context_tokens=full + 4, output_tokens=5)
    assert short.max_examples_given_fit == 1 and not short.rows[-1].fits
    typical = (1024 - 5 - base.rows[0].tokens) // (sum(base.example_tokens) / 2)
    assert base.max_examples_typical_fit == typical


def test_models_sharing_gpt2_bpe_are_exact_with_their_special_tokens():
    text = "Classify this review:\nI loved this DVD!\nSentiment:"
    n = gpt2_token_count(text)
    assert count_tokens(text, "gpt-j-6b").tokens == n
    assert count_tokens(text, "roberta-base").tokens == n + 2  # <s> … </s>
    assert count_tokens(text, "opt-1.3b").tokens == n + 1  # </s> as BOS


def test_other_models_get_a_labelled_estimate_and_the_budget_plans_for_its_high_end():
    count = count_tokens("Classify this review: I loved this DVD! Sentiment:", "llama-2-7b")
    assert not count.exact and "estimate" in count.note
    assert count.high == math.ceil(count.tokens * (1 + ESTIMATE_ERROR))
    budget = prompt_budget_of("Classify this review:", "Who would use this product?", REVIEWS,
                           model_id="llama-2-7b", context_tokens=4096, output_tokens=100)
    assert not budget.exact
    assert all(r.planned_tokens == math.ceil(r.tokens * 1.25) for r in budget.rows)


def test_encoder_decoder_output_does_not_use_the_input_window():
    shared = prompt_budget_of("Summarize:", "a long text", [], model_id="t5-base", context_tokens=512, output_tokens=200)
    separate = prompt_budget_of("Summarize:", "a long text", [], model_id="t5-base", context_tokens=512,
                             output_tokens=600, shares_window=False)
    assert separate.room_left_tokens - shared.room_left_tokens > 0


@pytest.mark.parametrize("kwargs, message", [
    ({"instruction": " ", "query": "x"}, "instruction"),
    ({"instruction": "Classify:", "query": ""}, "input"),
    ({"instruction": "Classify:", "query": "x", "output_tokens": 1024}, "Output tokens"),
    ({"instruction": "Classify:", "query": "x", "context_tokens": 0}, "context window"),
    ({"instruction": "Classify:", "query": "x" * 600_000}, "limit"),
])
def test_bad_inputs_are_refused_with_a_clear_message(kwargs, message):
    args = {"examples": REVIEWS, "model_id": "gpt2-small", "context_tokens": 1024, "output_tokens": 5} | kwargs
    with pytest.raises(InvalidInput, match=message):
        prompt_budget_of(args.pop("instruction"), args.pop("query"), args.pop("examples"), **args)


def test_more_shots_than_examples_is_refused():
    with pytest.raises(InvalidInput):
        build_prompt("Classify:", "x", REVIEWS, shots=3)


def test_counting_many_long_prompts_reads_the_tokenizer_file_once(monkeypatch):
    """Bounded work, not a stopwatch: the BPE file is parsed once per process, however many prompts are counted
    (the speed itself is measured by benchmarks/token_count.py)."""
    from tokenizers import Tokenizer

    loads = []
    real = Tokenizer.from_file
    monkeypatch.setattr(Tokenizer, "from_file", lambda path: loads.append(path) or real(path))
    gpt2_tokenizer.cache_clear()
    try:
        sentence = "The checkout page returns a 500 error for every customer."
        counts = [gpt2_token_count(" ".join([sentence] * n)) for n in (1, 10, 500)]
    finally:
        gpt2_tokenizer.cache_clear()  # the next caller loads the real, unpatched one
    assert len(loads) == 1
    # Joined by a space, every sentence after the first starts with " The" (one token, as "The" is).
    assert counts == [counts[0], 10 * counts[0], 500 * counts[0]]


def test_the_calculator_uses_the_models_window_and_parses_examples_as_the_app_does():
    examples = tuple(parse_examples("I loved this DVD! | Positive\nBroke after a day | Negative\n\n"))
    setup = PromptBudgetSetup(model=ModelRef.catalog("gpt2-small"), instruction="Classify this review:",
                              query="Who would use this product?", examples=examples, output_label="Sentiment",
                              output_tokens=5)
    budget = prompt_budget(setup)
    assert budget.context_tokens == 1024 and budget.output_tokens == 5 and len(budget.rows[-1].prompt) > 0
    assert budget == prompt_budget_of(setup.instruction, setup.query, list(examples), model_id="gpt2-small",
                                      context_tokens=1024, output_tokens=5, output_label="Sentiment")


@pytest.mark.parametrize("text, message", [("no separator here", "no '|'"), (" | only an output", "both sides")])
def test_example_lines_that_cannot_be_read_say_which_line(text, message):
    with pytest.raises(InvalidInput, match=message):
        parse_examples(text)


def test_an_output_as_long_as_the_window_is_refused_by_the_setup():
    with pytest.raises(InvalidInput, match="context window"):
        PromptBudgetSetup(model=ModelRef.catalog("gpt2-small"), output_tokens=1024)
