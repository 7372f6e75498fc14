"""Lengths by family: an encoder reads its input only, an encoder-decoder reads an encoder input and writes a
decoder output (each its own length, T5: Raffel et al. 2020, §3.1.2 "inputs" and "targets"), a decoder reads
input + output as one sequence. And an encoder's serving results read in requests, never "0 tokens/s"."""

from __future__ import annotations

from lifecycle.memory.estimate import training_memory
from lifecycle.memory.setup import TrainingSetup
from lifecycle.models.ref import ModelRef
from lifecycle.records.key_figures import (
    request_lengths,
    scenario_inputs,
    scenario_results,
    serving_headline,
)
from lifecycle.records.project import Project
from lifecycle.records.project_facts import project_facts
from lifecycle.records.scenarios import make_scenario
from lifecycle.reports.compare import differences_in_words
from lifecycle.serving.plan import ServingSetup, serving_plan


def _facts(input_tokens: int | None = 300, output_tokens: int | None = 200):
    project = Project(name="Lengths")
    project.scope.input_tokens, project.scope.output_tokens = input_tokens, output_tokens
    return project_facts(project)


def test_an_encoder_reads_the_input_only_and_gets_no_phantom_output():
    facts = _facts(512, 256)
    assert facts.lengths_for("encoder", 512) == (512, None)
    assert facts.serving_lengths_for("encoder", 512) == (512, 0)
    # input + output (768) would pass BERT's 512-token window: a false truncation warning
    setup = TrainingSetup(model=ModelRef.catalog("bert-base-uncased"), head="seq-cls", num_labels=3,
                          seq_len=facts.seq_len_for(512, "encoder"))
    assert not any("longer than the model" in n for n in training_memory(setup).notes)


def test_an_encoder_decoder_takes_the_input_for_its_encoder_and_the_output_for_its_decoder():
    facts = _facts(400, 300)
    assert facts.lengths_for("encoder-decoder", 512) == (400, 300)  # not 700 and 128
    # each side has its own window: the output is not capped at half of it (256) in serving
    assert facts.serving_lengths_for("encoder-decoder", 512) == (400, 300)
    x = TrainingSetup(model=ModelRef.catalog("t5-large"), seq_len=400, target_len=300)
    assert scenario_inputs(make_scenario(x, name="t5"))["encoder_length_tokens"] == 400
    assert scenario_inputs(make_scenario(x, name="t5"))["decoder_length_tokens"] == 300
    assert "seq_len_tokens" not in scenario_inputs(make_scenario(x, name="t5"))


def test_a_decoder_reads_input_and_output_as_one_sequence_and_shares_its_window():
    facts = _facts(300, 200)
    assert facts.lengths_for("decoder", 4096) == (500, None)
    assert facts.serving_lengths_for("decoder", 4096) == (300, 200)
    assert facts.serving_lengths_for("decoder", 400) == (300, 100)  # prompt + new ≤ the window


def test_default_lengths_are_capped_at_the_window_and_stated_ones_are_kept():
    unstated = _facts(None, None)
    assert unstated.lengths_for("decoder", 512) == (512, None)  # 512 + 256 capped
    assert unstated.lengths_for("encoder-decoder", 128) == (128, 128)
    assert _facts(2000, 10).lengths_for("encoder", 512) == (2000, None)  # the calculators then warn


def test_request_lengths_are_named_by_family():
    assert request_lengths("encoder", 128, 0) == {"input_tokens": 128}
    assert request_lengths("encoder-decoder", 400, 300) == {"encoder_input_tokens": 400, "decoder_output_tokens": 300}
    assert request_lengths("decoder", 400, 300) == {"prompt_tokens": 400, "new_tokens": 300}


def _encoder_serving(batch: int):
    setup = ServingSetup(model=ModelRef.catalog("bert-base-uncased"), gpu="t4", precision="fp16",
                         concurrent_sequences=batch, prompt_tokens=256, new_tokens=0, throughput_target_rps=500)
    return make_scenario(setup, result=serving_plan(setup), name=f"batch {batch}")


def test_an_encoders_serving_scenario_reads_in_requests_never_tokens_per_second():
    s = _encoder_serving(32)
    results, inputs = scenario_results(s), scenario_inputs(s)
    assert {"requests_per_s", "p95_latency_s", "replicas_for_throughput", "cost_per_thousand_requests_usd"} <= set(results)
    assert not any("tokens_per_s" in k or "per_million" in k for k in results)
    assert results["replicas_for_throughput"] == -(-500 // results["requests_per_s"])  # ceil(target / rate)
    assert "new_tokens" not in inputs and inputs["input_tokens"] == 256
    words = " ".join(serving_headline(s.result))
    assert "requests/s" in words and "per 1,000 requests" in words and "tokens/s" not in words
    line = differences_in_words([s, _encoder_serving(8)])[0]
    assert "requests/s" in line and "tokens/s" not in line


def test_an_encoder_decoders_two_lengths_reach_compare_and_the_report():
    from lifecycle.reports.build import build_report
    from lifecycle.reports.compare import comparison_table
    from lifecycle.reports.render_md import render_markdown

    a = make_scenario(TrainingSetup(model=ModelRef.catalog("flan-t5-large"), seq_len=400, target_len=300,
                                    gpu="a10g"), name="flan 300")
    b = make_scenario(TrainingSetup(model=ModelRef.catalog("flan-t5-large"), seq_len=400, target_len=128,
                                    gpu="a10g"), name="flan 128")
    rows = {r[0].split(": ")[-1]: r[1:] for r in comparison_table([a, b]).rows}  # "Input: Encoder length"
    assert rows["Encoder length"] == ["400 tokens", "400 tokens"]
    assert rows["Decoder length"] == ["300 tokens", "128 tokens"]
    project = Project(name="Translation")
    project.adapt.scenarios += [a, b]
    text = render_markdown(build_report(project))
    assert "Decoder length" in text and "Encoder length" in text


def test_a_run_that_does_not_fit_has_no_time_and_cost():
    from lifecycle.memory.plan import training_plan

    plan = training_plan(TrainingSetup(model=ModelRef.catalog("llama-2-13b"), gpu="l4", training_tokens=1e9))
    assert plan.fits is False and plan.time_and_cost is None and plan.time_note.startswith("Does not fit on 1 ×")


def test_an_encoder_decoders_largest_input_follows_its_encoder_window_not_the_window_less_the_output():
    setup = ServingSetup(model=ModelRef.catalog("flan-t5-large"), gpu="a10g", precision="bf16",
                         concurrent_sequences=1, prompt_tokens=400, new_tokens=300)
    assert serving_plan(setup).max_context == 512  # T5's encoder reads up to 512 tokens whatever the decoder writes
    decoder = serving_plan(ServingSetup(model=ModelRef.catalog("llama-2-7b"), gpu="a100-80gb", concurrent_sequences=1,
                                        prompt_tokens=400, new_tokens=300))
    assert decoder.max_context == 4096  # prompt + output share the 4,096-token window


def test_will_it_fit_reads_an_encoder_as_one_forward_pass_and_a_decoder_with_its_output():
    from lifecycle.serving.will_it_fit import FitSetup, fit_matrix

    bert = fit_matrix(FitSetup(model=ModelRef.catalog("bert-base-uncased"), gpu="t4", short_context=400, new_tokens=0))
    cell = bert.cell("bf16", "infer_short")
    assert cell.per_gpu_bytes and cell.fits and cell.tokens_per_s is None  # a row, not "—"; no tokens/s
    llama = fit_matrix(FitSetup(model=ModelRef.catalog("llama-2-7b"), gpu="a100-80gb", short_context=1024,
                                new_tokens=124))
    fewer = fit_matrix(FitSetup(model=ModelRef.catalog("llama-2-7b"), gpu="a100-80gb", short_context=1024,
                                new_tokens=1))
    assert llama.cell("bf16", "infer_short").tokens_per_s and fewer.cell("bf16", "infer_short").tokens_per_s
