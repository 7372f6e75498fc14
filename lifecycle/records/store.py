"""Shared project records in SQL (SQLite by default, PostgreSQL for a team).

Every save bumps the row's ``version`` (optimistic lock) and writes a revision holding the
full project document, so history can be listed and any revision restored. Writes happen in
one short transaction each: a failed save changes nothing.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.orm.exc import StaleDataError

from lifecycle.errors import AccessDenied, DuplicateName, InvalidInput, NotFound, StoreUnavailable
from lifecycle.records.access import Identity, Operation, identity_from_environment
from lifecycle.records.audit import AuditMixin
from lifecycle.records.db import (  # noqa: F401 (re-exported)
    MIGRATIONS_DIR,
    _as_utc,
    _engine_for,
    current_user,
    database_url,
    migrate,
    open_schema,
    redact_url,
)
from lifecycle.records.members import (
    MembersMixin,
    grant_owner,
    new_owner_key,
    no_access,
    owner_key,
    visible_to,
)
from lifecycle.records.orm import ProjectRow, RevisionRow
from lifecycle.records.project import (
    Project,
    normalise_name,
    upgrade_document,
    utc_now,
    validate_name,
)
from lifecycle.records.rows import (
    MAX_ID,
    ProjectSummary,
    RevisionSummary,
    _conflict,
    _fill_row,
    _revision,
    _same_content,
    _summary,
    _to_project,
    name_key,
)


class Store(MembersMixin, AuditMixin):
    """Projects, revisions and the other shared tables behind one SQLAlchemy engine, as seen by one acting
    identity: every operation checks ``self.actor`` against the project's members (``access.allowed``)
    before it reads or writes a row. ``Store()`` acts as ``identity_from_environment()``; the app binds
    each signed-in session with ``acting_as``."""

    def __init__(self, url: str | None = None, *, apply_migrations: bool = True, actor: Identity | None = None):
        self.url = url or database_url()
        self.engine = _engine_for(self.url)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)
        self.actor = actor or identity_from_environment()
        if apply_migrations:
            open_schema(self.engine, self.describe(), self.url)

    def acting_as(self, actor: Identity) -> Store:
        """The same database (engine and connection pool shared) as another identity."""
        bound = object.__new__(type(self))
        bound.__dict__.update(self.__dict__)
        bound.actor = actor
        return bound

    def _author(self, author: str) -> str:
        """Who a revision names: a signed-in identity as the provider names it; a typed name only in the
        embedded single-person mode (there is nobody to sign in)."""
        return (author or self.actor.display) if self.actor.local else self.actor.display

    def describe(self) -> str:
        """The database in use, without any password."""
        return redact_url(self.url)

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
            "name": func.lower(ProjectRow.name).asc(),
            "created": ProjectRow.created_at.desc(),
        }.get(sort, ProjectRow.updated_at.desc())
        cols = [getattr(ProjectRow, c) for c in ProjectSummary.model_fields if c != "stages_done"]
        cols = [c for c in cols if c.key != "team_visible"] + [ProjectRow.team_visible]
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

    def _filtered(self, query, search: str, archived: bool | None):
        query = visible_to(query, self.actor)
        if archived is not None:
            query = query.where(ProjectRow.archived == archived)
        if search.strip():
            # % and _ in what the user typed are text, not wildcards.
            typed = search.strip().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
            pattern, folded = f"%{typed}%", f"%{typed.lower()}%"
            # As typed, and lower-cased (PostgreSQL's lower() of non-ASCII letters depends on the locale).
            query = query.where(or_(ProjectRow.name.like(pattern, escape="\\"),
                                    func.lower(ProjectRow.name).like(folded, escape="\\"),
                                    func.lower(ProjectRow.description).like(folded, escape="\\")))
        return query

    def get_project(self, ref: int | str) -> Project:
        """A project by id, or by name (case-insensitive)."""
        with self.session() as s:
            return _to_project(self._row(s, ref, Operation.view))

    def history(self, project_id: int) -> list[RevisionSummary]:
        with self.session() as s:
            self._row(s, project_id, Operation.view)
            rows = s.scalars(
                select(RevisionRow).where(RevisionRow.project_id == project_id).order_by(RevisionRow.version.desc())
            ).all()
            return [
                RevisionSummary(
                    id=r.id, project_id=r.project_id, version=r.version, author=r.author, author_key=r.author_key,
                    created_at=_as_utc(r.created_at), section=r.section, summary=r.summary,
                )
                for r in rows
            ]

    def get_revision(self, revision_id: int) -> Project:
        """The project as it was saved in one revision (id and version of that revision)."""
        with self.session() as s:
            rev = s.get(RevisionRow, revision_id) if 0 < revision_id <= MAX_ID else None
            hidden = AccessDenied(f"No access to revision {revision_id} (or it does not exist).")
            if rev is None:
                raise NotFound(f"No revision with id {revision_id}.") if self.actor.admin else hidden
            try:
                self._row(s, rev.project_id, Operation.view)
            except AccessDenied:
                raise hidden from None
            doc = upgrade_document(json.loads(rev.document))
            return Project.model_validate({**doc, "id": rev.project_id, "version": rev.version})

    # ---- writing -------------------------------------------------------------------------

    def create_project(self, name: str, *, description: str = "", owner: str = "", author: str = "") -> Project:
        self._check(Operation.create, None)
        author = self._author(author)
        if not self.actor.local:
            owner = self.actor.display  # signed in: you own what you create (hand it over with transfer_ownership)
        project = Project(name=validate_name(name), description=description, owner=owner or author, updated_by=author)
        return self._insert(project, author=author, section="created", summary="Project created")

    def save_project(self, project: Project, *, author: str = "", section: str = "", summary: str = "") -> Project:
        """Save over the stored row if it is still at ``project.version``; else ``ConflictError``. The Store
        decides which check applies: a project without an id is not saved (create it), a changed archive flag
        needs the owner (as ``set_archived``), anything else the editor role."""
        return self._save(project, Operation.save, author=author, section=section, summary=summary)

    def _save(self, project: Project, operation: Operation, *, author: str, section: str, summary: str) -> Project:
        if project.id is None:
            raise NotFound("This project has not been created yet; create it first.")
        author = self._author(author)
        try:
            with self.session() as s:
                row = self._row(s, project.id, operation)
                if operation is Operation.save and row.archived != project.archived:
                    self._check(Operation.archive, row, session=s)  # archiving is the owner's, whatever the path
                # Ownership moves only with transfer_ownership (it changes the memberships too).
                project = project.model_copy(update={"owner": row.owner})
                if row.version != project.version:
                    raise _conflict(row)
                renamed = row.name != project.name
                key = owner_key(s, row.id) if renamed else None
                if renamed:
                    self._check_unique_name(s, name_key(key, project.name), project.name, key, exclude_id=row.id)
                if _same_content(json.loads(row.document), project.content()):
                    return _to_project(row)  # nothing changed: no new version, no revision
                audited = operation is not Operation.save or row.archived != project.archived or row.name != project.name
                now = utc_now()
                saved = project.model_copy(update={"updated_at": now, "updated_by": author})
                _fill_row(row, saved, owner_key=key)
                s.flush()  # UPDATE … WHERE version = :old; raises StaleDataError on a race
                saved = saved.model_copy(update={"version": row.version})
                s.add(_revision(saved, author, section, summary or _summary(section), self.actor.key))
                if audited:  # archive, restore, restore of a revision, rename: in the audit trail too
                    self.record(s, summary or _summary(section), row)
                return saved
        except StaleDataError:
            with self.session() as s:
                raise _conflict(self._row(s, project.id, Operation.view)) from None
        except IntegrityError:  # a save of the same owner's other project to this name won the race
            raise DuplicateName(f"Its owner already has a project named {project.name!r}; choose another name.") \
                from None

    def rename_project(self, project: Project, new_name: str, *, author: str = "") -> Project:
        renamed = project.model_copy(update={"name": validate_name(new_name)})
        return self.save_project(renamed, author=author, section="renamed", summary=f"Renamed to {new_name.strip()}")

    def set_archived(self, project: Project, archived: bool, *, author: str = "") -> Project:
        word = "archived" if archived else "restored"
        return self._save(project.model_copy(update={"archived": archived}), Operation.archive, author=author,
                          section=word,
                                 summary=f"Project {word}")

    def duplicate_project(self, project: Project, new_name: str, *, author: str = "") -> Project:
        if project.id is not None:  # a copy of a stored project needs the right to read it
            with self.session() as s:
                self._row(s, project.id, Operation.view)
        self._check(Operation.create, None)
        author = self._author(author)
        now = utc_now()
        owner = project.owner if self.actor.local else self.actor.display
        copy = Project.model_validate(
            {**project.content(), "name": validate_name(new_name), "archived": False, "owner": owner,
             "created_at": now, "updated_at": now, "updated_by": author}
        )
        return self._insert(copy, author=author, section="created", summary=f"Duplicated from {project.name}")

    def restore_revision(self, project: Project, revision_id: int, *, author: str = "") -> Project:
        """Make an old revision current again, as a new revision (history is never rewritten)."""
        if project.id is not None:
            with self.session() as s:
                self._row(s, project.id, Operation.restore_revision)
        old = self.get_revision(revision_id)
        if old.id != project.id:
            raise NotFound(f"Revision {revision_id} does not belong to project {project.name!r}.")
        # Ownership lives in the memberships now: restoring an old document does not hand the project back.
        restored = Project.model_validate({**old.content(), "id": project.id, "version": project.version,
                                           "owner": project.owner})
        return self._save(restored, Operation.restore_revision, author=author, section="restored",
                          summary=f"Restored revision {old.version}")

    def delete_project(self, project_id: int, *, version: int) -> None:
        """Delete a project and its history, if it is still at ``version`` (what the person deleting it saw;
        else ``ConflictError``); deleting one another process deleted first says so."""
        try:
            with self.session() as s:
                row = self._row(s, project_id, Operation.delete)
                if isinstance(version, bool) or not isinstance(version, int):
                    raise InvalidInput("Deleting a project must say which version of it you saw.")
                if row.version != version:
                    raise _conflict(row)
                self.record(s, f"Deleted the project (version {row.version}) and its history", row)
                s.query(RevisionRow).filter(RevisionRow.project_id == row.id).delete()
                s.delete(row)
        except StaleDataError:
            raise NotFound(f"Project {project_id} was already deleted (by another session).") from None

    def import_documents(self, docs: list[dict[str, Any]], *, author: str = "") -> list[Project]:
        """Insert validated project documents in one transaction: all of them or none."""
        self._check(Operation.create, None)
        author = self._author(author)
        owner = {} if self.actor.local else {"owner": self.actor.display}
        # An imported copy was last saved by whoever imported it (the file's "updated_by" is the exporter's).
        saved = {"updated_by": author, "updated_at": utc_now()}
        projects = [Project.model_validate({**upgrade_document(d), "id": None, "version": 0, **owner, **saved})
                    for d in docs]
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
                raise DuplicateName(f"You already have a project named {project.name!r}; choose another name.") \
                    from None
        key = new_owner_key(self.actor, project.owner)
        self._check_unique_name(session, name_key(key, project.name), project.name, key)
        row = ProjectRow(created_at=project.created_at)
        _fill_row(row, project, owner_key=key)
        session.add(row)
        session.flush()
        saved = project.model_copy(update={"id": row.id, "version": row.version})
        session.add(_revision(saved, author, section, summary, self.actor.key))
        grant_owner(session, row.id, self.actor, project.owner)
        self.record(session, summary, row)
        return saved

    def _check_unique_name(self, session: Session, key: str, name: str, owner: str,
                           exclude_id: int | None = None) -> None:
        """Names are unique per owner (``rows.name_key``): only a clash with the same owner's project is
        refused, and said plainly; a name anyone else uses is allowed, so nothing about it is disclosed."""
        query = select(ProjectRow.id).where(ProjectRow.name_key == key)
        if exclude_id is not None:
            query = query.where(ProjectRow.id != exclude_id)
        if session.scalar(query) is None:
            return
        if self.actor.local:  # one person, who may file projects under any owner name
            raise DuplicateName(f"A project named {name.strip()!r} owned by {owner!r} already exists; choose "
                                "another name.")
        if owner == new_owner_key(self.actor, ""):
            raise DuplicateName(f"You already have a project named {name.strip()!r}; choose another name.")
        # An editor renaming someone else's project: the clash is in that owner's names, not the editor's.
        raise DuplicateName(f"This project's owner already has a project named {name.strip()!r}; choose another name.")

    def _row(self, session: Session, ref: int | str, operation: Operation) -> ProjectRow:
        """The row ``operation`` may touch, by id (an int, or digits typed as text: always an id, as names
        cannot be all digits) or by name (case-insensitive). An id no database column can hold is simply
        not found. Someone who may not see the project learns nothing of it: a missing project and one
        they are not a member of give the same answer."""
        text = str(ref).strip()
        digits = text.removeprefix("#").strip()
        if isinstance(ref, int) or (digits.isascii() and digits.isdigit()):
            number = int(digits)
            row = session.get(ProjectRow, number) if 0 < number <= MAX_ID else None
        else:
            row = self._by_name(session, text)
        if row is None:
            if self.actor.admin:
                raise NotFound(f"No project {ref!r}.")
            raise no_access(ref)
        self._check(operation, row, session=session, asked=ref)  # a refusal echoes only what was asked
        return row

    def _by_name(self, session: Session, text: str) -> ProjectRow | None:
        """The one project of this name (case-insensitive) among those this identity may see. Names are
        unique per owner, so several people's projects may share one: then the answer lists the ids (and
        owners) of those this identity can see and asks for one (``#ID``); nothing else is disclosed."""
        wanted = normalise_name(text).strip().lower()
        query = visible_to(select(ProjectRow.id, ProjectRow.name), self.actor).order_by(ProjectRow.id)
        if wanted.isascii():  # lower() folds ASCII alike on every backend and locale
            query = query.where(func.lower(ProjectRow.name) == wanted)
        # else compared here: PostgreSQL's lower() of "É" depends on the database's locale
        ids = [i for i, name in session.execute(query) if name.lower() == wanted]
        rows = [session.get(ProjectRow, i) for i in ids[:11]]
        if len(rows) <= 1:
            return rows[0] if rows else None
        shown = ", ".join(f"#{r.id} (owner {r.owner[:60]})" for r in rows[:10]) + (" …" if len(rows) > 10 else "")
        raise InvalidInput(f"Several projects you can see are named {text[:80]!r}: {shown}; name one by its id, "
                           f"e.g. '#{rows[0].id}'.")
