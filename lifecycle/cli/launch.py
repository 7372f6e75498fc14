"""``lifecycle run-config PROJECT --format accelerate|deepspeed|skypilot -o PATH``: the launch files of a
project's training scenario. One file is written to PATH; several go into the folder PATH (or a .zip), and
``-o -`` prints them one after another under ``# ==> NAME <==`` lines."""

from __future__ import annotations

import argparse
from pathlib import Path

from lifecycle.cli._io import write_atomic

FORMATS = ("accelerate", "deepspeed", "skypilot")  # lifecycle.launch.files.FORMATS (not imported for --help)


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("run-config", help="launch files (accelerate, deepspeed, skypilot) for a training scenario")
    p.add_argument("project", help="project name or id")
    p.add_argument("--format", required=True, choices=FORMATS)
    p.add_argument("--scenario", default=None, help="training scenario name or id (default: the project's chosen one)")
    p.add_argument("--global-batch", type=int, default=None,
                   help="sequences per optimizer step (default: the Adapt & Align decision, else micro-batch x GPUs)")
    p.add_argument("-o", "--output", required=True, help="file, folder or .zip to write ('-' for stdout)")
    p.set_defaults(func=handle)


def handle(args) -> int:
    from lifecycle.launch.choose import job_setup
    from lifecycle.launch.files import run_config, zip_bytes
    from lifecycle.records.store import Store

    project = Store().get_project(args.project)
    files = run_config(job_setup(project, args.scenario, global_batch=args.global_batch), args.format)
    out = args.output
    if out == "-":
        print("".join(f"# ==> {name} <==\n{text}" for name, text in files.items()), end="")
    elif len(files) == 1:
        write_atomic(out, next(iter(files.values())))
    elif out.endswith(".zip"):
        write_atomic(out, zip_bytes(files))
    else:
        folder = Path(out)
        folder.mkdir(parents=True, exist_ok=True)
        for name, text in files.items():
            write_atomic(folder / name, text)
    return 0
