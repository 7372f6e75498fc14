"""Class 7: the audit trail is complete (creation, archive and restore, restore of a revision, duplicate, import,
team-table changes, deletion) and append-only (a deleted project leaves its trail; the database refuses to
update or delete an event), and every event names the identity (issuer + subject), not only a display name."""

from __future__ import annotations

import pytest
import sqlalchemy
from sqlalchemy.exc import DatabaseError

from lifecycle.errors import AccessDenied
from lifecycle.records.access import AccessSettings, signed_in_identity
from lifecycle.records.custom_models import add_custom_model, delete_custom_model
from lifecycle.records.transfer import export_json, import_json
from tests.security.test_class03_team_tables import CONFIG

ISSUER = "https://idp.test"
SETTINGS = AccessSettings(admins=frozenset({"erin@example.test"}), trusted_email_issuers=frozenset({ISSUER}))


def _person(base, who: str):
    return base.acting_as(signed_in_identity({"iss": ISSUER, "sub": f"sub-{who}", "email": f"{who}@example.test",
                                              "email_verified": True, "name": who.title()}, SETTINGS))


def test_every_kind_of_change_is_in_the_trail_with_the_identity(base):
    alice, erin = _person(base, "alice"), _person(base, "erin")
    project = alice.create_project("Audited")
    edited = project.model_copy(deep=True)
    edited.scope.use_case = "v2"
    edited = alice.save_project(edited, section="scope")
    archived = alice.set_archived(edited, True)
    restored = alice.set_archived(archived, False)
    first = alice.history(project.id)[-1].id
    alice.restore_revision(restored, first)
    copy = alice.duplicate_project(alice.get_project(project.id), "Audited copy")
    imported = import_json(alice, export_json(alice, [str(project.id)]).replace("Audited", "Audited import"))[0]
    actions = [e.action for e in alice.access_history(project.id)]
    assert actions[::-1] == ["Project created", "Project archived", "Project restored", "Restored revision 1"]
    assert [e.action for e in alice.access_history(copy.id)] == ["Duplicated from Audited"]
    assert [e.action for e in alice.access_history(imported.id)] == ["Imported"]
    assert {e.actor_key for e in alice.access_history(project.id)} == {f"{ISSUER} sub-alice"}
    add_custom_model(alice, CONFIG, model_id="audited-model")
    delete_custom_model(alice, "audited-model")
    team = [(e.action, e.actor_key) for e in erin.team_history()]
    assert team == [("deleted team model audited-model", f"{ISSUER} sub-alice"),
                    ("added team model audited-model", f"{ISSUER} sub-alice")]


def test_a_deleted_project_leaves_its_trail_for_the_admins(base):
    alice, erin, dave = _person(base, "alice"), _person(base, "erin"), _person(base, "dave")
    project = alice.create_project("Short-lived")
    alice.delete_project(project.id, version=project.version)
    trail = erin.audit_trail(project_id=project.id)
    assert [(e.action.split(" (")[0], e.project_name, e.actor_key) for e in trail] == [
        ("Deleted the project", "Short-lived", f"{ISSUER} sub-alice"),
        ("Project created", "Short-lived", f"{ISSUER} sub-alice")]
    with pytest.raises(AccessDenied):
        dave.audit_trail(project_id=project.id)


@pytest.mark.parametrize("statement", ["UPDATE audit_events SET action = 'nothing happened'",
                                       "DELETE FROM audit_events"])
def test_the_database_refuses_to_rewrite_the_trail(any_store, statement):
    _person(any_store, "alice").create_project("Append only")
    with pytest.raises(DatabaseError, match="append-only"), any_store.engine.begin() as conn:
        conn.execute(sqlalchemy.text(statement))
    assert [e.action for e in _person(any_store, "erin").audit_trail()] == ["Project created"]
