"""Class 6: text one colleague typed or uploaded is plain text in another's browser. A team model's
``_name_or_path`` and display name, and the project name in the save toast, used to be rendered as Markdown
(an image from any host loads in everyone's browser). Checked with the injection suite's leak detector."""

from __future__ import annotations

from lifecycle.records.custom_models import add_custom_model
from tests.reliability.test_injection import _markdown_texts, markdown_leaks
from tests.security.test_class03_team_tables import CONFIG
from tests.support.apptest import ok

IMAGE = "![t](https://evil.test/track.png)"
HOSTILE_PATH = "x/y)" + IMAGE  # no spaces: passed for a Hub id and became a link, then an image
HOSTILE_NAME = f"**Team** {IMAGE} [click](https://evil.test)"


def _leaks(at) -> list[str]:
    texts = _markdown_texts(at._tree, [])
    return [f"{kind}: {text[:120]}" for kind, text, _html in texts
            if "evil.test" in text and (markdown_leaks(text, streamlit=True) or "](https://evil" in text
                                        and "\\](https://evil" not in text and "\\]\\(https" not in text)]


def test_a_team_models_name_and_name_or_path_are_text_on_its_card(run_page, app_env):
    add_custom_model(app_env, {**CONFIG, "_name_or_path": HOSTILE_PATH}, model_id="hostile-card", name=HOSTILE_NAME)
    model = next(m for m in __import__("lifecycle.records.custom_models", fromlist=["all_models"])
                 .all_models(app_env) if m.id == "hostile-card")
    assert model.hub_id == ""  # not a Hub id: not a repository, not a link
    project = app_env.create_project("Card check")
    at = ok(run_page("pages/catalog.py", project=project, session_state={"model_catalog_card": "hostile-card"}))
    assert _leaks(at) == []


def test_the_save_toast_shows_the_project_name_as_text(run_page, app_env):
    project = app_env.create_project(f"Plan {IMAGE}")
    at = ok(run_page("pages/use_case.py", project=project))
    at.text_area(key="use_case_text").input("summarise contracts")
    next(b for b in at.get("form_submit_button") if b.label == "Save use case").click()
    ok(at.run())
    toasts = [t.value for t in at.toast]
    assert toasts and all("\\!\\[t\\]\\(https://evil" in t or "\\!\\[t\\]" in t for t in toasts), toasts
    assert _leaks(at) == []
