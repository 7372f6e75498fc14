"""Every file, folder and module the code and the docs name exists: a pointer is never stale.

Issue 28 found ``activations.py`` naming ``memory.py``, ``serving/plan.py`` naming a function where it is not and
``reports/sections.py`` naming ``lifecycle/project.py``. The paths are read generically from the text of
``lifecycle/``, ``ui/``, ``pages/``, ``app.py``, ``README.md`` and ``CONTRIBUTING.md`` (docstrings, comments and
strings alike), so after a file is renamed this test names every place still pointing at the old name:

- a path from the repository root: ``lifecycle/x/y.py``, ``ui/foo.py``, ``data/bar.json``, ``tests/…``,
  ``benchmarks/…``, ``docs/…``, ``.ci/…`` (a file or a folder);
- a path inside ``lifecycle/`` written without it: ``records/audit.py``, ``memory/plan.py``;
- a dotted name: ``lifecycle.a.b`` or ``ui.a`` (a module, or a name that module defines: ``lifecycle.records.
  project.Project``, ``ui.common.save_project``).
"""

from __future__ import annotations

import ast
import re
from functools import cache
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SUBPACKAGES = "|".join(p.name for p in sorted((ROOT / "lifecycle").iterdir()) if (p / "__init__.py").is_file())
ROOTED = re.compile(r"(?<![\w./-])((?:lifecycle|ui|pages|data|tests|benchmarks|docs|\.ci)/[\w.*<>-]+(?:/[\w.*<>-]+)*/?)")
INSIDE = re.compile(rf"(?<![\w./-])((?:{SUBPACKAGES})/[\w-]+(?:/[\w-]+)*\.py)\b")
DOTTED = re.compile(r"(?<![\w./-])((?:lifecycle|ui)(?:\.[A-Za-z_]\w*)+)")
# made at run or build time, not in the checkout: the default SQLite database, the wheel's copy of the dashboard
MADE_AT_RUN_TIME = {"data/lifecycle.db", "lifecycle/_bundled"}
FILE_SUFFIXES = (".py", ".db", ".json", ".csv", ".md", ".toml", ".yaml", ".txt")


def _sources() -> list[Path]:
    files = [ROOT / "README.md", ROOT / "CONTRIBUTING.md", ROOT / "app.py"]
    for folder in ("lifecycle", "ui", "pages"):
        files += sorted(p for p in (ROOT / folder).rglob("*.py") if "migrations" not in p.parts)
    return files


def _placeholder(path: str) -> bool:
    """``lifecycle/cli/<group>.py``, ``tests/unit/test_*.py``, ``/tmp/mut-NAME``: a pattern, not one file."""
    return any(ch in path for ch in "*<>") or re.search(r"(^|/)[A-Z]+(_[A-Z]+)*(\.|/|$)", path) is not None


@cache
def _top_level_names(path: Path) -> frozenset[str]:
    names: set[str] = set()
    for node in ast.parse(path.read_text(encoding="utf-8")).body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, (ast.Assign, ast.AnnAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            names.update(n.id for t in targets for n in ast.walk(t) if isinstance(n, ast.Name))
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            names.update((a.asname or a.name).split(".")[0] for a in node.names)
    if path == ROOT / "lifecycle" / "__init__.py":  # the lazily exported public API
        import lifecycle

        names.update(lifecycle.__all__)
    return frozenset(names)


def _dotted_exists(name: str) -> bool:
    parts = name.split(".")
    for cut in range(len(parts), 0, -1):
        base = ROOT.joinpath(*parts[:cut])
        module = base.with_suffix(".py") if base.with_suffix(".py").is_file() else base / "__init__.py"
        if module.is_file():
            rest = parts[cut:]
            return not rest or rest[0] in _top_level_names(module)
    return False


def _path_exists(path: str, *, inside_lifecycle: bool) -> bool:
    path = path.rstrip("/.")
    if path in MADE_AT_RUN_TIME or _placeholder(path):
        return True
    return (ROOT / "lifecycle" / path).exists() if inside_lifecycle else (ROOT / path).exists()


def _stale(sources: list[Path]) -> list[str]:
    stale = []
    for source in sources:
        text = source.read_text(encoding="utf-8")
        where = source.relative_to(ROOT).as_posix() if source.is_relative_to(ROOT) else source.name
        for match in ROOTED.finditer(text):
            if not _path_exists(match.group(1), inside_lifecycle=False):
                stale.append(f"{where}: {match.group(1)}")
        for match in INSIDE.finditer(text):
            if not _path_exists(match.group(1), inside_lifecycle=True) and not (ROOT / match.group(1)).exists():
                stale.append(f"{where}: {match.group(1)}")
        for match in DOTTED.finditer(text):
            name = match.group(1).rstrip(".")
            if name.endswith(FILE_SUFFIXES):  # a file name (lifecycle.db), not a module
                continue
            if not _dotted_exists(name):
                stale.append(f"{where}: {name}")
    return stale


def test_every_path_and_module_named_in_the_code_and_the_docs_exists():
    assert _stale(_sources()) == []


@pytest.mark.parametrize("text, found", [
    ("see ``lifecycle/memory/nowhere.py``", True), ("see `records/nowhere.py`", True),
    ("``lifecycle.records.project.Nowhere``", True), ("``lifecycle.records.project.Project``", False),
    ("lifecycle/cli/<group>.py", False), ("``ui.common.save_project``", False),
])
def test_the_reader_finds_a_stale_pointer(tmp_path, text, found):
    """The check itself: a made-up pointer is reported, a real one and a pattern are not."""
    (tmp_path / "README.md").write_text(text, encoding="utf-8")
    assert bool(_stale([tmp_path / "README.md"])) is found
