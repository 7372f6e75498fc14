"""The adaptation path sizes what the team said (issue 24): its examples × tokens × epochs, its GPUs and precision,
the micro-batch and checkpointing that fit, the same GPU count as Memory & GPUs, and "does not fit — would fit
with …" instead of "0 ms / $0"."""

from __future__ import annotations

import pytest

from lifecycle.adapt.advice import AdaptationSetup, adaptation_advice
from lifecycle.adapt.path import single_model_setup, size_option
from lifecycle.memory.plan import training_plan
from lifecycle.models.architecture import flop_parameter_count
from lifecycle.models.catalog import get_model
from lifecycle.models.gpus import get_gpu
from lifecycle.models.ref import ModelRef

CODE_REVIEW = {"tasks": ("text-generation",), "data_available": "thousands", "model": ModelRef.catalog("llama-2-7b"),
               "gpu": "l4", "seq_len": 3000, "micro_batch": 4, "epochs": 2.0, "training_examples": 50_000,
               "tokens_per_example": 3000, "gpus": 4, "precision": "amp_bf16"}


def _options(**changes):
    return {o.id: o for o in adaptation_advice(AdaptationSetup(**{**CODE_REVIEW, **changes})).options}


def test_the_teams_examples_tokens_and_epochs_are_trained_not_the_thousands_bucket():
    """Hu et al. 2021 §4.2: a LoRA step costs 4·N model FLOPs per token (frozen base: no weight gradients); the
    2·N a checkpointed run recomputes are hardware FLOPs, outside MFU's numerator (Chowdhery et al. 2022, App. B)."""
    lora = _options()["lora"].sizing
    n = flop_parameter_count(get_model("llama-2-7b").shape)  # no input-embedding lookup (Kaplan et al. 2020 §2.1)
    assert n == get_model("llama-2-7b").params - 32000 * 4096
    per_token = 4
    assert lora.examples == 50_000  # not the 5,000 of "thousands"
    assert lora.flops == pytest.approx(per_token * n * 50_000 * 3000 * 2.0, rel=1e-12)
    assert lora.run_gpus == 4 and lora.seconds > 0 and lora.cost_usd > 0


def test_the_gpu_count_is_the_one_memory_and_gpus_finds_for_the_same_setup():
    for option in ("lora", "qlora", "full"):
        s = _options()[option].sizing
        setup = single_model_setup(option, ModelRef.catalog("llama-2-7b"), get_gpu("l4"), seq=3000,
                                   batch=s.micro_batch, precision="amp_bf16", grad_checkpointing=s.grad_checkpointing)
        assert training_plan(setup).min_gpus == s.gpus, option


def test_micro_batch_one_and_checkpointing_are_tried_before_giving_up():
    fixed = size_option("lora", "llama-2-7b", "l4", seq=3000, batch=4, grad_checkpointing=False, gpus=1)
    searched = size_option("lora", "llama-2-7b", "l4", seq=3000, batch=4, gpus=1)
    assert not fixed.fits and searched.fits
    assert (searched.micro_batch, searched.grad_checkpointing) != (4, False)


def test_an_option_that_does_not_fit_says_what_would_fit_and_is_not_priced_at_zero():
    full = _options()["full"]
    assert not full.sizing.fits and full.sizing.gpus > 4
    assert any(r.startswith("Does not fit on your 4 GPU(s)") and "would fit with" in r for r in full.reasons)
    nowhere = size_option("full", "llama-2-70b", "t4", seq=4096, examples=1000, gpus=2)
    assert nowhere.would_fit


def test_the_recommendation_steps_down_to_an_option_that_fits_the_teams_gpus():
    advice = adaptation_advice(AdaptationSetup(**{**CODE_REVIEW, "domain": "code", "data_available": "billions"}))
    assert advice.path[-1] == "full" and advice.primary == "lora"
    assert any("Full fine-tuning does not fit on 4 GPU(s)" in r for r in advice.reasons)


def test_an_encoder_classifier_is_sized_with_its_labels():
    three = size_option("full", "bert-base-uncased", "t4", seq=256, examples=1000, head="token-cls", num_labels=3)
    many = size_option("full", "bert-base-uncased", "t4", seq=256, examples=1000, head="token-cls", num_labels=5000)
    assert many.required_bytes_per_gpu > three.required_bytes_per_gpu


def test_a_saved_adaptation_scenario_shows_the_teams_data_and_the_chosen_options_cost():
    from lifecycle.records.key_figures import scenario_inputs, scenario_results
    from lifecycle.records.scenarios import make_scenario

    s = make_scenario(AdaptationSetup(**CODE_REVIEW), name="code review")
    inputs, results = scenario_inputs(s), scenario_results(s)
    assert (inputs["training_examples"], inputs["tokens_per_example"], inputs["epochs"], inputs["gpus"]) == (
        50_000, 3000, 2.0, 4)
    lora = _options()["lora"].sizing
    assert results["recommended"] == "lora" and results["cost_usd"] == lora.cost_usd and results["gpus"] == lora.gpus


def test_the_prompt_budget_keeps_room_for_inputs_as_long_as_the_projects():
    """The sample query stands for the team's inputs: when those are longer, that many tokens stay free."""
    from lifecycle.models.prompting import PromptBudgetSetup, count_tokens, prompt_budget

    base = PromptBudgetSetup(model=ModelRef.catalog("llama-2-7b"), instruction="Review this diff:", query="x = 1",
                             output_tokens=124)
    query = count_tokens("x = 1", "llama-2-7b").tokens
    plain, long = prompt_budget(base), prompt_budget(base.vary(input_tokens=900))
    assert long.input_reserve_tokens == 900 - query
    assert plain.room_left_tokens - long.room_left_tokens == 900 - query
    assert prompt_budget(base.vary(input_tokens=1)).input_reserve_tokens == 0  # shorter than the sample: nothing kept


def test_stated_examples_answer_the_data_question_when_the_bucket_is_unset():
    """A team that states 50,000 examples × 3,000 tokens but left "labelled data available" empty is not told it has
    no labelled data (issue 24): 500+ examples is the "thousands" advice (LoRA; Hu et al. 2021 fine-tune on a few
    thousand), a billion tokens of them the continued pre-training scale, under 500 the few-shot one."""
    from lifecycle.adapt.advice import implied_data_available

    advice = adaptation_advice(AdaptationSetup(**{**CODE_REVIEW, "data_available": None}))
    assert advice.path != ["prompting"] and not any("No labelled data" in r for r in advice.reasons)
    assert any("Thousands of labelled examples" in r for r in advice.reasons)
    assert implied_data_available(None, 3000) is None and implied_data_available(0, 3000) is None
    assert implied_data_available(499, 100) == "few" and implied_data_available(500, 100) == "thousands"
    assert implied_data_available(400_000, 2500) == "billions"  # 1e9 tokens
    # an answer the team gave wins over the count
    stated = adaptation_advice(AdaptationSetup(**{**CODE_REVIEW, "data_available": "few"}))
    assert any("A few labelled examples" in r for r in stated.reasons)
