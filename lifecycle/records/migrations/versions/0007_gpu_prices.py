"""The team's own prices per GPU-hour (``gpu_prices``) for the rent search; the shipped defaults stay in
data/gpu_prices.json. Nothing else changes.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-07
"""
import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "gpu_prices",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("gpu_id", sa.String(64), nullable=False),
        sa.Column("price_usd_per_hour", sa.Float(), nullable=False),
        sa.Column("source", sa.String(500), nullable=False),
        sa.Column("date", sa.String(32), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sa.String(200), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_gpu_prices"),
        sa.UniqueConstraint("gpu_id", name="uq_gpu_prices_gpu_id"),
    )


def downgrade() -> None:
    op.drop_table("gpu_prices")
