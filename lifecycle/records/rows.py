"""Rows to records and back: the summaries listed without loading documents, the project row's columns
from a document, revisions, and the conflict message. Shared by ``store`` and ``members``."""

from __future__ import annotations

import hashlib
import json
from datetime import datetime
from typing import Any

from pydantic import BaseModel

from lifecycle.errors import ConflictError
from lifecycle.records.db import _as_utc
from lifecycle.records.orm import ProjectRow, RevisionRow
from lifecycle.records.project import (
    NAME_MAX_CHARS,
    Project,
    normalise_name,
    upgrade_document,
    validate_name,
    validate_text,
)

MAX_ID = 2**31 - 1  # PostgreSQL's INTEGER; SQLite would overflow at 2**63


def name_key(owner_key: str, name: str) -> str:
    """What ``projects.name_key`` (UNIQUE) holds: names are unique per owner, regardless of case, so a name
    someone else uses is simply allowed and nothing about their projects is disclosed. ``owner_key`` is the
    owner member's principal (``members.owner_key``). Migration 0008 computes the same value for old rows."""
    folded = normalise_name(name).strip().lower()
    return hashlib.sha256(f"{owner_key}\x1f{folded}".encode()).hexdigest()



class ProjectSummary(BaseModel):
    id: int
    name: str
    description: str
    owner: str
    archived: bool
    created_at: datetime
    updated_at: datetime
    updated_by: str
    version: int
    stages_done: tuple[str, ...]
    team_visible: bool = False


class RevisionSummary(BaseModel):
    id: int
    project_id: int
    version: int
    author: str
    author_key: str = ""
    created_at: datetime
    section: str
    summary: str



def _fill_row(row: ProjectRow, project: Project, *, owner_key: str | None) -> None:
    """The row's columns from ``project``; ``name_key`` too when ``owner_key`` is given (a new row, a
    rename, a transfer), else it is left as stored."""
    validate_name(project.name)
    validate_text("description", project.description)
    validate_text("owner", project.owner, NAME_MAX_CHARS)
    validate_text("author name", project.updated_by, NAME_MAX_CHARS)
    row.name = project.name
    if owner_key is not None:
        row.name_key = name_key(owner_key, project.name)
    row.description = project.description
    row.owner = project.owner
    row.archived = project.archived
    row.stages_done = ",".join(k for k, done in project.stage_progress().items() if done)
    row.document = json.dumps(project.content(), ensure_ascii=False, sort_keys=True)
    row.updated_at = project.updated_at
    row.updated_by = project.updated_by


_BOOKKEEPING = ("updated_at", "updated_by")


def _same_content(stored: dict[str, Any], new: dict[str, Any]) -> bool:
    """The same document but for who saved it when: saving it again changes nothing."""
    strip = lambda doc: {k: v for k, v in doc.items() if k not in _BOOKKEEPING}
    return strip(upgrade_document(stored)) == strip(new)


def _to_project(row: ProjectRow) -> Project:
    doc = upgrade_document(json.loads(row.document))
    return Project.model_validate({**doc, "id": row.id, "version": row.version})


def _revision(project: Project, author: str, section: str, summary: str, author_key: str) -> RevisionRow:
    validate_text("author name", author, NAME_MAX_CHARS)
    return RevisionRow(
        project_id=project.id, version=project.version, author=author, author_key=author_key[:1000],
        created_at=project.updated_at,
        section=section, summary=summary, document=json.dumps(project.content(), ensure_ascii=False, sort_keys=True),
    )


def _summary(section: str) -> str:
    from lifecycle.records.project import STAGE_TITLES

    return f"Saved {STAGE_TITLES.get(section, section or 'project')}"


def _conflict(row: ProjectRow) -> ConflictError:
    when = _as_utc(row.updated_at).strftime("%Y-%m-%d %H:%M:%S UTC")
    who = row.updated_by or "someone"
    return ConflictError(
        f"{row.name!r} was changed by {who} at {when} (version {row.version}) after you opened it — "
        "reload to see their changes, or save yours as a copy.",
        changed_by=who, changed_at=when, current_version=row.version,
    )
