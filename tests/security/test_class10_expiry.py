"""Class 10: a login's age is the access rule's business (``lifecycle.records.access``), tested at its boundary
(12 h by default: 11 h 59 min still valid, 12 h 1 min expired), and an expired admin cannot write either."""

from __future__ import annotations

import pytest

from lifecycle.errors import AccessDenied
from lifecycle.records.access import (
    AccessSettings,
    Operation,
    Role,
    allowed,
    login_expired,
    signed_in_identity,
)

NOW_S = 2_000_000_000.0
MINUTE_S = 60.0


def _claims(age_s: float, who: str = "alice") -> dict:
    return {"iss": "https://idp.test", "sub": f"sub-{who}", "email": f"{who}@example.test", "email_verified": True,
            "name": who, "iat": NOW_S - age_s}


@pytest.mark.parametrize(("age_s", "expired"), [(11 * 3600 + 59 * MINUTE_S, False), (12 * 3600, False),
                                                (12 * 3600 + MINUTE_S, True), (-MINUTE_S, False)])
def test_the_boundary_of_a_twelve_hour_login(age_s, expired):
    assert login_expired(_claims(age_s), NOW_S, 12.0) is expired
    assert signed_in_identity(_claims(age_s), now_s=NOW_S).expired is expired


def test_the_configured_age_is_the_limit():
    settings = AccessSettings(max_login_age_hours=1.0)
    assert not signed_in_identity(_claims(59 * MINUTE_S), settings, now_s=NOW_S).expired
    assert signed_in_identity(_claims(61 * MINUTE_S), settings, now_s=NOW_S).expired


def test_the_rule_refuses_every_write_to_an_expired_login_admins_included():
    for operation in Operation:
        reads = operation in (Operation.view, Operation.list_members)
        assert allowed(operation, Role.owner, admin=True, expired=True) is reads
        assert allowed(operation, Role.owner, expired=True) is reads


def test_an_expired_admin_cannot_save_create_or_delete(base):
    settings = AccessSettings(admins=frozenset({"erin@example.test"}),
                              trusted_email_issuers=frozenset({"https://idp.test"}))
    fresh = base.acting_as(signed_in_identity(_claims(11 * 3600 + 59 * MINUTE_S, "erin"), settings, now_s=NOW_S))
    stale = base.acting_as(signed_in_identity(_claims(12 * 3600 + MINUTE_S, "erin"), settings, now_s=NOW_S))
    assert fresh.actor.admin and stale.actor.admin and stale.actor.expired
    project = fresh.create_project("Admin's project")
    edited = project.model_copy(update={"description": "changed after the login expired"})
    access_version = fresh.sharing(project.id).version
    # every call is well formed (the fresh login's same calls succeed below): the refusal is the expiry's
    for write in (lambda s: s.save_project(edited), lambda s: s.create_project("Another"),
                  lambda s: s.rename_project(project, "Renamed"), lambda s: s.set_archived(project, True),
                  lambda s: s.set_team_visible(project.id, True, access_version=access_version),
                  lambda s: s.delete_project(project.id, version=project.version)):
        with pytest.raises(AccessDenied):
            write(stale)
    assert stale.get_project(project.id).model_dump() == project.model_dump()  # nothing changed; reading stays
    saved = fresh.save_project(edited)  # the same save by the admin's fresh login goes through
    assert saved.description == "changed after the login expired"
    fresh.set_team_visible(project.id, True, access_version=access_version)
    fresh.delete_project(project.id, version=saved.version)
