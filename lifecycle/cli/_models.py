"""``--model ID`` / ``--config FILE``: the model a command sizes, read one way for every command."""

from __future__ import annotations

import argparse
from pathlib import Path

from lifecycle._files import user_json
from lifecycle.errors import InvalidInput
from lifecycle.limits import MAX_CONFIG_BYTES


def add_model_flags(parser: argparse.ArgumentParser, *, required: bool = True) -> None:
    src = parser.add_mutually_exclusive_group(required=required)
    src.add_argument("--model", help="catalog id, e.g. llama-2-7b (see: lifecycle models list), or a Hugging Face "
                                     "id ORG/NAME[@REVISION] (HF_TOKEN, HF_ENDPOINT, HF_HUB_OFFLINE apply)")
    src.add_argument("--config", help="path to a Hugging Face config.json")


def model_from_flags(args):
    """(ModelRef, label printed as "model"): the catalog id, or the config file's path."""
    from lifecycle.models.ref import ModelRef

    if args.model is not None:
        from lifecycle.models.hub import hub_model_ref, is_hub_ref

        if is_hub_ref(args.model):
            ref, _ = hub_model_ref(args.model)
            return ref, ref.name
        ref = ModelRef.catalog(args.model)
        return ref, ref.id
    path = Path(args.config)
    if not path.is_file():
        raise InvalidInput(f"No config file at {path}.")
    if path.stat().st_size > MAX_CONFIG_BYTES:
        raise InvalidInput(f"{path} is {path.stat().st_size:,} bytes; a config.json is at most {MAX_CONFIG_BYTES:,}.")
    config = user_json(path.read_bytes(), str(path))
    if not isinstance(config, dict):
        raise InvalidInput(f"{path} must be a JSON object ({{...}}).")
    return ModelRef.from_config(config, name=path.name), str(path)
