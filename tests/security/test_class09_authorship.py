"""Class 9: authorship. In the single-person mode "Your name" survives "Open Scope" (``st.switch_page``) and
the next save is recorded under it; an imported copy's "last saved by" is the importer; a blank
``LIFECYCLE_USER`` is one line, never the administrator; the README's secrets file is git-ignored."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from lifecycle.errors import InvalidInput
from lifecycle.records.access import Identity, identity_from_environment
from lifecycle.records.transfer import export_json, import_json
from tests.support.apptest import ok

ROOT = Path(__file__).resolve().parents[2]


def test_your_name_survives_open_scope_and_signs_the_next_save(app_env):
    from streamlit.testing.v1 import AppTest

    project = app_env.create_project("Named saves")
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=30)
    at.query_params["project"] = str(project.id)
    ok(at.run())
    box = next(t for t in at.text_input if t.label == "Your name (saved with every change)")
    ok(box.input("Grace Hopper").run())
    ok(next(b for b in at.button if b.label == "Open Scope").click().run())
    ok(at.run())  # the Scope page, after the switch
    box = next(t for t in at.text_input if t.label == "Your name (saved with every change)")
    assert box.value == "Grace Hopper"
    at.text_area(key="use_case_text").input("summarise contracts")
    ok(next(b for b in at.get("form_submit_button") if b.label == "Save use case").click().run())
    assert app_env.history(project.id)[0].author == "Grace Hopper"


def test_an_imported_copy_was_last_saved_by_the_importer(base):
    exporter = base.acting_as(Identity(issuer="https://idp.test", subject="ann", email="ann@example.test",
                                       name="Ann"))
    made = exporter.create_project("Travelling plan")
    text = export_json(exporter, [str(made.id)]).replace("Travelling plan", "Imported plan")
    importer = base.acting_as(Identity(issuer="https://idp.test", subject="bo", email="bo@example.test", name="Bo"))
    copy = import_json(importer, text)[0]
    assert copy.updated_by == "Bo <bo@example.test>"
    assert importer.list_projects()[0].updated_by == "Bo <bo@example.test>"


@pytest.mark.subprocess
@pytest.mark.parametrize("blank", [" ", "\t", "\u200b", "\x1b"])
def test_a_blank_lifecycle_user_is_one_line_not_the_administrator(monkeypatch, blank):
    monkeypatch.setenv("LIFECYCLE_USER", blank)
    with pytest.raises(InvalidInput, match="LIFECYCLE_USER"):
        identity_from_environment()
    out = subprocess.run([sys.executable, "-m", "lifecycle", "projects", "list"], capture_output=True, text=True,
                         env={**os.environ, "LIFECYCLE_USER": blank, "PYTHONPATH": str(ROOT),
                              "LIFECYCLE_DATABASE_URL": "sqlite:///:memory:"}, timeout=120, cwd=ROOT,
                         check=False)
    assert out.returncode == 2 and "LIFECYCLE_USER" in out.stderr and len(out.stderr.strip().splitlines()) == 1


@pytest.mark.subprocess
@pytest.mark.checkout
def test_the_secrets_file_is_git_ignored():
    out = subprocess.run(["git", "check-ignore", "-q", ".streamlit/secrets.toml"], cwd=ROOT, check=False)
    assert out.returncode == 0
