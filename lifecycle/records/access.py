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


def allowed(operation: Operation, member_role: Role | None, *, team_visible: bool = False, admin: bool = False,
            expired: bool = False) -> bool:
    """The rule: a login past its allowed age may only read (admins too: expiry is checked first); admins may
    do everything else; everyone else needs at least the operation's role."""
    if expired and operation not in READ_ONLY:
        return False
    if admin:
        return True
    needed = REQUIRED_ROLE[operation]
    if needed is None:
        return True
    role = effective_role(member_role, team_visible=team_visible)
    return role is not None and role >= needed


READ_ONLY = frozenset({Operation.view, Operation.list_members})


def login_expired(claims: dict, now_s: float, max_age_hours: float) -> bool:
    """Streamlit keeps the identity in a cookie and never asks the provider again, so a login revoked there
    would live on: a login's age is bounded by the ID token's ``iat`` (issued at). Exactly ``max_age_hours``
    old is still valid; a second more is not. No numeric ``iat``: not expired (OpenID Connect requires it)."""
    issued = claims.get("iat")
    if not isinstance(issued, (int, float)) or isinstance(issued, bool):
        return False
    return now_s - float(issued) > max_age_hours * 3600


class TeamOperation(str, Enum):
    """Changes to the team tables (team models, team scaling laws, and what later joins them)."""

    add = "add"
    delete = "delete"


def check_team_table(actor: Identity, operation: TeamOperation, *, added_by_key: str = "") -> None:
    """The one rule for the team-wide tables: every signed-in identity may read them and add a row; a row is
    deleted only by whoever added it (same issuer + subject) or a team admin; an expired login changes
    nothing. ``added_by_key`` is the row's recorded ``Identity.key`` ("" for rows from before roles: admins
    only). Raises ``AccessDenied``."""
    from lifecycle.errors import AccessDenied

    if actor.expired:
        raise AccessDenied("Your sign-in has expired: sign in again to change the team tables.")
    if operation is TeamOperation.add or actor.admin:
        return
    if operation is TeamOperation.delete and added_by_key and added_by_key == actor.key:
        return
    raise AccessDenied("Only whoever added it, or a team admin, may delete a team entry.")


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


def signed_in_identity(claims: dict, settings: AccessSettings | None = None, *, now_s: float | None = None) -> Identity:
    """An identity from OpenID Connect ID-token claims (``iss``, ``sub``, ``email``, ``name``, ``iat``). People
    are bound by issuer + subject. The e-mail is kept (and may match an e-mail invitation) only when the
    provider says ``email_verified`` is exactly ``true``, the issuer is configured as trusted for e-mail,
    and the address is plain ASCII with nothing that could make it look like someone else's."""
    import time

    settings = settings or AccessSettings()
    issuer = _printable(claims.get("iss"), 500)
    subject = _printable(claims.get("sub"), 500)
    if not issuer or not subject:
        raise InvalidInput("The sign-in did not say who you are (no issuer or subject in the identity token).")
    raw = claims.get("email")
    email = ""
    if (claims.get("email_verified") is True and issuer in settings.trusted_email_issuers and isinstance(raw, str)
            and email_problem(raw) is None):
        email = raw.strip().lower()
    name = _printable(claims.get("name") or claims.get("preferred_username"), 200)
    key = f"{issuer} {subject}"
    admin = key in settings.admins or (bool(email) and email in settings.admins)
    expired = login_expired(claims, time.time() if now_s is None else now_s, settings.max_login_age_hours)
    return Identity(issuer=issuer, subject=subject, email=email, name=name, admin=admin, expired=expired)


def cli_identity(user: str, admins: frozenset[str] = frozenset()) -> Identity:
    """``LIFECYCLE_USER`` as an identity: an e-mail (as members are added) or a login name. Blank or
    unprintable is one line, never the administrator."""
    if not isinstance(user, str) or not _printable(user, EMAIL_MAX_CHARS):
        raise InvalidInput("LIFECYCLE_USER is blank; set it to your e-mail address or unset it.")
    value = _printable(user, EMAIL_MAX_CHARS)
    if "@" in value and email_problem(value):
        raise InvalidInput(f"LIFECYCLE_USER is refused: {email_problem(value)}.")
    return Identity(issuer=CLI_ISSUER, subject=value.lower(), email=value.lower() if "@" in value else "", name=value,
                    admin=value.lower() in admins)


def configured_admins(extra: tuple[str, ...] | list[str] = ()) -> frozenset[str]:
    """Team admins: ``LIFECYCLE_ADMINS`` (comma-separated) plus the app's ``[lifecycle] admins``. An entry is
    a verified e-mail (lower-cased) or an identity key "<issuer> <subject>" (kept as written)."""
    raw = [*os.environ.get(ADMINS_ENV, "").split(","), *extra]
    out = set()
    for entry in raw:
        if not isinstance(entry, str) or not entry.strip():
            continue
        entry = entry.strip()
        if " " in entry:  # "<issuer> <subject>"
            issuer, _, subject = entry.partition(" ")
            out.add(f"{issuer} {subject.strip()}")
        else:
            out.add(validate_member_email(entry))
    return frozenset(out)


class AccessSettings(BaseModel):
    """The app's ``[lifecycle]`` secrets section, checked once: team admins, the issuers whose verified
    e-mail addresses may claim e-mail invitations, and the longest a login lasts."""

    model_config = ConfigDict(frozen=True)

    admins: frozenset[str] = frozenset()
    trusted_email_issuers: frozenset[str] = frozenset()
    max_login_age_hours: float = 12.0


def access_settings(raw: object) -> AccessSettings:
    """``[lifecycle]`` from the secrets file; a wrong type or value is one line naming the setting."""
    import math

    raw = {} if raw is None else raw
    if not isinstance(raw, dict):
        raise InvalidInput("[lifecycle] in secrets.toml must be a table of settings.")
    admins = raw.get("admins", [])
    if isinstance(admins, str) or not isinstance(admins, (list, tuple)) or not all(isinstance(a, str) for a in admins):
        raise InvalidInput('[lifecycle] admins must be a list of e-mail addresses or "<issuer> <subject>" '
                           'identities, e.g. admins = ["lead@example.com"].')
    try:
        admin_set = configured_admins(admins)
    except InvalidInput as exc:
        raise InvalidInput(f"[lifecycle] admins: {exc}") from None
    trusted = raw.get("trusted_email_issuers", [])
    if isinstance(trusted, str) or not isinstance(trusted, (list, tuple)) \
            or not all(isinstance(t, str) and t.strip() for t in trusted):
        raise InvalidInput('[lifecycle] trusted_email_issuers must be a list of issuer URLs, e.g. '
                           'trusted_email_issuers = ["https://accounts.google.com"].')
    hours = raw.get("max_login_age_hours", 12.0)
    if isinstance(hours, bool) or not isinstance(hours, (int, float)) or not math.isfinite(hours) \
            or not 0 < hours <= 24 * 366:
        raise InvalidInput(f"[lifecycle] max_login_age_hours must be a number of hours between 0 and 8784, "
                           f"not {str(hours)[:40]!r}.")
    return AccessSettings(admins=admin_set, trusted_email_issuers=frozenset(t.strip() for t in trusted),
                          max_login_age_hours=float(hours))


def identity_from_environment() -> Identity:
    """The CLI's and the Python API's default actor: ``LIFECYCLE_USER`` under the rules, else the local
    administrator (whoever holds the database credentials can change any row anyway)."""
    if "LIFECYCLE_USER" not in os.environ:
        return local_identity()
    return cli_identity(os.environ["LIFECYCLE_USER"], configured_admins())


def email_problem(text: str) -> str | None:
    """Why an address could pass for someone else's, or None. Only plain ASCII addresses are accepted
    (an internationalised domain in its ``xn--`` form): zero-width and control characters, characters that
    Unicode normalisation (NFKC) changes (the Kelvin sign K, full-width letters) and mixed scripts (a
    Cyrillic "а" in "alice") are refused, never normalised into another person's address."""
    import unicodedata

    if any(unicodedata.category(ch) in ("Cf", "Cc", "Zl", "Zp", "Co", "Cn") for ch in text):
        return "it contains an invisible or control character"
    if unicodedata.normalize("NFKC", text) != text:
        return "it contains characters that Unicode normalisation changes (look-alikes such as the Kelvin sign)"
    if not text.isascii():
        return ("it contains non-ASCII letters that can look like other people's (write an internationalised "
                "domain in its xn-- form)")
    return None


def validate_member_email(text: str) -> str:
    """An e-mail address as typed to add a member: one plain-ASCII address, lower-cased, of sane length;
    look-alikes (see ``email_problem``) are refused."""
    if not isinstance(text, str):
        raise InvalidInput("A member's e-mail must be text.")
    problem = email_problem(text.strip())
    shown = "".join(ch if ch.isascii() and ch.isprintable() else f"\\u{ord(ch):04x}" for ch in text.strip()[:80])
    if problem:
        raise InvalidInput(f"{shown!r} is refused as an e-mail address: {problem}.")
    value = text.strip().lower()
    local, at, domain = value.partition("@")
    if (not at or not local or "." not in domain or len(value) > EMAIL_MAX_CHARS or "@" in domain
            or any(ch.isspace() or not ch.isprintable() for ch in value)):
        raise InvalidInput(f"{shown!r} is not an e-mail address (name@example.com).")
    return value


def parse_role(value: object) -> Role:
    try:
        return value if isinstance(value, Role) else Role[str(value).strip().lower()]
    except KeyError:
        raise InvalidInput(f"Role must be viewer, editor or owner, not {str(value)[:40]!r}.") from None


def _login_name() -> str:
    try:
        return os.environ.get("LIFECYCLE_USER", "").strip() or getpass.getuser()
    except (KeyError, OSError):  # no login name in some containers
        return "anonymous"
