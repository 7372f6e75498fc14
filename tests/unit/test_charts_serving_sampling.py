"""Sampling and serving charts, and the saved-scenario redraw registry."""

import numpy as np

from lifecycle.charts import scenario_figure, scenario_kinds
from lifecycle.charts.sampling import DROPPED, KEPT, distribution_figure, frequency_figure
from lifecycle.charts.serving import memory_vs_sequences_figure, throughput_vs_batch_figure
from lifecycle.models.ref import ModelRef
from lifecycle.records.scenarios import make_scenario
from lifecycle.serving.plan import ServingSetup, serving_point
from lifecycle.serving.sampling import SamplingSetup, default_distribution, sample_frequencies, transform


def test_both_kinds_are_registered():
    assert {"sampling", "serving"} <= set(scenario_kinds())


def test_distribution_chart_highlights_the_kept_set():
    t = transform(default_distribution(), top_p=0.3)
    fig = distribution_figure(t)
    after = fig.data[-1]
    assert list(after.x[:3]) == ["cake", "donut", "banana"]
    assert list(after.marker.color[:3]) == [KEPT, KEPT, DROPPED]
    assert after.y[0] == 2 / 3 and "Kept 2 of 71" in fig.layout.title.text


def test_frequency_chart_shows_draws_next_to_probabilities():
    t = transform(default_distribution(), top_k=3)  # k = 4 would keep 71: apple ties with 67 tail words
    freqs = sample_frequencies(np.asarray(t.final), 5000, 1)
    fig = frequency_figure(t.tokens, t.final, freqs.tolist(), 5000, 1)
    assert [tr.name for tr in fig.data] == ["probability", "frequency in 5,000 draws"]
    assert len(fig.data[0].x) == 3


def test_serving_charts_draw_the_gpu_line_and_mark_batches_that_do_not_fit():
    setup = ServingSetup(model=ModelRef.catalog("llama-2-7b"), gpu="a100-40gb", prompt_tokens=1024, new_tokens=256)
    plans = [serving_point(setup, b, find_limits=False) for b in (1, 16, 256, 1024)]
    mem = memory_vs_sequences_figure(plans)
    assert any(s.type == "line" for s in mem.layout.shapes)  # the GPU's memory
    assert {"weights", "KV cache"} <= {tr.name for tr in mem.data}
    thr = throughput_vs_batch_figure(plans)
    assert "does not fit in memory" in {tr.name for tr in thr.data}


def test_saved_scenarios_redraw():
    sampling = make_scenario(SamplingSetup(distribution=(("a", 0.7), ("b", 0.3)), samples=100), name="s")
    assert len(scenario_figure(sampling).data) >= 4
    serving = make_scenario(ServingSetup(model=ModelRef.catalog("llama-2-7b"), concurrent_sequences=8, precision="bf16",
                                         gpu="h100-80gb", prompt_tokens=512, new_tokens=128, engine="cuda-graph"),
                            name="v")
    fig = scenario_figure(serving)
    assert len(fig.data) > 3
    # drawn from the stored sweep: the chosen batch and the largest fitting one are on the chart
    assert {"8", str(serving.result.max_batch)} <= set(fig.data[0].x)
