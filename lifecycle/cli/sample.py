"""``lifecycle sample``: apply temperature / top-k / top-p to a next-token distribution and sample it."""

from __future__ import annotations

import argparse

from lifecycle.cli._io import print_json
from lifecycle.serving.sampling import (
    DEFAULT_DISTRIBUTION_SOURCE,
    SamplingSetup,
    load_distribution_text,
    sampling_demo,
)


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "sample", help="apply generation settings to a next-token distribution and sample it (seeded).",
        description="Temperature, then top-k, then top-p (as Hugging Face generate), renormalised; then seeded draws.",
    )
    p.add_argument("--temperature", type=float, default=1.0, help="0 means greedy (default 1.0)")
    p.add_argument("--top-k", type=int, default=None,
                   help="keep tokens at least as probable as the K-th; ties with it stay, as in Hugging Face (default: all)")
    p.add_argument("--greedy", action="store_true", help="random sampling off (do_sample=False): the most probable token")
    p.add_argument("--top-p", type=float, default=1.0, help="nucleus: smallest set reaching P (default 1.0)")
    p.add_argument("--seed", type=int, default=0, help="random seed for the draws (default 0)")
    p.add_argument("--samples", type=int, default=1000, help="number of draws (default 1000)")
    p.add_argument("--probs", metavar="FILE", help="distribution file: JSON object or 'token probability' lines")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(func=handle)


def handle(args: argparse.Namespace) -> int:
    settings = {"temperature": args.temperature, "top_k": args.top_k, "top_p": args.top_p, "seed": args.seed,
                "samples": args.samples, "do_sample": not args.greedy}
    setup = (SamplingSetup.from_text(load_distribution_text(args.probs), **settings) if args.probs
             else SamplingSetup(**settings))
    demo = sampling_demo(setup)
    dist, t, freqs = demo.distribution, demo.transformed, demo.frequencies
    rows = [{"token": tok, "before": b, "after": a, "kept": k, "frequency": float(f)}
            for tok, b, a, k, f in zip(t.tokens, t.original, t.final, t.kept, freqs)]
    if args.json:
        print_json({"settings": {"temperature": t.temperature, "top_k": t.top_k, "top_p": t.top_p,
                                 "seed": args.seed, "samples": args.samples},
                    "greedy": t.greedy, "kept_count": t.kept_count, "vocabulary": len(t.tokens),
                    "renormalised_input": dist.renormalised,
                    "source": args.probs or DEFAULT_DISTRIBUTION_SOURCE, "tokens": rows})
        return 0
    print(f"temperature {t.temperature:g}, top-k {t.top_k or 'off'}, top-p {t.top_p:g}, seed {args.seed}: "
          f"kept {t.kept_count} of {len(t.tokens)} tokens{' (greedy)' if t.greedy else ''}")
    if dist.renormalised:
        print(f"(input probabilities summed to {dist.input_sum:g}; renormalised to 1)")
    print(f"{'token':<16}{'before':>10}{'after':>10}{'sampled':>10}")
    for r in sorted(rows, key=lambda r: -r["after"]):
        if r["kept"]:
            print(f"{r['token'][:15]:<16}{r['before']:>10.4f}{r['after']:>10.4f}{r['frequency']:>10.4f}")
    return 0
