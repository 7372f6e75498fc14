"""Cold start of the command line: CPU seconds (user + system) of whole ``lifecycle`` commands.

Targets (issue 11): ``lifecycle memory --model llama-2-7b --json`` ≤ 0.3 s CPU and ``lifecycle --help`` ≤ 0.2 s,
from an installed wheel. Each command runs ``--runs`` times in a fresh process; the table shows the median CPU
time of the child (``resource.getrusage(RUSAGE_CHILDREN)``), which a busy machine does not inflate the way it
does wall-clock time. ``--wheel`` also builds the wheel, installs it into a temporary venv and measures there.

    python benchmarks/cold_start.py [--runs 7] [--wheel] [--python PATH]
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from common import ROOT, format_table, write_result

COMMANDS = {
    "lifecycle --help": ["--help"],
    "lifecycle memory --model llama-2-7b --json": ["memory", "--model", "llama-2-7b", "--json"],
    "lifecycle scaling --law chinchilla3 --compute 1e23 --json": ["scaling", "--law", "chinchilla3", "--compute",
                                                                   "1e23", "--json"],
    "python -c 'import lifecycle'": None,
}
TARGETS_S = {"lifecycle --help": 0.2, "lifecycle memory --model llama-2-7b --json": 0.3}


def cpu_seconds(argv: list[str], cwd: str) -> float:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    subprocess.run(argv, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def measure(python: str, where: str, runs: int) -> list[dict]:
    rows = []
    with tempfile.TemporaryDirectory() as cwd:  # an empty directory: nothing found by accident
        for label, args in COMMANDS.items():
            argv = [python, "-c", "import lifecycle"] if args is None else [python, "-m", "lifecycle", *args]
            cpu_seconds(argv, cwd)  # warm the OS file cache; the first import also writes .pyc files
            samples = [cpu_seconds(argv, cwd) for _ in range(runs)]
            target = TARGETS_S.get(label)
            median = statistics.median(samples)
            rows.append({"install": where, "command": label, "median_cpu_s": median, "max_cpu_s": max(samples),
                         "target_s": target if target else "—",
                         "meets_target": "—" if target is None else median <= target})
    return rows


def wheel_python(tmp: str) -> str:
    subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", str(ROOT), "-w", f"{tmp}/dist"],
                   check=True, stderr=subprocess.DEVNULL)
    subprocess.run([sys.executable, "-m", "venv", f"{tmp}/venv"], check=True)
    wheel = next(Path(tmp, "dist").glob("*.whl"))
    subprocess.run([f"{tmp}/venv/bin/python", "-m", "pip", "install", "-q", str(wheel)], check=True,
                   stderr=subprocess.DEVNULL)
    return f"{tmp}/venv/bin/python"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--wheel", action="store_true", help="also measure a wheel installed in a temporary venv")
    parser.add_argument("--python", default=sys.executable, help="interpreter of the checkout's venv")
    args = parser.parse_args()
    os.environ.setdefault("LIFECYCLE_USER", "bench")
    rows = measure(args.python, "checkout (editable)", args.runs)
    if args.wheel:
        with tempfile.TemporaryDirectory() as tmp:
            rows += measure(wheel_python(tmp), "installed wheel", args.runs)
    print(format_table(rows, ["install", "command", "median_cpu_s", "max_cpu_s", "target_s", "meets_target"],
                       {"median_cpu_s": ".3f", "max_cpu_s": ".3f"}))
    write_result("cold_start", {"runs": args.runs, "rows": rows})
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
