"""Every page of the app, from the one list ``app.py`` registers (``ui.navigation.PAGES``)."""

from __future__ import annotations

import re
from pathlib import Path

from ui.navigation import PAGES

ROOT = Path(__file__).resolve().parents[2]
BAD_NUMBER = re.compile(r"^[-+]?(nan|inf|infinity)\b", re.IGNORECASE)


def page_views() -> list[tuple[str, None]]:
    """(page file relative to the repo, None) for every page; the second item is kept for the tests' ids."""
    return [(spec.file, None) for spec in PAGES]


def view_id(pv: tuple[str, str | None]) -> str:
    return Path(pv[0]).stem


def open_view(page: str, view: str | None, project_id: int | None, timeout: float = 60):
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(ROOT / page), default_timeout=timeout)
    if project_id is not None:
        at.session_state["project_id"] = project_id
    return at.run()


def problems(at) -> list[str]:
    """What a user must never see: an exception, an 'Unexpected error' box, NaN/inf as a metric."""
    found = [f"exception: {e.value}"[:400] for e in at.exception]
    found += [f"unexpected error box: {e.value}"[:400] for e in at.error if "Unexpected error" in str(e.value)]
    found += [f"metric {m.label!r} shows {m.value!r}" for m in at.metric if BAD_NUMBER.match(str(m.value).strip())]
    return found
