"""The domain's layers (CONTRIBUTING.md): imports only go down, and no two modules import each other.

Read from the source with ``ast`` so a violation fails here even if nothing happens to import the module.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "lifecycle"
# lowest first; a module may import its own layer and the layers below it
LAYERS = ["base", "models", "scaling", "memory", "serving", "adapt", "records", "launch", "charts", "reports", "cli"]
BASE = {"errors", "_typed", "_lookup", "resources", "choices", "limits"}


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _layer(module: str) -> str | None:
    parts = module.split(".")
    if parts[0] != "lifecycle" or len(parts) == 1:
        return None  # the package itself: its lazy table names every layer on purpose
    return "base" if parts[1] in BASE else parts[1] if parts[1] in LAYERS else None


def _imports(path: Path, *, top_level_only: bool) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    nodes = tree.body if top_level_only else ast.walk(tree)
    found: set[str] = set()
    for node in nodes:
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            found.update(f"{node.module}.{a.name}" for a in node.names)
        elif isinstance(node, ast.Import):
            found.update(a.name for a in node.names)
    return {m for m in found if m.startswith("lifecycle.")}


def _modules() -> dict[str, Path]:
    out = {}
    for path in PACKAGE.rglob("*.py"):
        if "migrations" in path.parts:
            continue
        out[_module_name(path)] = path
    return out


def test_imports_only_go_down_the_layers():
    wrong = []
    for name, path in _modules().items():
        mine = _layer(name)
        if mine is None:
            continue
        for target in _imports(path, top_level_only=False):
            theirs = _layer(target)
            if theirs is not None and LAYERS.index(theirs) > LAYERS.index(mine):
                wrong.append(f"{name} ({mine}) imports {target} ({theirs})")
    assert wrong == []


def test_no_import_cycles_between_modules():
    modules = _modules()
    graph = {name: {t for t in _imports(path, top_level_only=True) if t in modules and t != name}
             for name, path in modules.items()}
    # a package's __init__ re-exporting its modules is not a cycle with them
    graph = {n: {t for t in ts if not n.startswith(t + ".")} for n, ts in graph.items()}
    state: dict[str, int] = {}
    cycles = []

    def visit(node: str, stack: list[str]) -> None:
        state[node] = 1
        for nxt in graph[node]:
            if state.get(nxt) == 1:
                cycles.append(stack[stack.index(nxt):] + [nxt] if nxt in stack else [node, nxt])
            elif nxt not in state:
                visit(nxt, stack + [nxt])
        state[node] = 2

    for name in sorted(graph):
        if name not in state:
            visit(name, [name])
    assert cycles == []


def test_the_domain_never_imports_the_ui():
    for name, path in _modules().items():
        text = path.read_text(encoding="utf-8")
        assert "import streamlit" not in text and "from streamlit" not in text, name
        assert "from ui" not in text and "import ui" not in text, name
