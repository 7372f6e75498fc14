"""Every calculator page shows the numbers its one domain function computes for the same Setup.

Each test sets real widgets to values away from their defaults (so an ignored or swapped widget changes
the answer), builds the Setup the page should have built, calls the domain function, and compares what is
on the screen with the Result through the same formatter (``lifecycle.display``), as Streamlit's own
``st.metric`` tests assert the value shown. Nothing is read back from the page: a widget left at its default
would compare equal even when the page ignores it (issue 28: tensor parallel on Serving memory, the long
context on Will it fit, the n-gram order, the data on Adaptation path), so each input the Setup takes is set
here and the expected Setup is written out. ``tests/app/test_every_widget_is_wired.py`` checks, for every
widget of every calculator page, that it reaches a Setup at all.
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
from lifecycle.serving.ngram import GenerationSetup, generation_comparison
from lifecycle.serving.plan import ServingSetup, serving_plan
from lifecycle.serving.quantization import QuantizationSetup, quantization_report
from lifecycle.serving.sampling import SamplingSetup, sampling_demo
from lifecycle.serving.will_it_fit import FitSetup, fit_matrix
from tests.support.apptest import ok


def metrics(at) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def test_memory_gpus_shows_the_training_plan_of_its_widgets(run_page):
    k = "memory_planner_"
    at = ok(run_page("pages/memory_gpus.py"))
    at.selectbox(key=k + "model").set_value("tinyllama-1.1b")
    at.selectbox(key=k + "gpu").set_value("a100-40gb")
    at.selectbox(key=k + "method").set_value("lora").run()
    for key, v in {"precision": "amp_fp16", "optimizer": "adamw_8bit", "impl": "fused", "adapter": "bf16",
                   "attention": "eager", "strategy": "zero2", "offload": "optimizer"}.items():
        at.selectbox(key=k + key).set_value(v)
    at.multiselect(key=k + "targets").set_value(["q", "k", "v", "o"])
    at.checkbox(key=k + "ckpt").check()
    for key, v in {"rank": 1024, "batch": 3, "seq": 1536, "gpus": 4, "tp": 2, "pp": 1, "tokens": 2.5e8, "mfu": 0.31,
                   "price_a100-40gb": 1.7}.items():
        at.number_input(key=k + key).set_value(v)
    ok(at.run())
    setup = TrainingSetup(
        model=ModelRef.of(get_model("tinyllama-1.1b")), precision="amp_fp16", method="lora", optimizer="adamw_8bit",
        optimizer_impl="fused", lora_rank=1024, lora_targets=("q", "k", "v", "o"), adapter_dtype="bf16", micro_batch=3,
        seq_len=1536, attention="eager", grad_checkpointing=True, gpus=4, strategy="zero2", offload="optimizer", tp=2,
        pp=1, gpu="a100-40gb", training_tokens=2.5e8, mfu=0.31, price_usd_per_hour=1.7)
    plan = training_plan(setup)
    shown = metrics(at)
    assert shown["Peak allocated"] == format_bytes(plan.estimate.peak_allocated_bytes)
    assert shown["Reserved (+ allocator slack)"] == format_bytes(plan.estimate.peak_reserved_bytes)
    assert shown["Needs (+ CUDA context)"] == format_bytes(plan.estimate.required_bytes)
    cost = plan.time_and_cost
    assert cost.gpus == 4  # time and cost use the scenario's own GPU count
    assert shown["Training time"] == format_duration(cost.days * 86_400)
    assert shown["GPU-hours"] == format_number(cost.gpu_hours)
    assert shown["Cost"] == format_money(cost.cost_usd)
    untouched = training_plan(setup.vary(tp=1, grad_checkpointing=False, lora_targets=("q", "v")))
    assert format_bytes(untouched.estimate.peak_allocated_bytes) != shown["Peak allocated"]  # the widgets matter


def test_serving_memory_shows_the_inference_plan_of_its_widgets(run_page):
    """Issue 28's survivor: with the tensor-parallel widget ignored the page showed LLaMA-2-70B's whole 143 GB
    instead of a quarter of it per GPU."""
    k = "memory_serving_"
    at = ok(run_page("pages/serving_memory.py"))
    at.selectbox(key=k + "model").set_value("llama-2-70b")
    at.selectbox(key=k + "gpu").set_value("h100-80gb")
    at.selectbox(key=k + "i_precision").set_value("fp16")
    at.selectbox(key=k + "i_attention").set_value("eager")
    for key, v in {"i_batch": 24, "i_prompt": 3000, "i_new": 700, "i_tp": 4}.items():
        at.number_input(key=k + key).set_value(v)
    ok(at.run())
    setup = InferenceSetup(model=ModelRef.of(get_model("llama-2-70b")), precision="fp16", concurrent_sequences=24,
                           prompt_tokens=3000, new_tokens=700, tp=4, attention="eager", gpu="h100-80gb")
    plan = inference_plan(setup)
    shown = metrics(at)
    assert shown["Peak allocated"] == format_bytes(plan.estimate.peak_allocated_bytes)
    assert shown["Needs (+ CUDA context)"] == format_bytes(plan.estimate.required_bytes)
    one_gpu = inference_plan(setup.vary(tp=1))
    assert plan.estimate.peak_allocated_bytes < 0.3 * one_gpu.estimate.peak_allocated_bytes  # weights split 4 ways


def _engine(at, k: str, engine: str, gpu: str, bw: float, overhead_us: float, util: float, price: float) -> dict:
    """Sets the serving engine and its (keyed by engine) assumptions; returns them as ServingSetup fields."""
    at.selectbox(key=k + "engine").set_value(engine).run()
    for key, v in {f"bw_{engine}": bw, f"overhead_{engine}": overhead_us, f"util_{engine}": util,
                   f"price_{gpu}": price}.items():
        at.number_input(key=k + key).set_value(v)
    return {"engine": engine, "bandwidth_efficiency": bw, "per_layer_overhead_s": overhead_us / 1e6,
            "prefill_utilisation": util, "price_usd_per_hour": price}


def test_serving_an_encoder_shows_requests_per_second_replicas_and_cost_per_request(run_page):
    k = "serving_plan_"
    at = ok(run_page("pages/serving.py"))
    at.selectbox(key=k + "model").set_value("bert-base-uncased")
    at.selectbox(key=k + "gpu").set_value("l4")
    at.selectbox(key=k + "precision").set_value("fp16")
    engine = _engine(at, k, "hf-eager", "l4", 0.55, 120.0, 0.4, 0.9)
    at.number_input(key=k + "gpus").set_value(2)
    at.number_input(key=k + "batch").set_value(32)
    at.number_input(key=k + "prompt").set_value(256)
    ok(at.run())
    plan = serving_plan(ServingSetup(
        model=ModelRef.of(get_model("bert-base-uncased")), precision="fp16", gpu="l4", gpus=2, concurrent_sequences=32,
        prompt_tokens=256, new_tokens=0, **engine))
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
    engine = _engine(at, k, "roofline", "a10g", 0.7, 30.0, 0.6, 1.3)
    at.number_input(key=k + "gpus").set_value(2)
    at.number_input(key=k + "batch").set_value(9)
    at.number_input(key=k + "prompt").set_value(1500)
    at.number_input(key=k + "new").set_value(300)
    at.selectbox(key=k + "kv_dtype").set_value("fp8")
    ok(at.run())
    plan_setup = ServingSetup(
        model=ModelRef.of(get_model("llama-13b")), precision="int4", kv_cache_dtype="fp8", gpu="a10g", gpus=2,
        concurrent_sequences=9, prompt_tokens=1500, new_tokens=300, **engine)
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
    at.selectbox(key=k + "domain").set_value("medical")
    at.selectbox(key=k + "data").set_value("billions")
    at.multiselect(key=k + "constraints").set_value(["on-premise"])
    at.selectbox(key=k + "gpu").set_value("h100-80gb")
    for key, v in {"budget": 2e6, "size": 3.0, "tokens": 120.0, "gpus": 96, "mfu": 0.37, "price_h100-80gb": 2.2}.items():
        at.number_input(key=k + key).set_value(v)
    ok(at.run())
    advice = pretrain_decision(PretrainDecisionSetup(
        domain="medical", data_available="billions", budget_usd=2e6, constraints=("on-premise",), target_params=3e9,
        target_tokens=120e9, gpu="h100-80gb", gpus=96, mfu=0.37, price_usd_per_hour=2.2))
    shown = metrics(at)
    assert shown["Pre-training cost (GPU time)"] == format_money(advice.cost.cost_usd)
    assert shown["Wall clock"] == format_duration(advice.cost.days * 86_400)
    assert shown["GPU-hours"] == format_number(advice.cost.gpu_hours)


def test_pretrain_own_shows_the_plan_for_the_model_it_was_given(run_page):
    k = "pretrain_planner_"
    at = ok(run_page("pages/pretrain_own.py"))
    at.selectbox(key=k + "gpu").set_value("a100-80gb").run()
    at.multiselect(key=k + "laws").set_value(["chinchilla3"])
    at.selectbox(key=k + "chart").set_value("allocation")
    at.slider(key=k + "range").set_value((19, 25))
    at.toggle(key=k + "markers").set_value(False)
    for key, v in {"gpus": 64, "mfu": 0.42, "n_b": 1.3, "d_b": 260.0, "amount_FLOPs": 3e22,
                   "price_a100-80gb": 1.9}.items():
        at.number_input(key=k + key).set_value(v)
    ok(at.run())
    from ui.pretrain_own import _laws

    laws = tuple(law for law in _laws() if law.name == "chinchilla3")
    assert len(laws) == 1
    plan = pretraining_plan(PretrainingSetup(
        laws=laws, budget_amount=3e22, budget_unit="FLOPs", params=1.3e9, tokens=260e9, gpu="a100-80gb", gpus=64,
        mfu=0.42, price_usd_per_hour=1.9, chart="allocation", c_min_flops=1e19, c_max_flops=1e25, show_markers=False))
    p0 = plan.model_plans[0]
    shown = metrics(at)
    assert shown["Tokens per parameter"] == format_number(p0.tokens_per_param) == "200"
    assert shown["Training time"] == format_duration(p0.days * 86_400)
    assert shown["Cost"] == format_money(p0.cost_usd)


def test_prompt_budget_shows_the_budget_of_its_widgets(run_page):
    k = "prompt_budget_"
    at = ok(run_page("pages/prompt_budget.py"))
    at.selectbox(key=k + "model").set_value("gpt2-small")
    texts = {"instruction": "Sort these by urgency:", "label": "Priority", "query": "The site is down for everyone"}
    for key, v in texts.items():
        at.text_input(key=k + key).set_value(v)
    examples = "Invoice typo | low\nCannot log in | high"
    at.text_area(key=k + "examples").set_value(examples)
    at.number_input(key=k + "output").set_value(300)
    at.number_input(key=k + "input").set_value(150)
    ok(at.run())
    budget = prompt_budget(PromptBudgetSetup(
        model=ModelRef.of(get_model("gpt2-small")), instruction=texts["instruction"], query=texts["query"],
        examples=tuple(parse_examples(examples)), output_label=texts["label"], output_tokens=300, input_tokens=150))
    shown = metrics(at)
    assert shown["Context window"] == f"{budget.context_tokens:,} tokens"
    assert shown["Your examples that fit"] == f"{budget.max_examples_given_fit} of 2"
    assert shown["Examples of this length that would fit"] == f"{budget.max_examples_typical_fit:,}"
    assert at.code[0].value == budget.rows[-1].prompt


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
    """Issue 28's survivor: with the data widget ignored, LoRA read "not advised" for billions of examples."""
    k = "adaptation_path_"
    project = app_env.create_project("Adapting")
    project.scope.tasks = ["summarization"]
    project.scope.data_available = "few"
    project = app_env.save_project(project, author="tester", section="scope")
    at = ok(run_page("pages/adaptation_path.py", project=project))
    at.selectbox(key=k + "model").set_value("t5-large")
    at.selectbox(key=k + "gpu").set_value("a10g")
    at.selectbox(key=k + "data").set_value("billions")
    at.text_input(key=k + "domain").set_value("legal")
    at.text_input(key=k + "quality").set_value("helpful and harmless")
    at.checkbox(key=k + "chat").check()
    numbers = {"seq": 700, "batch": 2, "epochs": 3.0, "mfu": 0.25, "budget": 40_000.0, "gpus": 2, "examples": 0,
               "tokens_per_example": 600}
    for key, v in numbers.items():
        at.number_input(key=k + key).set_value(v)
    ok(at.run())
    at.number_input(key=k + "price_a10g").set_value(1.1)
    ok(at.run())
    scope = project.scope
    setup = AdaptationSetup(
        tasks=("summarization", "chat"), use_case=scope.use_case, quality_bar="helpful and harmless",
        constraints=tuple(scope.constraints), domain="legal", data_available="billions", budget_usd=40_000.0,
        input_tokens=scope.input_tokens, output_tokens=scope.output_tokens, model=ModelRef.of(get_model("t5-large")),
        gpu="a10g", seq_len=700, micro_batch=2, epochs=3.0, mfu=0.25, price_usd_per_hour=1.1, gpus=2,
        training_examples=None, tokens_per_example=600, precision="amp_bf16", target_len=256)
    advice = adaptation_advice(setup)
    table = at.dataframe[0].value
    options = advice.model_dump()["options"]
    from lifecycle.adapt.path import get_option

    assert dict(zip(table["option"], table["status"])) == {get_option(o["id"]).name: o["status"] for o in options}
    assert at.markdown[[m.value.startswith("**Recommended path:**") for m in at.markdown].index(True)].value == (
        "**Recommended path:** " + " → ".join(get_option(o).name for o in advice.path))
    sized = [o for o in options if o.get("sizing")]
    assert len(sized) >= 2, "the recommendation sizes several options"
    by_option = dict(zip(table["option"], zip(table["time"], table["cost"])))
    for option in sized:
        s = option["sizing"]
        priced = (f"{format_duration(s['seconds'])} on {s['run_gpus']}", format_money(s["cost_usd"]))
        # an option that trains nothing or fits nowhere is not priced at "0 ms / $0"
        assert by_option[get_option(option["id"]).name] == (priced if s["gpus"] and s["flops"] else ("—", "—"))
    assert sum(1 for o in sized if o["sizing"]["gpus"] and o["sizing"]["flops"]) >= 2
    from lifecycle.display import format_count

    assert list(table["examples used"]) == [format_count(o["sizing"]["examples"]) if (o.get("sizing") or {}).get(
        "examples") else "—" for o in options]
    few = adaptation_advice(setup.vary(data_available="few"))  # what the project says, which the widget overrides
    assert [o.status for o in few.options] != [o.status for o in advice.options]


def test_architecture_shows_the_advice_for_its_tasks(run_page):
    at = ok(run_page("pages/architecture.py"))
    at.multiselect(key="architecture_advice_tasks").set_value(["translation"]).run()
    ok(at)
    rec = architecture_advice(ArchitectureSetup(tasks=("translation",))).recommendation
    assert any(f"Recommended: **{rec.family_name}**" in m.value for m in at.markdown)
    assert rec.family == "encoder-decoder"


def _fit_cell(c) -> str:
    """A cell of the fit table as the page words it."""
    if c.per_gpu_bytes is None:
        return "—"
    return f"{format_bytes(c.per_gpu_bytes)} · " + ("fits" if c.fits else f"fits on {c.gpus} GPUs" if c.gpus
                                                     else "does not fit")


def test_will_it_fit_shows_the_fit_matrix_of_its_widgets(run_page):
    """Issue 28's survivor: with the long-context widget ignored, LLaMA-3.1-8B at bf16 on an L4 read "fits on 4
    GPUs" (its 131,072-token window) where 8,192 tokens fit one."""
    k = "will_it_fit_"
    at = ok(run_page("pages/will_it_fit.py"))
    at.selectbox(key=k + "model").set_value("llama3.1-8b")
    at.selectbox(key=k + "gpu").set_value("l4")
    for key, v in {"short": 3000, "long": 8192, "new": 200}.items():
        at.number_input(key=k + key).set_value(v)
    ok(at.run())
    setup = FitSetup(model=ModelRef.of(get_model("llama3.1-8b")), gpu="l4", short_context=3000, long_context=8192,
                     new_tokens=200)
    matrix = fit_matrix(setup)
    table = at.dataframe[0].value
    assert list(table["format"]) == list(matrix.formats.values())
    for fmt, row in zip(matrix.formats, table.to_dict("records")):
        assert [row[label] for label in matrix.workloads.values()] == [_fit_cell(matrix.cell(fmt, w))
                                                                      for w in matrix.workloads], fmt
    long = matrix.workloads["infer_long"]
    assert table[long].iloc[list(matrix.formats).index("bf16")].endswith("· fits")
    window = fit_matrix(setup.vary(long_context=131_072)).cell("bf16", "infer_long")
    assert _fit_cell(window).endswith("fits on 4 GPUs")


def test_generation_shows_the_ngram_text_of_its_widgets(run_page):
    """Issue 28's survivor: with the order widget ignored the caption said 2-gram over text from a 3-gram."""
    k = "generation_playground_"
    at = ok(run_page("pages/generation.py"))
    at.selectbox(key=k + "order").set_value(2)
    at.text_input(key=k + "prompt").set_value("In the beginning")
    at.text_input(key=k + "stops").set_value("earth, light")
    for key, v in {"gen_seed": 11, "max_new": 25, "temperature": 0.8, "top_k": 20, "top_p": 0.9}.items():
        at.number_input(key=k + key).set_value(v)
    ok(at.run())
    setup = GenerationSetup(prompt="In the beginning", max_new_tokens=25, temperature=0.8, top_k=20, top_p=0.9,
                            seed=11, order=2, stop_sequences=("earth", "light"))
    out = generation_comparison(setup)
    assert any(c.value.startswith("Word-level 2-gram model") for c in at.caption)
    assert [i.value for i in at.info][-2:] == [out.sampled.text, out.greedy.text]
    assert out.sampled.text != generation_comparison(setup.vary(order=3)).sampled.text  # the order shows


@pytest.mark.parametrize("temperature, top_k, top_p", [(0.6, 3, 0.9), (1.7, 0, 0.5)])
def test_generation_shows_the_sampling_of_its_widgets(run_page, temperature, top_k, top_p):
    k = "generation_playground_"
    at = ok(run_page("pages/generation.py"))
    at.number_input(key=k + "temperature").set_value(temperature)
    at.number_input(key=k + "top_k").set_value(top_k)
    at.number_input(key=k + "top_p").set_value(top_p)
    at.number_input(key=k + "seed").set_value(7)
    at.number_input(key=k + "samples").set_value(4321)
    dist = "sat 0.4, ran 0.25, slept 0.2, ate 0.1, flew 0.05"
    at.text_area(key=k + "dist").set_value(dist)
    ok(at.run())
    demo = sampling_demo(SamplingSetup.from_text(dist, temperature=temperature, top_k=top_k or None, top_p=top_p,
                                                 seed=7, samples=4321))
    t = demo.transformed
    kept = at.dataframe[0].value
    expected = {tok: (round(a, 4), round(float(f), 4))
                for tok, a, kk, f in zip(t.tokens, t.final, t.kept, demo.frequencies) if kk}
    assert dict(zip(kept["token"], zip(kept["after"], kept["sampled"]))) == expected
