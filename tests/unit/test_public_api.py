"""The public surface of ``lifecycle`` is deliberate (httpx style): this test pins it."""

import importlib
import pkgutil
import re
from pathlib import Path

import lifecycle

ROOT = Path(__file__).resolve().parents[2]


def _isort_style(name: str) -> tuple[int, str]:
    # ruff's RUF022 order: CONSTANTS, then Classes, then functions.
    return (0 if name.isupper() else 1 if name[:1].isupper() else 2, name)


def test_all_is_sorted_and_every_name_exists():
    assert lifecycle.__all__ == sorted(lifecycle.__all__, key=_isort_style)
    assert len(lifecycle.__all__) == len(set(lifecycle.__all__))
    for name in lifecycle.__all__:
        assert hasattr(lifecycle, name), name


def test_every_public_member_is_exported():
    public = {n for n, v in vars(lifecycle).items()
              if not n.startswith("_") and not isinstance(v, type(lifecycle))}
    assert public == set(lifecycle.__all__)


def test_domain_package_never_imports_streamlit():
    for path in (ROOT / "lifecycle").rglob("*.py"):
        text = path.read_text()
        assert not re.search(r"^\s*(import streamlit|from streamlit)", text, re.MULTILINE), path


def test_every_module_imports():
    for info in pkgutil.walk_packages(lifecycle.__path__, "lifecycle."):
        if not info.name.endswith("__main__"):
            importlib.import_module(info.name)
