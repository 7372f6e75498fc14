"""``lifecycle run-config``, ``lifecycle rent`` and ``lifecycle projects measured`` against the app's database."""

from __future__ import annotations

import json
import zipfile

import pytest

from lifecycle.cli import main
from tests.support.launch import launch_project


@pytest.fixture
def saved(app_env):
    project = launch_project(project=app_env.create_project("Launch demo"))
    app_env.save_project(project, section="adapt")
    return app_env.get_project(project.name)


def test_run_config_writes_one_file_a_folder_or_a_zip(saved, tmp_path, capsys):
    assert main(["run-config", saved.name, "--format", "deepspeed", "--scenario", "lora on 4xL4",
                 "-o", str(tmp_path / "ds.json")]) == 0
    assert json.loads((tmp_path / "ds.json").read_text())["train_batch_size"] == 16
    assert main(["run-config", saved.name, "--format", "accelerate", "--scenario", "full on 4xL4",
                 "-o", str(tmp_path / "job")]) == 0
    assert sorted(p.name for p in (tmp_path / "job").iterdir()) == ["accelerate_config.yaml", "sft_config.yaml", "train.py"]
    assert main(["run-config", saved.name, "--format", "skypilot", "--scenario", "lora on 4xL4",
                 "-o", str(tmp_path / "job.zip")]) == 0
    assert "sky_task.yaml" in zipfile.ZipFile(tmp_path / "job.zip").namelist()


@pytest.mark.parametrize("argv, message", [
    (["--format", "accelerate"], "--scenario"),
    (["--format", "deepspeed", "--scenario", "full on 4xL4"], "not a ZeRO stage"),
    (["--format", "accelerate", "--scenario", "lora on 4xL4", "--global-batch", "7"], "not a multiple"),
    (["--format", "accelerate", "--scenario", "nope"], "No training scenario"),
    (["--format", "docker", "--scenario", "nope"], "invalid choice"),
])
def test_run_config_bad_input_is_one_line_and_exit_2(saved, argv, message, tmp_path, capsys):
    with pytest.raises(SystemExit) if "docker" in argv else _nothing() as raised:
        code = main(["run-config", saved.name, *argv, "-o", str(tmp_path / "x")])
    code = raised.value.code if raised else code
    err = capsys.readouterr().err
    assert code == 2 and message in err and err.count("\n") == 1


class _nothing:
    def __enter__(self):
        return None

    def __exit__(self, *exc):
        return False


@pytest.mark.slow
def test_rent_prints_the_search_as_json_for_training_and_serving(saved, capsys):
    assert main(["rent", saved.name, "--deadline-hours", "24", "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["configurations_evaluated"] > 1000 and result["pareto"] and result["cheapest"]["method"] in ("lora", "qlora")
    assert main(["rent", saved.name, "--serving", "--json"]) == 0
    serving = json.loads(capsys.readouterr().out)
    assert serving["best"]["p95_latency_s"] <= 4.0


def test_projects_measured_stores_the_run_beside_its_scenario(saved, app_env, tmp_path, capsys):
    scenario = next(s for s in saved.adapt.scenarios if s.name == "lora on 4xL4")
    log = {"format": "lifecycle-run-log", "version": 1, "plan": {"scenario_id": scenario.id, "global_batch": 16},
           "actual": {"ranks": [{"rank": 0, "peak_allocated_bytes": 12 * 2**30, "peak_reserved_bytes": 13 * 2**30,
                                 "device": "NVIDIA L4"}], "optimizer_steps": 4, "step_s": 0.5, "tokens_per_s": 3000.0}}
    path = tmp_path / "plan_vs_actual.json"
    path.write_text(json.dumps(log))
    assert main(["projects", "measured", saved.name, str(path)]) == 0
    out = capsys.readouterr().out
    assert "calibrated MFU" in out and "tokens/s" in out
    stored = app_env.get_project(saved.name).adapt.measured
    assert len(stored) == 1 and stored[0].scenario_id == scenario.id and stored[0].tokens_per_s.actual == 3000.0
    path.write_text("not json")
    assert main(["projects", "measured", saved.name, str(path)]) == 2
    assert "not JSON" in capsys.readouterr().err


@pytest.mark.slow
def test_rent_use_saves_a_row_and_chooses_it_then_run_config_needs_no_scenario(saved, app_env, tmp_path, capsys):
    from lifecycle.records.plan import chosen_scenario

    assert main(["rent", saved.name, "--gpu-types", "l4", "--use", "2"]) == 0
    chosen = chosen_scenario(app_env.get_project(saved.name), "adapt")
    assert chosen.name.startswith("Rent:") and chosen.setup.gpu == "l4"
    capsys.readouterr()
    assert main(["run-config", saved.name, "--format", "accelerate", "-o", "-"]) == 0
    assert f"(id {chosen.id})" in capsys.readouterr().out
    assert main(["rent", saved.name, "--use", "100000"]) == 2


def test_prices_list_set_unset_and_only_an_admin_sets(app_env, monkeypatch, capsys):
    monkeypatch.delenv("LIFECYCLE_USER", raising=False)  # the local administrator
    assert main(["prices", "set", "l4", "0.7", "--source", "our contract", "--date", "2026-12"]) == 0
    assert main(["prices", "list", "--json"]) == 0
    capsys.readouterr()
    assert main(["prices", "list", "--json"]) == 0
    l4 = next(p for p in json.loads(capsys.readouterr().out) if p["gpu_id"] == "l4")
    assert (l4["price_usd_per_hour"], l4["team"], l4["source"]) == (0.7, True, "our contract")
    monkeypatch.setenv("LIFECYCLE_USER", "ann@example.com")
    assert main(["prices", "unset", "l4"]) == 2
    assert "admin" in capsys.readouterr().err
    monkeypatch.delenv("LIFECYCLE_USER")
    assert main(["prices", "unset", "l4"]) == 0
