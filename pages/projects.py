"""Projects (home): find, create and manage projects; history and import/export."""

import streamlit as st

from lifecycle.records.project import STAGE_TITLES, STAGES
from ui import auth, common, project_admin, project_members

current = common.page_setup(None, "GenAI Lifecycle Planner", project_line=False)
st.caption("Walk a generative-AI project through Scope → Select → Adapt & Align → Integrate and turn each "
           "decision into numbers: architecture, model, GPU memory and count, training time and cost, serving.")
common.lifecycle_strip(None)

store = common.get_store()
LIST_LIMIT = 200  # rows drawn at once; search narrows the rest
with (st.expander("New project", expanded=current is None, icon=":material/add:"),
      st.form("create_project", clear_on_submit=True)):
    name = st.text_input("Name", max_chars=200, placeholder="e.g. Contract clause classifier")
    description = st.text_area("Description", placeholder="What should the model do, for whom?")
    # Signed in, you own what you create (hand it over under Members); alone, any owner name will do.
    owner = "" if auth.sign_in_configured() else st.text_input("Owner", placeholder=common.author())
    if st.form_submit_button("Create project", type="primary"):
        project_admin.create(name, description, owner)
project_admin.created_notice()

left, mid, right = st.columns([3, 1, 1])
search = left.text_input("Search", placeholder="name or description", key="projects_search")
sort = mid.selectbox("Sort by", ["updated", "name", "created"], key="projects_sort")
archived = right.toggle("Archived", key="projects_archived", help="Show archived projects instead")
summaries = store.list_projects(search, archived=archived, sort=sort, limit=LIST_LIMIT)

if not summaries:
    st.info("No archived projects." if archived else "No projects match." if search else
            "No projects yet: create the first one above.")
else:
    st.dataframe(
        [{"name": s.name, "description": s.description[:120], "owner": s.owner or "—",
          **{STAGE_TITLES[k]: k in s.stages_done for k in STAGES},
          "version": s.version, "updated": s.updated_at.strftime("%Y-%m-%d %H:%M"), "by": s.updated_by or "—"}
         for s in summaries],
        hide_index=True, width="stretch",
        column_config={STAGE_TITLES[k]: st.column_config.CheckboxColumn(STAGE_TITLES[k]) for k in STAGES},
    )
    if len(summaries) == LIST_LIMIT:
        total = store.count_projects(search, archived=archived)
        st.caption(f"Showing the first {LIST_LIMIT} of {total} projects; search to narrow the list.")
    ids = [s.id for s in summaries]
    names = {s.id: s.name for s in summaries}
    if current is not None and current.id not in ids:  # the open project is archived or filtered out
        ids.insert(0, current.id)
        names[current.id] = current.name
    # The selector *is* the open project (the URL's ?project=): choosing one opens it everywhere.
    chosen_id = st.selectbox("Open project", ids, index=ids.index(current.id) if current else None,
                             format_func=names.get, placeholder="Choose a project to open",
                             key=f"projects_open_{current.id if current else None}")
    if chosen_id is not None and (current is None or chosen_id != current.id):
        common.set_current_project(chosen_id)
        st.rerun()
    if current is not None:
        project_admin.actions(current)
        project_members.members(current)
        project_admin.history(current)

st.divider()
project_admin.import_export()
