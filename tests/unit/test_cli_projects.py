"""``lifecycle projects …`` against the same database the app uses."""

import json
import subprocess
import sys

import pytest

from lifecycle.cli import main


@pytest.mark.slow
def test_list_show_export_import_round_trip(app_env, tmp_path, capsys, monkeypatch):
    project = app_env.create_project("CLI project", description="from the CLI test")
    project.scope.tasks = ["summarization"]
    project.scope.saved_at = project.updated_at
    app_env.save_project(project, section="scope")

    assert main(["projects", "list"]) == 0
    out = capsys.readouterr().out
    assert "CLI project" in out and "■□□□" in out

    assert main(["projects", "show", "cli project", "--json"]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert shown["scope"]["tasks"] == ["summarization"] and shown["version"] == 2

    target = tmp_path / "export.json"
    assert main(["projects", "export", "-o", str(target)]) == 0
    exported = json.loads(target.read_text())
    assert [p["name"] for p in exported["projects"]] == ["CLI project"]

    monkeypatch.setenv("LIFECYCLE_DATABASE_URL", f"sqlite:///{tmp_path}/other.db")
    assert main(["projects", "import", str(target), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)[0]["name"] == "CLI project"
    assert main(["projects", "list", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)[0]["stages_done"] == ["scope"]


def test_errors_are_one_line_with_exit_code_2(app_env, tmp_path, capsys):
    assert main(["projects", "show", "no such project"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "No access to project 'no such project'" in err

    bad = tmp_path / "bad.json"
    bad.write_text("{ not json")
    assert main(["projects", "import", str(bad)]) == 2
    assert "not valid JSON" in capsys.readouterr().err
    assert main(["projects", "import", str(tmp_path / "missing.json")]) == 2
    assert "No such file" in capsys.readouterr().err
    assert app_env.list_projects(archived=None) == []


@pytest.mark.subprocess
def test_console_script_and_module_entry_point_agree(app_env):
    app_env.create_project("Entry")
    out = subprocess.run([sys.executable, "-m", "lifecycle", "projects", "list", "--json"],
                         capture_output=True, text=True, check=True).stdout
    assert json.loads(out)[0]["name"] == "Entry"
    bad = subprocess.run([sys.executable, "-m", "lifecycle", "projects", "frobnicate"], capture_output=True, text=True,
                         check=False)
    assert bad.returncode == 2 and bad.stderr.count("\n") == 1


def test_choose_makes_a_scenario_the_plan_and_show_reports_it(app_env, capsys):
    from tests.support.example_project import example_project

    [project] = app_env.import_documents([example_project("Chooser").content()], author="t")
    older = next(s for s in project.adapt.scenarios if s.setup.gpus == 1)  # not the latest saved
    assert main(["projects", "show", "Chooser", "--json"]) == 0
    before = json.loads(capsys.readouterr().out)["plan"]
    assert main(["projects", "choose", "Chooser", older.name]) == 0
    assert "Adapt & Align now plans" in capsys.readouterr().out
    assert main(["projects", "show", "Chooser", "--json"]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert shown["adapt"]["training_scenario_id"] == older.id
    assert shown["plan"]["stages"]["adapt"]["scenario"]["id"] == older.id
    assert shown["plan"]["stages"]["adapt"]["candidates"] == []
    assert before["stages"]["integrate"]["scenario"] == shown["plan"]["stages"]["integrate"]["scenario"]
    assert all({"severity", "stage", "check", "message"} <= set(f) for f in shown["plan"]["consistency"])
    assert main(["projects", "show", "Chooser"]) == 0
    text = capsys.readouterr().out
    assert f"training scenario “{older.name}” (id {older.id}), path lora" in text and "Consistency:" in text


def test_choose_an_ambiguous_or_unknown_scenario_is_one_line_and_exit_2(app_env, capsys):
    from tests.support.example_project import example_project

    p = example_project("Two names")
    p.adapt.scenarios[1].name = p.adapt.scenarios[0].name
    app_env.import_documents([p.content()], author="t")
    for ref in (p.adapt.scenarios[0].name, "no such scenario", "Weight formats for Flan-T5-XL"):
        assert main(["projects", "choose", "Two names", ref]) == 2
        err = capsys.readouterr().err
        assert err.count("\n") == 1, err
    assert main(["projects", "choose", "Two names", p.adapt.scenarios[1].id, "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["stage"] == "adapt"
