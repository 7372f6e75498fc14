"""The ``lifecycle`` command line. Each subcommand lives in its own module of this package, which defines
``register(subparsers)``; only the module of the command being run is imported, so ``lifecycle --help`` and
``lifecycle memory`` start in a fraction of a second (benchmarks/cold_start.py).

Errors the domain raises on purpose (``LifecycleError``) become one line on stderr and exit 2.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys

from lifecycle.errors import LifecycleError

EXIT_BAD_INPUT = 2
# subcommand -> (module in this package, one-line help); tests/integration/test_cli_startup.py checks it matches register()
COMMANDS: dict[str, tuple[str, str]] = {
    "app": ("app", "serve the dashboard (Streamlit) on http://localhost:PORT"),
    "fit": ("fit", "will it fit: weight formats x workloads of one model on one GPU"),
    "memory": ("memory", "GPU memory and GPU count for training or inference of a transformer"),
    "models": ("models", "list the model catalog or show one model and its card"),
    "prices": ("prices", "the prices per GPU-hour the rent search uses (team table over the defaults)"),
    "projects": ("projects", "list, show, export and import projects"),
    "recommend": ("recommend", "recommend an architecture family (encoder, decoder, encoder-decoder) for tasks"),
    "rent": ("rent", "what to rent: GPU type x count x strategy x method that fit, ranked by cost and time"),
    "report": ("report", "build a project's report as Markdown, HTML or PDF"),
    "run-config": ("launch", "launch files (accelerate, deepspeed, skypilot) for a training scenario"),
    "sample": ("sample", "apply generation settings to a next-token distribution and sample it (seeded)."),
    "scaling": ("scaling", "compute-optimal model size, tokens, loss and training time from a scaling law"),
    "serve-plan": ("serve", "plan serving a model: memory per GPU, largest batch/context, tokens/s, cost per 1M tokens."),
}


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # argparse prints usage + message; we keep it to one line
        self.exit(EXIT_BAD_INPUT, f"lifecycle: error: {message}\n")


def _chosen(argv: list[str]) -> str | None:
    """The subcommand named on the command line (the first word that is not an option), if it is one of ours."""
    first = next((a for a in argv if not a.startswith("-")), None)
    return first if first in COMMANDS else None


def build_parser(argv: list[str] | None = None) -> argparse.ArgumentParser:
    """The parser, with the full options of the chosen subcommand only (all of them when ``argv`` is None)."""
    parser = _Parser(prog="lifecycle", description="GenAI Lifecycle Planner: plan, size and report a GenAI project.")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    wanted = set(COMMANDS) if argv is None else {_chosen(argv)}
    for name, (module_name, help_text) in COMMANDS.items():
        if name in wanted:
            importlib.import_module(f"{__name__}.{module_name}").register(sub)
        else:
            sub.add_parser(name, help=help_text, add_help=False)
    return parser


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    parser = build_parser(argv)
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return EXIT_BAD_INPUT
    try:
        return int(args.func(args) or 0)
    except LifecycleError as exc:
        print(f"lifecycle: error: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except BrokenPipeError:  # output piped into `head` and the like: not an error
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except (OSError, ValueError) as exc:
        print(f"lifecycle: error: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        return 130
