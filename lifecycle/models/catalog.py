"""The model catalog: well-known foundation models with their exact shapes and parameter counts.

Rows live in ``data/models.json``; each carries its source. ``parameter_count(row.shape)`` equals
``row.params`` for every row (checked by tests/unit/test_catalog.py).
"""

from __future__ import annotations

import difflib
import json
from functools import lru_cache

from pydantic import BaseModel, ConfigDict

from lifecycle.errors import NotFound
from lifecycle.models.architecture import Family, ModelShape
from lifecycle.resources import data_path

MODELS_PATH = data_path("models.json")


class CatalogModel(BaseModel):
    """One catalog row: identity, shape, exact parameter count and where the numbers come from."""

    model_config = ConfigDict(frozen=True)

    id: str
    name: str
    hub_id: str
    family: Family
    shape: ModelShape
    params: int
    max_context: int
    license: str
    year: int
    paper: str
    objective: str
    positional: str
    activation: str
    training_tokens: str
    notes: str = ""
    source: str


@lru_cache(maxsize=1)
def _catalog() -> dict[str, CatalogModel]:
    rows = json.loads(MODELS_PATH.read_text(encoding="utf-8"))["models"]
    return {row["id"]: CatalogModel(**row) for row in rows}


def list_models() -> list[CatalogModel]:
    """All catalog models, in file order (encoders, decoders, encoder-decoders)."""
    return list(_catalog().values())


def model_ids() -> list[str]:
    return list(_catalog())


def get_model(model_id: str) -> CatalogModel:
    """The catalog row with this id; NotFound names the closest ids when there is none."""
    catalog = _catalog()
    key = (model_id or "").strip()
    if key in catalog:
        return catalog[key]
    lowered = {k.lower(): k for k in catalog}
    if key.lower() in lowered:
        return catalog[lowered[key.lower()]]
    close = difflib.get_close_matches(key.lower(), list(lowered), n=5, cutoff=0.4)
    hint = ", ".join(lowered[c] for c in close) if close else ", ".join(list(catalog)[:8]) + ", …"
    raise NotFound(f"No model {model_id!r} in the catalog; did you mean: {hint}?")
