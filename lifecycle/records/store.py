"""Shared project records in SQL (SQLite by default, PostgreSQL for a team).

Every save bumps the row's ``version`` (optimistic lock) and writes a revision holding the
full project document, so history can be listed and any revision restored. Writes happen in
one short transaction each: a failed save changes nothing.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any

from pydantic import BaseModel
from sqlalchemy import func, or_, select
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.orm.exc import StaleDataError

from lifecycle.errors import ConflictError, DuplicateName, NotFound, StoreUnavailable
from lifecycle.records.db import (  # noqa: F401 (re-exported)
    MIGRATIONS_DIR,
    _as_utc,
    _engine_for,
    current_user,
    database_url,
    migrate,
)
from lifecycle.records.orm import ProjectRow, RevisionRow
from lifecycle.records.project import (
    NAME_MAX_CHARS,
    normalise_name,
    Project,
    upgrade_document,
    utc_now,
    validate_name,
    validate_text,
)


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


class RevisionSummary(BaseModel):
    id: int
    project_id: int
    version: int
    author: str
    created_at: datetime
    section: str
    summary: str


class Store:
    """Projects, revisions and the other shared tables behind one SQLAlchemy engine."""

    def __init__(self, url: str | None = None, *, apply_migrations: bool = True):
        self.url = url or database_url()
        self.engine = _engine_for(self.url)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)
        if apply_migrations:
            try:
                migrate(self.engine)
            except OperationalError as exc:
                raise StoreUnavailable(f"Cannot open the database {self.describe()}: {exc.orig}") from None

    def describe(self) -> str:
        """The database in use, without any password."""
        return self.engine.url.render_as_string(hide_password=True)

    @contextmanager
    def session(self) -> Iterator[Session]:
        """One transaction: committed on success, rolled back on any error."""
        try:
            with self._sessions.begin() as session:
                yield session
        except OperationalError as exc:
            if "locked" in str(exc.orig).lower() or "busy" in str(exc.orig).lower():
                raise StoreUnavailable("The database is busy with another save; try again in a moment.") from None
            raise StoreUnavailable(f"Database error: {str(exc.orig).splitlines()[0]}") from None

    # ---- reading -------------------------------------------------------------------------

    def list_projects(
        self, search: str = "", *, archived: bool | None = False, sort: str = "updated",
        limit: int | None = None, offset: int = 0,
    ) -> list[ProjectSummary]:
        """Summaries without loading documents. ``archived=None`` lists both kinds; ``limit``/``offset``
        page in SQL (10 000 projects: all ~0.3-0.6 s, the first 500 ~50 ms; benchmarks/scale.py)."""
        order = {
            "updated": ProjectRow.updated_at.desc(),
            "name": ProjectRow.name_key.asc(),
            "created": ProjectRow.created_at.desc(),
        }.get(sort, ProjectRow.updated_at.desc())
        cols = [getattr(ProjectRow, c) for c in ProjectSummary.model_fields if c != "stages_done"]
        query = self._filtered(select(*cols, ProjectRow.stages_done), search, archived).order_by(order, ProjectRow.id)
        if limit is not None:
            query = query.limit(limit).offset(offset)
        with self.session() as s:
            rows = s.execute(query).all()
        summaries = []
        for row in rows:
            values = dict(row._mapping)
            values["stages_done"] = tuple(x for x in values["stages_done"].split(",") if x)
            values["created_at"] = _as_utc(values["created_at"])
            values["updated_at"] = _as_utc(values["updated_at"])
            summaries.append(ProjectSummary(**values))
        return summaries

    def count_projects(self, search: str = "", *, archived: bool | None = False) -> int:
        """How many projects ``list_projects`` would return without a limit."""
        with self.session() as s:
            return s.scalar(self._filtered(select(func.count(ProjectRow.id)), search, archived))

    @staticmethod
    def _filtered(query, search: str, archived: bool | None):
        if archived is not None:
            query = query.where(ProjectRow.archived == archived)
        if search.strip():
            # % and _ in what the user typed are text, not wildcards.
            typed = search.strip().lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
            pattern = f"%{typed}%"
            query = query.where(or_(ProjectRow.name_key.like(pattern, escape="\\"),
                                    func.lower(ProjectRow.description).like(pattern, escape="\\")))
        return query

    def get_project(self, ref: int | str) -> Project:
        """A project by id, or by name (case-insensitive)."""
        with self.session() as s:
            return _to_project(self._row(s, ref))

    def history(self, project_id: int) -> list[RevisionSummary]:
        with self.session() as s:
            self._row(s, project_id)
            rows = s.scalars(
                select(RevisionRow).where(RevisionRow.project_id == project_id).order_by(RevisionRow.version.desc())
            ).all()
            return [
                RevisionSummary(
                    id=r.id, project_id=r.project_id, version=r.version, author=r.author,
                    created_at=_as_utc(r.created_at), section=r.section, summary=r.summary,
                )
                for r in rows
            ]

    def get_revision(self, revision_id: int) -> Project:
        """The project as it was saved in one revision (id and version of that revision)."""
        with self.session() as s:
            rev = s.get(RevisionRow, revision_id)
            if rev is None:
                raise NotFound(f"No revision with id {revision_id}.")
            doc = upgrade_document(json.loads(rev.document))
            return Project.model_validate({**doc, "id": rev.project_id, "version": rev.version})

    # ---- writing -------------------------------------------------------------------------

    def create_project(self, name: str, *, description: str = "", owner: str = "", author: str = "") -> Project:
        author = author or current_user()
        project = Project(name=validate_name(name), description=description, owner=owner or author, updated_by=author)
        return self._insert(project, author=author, section="created", summary="Project created")

    def save_project(self, project: Project, *, author: str = "", section: str = "", summary: str = "") -> Project:
        """Save over the stored row if it is still at ``project.version``; else ``ConflictError``."""
        if project.id is None:
            raise NotFound("This project has not been created yet; create it first.")
        author = author or current_user()
        try:
            with self.session() as s:
                row = self._row(s, project.id)
                if row.version != project.version:
                    raise _conflict(row)
                self._check_unique_name(s, project.name, exclude_id=row.id)
                if _same_content(json.loads(row.document), project.content()):
                    return _to_project(row)  # nothing changed: no new version, no revision
                now = utc_now()
                saved = project.model_copy(update={"updated_at": now, "updated_by": author})
                _fill_row(row, saved)
                s.flush()  # UPDATE … WHERE version = :old; raises StaleDataError on a race
                saved = saved.model_copy(update={"version": row.version})
                s.add(_revision(saved, author, section, summary or _summary(section)))
                return saved
        except StaleDataError:
            with self.session() as s:
                raise _conflict(self._row(s, project.id)) from None
        except IntegrityError:
            raise DuplicateName(f"A project named {project.name!r} already exists.") from None

    def rename_project(self, project: Project, new_name: str, *, author: str = "") -> Project:
        renamed = project.model_copy(update={"name": validate_name(new_name)})
        return self.save_project(renamed, author=author, section="renamed", summary=f"Renamed to {new_name.strip()}")

    def set_archived(self, project: Project, archived: bool, *, author: str = "") -> Project:
        word = "archived" if archived else "restored"
        return self.save_project(
            project.model_copy(update={"archived": archived}), author=author, section=word, summary=f"Project {word}"
        )

    def duplicate_project(self, project: Project, new_name: str, *, author: str = "") -> Project:
        author = author or current_user()
        now = utc_now()
        copy = Project.model_validate(
            {**project.content(), "name": validate_name(new_name), "archived": False,
             "created_at": now, "updated_at": now, "updated_by": author}
        )
        return self._insert(copy, author=author, section="created", summary=f"Duplicated from {project.name}")

    def restore_revision(self, project: Project, revision_id: int, *, author: str = "") -> Project:
        """Make an old revision current again, as a new revision (history is never rewritten)."""
        old = self.get_revision(revision_id)
        if old.id != project.id:
            raise NotFound(f"Revision {revision_id} does not belong to project {project.name!r}.")
        restored = Project.model_validate({**old.content(), "id": project.id, "version": project.version})
        return self.save_project(
            restored, author=author, section="restored", summary=f"Restored revision {old.version}"
        )

    def delete_project(self, project_id: int) -> None:
        """Delete a project and its history; deleting one another process deleted first says so."""
        try:
            with self.session() as s:
                row = self._row(s, project_id)
                s.query(RevisionRow).filter(RevisionRow.project_id == row.id).delete()
                s.delete(row)
        except StaleDataError:
            raise NotFound(f"Project {project_id} was already deleted (by another session).") from None

    def import_documents(self, docs: list[dict[str, Any]], *, author: str = "") -> list[Project]:
        """Insert validated project documents in one transaction: all of them or none."""
        author = author or current_user()
        projects = [Project.model_validate({**upgrade_document(d), "id": None, "version": 0}) for d in docs]
        try:
            with self.session() as s:
                return [self._insert(p, author=author, section="imported", summary="Imported", session=s)
                        for p in projects]
        except IntegrityError:  # another import of the same names won the race: nothing of this one is saved
            names = ", ".join(repr(p.name) for p in projects[:3]) + (" …" if len(projects) > 3 else "")
            raise DuplicateName(f"A project with one of these names was just created elsewhere: {names}; "
                                "nothing was imported.") from None

    # ---- internals -----------------------------------------------------------------------

    def _insert(self, project: Project, *, author: str, section: str, summary: str,
                session: Session | None = None) -> Project:
        if session is None:
            try:
                with self.session() as s:
                    return self._insert(project, author=author, section=section, summary=summary, session=s)
            except IntegrityError:
                raise DuplicateName(f"A project named {project.name!r} already exists.") from None
        self._check_unique_name(session, project.name)
        row = ProjectRow(created_at=project.created_at)
        _fill_row(row, project)
        session.add(row)
        session.flush()
        saved = project.model_copy(update={"id": row.id, "version": row.version})
        session.add(_revision(saved, author, section, summary))
        return saved

    @staticmethod
    def _check_unique_name(session: Session, name: str, exclude_id: int | None = None) -> None:
        query = select(ProjectRow.id).where(ProjectRow.name_key == normalise_name(name).strip().lower())
        if exclude_id is not None:
            query = query.where(ProjectRow.id != exclude_id)
        if session.scalar(query) is not None:
            raise DuplicateName(f"A project named {name.strip()!r} already exists; choose another name.")

    @staticmethod
    def _row(session: Session, ref: int | str) -> ProjectRow:
        """By id (an int, or digits typed as text: always an id, as names cannot be all digits) or by
        name (case-insensitive). An id no database column can hold is simply not found."""
        text = str(ref).strip()
        if isinstance(ref, int) or (text.isascii() and text.isdigit()):
            number = int(text)
            row = session.get(ProjectRow, number) if 0 < number <= MAX_ID else None
        else:
            row = session.scalar(select(ProjectRow).where(ProjectRow.name_key == normalise_name(text).lower()))
        if row is None:
            raise NotFound(f"No project {ref!r}.")
        return row


MAX_ID = 2**31 - 1  # PostgreSQL's INTEGER; SQLite would overflow at 2**63


def _fill_row(row: ProjectRow, project: Project) -> None:
    validate_name(project.name)
    validate_text("description", project.description)
    validate_text("owner", project.owner, NAME_MAX_CHARS)
    validate_text("author name", project.updated_by, NAME_MAX_CHARS)
    row.name = project.name
    row.name_key = project.name.lower()
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
    strip = lambda doc: {k: v for k, v in doc.items() if k not in _BOOKKEEPING}  # noqa: E731
    return strip(upgrade_document(stored)) == strip(new)


def _to_project(row: ProjectRow) -> Project:
    doc = upgrade_document(json.loads(row.document))
    return Project.model_validate({**doc, "id": row.id, "version": row.version})


def _revision(project: Project, author: str, section: str, summary: str) -> RevisionRow:
    validate_text("author name", author, NAME_MAX_CHARS)
    return RevisionRow(
        project_id=project.id, version=project.version, author=author, created_at=project.updated_at,
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
