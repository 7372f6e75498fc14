"""Which model a calculator sizes: a catalog row, a team's model, or a pasted ``config.json`` — always
carried with its full shape, so a saved scenario can be recomputed without the catalog or the database."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from lifecycle._typed import Setup
from lifecycle.models.architecture import ModelShape, parameter_count


class ModelRef(Setup):
    """``id`` is the catalog id, ``custom:<id>`` for a team's model, or ``config`` for a pasted config.json."""

    id: str = Field(min_length=1, max_length=200)
    name: str = Field(min_length=1, max_length=200)
    shape: ModelShape

    @property
    def params(self) -> int:
        return parameter_count(self.shape)

    @property
    def family(self) -> str:
        return self.shape.family

    @property
    def max_context(self) -> int:
        return self.shape.max_context

    @property
    def catalog_id(self) -> str | None:
        """The catalog id, or None for a team's model or a pasted config."""
        return None if self.id == "config" or self.id.startswith("custom:") else self.id

    @classmethod
    def catalog(cls, model_id: str) -> ModelRef:
        """A catalog model by id (NotFound names the closest ids)."""
        from lifecycle.models.catalog import get_model

        return cls.of(get_model(model_id))

    @classmethod
    def of(cls, model: Any) -> ModelRef:
        """From a ``CatalogModel`` (catalog or team model): its id, name and shape."""
        return cls(id=model.id, name=model.name, shape=model.shape)

    @property
    def shipped_format(self) -> str:
        """The format the checkpoint ships in ("" for 16-bit weights): the default inference format."""
        return self.shape.shipped_format

    @classmethod
    def from_config(cls, config: dict, name: str = "") -> ModelRef:
        """From a Hugging Face ``config.json`` read as a dict (InvalidInput when it is not a transformer)."""
        shape = ModelShape.from_config(config)
        name = name or f"config.json ({shape.arch})"
        if shape.vision == "language model only":  # never silently: the name carries what is not counted
            name += " — language model only (vision tower not counted)"
        return cls(id="config", name=name[:200], shape=shape)


def with_shipped_precision(data: Any) -> Any:
    """A Setup's input with ``precision`` defaulted to the format the model ships in (gpt-oss: MXFP4), when the
    caller gave none: a checkpoint is served as published unless a format is chosen."""
    if not isinstance(data, dict) or data.get("precision") is not None:
        return data
    data = {k: v for k, v in data.items() if k != "precision"}  # None: the field's own default unless it ships quantized
    model = data.get("model")
    shape = model.shape if isinstance(model, ModelRef) else (model or {}).get("shape") if isinstance(model, dict) else None
    fmt = shape.shipped_format if isinstance(shape, ModelShape) else (shape or {}).get("shipped_format") \
        if isinstance(shape, dict) else None
    return {**data, "precision": fmt} if fmt else data
