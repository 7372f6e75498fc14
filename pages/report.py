"""Report page: the project's decision record as Markdown, HTML or PDF — preview, section toggles,
format, progress while it builds, download. Comparing scenarios lives here too."""

import re

import streamlit as st

from lifecycle.errors import LifecycleError
from lifecycle.records.project import STAGE_TITLES
from lifecycle.reports import MEDIA_TYPES, build_report, render
from lifecycle.reports.build import ALL_SECTIONS
from lifecycle.reports.model import SECTION_TITLES
from lifecycle.reports.render_md import render_markdown
from ui import common, compare

K = "report_"
FORMAT_LABELS = {"html": "HTML (interactive, offline)", "pdf": "PDF", "md": "Markdown (charts omitted)"}
TITLES = {**SECTION_TITLES, **STAGE_TITLES}

project = common.page_setup(None, project_line=False)
st.title("Report")
if project is None:
    st.info("Open a project on the **Projects** page (or pick one in the sidebar) to build its report.")
    st.stop()

st.caption(f"**{common.escape_md(project.name)}** · version {project.version}. The report is the decision record "
           "of the whole lifecycle, for people who will never open the app.")
report_tab, compare_tab = st.tabs(["Report", "Compare scenarios"])
WHO = common.get_store().actor.key


# Cached across sessions, so keyed by who asks: each identity passes the Store's access check at least once.
@st.cache_resource(show_spinner=False, max_entries=8)
def _history(project_id: int, version: int, who: str):
    return common.get_store().history(project_id)


@st.cache_resource(show_spinner=False, max_entries=8)
def _revision(revision_id: int, who: str):
    return common.get_store().get_revision(revision_id)


def _report(revision_id, sections: tuple[str, ...], compare_ids: tuple[str, ...], progress=None):
    source = project if revision_id is None else _revision(revision_id, WHO)
    return build_report(source, history=_history(project.id, project.version, WHO), revision_id=revision_id,
                        sections=sections, compare_ids=list(compare_ids) or None, progress=progress)


@st.cache_data(show_spinner=False, max_entries=8)
def _preview(doc: dict, version: int, revision_id, sections: tuple[str, ...], compare_ids: tuple[str, ...]) -> str:
    return render_markdown(_report(revision_id, sections, compare_ids))


with compare_tab:
    compare.render(project)

with report_tab:
    st.markdown("**Sections**")
    cols = st.columns(4)
    wanted = []
    for i, key in enumerate(k for k in ALL_SECTIONS if k != "comparison"):
        if cols[i % 4].toggle(TITLES[key], value=True, key=f"{K}sec_{key}"):
            wanted.append(key)
    compare_ids = tuple(compare.selection(project))  # as picked on the Compare page or tab
    picked = list(compare_ids) != compare.default_selection(project)
    if len(compare_ids) >= 2 and st.toggle(f"Add the comparison of the {len(compare_ids)} scenarios chosen under "
                                           "“Compare scenarios”", value=picked, key=K + "with_compare"):
        wanted.append("comparison")
    else:
        compare_ids = ()
    history = _history(project.id, project.version, WHO)
    older = {r.id: f"version {r.version} — {r.summary} ({r.created_at:%Y-%m-%d %H:%M} UTC, {r.author})"
             for r in history if r.version < project.version}
    revision_id = st.selectbox("Made from", [None, *older], key=K + "revision",
                               format_func=lambda r: f"the latest version ({project.version})" if r is None else older[r])
    fmt = st.radio("Format", list(FORMAT_LABELS), format_func=FORMAT_LABELS.get, horizontal=True, key=K + "format")
    sections = tuple(wanted)
    try:
        preview = _preview(project.content(), project.version, revision_id, sections, compare_ids)
    except LifecycleError as exc:
        common.show_error(exc)
        st.stop()
    build_key = (project.id, project.version, revision_id, fmt, sections, compare_ids)
    if st.button("Build report", type="primary", key=K + "build"):
        with st.status(f"Building the {fmt.upper()} report…", expanded=True) as status:
            bar = st.progress(0.0, text="Collecting the decision record")
            try:
                report = _report(revision_id, sections, compare_ids,
                                 progress=lambda f, msg: bar.progress(min(f, 0.7), text=msg))
                bar.progress(0.75, text="Drawing charts and laying out pages" if fmt == "pdf" else "Rendering")
                data = render(report, fmt)
            except LifecycleError as exc:
                status.update(label="The report could not be built", state="error")
                common.show_error(exc)
                st.stop()
            bar.progress(1.0, text="Done")
            status.update(label=f"{fmt.upper()} report ready ({len(data) / 1024:,.0f} KiB)", state="complete",
                          expanded=False)
        st.session_state[K + "built"] = (build_key, data)
    built = st.session_state.get(K + "built")
    if built and built[0] == build_key:
        slug = re.sub(r"[^A-Za-z0-9._-]+", "-", project.name).strip("-")[:60] or "project"
        version = project.version if revision_id is None else _revision(revision_id, WHO).version
        st.download_button(f"Download {fmt.upper()}", built[1], file_name=f"{slug}-v{version}.{fmt}",
                           mime=MEDIA_TYPES[fmt], type="primary", key=K + "download", icon=":material/download:")
    elif built:
        st.caption("Settings changed since the last build: build again to download.")
    with st.expander("Preview", expanded=True):
        st.caption("The Markdown text of the report; charts appear in the HTML and PDF files.")
        with st.container(height=600):
            st.markdown(preview)
