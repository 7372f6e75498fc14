"""The audit trail: one append-only table (``audit_events``; triggers refuse UPDATE and DELETE) of who
created, archived, restored, duplicated, imported, renamed or deleted a project, changed its access, or changed
the team tables, each with the identity key (issuer + subject) beside the display name. No foreign key: a
deleted project's events stay, with its name."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel
from sqlalchemy import select
from sqlalchemy.orm import Session

from lifecycle.errors import AccessDenied
from lifecycle.records.db import _as_utc
from lifecycle.records.orm import AccessEventRow, ProjectRow
from lifecycle.records.project import utc_now


class AccessEvent(BaseModel):
    at: datetime
    actor: str
    action: str
    actor_key: str = ""  # "<issuer> <subject>": who it was, whatever name they show
    project_id: int | None = None
    project_name: str = ""


def event_of(row: AccessEventRow) -> AccessEvent:
    return AccessEvent(at=_as_utc(row.at), actor=row.actor, action=row.action, actor_key=row.actor_key,
                       project_id=row.project_id, project_name=row.project_name)


class AuditMixin:
    """Audit operations of ``Store`` (which supplies ``session`` and ``actor``)."""

    def record(self, session: Session, action: str, project: ProjectRow | None = None) -> None:
        """Append one event to the audit trail, as this identity (issuer + subject and display name)."""
        session.add(AccessEventRow(project_id=None if project is None else project.id,
                                   project_name="" if project is None else project.name[:200], at=utc_now(),
                                   actor=self.actor.display[:200], actor_key=self.actor.key[:1000], action=action))

    def audit_trail(self, *, project_id: int | None = None, limit: int = 500) -> list[AccessEvent]:
        """The audit trail, newest first: a team admin's, including deleted projects' (``project_id``
        names one, live or deleted). Everyone else reads a live project's events with ``access_history``
        and the team tables' with ``team_history``."""
        if not self.actor.admin:
            raise AccessDenied("Only a team admin reads the whole audit trail (and deleted projects' trails).")
        query = select(AccessEventRow).order_by(AccessEventRow.id.desc()).limit(limit)
        if project_id is not None:
            query = query.where(AccessEventRow.project_id == project_id)
        with self.session() as s:
            return [event_of(r) for r in s.scalars(query).all()]

    def team_history(self, limit: int = 200) -> list[AccessEvent]:
        """Who added and deleted team models and team scaling laws (every signed-in person may read it)."""
        with self.session() as s:
            return [event_of(r) for r in s.scalars(select(AccessEventRow).where(AccessEventRow.project_id.is_(None))
                                                 .order_by(AccessEventRow.id.desc()).limit(limit)).all()]
