"""Kill rate per module from the last `make mutate` run (mutmut's results in mutants/**/*.py.meta).

Prints a Markdown table: module, mutants, killed (a test failed or timed out), survived, no tests (no fast test
reaches the function), kill rate = killed / (killed + survived + no tests). Then the survivors, one per line, so
each can be killed by a test or explained in benchmarks/README.md. `--module PREFIX` limits both to one module.
Run from the repository root after `make mutate`; it reads files only and changes nothing.
"""
from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path

# mutmut 3's exit codes (mutmut/stats.py): 1 and 3 a test failed, 36 and the SIGXCPU codes a timeout.
KILLED = {1, 3, 36, 24, -24, 152, 255}
SURVIVED = {0}
NO_TESTS = {5, 33}


def module_counts(meta_path: Path) -> tuple[Counter, list[str]]:
    exit_codes = json.loads(meta_path.read_text())["exit_code_by_key"]
    counts: Counter = Counter()
    survivors = []
    for key, code in exit_codes.items():
        if code in KILLED:
            counts["killed"] += 1
        elif code in SURVIVED:
            counts["survived"] += 1
            survivors.append(key)
        elif code in NO_TESTS:
            counts["no tests"] += 1
            survivors.append(key + "  (no tests)")
        elif code is None:
            counts["not run"] += 1
        else:
            counts["other"] += 1
    return counts, survivors


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", default="mutants", help="mutmut's working folder (default: mutants)")
    parser.add_argument("--module", default="", help="only modules whose path starts with this")
    parser.add_argument("--no-survivors", action="store_true", help="print the table only")
    args = parser.parse_args(argv)
    root = Path(args.root)
    metas = sorted(p for p in root.rglob("*.py.meta") if str(p.relative_to(root)).startswith(args.module))
    if not metas:
        print(f"no mutmut results under {root}/ (run `make mutate` first)", file=sys.stderr)
        return 2
    total: Counter = Counter()
    all_survivors = []
    print("| module | mutants | killed | survived | no tests | kill rate |")
    print("| --- | ---: | ---: | ---: | ---: | ---: |")
    for meta in metas:
        counts, survivors = module_counts(meta)
        tested = counts["killed"] + counts["survived"] + counts["no tests"]
        if not tested:
            continue
        total += counts
        all_survivors += survivors
        module = str(meta.relative_to(root))[: -len(".meta")]
        print(f"| {module} | {tested} | {counts['killed']} | {counts['survived']} | {counts['no tests']} "
              f"| {counts['killed'] / tested:.0%} |")
    tested = total["killed"] + total["survived"] + total["no tests"]
    print(f"| **all** | {tested} | {total['killed']} | {total['survived']} | {total['no tests']} "
          f"| **{total['killed'] / max(tested, 1):.1%}** |")
    if total["not run"]:
        print(f"\n{total['not run']} mutants not run yet (the run was stopped): `make mutate` resumes.")
    if not args.no_survivors and all_survivors:
        print("\nSurvivors (`.venv/bin/mutmut show NAME` prints the change):")
        for name in all_survivors:
            print(f"- {name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
