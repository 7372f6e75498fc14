"""Migrations: an empty database migrates to head, and the ORM matches the migrated schema."""

from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect

from lifecycle.records.orm import Base
from lifecycle.records.store import MIGRATIONS_DIR


def _head() -> str:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    return ScriptDirectory.from_config(cfg).get_current_head()


def test_migrations_form_one_linear_history():
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    assert len(ScriptDirectory.from_config(cfg).get_heads()) == 1


def test_empty_database_migrates_to_head_and_matches_the_models(any_store):
    with any_store.engine.connect() as conn:
        ctx = MigrationContext.configure(conn, opts={"compare_type": True})
        assert ctx.get_current_revision() == _head()
        diff = compare_metadata(ctx, Base.metadata)
    assert diff == []
    tables = set(inspect(any_store.engine).get_table_names())
    assert {"projects", "revisions", "scaling_laws", "custom_models", "alembic_version"} <= tables


def test_migrating_twice_is_a_no_op(any_store):
    from lifecycle.records.store import Store

    again = Store(any_store.url)
    assert again.list_projects() == []
