"""Seed the built-in scaling laws (Kaplan, Chinchilla Approaches 1-3, Epoch) into scaling_laws.

The constants and their sources come from data/scaling_laws.json as it stands when the
migration runs; ``params`` holds {"constants": {...}, "title": ..., "extra": {}} as JSON.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-26
"""
import json
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

from lifecycle.resources import data_path

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

LAWS_FILE = data_path("scaling_laws.json")

scaling_laws = sa.table(
    "scaling_laws",
    sa.column("name", sa.String), sa.column("kind", sa.String), sa.column("params", sa.Text),
    sa.column("source", sa.Text), sa.column("builtin", sa.Boolean),
    sa.column("created_at", sa.DateTime(timezone=True)), sa.column("created_by", sa.String),
)


def _laws() -> list[dict]:
    return json.loads(LAWS_FILE.read_text())["laws"]


def upgrade() -> None:
    now = datetime.now(UTC).replace(microsecond=0)
    existing = {row[0] for row in op.get_bind().execute(sa.text("SELECT name FROM scaling_laws"))}
    rows = [
        {
            "name": law["name"], "kind": law["kind"],
            "params": json.dumps({"constants": law["params"], "title": law.get("title", ""), "extra": {}}),
            "source": law["source"], "builtin": True, "created_at": now, "created_by": "migration 0002",
        }
        for law in _laws() if law["name"] not in existing
    ]
    if rows:
        op.bulk_insert(scaling_laws, rows)


def downgrade() -> None:
    names = [law["name"] for law in _laws()]
    op.execute(scaling_laws.delete().where(scaling_laws.c.name.in_(names) & scaling_laws.c.builtin.is_(True)))
