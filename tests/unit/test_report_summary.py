"""The report's summary sentences, each part read back: the number is parsed out of the sentence and compared with
the Result field it states (within the three significant figures the formatter prints), so a sentence that prints
the wrong field (time to first token showing the request latency) or a verdict that compares seconds with
milliseconds fails here. The fields come from the calculators through ``make_scenario``; nothing is recomputed."""

from __future__ import annotations

import re

import pytest

from lifecycle.memory.setup import InferenceSetup, TrainingSetup
from lifecycle.models.ref import ModelRef
from lifecycle.records.plan import choose_scenario
from lifecycle.records.project import Project
from lifecycle.records.scenarios import make_scenario
from lifecycle.reports.summary import (
    executive_summary,
    key_risks,
    plan_facts,
    serving_phrase,
    training_phrase,
    unchosen_note,
)
from lifecycle.scaling.pretraining import PretrainingSetup
from lifecycle.serving.plan import ServingSetup

DURATION = {"ms": 1e-3, "s": 1.0, "min": 60.0, "h": 3600.0, "days": 86_400.0, "years": 365.25 * 86_400}
BYTES = {"TB": 1e12, "GB": 1e9, "MB": 1e6, "kB": 1e3, "bytes": 1.0}
COUNT = {"T": 1e12, "B": 1e9, "M": 1e6, "k": 1e3, "": 1.0}
NUMBER = r"([0-9][0-9,]*(?:\.[0-9]+)?(?:e[+-]?[0-9]+)?)"


class Printed(float):
    """A number read from a sentence, equal to a field when the field rounds to what was printed: within half a unit
    of the last digit shown ("55.6 ms": ±0.05 ms; "$0.00016": ±$0.000005)."""

    def __new__(cls, text: str, unit: float = 1.0):
        mantissa, _, exponent = text.replace(",", "").partition("e")
        decimals = len(mantissa.partition(".")[2]) - int(exponent or 0)
        self = super().__new__(cls, float(text.replace(",", "")) * unit)
        self.tolerance = 0.5 * 10.0 ** -decimals * unit * (1 + 1e-9)
        return self

    def __eq__(self, field):
        return abs(float(self) - field) <= self.tolerance

    __hash__ = float.__hash__


def duration_s(text: str) -> Printed:
    value, unit = re.fullmatch(NUMBER + r" (ms|s|min|h|days|years)", text).groups()
    return Printed(value, DURATION[unit])


def bytes_(text: str) -> Printed:
    value, unit = re.fullmatch(NUMBER + r" (TB|GB|MB|kB|bytes)", text).groups()
    return Printed(value, BYTES[unit])


def count(text: str) -> Printed:
    value, suffix = re.fullmatch(NUMBER + r"(T|B|M|k|)", text).groups()
    return Printed(value, COUNT[suffix])


def money(text: str) -> Printed:
    value, suffix = re.fullmatch(r"\$" + NUMBER + r"(M|k|)", text).groups()
    return Printed(value, {"M": 1e6, "k": 1e3, "": 1.0}[suffix])


def parts(sentence: str, name: str) -> list[str]:
    tail = f" (scenario “{name}”)"
    assert sentence.endswith(tail)
    return sentence[: -len(tail)].split("; ")


def _serving(model="llama-2-7b", **kw):
    setup = ServingSetup(model=ModelRef.catalog(model), **{"gpu": "h100-80gb", **kw})
    return make_scenario(setup, name="serve it")


# A decoder where the time to first token (prefill, split over 4 GPUs) and the request latency differ tenfold.
DECODER = {"gpus": 4, "concurrent_sequences": 8, "prompt_tokens": 2048, "new_tokens": 512}


def _states_memory_per_gpu(phrase, r):
    used, capacity = re.fullmatch(r"(.+) of (.+) per GPU", phrase).groups()
    assert bytes_(used) == r.memory_total_bytes
    assert bytes_(capacity) == r.gpu_memory_bytes


def test_the_decoder_serving_sentence_states_each_field_it_names():
    s = _serving(**DECODER)
    r = s.result
    assert r.request_latency_s > 5 * r.prefill_s  # so printing one for the other cannot pass
    gpus, memory, decode, ttft, latency, cost = parts(serving_phrase(s, None), s.name)
    assert gpus == "4 × NVIDIA H100 SXM 80GB at bf16"
    _states_memory_per_gpu(memory, r)
    rate = re.fullmatch(r"decode (.+) tokens/s \(all sequences\)", decode).group(1)
    assert count(rate) == r.decode_tokens_per_s
    assert duration_s(ttft.removeprefix("time to first token ")) == r.prefill_s
    assert duration_s(latency.removeprefix("request latency ")) == r.request_latency_s
    per_million = cost.removesuffix(" per 1M output tokens")
    assert money(per_million) == r.cost_per_million_output_tokens_usd


def _verdict(s, target_ms):
    latency = next(p for p in parts(serving_phrase(s, target_ms), s.name) if p.startswith("request latency"))
    verdict, target = re.fullmatch(r"request latency .+ \((within|over) the p95 target of (.+)\)", latency).groups()
    assert duration_s(target) == target_ms / 1e3  # the target printed in its own unit
    return verdict


@pytest.mark.parametrize("setup", [DECODER, {"model": "bert-base-uncased", "precision": "bf16",
                                             "concurrent_sequences": 16, "prompt_tokens": 512, "new_tokens": 0}],
                         ids=["decoder", "encoder"])
def test_the_p95_verdict_compares_the_latency_with_the_target_in_milliseconds(setup):
    s = _serving(**setup)
    p95_ms = s.result.p95_latency_s * 1000
    assert s.result.p95_latency_s == s.result.request_latency_s  # static batch: every request finishes with it
    assert _verdict(s, p95_ms) == "within"  # exactly at the target is within it
    assert _verdict(s, p95_ms * 1.0001) == "within"
    assert _verdict(s, p95_ms * 0.9999) == "over"
    assert _verdict(s, p95_ms * 1000) == "within"  # a target in seconds' worth of milliseconds is still met
    assert _verdict(s, p95_ms / 1000) == "over"


def test_the_encoder_serving_sentence_states_requests_not_tokens():
    s = _serving("bert-base-uncased", precision="bf16", concurrent_sequences=16, prompt_tokens=512, new_tokens=0)
    r = s.result
    gpus, memory, rate, latency, cost = parts(serving_phrase(s, None), s.name)
    assert gpus == "1 × NVIDIA H100 SXM 80GB at bf16"
    _states_memory_per_gpu(memory, r)
    per_replica = re.fullmatch(r"(.+) requests/s per replica", rate).group(1)
    assert count(per_replica) == r.requests_per_s
    assert duration_s(latency.removeprefix("request latency ")) == r.request_latency_s
    assert money(cost.removesuffix(" per 1,000 requests")) == r.cost_per_thousand_requests_usd


def test_the_memory_only_serving_sentence_states_tensor_parallel_and_the_per_gpu_memory():
    setup = InferenceSetup(model=ModelRef.catalog("llama-2-7b"), tp=2, gpu="a100-80gb")
    s = make_scenario(setup, name="memory only")
    tp, memory = parts(serving_phrase(s, 500.0), s.name)
    assert tp == "tensor parallel 2 × NVIDIA A100 SXM4 80GB"
    assert bytes_(memory.removesuffix(" per GPU")) == s.result.estimate.required_bytes
    without_gpu = make_scenario(InferenceSetup(model=ModelRef.catalog("llama-2-7b"), tp=2), name="no gpu")
    assert parts(serving_phrase(without_gpu, None), "no gpu")[0] == "tensor parallel 2"


def test_the_training_sentence_states_each_field_it_names():
    setup = TrainingSetup(model=ModelRef.catalog("llama-2-7b"), method="lora", precision="amp_bf16", gpu="a100-80gb",
                          gpus=2, strategy="ddp", training_tokens=1e9)
    s = make_scenario(setup, name="lora run")
    t, est = s.result.time_and_cost, s.result.estimate
    method, gpus, memory, time, hours, cost = parts(training_phrase(s), s.name)
    assert method == "LoRA at mixed bf16"
    assert gpus == f"{t.gpus} × NVIDIA A100 SXM4 80GB (DDP)" and t.gpus == 2
    used, capacity = re.fullmatch(r"(.+) of (.+) per GPU", memory).groups()
    assert bytes_(used) == est.required_bytes
    assert bytes_(capacity) == s.result.gpu.memory_bytes
    assert duration_s(time.removeprefix("training time ")) == t.seconds
    assert Printed(hours.removesuffix(" GPU-hours")) == t.gpu_hours
    assert money(cost.removeprefix("cost ")) == t.cost_usd


def test_a_training_plan_that_does_not_fit_says_so_and_gives_no_time():
    setup = TrainingSetup(model=ModelRef.catalog("llama-2-70b"), gpu="a100-40gb", training_tokens=1e9)
    s = make_scenario(setup, name="too big")
    assert s.result.fits is False
    said = parts(training_phrase(s), s.name)
    assert said[-2:] == ["does not fit in GPU memory", "no time or cost (no training tokens or GPU given)"]
    assert said[1].startswith(f"{setup.gpus} × NVIDIA A100")


def test_the_pretraining_sentence_states_the_first_budget_plan():
    setup = PretrainingSetup.with_builtin_laws(("chinchilla1",), budget_amount=1e21, gpu="a100-80gb", gpus=8,
                                               c_min_flops=1e18, c_max_flops=1e24, show_markers=False)
    s = make_scenario(setup, name="our own")
    plan = s.result.budget_plans[0]
    gpus, size, time, cost = parts(training_phrase(s), s.name)
    assert gpus == "8 × NVIDIA A100 SXM4 80GB"
    params, tokens, law = re.fullmatch(r"(.+) parameters on (.+) tokens \((.+)\)", size).groups()
    assert count(params) == plan.params and count(tokens) == plan.tokens
    assert law == plan.law
    assert duration_s(time.removeprefix("training time ")) == plan.days * 86_400
    assert money(cost.removeprefix("cost ")) == plan.cost_usd


def test_the_executive_summary_states_the_chosen_serving_plan_with_the_scope_target_and_the_budget():
    p = Project(name="P")
    p.scope.latency_ms_p95, p.scope.budget_usd = 250.0, 12_500.0
    p.integrate.scenarios.append(_serving(**DECODER))
    p = choose_scenario(p, "serve it")
    facts, _, missing = executive_summary(p)
    said = {f.label: f.value for f in facts}
    s = p.integrate.scenarios[0]
    verdict = "within" if s.result.p95_latency_s <= 0.25 else "over"
    assert said["Serving plan"] == serving_phrase(s, 250.0) and f"({verdict} the p95 target of 250 ms)" in \
        said["Serving plan"]
    assert money(said["Budget"]) == 12_500.0
    assert "No foundation model is chosen (Select)." in missing
    assert "No training scenario is saved (Adapt & Align)." in missing
    assert [f.value for f in plan_facts(p)] == ["", "", "", "“serve it”"]


def test_an_unchosen_stage_lists_five_candidates_and_counts_the_rest():
    p = Project(name="P")
    for i in range(7):
        p.integrate.scenarios.append(make_scenario(InferenceSetup(model=ModelRef.catalog("gpt2-small")), name=f"s{i}"))
    note = unchosen_note(p, "integrate", "serving")
    assert note.startswith("No serving scenario is chosen as the plan (Integrate); candidates: ")
    names = re.findall(r"“(s\d)”", note)
    assert len(names) == 5 and names == sorted(set(names), key=names.index)
    assert note.endswith(" and 2 more — use one as the plan.")
    del p.integrate.scenarios[6:]
    assert unchosen_note(p, "integrate", "serving").endswith("“s4” and 1 more — use one as the plan.")
    del p.integrate.scenarios[5:]
    assert unchosen_note(p, "integrate", "serving") == (
        "No serving scenario is chosen as the plan (Integrate); candidates: " + ", ".join(f"“{n}”" for n in names)
        + " — use one as the plan.")


def test_an_empty_project_lists_everything_missing_in_stage_order():
    facts, risks, missing = executive_summary(Project(name="Empty"))
    assert facts == [] and risks == []
    assert missing[:8] == [
        "The use case is not described (Scope).", "No task is chosen (Scope).",
        "No architecture family is accepted (Scope).", "No foundation model is chosen (Select).",
        "No adaptation path is chosen (Adapt & Align).", "No evaluation target is set (Adapt & Align).",
        "No training scenario is saved (Adapt & Align).", "No serving scenario is saved (Integrate)."]
    assert missing[8:] == [("Not checked (Select): No model is chosen (Select); the chosen scenarios' models stand "
                           "in for it.")]
    assert [(f.label, f.value) for f in plan_facts(Project(name="Empty"))] == [
        ("Scope", ""), ("Select", ""), ("Adapt & Align", ""), ("Integrate", "")]


def test_the_example_summary_states_the_teams_inputs_and_the_chosen_scenarios_in_order():
    from tests.support.example_project import example_project

    p = example_project()
    facts, risks, _ = executive_summary(p)
    said = {f.label: f.value for f in facts}
    assert list(said) == ["Use case", "Tasks", "Architecture family", "Model", "Adaptation path", "Evaluation targets",
                          "Training plan", "Serving plan", "Generation settings", "Budget"]
    assert said["Use case"] == p.scope.use_case and said["Tasks"] == "text-classification, summarization"
    assert said["Architecture family"] == "encoder-decoder"
    assert said["Model"] == "Flan-T5-XL (2.85B parameters, encoder-decoder, licence apache-2.0)"
    assert said["Evaluation targets"] == ("macro-F1 on held-out tickets ≥ 0.85; "
                                          "ROUGE-L on agent-written summaries ≥ 0.35")
    train, serve = (next(s for s in p.stage(k).scenarios if s.id == i)
                    for k, i in (("adapt", p.adapt.training_scenario_id), ("integrate", p.integrate.serving_scenario_id)))
    assert said["Training plan"] == training_phrase(train)
    assert said["Serving plan"] == serving_phrase(serve, 800.0)
    assert said["Generation settings"] == "temperature 0.7, top-p 0.9 (scenario “Summaries: T=0.7, top-p=0.9”)"
    assert said["Budget"] == "$20k"
    assert risks[:4] == [f"{stage}: {p.stage(key).decisions['risks']}" for stage, key in
                         (("Scope", "scope"), ("Select", "select"), ("Adapt & Align", "adapt"),
                          ("Integrate", "integrate"))]
    assert any(r.startswith("Contradiction (Integrate)") and "over the target of 800 ms" in r for r in risks[4:])
    assert key_risks(p) == risks  # on its own it runs the consistency check itself
    assert [(f.label, f.value) for f in plan_facts(p)] == [
        ("Scope", "Encoder-decoder"), ("Select", "Flan-T5-XL"),
        ("Adapt & Align", f"“{train.name}” — LoRA (parameter-efficient fine-tuning)"), ("Integrate", f"“{serve.name}”")]


def test_targets_without_a_threshold_or_dataset_and_lower_is_better_read_as_set():
    from lifecycle.adapt.evaluation import EvalTarget
    from lifecycle.records.plan import GenerationSettings

    p = Project(name="P")
    p.adapt.eval_targets = [EvalTarget(metric="perplexity", threshold=8.5, higher_is_better=False),
                            EvalTarget(metric="human rating")]
    p.integrate.generation = GenerationSettings(temperature=0.2)
    p.select.pretrain_own = True
    said = {f.label: f.value for f in executive_summary(p)[0]}
    assert said["Evaluation targets"] == "perplexity ≤ 8.5; human rating"
    assert said["Generation settings"] == p.integrate.generation.phrase()  # no scenario named: no "(scenario …)"
    assert said["Model"] == "pre-train our own model"
    assert "Budget" not in said
    p.select.model_id = "not-a-catalog-model"
    assert {f.label: f.value for f in executive_summary(p)[0]}["Model"] == "not-a-catalog-model (not in the shipped catalog)"


def test_a_training_plan_without_a_gpu_states_its_memory_alone():
    s = make_scenario(TrainingSetup(model=ModelRef.catalog("llama-2-7b"), method="qlora"), name="no gpu yet")
    assert s.result.gpu is None and s.result.time_and_cost is None
    method, gpus, memory, no_time = parts(training_phrase(s), s.name)
    assert method.startswith("QLoRA ") and gpus == "1 × ? (DDP)"
    assert bytes_(memory.removesuffix(" per GPU")) == s.result.estimate.required_bytes  # no " of …": no GPU to fill
    assert no_time == "no time or cost (no training tokens or GPU given)"


def test_a_target_is_printed_in_the_unit_it_rounds_to():
    s = _serving(**DECODER)
    said = serving_phrase(s, 1000.5)  # 1.0005 s reads "1 s"; a target divided wrongly (by 1,001) would read "1,000 ms"
    assert re.search(r"the p95 target of 1 s\)", said)
    encoder = _serving("bert-base-uncased", precision="bf16", concurrent_sequences=16, prompt_tokens=512, new_tokens=0)
    assert re.search(r"the p95 target of 1 s\)", serving_phrase(encoder, 1000.5))


def test_the_plan_in_four_lines_names_a_model_of_several_words_and_a_training_run_without_a_path():
    p = Project(name="P")
    p.select.pretrain_own = True
    p.adapt.scenarios.append(make_scenario(TrainingSetup(model=ModelRef.catalog("gpt2-small")), name="warm-up"))
    p = choose_scenario(p, "warm-up")  # choosing a run sets its path; a team may clear the path afterwards
    p.adapt.adaptation_path = None
    assert [(f.label, f.value) for f in plan_facts(p)] == [
        ("Scope", ""), ("Select", "pre-train our own model"), ("Adapt & Align", "“warm-up”"), ("Integrate", "")]
