"""Project names are unique per owner, not across the database: ``projects.name_key`` (still UNIQUE) holds
sha256(owner principal + "\\x1f" + lower-cased name) as hex, so a name someone else uses is simply allowed and
a clash discloses nothing about another person's projects. The owner principal is the project's owner member
(the lowest membership id with the owner role; "" for none). Plain UPDATEs: no table is rebuilt.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-07
"""
import hashlib
import re

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

OWNER = 3  # lifecycle.records.access.Role.owner (a migration must not change if the enum does)
_HEX64 = re.compile(r"[0-9a-f]{64}")

projects = sa.table("projects", sa.column("id", sa.Integer), sa.column("name", sa.String),
                    sa.column("name_key", sa.String))
members = sa.table("memberships", sa.column("id", sa.Integer), sa.column("project_id", sa.Integer),
                   sa.column("principal", sa.String), sa.column("role", sa.Integer))


def owner_scoped_key(owner: str, name: str) -> str:
    """``lifecycle.records.rows.name_key`` as of this revision (stored names are already normalised)."""
    return hashlib.sha256(f"{owner}\x1f{name.strip().lower()}".encode()).hexdigest()


def _rewrite(new_keys: dict[int, str], old_keys: dict[int, str]) -> None:
    bind = op.get_bind()
    # A stored key that already looks like a new one (a project named with 64 hex digits) moves aside first,
    # so no UPDATE meets a key another row still holds.
    taken = set(old_keys.values())
    for project_id, old in old_keys.items():
        if _HEX64.fullmatch(old) and new_keys[project_id] != old:
            parked = "\x1f" + str(project_id)
            while parked in taken:
                parked = "\x1f" + parked
            taken.add(parked)
            bind.execute(sa.update(projects).where(projects.c.id == project_id).values(name_key=parked))
    for project_id, key in new_keys.items():
        if key != old_keys[project_id]:
            bind.execute(sa.update(projects).where(projects.c.id == project_id).values(name_key=key))


def upgrade() -> None:
    bind = op.get_bind()
    owners: dict[int, str] = {}
    for project_id, principal in bind.execute(sa.select(members.c.project_id, members.c.principal)
                                              .where(members.c.role == OWNER).order_by(members.c.id.desc())):
        owners[project_id] = principal  # descending ids: the lowest id is written last and kept
    rows = bind.execute(sa.select(projects.c.id, projects.c.name, projects.c.name_key)).all()
    _rewrite({i: owner_scoped_key(owners.get(i, ""), name) for i, name, _ in rows}, {i: k for i, _, k in rows})


def downgrade() -> None:
    """Back to one name per database: refused (nothing changed) if two owners now share a name."""
    rows = op.get_bind().execute(sa.select(projects.c.id, projects.c.name, projects.c.name_key)).all()
    new = {i: name.strip().lower() for i, name, _ in rows}
    if len(set(new.values())) != len(new):
        raise RuntimeError("Two owners have projects of the same name: rename one before downgrading below 0008.")
    _rewrite(new, {i: k for i, _, k in rows})
