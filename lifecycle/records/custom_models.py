"""The team's own catalog: models added from a Hugging Face ``config.json`` (or typed numbers).

A config is validated before anything is written: at most ``MAX_CONFIG_BYTES`` (1 MB = 1,000,000
bytes), valid JSON, a JSON object, a transformer this planner models (``ModelShape.from_config``).
The family is read from the config and the parameters are counted from the shape. Rows live in the
``custom_models`` table; a failed add changes nothing.
"""

from __future__ import annotations

import json
import re
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ValidationError
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from lifecycle._files import user_json
from lifecycle.errors import DuplicateName, InUse, InvalidInput, NotFound
from lifecycle.limits import MAX_CONFIG_BYTES
from lifecycle.models.architecture import ModelShape, parameter_count
from lifecycle.models.catalog import CatalogModel, model_ids
from lifecycle.records.access import TeamOperation
from lifecycle.records.members import visible_to
from lifecycle.records.orm import CustomModelRow, ProjectRow
from lifecycle.records.project import utc_now

MODEL_ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9._-]{0,99}$")
TEAM_LICENSE = "unknown (team model: record its licence yourself)"


class CustomModel(BaseModel):
    model_id: str
    name: str
    family: str
    params: int
    shape: ModelShape
    config: dict[str, Any]
    created_at: datetime | None = None
    created_by: str = ""
    created_by_key: str = ""  # issuer + subject of whoever added it ("" before roles)

    def to_catalog_model(self) -> CatalogModel:
        """The same model as a catalog row, so search, compare and cards treat it alike (unknowns empty). A model
        added from the Hub keeps its repository and commit (``config["_hub"]``), so its card names them."""
        hub = self.config.get("_hub") if isinstance(self.config.get("_hub"), dict) else {}
        return CatalogModel(
            id=self.model_id, name=self.name,
            hub_id=_hub_id(hub.get("repo_id") or self.config.get("_name_or_path")),
            hub_revision=_revision(hub.get("sha") or hub.get("revision")),
            family=self.family, shape=self.shape, params=self.params, max_context=self.shape.max_context,
            license=TEAM_LICENSE, year=0, paper="", objective="", positional=self.shape.positional,
            activation=str(self.config.get("hidden_act") or self.config.get("activation_function") or ""),
            training_tokens="", notes="added by the team from a config.json",
            source=f"team catalog: config.json added by {self.created_by or 'unknown'}",
        )


def _hub_id(value: object) -> str:
    """``_name_or_path`` only when it is a Hub id (ORG/NAME): a local path or any other text is not shown as a
    link or a repository (shared text is plain text, never Markdown)."""
    from lifecycle.models.hub import HUB_REF

    text = value if isinstance(value, str) else ""
    match = HUB_REF.match(text)
    return text if match and match["rev"] is None else ""


def _revision(value: object) -> str:
    """A Hub-added model's commit or branch, kept only when it is a valid git ref (shown as plain text)."""
    from lifecycle.models.hub import valid_revision

    return value if isinstance(value, str) and valid_revision(value) else ""


def parse_config(raw: bytes | str | dict) -> dict:
    """The config as a dict; InvalidInput for a file too large, not JSON or not a JSON object."""
    if isinstance(raw, dict):
        raw = json.dumps(raw)
    data = raw.encode("utf-8") if isinstance(raw, str) else bytes(raw)
    if len(data) > MAX_CONFIG_BYTES:
        raise InvalidInput(f"config.json is {len(data):,} bytes; the limit is {MAX_CONFIG_BYTES:,} (1 MB).")
    if not data.strip():
        raise InvalidInput("config.json is empty.")
    config = user_json(data, "config.json")
    if not isinstance(config, dict):
        raise InvalidInput("config.json must be a JSON object ({...}).")
    return config


def shape_from_config(config: dict) -> ModelShape:
    try:
        return ModelShape.from_config(config)
    except ValidationError as exc:
        first = exc.errors()[0]
        raise InvalidInput(f"config.json: {'.'.join(map(str, first['loc']))}: {first['msg']}.") from None


def _check_id(model_id: str) -> str:
    model_id = (model_id or "").strip().lower()
    if not MODEL_ID_PATTERN.match(model_id):
        raise InvalidInput("Model id must be 1-100 characters: lower-case letters, digits, '.', '_' or '-', "
                           "starting with a letter or digit.")
    if model_id in model_ids():
        raise DuplicateName(f"{model_id!r} is already a catalog model; choose another id.")
    return model_id


def preview_custom_model(raw: bytes | str | dict, *, model_id: str, name: str = "") -> CustomModel:
    """Validate a config and count its parameters without saving anything."""
    config = parse_config(raw)
    shape = shape_from_config(config)
    model_id = _check_id(model_id)
    return CustomModel(model_id=model_id, name=(name or "").strip() or model_id, family=shape.family,
                       params=parameter_count(shape), shape=shape, config=config)


def hub_preview_model(hub) -> CatalogModel:
    """A Hub model (``lifecycle.models.hub.HubModel``) as a catalog row for sizing, not saved: named by its
    repository id (``Qwen/Qwen3-30B-A3B``), with its commit, so scenarios and cards say which model it is."""
    at = hub.sha[:7] if hub.sha else f"cached {hub.cached_from}" if hub.cached_from else hub.revision
    config = {**hub.config, "_hub": {"repo_id": hub.repo_id, "revision": hub.revision, "sha": hub.sha}}
    shape = shape_from_config(config)
    model = CustomModel(model_id="hub", name=f"{hub.repo_id}@{at}", family=shape.family,
                        params=parameter_count(shape), shape=shape, config=config, created_by="the Hugging Face Hub")
    return model.to_catalog_model().model_copy(update={
        "id": hub.repo_id, "notes": "read from the Hugging Face Hub, not saved (Add a model stores it for the team)",
        "source": f"config.json of {hub.repo_id} at {hub.sha or hub.revision} (Hugging Face Hub)"})


def config_from_numbers(*, family: str, layers: int, hidden: int, heads: int, ffn: int, vocab: int,
                        max_context: int, kv_heads: int | None = None) -> dict:
    """A config.json for typed numbers, in the layout of a common model of that family
    (BERT for encoders, LLaMA for decoders, T5 for encoder-decoders: ``layers`` per stack)."""
    if family == "encoder":
        return {"model_type": "bert", "architectures": ["BertModel"], "num_hidden_layers": layers,
                "hidden_size": hidden, "num_attention_heads": heads, "intermediate_size": ffn,
                "vocab_size": vocab, "max_position_embeddings": max_context}
    if family == "decoder":
        return {"model_type": "llama", "architectures": ["LlamaForCausalLM"], "num_hidden_layers": layers,
                "hidden_size": hidden, "num_attention_heads": heads, "num_key_value_heads": kv_heads or heads,
                "intermediate_size": ffn, "vocab_size": vocab, "max_position_embeddings": max_context}
    if family == "encoder-decoder":
        if heads <= 0 or hidden % heads:
            raise InvalidInput(f"Attention heads ({heads}) must divide the hidden size ({hidden}).")
        return {"model_type": "t5", "architectures": ["T5ForConditionalGeneration"], "num_layers": layers,
                "num_decoder_layers": layers, "d_model": hidden, "num_heads": heads, "d_kv": hidden // heads,
                "d_ff": ffn, "vocab_size": vocab, "n_positions": max_context}
    raise InvalidInput(f"Unknown family {family!r}; expected encoder, decoder or encoder-decoder.")


def _to_model(row: CustomModelRow) -> CustomModel:
    config = json.loads(row.config)
    shape = ModelShape.from_config(config)
    return CustomModel(model_id=row.model_id, name=row.name, family=shape.family, params=parameter_count(shape),
                       shape=shape, config=config, created_at=row.created_at, created_by=row.created_by,
                       created_by_key=row.created_by_key)


def add_custom_model(store, raw: bytes | str | dict, *, model_id: str, name: str = "", author: str = "") -> CustomModel:
    """Validate, count and save a team model as the store's identity (``author`` is used only in the embedded
    single-person mode); nothing is written when any check fails."""
    model = preview_custom_model(raw, model_id=model_id, name=name)
    store.check_team_table(TeamOperation.add)
    author = store._author(author)
    try:
        with store.session() as session:
            if session.scalar(select(CustomModelRow).where(CustomModelRow.model_id == model.model_id)):
                raise DuplicateName(f"The team catalog already has a model {model.model_id!r}.")
            session.add(CustomModelRow(model_id=model.model_id, name=model.name, config=json.dumps(model.config),
                                       created_at=utc_now(), created_by=author[:200],
                                       created_by_key=store.actor.key[:1000]))
            store.record(session, f"added team model {model.model_id}")
    except IntegrityError:
        raise DuplicateName(f"The team catalog already has a model {model.model_id!r}.") from None
    return get_custom_model(store, model.model_id)


def list_custom_models(store) -> list[CustomModel]:
    with store.session() as session:
        rows = session.scalars(select(CustomModelRow).order_by(CustomModelRow.model_id)).all()
        return [_to_model(r) for r in rows]


def get_custom_model(store, model_id: str) -> CustomModel:
    with store.session() as session:
        row = session.scalar(select(CustomModelRow).where(CustomModelRow.model_id == model_id))
        if row is None:
            raise NotFound(f"No team model {model_id!r}.")
        return _to_model(row)


def delete_custom_model(store, model_id: str) -> None:
    """Delete a team model: only whoever added it or a team admin, and never while a project has chosen it
    (the refusal names the projects this identity can see and counts the others)."""
    with store.session() as session:
        row = session.scalar(select(CustomModelRow).where(CustomModelRow.model_id == model_id))
        if row is None:
            raise NotFound(f"No team model {str(model_id)[:100]!r}.")
        store.check_team_table(TeamOperation.delete, added_by_key=row.created_by_key)
        users = projects_using_model(session, row.model_id)
        if users:
            seen = set(session.scalars(visible_to(select(ProjectRow.id).where(ProjectRow.id.in_(list(users))),
                                                  store.actor)).all())
            named = ", ".join(repr(users[i]) for i in sorted(seen)[:5])
            hidden = len(users) - len(seen)
            parts = [p for p in (named, f"{hidden} project(s) you cannot see" if hidden else "") if p]
            raise InUse(f"{row.model_id!r} is the chosen model of {' and '.join(parts)}: choose another model "
                        "there first, then delete it.")
        session.delete(row)
        store.record(session, f"deleted team model {row.model_id}")


def projects_using_model(session, model_id: str) -> dict[int, str]:
    """Projects (id → name, archived ones too) whose Select stage chose ``model_id``."""
    needle = json.dumps({"model_id": model_id})[1:-1]  # '"model_id": "<id>"', as documents are written
    pattern = "%" + needle.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    rows = session.execute(select(ProjectRow.id, ProjectRow.name, ProjectRow.document)
                           .where(ProjectRow.document.like(pattern, escape="\\"))).all()
    return {pid: name for pid, name, doc in rows
            if (json.loads(doc).get("select") or {}).get("model_id") == model_id}


def all_models(store=None) -> list[CatalogModel]:
    """Shipped catalog rows followed by the team's models (when a store is given)."""
    from lifecycle.models.catalog import list_models

    team = [m.to_catalog_model() for m in list_custom_models(store)] if store is not None else []
    return [*list_models(), *team]


def find_model(model_id: str, store=None) -> CatalogModel:
    """A catalog or team model by id."""
    from lifecycle.models.catalog import get_model

    if store is not None and model_id not in model_ids():
        try:
            return get_custom_model(store, model_id).to_catalog_model()
        except NotFound:
            pass
    return get_model(model_id)
