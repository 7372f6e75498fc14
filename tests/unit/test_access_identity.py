"""Identities, settings and the team-table rule of ``lifecycle.records.access``, as pure functions (no store): the
login age in hours at a non-default limit, an ID token without a usable ``iat``, the team tables' one rule, the
``[lifecycle]`` settings and ``LIFECYCLE_USER`` / ``LIFECYCLE_ADMINS``, each error one line naming what to fix."""

from __future__ import annotations

import pytest

from lifecycle.errors import AccessDenied, InvalidInput
from lifecycle.records.access import (
    AccessSettings,
    Identity,
    Operation,
    Role,
    TeamOperation,
    access_settings,
    allowed,
    check_team_table,
    cli_identity,
    configured_admins,
    email_problem,
    identity_from_environment,
    local_identity,
    login_expired,
    parse_role,
    signed_in_identity,
    validate_member_email,
)

NOW_S = 2_000_000_000.0
ISSUER = "https://idp.test"


def _claims(age_s: float | None = 0.0, **kw) -> dict:
    claims = {"iss": ISSUER, "sub": "sub-ann", "email": "ann@example.test", "email_verified": True, "name": "Ann"}
    if age_s is not None:
        claims["iat"] = NOW_S - age_s
    return {**claims, **kw}


@pytest.mark.parametrize(("hours", "age_s", "expired"), [
    (0.5, 30 * 60, False), (0.5, 30 * 60 + 1, True),  # half an hour is 1,800 s, not half a day
    (2.0, 7200, False), (2.0, 7201, True),
    (48.0, 47 * 3600, False), (48.0, 49 * 3600, True),  # two days, written in hours
])
def test_the_login_age_is_counted_in_hours(hours, age_s, expired):
    assert login_expired(_claims(age_s), NOW_S, hours) is expired
    assert signed_in_identity(_claims(age_s), AccessSettings(max_login_age_hours=hours), now_s=NOW_S).expired is expired


@pytest.mark.parametrize("iat", [None, "1999999000", True, [NOW_S]])
def test_a_token_without_a_numeric_issue_time_is_not_expired(iat):
    claims = _claims(None) if iat is None else _claims(None, iat=iat)
    assert login_expired(claims, NOW_S, 1.0) is False
    assert login_expired(_claims(None, iat=int(NOW_S) - 3601), NOW_S, 1.0) is True  # an int is a number


def test_by_default_a_project_is_private_and_the_login_fresh_and_not_an_admins():
    assert allowed(Operation.view, None) is False and allowed(Operation.list_members, None) is False
    assert allowed(Operation.save, Role.editor) is True and allowed(Operation.delete, Role.editor) is False


def test_an_expired_login_reads_but_writes_nothing_whatever_its_role():
    for operation in Operation:
        for role in (None, *Role):
            for admin in (False, True):
                fresh = allowed(operation, role, team_visible=True, admin=admin)
                stale = allowed(operation, role, team_visible=True, admin=admin, expired=True)
                assert stale == (fresh and operation in (Operation.view, Operation.list_members))


def test_the_team_tables_rule():
    ann = Identity(issuer=ISSUER, subject="ann")
    bob = Identity(issuer=ISSUER, subject="bob")
    admin = Identity(issuer=ISSUER, subject="erin", admin=True)
    check_team_table(ann, TeamOperation.add)  # anyone signed in adds
    check_team_table(ann, TeamOperation.delete, added_by_key=ann.key)  # and deletes what they added
    check_team_table(admin, TeamOperation.delete, added_by_key=ann.key)
    check_team_table(admin, TeamOperation.delete)  # rows from before roles: admins only
    for who, key in ((bob, ann.key), (ann, ""), (ann, "")):
        with pytest.raises(AccessDenied, match="^Only whoever added it, or a team admin"):
            check_team_table(who, TeamOperation.delete, added_by_key=key)
    for stale in (ann.model_copy(update={"expired": True}), admin.model_copy(update={"expired": True})):
        for op in TeamOperation:
            with pytest.raises(AccessDenied, match="^Your sign-in has expired"):
                check_team_table(stale, op, added_by_key=stale.key)


def test_a_signed_in_identity_keeps_only_a_verified_trusted_plain_email():
    trusted = AccessSettings(trusted_email_issuers=frozenset({ISSUER}))
    ann = signed_in_identity(_claims(email="  Ann@Example.TEST "), trusted, now_s=NOW_S)
    assert (ann.issuer, ann.subject, ann.email, ann.name, ann.admin, ann.expired) == (
        ISSUER, "sub-ann", "ann@example.test", "Ann", False, False)
    assert signed_in_identity(_claims(), now_s=NOW_S).email == ""  # issuer not trusted for e-mail
    assert signed_in_identity(_claims(email_verified="true"), trusted, now_s=NOW_S).email == ""  # the boolean only
    assert signed_in_identity(_claims(email="ann\u200b@example.test"), trusted, now_s=NOW_S).email == ""
    assert signed_in_identity(_claims(email=42), trusted, now_s=NOW_S).email == ""
    by_key = AccessSettings(admins=frozenset({f"{ISSUER} sub-ann"}))
    assert signed_in_identity(_claims(), by_key, now_s=NOW_S).admin  # an admin named by issuer + subject
    by_mail = AccessSettings(admins=frozenset({"ann@example.test"}), trusted_email_issuers=frozenset({ISSUER}))
    assert signed_in_identity(_claims(), by_mail, now_s=NOW_S).admin
    assert not signed_in_identity(_claims(), AccessSettings(admins=frozenset({"ann@example.test"})), now_s=NOW_S).admin
    named = signed_in_identity(_claims(name=None, preferred_username="ann.l\x07ee" + "x" * 300), now_s=NOW_S)
    assert named.name == ("ann.lee" + "x" * 300)[:200]  # unprintable characters dropped, then 200 at most
    with pytest.raises(InvalidInput, match="no issuer or subject"):
        signed_in_identity({"iss": ISSUER, "sub": "\x00 "}, now_s=NOW_S)


def test_identity_principal_and_display():
    assert Identity(issuer="cli", subject=" Bob ").principal == "bob"
    assert Identity(issuer="local", subject="Cleo").principal == "cleo"
    assert Identity(issuer=ISSUER, subject="00u1").principal == ""  # a provider's subject never matches a name
    assert Identity(issuer=ISSUER, subject="s", email=" Ann@X.test").principal == "ann@x.test"
    assert Identity(issuer=ISSUER, subject="s", name="Ann", email="ann@x.test").display == "Ann <ann@x.test>"
    assert Identity(issuer=ISSUER, subject="s", name="ANN@x.test", email="ann@x.test").display == "ANN@x.test"
    assert Identity(issuer=ISSUER, subject="s", email="ann@x.test").display == "ann@x.test"
    assert Identity(issuer=ISSUER, subject="s").key == f"{ISSUER} s"
    assert not Identity(issuer=ISSUER, subject="s").local
    me = local_identity("  Cleo\x1b[31m ")
    assert (me.issuer, me.subject, me.name, me.admin) == ("local", "Cleo[31m", "Cleo[31m", True)


def test_the_cli_identity_and_the_configured_admins(monkeypatch):
    bob = cli_identity("Bob@Example.com", frozenset({"bob@example.com"}))
    assert (bob.issuer, bob.subject, bob.email, bob.name, bob.admin) == (
        "cli", "bob@example.com", "bob@example.com", "Bob@Example.com", True)
    plain = cli_identity("builder")
    assert (plain.subject, plain.email, plain.admin) == ("builder", "", False)
    for blank in ("", "  ", "\x00", 7):
        with pytest.raises(InvalidInput, match="^LIFECYCLE_USER is blank"):
            cli_identity(blank)
    with pytest.raises(InvalidInput, match="^LIFECYCLE_USER is refused: it contains non-ASCII"):
        cli_identity("bоb@example.com")  # a Cyrillic o
    monkeypatch.setenv("LIFECYCLE_ADMINS", " Lead@Example.com ,, https://idp.test  00u1 ")
    assert configured_admins(["ops@example.com", "", 3]) == frozenset(
        {"lead@example.com", "https://idp.test 00u1", "ops@example.com"})
    monkeypatch.setenv("LIFECYCLE_USER", "lead@example.com")
    me = identity_from_environment()
    assert (me.issuer, me.email, me.admin) == ("cli", "lead@example.com", True)
    monkeypatch.delenv("LIFECYCLE_USER")
    assert identity_from_environment().local and identity_from_environment().admin


def test_the_settings_section():
    s = access_settings({"admins": ["https://idp.test 00u1"], "trusted_email_issuers": [" https://idp.test "],
                         "max_login_age_hours": 8784})
    assert s == AccessSettings(admins=frozenset({"https://idp.test 00u1"}),
                               trusted_email_issuers=frozenset({"https://idp.test"}), max_login_age_hours=8784.0)
    assert access_settings({"max_login_age_hours": 0.25}).max_login_age_hours == 0.25
    assert access_settings({}) == AccessSettings()
    for bad, says in (({"trusted_email_issuers": "https://idp.test"}, "trusted_email_issuers must be a list"),
                      ({"trusted_email_issuers": [" "]}, "trusted_email_issuers must be a list"),
                      ({"max_login_age_hours": 8784.5}, "max_login_age_hours must be a number of hours"),
                      ({"max_login_age_hours": -1}, "between 0 and 8784, not '-1'"),
                      ({"admins": ["ann@exаmple.com"]}, r"^\[lifecycle\] admins: .* is refused"),
                      ({"admins": ["bad"]}, r"^\[lifecycle\] admins: 'bad' is not an e-mail")):
        with pytest.raises(InvalidInput, match=says):
            access_settings(bad)


@pytest.mark.parametrize(("text", "problem"), [
    ("ann\u200b@example.com", "invisible or control character"), ("ann\x00@example.com", "invisible or control"),
    ("\u212aate@example.com", "Unicode normalisation changes"), ("ann@ex\uff41mple.com", "Unicode normalisation"),
    ("аnn@example.com", "non-ASCII letters"), ("ann@example.com", None), ("ann@xn--bcher-kva.example", None),
])
def test_look_alike_addresses_are_named(text, problem):
    said = email_problem(text)
    assert (said is None) if problem is None else (problem in said)


def test_a_member_email_is_one_lower_cased_address_and_a_role_is_one_of_three():
    assert validate_member_email("  Ann@Example.COM ") == "ann@example.com"
    assert validate_member_email("a" * 64 + "@" + "b" * 180 + ".com") == "a" * 64 + "@" + "b" * 180 + ".com"  # 249
    with pytest.raises(InvalidInput, match="must be text"):
        validate_member_email(None)
    with pytest.raises(InvalidInput, match=r"'ann\\\\u200b@example.com' is refused"):
        validate_member_email("ann\u200b@example.com")
    with pytest.raises(InvalidInput, match="is not an e-mail address"):
        validate_member_email("a" * 64 + "@" + "b" * 186 + ".com")  # 255 characters
    assert [parse_role(v) for v in (" Editor ", Role.owner, "viewer")] == [Role.editor, Role.owner, Role.viewer]
    with pytest.raises(InvalidInput, match="^Role must be viewer, editor or owner, not 'admin'"):
        parse_role("admin")


def test_hostile_settings_and_claims_are_one_line_errors_or_bounded():
    admins_line = (r"^\[lifecycle\] admins must be a list of e-mail addresses or \"<issuer> <subject>\" "
                   r"identities, e\.g\. admins = \[\"lead@example\.com\"\]\.$")
    trusted_line = (r"^\[lifecycle\] trusted_email_issuers must be a list of issuer URLs, e\.g\. "
                    r"trusted_email_issuers = \[\"https://accounts\.google\.com\"\]\.$")
    for bad, says in (({"admins": 5}, admins_line), ({"admins": {"lead@example.com": 1}}, admins_line),
                      ({"trusted_email_issuers": 5}, trusted_line),
                      ({"max_login_age_hours": "x" * 100}, "not '" + "x" * 40 + "'.$")):
        with pytest.raises(InvalidInput, match=says):
            access_settings(bad)
    long = signed_in_identity({"iss": "i" * 600, "sub": "s" * 600}, now_s=NOW_S)
    assert (long.issuer, long.subject) == ("i" * 500, "s" * 500)
    with pytest.raises(InvalidInput, match=r"^The sign-in did not say who you are \(no issuer or subject in the "
                                           r"identity token\)\.$"):
        signed_in_identity({"iss": ISSUER})
    assert cli_identity("x" * 300).subject == "x" * 254  # RFC 5321's path limit
    with pytest.raises(InvalidInput, match=r"^A member's e-mail must be text\.$"):
        validate_member_email(3)
    with pytest.raises(InvalidInput, match=r"^Role must be viewer, editor or owner, not '" + "r" * 40 + "'\\.$"):
        parse_role("r" * 100)
    assert validate_member_email("a" * 64 + "@" + "b" * 185 + ".com") == "a" * 64 + "@" + "b" * 185 + ".com"  # 254


def test_without_a_clock_given_the_login_age_is_taken_now():
    import time

    assert not signed_in_identity(_claims(None, iat=time.time() - 60)).expired
    assert signed_in_identity(_claims(None, iat=time.time() - 13 * 3600)).expired  # past the default 12 h


@pytest.mark.parametrize("ch", ["\u200b", "\x00", "\u2028", "\u2029", "\ue000", "\u0378"],
                         ids=["Cf-zero-width", "Cc-control", "Zl-line-separator", "Zp-paragraph-separator",
                              "Co-private-use", "Cn-unassigned"])
def test_every_invisible_category_is_refused_in_an_address(ch):
    assert email_problem(f"ann{ch}@example.com") == "it contains an invisible or control character"


def test_the_look_alike_refusals_read_in_full():
    assert email_problem("\u212aate@example.com") == ("it contains characters that Unicode normalisation changes "
                                                      "(look-alikes such as the Kelvin sign)")
    assert email_problem("аnn@example.com") == ("it contains non-ASCII letters that can look like other people's "
                                                "(write an internationalised domain in its xn-- form)")


def test_the_embedded_users_name(monkeypatch):
    import getpass

    assert local_identity("c" * 150).name == "c" * 100
    monkeypatch.setenv("LIFECYCLE_USER", "  dana ")
    assert local_identity().subject == "dana"
    monkeypatch.delenv("LIFECYCLE_USER")
    monkeypatch.setattr(getpass, "getuser", lambda: "erin")
    assert local_identity().subject == "erin"

    def no_login():
        raise OSError("no login name in this container")

    monkeypatch.setattr(getpass, "getuser", no_login)
    assert local_identity().subject == "anonymous"
