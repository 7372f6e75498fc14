"""Database plumbing: which database, how to connect to it, and how to migrate it."""

from __future__ import annotations

import getpass
import os
import weakref
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


SUPPORTED_SCHEMES = ("sqlite", "postgresql")


def redact_url(url: str) -> str:
    """``url`` without its password, however it is written: everything between the user name and the *last*
    ``@`` of the authority (a password may contain ``@``), and any ``password=`` query value."""
    import re

    scheme, sep, rest = str(url).partition("://")
    if not sep:
        return scheme[:200]
    authority, slash, tail = rest.partition("/")
    if "@" in authority:
        userinfo, _, host = authority.rpartition("@")
        authority = f"{userinfo.split(':')[0]}:***@{host}"
    tail = re.sub(r"(?i)(password=)[^&]*", r"\1***", tail)
    return f"{scheme}://{authority}{slash}{tail}"


def scrub_password(text: str, url: str) -> str:
    """A driver's message with any piece of the URL's password taken out (a password with ``@`` in it can
    reach a message as part of a "host")."""
    _, _, rest = str(url).partition("://")
    authority = rest.partition("/")[0]
    if "@" not in authority or ":" not in authority.rpartition("@")[0]:
        return text
    password = authority.rpartition("@")[0].split(":", 1)[1]
    for piece in sorted({password, *password.split("@")}, key=len, reverse=True):
        if len(piece) >= 2:
            text = text.replace(piece, "***")
    return text


def _engine_for(url: str) -> Engine:
    """An engine for ``url``; a URL SQLAlchemy cannot use is one line naming the variable, not a traceback."""
    from sqlalchemy.exc import ArgumentError, NoSuchModuleError

    from lifecycle.errors import InvalidInput

    shown = redact_url(url)[:120]
    dialect = url.partition("://")[0].split("+")[0].lower() if "://" in url else ""
    if dialect not in SUPPORTED_SCHEMES:
        raise InvalidInput(f"LIFECYCLE_DATABASE_URL {shown!r} is not a database this app can use: write "
                           "sqlite:///path/to/file.db or postgresql://user:password@host/db.")
    try:
        return _make_engine(url)
    except (ArgumentError, NoSuchModuleError, ImportError, ValueError, OSError) as exc:
        raise InvalidInput(f"LIFECYCLE_DATABASE_URL {shown!r} is not a database URL this app can open "
                           f"(sqlite:///path or postgresql://user:password@host/db): "
                           f"{scrub_password(str(exc).splitlines()[0] if str(exc) else type(exc).__name__, url)}") \
            from None


def _make_engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        if url.startswith("sqlite:///") and ":memory:" not in url:
            path = Path(url.removeprefix("sqlite:///"))
            if path.is_file() and not os.access(path.parent, os.W_OK):
                return _read_only_engine(path)
            path.parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_S})

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn, _record) -> None:  # pragma: no cover - trivial
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")  # readers never block the writer
            cur.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_S * 1000}")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.close()
            _unicode_lower(dbapi_conn)

        return engine
    return create_engine(url, pool_pre_ping=True)


def _unicode_lower(dbapi_conn):
    """SQLite's own lower() folds ASCII only; project names are looked up by lower(name) (``Store._by_name``),
    so on SQLite it is Python's ``str.lower``, as on PostgreSQL it is the database's Unicode-aware one."""
    dbapi_conn.create_function("lower", 1, lambda text: text.lower() if isinstance(text, str) else text,
                               deterministic=True)
    return dbapi_conn


READ_ONLY: weakref.WeakSet = weakref.WeakSet()  # engines opened read-only: checked, never migrated


def _read_only_engine(path: Path) -> Engine:
    """A SQLite file in a folder this process cannot write (a shared, read-only mount): opened read-only and
    immutable, since the write-ahead log's side files cannot be created; every write is one line."""
    import sqlite3

    uri = f"file:{path.resolve()}?mode=ro&immutable=1"
    engine = create_engine("sqlite://", creator=lambda: _unicode_lower(sqlite3.connect(uri, uri=True,
                                                                                      check_same_thread=False)))
    READ_ONLY.add(engine)
    return engine


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


def open_schema(engine: Engine, shown: str, url: str) -> None:
    """Migrate the database to head (a read-only one: check it is at head). Whatever the file or server holds —
    not a database at all, a schema from a newer release, a folder that cannot be written — is one line
    (``StoreUnavailable``), never a traceback, and never the password."""
    from alembic.util.exc import CommandError
    from sqlalchemy.exc import DBAPIError

    from lifecycle.errors import StoreUnavailable

    try:
        if engine in READ_ONLY:
            _check_at_head(engine)
        else:
            migrate(engine)
    except CommandError:
        raise StoreUnavailable(f"The database {shown} was written by a newer release of this app (schema "
                               f"{_revision_of(engine)!r}); upgrade the app to open it. Nothing was changed.") from None
    except DBAPIError as exc:
        first = (str(exc.orig).splitlines() or [type(exc.orig).__name__])[0]
        raise StoreUnavailable(f"Cannot open the database {shown}: {scrub_password(first, url)[:200]}") from None
    except OSError as exc:
        raise StoreUnavailable(f"Cannot open the database {shown}: {exc.strerror or exc}") from None


def _revision_of(engine: Engine) -> str:
    from sqlalchemy import text

    try:
        with engine.connect() as conn:
            return str(conn.execute(text("SELECT version_num FROM alembic_version")).scalar())[:40]
    except Exception:  # noqa: BLE001 - only for the message
        return "unknown"


def _check_at_head(engine: Engine) -> None:
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    from lifecycle.errors import StoreUnavailable

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    head = ScriptDirectory.from_config(cfg).get_current_head()
    found = _revision_of(engine)
    if found != head:
        raise StoreUnavailable(f"The read-only database is at schema {found!r}, this app needs {head!r}: open it "
                               "once from a folder that can be written, or upgrade the app.")


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
