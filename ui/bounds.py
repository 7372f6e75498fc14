"""A widget's range read from the Setup field it fills, so a page never offers what validation refuses.

``bounds(TrainingSetup, "gpus")`` is the field's ``ge``/``le`` (``model_fields[name].metadata``), whose values live
in ``lifecycle/limits.py``. ``tests/app/test_widget_bounds.py`` checks every bounded widget against its field.
"""

from __future__ import annotations

from typing import Any

from lifecycle._typed import field_bounds


def bounds(model: type, name: str, kind: type = int, *, low: Any = None) -> tuple[Any, Any]:
    """(min_value, max_value) for the widget that fills ``model.name``.

    ``low`` replaces the lower bound where the widget says "none" below the field's range (``0 = off`` for a field
    that is None or strictly positive) or where the field's bound is strict (``gt``): a widget's minimum is inclusive.
    """
    found = field_bounds(model, name)
    if "le" not in found:
        raise ValueError(f"{model.__name__}.{name} has no upper bound (le)")
    if low is None:
        if "ge" not in found:
            raise ValueError(f"{model.__name__}.{name} has no inclusive lower bound (ge): pass low=")
        low = found["ge"]
    return kind(low), kind(found["le"])
