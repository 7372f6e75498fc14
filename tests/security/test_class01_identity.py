"""Class 1: people are bound by issuer + subject. An e-mail invitation is claimed only by an e-mail the
provider marks ``email_verified: true`` (exactly the boolean), from an issuer trusted for e-mail; once claimed it
belongs to that issuer + subject for good. Admins are named by issuer + subject or verified e-mail. Look-alike
addresses are refused, never normalised into someone else's."""

from __future__ import annotations

import pytest

from lifecycle.errors import AccessDenied, InvalidInput
from lifecycle.records.access import (
    AccessSettings,
    access_settings,
    signed_in_identity,
    validate_member_email,
)

TRUSTED = "https://idp.test"
UNTRUSTED = "https://self-service-idp.test"
SETTINGS = AccessSettings(admins=frozenset({"erin@example.test", f"{TRUSTED} sub-root"}),
                          trusted_email_issuers=frozenset({TRUSTED}))


def _claims(sub: str, email: str, verified: object = True, issuer: str = TRUSTED) -> dict:
    claims = {"iss": issuer, "sub": sub, "email": email, "name": sub}
    if verified is not None:
        claims["email_verified"] = verified
    return claims


def _as(base, claims):
    return base.acting_as(signed_in_identity(claims, SETTINGS))


@pytest.mark.parametrize("verified", [None, "false", "true", 1, False])
def test_only_an_email_verified_exactly_true_is_used(verified):
    identity = signed_in_identity(_claims("sub-mallory", "alice@example.test", verified), SETTINGS)
    assert identity.principal == "" and identity.email == ""


def test_an_unverified_or_untrusted_address_takes_over_nothing(base):
    alice = _as(base, _claims("sub-alice", "alice@example.test"))
    project = alice.create_project("Alice's private plans")
    alice.add_member(project.id, "bob@example.test", "editor", **_version_kwargs(alice, project.id))
    intruders = [_claims("sub-m1", "alice@example.test", None), _claims("sub-m2", "alice@example.test", "false"),
                 _claims("sub-m3", "bob@example.test", None), _claims("sub-m4", "bob@example.test", True, UNTRUSTED),
                 _claims("sub-m5", "ALICE@example.test", True, UNTRUSTED)]
    for claims in intruders:
        mallory = _as(base, claims)
        with pytest.raises(AccessDenied):
            mallory.get_project(project.id)
        assert mallory.list_projects(archived=None) == []


def test_an_invitation_is_bound_to_whoever_claimed_it_first(base):
    alice = _as(base, _claims("sub-alice", "alice@example.test"))
    project = alice.create_project("Bound invitations")
    alice.add_member(project.id, "bob@example.test", "viewer", **_version_kwargs(alice, project.id))
    bob = _as(base, _claims("sub-bob", "bob@example.test"))
    assert bob.get_project(project.id).name == "Bound invitations"
    assert [m.known_identity for m in alice.members(project.id)] == [True, True]
    # The same verified address later, from another account (a reassigned mailbox): nothing.
    impostor = _as(base, _claims("sub-bob-2", "bob@example.test"))
    with pytest.raises(AccessDenied):
        impostor.get_project(project.id)
    assert bob.get_project(project.id).name == "Bound invitations"  # bob still in, by issuer + subject


def test_admins_by_issuer_and_subject_or_verified_email_only():
    assert signed_in_identity(_claims("sub-root", "", None), SETTINGS).admin
    assert signed_in_identity(_claims("sub-erin", "erin@example.test"), SETTINGS).admin
    for claims in (_claims("sub-x", "erin@example.test", None), _claims("sub-x", "erin@example.test", "true"),
                   _claims("sub-root", "erin@example.test", True, UNTRUSTED),
                   _claims("sub-x", "erin@example.test", True, UNTRUSTED)):
        assert not signed_in_identity(claims, SETTINGS).admin, claims


LOOK_ALIKES = ["\u0430lice@example.test",  # Cyrillic a
               "alice\u200b@example.test",  # zero-width space
               "ali\u200dce@example.test",  # zero-width joiner
               "\u212aate@example.test",  # Kelvin sign, lower-cases to k
               "\uff41lice@example.test",  # full-width a (NFKC: a)
               "alice@ex\u0430mple.test",  # Cyrillic a in the domain
               "alice@example.te\u017ft"]  # long s (NFKC: s)


@pytest.mark.parametrize("address", LOOK_ALIKES)
def test_look_alike_addresses_are_refused_not_normalised(address):
    with pytest.raises(InvalidInput):
        validate_member_email(address)
    identity = signed_in_identity(_claims("sub-m", address), SETTINGS)
    assert identity.principal == "" and not identity.admin
    with pytest.raises(InvalidInput, match=r"^\[lifecycle\] admins"):
        access_settings({"admins": [address]})


def _version_kwargs(store, project_id: int) -> dict:
    """Member actions carry the access version they were made against (class 2), where the Store has one."""
    sharing = getattr(store, "sharing", None)
    return {"access_version": sharing(project_id).version} if sharing else {}
