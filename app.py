"""GenAI Lifecycle Planner — entry point: navigation and the shared sidebar.

Run with ``streamlit run app.py``. Pages live in ``pages/`` and are registered here explicitly.
"""

import streamlit as st

from lifecycle.errors import LifecycleError
from lifecycle.records.project import STAGE_TITLES, STAGES
from ui import common

st.set_page_config(page_title="GenAI Lifecycle Planner", page_icon=":material/route:", layout="wide")

PAGES = [
    st.Page("pages/projects.py", title="Projects", icon=":material/folder_open:", url_path="projects", default=True),
    st.Page("pages/scope.py", title="Scope", icon=":material/target:", url_path="scope"),
    st.Page("pages/select.py", title="Select", icon=":material/checklist:", url_path="select"),
    st.Page("pages/adapt.py", title="Adapt & Align", icon=":material/tune:", url_path="adapt"),
    st.Page("pages/integrate.py", title="Integrate", icon=":material/rocket_launch:", url_path="integrate"),
    st.Page("pages/report.py", title="Report", icon=":material/description:", url_path="report"),
]
page = st.navigation(PAGES)
SIDEBAR_PROJECTS = 500  # most recently updated; the Projects page searches them all


def sidebar() -> None:
    with st.sidebar:
        st.markdown("### GenAI Lifecycle Planner")
        try:
            store = common.get_store()
            summaries = store.list_projects(sort="updated", limit=SIDEBAR_PROJECTS)
        except LifecycleError as exc:
            st.error(str(exc))
            return
        current = common.current_project_id()
        ids = [s.id for s in summaries]
        if current is not None and current not in ids:
            ids.insert(0, current)
        names = {s.id: s.name for s in summaries}
        choice = st.selectbox(
            "Current project", ids, index=ids.index(current) if current in ids else None,
            format_func=lambda i: names.get(i, f"Project {i}"), placeholder="No project open",
            key=f"sidebar_project_{current}",
        )
        if choice != current and choice is not None:
            common.set_current_project(choice)
            st.rerun()
        if current is not None and current in names:
            done = next(s.stages_done for s in summaries if s.id == current)
            st.markdown("**Stage progress**")
            st.markdown("  \n".join(
                f":green[:material/check_circle:] {STAGE_TITLES[k]}" if k in done
                else f":gray[:material/radio_button_unchecked:] {STAGE_TITLES[k]}" for k in STAGES))
        st.text_input("Your name (for the history)", key="user_name", placeholder=common.current_user())
        st.caption(f"Database: `{store.describe()}`")


sidebar()
page.run()
