"""Find a catalog entry by id (or name): one place for the "unknown X — did you mean …" message."""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from typing import TypeVar

from lifecycle.errors import NotFound

T = TypeVar("T")


def find_by_id(table: Mapping[str, T], key: str, what: str, *, cutoff: float = 0.5) -> T:
    """``table[key]`` (case-insensitive, also by an entry's ``name``), or NotFound naming close ids."""
    k = (key or "").strip().lower()
    if k in table:
        return table[k]
    by_name = {str(getattr(v, "name", "")).lower(): v for v in table.values()}
    if k and k in by_name:
        return by_name[k]
    close = difflib.get_close_matches(k, list(table), n=3, cutoff=cutoff)
    hint = f" Did you mean {', '.join(close)}?" if close else ""
    raise NotFound(f"Unknown {what} {key!r}.{hint} Known: {', '.join(table)}.")
