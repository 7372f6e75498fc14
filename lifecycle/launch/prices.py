"""Prices per GPU-hour for the rent search: the shipped defaults (``data/gpu_prices.json``, each with its
source and date) overlaid by the team's own table (``records.prices``, when a store is given)."""

from __future__ import annotations

import json
from functools import lru_cache

from lifecycle.records.prices import GpuPrice, team_prices
from lifecycle.resources import data_path


@lru_cache(maxsize=1)
def shipped_prices() -> tuple[GpuPrice, ...]:
    rows = json.loads(data_path("gpu_prices.json").read_text(encoding="utf-8"))["prices"]
    return tuple(GpuPrice(**row) for row in rows)


def price_table(store=None) -> dict[str, GpuPrice]:
    """GPU id -> the price the search uses: the team's where it set one, else the shipped default."""
    table = {p.gpu_id: p for p in shipped_prices()}
    if store is not None:
        table.update({p.gpu_id: p for p in team_prices(store)})
    return table
