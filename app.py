"""GenAI Lifecycle Planner — entry point: navigation and the shared sidebar.

Run with ``streamlit run app.py`` (or ``lifecycle app``). Every page is a file in ``pages/``, listed
once in ``ui/navigation.py`` and registered here. The sidebar draws the navigation itself so that
every link carries the open project (``?project=ID``): Streamlit's own menu drops query parameters.
"""

import functools

import streamlit as st

from lifecycle.errors import LifecycleError
from lifecycle.records.project import STAGE_TITLES, STAGES
from ui import auth, common, navigation, warmup

st.set_page_config(page_title="GenAI Lifecycle Planner", page_icon=":material/route:", layout="wide")
warmup.start()  # once per server process, on a background thread
identity = auth.current_identity()  # with [auth] configured: the sign-in screen until someone signs in
SIDEBAR_PROJECTS = 500  # most recently updated; the Projects page searches them all


def _pages() -> tuple[dict, list, dict]:
    by_section: dict[str, list] = {}
    by_file: dict = {}
    for section, specs in navigation.sections().items():
        by_section[section] = [st.Page(s.file, title=s.title, icon=s.icon, url_path=s.url_path) for s in specs]
        by_file.update({s.file: page for s, page in zip(specs, by_section[section])})
    home = navigation.HOME
    # "/" shows the Projects page too; "/projects" is a real page, so the link in the sidebar is shareable.
    hidden = [st.Page(home.file, title=home.title, icon=home.icon, url_path="home", default=True,
                      visibility="hidden")]
    for stage in STAGES:  # the first version's /scope, /select, … links land on the page their view became
        hidden.append(st.Page(functools.partial(common.open_legacy_link, stage), title=STAGE_TITLES[stage],
                              url_path=stage, visibility="hidden"))
    return by_section, hidden, by_file


def sidebar(by_file: dict) -> None:
    with st.sidebar:
        st.markdown("### GenAI Lifecycle Planner")
        try:
            store = common.get_store()
            summaries = store.list_projects(sort="updated", limit=SIDEBAR_PROJECTS)
        except LifecycleError as exc:
            common.show_error(exc)
            return
        current = common.current_project_id()
        ids = [s.id for s in summaries]
        if current is not None and current not in ids:
            ids.insert(0, current)
        names = {s.id: s.name for s in summaries}
        st.selectbox("Current project", ids, index=ids.index(current) if current in ids else None,
                     format_func=lambda i: names.get(i, f"Project {i}"), placeholder="No project open",
                     key=f"sidebar_project_{current}", on_change=_switch_project, args=(f"sidebar_project_{current}",))
        done = next((s.stages_done for s in summaries if s.id == current), None)
        link_params = {"project": str(current)} if current is not None else None
        for section, specs in navigation.sections().items():
            title = section
            if done is not None and section in STAGE_TITLES.values():
                stage = next(k for k, v in STAGE_TITLES.items() if v == section)
                title += " ✓" if stage in done else ""
            if [s.title for s in specs] != [section]:  # a one-page section needs no heading of its own
                st.caption(title)
            for spec in specs:
                st.page_link(by_file[spec.file], label=spec.title, icon=spec.icon, query_params=link_params)
        st.divider()
        auth.sidebar_block(identity)
        common.author_input()
        # Which kind of database only: its host, user and path are for whoever configured it, not every reader.
        st.caption("Database: " + {"postgresql": "shared PostgreSQL"}.get(store.engine.dialect.name, "SQLite file"))


def _switch_project(key: str) -> None:
    common.set_current_project(st.session_state.get(key))


by_section, hidden, by_file = _pages()
page = st.navigation({"": hidden, **by_section}, position="hidden")
common.mark_app_run(by_file)
sidebar(by_file)
page.run()
