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
    p.add_argument("--gpu-types", default="", help="comma-separated GPU ids to consider (default: every GPU)")
    p.add_argument("--use", type=int, default=None, metavar="ROW",
                   help="save training row ROW (0 = the first printed) as a scenario and choose it as the plan")
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
    gpu_types = tuple(g.strip() for g in args.gpu_types.split(",") if g.strip())
    store = Store()
    project = store.get_project(args.project)
    if args.serving:
        result = serving_rent_search(serving_rent_setup(project, store=store, gpus=gpu_types))
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
    setup = rent_setup(project, store=store, deadline_h=args.deadline_hours, global_batch=args.global_batch,
                       budget_usd=args.budget, gpus=gpu_types)
    result = rent_search(setup)
    if args.use is not None:
        return _use(store, project, setup, result, args.use)
    if args.json:
        print_json(result.model_dump(mode="json"))
        return 0
    print(f"{result.configurations_evaluated:,} configurations evaluated; {result.fitting:,} fit")
    for i, o in enumerate(result.options[: args.top]):
        mark = "*" if o.pareto else " "
        print(f"{i:>3}{mark} {o.gpus:>4} x {o.gpu:<10} {o.strategy:<5} {o.method:<5} mb {o.micro_batch:<3} "
              f"ckpt {'on ' if o.grad_checkpointing else 'off'} {o.time_s / 3600:9.2f} h  ${o.cost_usd:,.2f}")
    for note in result.notes:
        print(note)
    print("* on the Pareto front (no option is both faster and cheaper)")
    return 0


def _use(store, project, setup, result, row: int) -> int:
    from lifecycle.display import terminal_text
    from lifecycle.errors import InvalidInput
    from lifecycle.launch.rent import option_setup
    from lifecycle.records.plan import choose_scenario
    from lifecycle.records.scenarios import make_scenario

    if not 0 <= row < len(result.options):
        raise InvalidInput(f"--use must be a row between 0 and {len(result.options) - 1}, got {row}.")
    option = result.options[row]
    scenario = make_scenario(option_setup(setup, option), author=store.actor.display,
                             name=f"Rent: {option.gpus} x {option.gpu} {option.method} {option.strategy}")
    project.adapt.scenarios.append(scenario)
    store.save_project(choose_scenario(project, scenario.id), author=store.actor.display, section="adapt",
                       summary=f"Chose {scenario.name!r} as the training plan")
    print(f"Saved and chose {terminal_text(scenario.name)} (id {scenario.id}) as the training plan of "
          f"{terminal_text(project.name)}.")
    return 0
