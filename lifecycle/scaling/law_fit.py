"""Fit L(N, D) = E + A/N^α + B/D^β to a team's pilot runs, the way Chinchilla did (Hoffmann 2022 App. D.2).

The model is fitted in log space, log L̂ = LSE(a − α·log N, b − β·log D, e) with A = e^a, B = e^b,
E = e^e, minimising a Huber loss (δ = 1e-3) of log L̂ − log L with L-BFGS. Hoffmann start L-BFGS
from every point of a grid; we evaluate the objective on that grid in one numpy pass and start
L-BFGS from the best grid points, which finds the same minimum for a fraction of the time.
Confidence intervals come from a bootstrap over the runs (Besiroglu 2024 does the same).
"""

from __future__ import annotations

import csv
import io
import itertools
from functools import lru_cache

import numpy as np
from pydantic import BaseModel, Field
from scipy.optimize import minimize
from scipy.special import logsumexp
from threadpoolctl import threadpool_limits

from lifecycle._typed import Result, Setup
from lifecycle.errors import InvalidInput
from lifecycle.scaling.laws import ScalingLaw, make_law, parametric_constants
from lifecycle.scaling.plan import ScalingPlan

HUBER_DELTA = 1e-3  # Hoffmann 2022 App. D.2
N_CONSTANTS = 5
# ln(vocabulary) bounds an untrained model's loss: ln(256k) = 12.5 for the largest common vocabularies.
MAX_LOSS_NATS = 15.0
# Hoffmann 2022 App. D.2 initialisation grid: α, β ∈ {0, 0.5, …, 2}, e ∈ {−1, −0.5, …, 1}, a, b ∈ {0, 5, …, 25}.
GRID = np.array(list(itertools.product(
    np.arange(0, 30, 5.0), np.arange(0, 30, 5.0), np.arange(-1, 1.5, 0.5), np.arange(0, 2.5, 0.5), np.arange(0, 2.5, 0.5),
)))  # columns a, b, e, alpha, beta
COLUMN_ALIASES = {
    "params": ("params", "n", "parameters", "model_size", "n_params"),
    "tokens": ("tokens", "d", "data", "n_tokens", "training_tokens"),
    "loss": ("loss", "l", "final_loss", "eval_loss", "val_loss"),
}


class PilotRuns(BaseModel):
    params: list[float]
    tokens: list[float]
    loss: list[float]


def read_pilot_csv(text: str | bytes) -> PilotRuns:
    """Parse a CSV with columns params, tokens, loss (aliases N, D, L accepted); one line per run."""
    if isinstance(text, bytes):
        try:
            text = text.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise InvalidInput("The CSV is not UTF-8 text.") from None
    # newline="" lets the csv module handle \r\n, lone \r and quoted line breaks itself.
    try:
        rows = list(csv.reader(io.StringIO(text.strip(), newline="")))
    except csv.Error as exc:
        raise InvalidInput(f"The CSV could not be read: {exc}.") from None
    if not rows or not any(cell.strip() for cell in rows[0]):
        raise InvalidInput("The CSV is empty; it needs a header row params,tokens,loss and one line per run.")
    header = [h.strip().lower() for h in rows[0]]
    index = {}
    for field, aliases in COLUMN_ALIASES.items():
        found = [i for i, h in enumerate(header) if h in aliases]
        if not found:
            raise InvalidInput(f"The CSV has no {field!r} column (header: {', '.join(header)}); "
                               "expected columns params, tokens, loss.")
        index[field] = found[0]
    values: dict[str, list[float]] = {f: [] for f in index}
    for line_no, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        for field, i in index.items():
            try:
                v = float(row[i])
            except (IndexError, ValueError):
                raise InvalidInput(f"Line {line_no}: {field} is missing or not a number.") from None
            if not np.isfinite(v) or v <= 0:
                raise InvalidInput(f"Line {line_no}: {field} must be a positive number, got {row[i].strip()!r}.")
            values[field].append(v)
    if max(values["loss"], default=0) > MAX_LOSS_NATS:
        raise InvalidInput(f"A loss of {max(values['loss']):g} is above {MAX_LOSS_NATS:g} nats/token; give the "
                           "cross-entropy in nats (ln of perplexity), not perplexity or bits.")
    n = len(values["loss"])
    if n <= N_CONSTANTS:
        raise InvalidInput(f"The CSV has {n} runs; fitting E, A, B, α, β needs more runs than its "
                           f"{N_CONSTANTS} constants (10-50 pilot runs is typical).")
    return PilotRuns(**values)


def _objective(theta: np.ndarray, log_n: np.ndarray, log_d: np.ndarray, log_l: np.ndarray):
    """Σ Huber(LSE(a − α log N, b − β log D, e) − log L) / δ and its gradient (hand-written: fits run ~100×)."""
    a, b, e, alpha, beta = theta
    t0, t1 = a - alpha * log_n, b - beta * log_d
    m = np.maximum(np.maximum(t0, t1), e)
    x0, x1, x2 = np.exp(t0 - m), np.exp(t1 - m), np.exp(e - m)
    total = x0 + x1 + x2
    r = m + np.log(total) - log_l
    abs_r = np.abs(r)
    small = abs_r <= HUBER_DELTA
    value = np.where(small, 0.5 * r * r, HUBER_DELTA * (abs_r - 0.5 * HUBER_DELTA)).sum() / HUBER_DELTA
    dr = np.where(small, r, HUBER_DELTA * np.sign(r)) / (HUBER_DELTA * total)
    g0, g1 = dr * x0, dr * x1
    grad = np.array([g0.sum(), g1.sum(), (dr * x2).sum(), -(g0 * log_n).sum(), -(g1 * log_d).sum()])
    return value, grad


GRID_CHUNK_POINTS = 256  # points per numpy pass over the grid: ~28 MB of temporaries whatever the file's size


def _grid_objective(log_n, log_d, log_l) -> np.ndarray:
    """The Huber objective at every grid point, summed over the runs a chunk at a time (a 20,000-run file
    once built 4,500 × 20,000 × 3 arrays, 12 GB)."""
    a, b, e, alpha, beta = (GRID[:, i : i + 1] for i in range(5))
    total = np.zeros(len(GRID))
    for start in range(0, len(log_n), GRID_CHUNK_POINTS):
        n, d, loss = (x[start : start + GRID_CHUNK_POINTS] for x in (log_n, log_d, log_l))
        terms = np.stack(np.broadcast_arrays(a - alpha * n, b - beta * d, e + 0 * n))
        r = logsumexp(terms, axis=0) - loss
        total += np.where(np.abs(r) <= HUBER_DELTA, 0.5 * r**2, HUBER_DELTA * (np.abs(r) - 0.5 * HUBER_DELTA)).sum(axis=1)
    return total


def _fit_theta(log_n, log_d, log_l, starts: np.ndarray, ftol: float = 1e-15) -> np.ndarray:
    best, best_value = None, np.inf
    for x0 in starts:
        res = minimize(_objective, x0, args=(log_n, log_d, log_l), jac=True, method="L-BFGS-B",
                       options={"maxiter": 2000, "ftol": ftol, "gtol": 1e-10})
        if res.fun < best_value:
            best, best_value = res.x, res.fun
    return best


def _law_params(theta: np.ndarray) -> dict[str, float]:
    a, b, e, alpha, beta = theta
    with np.errstate(over="ignore"):  # a resample that runs off to e^800 gives inf, which the caller drops
        return {"E": float(np.exp(e)), "A": float(np.exp(a)), "B": float(np.exp(b)), "alpha": float(alpha), "beta": float(beta)}


class FitResult(BaseModel):
    law: ScalingLaw
    n_points: int
    constants: dict[str, float]  # E, A, B, alpha, beta, plus G, a, b of the compute-optimal allocation
    ci95: dict[str, tuple[float, float]]  # bootstrap 2.5th-97.5th percentiles
    residuals: list[dict]  # params, tokens, loss, predicted, residual_log
    rmse_log: float
    bootstrap_samples: int
    warnings: list[str] = []  # what the runs cannot tell apart (one compute budget: B and β are not separable)


def fit_scaling_law(
    runs: PilotRuns, *, name: str = "my-fit", n_starts: int = 8, bootstrap: int = 200, seed: int = 0,
) -> FitResult:
    # L-BFGS-B's 5x5 linear algebra gains nothing from BLAS threads, and on a busy machine their
    # spin-waiting made a fit 10-20x slower (measured: 0.7 s vs up to 17 s); one thread is steady.
    with threadpool_limits(limits=1, user_api="blas"):
        return _fit_scaling_law(runs, name=name, n_starts=n_starts, bootstrap=bootstrap, seed=seed)


def _fit_scaling_law(runs: PilotRuns, *, name: str, n_starts: int, bootstrap: int, seed: int) -> FitResult:
    log_n, log_d, log_l = (np.log(np.asarray(v)) for v in (runs.params, runs.tokens, runs.loss))
    if len(log_l) <= N_CONSTANTS:
        raise InvalidInput(f"Need more than {N_CONSTANTS} runs to fit 5 constants, got {len(log_l)}.")
    if np.ptp(log_n) < 1e-9 or np.ptp(log_d) < 1e-9:
        raise InvalidInput("The runs must vary both params and tokens to separate A/N^α from B/D^β.")
    order = np.argsort(_grid_objective(log_n, log_d, log_l))
    theta = _fit_theta(log_n, log_d, log_l, GRID[order[:n_starts]])
    params = _law_params(theta)
    law = make_law(name, "parametric", params, title=name,
                   source=f"Fitted to {len(log_l)} pilot runs (Huber δ={HUBER_DELTA} on log loss, L-BFGS)")
    derived = parametric_constants(law)

    rng = np.random.default_rng(seed)
    samples = []
    for _ in range(bootstrap):
        idx = rng.integers(0, len(log_l), len(log_l))
        if np.ptp(log_n[idx]) < 1e-9 or np.ptp(log_d[idx]) < 1e-9:
            continue
        # resamples start at the point estimate; percentiles need 1e-10 relative precision, not 1e-15
        t = _fit_theta(log_n[idx], log_d[idx], log_l[idx], theta[None, :], ftol=1e-10)
        p = _law_params(t)
        s = p["alpha"] + p["beta"]
        row = [p["E"], p["A"], p["B"], p["alpha"], p["beta"], p["beta"] / s if s else float("nan")]
        if all(np.isfinite(row)):  # a resample whose fit ran off to exp(b) = ∞ says nothing about the interval
            samples.append(row)
    ci = {}
    if samples:
        lo, hi = np.percentile(np.array(samples), [2.5, 97.5], axis=0)
        ci = {k: (float(lo[i]), float(hi[i])) for i, k in enumerate(["E", "A", "B", "alpha", "beta", "a"])}

    predicted = np.exp(logsumexp(np.stack([theta[0] - theta[3] * log_n, theta[1] - theta[4] * log_d,
                                           np.full_like(log_n, theta[2])]), axis=0))
    res_log = np.log(predicted) - log_l
    residuals = [{"params": n, "tokens": d, "loss": l, "predicted": float(p), "residual_log": float(r)}
                 for n, d, l, p, r in zip(runs.params, runs.tokens, runs.loss, predicted, res_log)]
    law.extra = {"ci95": ci, "n_points": len(log_l)}
    return FitResult(law=law, n_points=len(log_l), constants={**params, **derived}, ci95=ci,
                     residuals=residuals, rmse_log=float(np.sqrt(np.mean(res_log**2))),
                     bootstrap_samples=len(samples), warnings=identifiability_warnings(log_n, log_d))


SAME_BUDGET_SPREAD = np.log(1.5)  # runs whose budgets C = 6·N·D all lie within a factor 1.5 count as one budget


def identifiability_warnings(log_n: np.ndarray, log_d: np.ndarray) -> list[str]:
    """At one compute budget D = C/(6N), so B/D^β = B·(6/C)^β·N^β: only B·C^−β is fitted, and E trades off against
    it (an IsoFLOP profile, Hoffmann 2022 §3.2 Approach 2, fixes N_opt at that budget, not the five constants)."""
    spread = float(np.ptp(log_n + log_d))
    if spread > SAME_BUDGET_SPREAD:
        return []
    return [(f"All runs use nearly one compute budget (C = 6·N·D varies {np.exp(spread):.2f}×): the five constants "
             "are not identifiable from them (B and β trade off, and E with them); the fit describes this budget "
             "only. Add runs at budgets at least 3× apart (Hoffmann 2022 used nine).")]


MAX_CSV_CHARS = 2_000_000  # tens of thousands of runs; far more than any pilot study
MAX_BOOTSTRAP = 2_000


class LawFitSetup(Setup):
    """Pilot runs (CSV text: params, tokens, loss) to fit a law to, and the budgets to read it at."""

    csv_text: str = Field(min_length=1, max_length=MAX_CSV_CHARS)
    name: str = Field("my-fit", min_length=1, max_length=100)
    bootstrap: int = Field(200, ge=0, le=MAX_BOOTSTRAP)
    budgets_flops: tuple[float, ...] = Field((1e19, 1e21, 1e23, 1e25), min_length=1, max_length=20)


class LawFit(Result):
    fit: FitResult
    allocations: list[ScalingPlan]  # the fitted law's compute-optimal N, D and loss at each budget


@lru_cache(maxsize=8)
def law_fit(setup: LawFitSetup) -> LawFit:
    """The fit calculator: the law fitted to the pilot runs, and the compute-optimal split it implies."""
    from lifecycle.scaling.plan import plans_for_laws

    fit = fit_scaling_law(read_pilot_csv(setup.csv_text), name=setup.name.strip() or "my-fit",
                          bootstrap=setup.bootstrap)
    return LawFit(fit=fit, allocations=[plans_for_laws([fit.law], compute_flops=c)[0] for c in setup.budgets_flops])
