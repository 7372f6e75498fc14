"""Per-project roles: a memberships table, an access audit table, the team-visible flag and the
identity key on revisions.

Every existing project gets its current ``owner`` (as typed before sign-in existed, lower-cased) as its
owner member; a project with no owner falls back to the author of its first revision. Nothing else
changes: documents, versions and history are as they were.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-03
"""
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

OWNER = 3  # lifecycle.records.access.Role.owner (a migration must not change if the enum does)
BATCH = 500


def upgrade() -> None:
    # Plain ADD COLUMN, never SQLite's batch "move and copy": with foreign keys on, dropping the old projects
    # table would cascade-delete every revision.
    op.add_column("projects", sa.Column("team_visible", sa.Boolean(), nullable=False, server_default=sa.false()))
    op.add_column("revisions", sa.Column("author_key", sa.String(1000), nullable=False, server_default=""))
    op.create_table(
        "memberships",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("principal", sa.String(254), nullable=False),
        sa.Column("issuer", sa.String(500), nullable=False),
        sa.Column("subject", sa.String(500), nullable=False),
        sa.Column("role", sa.Integer(), nullable=False),
        sa.Column("added_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("added_by", sa.String(200), nullable=False),
        sa.ForeignKeyConstraint(["project_id"], ["projects.id"], name="fk_memberships_project_id_projects",
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name="pk_memberships"),
        sa.UniqueConstraint("project_id", "principal", name="uq_memberships_project_principal"),
    )
    op.create_index("ix_memberships_principal", "memberships", ["principal"])
    op.create_table(
        "access_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(200), nullable=False),
        sa.Column("actor_key", sa.String(1000), nullable=False),
        sa.Column("action", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["project_id"], ["projects.id"], name="fk_access_events_project_id_projects",
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name="pk_access_events"),
    )
    op.create_index("ix_access_events_project", "access_events", ["project_id"])
    _owners_become_members()


def _owners_become_members() -> None:
    bind = op.get_bind()
    projects = sa.table("projects", sa.column("id", sa.Integer), sa.column("owner", sa.String),
                        sa.column("updated_by", sa.String))
    revisions = sa.table("revisions", sa.column("project_id", sa.Integer), sa.column("version", sa.Integer),
                         sa.column("author", sa.String))
    members = sa.table("memberships", sa.column("project_id", sa.Integer), sa.column("principal", sa.String),
                       sa.column("issuer", sa.String), sa.column("subject", sa.String),
                       sa.column("role", sa.Integer), sa.column("added_at", sa.DateTime(timezone=True)),
                       sa.column("added_by", sa.String))
    now = datetime.now(UTC).replace(microsecond=0)
    last = 0
    while True:
        rows = bind.execute(sa.select(projects.c.id, projects.c.owner, projects.c.updated_by)
                            .where(projects.c.id > last).order_by(projects.c.id).limit(BATCH)).all()
        if not rows:
            return
        new = []
        for project_id, owner, updated_by in rows:
            last = project_id
            name = (owner or "").strip()
            if not name:
                first = bind.execute(sa.select(revisions.c.author).where(revisions.c.project_id == project_id)
                                     .order_by(revisions.c.version).limit(1)).scalar()
                name = (first or updated_by or "").strip()
            if name:
                new.append({"project_id": project_id, "principal": name.lower()[:254], "issuer": "", "subject": "",
                            "role": OWNER, "added_at": now, "added_by": "upgrade to per-project roles"})
        if new:
            bind.execute(members.insert(), new)


def downgrade() -> None:
    op.drop_index("ix_access_events_project", table_name="access_events")
    op.drop_table("access_events")
    op.drop_index("ix_memberships_principal", table_name="memberships")
    op.drop_table("memberships")
    op.drop_column("revisions", "author_key")  # SQLite 3.35+ drops a plain column in place
    op.drop_column("projects", "team_visible")
