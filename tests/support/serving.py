"""Test shorthand: ``plan("llama-2-7b", batch=8, gpu="l4", ...)`` — the serving numbers for a catalog model.

With ``find_limits=False`` it returns the point at that batch without the largest-batch/context searches
(``serving_point``), else the full ``serving_plan`` of the ``ServingSetup``.
"""

from __future__ import annotations

from lifecycle.models.ref import ModelRef
from lifecycle.serving.plan import ServingSetup, serving_plan, serving_point


def plan(model_id: str, *, batch: int = 1, find_limits: bool = True, **kw):
    setup = ServingSetup(model=ModelRef.catalog(model_id), concurrent_sequences=batch, **kw)
    return serving_plan(setup) if find_limits else serving_point(setup, batch, find_limits=False)
