"""Streamlit glue shared by every page: the store, the current project, saving with
conflict handling, and the stage header. No formulas here — those live in ``lifecycle``."""

from __future__ import annotations

import functools
import json
from collections.abc import Callable
from urllib.parse import unquote

import streamlit as st

from lifecycle.charts import ACCENT, MUTED
from lifecycle.errors import AccessDenied, ConflictError, LifecycleError
from lifecycle.records.access import Role
from lifecycle.records.project import STAGE_PURPOSE, STAGE_TITLES, STAGES, Project, Scenario, utc_now
from lifecycle.records.store import Store, current_user, database_url
from ui import auth, navigation

PROJECT_KEY = "project_id"  # session_state key and query parameter name ("project")
CONFLICT_KEY = "conflict_pending"
SEEN_KEY = "_seen_versions"  # project id -> version the widgets of the last run were drawn from
BASE_KEY = "_base_version"
NAV_KEY = "_nav_pages"  # {page file: st.Page} registered by app.py in this session
USER_KEY = auth.USER_KEY
ROLE_KEY = "_my_role"  # {"id": project id, "role": Role | None} for the open project, this run
AUTHOR_COOKIE = "lifecycle_author"
AUTHOR_COOKIE_PENDING = "_author_cookie_pending"
AUTHOR_COOKIE_SECONDS = 365 * 24 * 3600
MAX_AUTHOR_CHARS = 100
KEEP_ON_RELOAD = ("project_id", USER_KEY, SEEN_KEY, NAV_KEY)


@st.cache_resource(show_spinner="Opening the database…")
def _store_for(url: str) -> Store:
    return Store(url)


def get_store() -> Store:
    """The database as this session's identity: one migrated engine per URL, shared by all sessions (it is
    thread-safe), bound to who is signed in. Every read and write is checked by the Store against them. A
    database that cannot be opened (not a database, a newer schema, a bad URL) is one line on every page, without
    its address (that is for whoever configured it), and the page stops there."""
    url = database_url()
    try:
        store = _store_for(url)
    except LifecycleError as exc:
        from lifecycle.records.db import redact_url

        st.error(escape_md(str(exc).replace(redact_url(url), "(the configured database)")
                           .replace(redact_url(url)[:120], "(the configured database)")))
        st.stop()
    return store.acting_as(auth.current_identity())


def author() -> str:
    """Who saves: the signed-in identity; in the embedded mode, the typed name or the login name."""
    identity = auth.current_identity()
    return identity.display if not identity.local else (identity.name or current_user())


def my_role(project: Project | None) -> Role | None:
    """This identity's role on the open project (owner for an admin or in the embedded mode)."""
    if project is None:
        return None
    known = st.session_state.get(ROLE_KEY) or {}
    if known.get("id") != project.id:
        try:
            known = {"id": project.id, "role": get_store().my_role(project.id)}
        except LifecycleError:
            known = {"id": project.id, "role": None}
        st.session_state[ROLE_KEY] = known
    return known["role"]


def read_only(project: Project | None) -> bool:
    """Saving is off for a viewer (the Store refuses it anyway; this only greys the button out)."""
    role = my_role(project)
    return project is not None and (role is None or role < Role.editor)


def owner_only(project: Project | None) -> bool:
    """Archive, delete, restore and members are off for anyone but the owner."""
    role = my_role(project)
    return project is not None and (role is None or role < Role.owner)


def current_project_id() -> int | None:
    """The project in the URL (?project=ID) or, failing that, the one chosen in this session."""
    raw = st.query_params.get("project") or st.session_state.get(PROJECT_KEY)
    try:
        return int(raw) if raw not in (None, "") else None
    except (TypeError, ValueError):
        return None


def set_current_project(project_id: int | None) -> None:
    st.session_state[PROJECT_KEY] = project_id
    if project_id is None:
        st.query_params.pop("project", None)
    else:
        st.query_params["project"] = str(project_id)


def load_current_project() -> Project | None:
    """The current project fresh from the database, or None (with a notice if it vanished)."""
    project_id = current_project_id()
    if project_id is None:
        return None
    try:
        return get_store().get_project(project_id)
    except AccessDenied:
        # Nothing of the project is shown, not even its name: only the id that was in the link.
        st.error(f"No access to project {project_id} (or it does not exist). Ask its owner to add you, "
                 "or choose one of yours on the Projects page.", icon=":material/lock:")
        set_current_project(None)
        return None
    except LifecycleError:
        st.warning(f"Project {project_id} no longer exists; choose another one on the Projects page.")
        set_current_project(None)
        return None


def _remember_seen_version(project: Project | None) -> None:
    """Widgets submitted in this run were drawn from the project of the previous run, so a save
    must be based on that version, not on the one just reloaded (else a colleague's save in
    between would be silently overwritten). While a conflict is pending the old base is kept."""
    if project is None:
        return
    seen = st.session_state.setdefault(SEEN_KEY, {})
    base = seen.get(project.id, project.version)
    st.session_state[BASE_KEY] = {"id": project.id, "version": base}
    if not st.session_state.get(CONFLICT_KEY):
        seen[project.id] = project.version


def _base_version(project: Project) -> int:
    base = st.session_state.get(BASE_KEY) or {}
    return base.get("version", project.version) if base.get("id") == project.id else project.version


def ensure_app_navigation() -> None:
    """A deep link (``/memory_gpus?project=3``) opened before any session has run ``app.py`` is served by
    Streamlit's legacy ``pages/`` auto-discovery, which skips our navigation and sidebar. Switch the
    server to ``st.navigation`` mode and rerun, so ``app.py`` frames the requested page
    (``tests/e2e/test_deep_link.py`` opens such a link as a fresh server's first request)."""
    from streamlit.runtime.pages_manager import PagesManager

    if PagesManager.uses_pages_directory:
        PagesManager.uses_pages_directory = False
        st.rerun()


def mark_app_run(pages: dict) -> None:
    """``app.py`` registered the pages in this run (``{file: st.Page}``): links to them can be drawn.
    A page file run on its own (AppTest) has no navigation, so it draws the strip without links."""
    st.session_state[NAV_KEY] = pages


def page_for(file: str):
    """The registered ``st.Page`` of a page file (for links and ``st.switch_page``), or the path itself."""
    pages = st.session_state.get(NAV_KEY)
    return pages.get(file, file) if pages else file


def project_link_params() -> dict[str, str] | None:
    current = current_project_id()
    return {"project": str(current)} if current is not None else None


def open_legacy_link(stage: str) -> None:
    """An old ``/<stage>?view=<title>`` link: open the page that view became, same project."""
    target = navigation.legacy_target(stage, st.query_params.get("view"))
    st.switch_page(page_for(target.file), query_params=project_link_params())


def page_setup(stage_key: str | None, title: str | None = None, *, project_line: bool = True) -> Project | None:
    """Title, lifecycle strip and the open project for a page; returns the current project."""
    ensure_app_navigation()
    project = load_current_project()
    if project is not None and st.query_params.get("project") != str(project.id):
        st.query_params["project"] = str(project.id)  # the URL names the project, always
    _remember_seen_version(project)
    st.session_state.pop(ROLE_KEY, None)  # roles change: asked once per run, not once per session
    if title is not None:
        st.title(title)
    if stage_key is not None:
        lifecycle_strip(stage_key)
        st.caption(STAGE_PURPOSE[stage_key])
        if project is None:
            st.info("No project is open. Create or open one on the **Projects** page (or pick one in the sidebar) "
                    "to save decisions and use its facts; the calculators work without one.")
    if project is not None and project_line:
        st.markdown(f"Project: **{escape_md(project.name)}** (#{project.id}) · version {project.version}")
    if project is not None and read_only(project):
        st.caption(":material/visibility: You are a viewer of this project: you can read, compare and export it, "
                   "not save to it. Its owner can make you an editor.")
    _conflict_box(project)
    return project


def show_page(stage_key: str | None, title: str, render: Callable[[Project | None], None]) -> None:
    """A whole page: header, then the view; a user's mistake is one clear line, never a traceback."""
    project = page_setup(stage_key, title)
    try:
        render(project)
    except LifecycleError as exc:
        show_error(exc)


def lifecycle_strip(highlight: str | None) -> None:
    """The four stages as links to their first page (the open project kept); the current one stands out."""
    pages = st.session_state.get(NAV_KEY)
    if not pages:
        st.markdown(lifecycle_strip_html(highlight), unsafe_allow_html=True)
        return
    params = project_link_params()
    for col, key in zip(st.columns(len(STAGES)), STAGES):
        first = navigation.stage_pages(key)[0]
        with col.container(border=True):
            label = f"**{STAGE_TITLES[key]}**" if key == highlight else STAGE_TITLES[key]
            st.page_link(pages.get(first.file, first.file), label=label, query_params=params, width="stretch",
                         icon=":material/radio_button_checked:" if key == highlight else ":material/arrow_forward:")


AUTHOR_BOX_KEY = "user_name_box"


def author_input() -> None:
    """Embedded mode only: "Your name" for the history, kept in a cookie, so a reload (or tomorrow) still
    saves as you. With sign-in configured there is no typed name: the identity provider names you."""
    if auth.sign_in_configured():
        return
    if USER_KEY not in st.session_state:
        st.session_state[USER_KEY] = _clean_author(st.context.cookies.get(AUTHOR_COOKIE, ""))
    # The name lives under a plain key; the box has its own. Streamlit drops a widget's state when a run ends
    # without drawing it (``st.switch_page`` from "Open Scope"), which wiped or reverted the name.
    st.session_state[AUTHOR_BOX_KEY] = st.session_state[USER_KEY]
    st.text_input("Your name (saved with every change)", key=AUTHOR_BOX_KEY, max_chars=MAX_AUTHOR_CHARS,
                  placeholder=current_user(), on_change=_author_changed)
    name = st.session_state.pop(AUTHOR_COOKIE_PENDING, None)
    if name is not None:
        # JSON-encode, then hide "<" so the name can never close the script element.
        value = json.dumps(name).replace("<", "\\u003c")
        st.html(f"<script>document.cookie = '{AUTHOR_COOKIE}=' + encodeURIComponent({value}) + "
                f"'; path=/; max-age={AUTHOR_COOKIE_SECONDS}; SameSite=Strict';</script>",
                unsafe_allow_javascript=True, width="content")


def _author_changed() -> None:
    st.session_state[USER_KEY] = _clean_author(st.session_state.get(AUTHOR_BOX_KEY, ""))
    st.session_state[AUTHOR_COOKIE_PENDING] = st.session_state[USER_KEY]


def _clean_author(raw: str) -> str:
    text = unquote(raw if isinstance(raw, str) else "")  # only a real cookie value (AppTest hands back a mock)
    return "".join(ch for ch in text if ch.isprintable()).strip()[:MAX_AUTHOR_CHARS]


@functools.cache
def lifecycle_strip_html(highlight: str | None) -> str:
    """The lifecycle as four boxes and arrows, one stage highlighted: static HTML (no user text), a
    fraction of the cost of a Plotly chart on every rerun."""
    box = ("flex:1;text-align:center;padding:0.9rem 0.5rem;border:2px solid {a};border-radius:6px;"
           "background:{bg};color:{fg};font-weight:{w}")
    parts = []
    for i, key in enumerate(STAGES):
        on = key == highlight
        style = box.format(a=ACCENT, bg=ACCENT if on else MUTED, fg="white" if on else "#1F2340", w=700 if on else 400)
        parts.append(f'<div style="{style}">{STAGE_TITLES[key]}</div>')
        if i < len(STAGES) - 1:
            parts.append(f'<div style="align-self:center;color:{ACCENT};font-size:1.4rem;padding:0 0.4rem">&#10142;</div>')
    return f'<div style="display:flex;gap:0.2rem;margin:0.2rem 0 0.6rem 0">{"".join(parts)}</div>'


def reset_on_project_change(prefix: str, project: Project | None) -> None:
    """Widgets keep their state by key; when another project is opened, forget this view's widget
    state so it is drawn again from that project's saved answers and facts."""
    owner_key = f"_{prefix}owner"
    owner = project.id if project is not None else None
    # First visit: nothing to forget (and widgets this run already drew must keep their state).
    if st.session_state.get(owner_key, owner) != owner:
        for key in [k for k in st.session_state if str(k).startswith(prefix)]:
            del st.session_state[key]
    st.session_state[owner_key] = owner


def plotly_chart(fig, **kwargs):
    """``st.plotly_chart`` with every string in the figure as plain text (``lifecycle.charts.plain``): a
    name a user typed can never make a visitor's browser fetch anything."""
    from lifecycle.charts.plain import plain_figure

    return st.plotly_chart(plain_figure(fig), **kwargs)


def escape_md(text: str) -> str:
    """User text shown inside Markdown: escape the characters Markdown would interpret."""
    out = []
    for ch in text:
        if ch in "\\`*_{}[]<>()#+-.!|~$":
            out.append("\\" + ch)
        else:
            out.append(ch)
    return "".join(out)


def plain_label(text: str) -> str:
    """User text inside a widget label (labels take inline Markdown: links, images, emphasis, colours): the
    inline characters escaped, while "-" and "." stay as typed so labels read and match as before."""
    return "".join("\\" + ch if ch in "\\`*_{}[]()<>!~$|:" else ch for ch in text)


def show_error(exc: Exception) -> None:
    # Messages quote user input verbatim: show them as text, never as Markdown/HTML.
    message = str(exc) if isinstance(exc, LifecycleError) else f"Unexpected error: {exc}"
    st.error(escape_md(message))


def save_project(project: Project, section: str, summary: str = "") -> Project | None:
    """Save and report the outcome; a stale version shows the conflict box instead of overwriting."""
    if section in STAGES:
        project.stage(section).saved_at = utc_now()
    base = _base_version(project)
    if base != project.version:
        project = project.model_copy(update={"version": base})
    try:
        saved = get_store().save_project(project, author=author(), section=section, summary=summary)
    except ConflictError as exc:
        st.session_state[CONFLICT_KEY] = {"project": project.model_dump(mode="json"), "message": str(exc)}
        _conflict_box(project)
        return None
    except LifecycleError as exc:
        show_error(exc)
        return None
    st.session_state.pop(CONFLICT_KEY, None)
    st.session_state.setdefault(SEEN_KEY, {})[saved.id] = saved.version
    st.session_state[BASE_KEY] = {"id": saved.id, "version": saved.version}
    st.toast(f"Saved {STAGE_TITLES.get(section, section)} to “{escape_md(saved.name)}” (project #{saved.id}): "
             f"version {saved.version}, based on version {base}.")
    return saved


def save_scenario(project: Project, stage_key: str, scenario: Scenario) -> Project | None:
    project.stage(stage_key).scenarios.append(scenario)
    return save_project(project, stage_key, summary=f"Saved scenario {scenario.name!r} ({scenario.kind})")


def _conflict_box(project: Project | None) -> None:
    pending = st.session_state.get(CONFLICT_KEY)
    if not pending:
        return
    box = st.container(border=True)
    box.error(escape_md(pending["message"]))
    left, right = box.columns(2)
    if left.button("Reload (discard my changes)", key="conflict_reload"):
        # Forget every widget value so the forms are redrawn from the stored project.
        for key in list(st.session_state.keys()):
            if key not in KEEP_ON_RELOAD:
                del st.session_state[key]
        st.session_state.get(SEEN_KEY, {}).pop(project.id if project else None, None)
        st.rerun()
    if right.button("Save my version as a copy", key="conflict_copy"):
        mine = Project.model_validate(pending["project"])
        store = get_store()
        try:
            copy = store.duplicate_project(mine, _free_copy_name(store, mine.name), author=author())
        except LifecycleError as exc:
            show_error(exc)
            return
        st.session_state.pop(CONFLICT_KEY, None)
        set_current_project(copy.id)
        st.rerun()


def _free_copy_name(store: Store, name: str) -> str:
    taken = {s.name.lower() for s in store.list_projects(archived=None)}
    for i in range(1, 1000):
        candidate = f"{name} (copy {i})"[-200:]
        if candidate.lower() not in taken:
            return candidate
    raise LifecycleError("Could not find a free name for the copy.")
