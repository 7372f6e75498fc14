"""Every calculator page shows the numbers its one domain function computes for the same Setup.

Each test sets real widgets to values away from their defaults (so an ignored or swapped widget changes
the answer), builds the Setup the page should have built, calls the domain function, and compares what is
on the screen with the Result through the same formatter (``lifecycle.display``), as Streamlit's own
``st.metric`` tests assert the value shown. Widgets the test leaves alone are read back from the page.
"""

from __future__ import annotations

import pytest

from lifecycle.adapt.advice import AdaptationSetup, adaptation_advice
from lifecycle.display import format_bytes, format_duration, format_money, format_number, format_rate
from lifecycle.memory.plan import inference_plan, training_plan
from lifecycle.memory.setup import InferenceSetup, TrainingSetup
from lifecycle.models.advice import ArchitectureSetup, architecture_advice
from lifecycle.models.catalog import get_model
from lifecycle.models.prompting import PromptBudgetSetup, parse_examples, prompt_budget
from lifecycle.models.ref import ModelRef
from lifecycle.scaling.pretrain_advice import PretrainDecisionSetup, pretrain_decision
from lifecycle.scaling.pretraining import PretrainingSetup, pretraining_plan
from lifecycle.serving.plan import ServingSetup, serving_plan
from lifecycle.serving.quantization import QuantizationSetup, quantization_report
from lifecycle.serving.sampling import SamplingSetup, sampling_demo
from tests.support.apptest import ok


def metrics(at) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def value(at, key: str):
    """The current value of the widget with ``key``, whatever its type."""
    for widgets in (at.number_input, at.selectbox, at.multiselect, at.checkbox, at.text_input, at.text_area,
                    at.slider, at.toggle, at.radio):
        for w in widgets:
            if getattr(w, "key", None) == key:
                return w.value
    raise KeyError(key)


def test_memory_gpus_shows_the_training_plan_of_its_widgets(run_page):
    k = "memory_planner_"
    at = ok(run_page("pages/memory_gpus.py"))
    at.selectbox(key=k + "model").set_value("tinyllama-1.1b")
    at.selectbox(key=k + "gpu").set_value("a100-40gb")
    at.selectbox(key=k + "method").set_value("lora").run()
    at.number_input(key=k + "rank").set_value(1024)
    at.number_input(key=k + "batch").set_value(3)
    at.number_input(key=k + "seq").set_value(1536)
    at.number_input(key=k + "gpus").set_value(3)
    at.selectbox(key=k + "strategy").set_value("zero2")
    at.number_input(key=k + "tokens").set_value(2.5e8)
    at.number_input(key=k + "mfu").set_value(0.31)
    ok(at.run())
    setup = TrainingSetup(
        model=ModelRef.of(get_model("tinyllama-1.1b")), precision=value(at, k + "precision"), method="lora",
        optimizer=value(at, k + "optimizer"), optimizer_impl=value(at, k + "impl"), lora_rank=1024,
        lora_targets=tuple(value(at, k + "targets")), micro_batch=3, seq_len=1536, attention=value(at, k + "attention"),
        grad_checkpointing=value(at, k + "ckpt"), gpus=3, strategy="zero2", offload=value(at, k + "offload"),
        tp=value(at, k + "tp"), pp=value(at, k + "pp"), gpu="a100-40gb", training_tokens=2.5e8, mfu=0.31,
        price_usd_per_hour=value(at, k + "price_a100-40gb"))
    plan = training_plan(setup)
    shown = metrics(at)
    assert shown["Peak allocated"] == format_bytes(plan.estimate.peak_allocated_bytes)
    assert shown["Reserved (+ allocator slack)"] == format_bytes(plan.estimate.peak_reserved_bytes)
    assert shown["Needs (+ CUDA context)"] == format_bytes(plan.estimate.required_bytes)
    cost = plan.time_and_cost
    assert cost.gpus == 3  # time and cost use the scenario's own GPU count
    assert shown["Training time"] == format_duration(cost.days * 86_400)
    assert shown["GPU-hours"] == format_number(cost.gpu_hours)
    assert shown["Cost"] == format_money(cost.cost_usd)


def test_serving_memory_shows_the_inference_plan_of_its_widgets(run_page):
    k = "memory_serving_"
    at = ok(run_page("pages/serving_memory.py"))
    at.selectbox(key=k + "model").set_value("mistral-7b-v0.1")
    at.selectbox(key=k + "gpu").set_value("l4")
    at.selectbox(key=k + "i_precision").set_value("int8")
    at.number_input(key=k + "i_batch").set_value(24)
    at.number_input(key=k + "i_prompt").set_value(3000)
    at.number_input(key=k + "i_new").set_value(700)
    ok(at.run())
    plan = inference_plan(InferenceSetup(
        model=ModelRef.of(get_model("mistral-7b-v0.1")), precision="int8", concurrent_sequences=24, prompt_tokens=3000,
        new_tokens=700, tp=value(at, k + "i_tp"), attention=value(at, k + "i_attention"), gpu="l4"))
    shown = metrics(at)
    assert shown["Peak allocated"] == format_bytes(plan.estimate.peak_allocated_bytes)
    assert shown["Needs (+ CUDA context)"] == format_bytes(plan.estimate.required_bytes)


def test_serving_an_encoder_shows_requests_per_second_replicas_and_cost_per_request(run_page):
    k = "serving_plan_"
    at = ok(run_page("pages/serving.py"))
    at.selectbox(key=k + "model").set_value("bert-base-uncased")
    at.selectbox(key=k + "gpu").set_value("l4")
    at.number_input(key=k + "batch").set_value(32)
    at.number_input(key=k + "prompt").set_value(256)
    ok(at.run())
    engine = value(at, k + "engine")
    plan = serving_plan(ServingSetup(
        model=ModelRef.of(get_model("bert-base-uncased")), precision=value(at, k + "precision"), gpu="l4",
        gpus=value(at, k + "gpus"), concurrent_sequences=32, prompt_tokens=256, new_tokens=0, engine=engine,
        bandwidth_efficiency=value(at, f"{k}bw_{engine}"), per_layer_overhead_s=value(at, f"{k}overhead_{engine}") / 1e6,
        prefill_utilisation=value(at, f"{k}util_{engine}"), price_usd_per_hour=value(at, f"{k}price_l4")))
    shown = metrics(at)
    assert shown["Requests per second"] == format_rate(plan.requests_per_s, "requests") != format_rate(plan.requests_per_s)
    assert shown["Replicas for the target"] == "—"  # no throughput target without a project
    assert shown["p95 latency"] == format_duration(plan.p95_latency_s)
    assert shown["Cost per 1,000 requests"] == format_money(plan.cost_per_thousand_requests_usd)
    assert "Decode tokens/s (all sequences)" not in shown


def test_serving_shows_the_serving_plan_of_its_widgets(run_page):
    k = "serving_plan_"
    at = ok(run_page("pages/serving.py"))
    at.selectbox(key=k + "model").set_value("llama-13b")
    at.selectbox(key=k + "precision").set_value("int4")
    at.selectbox(key=k + "gpu").set_value("a10g")
    at.number_input(key=k + "gpus").set_value(2)
    at.number_input(key=k + "batch").set_value(9)
    at.number_input(key=k + "prompt").set_value(1500)
    at.number_input(key=k + "new").set_value(300)
    at.selectbox(key=k + "kv_dtype").set_value("fp8")
    ok(at.run())
    engine = value(at, k + "engine")
    plan_setup = ServingSetup(
        model=ModelRef.of(get_model("llama-13b")), precision="int4", kv_cache_dtype="fp8", gpu="a10g", gpus=2,
        concurrent_sequences=9,
        prompt_tokens=1500, new_tokens=300, engine=engine, bandwidth_efficiency=value(at, f"{k}bw_{engine}"),
        per_layer_overhead_s=value(at, f"{k}overhead_{engine}") / 1e6,
        prefill_utilisation=value(at, f"{k}util_{engine}"), price_usd_per_hour=value(at, f"{k}price_a10g"))
    plan = serving_plan(plan_setup)
    shown = metrics(at)
    assert shown["Time to first token (static batch)"] == format_duration(plan.prefill_s)
    assert shown["Request latency (static batch)"] == format_duration(plan.request_latency_s)
    assert shown["Decode tokens/s (all sequences)"] == format_rate(plan.decode_tokens_per_s)
    assert shown["Largest batch at this context"] == format_number(plan.max_batch)
    assert shown["Cost per 1M tokens (in + out)"] == format_money(plan.cost_per_million_tokens_usd)
    at.number_input(key=k + "arrival_rate").set_value(2.5)
    ok(at.run())
    from lifecycle.serving.batching import BatchingSetup, continuous_batching

    view = continuous_batching(BatchingSetup(serving=plan_setup, arrival_rate_rps=2.5))
    shown = metrics(at)
    assert shown["TTFT p95 (continuous batching)"] == format_duration(view.ttft_p95_s)
    assert shown["Settled batch"] == f"{view.settled_batch:,.1f}"


def test_pretrain_or_adapt_shows_the_decision_of_its_widgets(run_page):
    k = "pretrain_or_adapt_"
    at = ok(run_page("pages/pretrain_or_adapt.py"))
    at.number_input(key=k + "size").set_value(3.0)
    at.number_input(key=k + "tokens").set_value(120.0)
    at.selectbox(key=k + "gpu").set_value("h100-80gb")
    at.number_input(key=k + "gpus").set_value(96)
    at.number_input(key=k + "mfu").set_value(0.37)
    ok(at.run())
    advice = pretrain_decision(PretrainDecisionSetup(
        domain=value(at, k + "domain"), data_available=value(at, k + "data"), budget_usd=value(at, k + "budget"),
        constraints=tuple(value(at, k + "constraints")), target_params=3e9, target_tokens=120e9, gpu="h100-80gb",
        gpus=96, mfu=0.37, price_usd_per_hour=value(at, k + "price_h100-80gb")))
    shown = metrics(at)
    assert shown["Pre-training cost (GPU time)"] == format_money(advice.cost.cost_usd)
    assert shown["Wall clock"] == format_duration(advice.cost.days * 86_400)
    assert shown["GPU-hours"] == format_number(advice.cost.gpu_hours)


def test_pretrain_own_shows_the_plan_for_the_model_it_was_given(run_page):
    k = "pretrain_planner_"
    at = ok(run_page("pages/pretrain_own.py"))
    at.selectbox(key=k + "gpu").set_value("a100-80gb")
    at.number_input(key=k + "gpus").set_value(64)
    at.number_input(key=k + "mfu").set_value(0.42)
    at.number_input(key=k + "n_b").set_value(1.3)
    at.number_input(key=k + "d_b").set_value(260.0)
    ok(at.run())
    from ui.pretrain_planner import _laws

    laws = tuple(law for law in _laws() if law.name in value(at, k + "laws"))
    lo, hi = value(at, k + "range")
    plan = pretraining_plan(PretrainingSetup(
        laws=laws, budget_amount=value(at, k + "amount_FLOPs"), budget_unit="FLOPs", params=1.3e9,
        tokens=260e9, gpu="a100-80gb", gpus=64, mfu=0.42, price_usd_per_hour=value(at, k + "price_a100-80gb"),
        chart=value(at, k + "chart"), c_min_flops=10.0**lo, c_max_flops=10.0**hi, show_markers=value(at, k + "markers")))
    p0 = plan.model_plans[0]
    shown = metrics(at)
    assert shown["Tokens per parameter"] == format_number(p0.tokens_per_param) == "200"
    assert shown["Training time"] == format_duration(p0.days * 86_400)
    assert shown["Cost"] == format_money(p0.cost_usd)


def test_prompt_budget_shows_the_budget_of_its_widgets(run_page):
    k = "prompt_budget_"
    at = ok(run_page("pages/prompt_budget.py"))
    at.selectbox(key=k + "model").set_value("gpt2-small")
    at.number_input(key=k + "output").set_value(300)
    ok(at.run())
    budget = prompt_budget(PromptBudgetSetup(
        model=ModelRef.of(get_model("gpt2-small")), instruction=value(at, k + "instruction"), query=value(at, k + "query"),
        examples=tuple(parse_examples(value(at, k + "examples"))), output_label=value(at, k + "label"),
        output_tokens=300))
    shown = metrics(at)
    assert shown["Context window"] == f"{budget.context_tokens:,} tokens"
    assert shown["Examples of this length that would fit"] == f"{budget.max_examples_typical_fit:,}"


def test_quantization_shows_the_report_of_its_widgets(run_page):
    k = "quantization_demo_"
    at = ok(run_page("pages/quantization.py"))
    at.selectbox(key=k + "model").set_value("llama-13b")
    at.number_input(key=k + "value").set_value(-0.3)
    at.number_input(key=k + "absmax").set_value(2.5)
    ok(at.run())
    report = quantization_report(QuantizationSetup.for_model(ModelRef.of(get_model("llama-13b")), value=-0.3,
                                                             absmax=2.5))
    sizes = at.dataframe[0].value
    assert list(sizes["all weights in this format"]) == [format_bytes(r.weights_bytes) for r in report.formats]
    stored = at.dataframe[1].value
    assert list(stored["stored value"]) == [f"{r.stored:.10g}" for r in report.stored]
    assert list(stored["integer code"]) == ["" if r.code is None else str(r.code) for r in report.stored]


def test_adaptation_path_shows_the_sizing_of_its_widgets(run_page, app_env):
    k = "adaptation_path_"
    project = app_env.create_project("Adapting")
    project.scope.tasks = ["summarization"]
    project.scope.data_available = "thousands"
    project = app_env.save_project(project, author="tester", section="scope")
    at = ok(run_page("pages/adaptation_path.py", project=project))
    at.selectbox(key=k + "model").set_value("t5-large")
    at.selectbox(key=k + "gpu").set_value("a10g")
    at.number_input(key=k + "seq").set_value(700)
    at.number_input(key=k + "batch").set_value(2)
    at.number_input(key=k + "epochs").set_value(3.0)
    at.number_input(key=k + "mfu").set_value(0.25)
    ok(at.run())
    scope = project.scope
    advice = adaptation_advice(AdaptationSetup(
        tasks=tuple(scope.tasks), use_case=scope.use_case, quality_bar=value(at, k + "quality"),
        constraints=tuple(scope.constraints), domain=value(at, k + "domain"), data_available=value(at, k + "data"),
        budget_usd=value(at, k + "budget") or None, input_tokens=scope.input_tokens, output_tokens=scope.output_tokens,
        model=ModelRef.of(get_model("t5-large")), gpu="a10g", seq_len=700, micro_batch=2, epochs=3.0,
        mfu=0.25, price_usd_per_hour=value(at, k + "price_a10g"), target_len=256))  # t5's decoder: default output
    table = at.dataframe[0].value
    options = advice.model_dump()["options"]
    sized = [o for o in options if o.get("sizing")]
    assert len(sized) >= 2, "the recommendation sizes several options"
    by_option = dict(zip(table["option"], zip(table["time"], table["cost"])))
    from lifecycle.adapt.path import get_option

    for option in sized:
        s = option["sizing"]
        priced = (f"{format_duration(s['seconds'])} on {s['run_gpus']}", format_money(s["cost_usd"]))
        # an option that trains nothing or fits nowhere is not priced at "0 ms / $0"
        assert by_option[get_option(option["id"]).name] == (priced if s["gpus"] and s["flops"] else ("—", "—"))
    assert sum(1 for o in sized if o["sizing"]["gpus"] and o["sizing"]["flops"]) >= 2


def test_architecture_shows_the_advice_for_its_tasks(run_page):
    at = ok(run_page("pages/architecture.py"))
    at.multiselect(key="architecture_advice_tasks").set_value(["translation"]).run()
    ok(at)
    rec = architecture_advice(ArchitectureSetup(tasks=("translation",))).recommendation
    assert any(f"Recommended: **{rec.family_name}**" in m.value for m in at.markdown)
    assert rec.family == "encoder-decoder"


@pytest.mark.parametrize("temperature, top_k, top_p", [(0.6, 3, 0.9), (1.7, 0, 0.5)])
def test_generation_shows_the_sampling_of_its_widgets(run_page, temperature, top_k, top_p):
    k = "generation_playground_"
    at = ok(run_page("pages/generation.py"))
    at.number_input(key=k + "temperature").set_value(temperature)
    at.number_input(key=k + "top_k").set_value(top_k)
    at.number_input(key=k + "top_p").set_value(top_p)
    at.number_input(key=k + "seed").set_value(7)
    at.number_input(key=k + "samples").set_value(4321)
    ok(at.run())
    demo = sampling_demo(SamplingSetup.from_text(value(at, k + "dist"), temperature=temperature, top_k=top_k or None,
                                                 top_p=top_p, seed=7, samples=4321))
    t = demo.transformed
    kept = at.dataframe[0].value
    expected = {tok: (round(a, 4), round(float(f), 4))
                for tok, a, kk, f in zip(t.tokens, t.final, t.kept, demo.frequencies) if kk}
    assert dict(zip(kept["token"], zip(kept["after"], kept["sampled"]))) == expected
