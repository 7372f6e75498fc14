"""Project members: the SQL side of ``access`` — whose role a row grants, which projects an identity
may list, the one check every ``Store`` operation passes through, and the owner's member operations
(add by e-mail, change role, remove, transfer ownership, team visibility) with their audit history."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel
from sqlalchemy import and_, exists, or_, select, update
from sqlalchemy.orm import Session

from lifecycle.errors import AccessDenied, ConflictError, DuplicateName, InvalidInput, NotFound
from lifecycle.records.access import (
    CLI_ISSUER,
    LOCAL_ISSUER,
    REQUIRED_ROLE,
    Identity,
    Operation,
    Role,
    TeamOperation,
    allowed,
    check_team_table,
    effective_role,
    parse_role,
    validate_member_email,
)
from lifecycle.records.audit import AccessEvent, event_of
from lifecycle.records.db import _as_utc
from lifecycle.records.orm import AccessEventRow, MembershipRow, ProjectRow
from lifecycle.records.project import utc_now
from lifecycle.records.rows import _fill_row, _revision, _to_project, name_key

__all__ = ["AccessEvent", "Member", "MembersMixin", "Role", "Sharing", "grant_owner", "new_owner_key", "no_access",
           "owner_key", "visible_to"]

_VERBS = {
    Operation.view: "viewing", Operation.save: "saving", Operation.archive: "archiving or restoring it",
    Operation.restore_revision: "restoring a revision", Operation.delete: "deleting it",
    Operation.list_members: "seeing its members", Operation.manage_members: "changing its members",
    Operation.transfer: "transferring ownership", Operation.set_visibility: "changing who can see it",
}


class Member(BaseModel):
    id: int  # stable: pickers hold this, never a position in a list
    principal: str  # the e-mail (or, for projects from before sign-in, the owner name) that grants the role
    role: Role
    added_at: datetime
    added_by: str
    known_identity: bool  # bound to an issuer + subject (the creator), not only to an e-mail


class Sharing(BaseModel):
    """A project's members and visibility as read at ``version`` (its access version): every member,
    visibility and transfer action passes that version back and is refused as stale if it moved since."""

    project_id: int
    version: int
    team_visible: bool
    members: list[Member]


def _stale(row: ProjectRow) -> ConflictError:
    return ConflictError(f"The members or sharing of {row.name!r} changed since you opened them (in another tab or "
                         "by someone else): nothing was changed; look again and redo it if still wanted.",
                         current_version=row.access_version)


def no_access(ref: object) -> AccessDenied:
    """The one answer for a project one may not see, or that does not exist: only what was asked for."""
    return AccessDenied(f"No access to project {str(ref)[:80]!r} (or it does not exist): ask its owner to add you.")


def _matches(actor: Identity):
    """Membership rows that name this identity: by issuer + subject; a signed-in person's verified, trusted
    e-mail (``signed_in_identity``) also matches an invitation not yet bound to anyone. The CLI and the
    embedded mode (whoever holds the database credentials) match by their e-mail or login name."""
    by_subject = and_(MembershipRow.issuer == actor.issuer, MembershipRow.subject == actor.subject,
                      MembershipRow.subject != "")
    if not actor.principal:
        return by_subject
    if actor.issuer in (LOCAL_ISSUER, CLI_ISSUER):
        return or_(by_subject, MembershipRow.principal == actor.principal)
    return or_(by_subject, and_(MembershipRow.subject == "", MembershipRow.principal == actor.principal))


def _bind_invitations(session: Session, project_id: int, actor: Identity) -> None:
    """An e-mail invitation, once claimed by a verified e-mail, belongs to that issuer + subject for good:
    another account later showing the same address (another provider, a reassigned mailbox) gets nothing."""
    if not actor.principal or actor.issuer in (LOCAL_ISSUER, CLI_ISSUER):
        return
    unbound = select(MembershipRow.id).where(MembershipRow.project_id == project_id, MembershipRow.subject == "",
                                             MembershipRow.principal == actor.principal)
    if session.scalar(unbound) is not None:  # a read takes no write lock unless there is something to bind
        session.execute(update(MembershipRow).where(MembershipRow.project_id == project_id,
                                                    MembershipRow.subject == "",
                                                    MembershipRow.principal == actor.principal)
                        .values(issuer=actor.issuer[:500], subject=actor.subject[:500]))


def visible_to(query, actor: Identity):
    """Narrow a projects query to those ``actor`` may see: members' and team-visible ones (admins: all)."""
    if actor.admin:
        return query
    member = exists(select(MembershipRow.id).where(MembershipRow.project_id == ProjectRow.id, _matches(actor)))
    return query.where(or_(ProjectRow.team_visible.is_(True), member))


def member_role(session: Session, project_id: int, actor: Identity) -> Role | None:
    _bind_invitations(session, project_id, actor)
    roles = session.scalars(select(MembershipRow.role).where(MembershipRow.project_id == project_id,
                                                              _matches(actor))).all()
    return Role(max(roles)) if roles else None


def _principal_of(actor: Identity) -> str:
    return actor.principal or f"sub:{actor.subject}"[:254].lower()


def new_owner_key(actor: Identity, owner_text: str) -> str:
    """The principal a new project's owner member gets (``grant_owner``), which also scopes its name."""
    return (owner_text or actor.subject).strip().lower()[:254] if actor.local else _principal_of(actor)


def owner_key(session: Session, project_id: int) -> str:
    """A stored project's owner principal (the owner member; the lowest id should there be several, as
    migration 0008 picks; "" for none): what its ``name_key`` is scoped to."""
    return session.scalar(select(MembershipRow.principal).where(MembershipRow.project_id == project_id,
                                                                MembershipRow.role == int(Role.owner))
                          .order_by(MembershipRow.id).limit(1)) or ""


def grant_owner(session: Session, project_id: int, actor: Identity, owner_text: str) -> None:
    """A new project's owner member: the signed-in (or CLI) creator by identity; in the embedded mode,
    the owner name typed on the form (the local user administers everything anyway)."""
    principal = new_owner_key(actor, owner_text)
    issuer, subject = ("", "") if actor.local else (actor.issuer, actor.subject)
    session.add(MembershipRow(project_id=project_id, principal=principal, issuer=issuer[:500], subject=subject[:500],
                              role=int(Role.owner), added_at=utc_now(), added_by=actor.display[:200]))


class MembersMixin:
    """Member operations of ``Store`` (which supplies ``session``, ``actor``, ``_row`` and ``save_project``)."""

    def _check(self, operation: Operation, row: ProjectRow | None, *, session: Session | None = None,
               asked: object = None) -> None:
        """The single authorization point: every Store operation calls this before touching a project."""
        if not allowed(operation, None, admin=True, expired=self.actor.expired):  # the rule in access.py
            raise AccessDenied("Your sign-in has expired: sign in again to save (what you typed stays on this page "
                               "until you do).")
        if self.actor.admin:  # no query: the embedded mode's every read and save stays as fast as before roles
            return
        if row is None:  # an operation on no project (create, import): any signed-in identity
            if not allowed(operation, None):
                raise AccessDenied(f"You may not {operation.value} projects.")
            return
        role = member_role(session, row.id, self.actor)
        if allowed(operation, role, team_visible=row.team_visible):
            return
        seen = effective_role(role, team_visible=row.team_visible)
        if seen is None:
            raise no_access(row.id if asked is None else asked)
        needed = REQUIRED_ROLE[operation]
        raise AccessDenied(f"You are {'an' if seen is Role.editor else 'a'} {seen.name} of “{row.name}”: "
                           f"{_VERBS[operation]} needs the {needed.name} role; ask its owner.")

    def check_team_table(self, operation: TeamOperation, *, added_by_key: str = "") -> None:
        """The team tables' rule (``access.check_team_table``) for this identity: every team table calls it
        before it adds or deletes a row (team models, team scaling laws, and any table that joins them)."""
        check_team_table(self.actor, operation, added_by_key=added_by_key)

    def my_role(self, project_id: int) -> Role | None:
        """The role this identity acts with on a project it can see (owner for an admin)."""
        with self.session() as s:
            row = self._row(s, project_id, Operation.view)
            if self.actor.admin:
                return Role.owner
            return effective_role(member_role(s, row.id, self.actor), team_visible=row.team_visible)

    def team_visible(self, project_id: int) -> bool:
        with self.session() as s:
            return bool(self._row(s, project_id, Operation.list_members).team_visible)

    def members(self, project_id: int) -> list[Member]:
        return self.sharing(project_id).members

    def sharing(self, project_id: int) -> Sharing:
        """Members, visibility and the access version they were read at, in one transaction."""
        with self.session() as s:
            row = self._row(s, project_id, Operation.list_members)
            rows = s.scalars(select(MembershipRow).where(MembershipRow.project_id == project_id)
                             .order_by(MembershipRow.role.desc(), MembershipRow.principal)).all()
            people = [Member(id=r.id, principal=r.principal, role=Role(r.role), added_at=_as_utc(r.added_at),
                             added_by=r.added_by, known_identity=bool(r.subject)) for r in rows]
            return Sharing(project_id=row.id, version=row.access_version, team_visible=row.team_visible,
                           members=people)

    def access_history(self, project_id: int, limit: int = 200) -> list[AccessEvent]:
        with self.session() as s:
            self._row(s, project_id, Operation.list_members)
            rows = s.scalars(select(AccessEventRow).where(AccessEventRow.project_id == project_id)
                             .order_by(AccessEventRow.id.desc()).limit(limit)).all()
            return [event_of(r) for r in rows]

    def _access_row(self, session: Session, project_id: int, operation: Operation, access_version: int) -> ProjectRow:
        """The project row for a member/visibility/transfer action made against ``access_version``; the
        version moves on in the same transaction (compare-and-set), so of two such actions made against the
        same view only the first is applied."""
        row = self._row(session, project_id, operation)
        if isinstance(access_version, bool) or not isinstance(access_version, int):
            raise InvalidInput("A member or sharing action must say which version of the members it was made "
                               "against (Store.sharing(...).version).")
        moved = session.execute(update(ProjectRow).where(ProjectRow.id == row.id,
                                                         ProjectRow.access_version == access_version)
                                .values(access_version=access_version + 1)
                                .execution_options(synchronize_session=False))
        if moved.rowcount != 1:
            session.refresh(row)
            raise _stale(row)
        return row

    def add_member(self, project_id: int, email: str, role: Role | str, *, access_version: int) -> Member:
        principal, role = validate_member_email(email), parse_role(role)
        if role is Role.owner:
            raise InvalidInput("A project has one owner: add them as editor, then transfer ownership.")
        with self.session() as s:
            self._access_row(s, project_id, Operation.manage_members, access_version)
            existing = s.scalar(select(MembershipRow).where(MembershipRow.project_id == project_id,
                                                            MembershipRow.principal == principal))
            if existing is not None:
                raise InvalidInput(f"{principal} is already a {Role(existing.role).name}; change their role instead.")
            row = MembershipRow(project_id=project_id, principal=principal, issuer="", subject="", role=int(role),
                                added_at=utc_now(), added_by=self.actor.display[:200])
            s.add(row)
            s.flush()
            self._log(s, project_id, f"added {principal} as {role.name}")
            return Member(id=row.id, principal=principal, role=role, added_at=row.added_at, added_by=row.added_by,
                          known_identity=False)

    def set_member_role(self, project_id: int, member: int | str, role: Role | str, *, access_version: int) -> None:
        """``member``: the member's id (as pickers hold it) or e-mail."""
        role = parse_role(role)
        if role is Role.owner:
            raise InvalidInput("Make someone the owner with “transfer ownership”.")
        with self.session() as s:
            self._access_row(s, project_id, Operation.manage_members, access_version)
            row = self._membership(s, project_id, member)
            if row.role == Role.owner:
                raise InvalidInput("The owner's role changes only by transferring ownership to someone else.")
            if row.role != role:
                self._log(s, project_id, f"changed {row.principal} from {Role(row.role).name} to {role.name}")
                row.role = int(role)

    def remove_member(self, project_id: int, member: int | str, *, access_version: int) -> None:
        with self.session() as s:
            self._access_row(s, project_id, Operation.manage_members, access_version)
            row = self._membership(s, project_id, member)
            if row.role == Role.owner:
                raise InvalidInput("The owner cannot be removed: transfer ownership first.")
            s.delete(row)
            self._log(s, project_id, f"removed {row.principal} ({Role(row.role).name})")

    def set_team_visible(self, project_id: int, visible: bool, *, access_version: int) -> None:
        with self.session() as s:
            row = self._access_row(s, project_id, Operation.set_visibility, access_version)
            if row.team_visible != bool(visible):
                # A Core UPDATE: visibility is not a document change, so no new version (an ORM update would
                # bump the optimistic lock and turn every colleague's next save into a conflict).
                s.execute(update(ProjectRow).where(ProjectRow.id == row.id).values(team_visible=bool(visible)))
                self._log(s, project_id, "made the project visible to the whole team" if visible
                          else "made the project visible to its members only")

    def transfer_ownership(self, project_id: int, member: int | str, *, access_version: int):
        """Hand the project to ``member`` (a member's id, or an e-mail, added if not yet a member); the old owner
        stays on as editor. The project's ``owner`` changes in the same transaction, as a revision of its own."""
        with self.session() as s:
            row = self._access_row(s, project_id, Operation.transfer, access_version)
            principal = (self._membership(s, project_id, member).principal if isinstance(member, int)
                         else validate_member_email(member))
            new_key = name_key(principal, row.name)
            if s.scalar(select(ProjectRow.id).where(ProjectRow.name_key == new_key, ProjectRow.id != row.id)):
                # Names are unique per owner: only the new owner's own clash is named, to the one handing over.
                raise DuplicateName(f"{principal} already owns a project named {row.name!r}: rename one of the "
                                    "two first; nothing was changed.")
            for old in s.scalars(select(MembershipRow).where(MembershipRow.project_id == project_id,
                                                             MembershipRow.role == int(Role.owner))).all():
                if old.principal != principal:
                    old.role = int(Role.editor)
            target = s.scalar(select(MembershipRow).where(MembershipRow.project_id == project_id,
                                                          MembershipRow.principal == principal))
            if target is None:
                s.add(MembershipRow(project_id=project_id, principal=principal, issuer="", subject="",
                                    role=int(Role.owner), added_at=utc_now(), added_by=self.actor.display[:200]))
            else:
                target.role = int(Role.owner)
            project = _to_project(row)
            saved = project.model_copy(update={"owner": principal, "updated_at": utc_now(),
                                               "updated_by": self.actor.display})
            _fill_row(row, saved, owner_key=principal)
            s.flush()
            saved = saved.model_copy(update={"version": row.version})
            s.add(_revision(saved, self.actor.display, "owner", f"Ownership transferred to {principal}",
                            self.actor.key))
            self._log(s, project_id, f"transferred ownership to {principal}")
            return saved

    def _membership(self, session: Session, project_id: int, member: int | str) -> MembershipRow:
        if isinstance(member, int) and not isinstance(member, bool):
            row = session.scalar(select(MembershipRow).where(MembershipRow.project_id == project_id,
                                                             MembershipRow.id == member))
            if row is None:
                raise NotFound(f"Member {member} is no longer a member of this project.")
            return row
        key = str(member or "").strip().lower()
        row = session.scalar(select(MembershipRow).where(MembershipRow.project_id == project_id,
                                                         MembershipRow.principal == key))
        if row is None:
            raise NotFound(f"{key[:80]!r} is not a member of this project.")
        return row

    def _log(self, session: Session, project_id: int, action: str) -> None:
        self.record(session, action, session.get(ProjectRow, project_id))
