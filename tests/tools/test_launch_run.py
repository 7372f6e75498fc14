"""The exported Accelerate + TRL job runs: two optimizer steps on the CPU on a tiny randomly initialised Llama
(built from a config, a word-level tokenizer, nothing downloaded) for a LoRA and a full fine-tuning plan, and
its plan-vs-actual log imports as a measured run beside the scenario (``lifecycle projects measured``)."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from lifecycle.launch.choose import job_setup
from lifecycle.launch.files import run_config
from lifecycle.launch.measured import measured_run
from tests.support.launch import launch_project

pytestmark = [pytest.mark.slow, pytest.mark.subprocess, pytest.mark.torch]


@pytest.mark.parametrize("plan", ["lora", "full"])
def test_the_exported_job_runs_two_optimizer_steps_on_the_cpu_and_logs_plan_vs_actual(plan, tmp_path):
    pytest.importorskip("trl")
    pytest.importorskip("peft")
    project = launch_project()
    files = run_config(job_setup(project, f"{plan} on 4xL4"), "accelerate")
    for name, text in files.items():
        (tmp_path / name).write_text(text)
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "HF_DATASETS_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1",
           "TOKENIZERS_PARALLELISM": "false", "HF_HOME": str(tmp_path / "hf")}
    proc = subprocess.run([sys.executable, "train.py", "--config", "sft_config.yaml", "--tiny_random", "true",
                           "--use_cpu", "true", "--max_steps", "2", "--output_dir", str(tmp_path / "out"),
                           "--save_strategy", "no", "--dataloader_num_workers", "0"],
                          cwd=tmp_path, env=env, capture_output=True, text=True, timeout=240, check=False)
    assert proc.returncode == 0, proc.stderr[-3000:]
    log = json.loads((tmp_path / "out" / "plan_vs_actual.json").read_text())
    actual = log["actual"]
    assert actual["optimizer_steps"] == 2 and actual["tokens_seen"] > 0 and actual["step_s"] > 0
    assert log["plan"]["grad_accum"] == 2 and log["plan"]["micro_batch"] == 2  # global 16 = 2 x 4 GPUs x 2
    if plan == "lora":  # PEFT wrapped the model: only the adapters train
        assert 0 < actual["trainable_params"] < actual["total_params"]
    else:
        assert actual["trainable_params"] == actual["total_params"]

    run = measured_run(project, (tmp_path / "out" / "plan_vs_actual.json").read_bytes(), file_name="plan_vs_actual.json")
    scenario = next(s for s in project.adapt.scenarios if s.name == f"{plan} on 4xL4")
    assert run.scenario_id == scenario.id and run.optimizer_steps == 2
    assert run.tokens_per_s.actual == pytest.approx(actual["tokens_per_s"])
    assert run.calibrated_mfu is None and any("tiny random" in n for n in run.notes)  # not the plan's model
