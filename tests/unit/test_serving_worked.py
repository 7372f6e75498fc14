"""The serving calculator pinned component by component to hand-worked numbers, through ``serving_plan`` (the public
calculator), never by re-deriving its formulas. Every constant comes from the model's config (Hugging Face
``config.json``) and the GPU's datasheet (data/gpus.json); the arithmetic is written out in the comments.

Llama-2-7B (meta-llama/Llama-2-7b-hf config.json): 32 layers, hidden 4096, 32 attention heads, 32 KV heads, head_dim
128, vocabulary 32,000; 6,738,415,616 parameters, of which 32,000 · 4,096 = 131,072,000 are the input embedding, so a
token is multiplied by N = 6,607,343,616 weights (Kaplan et al. 2020 §2.1 excludes the embedding).
- bf16 weights: 2 · 6,738,415,616 = 13,476,831,232 bytes.
- KV cache per token (Pope et al. 2022 §2; transformers DynamicCache): K and V · 32 layers · 32 heads · 128 · 2 bytes
  = 524,288 bytes.
- Prefill FLOPs per sequence of p tokens (Kaplan et al. 2020 eq. 2.2, causal mask halving the score term as in Table
  1): p · (2N + 2 · n_layer · p · d_attn); at p = 512: 512 · (13,214,687,232 + 2 · 32 · 512 · 4096)
  = 512 · 13,348,904,960 = 6,834,639,339,520.
NVIDIA H100 SXM datasheet: 989 TFLOP/s dense BF16, 3.35 TB/s HBM3.

Decode reads every weight and the whole KV cache once per step (Pope et al. 2022 §2), and the cache grows by one
token per step: generating n tokens after a p-token prompt, step i (0 ≤ i < n) reads p + i cached tokens, so the mean
step reads p + n/2 (to within half a token) — not p + n, which would overstate the cache and understate tokens/s.
Prefill is compute-bound and tensor parallelism splits its FLOPs over the tp GPUs (Shoeybi et al. 2019 §3), so the
time to first token is divided by tp.
"""

from __future__ import annotations

import math

import pytest

from lifecycle.serving.plan import serving_plan
from tests.support.serving import plan

WEIGHTS_7B = 13_476_831_232
KV_PER_TOKEN_7B = 524_288
PREFILL_FLOPS_7B_P512 = 6_834_639_339_520
H100_BF16 = 989e12
H100_BW = 3.35e12
# The roofline with no engine losses: every efficiency 1, no per-layer overhead, so the numbers are the datasheet's.
IDEAL = {"bandwidth_efficiency": 1.0, "per_layer_overhead_s": 0.0, "prefill_utilisation": 1.0}


@pytest.fixture(autouse=True)
def _cold_cache():
    """Each test computes its plans: ``serving_plan`` is an lru_cache, and a plan another test left there would
    never reach ``serving_point`` — mutmut's per-test coverage would then skip this test for its mutants."""
    serving_plan.cache_clear()


def _llama(batch, tp, p=512, n=256, **kw):
    return plan("llama-2-7b", precision="bf16", gpu="h100-80gb", gpus=tp, batch=batch, prompt_tokens=p,
                new_tokens=n, **{**IDEAL, **kw})


# (batch, tp, prompt, new): tp > 1 rows included; the last is the long-output case where p + n instead of p + n/2
# costs about a quarter of the tokens per second.
DECODE_ROWS = [(1, 1, 512, 256), (8, 2, 512, 256), (32, 4, 512, 256), (64, 1, 512, 1024), (16, 8, 1024, 2048)]


@pytest.mark.parametrize(("batch", "tp", "p", "n"), DECODE_ROWS)
def test_a_decode_step_reads_the_weights_and_the_kv_cache_at_the_mean_context_p_plus_n_over_2(batch, tp, p, n):
    r = _llama(batch, tp, p, n)
    mean_context = p + n // 2  # 512 + 128 = 640 at the first row
    per_gpu = (WEIGHTS_7B + batch * mean_context * KV_PER_TOKEN_7B) / tp
    assert r.decode_bytes_per_step == pytest.approx(per_gpu, rel=1e-9)
    assert r.decode_bound == "memory"
    assert r.decode_step_s == pytest.approx(per_gpu / H100_BW, rel=1e-9)
    assert r.decode_tokens_per_s == pytest.approx(batch * H100_BW / per_gpu, rel=1e-9)
    assert r.per_sequence_tokens_per_s == pytest.approx(H100_BW / per_gpu, rel=1e-9)


@pytest.mark.parametrize(("batch", "tp", "p", "n"), DECODE_ROWS)
def test_the_decode_time_is_the_sum_of_its_steps_each_reading_the_cache_so_far(batch, tp, p, n):
    """The oracle is the step-by-step definition, summed here in a loop: step i reads the weights and p + i tokens of
    cache per sequence. The plan's closed form (n steps at the mean context) must agree within 0.1 %."""
    r = _llama(batch, tp, p, n)
    steps_s = sum((WEIGHTS_7B + batch * (p + i) * KV_PER_TOKEN_7B) / tp / H100_BW for i in range(n))
    assert r.request_latency_s - r.prefill_s == pytest.approx(steps_s, rel=1e-3)


@pytest.mark.parametrize("tp", [1, 2, 4, 8])
def test_time_to_first_token_is_the_prefill_flops_split_over_the_tensor_parallel_gpus(tp):
    r = _llama(1, tp)
    assert r.prefill_flops == pytest.approx(PREFILL_FLOPS_7B_P512, rel=1e-12)  # the whole model's, whatever tp
    assert r.prefill_s == pytest.approx(PREFILL_FLOPS_7B_P512 / (tp * H100_BF16), rel=1e-9)  # 6.91 ms at tp = 1
    one = _llama(1, 1)
    assert r.prefill_s == pytest.approx(one.prefill_s / tp, rel=1e-9)  # 4 GPUs: a quarter of the time


def test_one_worked_example_every_field_at_tp_2_with_engine_losses():
    """Batch 8, prompt 512, 256 new tokens, tensor parallel 2 on H100s, an engine reaching 80 % of the bandwidth and
    50 % of the peak with 10 µs per layer per step, at $4 per GPU-hour, for a 2 s target and 10 requests/s."""
    r = _llama(8, 2, bandwidth_efficiency=0.8, per_layer_overhead_s=1e-5, prefill_utilisation=0.5,
               price_usd_per_hour=4.0, latency_target_ms=2000, throughput_target_rps=10)
    # prefill: 8 · 6,834,639,339,520 FLOPs over 2 GPUs at half of 989 TFLOP/s, plus 32 layers · 10 µs
    assert r.prefill_flops == 54_677_114_716_160
    assert r.prefill_s == pytest.approx(54_677_114_716_160 / (2 * 989e12 * 0.5) + 32e-5, rel=1e-9)  # 55.61 ms
    # decode: (weights + 8 · 640 tokens of cache) / 2 GPUs = 8,080,592,896 bytes at 80 % of 3.35 TB/s, plus 0.32 ms
    assert r.decode_bytes_per_step == 8_080_592_896
    step_s = 8_080_592_896 / (3.35e12 * 0.8) + 32e-5  # 3.335 ms
    assert r.decode_step_s == pytest.approx(step_s, rel=1e-9)
    latency_s = r.prefill_s + 256 * step_s  # 0.9094 s
    assert r.request_latency_s == pytest.approx(latency_s, rel=1e-9) and r.p95_latency_s == r.request_latency_s
    assert r.decode_tokens_per_s == pytest.approx(8 / step_s, rel=1e-9)
    assert r.throughput_tokens_per_s == pytest.approx(8 * 256 / latency_s, rel=1e-9)  # 2,252 tokens/s
    assert r.requests_per_s == pytest.approx(8 / latency_s, rel=1e-9)  # 8.80 requests/s
    # cost: both GPUs are paid, $8 an hour for the replica
    dollars_per_s = 2 * 4.0 / 3600
    assert r.price_usd_per_hour == 4.0
    assert r.cost_per_million_output_tokens_usd == pytest.approx(dollars_per_s * latency_s / (8 * 256) * 1e6, rel=1e-9)
    assert r.cost_per_million_tokens_usd == pytest.approx(dollars_per_s * latency_s / (8 * 768) * 1e6, rel=1e-9)
    assert r.cost_per_thousand_requests_usd == pytest.approx(dollars_per_s * latency_s / 8 * 1000, rel=1e-9)
    assert r.meets_latency is True and r.replicas_for_throughput == 2  # ceil(10 / 8.80)
    # memory per GPU: half the weights; the cache at its peak, prompt + output, plus one layer's torch.cat copy
    assert r.memory_components["weights"] == WEIGHTS_7B // 2
    assert r.memory_components["KV cache"] == 8 * 768 * KV_PER_TOKEN_7B // 2 * 33 // 32
    assert (r.gpus, r.batch, r.prompt_tokens, r.new_tokens, r.gpu_id, r.engine) == (2, 8, 512, 256, "h100-80gb",
                                                                                     "cuda-graph")
    assert r.gpu_memory_bytes == 84_943_715_697 and r.fits and r.context_limit == 4096 and r.max_context == 4096
    assert any("over 2 GPUs" in a for a in r.assumptions)


def test_the_latency_target_is_in_milliseconds_and_its_boundary_is_met():
    r = _llama(8, 2)
    at_ms = r.request_latency_s * 1000
    assert _llama(8, 2, latency_target_ms=at_ms).meets_latency is True
    assert _llama(8, 2, latency_target_ms=at_ms * 0.999).meets_latency is False
    assert r.meets_latency is None and r.replicas_for_throughput is None
    # the throughput target: just under one replica's rate needs one, just over it two
    assert _llama(8, 2, throughput_target_rps=r.requests_per_s * 0.999).replicas_for_throughput == 1
    assert _llama(8, 2, throughput_target_rps=r.requests_per_s * 1.001).replicas_for_throughput == 2


def test_an_encoder_decoder_decodes_at_half_its_output_and_reads_the_whole_cross_attention_cache():
    """flan-t5-small (google/flan-t5-small config.json): 8 decoder layers, 6 heads, d_kv 64; 76,961,152 parameters,
    fp32 weights 307,844,608 bytes. Per token and decoder layer, K and V: 2 · 6 · 64 · 4 bytes; per token in all 8
    layers 24,576 bytes. A step reads the cross-attention cache of the 512 input tokens and the self-attention
    cache of the tokens generated so far (mean 128 / 2 = 64); NVIDIA L4 datasheet: 300 GB/s."""
    r = plan("flan-t5-small", precision="fp32", gpu="l4", batch=4, prompt_tokens=512, new_tokens=128, **IDEAL)
    expected = 307_844_608 + 4 * 512 * 24_576 + 4 * 64 * 24_576  # 364,467,712
    assert r.decode_bytes_per_step == expected
    assert r.decode_step_s == pytest.approx(expected / 300e9, rel=1e-9)


def test_tensor_parallel_past_the_kv_heads_replicates_them_one_whole_head_per_gpu():
    """TinyLlama-1.1B (TinyLlama/TinyLlama-1.1B-intermediate-step-1431k-3T config.json): 22 layers, 32 query heads,
    4 KV heads, head_dim 64; 1,100,048,384 parameters. At tensor parallel 8 each GPU needs the KV head of its four
    query heads: the 4 KV heads are replicated, one whole head per GPU (vLLM and Megatron-LM replicate KV heads when
    tp > num_key_value_heads), never half a head. Per token in all 22 layers and one head: 2 · 22 · 64 · 2 = 5,632
    bytes. On an L4 (23,579,370,455 usable bytes), prompt 512, 1,536 new tokens."""
    kw = {"precision": "bf16", "gpu": "l4", "prompt_tokens": 512, "new_tokens": 1536}
    r = plan("tinyllama-1.1b", gpus=8, batch=1, **kw)
    b = r.max_batch
    at_max = plan("tinyllama-1.1b", gpus=8, batch=b, find_limits=False, **kw)
    per_sequence = 2048 * 5_632 * 23 // 22  # the whole context, plus one layer's torch.cat copy: 12,058,624 bytes
    assert at_max.memory_components["KV cache"] == b * per_sequence
    # the same cache per GPU as at tp = 4, where each GPU holds exactly one of the 4 heads
    assert plan("tinyllama-1.1b", gpus=4, batch=b, find_limits=False, **kw).memory_components["KV cache"] == \
        b * per_sequence
    # the largest batch is bounded by the memory left after the weights (1/8 of 2,200,096,768 bytes) for whole heads
    assert at_max.fits and not plan("tinyllama-1.1b", gpus=8, batch=b + 1, find_limits=False, **kw).fits
    assert 1000 < b <= (23_579_370_455 - 2_200_096_768 // 8) // per_sequence  # 1,929 at most
    # decode at tp = 8: an eighth of the weights, the replicated head's cache at the mean context 512 + 768
    step = plan("tinyllama-1.1b", gpus=8, batch=16, find_limits=False, **kw, **IDEAL)
    assert step.decode_bytes_per_step == 2_200_096_768 // 8 + 16 * 1280 * 5_632


def test_a_plan_without_new_tokens_has_no_decode_and_its_cost_per_request_is_the_prefill():
    r = _llama(4, 1, n=0, price_usd_per_hour=3.6)  # $3.60 an hour: $0.001 a second
    assert r.decode_step_s == 0 and r.decode_bytes_per_step == 0 and r.decode_bound == "none"
    assert r.throughput_tokens_per_s == 0 and r.cost_per_million_output_tokens_usd is None
    assert r.request_latency_s == pytest.approx(4 * PREFILL_FLOPS_7B_P512 / H100_BF16, rel=1e-9)
    assert r.cost_per_thousand_requests_usd == pytest.approx(0.001 * r.request_latency_s / 4 * 1000, rel=1e-9)
    assert math.isfinite(r.cost_per_million_tokens_usd)


def test_an_fp8_kv_cache_stores_one_byte_per_value_and_says_what_it_costs_in_accuracy():
    """vLLM kv_cache_dtype="fp8": one byte per cached value, so 262,144 bytes per Llama-2-7B token instead of
    524,288; the weights stay bf16."""
    r = _llama(8, 1, kv_cache_dtype="fp8")
    assert r.decode_bytes_per_step == WEIGHTS_7B + 8 * 640 * KV_PER_TOKEN_7B // 2
    assert r.memory_components["KV cache"] == 8 * 768 * KV_PER_TOKEN_7B // 2 * 33 // 32
    assert any("FP8 KV cache" in a and "calibrat" in a for a in r.assumptions)
    assert not any("FP8 KV cache" in a for a in _llama(8, 1).assumptions)


def test_the_engine_and_the_gpu_price_apply_unless_overridden():
    """data/serving_engines.json's measured efficiencies and data/gpus.json's price ($2.50 per H100-hour) are the
    defaults; the assumptions state the efficiencies the numbers used."""
    from lifecycle.serving.plan import get_engine

    e = get_engine("cuda-graph")
    r = plan("llama-2-7b", precision="bf16", gpu="h100-80gb", batch=8, prompt_tokens=512, new_tokens=256,
             find_limits=False)
    assert r.price_usd_per_hour == 2.5 and r.engine == "cuda-graph"
    assert r.decode_step_s == pytest.approx((WEIGHTS_7B + 8 * 640 * KV_PER_TOKEN_7B) / (H100_BW * e.bandwidth_efficiency)
                                            + 32 * e.per_layer_overhead_s, rel=1e-9)
    assert r.prefill_s == pytest.approx(8 * PREFILL_FLOPS_7B_P512 / (H100_BF16 * e.prefill_utilisation)
                                        + 32 * e.per_layer_overhead_s, rel=1e-9)
    engine_line, *_ = r.assumptions
    assert f"{e.bandwidth_efficiency:.0%} of datasheet memory bandwidth" in engine_line
    assert f"{e.per_layer_overhead_s * 1e6:,.0f} µs per layer" in engine_line
    assert f"{e.prefill_utilisation:.0%} of dense peak" in engine_line and e.source in engine_line
    assert "One GPU: no communication." in r.assumptions
    worked = _llama(8, 2, bandwidth_efficiency=0.8, per_layer_overhead_s=1e-5, prefill_utilisation=0.5)
    assert "decode reaches 80% of datasheet memory bandwidth, plus 10 µs per layer" in worked.assumptions[0]
    assert "prefill reaches 50% of dense peak" in worked.assumptions[0]


def test_memory_per_gpu_is_the_reserved_memory_plus_the_cuda_context():
    """What nvidia-smi shows: PyTorch's reserved memory plus the CUDA context (0.5 GiB, lifecycle/memory)."""
    r = _llama(8, 2)
    assert r.memory_total_bytes == r.memory_reserved_bytes + 2**29
    assert r.memory_reserved_bytes >= sum(r.memory_components.values())


def test_the_sweep_is_powers_of_two_past_the_largest_batch_with_the_chosen_and_the_largest():
    from lifecycle.serving.plan import sweep_batches

    assert sweep_batches(12, 96) == [1, 2, 4, 8, 12, 16, 32, 64, 96, 128]  # up to 2 · 96 = 192
    assert sweep_batches(1, 0) == [1, 2, 4, 8]  # nothing fits: still a chart to 8
    assert sweep_batches(3, -1) == [1, 2, 3, 4, 8]
    assert sweep_batches(64, 20) == [1, 2, 4, 8, 16, 20, 32, 64, 128]  # the chosen batch does not fit
    assert sweep_batches(1, 10_000) == [1 << i for i in range(13)]  # capped at 4,096 points' batch
    assert sweep_batches(1, 3000, limit=1000) == [1 << i for i in range(10)]
    r = _llama(8, 2)
    assert [s.batch for s in r.sweep] == sweep_batches(8, r.max_batch)
    chosen = next(s for s in r.sweep if s.batch == 8)
    assert chosen.max_batch == r.max_batch and chosen.decode_step_s == r.decode_step_s
    others = [s for s in r.sweep if s.batch != 8]
    assert all(s.max_batch == -1 and s.max_context == -1 for s in others)  # no searches off the chosen batch
    at_32 = next(s for s in r.sweep if s.batch == 32)
    assert at_32.decode_bytes_per_step == (WEIGHTS_7B + 32 * 640 * KV_PER_TOKEN_7B) / 2


def test_an_encoder_decoder_fits_its_whole_encoder_window_and_an_encoder_generates_nothing():
    from lifecycle.errors import InvalidInput

    r = plan("flan-t5-small", precision="fp32", gpu="l4", batch=4, prompt_tokens=512, new_tokens=128)
    assert r.max_context == 512 == r.context_limit  # the encoder's window, whatever the output length
    with pytest.raises(InvalidInput, match="(?i)encoder-only models do not generate tokens"):
        plan("bert-base-uncased", precision="fp16", gpu="l4", new_tokens=8)
    with pytest.raises(InvalidInput, match="(?i)cannot split 32 KV heads"):
        plan("llama-2-7b", gpu="h100-80gb", gpus=3)
    assert plan("tinyllama-1.1b", gpu="l4", gpus=8, find_limits=False).gpus == 8  # 8 GPUs, 4 KV heads: replicated


def test_a_model_that_does_not_fit_has_no_batch_and_no_context():
    r = plan("llama-2-70b", precision="bf16", gpu="l4", batch=1)
    assert not r.fits and r.max_batch == 0 and r.max_context == 0


def test_the_sliding_window_note_names_the_layers_and_the_window_and_an_unknown_engine_lists_the_known():
    """Gemma 3 1B (google/gemma-3-1b-it config.json): 26 layers, sliding_window 512, five sliding layers to each
    global one — 22 sliding (transformers' layer_types)."""
    from lifecycle.errors import NotFound

    r = plan("gemma3-1b", gpu="l4", find_limits=False)
    assert ("Sliding-window attention: 22 of 26 layers cache at most the last 512 tokens (transformers "
            "DynamicSlidingWindowLayer); the others the whole context.") in r.assumptions
    assert not any("Sliding" in a for a in _llama(1, 1).assumptions)
    with pytest.raises(NotFound, match=r"^Unknown serving engine 'turbo'\. Known: roofline, cuda-graph, hf-eager\.$"):
        _llama(1, 1, engine="turbo")


def test_the_sweep_limits():
    from lifecycle.serving.plan import sweep_batches

    assert sweep_batches(100, 10) == [1, 2, 4, 8, 10, 16, 32, 64, 100, 128]  # 2 · 100 = 200: 256 is past it
    assert sweep_batches(1, 1000, limit=1000) == [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1000]  # the largest, at the cap
    assert sweep_batches(1, 4097) == [1 << i for i in range(13)]  # past the 4,096 cap: not drawn


def test_the_largest_context_is_where_the_memory_runs_out_prompt_plus_output_for_a_decoder():
    """Llama-2-7B, batch 8 on a 24 GB L4: the window (4,096) does not fit, so the largest context is the memory
    boundary — a prompt of max_context − 256 fits with its 256 new tokens, one token more does not."""
    kw = {"precision": "bf16", "gpu": "l4", "batch": 8, "new_tokens": 256}
    r = plan("llama-2-7b", prompt_tokens=512, **kw)
    assert 256 < r.max_context < 4096
    assert plan("llama-2-7b", prompt_tokens=r.max_context - 256, find_limits=False, **kw).fits
    assert not plan("llama-2-7b", prompt_tokens=r.max_context - 255, find_limits=False, **kw).fits


def test_an_encoder_decoder_reads_its_whole_window_whatever_it_writes_and_keeps_its_weights_format():
    r = plan("flan-t5-small", precision="fp32", gpu="l4", batch=1, prompt_tokens=512, new_tokens=512)
    assert r.max_context == 512  # the encoder's window, not 512 + 512 nor 1 + 512
    assert r.memory_components["weights"] == 307_844_608  # fp32: 4 bytes × 76,961,152
    assert plan("flan-t5-small", precision="bf16", gpu="l4", find_limits=False,
                new_tokens=8).memory_components["weights"] == 153_922_304


def test_the_largest_context_never_passes_the_window_even_when_the_output_fills_it():
    r = plan("llama-2-7b", precision="bf16", gpu="h100-80gb", batch=1, prompt_tokens=1, new_tokens=4095)
    assert r.max_context == 4096  # a 1-token prompt and 4,095 new tokens: the whole window, never 4,097


def test_the_assumptions_the_plan_states_read_in_full():
    """What the report and the Serving page print under the numbers: pinned as written, so a change to what the
    calculator says it assumes is a deliberate edit here too."""
    from lifecycle.serving.plan import get_engine

    r = _llama(8, 2, bandwidth_efficiency=0.8, per_layer_overhead_s=1e-5, prefill_utilisation=0.5)
    e = get_engine("cuda-graph")
    assert r.assumptions == [
        (f"Engine: {e.name} — decode reaches 80% of datasheet memory bandwidth, plus 10 µs per layer per step; "
        f"prefill reaches 50% of dense peak FLOP/s ({e.source})."),
        ("Every decode step reads all weights and the whole KV cache once (activations stay in cache); compute time "
        "is used instead when larger (roofline)."),
        ("Static batch: all concurrent sequences start together with the same prompt and output length; a "
        "continuous-batching server holding the same number of sequences has about the same throughput."),
        ("Prefill FLOPs = 2·N + 2·n_layer·n_ctx·d_attn per prompt token (Kaplan et al. 2020, eq. 2.2; N counts the "
        "weights a token is multiplied by — active parameters without the input-embedding lookup; an "
        "encoder-decoder's prompt runs through the encoder only, each new token through the decoder only); "
        "int8/int4 weight-only kernels compute in 16 bit."),
        ("Tensor parallelism over 2 GPUs divides weights, KV cache and FLOPs evenly; the all-reduce traffic between "
        "GPUs is not modelled (assumes NVLink)."),
        "Cost counts GPU time only, at 100% occupancy (no idle time, no CPU, storage or network).",
    ]
    assert _llama(4, 1, n=0).per_sequence_tokens_per_s == 0 and _llama(4, 1, n=0).decode_tokens_per_s == 0
