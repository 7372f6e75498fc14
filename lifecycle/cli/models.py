"""``lifecycle models list [--family F] [--json]`` and ``lifecycle models show ID [--json]``."""

from __future__ import annotations

import argparse

from lifecycle.catalog import get_model, list_models
from lifecycle.catalog_search import catalog_row, search_models
from lifecycle.cli._io import print_json
from lifecycle.model_cards import model_card
from lifecycle.tasks import FAMILIES


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("models", help="list the model catalog or show one model and its card")
    cmds = parser.add_subparsers(dest="models_command", metavar="ACTION", required=True)

    p = cmds.add_parser("list", help="list catalog models")
    p.add_argument("--family", choices=FAMILIES, help="only this architecture family")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=_list)

    p = cmds.add_parser("show", help="show one catalog model with its model card")
    p.add_argument("id", help="catalog id, e.g. bert-base-uncased, llama-2-7b")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=_show)


def _list(args) -> int:
    models = search_models(list_models(), families=[args.family] if args.family else None, sort_by="params")
    rows = [catalog_row(m) for m in models]
    if args.json:
        print_json(rows)
        return 0
    width = max((len(r["id"]) for r in rows), default=2)
    for r in rows:
        print(f"{r['id']:<{width}}  {r['family']:<15} {r['params'] / 1e9:>9.3f}B  ctx {r['context']:>6}  {r['license']}")
    return 0


def _show(args) -> int:
    model = get_model(args.id)
    card = model_card(model)
    if args.json:
        print_json({**catalog_row(model), "hub_id": model.hub_id, "objective": model.objective,
                    "activation": model.activation, "source": model.source, "shape": model.shape.model_dump(),
                    "card": card.model_dump(mode="json")})
        return 0
    print(card.to_markdown())
    return 0
