"""Fitting L(N, D) = E + A/N^α + B/D^β to pilot runs."""

import numpy as np
import pytest

from lifecycle.errors import InvalidInput
from lifecycle.scaling.fit import PilotRuns, fit_scaling_law, read_pilot_csv
from lifecycle.scaling.laws import builtin_law, parametric_allocation, parametric_loss


def _synthetic(law_name="chinchilla3", n=50, noise=0.005, seed=1):
    law = builtin_law(law_name)
    rng = np.random.default_rng(seed)
    N = 10 ** rng.uniform(7, 9.5, n)
    D = 10 ** rng.uniform(9, 11.5, n)
    L = parametric_loss(law, N, D) * np.exp(rng.normal(0, noise, n))
    return law, PilotRuns(params=N.tolist(), tokens=D.tolist(), loss=L.tolist())


def test_fit_recovers_exact_constants_without_noise():
    law, runs = _synthetic(noise=0.0)
    fit = fit_scaling_law(runs, bootstrap=0)
    for k in ("E", "A", "B", "alpha", "beta"):
        assert fit.constants[k] == pytest.approx(law.params[k], rel=1e-3), k
    assert fit.rmse_log < 1e-6


@pytest.mark.slow
@pytest.mark.parametrize("law_name,seed", [("chinchilla3", 1), ("epoch", 2)])
def test_fit_recovers_known_constants_from_noisy_data(law_name, seed):
    # 50 runs, 0.5% multiplicative noise on the loss: exponents within 0.03, E within 3%,
    # and the truth inside the 95% bootstrap interval of E, α, β.
    law, runs = _synthetic(law_name, noise=0.005, seed=seed)
    fit = fit_scaling_law(runs, bootstrap=200)
    assert fit.constants["alpha"] == pytest.approx(law.params["alpha"], abs=0.03)
    assert fit.constants["beta"] == pytest.approx(law.params["beta"], abs=0.03)
    assert fit.constants["E"] == pytest.approx(law.params["E"], rel=0.03)
    for k in ("E", "alpha", "beta"):
        lo, hi = fit.ci95[k]
        assert lo <= law.params[k] <= hi, k
    assert fit.rmse_log == pytest.approx(0.005, rel=0.3)
    # the compute-optimal allocation it implies is close to the true law's at 1e21 FLOPs
    n_fit, _ = parametric_allocation(fit.law, 1e21)
    n_true, _ = parametric_allocation(law, 1e21)
    assert n_fit == pytest.approx(n_true, rel=0.5)
    assert len(fit.residuals) == 50 and fit.law.kind == "parametric"


def test_csv_reading_accepts_aliases_and_blank_lines():
    text = "N,D,L\n" + "\n".join(f"{1e7 * (i + 1)},{1e9 * (i + 2)},{3 - 0.1 * i}" for i in range(8)) + "\n\n"
    runs = read_pilot_csv(text.encode())
    assert len(runs.loss) == 8 and runs.params[0] == 1e7


@pytest.mark.parametrize("text,match", [
    ("", "empty"),
    ("params,loss\n1,2\n", "tokens"),
    ("params,tokens,loss\n1e8,1e9,-2\n", "positive"),
    ("params,tokens,loss\n1e8,abc,2\n", "not a number"),
    ("params,tokens,loss\n" + "1e8,1e9,3\n" * 5, "more runs"),
    ("params,tokens,loss\n" + "1e8,1e9,35.2\n" * 8, "perplexity"),
])
def test_bad_csvs_are_rejected_with_a_clear_message(text, match):
    with pytest.raises(InvalidInput, match=match):
        read_pilot_csv(text)


def test_runs_that_do_not_vary_tokens_cannot_be_fitted():
    runs = PilotRuns(params=[1e7 * i for i in range(1, 8)], tokens=[1e9] * 7, loss=[3.0 - 0.1 * i for i in range(7)])
    with pytest.raises(InvalidInput, match="vary"):
        fit_scaling_law(runs)


@pytest.mark.subprocess
def test_runs_at_one_compute_budget_warn_that_five_constants_are_not_identifiable(tmp_path):
    """Hoffmann et al. 2022 §3.2: an IsoFLOP profile (one budget C, D = C/6N) fixes the optimum at that budget;
    L = E + A/N^α + B·(6N/C)^β there, so B and β (and E with them) cannot be told apart. The fit says so, and a
    bootstrap resample that runs off to e^800 no longer prints NumPy's "overflow encountered in exp"."""
    import subprocess
    import sys
    import warnings

    law = builtin_law("epoch")
    rng = np.random.default_rng(3)
    N = np.logspace(7.5, 9, 10)
    D = 1e19 / (6 * N)
    L = parametric_loss(law, N, D) * np.exp(rng.normal(0, 0.02, 10))
    runs = PilotRuns(params=N.tolist(), tokens=D.tolist(), loss=L.tolist())
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # the overflow was a RuntimeWarning
        fit = fit_scaling_law(runs, bootstrap=30, seed=3)
    assert len(fit.warnings) == 1 and "not identifiable" in fit.warnings[0]
    _, spread = _synthetic()  # runs spread over budgets: no warning
    assert fit_scaling_law(spread, bootstrap=0).warnings == []
    csv = tmp_path / "iso.csv"
    csv.write_text("params,tokens,loss\n" + "".join(f"{n},{d},{l}\n" for n, d, l in zip(N, D, L)))
    out = subprocess.run([sys.executable, "-W", "default", "-m", "lifecycle", "scaling", "fit", str(csv),  # noqa: PLW1510
                          "--bootstrap", "30"], capture_output=True, text=True, timeout=300)
    assert out.returncode == 0 and "overflow" not in out.stderr
    assert "warning: All runs use nearly one compute budget" in out.stdout
