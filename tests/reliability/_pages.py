"""Every page and every view of the app, found from the page files themselves.

A stage page lists its views in ``VIEWS = [("Title", module), …]``; the titles are read from the
page's source (``ast``), so a view added by any helper is covered without editing this file.
Pages without a VIEWS list count as one view (``None``).
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PAGES_DIR = ROOT / "pages"
BAD_NUMBER = re.compile(r"^[-+]?(nan|inf|infinity)\b", re.IGNORECASE)


def view_titles(page: Path) -> list[str | None]:
    tree = ast.parse(page.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if (isinstance(node, ast.Assign) and isinstance(node.value, (ast.List, ast.Tuple))
                and any(isinstance(t, ast.Name) and t.id == "VIEWS" for t in node.targets)):
            titles = [elt.elts[0].value for elt in node.value.elts
                      if isinstance(elt, ast.Tuple) and elt.elts and isinstance(elt.elts[0], ast.Constant)]
            return titles or [None]
    return [None]


def page_views() -> list[tuple[str, str | None]]:
    """(page path relative to the repo, view title or None) for every page and view."""
    return [(f"pages/{p.name}", title) for p in sorted(PAGES_DIR.glob("*.py")) for title in view_titles(p)]


def view_id(pv: tuple[str, str | None]) -> str:
    return f"{Path(pv[0]).stem}:{pv[1] or 'page'}"


def open_view(page: str, view: str | None, project_id: int | None, timeout: float = 60):
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(ROOT / page), default_timeout=timeout)
    if project_id is not None:
        at.session_state["project_id"] = project_id
    if view is not None:
        at.query_params["view"] = view
    return at.run()


def problems(at) -> list[str]:
    """What a user must never see: an exception, an 'Unexpected error' box, NaN/inf as a metric."""
    found = [f"exception: {e.value}"[:400] for e in at.exception]
    found += [f"unexpected error box: {e.value}"[:400] for e in at.error if "Unexpected error" in str(e.value)]
    found += [f"metric {m.label!r} shows {m.value!r}" for m in at.metric if BAD_NUMBER.match(str(m.value).strip())]
    return found
