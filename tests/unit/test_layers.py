"""The layers (CONTRIBUTING.md): imports only go down, and no two modules import each other; every module of
``lifecycle/`` has a layer (``display.py`` and ``_files.py`` are base utilities, ``__main__`` is the CLI), the
heavy libraries stay in the package that needs them, ``ui/`` imports ``lifecycle`` and ``ui`` only, and a page in
``pages/`` imports ``ui`` and ``lifecycle`` only.

Read from the source with ``ast`` so a violation fails here even if nothing happens to import the module.
"""

from __future__ import annotations

import ast
import functools
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "lifecycle"
# lowest first; a module may import its own layer and the layers below it
LAYERS = ["base", "models", "scaling", "memory", "serving", "adapt", "records", "launch", "charts", "reports", "cli"]
BASE = {"errors", "_typed", "_lookup", "resources", "choices", "display", "_files", "limits"}
TOP = {"__main__": "cli"}  # ``python -m lifecycle`` is the CLI


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _layer(module: str) -> str | None:
    parts = module.split(".")
    if parts[0] != "lifecycle" or len(parts) == 1:
        return None  # the package itself: its lazy table names every layer on purpose
    if parts[1] in TOP:
        return TOP[parts[1]]
    return "base" if parts[1] in BASE else parts[1] if parts[1] in LAYERS else None


@functools.cache
def _all_imports(path: Path, *, top_level_only: bool = False) -> frozenset[str]:
    """Every absolute import of the file (``from a.b import c`` gives ``a.b`` and ``a.b.c``); parsed once."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    nodes = tree.body if top_level_only else ast.walk(tree)
    found: set[str] = set()
    for node in nodes:
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            found.update(f"{node.module}.{a.name}" for a in node.names)
        elif isinstance(node, ast.Import):
            found.update(a.name for a in node.names)
    return frozenset(found)


def _imports(path: Path, *, top_level_only: bool) -> set[str]:
    return {m for m in _all_imports(path, top_level_only=top_level_only) if m.startswith("lifecycle.")}


def _third_party(path: Path) -> set[str]:
    tops = {m.split(".")[0] for m in _all_imports(path, top_level_only=False)}
    return {t for t in tops if t not in sys.stdlib_module_names and t not in {"__future__", "lifecycle", "ui"}}


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
    assert _cycles(graph) == []


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
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
    return cycles


def test_the_domain_never_imports_the_ui():
    for name, path in _modules().items():
        text = path.read_text(encoding="utf-8")
        assert "import streamlit" not in text and "from streamlit" not in text, name
        assert "from ui" not in text and "import ui" not in text, name


def test_every_domain_module_has_a_layer():
    """A new top-level module must be placed in the table (BASE, TOP or a layer), or it escapes the checks."""
    assert [name for name in _modules() if name != "lifecycle" and _layer(name) is None] == []


# Where each heavy library may be imported (CONTRIBUTING's table): the SQL store in records, figures in charts
# (and the reports that embed them), rendering in reports, the Hub and the tokenizer in models. Importing a
# calculator therefore never loads SQLAlchemy, plotly, WeasyPrint or httpx.
HEAVY = {
    "sqlalchemy": {"records"}, "alembic": {"records"},
    "plotly": {"charts", "reports"}, "kaleido": {"reports"},
    "weasyprint": {"reports"}, "jinja2": {"reports"}, "markupsafe": {"reports"},
    "httpx": {"models"}, "huggingface_hub": {"models"}, "tokenizers": {"models"},
    "streamlit": set(),
}


def test_heavy_libraries_stay_in_their_package():
    wrong = []
    for name, path in _modules().items():
        package = name.split(".")[1] if "." in name else name
        for lib in _third_party(path) & set(HEAVY):
            if package not in HEAVY[lib]:
                wrong.append(f"{name} imports {lib} (allowed in: {sorted(HEAVY[lib]) or 'nowhere'})")
    assert wrong == []


def _files(folder: str) -> dict[str, Path]:
    return {f"{folder}.{p.stem}": p for p in sorted((ROOT / folder).glob("*.py"))}


# Pinned exceptions, each to be removed by moving the code, never extended without a reason:
UI_EXTRA = {"ui.generation": {"numpy"}}  # means over the sampling steps: belong in the domain's Result
PAGE_EXTRA = {"pages.projects": {"streamlit"}, "pages.report": {"streamlit"}}  # page bodies not yet in a ui view


def test_ui_imports_the_domain_and_itself_only():
    """ui/ may import lifecycle and streamlit (and pandas/plotly to hand a Result to a Streamlit widget); never
    pages/, app.py or the tests, and no numerical library: no formula lives in ui/."""
    allowed = {"streamlit", "pandas", "plotly"}
    wrong = []
    for name, path in _files("ui").items():
        first_party = {m.split(".")[0] for m in _all_imports(path, top_level_only=False)} & {"pages", "app", "tests"}
        extra = _third_party(path) - allowed - UI_EXTRA.get(name, set())
        if first_party or extra:
            wrong.append(f"{name} imports {sorted(first_party | extra)}")
    assert wrong == []


def test_pages_import_ui_and_the_domain_only():
    """A page is a few lines: ``common.show_page(stage, title, view.render)``; its body lives in a ui view."""
    wrong = []
    for name, path in _files("pages").items():
        tops = {m.split(".")[0] for m in _all_imports(path, top_level_only=False)}
        extra = {t for t in tops if t not in {"__future__", "ui", "lifecycle"} and t not in sys.stdlib_module_names}
        extra -= PAGE_EXTRA.get(name, set())
        if extra or "pages" in tops:
            wrong.append(f"{name} imports {sorted(extra | (tops & {'pages'}))}")
    assert wrong == []


def test_no_import_cycles_between_ui_modules():
    modules = _files("ui")
    graph = {name: {t for t in _all_imports(path, top_level_only=True) if t in modules and t != name}
             for name, path in modules.items()}
    assert _cycles(graph) == []
