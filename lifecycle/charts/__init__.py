"""Plotly figure builders, one module per concern. ``scenario_figure`` redraws a saved scenario
from its inputs and results, using the ``SCENARIO_FIGURES`` registry of every charts module."""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable
from functools import cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # plotly is imported by the chart modules, only when a chart is drawn
    import plotly.graph_objects as go

    from lifecycle.records.project import Scenario

# The lifecycle's colours, shared by the page strip (``ui.common.lifecycle_strip_html``) and reports.
ACCENT = "#4C5FD5"  # the current stage, arrows and borders
MUTED = "#E6E8F4"  # the other stages


@cache
def _registry() -> dict[str, Callable[[Scenario], go.Figure]]:
    registry: dict[str, Callable[[Scenario], go.Figure]] = {}
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        module = importlib.import_module(f"{__name__}.{info.name}")
        registry.update(getattr(module, "SCENARIO_FIGURES", {}))
    return registry


def scenario_kinds() -> list[str]:
    """Scenario kinds that have a chart."""
    return sorted(_registry())


def scenario_figure(scenario: Scenario) -> go.Figure | None:
    """The chart of a saved scenario, or None when its kind has none."""
    builder = _registry().get(scenario.kind)
    return builder(scenario) if builder else None
