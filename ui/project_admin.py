"""Project management widgets for the Projects page: create, open, rename, duplicate,
archive/restore, delete, history with restore, and JSON import/export."""

from __future__ import annotations

import streamlit as st

from lifecycle.errors import LifecycleError
from lifecycle.records.project import Project
from lifecycle.records.transfer import export_json, import_json
from ui import common

CREATED_KEY = "_project_created"


def create(name: str, description: str, owner: str) -> None:
    try:
        project = common.get_store().create_project(
            name, description=description, owner=owner.strip() or common.author(), author=common.author()
        )
    except LifecycleError as exc:
        common.show_error(exc)
        return
    # The new project is the open one at once: the selector, the sidebar and every link name it.
    common.set_current_project(project.id)
    st.session_state[CREATED_KEY] = project.name
    st.rerun()


def created_notice() -> None:
    name = st.session_state.pop(CREATED_KEY, None)
    if name is not None:
        st.success(f"Created “{common.escape_md(name)}”: it is the open project. Next: **Use case** under Scope.")


def actions(project: Project) -> None:
    store = common.get_store()
    show_pending_error()
    st.markdown(f"**{common.escape_md(project.name)}** — version {project.version}, "
                f"last saved {project.updated_at:%Y-%m-%d %H:%M} UTC by {common.escape_md(project.updated_by or '—')}")
    if project.description:
        st.text(project.description)
    cols = st.columns(4)
    if cols[0].button("Open Scope", type="primary", key="project_open"):
        common.set_current_project(project.id)
        st.switch_page(common.page_for("pages/use_case.py"), query_params={"project": str(project.id)})
    label = "Restore" if project.archived else "Archive"
    if cols[1].button(label, key="project_archive", disabled=common.owner_only(project)):
        _run(lambda: store.set_archived(project, not project.archived, author=common.author()))
    cols[2].download_button("Export JSON", export_json(store, [str(project.id)]), file_name=_file_name(project),
                            mime="application/json", key="project_export", on_click="ignore")

    with st.popover("Rename / duplicate / delete", icon=":material/edit:"):
        new_name = st.text_input("New name", value=project.name, max_chars=200, key="project_new_name")
        a, b = st.columns(2)
        if a.button("Rename", key="project_rename", disabled=common.read_only(project)):
            _run(lambda: store.rename_project(project, new_name, author=common.author()))
        if b.button("Duplicate", key="project_duplicate"):
            _run(lambda: store.duplicate_project(project, new_name, author=common.author()), select_result=True)
        sure = st.checkbox(f"Yes, delete “{common.escape_md(project.name)}” and its history", key="project_delete_sure")
        # The version seen when the page was drawn goes with the click: a project changed since is not deleted.
        st.button("Delete project", type="primary", disabled=not sure or common.owner_only(project),
                  key="project_delete", on_click=_delete, args=(store, project.id, project.version))


ERROR_KEY = "_project_admin_error"


def history(project: Project) -> None:
    store = common.get_store()
    revisions = store.history(project.id)
    with st.expander(f"History ({len(revisions)} revisions)", icon=":material/history:"):
        st.dataframe(
            [{"version": r.version, "when": r.created_at.strftime("%Y-%m-%d %H:%M:%S"), "who": r.author or "—",
              "section": r.section, "what": r.summary} for r in revisions],
            hide_index=True, width="stretch",
        )
        older = [r for r in revisions if r.version != project.version]
        if not older:
            st.caption("Only one revision so far.")
            return
        by_label = {f"v{r.version} — {r.summary} ({r.author}, {r.created_at:%Y-%m-%d %H:%M})": r.id for r in older}
        label = st.selectbox("Revision", list(by_label), key="history_revision")
        if st.button("Restore this revision", key="history_restore", disabled=common.owner_only(project)):
            _run(lambda: store.restore_revision(project, by_label[label], author=common.author()))


def import_export() -> None:
    store = common.get_store()
    left, right = st.columns(2)
    with left:
        st.markdown("**Export all projects**")
        st.download_button("Download all as JSON", lambda: export_json(store), file_name="lifecycle-projects.json",
                           mime="application/json", key="export_all", on_click="ignore")
    with right:
        st.markdown("**Import projects**")
        upload = st.file_uploader("JSON export", type=["json"], key="import_file", label_visibility="collapsed")
        if upload is not None and st.button("Import", key="import_button"):
            try:
                projects = import_json(store, upload.getvalue(), author=common.author())
            except LifecycleError as exc:
                common.show_error(exc)
                return
            st.success("Imported " + ", ".join(f"“{common.escape_md(p.name)}”" for p in projects) + ".")


def _delete(store, project_id: int, version: int) -> None:
    try:
        store.delete_project(project_id, version=version)
    except LifecycleError as exc:
        st.session_state[ERROR_KEY] = str(exc)
        return
    if common.current_project_id() == project_id:
        common.set_current_project(None)


def show_pending_error() -> None:
    """A refusal from a callback (the delete), shown once on the run after it."""
    message = st.session_state.pop(ERROR_KEY, None)
    if message:
        st.error(common.escape_md(message))


def _run(action, *, select_result: bool = False, deleted: int | None = None) -> None:
    try:
        result = action()
    except LifecycleError as exc:
        common.show_error(exc)
        return
    if deleted is not None:
        if common.current_project_id() == deleted:
            common.set_current_project(None)
    elif select_result and result is not None:
        common.set_current_project(result.id)
    st.rerun()


def _file_name(project: Project) -> str:
    safe = "".join(ch if ch.isalnum() or ch in "-_" else "-" for ch in project.name.lower())[:60].strip("-")
    return f"{safe or 'project'}.json"
