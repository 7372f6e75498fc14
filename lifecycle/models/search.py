"""Filter, sort and compare catalog models (shipped rows plus the team's own).

"Suits my task" keeps the models whose family the task recommender picks for the chosen tasks
(or any family it offers as an alternative, when asked). Comparison adds numbers derived
from each shape: architecture parameter count, bf16 weight memory (2 bytes per parameter, GB =
1e9 bytes) and forward FLOPs per token (~2N, Kaplan et al. 2020, eq. 2.2).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from lifecycle.choices import TITLES
from lifecycle.errors import InvalidInput, NotFound
from lifecycle.models.architecture import (
    active_parameter_count,
    fits_context,
    flop_parameter_count,
    forward_flops_per_token,
    moe_layer_count,
    parameter_count,
)
from lifecycle.models.catalog import CatalogModel, list_models
from lifecycle.models.tasks import FAMILIES, recommend_architecture

SORT_KEYS: dict[str, str] = {
    "params": "parameters", "max_context": "context length", "year": "year", "name": "name",
    "layers": "layers", "hidden": "hidden size", "vocab": "vocabulary",
}
BF16_BYTES_PER_PARAM = 2
COMPARE_MIN, COMPARE_MAX = 2, 4


def license_id(model: CatalogModel) -> str:
    """The licence identifier (first word of the catalog's licence text, e.g. 'apache-2.0', 'llama2')."""
    return model.license.split(" ")[0] if model.license else "unknown"


def licence_ids(models: Iterable[CatalogModel] | None = None) -> list[str]:
    return sorted({license_id(m) for m in (list_models() if models is None else models)})


def _sort_value(model: CatalogModel, key: str) -> Any:
    if key in ("layers", "hidden", "vocab"):
        return getattr(model.shape, key)
    if key == "name":
        return model.name.lower()
    return getattr(model, key)


def suited_families(tasks: list[str], *, include_alternatives: bool = False) -> set[str]:
    rec = recommend_architecture(tasks)
    fams = {rec.family}
    if include_alternatives:
        fams |= {a.family for a in rec.alternatives}
    return fams


def search_models(
    models: Iterable[CatalogModel] | None = None,
    *,
    families: list[str] | None = None,
    min_params: float | None = None,
    max_params: float | None = None,
    licences: list[str] | None = None,
    min_context: int | None = None,
    tasks: list[str] | None = None,
    include_alternatives: bool = False,
    lengths: tuple[int, int] | None = None,
    sort_by: str = "params",
    descending: bool = False,
) -> list[CatalogModel]:
    """Models matching every given filter, sorted by ``sort_by``; ``lengths`` (input, output tokens) keeps the
    models whose window takes one request (``fits_context``)."""
    pool = list(list_models() if models is None else models)
    for fam in families or []:
        if fam not in FAMILIES:
            raise InvalidInput(f"Unknown family {fam!r}; expected one of {', '.join(FAMILIES)}.")
    if sort_by not in SORT_KEYS:
        raise InvalidInput(f"Cannot sort by {sort_by!r}; choose one of {', '.join(SORT_KEYS)}.")
    if min_params is not None and max_params is not None and min_params > max_params:
        raise InvalidInput(f"The minimum size ({min_params:,.0f}) is above the maximum ({max_params:,.0f}).")
    if min_context is not None and min_context < 0:
        raise InvalidInput("The minimum context length must not be negative.")
    wanted = suited_families(tasks, include_alternatives=include_alternatives) if tasks else None
    out = [
        m for m in pool
        if (not families or m.family in families)
        and (min_params is None or m.params >= min_params)
        and (max_params is None or m.params <= max_params)
        and (not licences or license_id(m) in licences)
        and (min_context is None or m.max_context >= min_context)
        and (wanted is None or m.family in wanted)
        and (lengths is None or fits_context(m.shape, *lengths))
    ]
    return sorted(out, key=lambda m: _sort_value(m, sort_by), reverse=descending)


def catalog_row(model: CatalogModel) -> dict[str, Any]:
    """One table row: the catalog's columns, unknowns as None."""
    s = model.shape
    return {
        "id": model.id, "name": model.name, "family": model.family, "params": model.params,
        "params_b": round(model.params / 1e9, 3),
        "layers": s.layers,  # encoder-decoder: both stacks together, split in "stacks"
        "stacks": f"{s.encoder_layers}+{s.decoder_layers}" if s.family == "encoder-decoder" else "",
        "active_params": active_parameter_count(s), "active_params_non_embedding": flop_parameter_count(s),
        # a mixture of experts: experts, top-k and one expert's width; "ffn" only where a dense MLP uses it
        "shipped_format": TITLES.get(s.shipped_format) if s.shipped_format else None,  # quantization_config
        "experts": s.experts or None, "experts_per_token": s.experts_per_token or None, "expert_ffn": s.moe_ffn or None,
        "hidden": s.hidden, "heads": s.heads, "kv_heads": s.kv_heads,
        "ffn": s.ffn if moe_layer_count(s) < s.layers else None, "vocab": s.vocab,
        "context": model.max_context, "positional": model.positional or None,
        "training_tokens": model.training_tokens or None, "license": model.license or None,
        "commercial_use": model.commercial_use if model.license else None,
        "languages": ", ".join(model.languages) or None,
        "year": model.year or None, "paper": model.paper or None,
    }


def suitability_warnings(model: CatalogModel, *, languages: Iterable[str] = (), commercial: bool = True) -> list[str]:
    """What the model's own facts say against the team's: target languages the model was not trained for (its
    catalog row's ``languages``, with their source; unknown languages say so), and a non-commercial licence for a
    team that uses it commercially."""
    out: list[str] = []
    wanted = [str(code).strip().lower() for code in languages if str(code).strip()]
    if wanted and model.languages:
        missing = [code for code in wanted if code not in model.languages]
        if missing:
            out.append(f"{model.name} was not trained for {', '.join(missing)} (it covers "
                       f"{', '.join(model.languages)}; {model.languages_source}). Choose a model that covers them "
                       "or plan to adapt it with data in those languages.")
    elif wanted and wanted != ["en"] and not model.languages:
        out.append(f"{model.name}'s languages are unknown in our data: check its card for "
                   f"{', '.join(wanted)} before relying on it.")
    if commercial and not model.commercial_use:
        out.append(f"{model.name}'s licence ({model.license}) does not allow commercial use: a company cannot "
                   "ship it; choose a model with a commercial licence.")
    return out


def compare_models(model_ids: list[str], models: Iterable[CatalogModel] | None = None) -> list[dict[str, Any]]:
    """Side-by-side rows (one dict per attribute, one column per model) for 2-4 models."""
    ids = list(dict.fromkeys(model_ids))
    if not COMPARE_MIN <= len(ids) <= COMPARE_MAX:
        raise InvalidInput(f"Compare {COMPARE_MIN} to {COMPARE_MAX} different models (got {len(ids)}).")
    pool = {m.id: m for m in (list_models() if models is None else models)}
    missing = [i for i in ids if i not in pool]
    if missing:
        raise NotFound(f"No model {', '.join(map(repr, missing))} in the catalog.")
    chosen = [pool[i] for i in ids]
    rows: list[dict[str, Any]] = []

    def add(label: str, values: list[Any]) -> None:
        rows.append({"attribute": label, **{m.id: v for m, v in zip(chosen, values)}})

    for key, label in [("family", "family"), ("params", "parameters (catalog)")]:
        add(label, [catalog_row(m)[key] for m in chosen])
    add("parameters (from architecture)", [parameter_count(m.shape) for m in chosen])
    for key in ("active_params", "experts", "experts_per_token", "expert_ffn",
                "layers", "stacks", "hidden", "heads", "kv_heads", "ffn", "vocab", "context", "positional",
                "training_tokens", "license", "commercial_use", "languages", "year", "paper"):
        add(key.replace("_", " "), [catalog_row(m)[key] for m in chosen])
    add("bf16 weights (GB, 1e9 bytes)", [round(m.params * BF16_BYTES_PER_PARAM / 1e9, 2) for m in chosen])
    flops = [forward_flops_per_token(m.shape) for m in chosen]  # Kaplan et al. 2020 eq. 2.2, per side
    add("forward GFLOP per input token", [round(f[0] / 1e9, 2) for f in flops])
    add("forward GFLOP per generated token", [round(f[1] / 1e9, 2) if f[1] else None for f in flops])
    return rows
