"""Every Store operation, as every kind of person, against the hand-written rule table: the check lives
below the UI, so calling the Store directly is what a bypass would do. A refusal changes nothing, and
someone who may not see a project learns nothing of it (not even its name)."""

from __future__ import annotations

import pytest

from lifecycle.errors import AccessDenied, InvalidInput
from lifecycle.records.access import AccessSettings, Operation, Role, signed_in_identity
from lifecycle.records.members import no_access
from lifecycle.records.store import Store
from lifecycle.records.transfer import export_json, import_json
from lifecycle.reports.build import report_from_store
from tests.unit.test_access_rules import _expected

ISSUER = "https://idp.test"
ADMINS = frozenset({"erin@example.test"})
SETTINGS = AccessSettings(admins=ADMINS, trusted_email_issuers=frozenset({ISSUER}))  # invitations by e-mail
PEOPLE = {who: signed_in_identity({"iss": ISSUER, "sub": f"sub-{who}", "email": f"{who}@example.test",
                                   "email_verified": True, "name": who.title()}, SETTINGS)
          for who in ("alice", "bob", "carol", "dave", "erin")}
SECRET_NAME = "Project Nightingale"

# Who each person is on the project under test: alice created it, bob edits, carol views, dave is a
# stranger, erin a team admin. (role, team_visible) is the column of the rule table that applies.
ROLES = {"alice": Role.owner, "bob": Role.editor, "carol": Role.viewer, "dave": None, "erin": None}

# Each Store operation (and the report and export built on it), with the Operation it is checked as.
CALLS = {
    "get_project": (Operation.view, lambda s, p: s.get_project(p.id)),
    "get_project_by_name": (Operation.view, lambda s, p: s.get_project(p.name)),
    "history": (Operation.view, lambda s, p: s.history(p.id)),
    "get_revision": (Operation.view, lambda s, p: s.get_revision(_first_revision(p))),
    "my_role": (Operation.view, lambda s, p: s.my_role(p.id)),
    "report": (Operation.view, lambda s, p: report_from_store(s, p.id)),
    "export_one": (Operation.view, lambda s, p: export_json(s, [str(p.id)])),
    "duplicate": (Operation.view, lambda s, p: s.duplicate_project(p, f"{p.name} copy")),
    "save": (Operation.save, lambda s, p: s.save_project(_edited(p), section="scope")),
    "rename": (Operation.save, lambda s, p: s.rename_project(p, f"{p.name} renamed")),
    "archive": (Operation.archive, lambda s, p: s.set_archived(p, True)),
    "archive_by_saving": (Operation.archive, lambda s, p: s.save_project(p.model_copy(update={"archived": True}))),
    "restore_revision": (Operation.restore_revision, lambda s, p: s.restore_revision(p, _first_revision(p))),
    "delete": (Operation.delete, lambda s, p: s.delete_project(p.id, version=p.version)),
    "members": (Operation.list_members, lambda s, p: s.members(p.id)),
    "access_history": (Operation.list_members, lambda s, p: s.access_history(p.id)),
    "add_member": (Operation.manage_members, lambda s, p: s.add_member(p.id, "frank@example.test", "viewer", access_version=_av(p))),
    "set_member_role": (Operation.manage_members, lambda s, p: s.set_member_role(p.id, "carol@example.test", "editor",
                                                                             access_version=_av(p))),
    "remove_member": (Operation.manage_members, lambda s, p: s.remove_member(p.id, "bob@example.test", access_version=_av(p))),
    "transfer": (Operation.transfer, lambda s, p: s.transfer_ownership(p.id, "bob@example.test", access_version=_av(p))),
    "set_visibility": (Operation.set_visibility, lambda s, p: s.set_team_visible(p.id, not _visible(p), access_version=_av(p))),
}
_STATE: dict = {}


def _first_revision(project) -> int:
    return _STATE["first_revision"][project.id]


def _av(project) -> int:
    """The access version the owner last saw (read as the admin: what a page drawn for the actor would hold)."""
    return _STATE["base"].acting_as(PEOPLE["erin"]).sharing(project.id).version


def _visible(project) -> bool:
    return _STATE["visible"][project.id]


def _edited(project):
    edited = project.model_copy(deep=True)
    edited.scope.use_case = "changed by a test"
    return edited


@pytest.fixture(scope="module")
def base(tmp_path_factory) -> Store:
    store = Store(f"sqlite:///{tmp_path_factory.mktemp('access') / 'access.db'}", actor=PEOPLE["alice"])
    _STATE.update(first_revision={}, visible={}, base=store)
    yield store
    store.engine.dispose()


def _project(base: Store, team_visible: bool, tag: str):
    alice = base.acting_as(PEOPLE["alice"])
    project = alice.create_project(f"{SECRET_NAME} {tag}", description="launch codes")
    project = alice.save_project(_edited(project), section="scope")
    alice.add_member(project.id, "bob@example.test", "editor", access_version=0)
    alice.add_member(project.id, "carol@example.test", "viewer", access_version=1)
    if team_visible:
        alice.set_team_visible(project.id, True, access_version=2)
    _STATE["first_revision"][project.id] = alice.history(project.id)[-1].id
    _STATE["visible"][project.id] = team_visible
    return alice.get_project(project.id)


def _snapshot(base: Store, project_id: int):
    admin = base.acting_as(PEOPLE["erin"])
    project = admin.get_project(project_id)
    visible = {s.id: s.team_visible for s in admin.list_projects(archived=None)}[project_id]
    return (project.model_dump(), [m.model_dump() for m in admin.members(project_id)],
            len(admin.history(project_id)), visible, len(admin.access_history(project_id)))


CASES = [(call, who, team) for call in CALLS for who in PEOPLE for team in (False, True)]


@pytest.mark.parametrize(("call", "who", "team_visible"), CASES, ids=[f"{c}-{w}-{'team' if t else 'private'}"
                                                                      for c, w, t in CASES])
def test_every_store_operation_as_every_role(base, call, who, team_visible):
    operation, action = CALLS[call]
    project = _project(base, team_visible, f"{call} {who} {team_visible}")
    role = ROLES[who]
    expected = PEOPLE[who].admin or _expected()[operation, role, team_visible and role is None]
    store = base.acting_as(PEOPLE[who])
    before = _snapshot(base, project.id)
    if expected:
        action(store, project)
        return
    with pytest.raises(AccessDenied) as refused:
        action(store, project)
    assert _snapshot(base, project.id) == before  # a refusal changes nothing
    message = str(refused.value)
    if role is None and not team_visible:  # a stranger learns nothing, not even the name
        if call == "get_project_by_name":  # echoes the name they typed, exactly as for a name nobody has
            assert message == str(no_access(project.name))
        else:
            assert SECRET_NAME not in message and "launch" not in message
        listed = store.list_projects(archived=None)
        assert project.id not in [s.id for s in listed] and store.count_projects(archived=None) == len(listed)
    else:
        assert "needs the" in message


def test_creating_and_importing_make_you_the_owner_and_nobody_else_sees_it(base):
    dave = base.acting_as(PEOPLE["dave"])
    mine = dave.create_project("Dave's own", description="", owner="someone else")
    assert mine.owner == "Dave <dave@example.test>"  # a signed-in creator owns it; no typed owner
    assert dave.my_role(mine.id) is Role.owner
    assert [r.author for r in dave.history(mine.id)] == ["Dave <dave@example.test>"]
    assert dave.history(mine.id)[0].author_key == f"{ISSUER} sub-dave"
    exported = export_json(dave, [str(mine.id)])
    bob = base.acting_as(PEOPLE["bob"])
    with pytest.raises(AccessDenied):
        bob.get_project(mine.id)
    copy = import_json(bob, exported.replace("Dave's own", "Bob's import"))[0]
    assert bob.my_role(copy.id) is Role.owner and copy.owner == "Bob <bob@example.test>"
    assert "Bob's import" not in [s.name for s in dave.list_projects(archived=None)]


def test_a_missing_project_and_a_hidden_one_give_the_same_answer(base):
    hidden = base.acting_as(PEOPLE["alice"]).create_project("Hidden from dave")
    dave = base.acting_as(PEOPLE["dave"])
    with pytest.raises(AccessDenied) as one:
        dave.get_project(hidden.id)
    with pytest.raises(AccessDenied) as other:
        dave.get_project(999_999)
    assert str(one.value).replace(str(hidden.id), "N") == str(other.value).replace("999999", "N")


def test_ownership_has_one_holder_and_moves_only_by_transfer(base):
    alice = base.acting_as(PEOPLE["alice"])
    project = alice.create_project("Handed over")
    alice.add_member(project.id, "bob@example.test", "editor", access_version=0)
    with pytest.raises(InvalidInput, match="one owner"):
        alice.add_member(project.id, "carol@example.test", "owner", access_version=1)
    with pytest.raises(InvalidInput, match="transfer"):
        alice.set_member_role(project.id, "alice@example.test", "viewer", access_version=1)
    with pytest.raises(InvalidInput, match="transfer"):
        alice.remove_member(project.id, "alice@example.test", access_version=1)
    saved = alice.transfer_ownership(project.id, "bob@example.test", access_version=1)
    assert saved.owner == "bob@example.test"
    roles = {m.principal: m.role for m in alice.members(project.id)}
    assert roles == {"bob@example.test": Role.owner, "alice@example.test": Role.editor}
    assert alice.history(project.id)[0].summary == "Ownership transferred to bob@example.test"
    with pytest.raises(AccessDenied):
        alice.delete_project(project.id, version=saved.version)  # no longer hers to delete
    events = [e.action for e in alice.access_history(project.id)]
    assert events == ["transferred ownership to bob@example.test", "added bob@example.test as editor",
                      "Project created"]  # creation is in the audit trail too (security review, class 7)


def test_a_viewer_cannot_save_through_any_door(base):
    alice = base.acting_as(PEOPLE["alice"])
    project = alice.create_project("Viewer doors")
    alice.add_member(project.id, "carol@example.test", "viewer", access_version=0)
    carol = base.acting_as(PEOPLE["carol"])
    seen = carol.get_project(project.id)
    doors = [lambda: carol.save_project(_edited(seen)), lambda: carol.rename_project(seen, "Carol's now"),
             lambda: carol.set_archived(seen, True), lambda: carol.restore_revision(seen, carol.history(seen.id)[0].id),
             lambda: carol.save_project(seen.model_copy(update={"owner": "carol@example.test"}))]
    for door in doors:
        with pytest.raises(AccessDenied, match="viewer"):
            door()
    assert alice.get_project(project.id).version == project.version


def test_visibility_changes_do_not_bump_the_version_so_colleagues_do_not_conflict(base):
    alice = base.acting_as(PEOPLE["alice"])
    project = alice.create_project("Visibility and versions")
    alice.set_team_visible(project.id, True, access_version=0)
    assert alice.get_project(project.id).version == project.version
    assert alice.save_project(_edited(project)).version == project.version + 1
