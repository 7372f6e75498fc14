"""Members and sharing of the open project (Projects page): who has which role, the owner's controls
(add by e-mail, change role, remove, transfer ownership, team visibility) and the access history. The
Store checks every action; the controls are greyed out for anyone but the owner only as a courtesy.

Every action runs in a widget callback whose arguments were fixed when the page was drawn: the member's id
(never a position in a list) and the access version the person was looking at. An action from a stale tab
is refused by the Store as a conflict instead of hitting whoever is now at that place."""

from __future__ import annotations

import streamlit as st

from lifecycle.errors import LifecycleError
from lifecycle.records.access import Role
from lifecycle.records.project import Project
from ui import auth, common

ROLES = [Role.viewer.name, Role.editor.name]  # the owner is made by transfer, never by a role picker
MESSAGE_KEY = "_members_message"


def members(project: Project) -> None:
    store = common.get_store()
    try:
        sharing = store.sharing(project.id)
        events = store.access_history(project.id)
    except LifecycleError as exc:
        common.show_error(exc)
        return
    people, version = sharing.members, sharing.version
    locked = common.owner_only(project)
    with st.expander(f"Members and sharing ({len(people)})", icon=":material/group:"):
        message = st.session_state.pop(MESSAGE_KEY, None)
        if message:
            st.error(common.escape_md(message))
        if not auth.sign_in_configured():
            st.caption("Single-person mode: roles are recorded but not enforced until sign-in is configured.")
        st.dataframe([{"member": m.principal, "role": m.role.name, "added by": m.added_by or "—",
                       "added": m.added_at.strftime("%Y-%m-%d %H:%M")} for m in people],
                     hide_index=True, width="stretch", key="members_table")
        toggle_key = f"members_team_visible_{project.id}_{version}"
        st.toggle("Visible to the whole team (as viewers)", value=sharing.team_visible, disabled=locked,
                  key=toggle_key, on_change=_visibility, args=(store, project.id, version, toggle_key),
                  help="Off: only members see this project, and others get “no access”.")
        if locked:
            st.caption("Only the owner changes members and sharing.")
            return
        _owner_controls(store, project, version, {m.id: m.principal for m in people if m.role is not Role.owner})
        if events:
            st.markdown("**Access history**")
            st.dataframe([{"when": e.at.strftime("%Y-%m-%d %H:%M"), "who": e.actor, "identity": e.actor_key,
                           "what": e.action} for e in events], hide_index=True, width="stretch",
                         key="members_events")


def _owner_controls(store, project: Project, version: int, others: dict[int, str]) -> None:
    with st.form("members_add", clear_on_submit=True, border=False):
        a, b, c = st.columns([3, 1, 1], vertical_alignment="bottom")
        a.text_input("Add a member by e-mail", max_chars=254, placeholder="name@example.com", key="members_add_email")
        b.selectbox("Role", ROLES, index=0, key="members_add_role")
        c.form_submit_button("Add member", on_click=_add, args=(store, project.id, version))
    if not others:
        return
    a, b, c, d = st.columns([3, 1, 1, 1], vertical_alignment="bottom")
    # The picker holds member ids; its key carries the access version, so a changed list is a new picker.
    who = a.selectbox("Member", list(others), format_func=lambda i: others.get(i, "?"),
                      key=f"members_pick_{project.id}_{version}")
    new_role = b.selectbox("New role", ROLES, key="members_role")
    c.button("Change role", key="members_change", on_click=_act,
             args=(lambda: store.set_member_role(project.id, who, new_role, access_version=version),))
    d.button("Remove", key="members_remove", on_click=_act,
             args=(lambda: store.remove_member(project.id, who, access_version=version),))
    sure = st.checkbox(f"Transfer ownership to {common.plain_label(others[who])} (you stay on as editor)",
                       key=f"members_transfer_sure_{project.id}_{version}")
    st.button("Transfer ownership", disabled=not sure, key="members_transfer", on_click=_act,
              args=(lambda: store.transfer_ownership(project.id, who, access_version=version),))


def _visibility(store, project_id: int, version: int, key: str) -> None:
    _act(lambda: store.set_team_visible(project_id, bool(st.session_state[key]), access_version=version))


def _add(store, project_id: int, version: int) -> None:
    email, role = st.session_state.get("members_add_email", ""), st.session_state.get("members_add_role")
    _act(lambda: store.add_member(project_id, email, role or ROLES[0], access_version=version))


def _act(action) -> None:
    """Run one member action (in a callback: Streamlit reruns the page afterwards); a refusal is shown once."""
    try:
        action()
    except LifecycleError as exc:
        st.session_state[MESSAGE_KEY] = str(exc)
