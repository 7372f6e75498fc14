"""Projects (home): find, create and manage projects; history and import/export."""

import streamlit as st

from lifecycle.records.project import STAGE_TITLES, STAGES
from ui import common, project_admin

common.ensure_app_navigation()
st.title("GenAI Lifecycle Planner")
st.caption("Walk a generative-AI project through Scope → Select → Adapt & Align → Integrate and turn each "
           "decision into numbers: architecture, model, GPU memory and count, training time and cost, serving.")
st.markdown(common.lifecycle_strip_html(None), unsafe_allow_html=True)

store = common.get_store()
LIST_LIMIT = 200  # rows drawn at once; search narrows the rest
current = common.load_current_project()

with st.expander("New project", expanded=current is None, icon=":material/add:"):
    with st.form("create_project", clear_on_submit=True):
        name = st.text_input("Name", max_chars=200, placeholder="e.g. Contract clause classifier")
        description = st.text_area("Description", placeholder="What should the model do, for whom?")
        owner = st.text_input("Owner", placeholder=common.author())
        if st.form_submit_button("Create project", type="primary"):
            project_admin.create(name, description, owner)

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
        [{"name": s.name, "description": s.description[:120], "owner": s.owner,
          **{STAGE_TITLES[k]: k in s.stages_done for k in STAGES},
          "version": s.version, "updated": s.updated_at.strftime("%Y-%m-%d %H:%M"), "by": s.updated_by}
         for s in summaries],
        hide_index=True, width="stretch",
        column_config={STAGE_TITLES[k]: st.column_config.CheckboxColumn(STAGE_TITLES[k]) for k in STAGES},
    )
    if len(summaries) == LIST_LIMIT:
        total = store.count_projects(search, archived=archived)
        st.caption(f"Showing the first {LIST_LIMIT} of {total} projects; search to narrow the list.")
    ids = [s.id for s in summaries]
    names = {s.id: s.name for s in summaries}
    default = ids.index(current.id) if current and current.id in ids else 0
    chosen_id = st.selectbox("Project", ids, index=default, format_func=names.get, key="projects_chosen")
    chosen = store.get_project(chosen_id)
    project_admin.actions(chosen)
    project_admin.history(chosen)

st.divider()
project_admin.import_export()
