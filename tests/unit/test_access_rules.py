"""The authorization rule, exhaustively: every role (and none, team-visible or not, admin or not) × every
operation, against a table written out by hand from the issue — not derived from ``REQUIRED_ROLE``."""

from __future__ import annotations

import itertools

import pytest

from lifecycle.errors import InvalidInput
from lifecycle.records.access import (
    AccessSettings,
    Identity,
    Operation,
    Role,
    access_settings,
    allowed,
    cli_identity,
    local_identity,
    signed_in_identity,
    validate_member_email,
)

# Columns: no role (private project), no role (team-visible project), viewer, editor, owner.
# "y" allowed, "." refused. Admins may do everything (checked below for every cell).
TABLE = """
operation          none  team  viewer editor owner
view                .     y     y      y      y
create              y     y     y      y      y
save                .     .     .      y      y
archive             .     .     .      .      y
restore_revision    .     .     .      .      y
delete              .     .     .      .      y
list_members        .     y     y      y      y
manage_members      .     .     .      .      y
transfer            .     .     .      .      y
set_visibility      .     .     .      .      y
"""
COLUMNS = [(None, False), (None, True), (Role.viewer, False), (Role.editor, False), (Role.owner, False)]


def _expected() -> dict[tuple[Operation, Role | None, bool], bool]:
    lines = [line.split() for line in TABLE.strip().splitlines()[1:]]
    out = {}
    for name, *cells in lines:
        assert len(cells) == len(COLUMNS)
        for (role, team), cell in zip(COLUMNS, cells):
            out[Operation(name), role, team] = cell == "y"
    return out


def test_the_table_names_every_operation_once():
    assert sorted(op for op, _, _ in _expected()) == sorted(o for o in Operation for _ in COLUMNS)


@pytest.mark.parametrize(("operation", "role", "team_visible"), list(_expected()))
def test_role_by_operation(operation, role, team_visible):
    assert allowed(operation, role, team_visible=team_visible) is _expected()[operation, role, team_visible]


@pytest.mark.parametrize(("operation", "role", "team_visible"),
                         list(itertools.product(Operation, [None, *Role], [False, True])))
def test_admins_may_do_everything_and_team_visibility_never_lowers_a_role(operation, role, team_visible):
    assert allowed(operation, role, team_visible=team_visible, admin=True)
    if role is not None:  # a member keeps exactly their role's rights on a team-visible project
        assert allowed(operation, role, team_visible=True) == allowed(operation, role, team_visible=False)


def test_identities_from_sign_in_claims_the_cli_and_the_embedded_mode():
    claims = {"iss": "https://idp.example", "sub": "00u1", "email": "Ann@Example.COM", "email_verified": True,
              "name": "Ann Lee"}
    ann = signed_in_identity(claims, AccessSettings(admins=frozenset({"ann@example.com"}),
                                                    trusted_email_issuers=frozenset({"https://idp.example"})))
    assert (ann.key, ann.principal, ann.display, ann.admin) == (
        "https://idp.example 00u1", "ann@example.com", "Ann Lee <ann@example.com>", True)
    # An address the provider has not verified never matches a membership: only issuer + subject do.
    unverified = signed_in_identity({**claims, "email_verified": False})
    assert unverified.principal == "" and not unverified.admin
    with pytest.raises(InvalidInput, match="issuer or subject"):
        signed_in_identity({"email": "x@example.com"})
    assert cli_identity("Bob@Example.com").principal == "bob@example.com"
    assert not cli_identity("bob@example.com").admin
    assert local_identity("Cleo").admin and local_identity("Cleo").local
    assert Identity(issuer="i", subject="s").display == "s"


@pytest.mark.parametrize("text", ["", "bob", "bob@", "@example.com", "bob@localhost", "a b@example.com",
                                  "bob@exa@mple.com", "x" * 250 + "@example.com", "bob\u202e@example.com"])
def test_member_emails_are_validated(text):
    with pytest.raises(InvalidInput):
        validate_member_email(text)


def test_the_app_settings_are_checked_once_with_one_line_errors():
    settings = access_settings({"admins": ["Lead@Example.com "], "max_login_age_hours": 8})
    assert settings.admins == frozenset({"lead@example.com"}) and settings.max_login_age_hours == 8.0
    assert access_settings(None).max_login_age_hours == 12.0
    for bad in ({"admins": "lead@example.com"}, {"admins": [1]}, {"max_login_age_hours": float("nan")},
                {"max_login_age_hours": 0}, {"max_login_age_hours": "12"}, {"max_login_age_hours": True},
                {"max_login_age_hours": 1e9}, ["admins"]):
        with pytest.raises(InvalidInput, match=r"^\[lifecycle\]"):
            access_settings(bad)
