"""Project documents to schema version 2 (typed scenarios): every project row and every revision.

Each version-1 scenario is recomputed from its inputs where they are complete, or kept with its saved
values as a legacy scenario where they are not; the version-1 record stays inside the scenario
(``lifecycle.records.upgrade``). Versions and history are not touched: the upgrade is not a save.
Rows are read and written in batches so a large database does not sit in memory at once.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-02
"""
import json

import sqlalchemy as sa
from alembic import op

from lifecycle.errors import LifecycleError
from lifecycle.records.upgrade import upgrade_document

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

BATCH = 200


def _upgrade_table(name: str) -> None:
    table = sa.table(name, sa.column("id", sa.Integer), sa.column("document", sa.Text))
    bind = op.get_bind()
    last = 0
    while True:
        rows = bind.execute(sa.select(table.c.id, table.c.document).where(table.c.id > last)
                            .order_by(table.c.id).limit(BATCH)).all()
        if not rows:
            return
        for row_id, text in rows:
            last = row_id
            try:
                doc = json.loads(text)
                upgraded = upgrade_document(doc)
            except (ValueError, LifecycleError):
                continue  # unreadable: left as stored; reading it reports the problem in one line
            if upgraded is not doc:
                bind.execute(table.update().where(table.c.id == row_id).values(
                    document=json.dumps(upgraded, ensure_ascii=False, sort_keys=True)))


def upgrade() -> None:
    _upgrade_table("projects")
    _upgrade_table("revisions")


def downgrade() -> None:
    """Documents stay at version 2: a version-1 app refuses them with a one-line message rather than misread them."""
