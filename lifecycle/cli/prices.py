"""``lifecycle prices list | set GPU USD --source TEXT --date DATE | unset GPU``: the team's price per GPU-hour
over the shipped defaults (``data/gpu_prices.json``); changing them needs a team admin."""

from __future__ import annotations

import argparse

from lifecycle.cli._io import print_json


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("prices", help="the prices per GPU-hour the rent search uses (team table over the defaults)")
    cmds = parser.add_subparsers(dest="prices_command", metavar="ACTION", required=True)
    p = cmds.add_parser("list", help="every GPU's price, source and date")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=_list)
    p = cmds.add_parser("set", help="set the team's price of one GPU (team admins)")
    p.add_argument("gpu")
    p.add_argument("usd_per_hour", type=float)
    p.add_argument("--source", required=True, help="where the price comes from, e.g. 'our 2026 contract'")
    p.add_argument("--date", required=True, help="when it was read, e.g. 2026-12")
    p.set_defaults(func=_set)
    p = cmds.add_parser("unset", help="drop the team's price of one GPU (back to the shipped default)")
    p.add_argument("gpu")
    p.set_defaults(func=_unset)


def _list(args) -> int:
    from lifecycle.display import terminal_text
    from lifecycle.launch.prices import price_table
    from lifecycle.records.store import Store

    table = price_table(Store())
    if args.json:
        print_json([p.model_dump() for p in table.values()])
        return 0
    for p in table.values():
        print(f"{p.gpu_id:<10} ${p.price_usd_per_hour:>8.4f}/h  {'team' if p.team else 'default'}  {terminal_text(p.date)}  "
              f"{terminal_text(p.source)}")
    return 0


def _set(args) -> int:
    from lifecycle.records.prices import set_team_price
    from lifecycle.records.store import Store

    price = set_team_price(Store(), args.gpu, args.usd_per_hour, source=args.source, date=args.date)
    print(f"{price.gpu_id}: ${price.price_usd_per_hour:.4f} per GPU-hour (team price).")
    return 0


def _unset(args) -> int:
    from lifecycle.records.prices import delete_team_price
    from lifecycle.records.store import Store

    delete_team_price(Store(), args.gpu)
    print(f"{args.gpu}: back to the shipped default.")
    return 0
