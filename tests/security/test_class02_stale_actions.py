"""Class 2: stale actions must not hit the wrong target. Every member, visibility, transfer and delete action
carries the version it was made against and is refused as a conflict when something changed since; pickers
hold member ids, never list positions. Two AppTest sessions stand in for two browser tabs (the browser
version, with two contexts against a real provider, is ``tests/e2e/test_security_races.py``)."""

from __future__ import annotations

from pathlib import Path

import pytest

from lifecycle.errors import ConflictError, NotFound
from lifecycle.records.access import Role, local_identity
from tests.support.apptest import ok

ROOT = Path(__file__).resolve().parents[2]


def _shared(store):
    project = store.create_project("Shared with two")
    v = store.sharing(project.id).version
    store.add_member(project.id, "bob@example.test", "editor", access_version=v)
    store.add_member(project.id, "carol@example.test", "viewer", access_version=v + 1)
    return project, store.sharing(project.id)


def test_a_stale_remove_change_or_transfer_is_refused_not_aimed_at_someone_else(base):
    project, tab1 = _shared(base)
    tab2 = base.sharing(project.id)
    bob = next(m for m in tab2.members if m.principal == "bob@example.test")
    carol = next(m for m in tab1.members if m.principal == "carol@example.test")
    base.remove_member(project.id, bob.id, access_version=tab2.version)  # the other tab
    for stale in (lambda: base.remove_member(project.id, carol.id, access_version=tab1.version),
                  lambda: base.set_member_role(project.id, carol.id, "editor", access_version=tab1.version),
                  lambda: base.transfer_ownership(project.id, carol.id, access_version=tab1.version),
                  lambda: base.add_member(project.id, "dan@example.test", "viewer", access_version=tab1.version)):
        with pytest.raises(ConflictError, match="changed since you opened"):
            stale()
    now = base.sharing(project.id)
    assert {m.principal: m.role for m in now.members} == {"carol@example.test": Role.viewer,
                                                          base.actor.subject.lower(): Role.owner}
    with pytest.raises(NotFound):  # a picked id that left is not someone else
        base.set_member_role(project.id, bob.id, "viewer", access_version=now.version)


def test_a_stale_visibility_toggle_does_not_undo_the_owners_change(base):
    project, tab1 = _shared(base)
    tab2 = base.sharing(project.id)
    base.set_team_visible(project.id, True, access_version=tab2.version)
    with pytest.raises(ConflictError):
        base.set_team_visible(project.id, False, access_version=tab1.version)
    assert base.sharing(project.id).team_visible is True


def test_a_stale_delete_is_refused(base):
    project = base.create_project("Changed meanwhile")
    edited = project.model_copy(deep=True)
    edited.scope.use_case = "new content someone saved in another tab"
    base.save_project(edited, section="scope")
    with pytest.raises(ConflictError):
        base.delete_project(project.id, version=project.version)
    assert base.get_project(project.id).scope.use_case.startswith("new content")


def test_two_tabs_on_the_projects_page_the_stale_toggle_is_refused(app_env):
    from streamlit.testing.v1 import AppTest

    project, _ = _shared(app_env.acting_as(local_identity("tester")))

    def tab():
        at = AppTest.from_file(str(ROOT / "pages/projects.py"), default_timeout=30)
        at.query_params["project"] = str(project.id)
        return ok(at.run())

    first, second = tab(), tab()
    toggle = lambda at: next(t for t in at.toggle if t.label.startswith("Visible to the whole team"))
    ok(toggle(second).set_value(True).run())
    assert app_env.sharing(project.id).team_visible is True
    ok(toggle(first).set_value(True).run())  # the stale tab's click (made against the old version): refused
    assert any("changed since you opened" in e.value for e in first.error)
    assert app_env.sharing(project.id).team_visible is True
    ok(first.run())  # and a rerun of that tab never writes its old value back
    assert app_env.sharing(project.id).team_visible is True


def test_two_tabs_the_stale_remove_hits_nobody(app_env):
    from streamlit.testing.v1 import AppTest

    project, _ = _shared(app_env.acting_as(local_identity("tester")))

    def tab():
        at = AppTest.from_file(str(ROOT / "pages/projects.py"), default_timeout=30)
        at.query_params["project"] = str(project.id)
        return ok(at.run())

    first, second = tab(), tab()
    picker = lambda at: next(s for s in at.selectbox if s.label == "Member")
    button = lambda at, label: next(b for b in at.button if b.label == label)
    ok(picker(first).set_value(picker(first).options and _id(app_env, project.id, "carol@example.test")).run())
    ok(button(second, "Remove").click().run())  # the second tab removes whoever its picker shows first (bob)
    ok(button(first, "Remove").click().run())  # the first tab's stale click: carol stays
    assert "carol@example.test" in {m.principal for m in app_env.members(project.id)}


def _id(store, project_id: int, principal: str) -> int:
    return next(m.id for m in store.members(project_id) if m.principal == principal)
