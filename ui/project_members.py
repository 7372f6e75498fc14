"""Members and sharing of the open project (Projects page): who has which role, the owner's controls
(add by e-mail, change role, remove, transfer ownership, team visibility) and the access history. The
Store checks every action; the controls are greyed out for anyone but the owner only as a courtesy."""

from __future__ import annotations

import streamlit as st

from lifecycle.errors import LifecycleError
from lifecycle.records.access import Role
from lifecycle.records.project import Project
from ui import auth, common

ROLES = [Role.viewer.name, Role.editor.name]  # the owner is made by transfer, never by a role picker


def members(project: Project) -> None:
    store = common.get_store()
    try:
        people = store.members(project.id)
        events = store.access_history(project.id)
        visible = store.team_visible(project.id)
    except LifecycleError as exc:
        common.show_error(exc)
        return
    locked = common.owner_only(project)
    with st.expander(f"Members and sharing ({len(people)})", icon=":material/group:"):
        if not auth.sign_in_configured():
            st.caption("Single-person mode: roles are recorded but not enforced until sign-in is configured.")
        st.dataframe([{"member": m.principal, "role": m.role.name, "added by": m.added_by or "—",
                       "added": m.added_at.strftime("%Y-%m-%d %H:%M")} for m in people],
                     hide_index=True, width="stretch", key="members_table")
        shared = st.toggle("Visible to the whole team (as viewers)", value=visible, disabled=locked,
                           key=f"members_team_visible_{project.id}",
                           help="Off: only members see this project, and others get “no access”.")
        if shared != visible:
            _run(lambda: store.set_team_visible(project.id, shared))
        if locked:
            st.caption("Only the owner changes members and sharing.")
            return
        _owner_controls(store, project, [m.principal for m in people if m.role is not Role.owner])
        if events:
            st.markdown("**Access history**")
            st.dataframe([{"when": e.at.strftime("%Y-%m-%d %H:%M"), "who": e.actor, "what": e.action}
                          for e in events], hide_index=True, width="stretch", key="members_events")


def _owner_controls(store, project: Project, others: list[str]) -> None:
    with st.form("members_add", clear_on_submit=True, border=False):
        a, b, c = st.columns([3, 1, 1], vertical_alignment="bottom")
        email = a.text_input("Add a member by e-mail", max_chars=254, placeholder="name@example.com")
        role = b.selectbox("Role", ROLES, index=0)
        if c.form_submit_button("Add member"):
            _run(lambda: store.add_member(project.id, email, role))
    if not others:
        return
    a, b, c, d = st.columns([3, 1, 1, 1], vertical_alignment="bottom")
    who = a.selectbox("Member", others, key="members_pick")
    new_role = b.selectbox("New role", ROLES, key="members_role")
    if c.button("Change role", key="members_change"):
        _run(lambda: store.set_member_role(project.id, who, new_role))
    if d.button("Remove", key="members_remove"):
        _run(lambda: store.remove_member(project.id, who))
    sure = st.checkbox(f"Transfer ownership to {who} (you stay on as editor)", key="members_transfer_sure")
    if st.button("Transfer ownership", disabled=not sure, key="members_transfer"):
        _run(lambda: store.transfer_ownership(project.id, who))


def _run(action) -> None:
    try:
        action()
    except LifecycleError as exc:
        common.show_error(exc)
        return
    st.rerun()
