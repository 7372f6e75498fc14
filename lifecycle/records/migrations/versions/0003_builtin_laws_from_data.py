"""Built-in scaling laws come from the packaged data only: remove the rows migration 0002 seeded.

One source of truth: ``data/scaling_laws.json`` (``lifecycle.scaling.laws.builtin_laws``). The database
holds only what teams add; their rows (builtin = false) are untouched.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-02
"""
import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

scaling_laws = sa.table("scaling_laws", sa.column("builtin", sa.Boolean))


def upgrade() -> None:
    op.execute(scaling_laws.delete().where(scaling_laws.c.builtin.is_(True)))


def downgrade() -> None:
    """Nothing to restore: 0002's downgrade removes built-in rows, and the app reads built-ins from data."""
