"""Database plumbing: which database, how to connect to it, and how to migrate it."""

from __future__ import annotations

import getpass
import os
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import create_engine, event
from sqlalchemy.engine import Engine

from lifecycle.resources import default_database_path

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
SQLITE_BUSY_TIMEOUT_S = 15


def database_url() -> str:
    """``LIFECYCLE_DATABASE_URL`` or the default SQLite file ``data/lifecycle.db``."""
    url = os.environ.get("LIFECYCLE_DATABASE_URL", "").strip()
    if not url:
        return f"sqlite:///{default_database_path()}"
    # psycopg 3 is the PostgreSQL driver we ship; accept the plain scheme people paste.
    for plain in ("postgresql://", "postgres://"):
        if url.startswith(plain):
            return "postgresql+psycopg://" + url[len(plain):]
    return url


def current_user() -> str:
    """Who is saving, for revisions: ``LIFECYCLE_USER`` or the login name."""
    try:
        return os.environ.get("LIFECYCLE_USER") or getpass.getuser()
    except (KeyError, OSError):  # no login name in some containers
        return "anonymous"


def _as_utc(value: datetime) -> datetime:
    # SQLite hands back naive datetimes; everything we store is UTC.
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _engine_for(url: str) -> Engine:
    """An engine for ``url``; a URL SQLAlchemy cannot use is one line naming the variable, not a traceback."""
    from sqlalchemy.exc import ArgumentError, NoSuchModuleError

    from lifecycle.errors import InvalidInput

    try:
        return _make_engine(url)
    except (ArgumentError, NoSuchModuleError, ValueError, OSError) as exc:
        shown = url.split("@")[-1] if "@" in url else url  # never echo a password
        raise InvalidInput(f"LIFECYCLE_DATABASE_URL {shown[:80]!r} is not a database URL this app can open "
                           f"(sqlite:///path or postgresql://user:password@host/db): {str(exc).splitlines()[0]}") \
            from None


def _make_engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        if url.startswith("sqlite:///") and ":memory:" not in url:
            Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_S})

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn, _record) -> None:  # pragma: no cover - trivial
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")  # readers never block the writer
            cur.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_S * 1000}")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.close()

        return engine
    return create_engine(url, pool_pre_ping=True)


MIGRATION_LOCK_KEY = 7_110_402_026  # pg_advisory_xact_lock key: "migrating lifecycle"


def migrate(engine: Engine) -> None:
    """Apply the Alembic migrations in ``migrations/`` up to head, one process at a time: eight app or CLI
    processes starting on an empty database must not all create the tables (PostgreSQL: an advisory lock
    held for the migration's transaction; SQLite file: an exclusive lock on a file beside the database)."""
    from alembic import command
    from alembic.config import Config
    from sqlalchemy import text

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    with _sqlite_file_lock(engine), engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK_KEY})
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")


@contextmanager
def _sqlite_file_lock(engine: Engine) -> Iterator[None]:
    database = engine.url.database if engine.dialect.name == "sqlite" else None
    if not database or database == ":memory:":
        yield
        return
    import fcntl

    with open(f"{database}.migrate-lock", "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file closes, also if this process dies
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)
