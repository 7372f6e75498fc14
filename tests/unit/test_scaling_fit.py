"""Fitting L(N, D) = E + A/N^α + B/D^β to pilot runs."""

import numpy as np
import pytest

from lifecycle.errors import InvalidInput
from lifecycle.scaling.law_fit import PilotRuns, fit_scaling_law, read_pilot_csv
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


def test_the_start_grid_is_hoffmanns_appendix_d2_grid():
    """Hoffmann 2022 App. D.2: α, β ∈ {0, 0.5, …, 2}, e ∈ {−1, −0.5, …, 1}, a, b ∈ {0, 5, …, 25}; Huber δ = 1e-3."""
    from lifecycle.scaling.law_fit import GRID, HUBER_DELTA

    assert HUBER_DELTA == 1e-3
    assert GRID.shape == (6 * 6 * 5 * 5 * 5, 5)
    a, b, e, alpha, beta = (sorted(set(GRID[:, i])) for i in range(5))
    assert a == b == [0, 5, 10, 15, 20, 25]
    assert e == [-1, -0.5, 0, 0.5, 1]
    assert alpha == beta == [0, 0.5, 1, 1.5, 2]


def test_the_hand_written_gradient_is_the_objectives_derivative():
    """The Huber objective's gradient (hand-written for speed) against central finite differences, in both the
    quadratic (|r| ≤ δ) and the linear regime; relative tolerance 1e-4."""
    from lifecycle.scaling.law_fit import _objective

    _, runs = _synthetic(n=20, noise=0.0005, seed=4)
    log_n, log_d, log_l = (np.log(np.asarray(v)) for v in (runs.params, runs.tokens, runs.loss))
    truth = np.log([406.4, 410.7, 1.69]).tolist() + [0.34, 0.28]
    for theta in (np.array(truth), np.array([5.0, 7.0, 0.3, 0.3, 0.3])):
        _, grad = _objective(theta, log_n, log_d, log_l)
        step = 1e-7
        numeric = [(_objective(theta + step * np.eye(5)[i], log_n, log_d, log_l)[0]
                    - _objective(theta - step * np.eye(5)[i], log_n, log_d, log_l)[0]) / (2 * step) for i in range(5)]
        assert grad == pytest.approx(numeric, rel=1e-4, abs=1e-6)


def test_the_grid_objective_is_the_huber_loss_summed_over_chunks():
    """The grid pass sums the same Huber terms as the L-BFGS objective (which divides by δ), across chunk edges."""
    from lifecycle.scaling.law_fit import (
        GRID,
        GRID_CHUNK_POINTS,
        HUBER_DELTA,
        _grid_objective,
        _objective,
    )

    _, runs = _synthetic(n=GRID_CHUNK_POINTS + 44, noise=0.01, seed=5)
    log_n, log_d, log_l = (np.log(np.asarray(v)) for v in (runs.params, runs.tokens, runs.loss))
    grid = _grid_objective(log_n, log_d, log_l)
    for i in (0, 1234, len(GRID) - 1):
        assert grid[i] == pytest.approx(_objective(GRID[i], log_n, log_d, log_l)[0] * HUBER_DELTA, rel=1e-9)


def test_a_fit_reports_its_constants_intervals_and_residuals():
    _, runs = _synthetic(n=30, noise=0.002, seed=6)
    fit = fit_scaling_law(runs, name="pilot", bootstrap=20, seed=1)
    assert fit.law.name == "pilot" and fit.law.kind == "parametric" and fit.n_points == 30
    assert fit.law.source == "Fitted to 30 pilot runs (Huber δ=0.001 on log loss, L-BFGS)"
    assert fit.law.extra == {"ci95": fit.ci95, "n_points": 30}
    assert set(fit.constants) == {"E", "A", "B", "alpha", "beta", "G", "a", "b"}
    assert fit.constants["a"] == pytest.approx(fit.constants["beta"] / (fit.constants["alpha"] + fit.constants["beta"]))
    assert set(fit.ci95) == {"E", "A", "B", "alpha", "beta", "a"} and fit.bootstrap_samples == 20
    for k in ("E", "alpha", "beta"):
        assert fit.ci95[k][0] <= fit.constants[k] * 1.05 and fit.ci95[k][1] >= fit.constants[k] * 0.95
    r = fit.residuals[0]
    assert (r["params"], r["tokens"], r["loss"]) == (runs.params[0], runs.tokens[0], runs.loss[0])
    assert r["predicted"] == pytest.approx(parametric_loss(fit.law, r["params"], r["tokens"]), rel=1e-9)
    assert r["residual_log"] == pytest.approx(np.log(r["predicted"] / r["loss"]), abs=1e-12)
    rms = np.sqrt(np.mean([x["residual_log"] ** 2 for x in fit.residuals]))
    assert fit.rmse_log == pytest.approx(rms, rel=1e-9)
    no_boot = fit_scaling_law(runs, bootstrap=0)
    assert no_boot.ci95 == {} and no_boot.bootstrap_samples == 0


@pytest.mark.parametrize("spread, warned", [(1.45, True), (1.6, False)])
def test_one_budget_means_budgets_within_a_factor_1_5(spread, warned):
    from lifecycle.scaling.law_fit import identifiability_warnings

    log_n = np.log(np.logspace(7, 9, 8))
    log_d = np.log(1e19 / 6) - log_n + np.linspace(0, np.log(spread), 8)
    out = identifiability_warnings(log_n, log_d)
    assert bool(out) == warned
    if warned:
        assert out[0].startswith(f"All runs use nearly one compute budget (C = 6·N·D varies {spread:.2f}×)")


def test_the_fit_calculator_reads_the_csv_and_plans_each_budget():
    from lifecycle.scaling.law_fit import LawFitSetup, law_fit

    _, runs = _synthetic(n=12, noise=0.0, seed=7)
    text = "params,tokens,loss\n" + "\n".join(f"{n!r},{d!r},{l!r}" for n, d, l in zip(runs.params, runs.tokens,
                                                                                       runs.loss))
    result = law_fit(LawFitSetup(csv_text=text, name="  team  ", bootstrap=0, budgets_flops=(1e20, 1e22)))
    assert result.fit.law.name == "team"
    assert [p.compute_flops for p in result.allocations] == [1e20, 1e22]
    assert result.allocations[1].params == pytest.approx(parametric_allocation(result.fit.law, 1e22)[0], rel=1e-9)


@pytest.mark.parametrize("header", [
    "parameters,n_tokens,final_loss", "model_size,training_tokens,eval_loss", "n_params,data,val_loss",
    " Params , TOKENS , Loss ", "n,d,l",
])
def test_every_column_alias_is_read(header):
    text = header + "\n" + "\n".join(f"{1e7 * (i + 1)},{1e9 * (i + 2)},{3 - 0.1 * i}" for i in range(6))
    runs = read_pilot_csv(text)
    assert runs.params[5] == 6e7 and runs.tokens[5] == 7e9 and runs.loss[5] == pytest.approx(2.5)


def test_csv_bytes_lines_and_limits():
    rows = "".join(f"{1e7 * (i + 1)},{1e9 * (i + 2)},{3 - 0.1 * i}\r\n" for i in range(6))
    assert len(read_pilot_csv(("\ufeffparams,tokens,loss\r\n" + rows).encode()).loss) == 6  # BOM and CRLF
    assert read_pilot_csv("loss,params,tokens\n" + "3,1e7,1e9\n" * 6).params == [1e7] * 6  # any column order
    assert max(read_pilot_csv("params,tokens,loss\n" + "1e7,1e9,15\n" * 6).loss) == 15  # ln(vocab) bound inclusive
    with pytest.raises(InvalidInput, match="The CSV is not UTF-8 text"):
        read_pilot_csv(b"params,tokens,loss\n\xff\xfe")
    with pytest.raises(InvalidInput, match="Line 3: tokens is missing or not a number"):
        read_pilot_csv("params,tokens,loss\n1e7,1e9,3\n1e7\n")
    with pytest.raises(InvalidInput, match="Line 2: params must be a positive number, got '0'"):
        read_pilot_csv("params,tokens,loss\n0,1e9,3\n")
    with pytest.raises(InvalidInput, match="Line 2: loss must be a positive number, got 'nan'"):
        read_pilot_csv("params,tokens,loss\n1e7,1e9,nan\n")
    with pytest.raises(InvalidInput, match="The CSV has no 'loss' column \\(header: params, tokens, ppl\\)"):
        read_pilot_csv("params,tokens,ppl\n1,2,3\n")
    with pytest.raises(InvalidInput, match="A loss of 15.1 is above 15 nats/token"):
        read_pilot_csv("params,tokens,loss\n" + "1e7,1e9,15.1\n" * 6)
    with pytest.raises(InvalidInput, match="The CSV has 5 runs; fitting E, A, B, α, β needs more runs than its 5"):
        read_pilot_csv("params,tokens,loss\n" + "1e7,1e9,3\n" * 5)
    with pytest.raises(InvalidInput, match="The CSV is empty"):
        read_pilot_csv(" , ,\n1,2,3\n")
