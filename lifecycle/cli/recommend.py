"""``lifecycle recommend --task TAG [--task TAG …] [--json]``: the architecture family for the tasks."""

from __future__ import annotations

import argparse

from lifecycle.cli._io import print_json
from lifecycle.models.tasks import recommend_architecture


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("recommend", help="recommend an architecture family (encoder, decoder, encoder-decoder) for tasks")
    p.add_argument("--task", action="append", required=True, metavar="TAG",
                   help="a Hugging Face task tag, e.g. text-classification, ner, summarization (repeatable)")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=_recommend)


def _recommend(args) -> int:
    rec = recommend_architecture(args.task)
    if args.json:
        print_json(rec.model_dump(mode="json"))
        return 0
    print(f"Recommended family: {rec.family} ({rec.family_name})")
    print(f"\n{rec.rationale}")
    if rec.multi_task_cost:
        print(f"\nCost of covering all tasks: {rec.multi_task_cost}")
    if rec.alternatives:
        print("\nAlternatives:")
        for alt in rec.alternatives:
            print(f"  - {alt.family}: {alt.when}")
    print(f"\nExample models: {', '.join(rec.example_models)}")
    return 0
