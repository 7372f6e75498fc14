"""Security review: an append-only audit trail that outlives its project, an access version on projects (member,
visibility and transfer actions carry the one they were made against), and who added each team-table row by
identity (issuer + subject), so deleting one can be limited to them and the team admins.

``access_events`` (rows deleted with their project) becomes ``audit_events``: no foreign key, the project's name
kept beside its id, ``project_id`` empty for team-table events; updates and deletes are refused by triggers.
Existing events are copied over unchanged.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-07
"""
import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

_SQLITE_TRIGGERS = [
    ("CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events "
    "BEGIN SELECT RAISE(ABORT, 'the access history is append-only'); END"),
    ("CREATE TRIGGER audit_events_no_delete BEFORE DELETE ON audit_events "
    "BEGIN SELECT RAISE(ABORT, 'the access history is append-only'); END"),
]
_PG_TRIGGERS = [
    ("CREATE OR REPLACE FUNCTION lifecycle_audit_append_only() RETURNS trigger AS $$ "
    "BEGIN RAISE EXCEPTION 'the access history is append-only'; END; $$ LANGUAGE plpgsql"),
    ("CREATE TRIGGER audit_events_append_only BEFORE UPDATE OR DELETE ON audit_events "
    "FOR EACH ROW EXECUTE FUNCTION lifecycle_audit_append_only()"),
]


def upgrade() -> None:
    op.add_column("projects", sa.Column("access_version", sa.Integer(), nullable=False, server_default="0"))
    op.add_column("custom_models", sa.Column("created_by_key", sa.String(1000), nullable=False, server_default=""))
    op.add_column("scaling_laws", sa.Column("created_by_key", sa.String(1000), nullable=False, server_default=""))
    op.create_table(
        "audit_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=True),
        sa.Column("project_name", sa.String(200), nullable=False, server_default=""),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(200), nullable=False),
        sa.Column("actor_key", sa.String(1000), nullable=False),
        sa.Column("action", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_audit_events"),
    )
    op.create_index("ix_audit_events_project", "audit_events", ["project_id"])
    op.execute("INSERT INTO audit_events (id, project_id, project_name, at, actor, actor_key, action) "
               "SELECT e.id, e.project_id, COALESCE(p.name, ''), e.at, e.actor, e.actor_key, e.action "
               "FROM access_events e LEFT JOIN projects p ON p.id = e.project_id")
    op.drop_index("ix_access_events_project", table_name="access_events")
    op.drop_table("access_events")
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        op.execute("SELECT setval(pg_get_serial_sequence('audit_events', 'id'), "
                   "COALESCE((SELECT MAX(id) FROM audit_events), 0) + 1, false)")
    for statement in _PG_TRIGGERS if bind.dialect.name == "postgresql" else _SQLITE_TRIGGERS:
        op.execute(statement)


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS audit_events_append_only ON audit_events")
        op.execute("DROP FUNCTION IF EXISTS lifecycle_audit_append_only()")
    else:
        op.execute("DROP TRIGGER IF EXISTS audit_events_no_update")
        op.execute("DROP TRIGGER IF EXISTS audit_events_no_delete")
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
    op.execute("INSERT INTO access_events (id, project_id, at, actor, actor_key, action) "
               "SELECT e.id, e.project_id, e.at, e.actor, e.actor_key, e.action FROM audit_events e "
               "JOIN projects p ON p.id = e.project_id")
    op.drop_index("ix_audit_events_project", table_name="audit_events")
    op.drop_table("audit_events")
    op.drop_column("scaling_laws", "created_by_key")
    op.drop_column("custom_models", "created_by_key")
    op.drop_column("projects", "access_version")
