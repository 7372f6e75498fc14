"""``lifecycle models list [--family F] [--team] [--json]`` and ``lifecycle models show ID [--json]``.

``--team`` adds the team's own models from the database; ``show`` looks there when the id is not a
shipped catalog model."""

from __future__ import annotations

import argparse

from lifecycle.cli._io import print_json
from lifecycle.errors import LifecycleError, NotFound
from lifecycle.models.cards import model_card
from lifecycle.models.catalog import CatalogModel, get_model, list_models
from lifecycle.models.search import catalog_row, search_models
from lifecycle.models.tasks import FAMILIES


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("models", help="list the model catalog or show one model and its card")
    cmds = parser.add_subparsers(dest="models_command", metavar="ACTION", required=True)

    p = cmds.add_parser("list", help="list catalog models")
    p.add_argument("--family", choices=FAMILIES, help="only this architecture family")
    p.add_argument("--team", action="store_true", help="include the team's models from the database")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=_list)

    p = cmds.add_parser("show", help="show one catalog model with its model card")
    p.add_argument("id", help="catalog id, e.g. bert-base-uncased, llama-2-7b")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=_show)


def _list(args) -> int:
    pool = list_models()
    if args.team:
        from lifecycle.records.custom_models import all_models
        from lifecycle.records.store import Store

        pool = all_models(Store())
    models = search_models(pool, families=[args.family] if args.family else None, sort_by="params")
    rows = [catalog_row(m) for m in models]
    if args.json:
        print_json(rows)
        return 0
    width = max((len(r["id"]) for r in rows), default=2)
    for r in rows:
        print(f"{r['id']:<{width}}  {r['family']:<15} {r['params'] / 1e9:>9.3f}B  ctx {r['context']:>6}  {r['license']}")
    return 0


def _find(model_id: str) -> CatalogModel:
    try:
        return get_model(model_id)
    except NotFound as missing:
        try:
            from lifecycle.records.custom_models import get_custom_model
            from lifecycle.records.store import Store

            return get_custom_model(Store(), model_id.strip()).to_catalog_model()
        except LifecycleError:
            raise missing from None


def _show_hub(ref: str, as_json: bool) -> int:
    from lifecycle.models.architecture import active_parameter_count, flop_parameter_count
    from lifecycle.models.hub import count_note, hub_model_ref

    model, hub = hub_model_ref(ref)
    out = {"repo_id": hub.repo_id, "revision": hub.revision, "sha": hub.sha, "cached_from": hub.cached_from,
           "family": model.family, "params": model.params, "active_params": active_parameter_count(model.shape),
           "active_params_non_embedding": flop_parameter_count(model.shape),
           "hub_params": hub.hub_params, "hub_params_by_dtype": hub.hub_params_by_dtype, "context": model.max_context,
           "note": count_note(hub, model.params), "shape": model.shape.model_dump()}
    if as_json:
        print_json(out)
        return 0
    print(f"{model.name}: {model.family}, {model.params:,} parameters ({out['active_params']:,} active), "
          f"context {model.max_context:,}")
    print(out["note"])
    return 0


def _show(args) -> int:
    from lifecycle.models.hub import is_hub_ref

    if is_hub_ref(args.id):
        return _show_hub(args.id, args.json)
    model = _find(args.id)
    card = model_card(model)
    if args.json:
        print_json({**catalog_row(model), "hub_id": model.hub_id, "objective": model.objective,
                    "activation": model.activation, "source": model.source, "shape": model.shape.model_dump(),
                    "card": card.model_dump(mode="json")})
        return 0
    print(card.to_markdown())
    return 0
