"""``lifecycle scaling --law LAW (--compute FLOPS | --params N --tokens D) [--gpu ID --gpus K --mfu F] [--json]``,
``lifecycle scaling fit FILE.csv [--name NAME --save] [--json]`` and ``lifecycle scaling laws [--json]``."""

from __future__ import annotations

import argparse
import re
from pathlib import Path

from lifecycle.cli._io import print_json
from lifecycle.errors import InvalidInput, NotFound
from lifecycle.scaling.compute import DEFAULT_MFU

SUFFIXES = {"k": 1e3, "m": 1e6, "b": 1e9, "g": 1e9, "t": 1e12, "p": 1e15}


def parse_amount(text: str) -> float:
    """'1e21', '7B', '1.4T', '350m' -> float (suffixes K, M, B/G, T, P)."""
    m = re.fullmatch(r"\s*([0-9.]+(?:e[+-]?\d+)?)\s*([kmbgtp]?)\s*", str(text), flags=re.IGNORECASE)
    if not m:
        raise argparse.ArgumentTypeError(f"not a number: {text!r} (use e.g. 1e21, 7B, 1.4T)")
    try:
        return float(m.group(1)) * SUFFIXES.get(m.group(2).lower(), 1.0)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("scaling", help="compute-optimal model size, tokens, loss and training time from a scaling law")
    p.add_argument("--law", help="kaplan, chinchilla1, chinchilla2, chinchilla3, epoch, or a saved fit's name")
    p.add_argument("--compute", type=parse_amount, help="training budget in FLOPs (e.g. 1e23)")
    p.add_argument("--params", type=parse_amount, help="model parameters N (e.g. 7B)")
    p.add_argument("--tokens", type=parse_amount, help="training tokens D (e.g. 1.4T)")
    p.add_argument("--gpu", help="GPU id for time and cost, e.g. h100-80gb")
    p.add_argument("--gpus", type=int, default=1, help="number of GPUs (default 1)")
    p.add_argument("--mfu", type=float, default=DEFAULT_MFU, help=f"model FLOPs utilisation (default {DEFAULT_MFU})")
    p.add_argument("--price", type=float, help="USD per GPU-hour (default: the GPU catalog's assumption)")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=_plan)
    cmds = p.add_subparsers(dest="scaling_command", metavar="ACTION")

    f = cmds.add_parser("fit", help="fit L(N,D) = E + A/N^alpha + B/D^beta to a CSV of pilot runs")
    f.add_argument("file", help="CSV with columns params, tokens, loss")
    f.add_argument("--name", default="", help="name of the law (default: the file name)")
    f.add_argument("--save", action="store_true", help="save the fitted law to the database under --name")
    f.add_argument("--bootstrap", type=int, default=200, help="bootstrap resamples for the confidence intervals")
    f.add_argument("--json", action="store_true")
    f.set_defaults(func=_fit)

    ls = cmds.add_parser("laws", help="list the built-in and saved scaling laws")
    ls.add_argument("--json", action="store_true")
    ls.set_defaults(func=_laws)


def _law(name: str):
    """A built-in law straight from the packaged data; a team's law from the database (only then is it opened)."""
    from lifecycle.scaling.laws import builtin_law

    try:
        return builtin_law(name)
    except NotFound:
        from lifecycle.records.laws import get_law
        from lifecycle.records.store import Store

        return get_law(name, Store())


def _plan(args) -> int:
    from lifecycle.scaling.plan import plan, tokens_per_param_rule

    if not args.law:
        raise InvalidInput("--law is required (kaplan, chinchilla1, chinchilla2, chinchilla3, epoch or a saved fit).")
    law = _law(args.law)
    if args.compute is None and (args.params is None) != (args.tokens is None) and law.kind == "kaplan":
        return _kaplan_limit(law, args)
    if args.compute is None and (args.params is None or args.tokens is None):
        raise InvalidInput("Give --compute FLOPS, or both --params N and --tokens D (with --law kaplan, --params "
                           "alone gives L(N) and --tokens alone L(D)).")
    result = plan(law, compute_flops=args.compute, params=args.params, tokens=args.tokens,
                  gpu=args.gpu, gpus=args.gpus, mfu=args.mfu, price_usd_per_hour=args.price)
    out = result.model_dump()
    if not args.gpu:
        for key in ("gpu_id", "gpus", "mfu", "gpu_hours", "days", "seconds", "cost_usd", "price_usd_per_hour"):
            out.pop(key)
    if args.json:
        print_json(out)
        return 0
    print(f"law {law.name} ({law.label})")
    print(f"compute   {result.compute_flops:.3e} FLOPs = {result.pf_days:,.2f} PF-days")
    print(f"params    {result.params:.4g}   tokens {result.tokens:.4g}   tokens/param {result.tokens_per_param:.1f}")
    if result.loss is not None:
        print(f"loss      {result.loss:.4f} nats/token")
    print(f"verdict   {result.verdict} (this law's optimum: {result.optimal_tokens_per_param:.1f} "
          f"tokens/param); {result.verdict_20_rule} by the ~{tokens_per_param_rule():g} tokens/param rule")
    if args.gpu:
        print(f"time      {result.days:,.1f} days on {result.gpus} x {result.gpu_id} at MFU {result.mfu:.0%} "
              f"= {result.gpu_hours:,.0f} GPU-hours, ${result.cost_usd:,.0f} at ${result.price_usd_per_hour}/GPU-hour")
    if result.kaplan_note:
        print(f"note      {result.kaplan_note}")
    if result.kaplan_budget_note:
        print(f"note      {result.kaplan_budget_note}")
    return 0


def _kaplan_limit(law, args) -> int:
    from lifecycle.scaling.laws import kaplan_limit_loss

    loss = kaplan_limit_loss(law, params=args.params, tokens=args.tokens)
    which, value = ("L(N)", args.params) if args.params is not None else ("L(D)", args.tokens)
    equation = ("Kaplan et al. 2020 Eq 1.1: non-embedding parameters, trained to convergence on unlimited data"
                if args.params is not None else "Kaplan et al. 2020 Eq 1.2: a large model with early stopping")
    if args.json:
        print_json({"law": law.name, "law_kind": law.kind, "curve": which, "params": args.params,
                    "tokens": args.tokens, "loss": loss, "equation": equation})
        return 0
    print(f"law {law.name} ({law.label})")
    print(f"{which} at {value:.4g}: {loss:.4f} nats/token ({equation})")
    return 0


def _fit(args) -> int:
    from lifecycle.scaling.law_fit import MAX_CSV_CHARS, LawFitSetup, law_fit

    path = Path(args.file)
    if not path.is_file():
        raise InvalidInput(f"No such file: {args.file}")
    if path.stat().st_size > MAX_CSV_CHARS:
        raise InvalidInput(f"{args.file} is {path.stat().st_size:,} bytes; pilot-run CSVs up to {MAX_CSV_CHARS:,} "
                           "bytes are read.")
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InvalidInput(f"{args.file} is not UTF-8 text.") from None
    name = args.name or path.stem
    result = law_fit(LawFitSetup(csv_text=text, name=name[:100], bootstrap=args.bootstrap)).fit
    if args.save:
        from lifecycle.records.laws import add_law
        from lifecycle.records.store import Store, current_user

        add_law(Store(), result.law, author=current_user())
    if args.json:
        print_json({"name": name, "kind": "parametric", "n_points": result.n_points, "constants": result.constants,
                    "ci95": result.ci95, "rmse_log": result.rmse_log, "saved": bool(args.save),
                    "warnings": result.warnings,
                    "residuals": result.residuals})
        return 0
    c = result.constants
    print(f"fit {name}: {result.n_points} runs, RMSE of log loss {result.rmse_log:.4f}")
    for k in ("E", "A", "B", "alpha", "beta", "a"):
        lo, hi = result.ci95.get(k, (float("nan"), float("nan")))
        print(f"  {k:<6}{c[k]:>12.5g}   95% CI [{lo:.5g}, {hi:.5g}]")
    print(f"  N_opt = {c['G']:.4g}·(C/6)^{c['a']:.4f}, D_opt = (C/6)^{c['b']:.4f}/{c['G']:.4g}"
          + ("   (saved)" if args.save else ""))
    for warning in result.warnings:
        print(f"warning: {warning}")
    return 0


def _laws(args) -> int:
    from lifecycle.records.laws import list_laws
    from lifecycle.records.store import Store

    laws = list_laws(Store())
    if args.json:
        print_json([law.model_dump() for law in laws])
        return 0
    for law in laws:
        print(f"{law.name:<24} {law.kind:<11} {'built-in' if law.builtin else 'saved'}  {law.label}")
    return 0
