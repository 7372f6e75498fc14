"""Who may do what to a project: identities, per-project roles and the one rule table.

Every ``Store`` operation names its ``Operation`` and asks ``allowed`` before it touches a row; the UI
only mirrors the answer (a disabled button is a courtesy, not the check). Three project roles —
viewer < editor < owner — plus a team admin set in configuration, and a team-visible flag that makes a
project readable by every signed-in person. Identities come from the OpenID Connect provider
(issuer + subject, e-mail and name for display), from ``LIFECYCLE_USER`` for the CLI, or are the
local user of the embedded single-person mode, who administers the database they can open.
"""

from __future__ import annotations

import getpass
import os
from enum import Enum, IntEnum

from pydantic import BaseModel, ConfigDict

from lifecycle.errors import InvalidInput

LOCAL_ISSUER = "local"  # embedded mode: no sign-in configured; one person, their own database
CLI_ISSUER = "cli"  # LIFECYCLE_USER: a named identity for scripts, under the same rules
EMAIL_MAX_CHARS = 254  # RFC 5321's path limit
ADMINS_ENV = "LIFECYCLE_ADMINS"


class Role(IntEnum):
    """A member's role on one project; a higher role can do all a lower one can."""

    viewer = 1
    editor = 2
    owner = 3


class Operation(str, Enum):
    view = "view"  # open, history, old revisions, compare, report and JSON export
    create = "create"  # a new project (also import, and duplicating one you can view)
    save = "save"  # any stage, scenario or rename
    archive = "archive"  # archive, and restore from the archive
    restore_revision = "restore_revision"
    delete = "delete"
    list_members = "list_members"
    manage_members = "manage_members"  # add, change role, remove
    transfer = "transfer"  # hand ownership to another member
    set_visibility = "set_visibility"  # team-visible on or off


# The least project role each operation needs. ``create`` needs no role on any project: any signed-in
# person may start one (and owns it). Archive, delete and restore need the owner (the issue's rule).
REQUIRED_ROLE: dict[Operation, Role | None] = {
    Operation.view: Role.viewer,
    Operation.create: None,
    Operation.save: Role.editor,
    Operation.archive: Role.owner,
    Operation.restore_revision: Role.owner,
    Operation.delete: Role.owner,
    Operation.list_members: Role.viewer,
    Operation.manage_members: Role.owner,
    Operation.transfer: Role.owner,
    Operation.set_visibility: Role.owner,
}


def effective_role(member_role: Role | None, *, team_visible: bool) -> Role | None:
    """A non-member of a team-visible project reads it as a viewer; membership can only raise that."""
    if member_role is not None:
        return member_role
    return Role.viewer if team_visible else None


def allowed(operation: Operation, member_role: Role | None, *, team_visible: bool = False, admin: bool = False) -> bool:
    """The rule: admins may do everything; everyone else needs at least the operation's role."""
    if admin:
        return True
    needed = REQUIRED_ROLE[operation]
    if needed is None:
        return True
    role = effective_role(member_role, team_visible=team_visible)
    return role is not None and role >= needed


class Identity(BaseModel):
    """Who is acting. ``key`` (issuer + subject) is what revisions record; e-mail and name are for display."""

    model_config = ConfigDict(frozen=True)

    issuer: str
    subject: str
    email: str = ""
    name: str = ""
    admin: bool = False
    # A login past its allowed age, in a session that was already open: it may still read (so what was typed
    # stays on screen) but every write is refused until the person signs in again.
    expired: bool = False

    @property
    def key(self) -> str:
        return f"{self.issuer} {self.subject}"

    @property
    def local(self) -> bool:
        return self.issuer == LOCAL_ISSUER

    @property
    def principal(self) -> str:
        """What memberships name: the lower-cased e-mail; for the CLI and the embedded mode without one, the
        login name. A provider's subject never matches a typed name (only its own issuer + subject)."""
        if self.email:
            return self.email.strip().lower()
        return self.subject.strip().lower() if self.issuer in (LOCAL_ISSUER, CLI_ISSUER) else ""

    @property
    def display(self) -> str:
        if self.name and self.email and self.name.lower() != self.email.lower():
            return f"{self.name} <{self.email}>"
        return self.name or self.email or self.subject


def _printable(text: object, limit: int) -> str:
    return "".join(ch for ch in str(text or "") if ch.isprintable()).strip()[:limit]


def local_identity(name: str = "") -> Identity:
    """The embedded mode's one person: administrator of the database they can open."""
    login = _printable(name, 100) or _login_name()
    return Identity(issuer=LOCAL_ISSUER, subject=login, name=login, admin=True)


def signed_in_identity(claims: dict, admins: frozenset[str] = frozenset()) -> Identity:
    """An identity from OpenID Connect ID-token claims (``iss``, ``sub``, ``email``, ``name``). An e-mail the
    provider marks unverified is not used to match memberships (someone could claim another's address)."""
    issuer = _printable(claims.get("iss"), 500)
    subject = _printable(claims.get("sub"), 500)
    if not issuer or not subject:
        raise InvalidInput("The sign-in did not say who you are (no issuer or subject in the identity token).")
    email = _printable(claims.get("email"), EMAIL_MAX_CHARS).lower()
    if claims.get("email_verified") is False:
        email = ""
    name = _printable(claims.get("name") or claims.get("preferred_username"), 200)
    return Identity(issuer=issuer, subject=subject, email=email, name=name, admin=bool(email) and email in admins)


def cli_identity(user: str, admins: frozenset[str] = frozenset()) -> Identity:
    """``LIFECYCLE_USER`` as an identity: an e-mail (as members are added) or a login name."""
    value = _printable(user, EMAIL_MAX_CHARS)
    if not value:
        raise InvalidInput("LIFECYCLE_USER is empty; set it to your e-mail address or unset it.")
    email = value.lower() if "@" in value else ""
    return Identity(issuer=CLI_ISSUER, subject=value.lower(), email=email, name=value,
                    admin=value.lower() in admins)


def configured_admins(extra: tuple[str, ...] | list[str] = ()) -> frozenset[str]:
    """Team admins by e-mail: ``LIFECYCLE_ADMINS`` (comma-separated) plus the app's ``[lifecycle] admins``."""
    raw = [*os.environ.get(ADMINS_ENV, "").split(","), *extra]
    return frozenset(a.strip().lower() for a in raw if isinstance(a, str) and a.strip())


class AccessSettings(BaseModel):
    """The app's ``[lifecycle]`` secrets section, checked once: team admins and the longest a login lasts."""

    model_config = ConfigDict(frozen=True)

    admins: frozenset[str] = frozenset()
    max_login_age_hours: float = 12.0


def access_settings(raw: object) -> AccessSettings:
    """``[lifecycle]`` from the secrets file; a wrong type or value is one line naming the setting."""
    import math

    raw = {} if raw is None else raw
    if not isinstance(raw, dict):
        raise InvalidInput("[lifecycle] in secrets.toml must be a table of settings.")
    admins = raw.get("admins", [])
    if isinstance(admins, str) or not isinstance(admins, (list, tuple)) or not all(isinstance(a, str) for a in admins):
        raise InvalidInput('[lifecycle] admins must be a list of e-mail addresses, e.g. admins = ["lead@example.com"].')
    hours = raw.get("max_login_age_hours", 12.0)
    if isinstance(hours, bool) or not isinstance(hours, (int, float)) or not math.isfinite(hours) \
            or not 0 < hours <= 24 * 366:
        raise InvalidInput(f"[lifecycle] max_login_age_hours must be a number of hours between 0 and 8784, "
                           f"not {str(hours)[:40]!r}.")
    return AccessSettings(admins=configured_admins(admins), max_login_age_hours=float(hours))


def identity_from_environment() -> Identity:
    """The CLI's and the Python API's default actor: ``LIFECYCLE_USER`` under the rules, else the local
    administrator (whoever holds the database credentials can change any row anyway)."""
    user = os.environ.get("LIFECYCLE_USER", "")
    return cli_identity(user, configured_admins()) if user.strip() else local_identity()


def validate_member_email(text: str) -> str:
    """An e-mail address as typed to add a member: one address, lower-cased, printable, of sane length."""
    if not isinstance(text, str):
        raise InvalidInput("A member's e-mail must be text.")
    value = text.strip().lower()
    local, at, domain = value.partition("@")
    if (not at or not local or "." not in domain or len(value) > EMAIL_MAX_CHARS or "@" in domain
            or any(ch.isspace() or not ch.isprintable() for ch in value)):
        raise InvalidInput(f"{text.strip()[:80]!r} is not an e-mail address (name@example.com).")
    return value


def parse_role(value: object) -> Role:
    try:
        return value if isinstance(value, Role) else Role[str(value).strip().lower()]
    except KeyError:
        raise InvalidInput(f"Role must be viewer, editor or owner, not {str(value)[:40]!r}.") from None


def _login_name() -> str:
    try:
        return os.environ.get("LIFECYCLE_USER") or getpass.getuser()
    except (KeyError, OSError):  # no login name in some containers
        return "anonymous"
