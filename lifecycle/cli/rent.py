"""``lifecycle rent PROJECT [--serving] [--deadline-hours H] [--budget USD] [--json]``: what to rent."""

from __future__ import annotations

import argparse

from lifecycle.cli._io import print_json


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("rent", help="what to rent: GPU type x count x strategy x method that fit, ranked by cost and time")
    p.add_argument("project", help="project name or id")
    p.add_argument("--serving", action="store_true", help="serving: GPU x precision x replicas meeting the targets")
    p.add_argument("--deadline-hours", type=float, default=None, help="training must finish within this many hours")
    p.add_argument("--budget", type=float, default=None, help="USD (default: the project's budget)")
    p.add_argument("--global-batch", type=int, default=None, help="sequences per optimizer step (caps GPUs x micro-batch)")
    p.add_argument("--top", type=int, default=10, help="rows to print (default 10)")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=handle)


def handle(args) -> int:
    from lifecycle.errors import InvalidInput
    from lifecycle.launch.from_project import rent_setup, serving_rent_setup
    from lifecycle.launch.rent import rent_search
    from lifecycle.launch.rent_serving import serving_rent_search
    from lifecycle.records.store import Store

    if not 1 <= args.top <= 500:
        raise InvalidInput(f"--top must be between 1 and 500, got {args.top}.")
    store = Store()
    project = store.get_project(args.project)
    if args.serving:
        result = serving_rent_search(serving_rent_setup(project, store=store))
        if args.json:
            print_json(result.model_dump(mode="json"))
            return 0
        print(f"{result.configurations_evaluated:,} serving configurations evaluated; {len(result.options)} meet the targets")
        for o in result.options[: args.top]:
            print(f"{o.replicas:>4} x {o.gpus_per_replica} x {o.gpu:<10} {o.precision:<5} batch {o.batch:<4} "
                  f"p95 {o.p95_latency_s:6.2f} s  {o.requests_per_s:8.1f} req/s  ${o.cost_per_thousand_requests_usd:.4f}/1k req")
        for note in result.notes:
            print(note)
        return 0
    result = rent_search(rent_setup(project, store=store, deadline_h=args.deadline_hours, global_batch=args.global_batch,
                                    budget_usd=args.budget))
    if args.json:
        print_json(result.model_dump(mode="json"))
        return 0
    print(f"{result.configurations_evaluated:,} configurations evaluated; {result.fitting:,} fit")
    for o in result.options[: args.top]:
        mark = "*" if o.pareto else " "
        print(f"{mark} {o.gpus:>4} x {o.gpu:<10} {o.strategy:<5} {o.method:<5} mb {o.micro_batch:<3} "
              f"ckpt {'on ' if o.grad_checkpointing else 'off'} {o.time_s / 3600:9.2f} h  ${o.cost_usd:,.2f}")
    for note in result.notes:
        print(note)
    print("* on the Pareto front (no option is both faster and cheaper)")
    return 0
