"""Shared fixtures: temporary stores on SQLite and on a real PostgreSQL server, and AppTest helpers."""

from __future__ import annotations

import inspect
import itertools
import os
import shutil
from pathlib import Path

import pytest

from lifecycle.records.store import Store

ROOT = Path(__file__).resolve().parents[1]
_db_counter = itertools.count()


# The kinds that are slow by nature: `pytest -m "not slow"` (the inner loop) leaves them out without each test
# having to say so twice.
SLOW_KINDS = ("e2e", "postgres", "pdf", "torch", "subprocess", "app")
APP_WORDS = ("AppTest", "open_view(")  # a test that runs a page script itself (tests/reliability/_pages.open_view)


def _runs_a_page(item) -> bool:
    """tests/app/, the ``run_page`` fixture, or a test body that starts an AppTest: Streamlit runs the whole page
    script (0.1-4 s a run, hundreds of runs)."""
    if "tests/app/" in item.nodeid or "run_page" in getattr(item, "fixturenames", ()):
        return True
    try:
        source = inspect.getsource(item.function)
    except (AttributeError, OSError, TypeError):
        return False
    return any(word in source for word in APP_WORDS)


def pytest_collection_modifyitems(config, items):
    for item in items:
        if not item.get_closest_marker("app") and _runs_a_page(item):
            item.add_marker(pytest.mark.app)
        if any(item.get_closest_marker(kind) for kind in SLOW_KINDS) and not item.get_closest_marker("slow"):
            item.add_marker(pytest.mark.slow)


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


# Migrating an empty database to head (Alembic, every migration) costs ~0.2 s on SQLite and ~0.6 s on PostgreSQL
# per test; hundreds of tests need a migrated, empty store. Each backend is migrated once per session (per xdist
# worker) and every such store is a copy: a file copy on SQLite, CREATE DATABASE … TEMPLATE on PostgreSQL. The
# migrations themselves are tested from empty databases (``_fresh_url``) in tests/db/.
@pytest.fixture(scope="session")
def _migrated_sqlite(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("template") / "migrated.db"
    s = Store(f"sqlite:///{path}")
    with s.engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    s.engine.dispose()
    assert not Path(f"{path}-wal").exists() or Path(f"{path}-wal").stat().st_size == 0
    return path


def _migrated_sqlite_url(request, folder: Path, name: str) -> str:
    target = folder / name
    shutil.copyfile(request.getfixturevalue("_migrated_sqlite"), target)
    return f"sqlite:///{target}"


@pytest.fixture(scope="session")
def _migrated_postgres(postgres_server) -> str | None:
    """The name of a migrated, empty template database on the session's server (None for an external server)."""
    _url, server = postgres_server
    if server is None:
        return None
    name = f"template_{os.getpid()}"
    s = Store(server.create_database(name))
    s.engine.dispose()  # CREATE DATABASE … TEMPLATE needs the template to have no connection
    return name


def _migrated_url(request, tmp_path, backend: str) -> str:
    """A migrated, empty database on ``backend``, copied from the session's template."""
    if backend == "sqlite":
        return _migrated_sqlite_url(request, tmp_path, f"lifecycle-{next(_db_counter)}.db")
    template = request.getfixturevalue("_migrated_postgres")
    url, server = request.getfixturevalue("postgres_server")
    if template is None:
        return url
    name = f"t{os.getpid()}_{next(_db_counter)}"
    request.addfinalizer(lambda: server.drop_database(name))  # runs after the store's own teardown
    return server.create_database(name, template=template)


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def any_store(request, tmp_path) -> Store:
    """A migrated, empty store on each backend."""
    store = Store(_migrated_url(request, tmp_path, request.param))
    yield store
    store.engine.dispose()


@pytest.fixture
def store(request, tmp_path) -> Store:
    """A migrated, empty SQLite store."""
    s = Store(_migrated_sqlite_url(request, tmp_path, "lifecycle.db"))
    yield s
    s.engine.dispose()


@pytest.fixture
def app_env(request, tmp_path, monkeypatch) -> Store:
    """Point the app (and the CLI) at a fresh temporary database; returns its store."""
    url = _migrated_sqlite_url(request, tmp_path, f"app-{next(_db_counter)}.db")
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
