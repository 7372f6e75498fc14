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
    aliases: tuple[str, ...] = ()  # former ids of the same model (saved projects still open)
    languages: tuple[str, ...] = ()  # ISO 639-1 codes the model was trained for; empty: unknown
    languages_source: str = ""
    hub_revision: str = ""  # the Hub commit a team model's config was read at

    @property
    def commercial_use(self) -> bool:
        """Whether the licence allows commercial use: false for a non-commercial (research-only) licence."""
        return not any(word in self.license.lower() for word in NON_COMMERCIAL_WORDS)


NON_COMMERCIAL_WORDS = ("non-commercial", "noncommercial", "research only", "research-only")


@lru_cache(maxsize=1)
def _catalog() -> dict[str, CatalogModel]:
    rows = json.loads(MODELS_PATH.read_text(encoding="utf-8"))["models"]
    return {row["id"]: CatalogModel(**row) for row in rows}


@lru_cache(maxsize=1)
def _aliases() -> dict[str, str]:
    return {alias.lower(): m.id for m in _catalog().values() for alias in m.aliases}


def canonical_model_id(model_id: str | None) -> str | None:
    """The current id of a model saved under a former id (``phi-3-mini-4k`` → ``phi3-mini-4k``); else as given."""
    if model_id is None:
        return None
    return _aliases().get(str(model_id).strip().lower(), model_id)


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
    if key.lower() in _aliases():
        return catalog[_aliases()[key.lower()]]
    close = difflib.get_close_matches(key.lower(), list(lowered), n=5, cutoff=0.4)
    hint = ", ".join(lowered[c] for c in close) if close else ", ".join(list(catalog)[:8]) + ", …"
    raise NotFound(f"No model {model_id!r} in the catalog; did you mean: {hint}?")
