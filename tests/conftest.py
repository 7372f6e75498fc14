"""Shared fixtures: temporary stores on SQLite and on a real PostgreSQL server, and AppTest helpers."""

from __future__ import annotations

import itertools
import os
from pathlib import Path

import pytest

from lifecycle.records.store import Store

ROOT = Path(__file__).resolve().parents[1]
_db_counter = itertools.count()


@pytest.fixture(scope="session")
def postgres_server():
    """A PostgreSQL server on loopback for the whole session (an external one via LIFECYCLE_TEST_POSTGRES_URL)."""
    from tests.support.pg_server import PostgresServer

    external = os.environ.get("LIFECYCLE_TEST_POSTGRES_URL")
    if external:
        yield external, None
        return
    server = PostgresServer()
    url = server.start()
    yield url, server
    server.stop()


def _cached_lifecycle_functions() -> list:
    import sys

    return [obj for name, module in list(sys.modules.items()) if name.startswith(("lifecycle.", "ui."))
            for obj in list(vars(module).values()) if callable(getattr(obj, "cache_clear", None))]


@pytest.fixture(autouse=True)
def _no_warm_caches_under_mutmut():
    """Under mutmut (make mutate) every test computes afresh: a calculator's lru_cache warmed by an earlier test
    would answer without reaching the functions mutmut mutates, so the test would not be counted as reaching them
    and their mutants would look like survivors. Outside mutmut the caches stay (they are what keeps pages fast)."""
    if "MUTANT_UNDER_TEST" in os.environ:
        for function in _cached_lifecycle_functions():
            function.cache_clear()
    yield


def _fresh_url(request, tmp_path, backend: str) -> str:
    if backend == "sqlite":
        return f"sqlite:///{tmp_path}/lifecycle-{next(_db_counter)}.db"
    url, server = request.getfixturevalue("postgres_server")
    if server is None:
        return url
    return server.create_database(f"t{os.getpid()}_{next(_db_counter)}")


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def any_store(request, tmp_path) -> Store:
    """A migrated, empty store on each backend."""
    store = Store(_fresh_url(request, tmp_path, request.param))
    yield store
    store.engine.dispose()


@pytest.fixture
def store(tmp_path) -> Store:
    """A migrated, empty SQLite store."""
    s = Store(f"sqlite:///{tmp_path}/lifecycle.db")
    yield s
    s.engine.dispose()


@pytest.fixture
def app_env(tmp_path, monkeypatch) -> Store:
    """Point the app (and the CLI) at a fresh temporary database; returns its store."""
    url = f"sqlite:///{tmp_path}/app-{next(_db_counter)}.db"
    monkeypatch.setenv("LIFECYCLE_DATABASE_URL", url)
    monkeypatch.setenv("LIFECYCLE_USER", "tester")
    s = Store(url)
    yield s
    s.engine.dispose()


@pytest.fixture(autouse=True)
def _app_navigation_mode(monkeypatch):
    """AppTest forgets, before every run, that the app uses ``st.navigation`` (Streamlit's process-wide
    ``PagesManager.uses_pages_directory`` flag), so each run of ``app.py`` would start in legacy
    ``pages/`` mode and ``ui.common.ensure_app_navigation`` would rerun, dropping the click being tested.
    A browser session sees the flag flip once per server (``tests/e2e/test_deep_link.py``)."""
    from streamlit.runtime.pages_manager import PagesManager

    original = PagesManager.__init__

    def init(self, *args, **kwargs):
        original(self, *args, **kwargs)
        PagesManager.uses_pages_directory = False

    monkeypatch.setattr(PagesManager, "__init__", init)


@pytest.fixture
def run_page(app_env):
    """Run one page file (``"pages/memory_gpus.py"``) with AppTest; ``project`` opens it."""
    from streamlit.testing.v1 import AppTest

    def run(page: str, project=None, session_state: dict | None = None, timeout: float = 30):
        at = AppTest.from_file(str(ROOT / page), default_timeout=timeout)
        if project is not None:
            at.session_state["project_id"] = project.id
        for key, value in (session_state or {}).items():
            at.session_state[key] = value
        return at.run()

    return run
