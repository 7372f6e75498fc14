"""Work that grows with input is bounded: big inputs finish with bounded memory or are refused in one line.

Found by review: a 20,000-row pilot-run CSV (635 KB) made ``scaling fit`` build 4,500 × 20,000 × 3 arrays
(12 GB of RSS); sampling and bootstrap counts had no ceiling; building a distribution was quadratic.
"""

from __future__ import annotations

import time
import tracemalloc

import numpy as np
import pytest

from lifecycle.errors import InvalidInput
from lifecycle.scaling import law_fit as fit_module
from lifecycle.scaling.law_fit import MAX_BOOTSTRAP, MAX_CSV_CHARS, LawFitSetup, law_fit
from lifecycle.serving.sampling import MAX_SAMPLES, SamplingSetup, make_distribution


def _csv(points: int) -> str:
    rng = np.random.default_rng(0)
    n, d = 10 ** rng.uniform(7, 10, points), 10 ** rng.uniform(9, 12, points)
    loss = (1.69 + 406.4 / n**0.34 + 410.7 / d**0.28) * np.exp(rng.normal(0, 0.01, points))
    return "params,tokens,loss\n" + "\n".join(f"{a:.6g},{b:.6g},{c:.6g}" for a, b, c in zip(n, d, loss))


def _fit_peak_bytes(points: int):
    text = _csv(points)
    assert len(text) < MAX_CSV_CHARS
    tracemalloc.start()
    try:
        result = law_fit(LawFitSetup(csv_text=text, bootstrap=0))
        return tracemalloc.get_traced_memory()[1], result
    finally:
        tracemalloc.stop()


@pytest.mark.slow
def test_a_fit_of_20000_runs_keeps_its_memory_bounded():
    small_peak, _ = _fit_peak_bytes(2_000)
    peak, result = _fit_peak_bytes(20_000)
    # 10× the runs, about the same peak: the grid is walked in chunks (it was 4,500 × N × 3 at once: 2 GB+)
    assert peak < small_peak + 50e6 and peak < 400e6, (small_peak / 1e6, peak / 1e6)
    assert abs(result.fit.constants["alpha"] - 0.34) < 0.02 and abs(result.fit.constants["beta"] - 0.28) < 0.02


@pytest.mark.slow
def test_the_chunked_grid_equals_the_whole_grid():
    rng = np.random.default_rng(1)
    log_n, log_d = rng.uniform(15, 23, 700), rng.uniform(20, 27, 700)
    log_l = np.log(1.7 + np.exp(6 - 0.34 * log_n) + np.exp(6 - 0.28 * log_d))
    chunked = fit_module._grid_objective(log_n, log_d, log_l)
    old = fit_module.GRID_CHUNK_POINTS
    try:
        fit_module.GRID_CHUNK_POINTS = 10**9
        whole = fit_module._grid_objective(log_n, log_d, log_l)
    finally:
        fit_module.GRID_CHUNK_POINTS = old
    np.testing.assert_allclose(chunked, whole, rtol=1e-12)


@pytest.mark.parametrize("make", [
    lambda: LawFitSetup(csv_text="params,tokens,loss\n1,1,1", bootstrap=MAX_BOOTSTRAP + 1),
    lambda: LawFitSetup(csv_text="x" * (MAX_CSV_CHARS + 1)),
    lambda: SamplingSetup.from_text("a 0.5, b 0.5", samples=MAX_SAMPLES + 1),
])
def test_sizes_beyond_the_documented_caps_are_one_line(make):
    with pytest.raises(InvalidInput) as caught:
        make()
    assert "\n" not in str(caught.value)


def test_a_vocabulary_sized_distribution_builds_in_linear_time():
    """GPT-2's 50,257 tokens took 15 s when each token was checked with ``token in list``."""
    tokens = {f"tok{i}": 1.0 for i in range(50_257)}
    small = {f"tok{i}": 1.0 for i in range(5_000)}
    started = time.process_time()
    make_distribution(small)
    small_s = time.process_time() - started
    started = time.process_time()
    dist = make_distribution(tokens)
    big_s = time.process_time() - started
    assert len(dist.tokens) == 50_257
    assert big_s < 10 * small_s + 0.5  # ~10× the tokens, ~10× the time (quadratic would be ~100×)


def test_an_import_file_is_size_checked_before_it_is_read(tmp_path, monkeypatch, capsys):
    from lifecycle.cli import main as cli
    from lifecycle.records.transfer import MAX_IMPORT_BYTES

    monkeypatch.setenv("LIFECYCLE_DATABASE_URL", f"sqlite:///{tmp_path}/t.db")
    big = tmp_path / "big.json"
    with open(big, "wb") as fh:  # sparse: the size is there, the bytes are never read
        fh.truncate(MAX_IMPORT_BYTES + 1)
    read = []
    monkeypatch.setattr(type(big), "read_bytes", lambda self: read.append(self) or b"")
    assert cli(["projects", "import", str(big)]) == 2
    assert read == [] and "limit" in capsys.readouterr().err
