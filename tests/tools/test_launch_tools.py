"""The exported launch files are read by the libraries that will read them: Accelerate's config loader,
DeepSpeed's config class, TRL's parser (ScriptArguments, SFTConfig, ModelConfig) and SkyPilot's task loader —
and each number in them is the plan's (tests/support/launch.py). The tools are in the ``launch`` extra."""

from __future__ import annotations

import json

import pytest

from lifecycle.launch.files import run_config
from lifecycle.launch.job import JobSetup, job_plan
from lifecycle.records.scenarios import make_scenario
from tests.support.launch import PLANS, training_setup

GLOBAL_BATCH = 16  # micro-batch 2 x 4 GPUs x accumulation 2


def _job(plan: str, **fields) -> JobSetup:
    return JobSetup(scenario=make_scenario(training_setup(plan, **fields), name=f"{plan} plan"),
                    global_batch=GLOBAL_BATCH, project="Launch demo")


def _write(tmp_path, files: dict[str, str]):
    for name, text in files.items():
        (tmp_path / name).write_text(text)
    return tmp_path


@pytest.mark.torch
@pytest.mark.parametrize("plan", list(PLANS))
def test_accelerate_loads_the_config_with_the_plans_processes_precision_and_strategy(plan, tmp_path):
    config_args = pytest.importorskip("accelerate.commands.config.config_args")
    folder = _write(tmp_path, run_config(_job(plan), "accelerate"))
    cfg = config_args.load_config_from_file(str(folder / "accelerate_config.yaml"))
    job = job_plan(_job(plan))
    assert (cfg.num_processes, cfg.num_machines, cfg.mixed_precision) == (4, 1, job.mixed_precision)
    expected = {"zero2": "DEEPSPEED", "zero3": "DEEPSPEED", "fsdp": "FSDP", "ddp": "MULTI_GPU"}[job.strategy]
    assert str(cfg.distributed_type).split(".")[-1] == expected
    if expected == "DEEPSPEED":
        assert cfg.deepspeed_config["zero_stage"] == int(job.strategy[-1])
        assert cfg.deepspeed_config["gradient_accumulation_steps"] == job.grad_accum == 2
        assert cfg.deepspeed_config["offload_param_device"] == ("cpu" if job.offload == "params" else "none")
    if expected == "FSDP":
        assert cfg.fsdp_config["fsdp_activation_checkpointing"] is True


@pytest.mark.torch
@pytest.mark.parametrize("plan", list(PLANS))
def test_trl_parses_the_sft_config_into_the_plans_batch_length_and_adapters(plan, tmp_path):
    trl = pytest.importorskip("trl")
    folder = _write(tmp_path, run_config(_job(plan), "accelerate"))
    parser = trl.TrlParser((trl.ScriptArguments, trl.SFTConfig, trl.ModelConfig))
    _script, sft, model = parser.parse_args_and_config(["--config", str(folder / "sft_config.yaml"),
                                                       "--output_dir", str(tmp_path / "out"),
                                                       "--use_cpu", "true"])  # bf16 is checked against the machine
    setup = training_setup(plan)
    assert (sft.per_device_train_batch_size, sft.gradient_accumulation_steps, sft.max_length) == (2, 2, 64)
    assert sft.gradient_checkpointing is True and sft.num_train_epochs == 1.0
    assert sft.optim == ("paged_adamw_32bit" if plan == "qlora" else "adamw_torch")
    assert sft.bf16 is True
    assert model.use_peft is (setup.method != "full")
    if setup.method != "full":
        assert model.lora_r == setup.lora_rank
        assert sorted(model.lora_target_modules) == sorted(f"{t}_proj" for t in setup.lora_targets)
    if plan == "qlora":
        quant = trl.get_quantization_config(model)
        assert type(quant).__name__ == "BitsAndBytesConfig" and quant.load_in_4bit
        assert quant.bnb_4bit_quant_type == "nf4" and quant.bnb_4bit_use_double_quant


@pytest.mark.torch
@pytest.mark.parametrize("plan", ["lora", "zero3-offload"])
def test_deepspeed_validates_the_config_micro_batch_times_accumulation_times_world(plan, monkeypatch):
    pytest.importorskip("deepspeed")
    from deepspeed.runtime import config as ds_config

    # the plan's 4 ranks, as a launched job's process group would report them (DeepSpeed asserts
    # train_batch_size == micro-batch x accumulation x world size)
    monkeypatch.setattr(ds_config.dist, "get_rank", lambda *a, **k: 0)
    monkeypatch.setattr(ds_config.dist, "get_world_size", lambda *a, **k: 4)
    text = run_config(_job(plan), "deepspeed")["ds_config.json"]
    cfg = ds_config.DeepSpeedConfig(json.loads(text))
    assert cfg.world_size == 4 and cfg.train_batch_size == GLOBAL_BATCH
    job = job_plan(_job(plan))
    assert cfg.train_micro_batch_size_per_gpu == 2 and cfg.gradient_accumulation_steps == job.grad_accum
    assert cfg.zero_optimization_stage == int(job.strategy[-1]) and cfg.bfloat16_config.enabled
    assert cfg.gradient_clipping == 1.0
    if job.offload == "params":
        assert cfg.zero_config.offload_param.device == "cpu"
        assert cfg.zero_config.offload_optimizer.device == "cpu"


def test_a_fsdp_plan_has_no_deepspeed_config():
    from lifecycle.errors import InvalidInput

    with pytest.raises(InvalidInput, match="not a ZeRO stage"):
        run_config(_job("full"), "deepspeed")


@pytest.mark.torch
def test_skypilot_loads_the_task_with_l4_x4_one_node_and_the_accelerate_run():
    sky = pytest.importorskip("sky")
    import yaml

    files = run_config(_job("lora"), "skypilot")
    task = sky.Task.from_yaml_config(yaml.safe_load(files["sky_task.yaml"]))
    (resources,) = list(task.resources)
    assert resources.accelerators == {"L4": 4} and task.num_nodes == 1
    assert "accelerate launch --config_file accelerate_config.yaml" in task.run
    assert {"accelerate_config.yaml", "sft_config.yaml", "train.py"} <= set(files)


@pytest.mark.torch
def test_sixteen_gpus_are_two_machines_of_eight():
    sky = pytest.importorskip("sky")
    import yaml

    job = JobSetup(scenario=make_scenario(training_setup("lora", gpus=16), name="big"), global_batch=64)
    files = run_config(job, "skypilot")
    task = sky.Task.from_yaml_config(yaml.safe_load(files["sky_task.yaml"]))
    assert task.num_nodes == 2 and next(iter(task.resources)).accelerators == {"L4": 8}
    assert "--machine_rank $SKYPILOT_NODE_RANK" in task.run


def test_every_file_says_which_plan_and_what_it_expects():
    job = job_plan(_job("lora"))
    for fmt in ("accelerate", "deepspeed", "skypilot"):
        for name, text in run_config(job, fmt).items():
            assert job.scenario_id in text and "tokens/s" in text and "Expected per GPU" in text, name
    assert f"{job.expected_peak_allocated_bytes / 2**30:.2f} GiB" in run_config(job, "deepspeed")["ds_config.json"]


def test_a_hostile_scenario_name_stays_inside_the_comment():
    evil = 'x"""\nimport os; os.system("rm -rf /")  #\n'
    job = JobSetup(scenario=make_scenario(training_setup("lora"), name=evil), global_batch=GLOBAL_BATCH)
    files = run_config(job, "accelerate")
    import ast

    tree = ast.parse(files["train.py"])  # the name stays text: in the docstring and the PLAN string, never code
    assert not any(isinstance(n, ast.Attribute) and n.attr == "system" for n in ast.walk(tree))
    assert all(line.startswith("#") or not line.startswith("import") for line in files["sft_config.yaml"].splitlines())
