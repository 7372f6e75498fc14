"""The two base classes of every calculator: a frozen, validated, hashable ``Setup`` (what a person chose)
and a ``Result`` (what the one function computed from it).

A Setup refuses what is not a valid input at construction — wrong types, NaN or infinity, values out of
range, unknown keys — with one readable line (``InvalidInput``), so the app, the CLI, imports and the
Python API share one boundary. Setups are hashable (``functools.cache`` keys on them) and are varied with
``setup.vary(field=value)``, which validates the copy.
"""

from __future__ import annotations

from typing import Any, Self

import annotated_types
from pydantic import BaseModel, ConfigDict, ValidationError

from lifecycle.errors import InvalidInput

# How fields read in a message, where the attribute name does not read as words
FIELD_LABELS = {"top_p": "top-p", "top_k": "top-k", "seq_len": "sequence length", "micro_batch": "micro-batch",
                "tp": "tensor-parallel degree", "pp": "pipeline-parallel degree", "gpus": "GPU count", "mfu": "MFU",
                "lora_rank": "LoRA rank", "lora_targets": "LoRA targets", "gpu": "GPU", "price_usd_per_hour":
                "price per GPU-hour (USD)", "budget_usd": "budget (USD)", "new_tokens": "number of new tokens",
                "prompt_tokens": "number of prompt tokens", "concurrent_sequences": "number of concurrent sequences",
                "c_min_flops": "lowest compute of the chart", "c_max_flops": "highest compute of the chart",
                "training_tokens": "number of training tokens", "target_len": "decoder length"}


def _shown(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def one_line(exc: ValidationError) -> str:
    """The first problem pydantic found, as one sentence naming the field: "The micro batch must be at least 1 (got 0)."""
    errors = exc.errors(include_url=False)
    first = errors[0]
    names = [str(x) for x in first.get("loc", ()) if not isinstance(x, int)]
    field = " ".join(FIELD_LABELS.get(n, n.replace("_", " ")) for n in names[-1:])
    ctx, kind, got = first.get("ctx") or {}, first.get("type", ""), first.get("input")
    if kind == "greater_than_equal":
        text = f"must be at least {ctx['ge']} (got {_shown(got)})"
    elif kind == "greater_than":
        text = f"must be more than {ctx['gt']} (got {_shown(got)})"
    elif kind == "less_than_equal":
        text = f"must be at most {ctx['le']:,} (got {_shown(got)})" if isinstance(ctx.get("le"), int) else \
            f"must be at most {ctx.get('le')} (got {_shown(got)})"
    elif kind in ("finite_number",):
        text = "must be a finite number"
    elif kind == "literal_error":
        text = f"must be one of {ctx.get('expected', '')} (got {_shown(got)})"
    elif kind in ("int_parsing", "int_type", "int_from_float"):
        text = f"must be a whole number (got {_shown(got)})"
    elif kind == "extra_forbidden":
        text = "is not a known setting"
    elif kind == "missing":
        text = "is required"
    else:
        text = str(first.get("msg", "is not valid")).removeprefix("Value error, ")
        if kind == "value_error":  # our own validators already say the whole thing
            field = ""
    sentence = f"the {field} {text}" if field else text
    more = f" (and {len(errors) - 1} more problem{'s' if len(errors) > 2 else ''})" if len(errors) > 1 else ""
    return sentence[:1].upper() + sentence[1:] + more + "."


class Setup(BaseModel):
    """Inputs of one calculator: frozen, validated at construction, hashable."""

    model_config = ConfigDict(frozen=True, extra="forbid", allow_inf_nan=False, validate_default=True)

    def __init__(self, **data: Any) -> None:
        try:
            super().__init__(**data)
        except ValidationError as exc:
            raise InvalidInput(one_line(exc)) from None

    @classmethod
    def parse(cls, data: Any) -> Self:
        """Validate a stored or imported dict; InvalidInput (one line) when it is not a valid setup."""
        try:
            return cls.model_validate(data)
        except ValidationError as exc:
            raise InvalidInput(one_line(exc)) from None

    def __hash__(self) -> int:
        return hash((type(self).__name__, self.model_dump_json()))

    def vary(self, **changes: Any) -> Self:
        """A validated copy with some fields changed (``model_copy(update=...)`` would skip validation)."""
        return type(self).parse({**self.model_dump(), **changes})


class Result(BaseModel):
    """What a calculator returns. Stored with its Setup in a saved scenario; keys a newer release adds are ignored.
    A result never holds NaN or infinity: one that would is refused with one line instead of being shown."""

    model_config = ConfigDict(frozen=True, extra="ignore", allow_inf_nan=False)

    def __init__(self, **data: Any) -> None:
        try:
            super().__init__(**data)
        except ValidationError as exc:
            raise InvalidInput(f"These inputs take the calculation out of range: {one_line(exc)}") from None


def field_bounds(model: type[BaseModel], name: str) -> dict[str, Any]:
    """The field's numeric constraints, any of ``ge``, ``gt``, ``le``, ``lt`` (what ``ui/bounds.py`` offers a widget)."""
    found: dict[str, Any] = {}
    for item in model.model_fields[name].metadata:
        for key, kind in (("ge", annotated_types.Ge), ("gt", annotated_types.Gt), ("le", annotated_types.Le),
                          ("lt", annotated_types.Lt)):
            if isinstance(item, kind):
                found[key] = getattr(item, key)
    return found
