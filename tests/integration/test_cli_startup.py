"""The CLI starts fast: only the chosen subcommand's module is imported, and sizing a model needs none of the
database, science, chart or report stacks (counted from ``python -X importtime``, never timed)."""

import argparse
import importlib
import subprocess
import sys
from pathlib import Path

import pytest

from lifecycle.cli import COMMANDS, build_parser

pytestmark = [pytest.mark.subprocess]

ROOT = Path(__file__).resolve().parents[2]
HEAVY = ("sqlalchemy", "scipy", "pandas", "plotly", "jinja2", "weasyprint", "alembic", "ml_dtypes", "tokenizers",
         "streamlit")


def _imported(*argv: str) -> set[str]:
    proc = subprocess.run([sys.executable, "-X", "importtime", "-m", "lifecycle", *argv], capture_output=True,
                          text=True, cwd=ROOT, check=False)
    lines = [line.split("|")[-1].strip() for line in proc.stderr.splitlines() if line.startswith("import time:")]
    return set(lines)


def test_help_imports_no_subcommand_module():
    modules = _imported("--help")
    assert not {m for m in modules if m.startswith("lifecycle.cli.") and m != "lifecycle.cli"}
    assert not {m for m in modules if m.split(".")[0] in HEAVY}


@pytest.mark.parametrize("argv", [("memory", "--model", "llama-2-7b", "--json"),
                                  ("memory", "--model", "llama-2-7b", "--workload", "infer", "--gpu", "l4", "--json")])
def test_sizing_a_model_loads_none_of_the_heavy_stacks(argv):
    modules = _imported(*argv)
    assert "lifecycle.memory.plan" in modules
    assert sorted(m for m in modules if m.split(".")[0] in HEAVY) == []
    assert not {m for m in modules if m.startswith(("lifecycle.records", "lifecycle.reports", "lifecycle.charts"))}


def test_the_command_table_matches_what_each_module_registers():
    for name, (module, help_text) in COMMANDS.items():
        sub = argparse.ArgumentParser().add_subparsers()
        importlib.import_module(f"lifecycle.cli.{module}").register(sub)
        assert name in sub.choices, (name, module)
        assert sub._choices_actions[0].help == help_text, name
    full = build_parser()  # every subcommand's own options, as the docs generator would see them
    assert set(full._subparsers._group_actions[0].choices) == set(COMMANDS)
