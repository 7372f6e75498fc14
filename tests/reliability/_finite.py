"""Helpers for the fuzz tests: call a domain function and sort its outcome."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np
from pydantic import BaseModel

from lifecycle.errors import LifecycleError


def non_finite_paths(value: Any, path: str = "result", depth: int = 0) -> list[str]:
    """Where a NaN or ±inf hides in a result (pydantic models, dicts, lists, numpy arrays, floats)."""
    if depth > 12:
        return []
    if isinstance(value, bool) or value is None or isinstance(value, (str, int)):
        return []
    if isinstance(value, float):
        return [] if math.isfinite(value) else [f"{path} = {value}"]
    if isinstance(value, np.ndarray):
        if value.dtype.kind in "fc" and not np.all(np.isfinite(value)):
            return [f"{path} has non-finite entries"]
        return []
    if isinstance(value, np.generic):
        return non_finite_paths(value.item(), path, depth + 1)
    if isinstance(value, BaseModel):
        return [p for k in type(value).model_fields for p in non_finite_paths(getattr(value, k), f"{path}.{k}", depth + 1)]
    if isinstance(value, dict):
        return [p for k, v in value.items() for p in non_finite_paths(v, f"{path}[{k!r}]", depth + 1)]
    if isinstance(value, (list, tuple)):
        return [p for i, v in enumerate(value) for p in non_finite_paths(v, f"{path}[{i}]", depth + 1)]
    return []


def outcome(fn: Callable, *args, **kwargs) -> Any:
    """The result if it is all finite; None if a documented LifecycleError (with a one-line
    message) was raised. Anything else fails the test with what went wrong."""
    try:
        result = fn(*args, **kwargs)
    except LifecycleError as exc:
        message = str(exc)
        assert message.strip() and "\n" not in message.strip(), f"not a one-line message: {message!r}"
        assert "Traceback" not in message
        return None
    bad = non_finite_paths(result)
    assert not bad, f"{getattr(fn, '__name__', fn)} returned non-finite numbers: {bad[:5]}"
    return result
