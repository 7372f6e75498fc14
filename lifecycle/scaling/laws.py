"""Scaling laws: Kaplan 2020, Chinchilla Approaches 1-3 (Hoffmann 2022) and Epoch's replication.

Three kinds of law, all evaluated with numpy so a chart of hundreds of budgets is one call:
- ``kaplan``: power laws in non-embedding parameters N and PF-days of compute (Kaplan Sec 1.3).
  We feed them the caller's N as if it were non-embedding and C/8.64e19 as PF-days, and say so.
- ``power_law``: N_opt = k_N·C^a, D_opt = k_D·C^b with C in FLOPs (Chinchilla Approaches 1 and 2).
- ``parametric``: L(N, D) = E + A/N^α + B/D^β under C = 6·N·D (Chinchilla Eq 2, Approach 3).
Constants live in data/scaling_laws.json with their sources; saved fits add rows to the database.
"""

from __future__ import annotations

import json
import math
from functools import lru_cache
from typing import Literal

import numpy as np
from pydantic import BaseModel, Field, field_validator, model_validator

from lifecycle.errors import InvalidInput, NotFound
from lifecycle.resources import data_path
from lifecycle.scaling.compute import PF_DAY_FLOPS, TRAIN_FLOPS_PER_PARAM_TOKEN

LawKind = Literal["kaplan", "power_law", "parametric"]
REQUIRED_PARAMS: dict[str, tuple[str, ...]] = {
    "kaplan": ("alpha_N", "N_c", "alpha_D", "D_c", "alpha_C_min", "C_c_min_pf_days",
               "nd_alpha_N", "nd_alpha_D", "nd_N_c", "nd_D_c", "N_e", "p_N", "D_e", "p_D", "B_e", "p_B", "S_e", "p_S"),
    "power_law": ("a", "k_N", "b", "k_D"),
    "parametric": ("E", "A", "B", "alpha", "beta"),
}
LAW_NAME_MAX_CHARS = 100


class ScalingLaw(BaseModel):
    name: str
    kind: LawKind
    params: dict[str, float]
    title: str = ""
    source: str = ""
    builtin: bool = False
    created_by: str = ""
    extra: dict = Field(default_factory=dict)  # fit diagnostics (CIs, n_points) for user fits

    @field_validator("name")
    @classmethod
    def _sane_name(cls, v: str) -> str:
        v = (v or "").strip()
        if not v or len(v) > LAW_NAME_MAX_CHARS:
            raise ValueError(f"law name must be 1-{LAW_NAME_MAX_CHARS} characters")
        return v

    @model_validator(mode="after")
    def _has_its_constants(self) -> ScalingLaw:
        missing = [k for k in REQUIRED_PARAMS[self.kind] if k not in self.params]
        if missing:
            raise ValueError(f"{self.kind} law needs {', '.join(missing)}")
        bad = [k for k in REQUIRED_PARAMS[self.kind] if not (math.isfinite(self.params[k]) and self.params[k] > 0)]
        if bad:
            raise ValueError(f"constants must be positive and finite: {', '.join(bad)}")
        return self

    @property
    def label(self) -> str:
        return self.title or self.name

    @property
    def predicts_loss(self) -> bool:
        return self.kind != "power_law"


def make_law(name: str, kind: str, params: dict, **fields) -> ScalingLaw:
    """Build a law, turning pydantic's validation error into one readable InvalidInput line."""
    from pydantic import ValidationError

    try:
        return ScalingLaw(name=name, kind=kind, params=params, **fields)
    except ValidationError as exc:
        first = exc.errors()[0]
        raise InvalidInput(f"Invalid scaling law {name!r}: {first['msg']}.") from None


@lru_cache(maxsize=1)
def _builtin() -> dict[str, ScalingLaw]:
    rows = json.loads(data_path("scaling_laws.json").read_text())["laws"]
    return {r["name"]: ScalingLaw(**r, builtin=True) for r in rows}


def builtin_laws() -> list[ScalingLaw]:
    return list(_builtin().values())


def builtin_law(name: str) -> ScalingLaw:
    try:
        return _builtin()[name]
    except KeyError:
        raise NotFound(f"Unknown scaling law {name!r}; built-in laws: {', '.join(_builtin())}.") from None


def _arr(x) -> np.ndarray:
    a = np.asarray(x, dtype=float)
    if np.any(~np.isfinite(a)) or np.any(a <= 0):
        raise InvalidInput("Parameters, tokens and compute must be positive finite numbers.")
    return a


def _out(a: np.ndarray):
    return float(a) if a.ndim == 0 else a


# ---- Kaplan et al. 2020 (N non-embedding, C in PF-days) ----

def kaplan_loss_of_params(law: ScalingLaw, n):
    """Eq 1.1: L(N) = (N_c/N)^α_N, data and compute unlimited."""
    p = law.params
    return _out((p["N_c"] / _arr(n)) ** p["alpha_N"])


def kaplan_loss_of_tokens(law: ScalingLaw, d):
    """Eq 1.2: L(D) = (D_c/D)^α_D, large model with early stopping."""
    p = law.params
    return _out((p["D_c"] / _arr(d)) ** p["alpha_D"])


def kaplan_loss_of_compute(law: ScalingLaw, c_pf_days):
    """Eq 1.3: L(C_min) = (C_c^min/C_min)^α_C^min on the compute-efficient frontier."""
    p = law.params
    return _out((p["C_c_min_pf_days"] / _arr(c_pf_days)) ** p["alpha_C_min"])


def kaplan_loss_params_tokens(law: ScalingLaw, n, d):
    """Eq 1.5 with the Table 2 joint fit: L(N, D) = [(N_c/N)^(α_N/α_D) + D_c/D]^α_D."""
    p = law.params
    n, d = _arr(n), _arr(d)
    return _out(((p["nd_N_c"] / n) ** (p["nd_alpha_N"] / p["nd_alpha_D"]) + p["nd_D_c"] / d) ** p["nd_alpha_D"])


def kaplan_limit_loss(law: ScalingLaw, *, params: float | None = None, tokens: float | None = None) -> float:
    """Kaplan's one-variable laws: L(N) (Eq 1.1, trained to convergence on unlimited data) from ``params`` alone, or
    L(D) (Eq 1.2, a large model with early stopping) from ``tokens`` alone."""
    if law.kind != "kaplan" or (params is None) == (tokens is None):
        raise InvalidInput("L(N) and L(D) are Kaplan's laws: give --law kaplan and either parameters or tokens.")
    value = params if params is not None else tokens
    if not (isinstance(value, (int, float)) and math.isfinite(value) and value >= 1):
        raise InvalidInput(f"Parameters or tokens must be a finite number ≥ 1 (got {value!r}).")
    return float(kaplan_loss_of_params(law, value) if params is not None else kaplan_loss_of_tokens(law, value))


def kaplan_frontier(law: ScalingLaw, c_pf_days) -> dict:
    """Table 6: N_opt = N_e·C^0.73, B = B_e·C^0.24 tokens, S_min = S_e·C^0.03, D_opt = D_e·C^0.27 (C in PF-days)."""
    p, c = law.params, _arr(c_pf_days)
    return {
        "params": _out(p["N_e"] * c ** p["p_N"]),
        "tokens": _out(p["D_e"] * c ** p["p_D"]),
        "batch_tokens": _out(p["B_e"] * c ** p["p_B"]),
        "steps": _out(p["S_e"] * c ** p["p_S"]),
    }


# ---- Chinchilla parametric loss (Hoffmann 2022 Eq 2 and Eq 4) ----

def parametric_loss(law: ScalingLaw, n, d):
    """Eq 2: L(N, D) = E + A/N^α + B/D^β."""
    p = law.params
    return _out(p["E"] + p["A"] / _arr(n) ** p["alpha"] + p["B"] / _arr(d) ** p["beta"])


def parametric_constants(law: ScalingLaw) -> dict[str, float]:
    """Eq 4: G = (αA/(βB))^(1/(α+β)), a = β/(α+β), b = α/(α+β)."""
    p = law.params
    s = p["alpha"] + p["beta"]
    try:
        g = (p["alpha"] * p["A"] / (p["beta"] * p["B"])) ** (1 / s)
    except (OverflowError, ZeroDivisionError):
        g = math.inf
    if not math.isfinite(g) or g <= 0:
        raise InvalidInput(f"The law {law.name!r} has constants whose compute-optimal allocation is out of range "
                           "(check A, B, alpha and beta).")
    return {"G": g, "a": p["beta"] / s, "b": p["alpha"] / s}


def parametric_allocation(law: ScalingLaw, c_flops):
    """Eq 4: N_opt(C) = G·(C/6)^a, D_opt(C) = G^-1·(C/6)^b; minimises Eq 2 exactly along C = 6·N·D."""
    k = parametric_constants(law)
    x = _arr(c_flops) / TRAIN_FLOPS_PER_PARAM_TOKEN
    with np.errstate(over="ignore"):
        n_opt, d_opt = k["G"] * x ** k["a"], x ** k["b"] / k["G"]
    if not (np.all(np.isfinite(n_opt)) and np.all(np.isfinite(d_opt)) and np.all(n_opt > 0) and np.all(d_opt > 0)):
        raise InvalidInput(f"The law {law.name!r} gives no finite compute-optimal allocation for this budget.")
    return _out(n_opt), _out(d_opt)


def brute_force_allocation(law: ScalingLaw, c_flops: float) -> tuple[float, float]:
    """Minimise L(N, C/6N) over log N numerically: the check on the closed form."""
    c = float(c_flops)
    from scipy.optimize import minimize_scalar  # only this check needs scipy: load it here

    res = minimize_scalar(
        lambda log_n: parametric_loss(law, math.exp(log_n), c / (6 * math.exp(log_n))),
        bounds=(math.log(1e3), math.log(c / 6 / 1e3)), method="bounded", options={"xatol": 1e-10},
    )
    n = math.exp(res.x)
    return n, c / (6 * n)


# ---- any law ----

def compute_optimal_allocation(law: ScalingLaw, c_flops):
    """(N_opt, D_opt) for a compute budget in FLOPs, in the law's own convention."""
    if law.kind == "parametric":
        return parametric_allocation(law, c_flops)
    if law.kind == "power_law":
        p, c = law.params, _arr(c_flops)
        return _out(p["k_N"] * c ** p["a"]), _out(p["k_D"] * c ** p["b"])
    f = kaplan_frontier(law, _arr(c_flops) / PF_DAY_FLOPS)
    return f["params"], f["tokens"]


def predicted_loss(law: ScalingLaw, n, d):
    """L(N, D) in nats/token, or None for a law that predicts no loss (Approaches 1 and 2)."""
    if law.kind == "parametric":
        return parametric_loss(law, n, d)
    if law.kind == "kaplan":
        return kaplan_loss_params_tokens(law, n, d)
    return None


def optimal_loss(law: ScalingLaw, c_flops):
    """Loss on the law's compute-optimal frontier (Kaplan: Eq 1.3 L(C_min)); None for power laws."""
    if law.kind == "parametric":
        n, d = parametric_allocation(law, c_flops)
        return parametric_loss(law, n, d)
    if law.kind == "kaplan":
        return kaplan_loss_of_compute(law, _arr(c_flops) / PF_DAY_FLOPS)
    return None


def allocation_exponents(law: ScalingLaw) -> tuple[float, float]:
    """(a, b) of N_opt ∝ C^a, D_opt ∝ C^b: Chinchilla Table 2's comparison."""
    if law.kind == "parametric":
        k = parametric_constants(law)
        return k["a"], k["b"]
    if law.kind == "power_law":
        return law.params["a"], law.params["b"]
    return law.params["p_N"], law.params["p_D"]
