"""Serving plan: memory from lifecycle.memory.estimate, roofline speed checked against H200 measurements."""

import json
import math
from pathlib import Path

import pytest

from lifecycle.errors import InvalidInput, NotFound
from lifecycle.models.architecture import forward_flops_per_token
from lifecycle.models.catalog import get_model
from lifecycle.models.gpus import get_gpu
from lifecycle.serving.plan import (
    decode_step,
    forward_flops,
    get_engine,
    list_engines,
    sweep_batches,
)
from tests.support.memory import infer
from tests.support.serving import plan as serving

DATA = Path(__file__).resolve().parents[1] / "data"
# benchmarks/ground_truth/measure_decode.py on one NVIDIA H200 (torch 2.11.0+cu130, transformers 5.17.0), 2026-11-26.
MEASURED = [json.loads(line) for line in (DATA / "decode_h200.jsonl").read_text().splitlines()]
GRAPH_DECODE = [r for r in MEASURED if r["kind"] == "decode"]
# Held out: measured after data/serving_engines.json was fitted, on models the fit never saw
# (benchmarks/ground_truth/measure_decode.py --set=heldout, same GPU type, 2026-11-26).
HELDOUT = [json.loads(line) for line in (DATA / "decode_h200_heldout.jsonl").read_text().splitlines()]
PREFILL = [r for r in MEASURED if r["kind"] == "prefill"]
# Cold model.generate(do_sample=False, min_new_tokens=n) in bf16 on one H200:
# shared/ground-truth/h200-measurements.jsonl, "infer" rows (name, b, p, n, wall_s).
GROUND_TRUTH_GENERATE = [
    ("llama-7b", 1, 512, 128, 7.726560497999998),
    ("llama-7b", 16, 1024, 256, 15.699788241999997),
    ("llama3-8b", 16, 1024, 256, 14.995164851999988),
    ("llama3-8b", 32, 2048, 128, 8.861183458999989),
    ("gpt2-medium", 16, 512, 128, 6.388532182999995),
]
H200 = get_gpu("h200")


def _step(name, b, ctx, engine):
    m, e = get_model(name), get_engine(engine)
    return decode_step(m.shape, m.params, "bf16", H200, batch=b, context=ctx, bandwidth_efficiency=e.bandwidth_efficiency,
                       per_layer_overhead_s=e.per_layer_overhead_s, utilisation=e.prefill_utilisation)


@pytest.mark.parametrize("row", GRAPH_DECODE, ids=lambda r: f"{r['name']}-b{r['b']}-ctx{r['ctx']}")
def test_bytes_read_per_decode_step_equal_the_measured_weights_plus_kv_cache(row):
    s = _step(row["name"], row["b"], row["ctx"], "cuda-graph")
    assert s.bytes_read == pytest.approx(row["weight_bytes"] + row["kv_bytes"], rel=1e-3)


@pytest.mark.parametrize("row", GRAPH_DECODE, ids=lambda r: f"{r['name']}-b{r['b']}-ctx{r['ctx']}")
def test_cuda_graph_decode_tokens_per_s_within_8_percent_of_measured(row):
    s = _step(row["name"], row["b"], row["ctx"], "cuda-graph")
    assert row["b"] / s.seconds == pytest.approx(row["tokens_per_s"], rel=0.08)
    assert s.bound == "memory"
    # The roofline is an upper bound that no measurement beats.
    assert row["b"] / _step(row["name"], row["b"], row["ctx"], "roofline").seconds > row["tokens_per_s"]


@pytest.mark.parametrize("row", [r for r in HELDOUT if r["kind"] == "decode"], ids=lambda r: f"{r['name']}-b{r['b']}")
def test_cuda_graph_decode_on_held_out_models(row):
    # LLaMA-13B: within 8% like the fitted rows. TinyLlama-1.1B (hidden 2048) runs its small kernels less
    # efficiently than the 7-8B models the engine row was fitted on: the model is up to 23% optimistic there.
    s = _step(row["name"], row["b"], row["ctx"], "cuda-graph")
    assert s.bytes_read == pytest.approx(row["weight_bytes"] + row["kv_bytes"], rel=1e-3)
    tolerance = 0.08 if row["name"] == "llama-13b" else 0.25
    assert row["b"] / s.seconds == pytest.approx(row["tokens_per_s"], rel=tolerance)


@pytest.mark.parametrize("row", [r for r in HELDOUT if r["kind"] == "hf_generate"], ids=lambda r: r["name"])
def test_hf_eager_decode_on_held_out_models_within_40_percent(row):
    # Un-compiled generate is bound by the host CPU, which differs between machines of the same type:
    # the per-layer figure is a rough guide (+9% TinyLlama, -34% LLaMA-13B).
    # through the calculator: its decode step at the mean context (p + n/2) is what the measurement averages
    plan = serving(row["name"], precision="bf16", gpu="h200", batch=row["b"], prompt_tokens=row["p"],
                   new_tokens=row["n"], engine="hf-eager", find_limits=False)
    assert plan.decode_tokens_per_s == pytest.approx(row["decode_tokens_per_s"], rel=0.40)


@pytest.mark.parametrize("row", PREFILL, ids=lambda r: f"{r['name']}-b{r['b']}-p{r['p']}")
def test_time_to_first_token_within_5_percent_of_measured_prefill(row):
    # through the calculator (time to first token, the engine's per-layer overhead included): +1.5 %, −2.2 %, +4.5 %,
    # +0.9 % on the four rows
    plan = serving(row["name"], precision="bf16", gpu="h200", batch=row["b"], prompt_tokens=row["p"], new_tokens=0,
                   engine="cuda-graph", find_limits=False)
    assert plan.prefill_s == pytest.approx(row["s"], rel=0.05)


@pytest.mark.parametrize("name, b, p, n, wall_s", GROUND_TRUTH_GENERATE)
def test_hf_eager_engine_predicts_ground_truth_generate_throughput_within_20_percent(name, b, p, n, wall_s):
    plan = serving(name, precision="bf16", gpu="h200", batch=b, prompt_tokens=p, new_tokens=n,
                        engine="hf-eager", find_limits=False)
    assert plan.throughput_tokens_per_s == pytest.approx(b * n / wall_s, rel=0.20)
    # ... while an optimised engine on the same GPU would be several times faster.
    fast = serving(name, precision="bf16", gpu="h200", batch=b, prompt_tokens=p, new_tokens=n, find_limits=False)
    assert fast.throughput_tokens_per_s > 3 * plan.throughput_tokens_per_s


def test_memory_is_the_memory_planners_estimate():
    plan = serving("llama-2-7b", precision="bf16", gpu="a100-80gb", batch=8, prompt_tokens=1000, new_tokens=200)
    est = infer(get_model("llama-2-7b").shape, precision="bf16", batch=8, prompt_tokens=1000, new_tokens=200)
    assert plan.memory_components == est.components
    assert plan.memory_total_bytes == est.required_bytes


def test_largest_batch_and_context_are_the_fitting_boundary():
    kw = {"precision": "bf16", "gpu": "a10g", "prompt_tokens": 1024, "new_tokens": 256}
    plan = serving("llama-2-7b", batch=1, **kw)
    shape = get_model("llama-2-7b").shape
    fits = lambda b, p: infer(shape, precision="bf16", batch=b, prompt_tokens=p, new_tokens=256).fits(get_gpu("a10g"))
    assert plan.max_batch >= 1 and fits(plan.max_batch, 1024) and not fits(plan.max_batch + 1, 1024)
    p = plan.max_context - 256
    assert fits(1, p) and (plan.max_context == shape.max_context or not fits(1, p + 1))


def test_a_70b_model_in_bf16_does_not_fit_one_gpu_but_fits_four():
    one = serving("llama-2-70b", precision="bf16", gpu="h100-80gb", batch=1)
    assert not one.fits and one.max_batch == 0
    four = serving("llama-2-70b", precision="bf16", gpu="h100-80gb", gpus=4, batch=1)
    assert four.fits and four.decode_step_s < one.decode_step_s


def test_cost_per_million_tokens_is_gpu_price_over_throughput():
    plan = serving("llama-2-7b", gpu="h100-80gb", batch=32, prompt_tokens=512, new_tokens=256,
                        price_usd_per_hour=4.0)
    expected = 4.0 / 3600 / plan.throughput_tokens_per_s * 1e6
    assert plan.cost_per_million_output_tokens_usd == pytest.approx(expected)
    assert plan.throughput_tokens_per_s == pytest.approx(32 * 256 / plan.request_latency_s)


def test_batching_raises_total_throughput_and_lowers_per_sequence_speed():
    plans = [serving("llama-2-7b", gpu="h100-80gb", batch=b, find_limits=False) for b in (1, 8, 64)]
    assert plans[0].decode_tokens_per_s < plans[1].decode_tokens_per_s < plans[2].decode_tokens_per_s
    assert plans[0].per_sequence_tokens_per_s > plans[1].per_sequence_tokens_per_s > plans[2].per_sequence_tokens_per_s
    assert plans[0].cost_per_million_output_tokens_usd > plans[2].cost_per_million_output_tokens_usd


def test_int4_weights_decode_faster_than_bf16_at_batch_one():
    bf16 = serving("llama-2-7b", precision="bf16", gpu="l4", batch=1, find_limits=False)
    int4 = serving("llama-2-7b", precision="int4", gpu="l4", batch=1, find_limits=False)
    assert int4.decode_bytes_per_step < bf16.decode_bytes_per_step / 3
    assert int4.decode_tokens_per_s > 2 * bf16.decode_tokens_per_s


def test_encoders_have_no_decode():
    plan = serving("bert-base-uncased", precision="fp16", gpu="t4", batch=16, prompt_tokens=512, new_tokens=0)
    assert plan.decode_tokens_per_s == 0 and plan.cost_per_million_output_tokens_usd is None
    assert plan.decode_bound == "none" and plan.prefill_s > 0 and math.isfinite(plan.cost_per_million_tokens_usd)


def test_every_engine_row_has_a_source_and_sane_numbers():
    for e in list_engines():
        assert e.source and 0 < e.bandwidth_efficiency <= 1 and 0 < e.prefill_utilisation <= 1
        assert 0 <= e.per_layer_overhead_s < 0.01


def test_sweep_batches_cover_the_chosen_and_the_largest_batch():
    b = sweep_batches(12, 96)
    assert 12 in b and 96 in b and b == sorted(b) and b[0] == 1 and b[-1] >= 96


@pytest.mark.parametrize("kwargs", [
    {"precision": "fp6"}, {"batch": 0}, {"gpus": 0}, {"gpus": 3, "model": "llama3-8b"},  # fp8 is served now
    {"bandwidth_efficiency": 0}, {"prefill_utilisation": 1.5}, {"price_usd_per_hour": -1},
    {"prompt_tokens": 0}, {"new_tokens": -1},
])
def test_bad_settings_raise_a_clear_error(kwargs):
    model = kwargs.pop("model", "llama-2-7b")
    with pytest.raises(InvalidInput):
        serving(model, gpu="h100-80gb", **kwargs)


def test_unknown_engine_lists_the_known_ones():
    with pytest.raises(NotFound, match="cuda-graph"):
        serving("llama-2-7b", gpu="h100-80gb", engine="turbo")


def test_encoder_decoder_prefill_runs_the_encoder_and_decode_the_decoder():
    """Kaplan et al. 2020 eq. 2.2 per side (T5: Raffel et al. 2020 §3.1.1): a prompt token meets only the
    encoder's weights, a generated token only the decoder's; the old 2·N per token charged both sides twice."""
    m = get_model("flan-t5-xl")
    per_input, per_output = forward_flops_per_token(m.shape)
    prefill = forward_flops(m.params, m.shape, 512, 0)
    # the input side now also projects the cross-attention keys/values once per input token (0.48 of 2N, was 0.41)
    assert prefill == 512 * per_input and prefill < 0.5 * 512 * 2 * m.params
    step = forward_flops(m.params, m.shape, 1, 0, decode=True, prompt_tokens=512)
    # cross-attention reads all 512 encoder states (no causal mask: 4·n_layer·n_in·d_attn, as FlopCounterMode counts
    # in tests/tools/test_flops_reference.py; the old 2· halved it as if masked)
    assert step == per_output + 4 * m.shape.decoder_layers * 512 * m.shape.attention_dim
