"""Where the shipped files are: ``data/``, the dashboard (``app.py``, ``pages/``, ``ui/``) and the
default database — the one lookup that works both in a checkout and in an installed wheel.

In a checkout these live at the repository root beside ``lifecycle/``. The wheel carries them inside the
package, under ``lifecycle/_bundled/`` (``pyproject.toml`` maps them there at build time), because an
installed package has no repository around it. The Alembic migrations are a subpackage
(``lifecycle/records/migrations``) and need no lookup.
"""

from __future__ import annotations

import os
from functools import cache
from pathlib import Path

_PACKAGE_DIR = Path(__file__).resolve().parent
APP_NAME = "genai-lifecycle-planner"


@cache
def shipped_root() -> Path:
    """The folder holding ``data/``, ``app.py`` and ``pages/``: bundled in a wheel, else the checkout."""
    bundled = _PACKAGE_DIR / "_bundled"
    if (bundled / "data").is_dir():
        return bundled
    checkout = _PACKAGE_DIR.parent
    if (checkout / "data").is_dir():
        return checkout
    raise FileNotFoundError(
        f"The planner's data files are missing: neither {bundled} nor {checkout} has a data/ folder. "
        "Reinstall the package (pip install genai-lifecycle-planner) or run from a checkout."
    )


def data_path(*parts: str) -> Path:
    """A shipped data file or folder, e.g. ``data_path("models.json")``."""
    return shipped_root().joinpath("data", *parts)


def app_path() -> Path:
    """The Streamlit entry point (``app.py``)."""
    return shipped_root() / "app.py"


def is_checkout() -> bool:
    return shipped_root() == _PACKAGE_DIR.parent


def default_database_path() -> Path:
    """``data/lifecycle.db`` in a checkout; in an installed package the user's data folder
    (``$XDG_DATA_HOME`` or ``~/.local/share``), never inside site-packages."""
    if is_checkout():
        return shipped_root() / "data" / "lifecycle.db"
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / APP_NAME / "lifecycle.db"
