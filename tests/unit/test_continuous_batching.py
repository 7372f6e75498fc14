"""Continuous batching: the request-level view (TTFT, inter-token latency, p95, the settled batch) of a load.

Checked against published vLLM measurements and against Little's law:
- Mistral-7B-Instruct-v0.3 on one RTX 4090 with vLLM, 256 input → 128 output tokens, ``--max-concurrency`` 4/8/16/32/48
  (https://mushfiqrahman.dev/?p=1668, "Part 1 — Full Concurrency Sweep"): output 210 / 377 / 644 / 975 / 1190 tok/s;
  mean TTFT 63 / 79 / 155 / 362 / 667 ms.
- Llama-3.1-8B-Instruct BF16 on one A100 40GB, vLLM 0.23.0, 1024 → 128 tokens
  (https://johnmusgrave.com/p/vllm-throughput-latency-sweep-on): "decode at one request … about 75 tokens/sec".
- Little's law (Little 1961): the mean number of requests in the system equals the arrival rate × the mean time
  each spends there.
"""

from __future__ import annotations

import pytest

from lifecycle.errors import InvalidInput
from lifecycle.models.ref import ModelRef
from lifecycle.serving.batching import BatchingSetup, continuous_batching
from lifecycle.serving.plan import ServingSetup

MISTRAL_4090 = ServingSetup(model=ModelRef.catalog("mistral-7b-v0.1"), gpu="rtx-4090", prompt_tokens=256,
                            new_tokens=128)
PUBLISHED = [(4, 210, 63), (8, 377, 79), (16, 644, 155), (32, 975, 362), (48, 1190, 667)]


@pytest.mark.parametrize("concurrency, tokens_per_s, ttft_ms", PUBLISHED)
def test_output_throughput_under_concurrency_matches_published_vllm_within_10_percent(concurrency, tokens_per_s,
                                                                                       ttft_ms):
    """Output tokens/s within 10 % at every concurrency (the decode steps dominate). TTFT is where the model is
    coarser: every closed-loop wave's prompts are prefilled together at the H200-measured prefill utilisation, so
    the mean TTFT comes out 1.6-4x the blog's (it is reported, not hidden; the p95 is the safer planning figure)."""
    view = continuous_batching(BatchingSetup(serving=MISTRAL_4090, concurrency=concurrency, requests=300))
    assert view.throughput_tokens_per_s == pytest.approx(tokens_per_s, rel=0.10)
    assert ttft_ms / 1000 < view.ttft_mean_s < 4.5 * ttft_ms / 1000
    assert view.settled_batch == pytest.approx(concurrency, rel=0.15)


def test_one_request_at_a_time_decodes_as_published_on_an_a100():
    """~75 tok/s for one request (Llama-3.1-8B BF16, A100 40GB, vLLM 0.23): within 15 %."""
    setup = ServingSetup(model=ModelRef.catalog("llama3.1-8b"), gpu="a100-40gb", prompt_tokens=1024, new_tokens=128)
    view = continuous_batching(BatchingSetup(serving=setup, concurrency=1, requests=20))
    assert 1 / view.itl_mean_s == pytest.approx(75, rel=0.15)


def test_an_arrival_rate_settles_at_the_batch_littles_law_predicts():
    """Open loop, Poisson arrivals: the settled batch is λ × the mean time a request runs (Little's law), within 10 %
    with λ the rate realised over the measured requests;
    TTFT and p95 grow with the rate; past the engine's capacity the queue grows and the view says so."""
    llama = ServingSetup(model=ModelRef.catalog("llama3.1-8b"), gpu="h100-80gb", prompt_tokens=512, new_tokens=256)
    views = [continuous_batching(BatchingSetup(serving=llama, arrival_rate_rps=rate, requests=400))
             for rate in (2.0, 10.0, 30.0)]
    for view in views:
        assert view.settled_batch == pytest.approx(view.requests_per_s * view.latency_mean_s, rel=0.10)
        assert view.ttft_p95_s >= view.ttft_mean_s and view.latency_p95_s >= view.latency_mean_s
        assert not view.saturated
    assert views[0].itl_mean_s < views[2].itl_mean_s and views[0].settled_batch < views[2].settled_batch
    overload = continuous_batching(BatchingSetup(serving=llama, arrival_rate_rps=500.0, requests=400))
    assert overload.saturated and any("outpace" in n for n in overload.notes)


def test_the_static_batch_figure_stays_beside_the_request_view():
    """serving_plan's TTFT is the whole static batch's prefill (0.87 s for 16 × 2,048 tokens on an H100 before
    this issue); under continuous batching one request's TTFT is its own prefill chunk plus queueing."""
    setup = ServingSetup(model=ModelRef.catalog("llama3.1-8b"), gpu="h100-80gb", prompt_tokens=2048, new_tokens=256)
    view = continuous_batching(BatchingSetup(serving=setup, arrival_rate_rps=1.0, arrivals="uniform", requests=60))
    assert view.ttft_mean_s < view.static_ttft_s or view.settled_batch < 2
    with pytest.raises(InvalidInput):
        BatchingSetup(serving=setup, arrival_rate_rps=1.0, concurrency=4)


def test_serve_plan_prints_the_request_view_beside_the_static_batch(capsys):
    """``lifecycle serve-plan --arrival-rate`` adds the continuous-batching view; the static figures are named so."""
    import json

    from lifecycle.cli import main

    args = ["serve-plan", "--model", "llama3.1-8b", "--gpu", "h100-80gb", "--batch", "4", "--context", "768",
            "--new-tokens", "256"]
    assert main([*args, "--arrival-rate", "5"]) == 0
    out = capsys.readouterr().out
    assert "static batch (all 4 start together)" in out and "continuous batching at 5 requests/s" in out
    assert main([*args, "--concurrency", "8", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["continuous_batching"]["concurrency"] == 8 and data["continuous_batching"]["ttft_p95_s"] > 0
    assert main([*args, "--concurrency", "8", "--arrival-rate", "5"]) == 2
