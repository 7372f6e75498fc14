"""Alembic environment: runs against the connection handed over by ``lifecycle.records.store``
(``config.attributes["connection"]``) or, from the ``alembic`` command, against
``LIFECYCLE_DATABASE_URL`` / the default SQLite file."""

from alembic import context
from sqlalchemy import create_engine

from lifecycle.records.orm import Base
from lifecycle.records.store import database_url

target_metadata = Base.metadata


def _run(connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        # SQLite has almost no ALTER: batch mode recreates tables ("move and copy").
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


connection = context.config.attributes.get("connection")
if connection is not None:
    _run(connection)
else:
    engine = create_engine(context.config.get_main_option("sqlalchemy.url") or database_url())
    with engine.connect() as conn:
        _run(conn)
    engine.dispose()
