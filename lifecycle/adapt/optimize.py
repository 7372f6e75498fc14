"""Optimisations (distillation, quantization, pruning, speculative decoding) and augmentations
(RAG, tools/agents, guardrails) of a deployment: when each helps, its trade-off and its source
(data/optimize_augment.json)."""

from __future__ import annotations

import json
from functools import lru_cache

from lifecycle.errors import InvalidInput
from lifecycle.resources import data_path

DATA_FILE = data_path("optimize_augment.json")
SECTIONS = ("optimize", "augment")


@lru_cache(maxsize=1)
def checklist_items() -> dict[str, list[dict]]:
    doc = json.loads(DATA_FILE.read_text(encoding="utf-8"))
    return {s: doc[s] for s in SECTIONS}


def check_choices(section: str, ids: list[str]) -> list[str]:
    """The ids in catalog order; InvalidInput for an unknown section or item."""
    if section not in SECTIONS:
        raise InvalidInput(f"Unknown checklist {section!r}; expected optimize or augment.")
    known = [i["id"] for i in checklist_items()[section]]
    unknown = sorted(set(ids) - set(known))
    if unknown:
        raise InvalidInput(f"Unknown {section} item(s) {', '.join(unknown)}; known: {', '.join(known)}.")
    return [i for i in known if i in set(ids)]
