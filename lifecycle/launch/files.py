"""``run_config(job, format)`` → the files a team hands to the real tools, each value from ``JobPlan``:

- ``accelerate``: ``accelerate_config.yaml`` (FSDP / DeepSpeed plugin / multi-GPU, mixed precision, processes,
  machines), ``sft_config.yaml`` (TRL's CLI config: SFT arguments, PEFT LoRA/QLoRA, 4-bit NF4 with double
  quantisation) and ``train.py`` (TRL SFT that reads that config and logs plan vs actual);
- ``deepspeed``: ``ds_config.json`` (ZeRO stage, offload, bf16/fp16, micro-batch, accumulation, clipping);
- ``skypilot``: ``sky_task.yaml`` (accelerators "L4:4", nodes, disk, setup and run of the accelerate job) with the
  accelerate files it runs.

Every file opens with a header naming the plan, the planner version and what the planner expects of the run.
The planner never launches anything.
"""

from __future__ import annotations

import io
import json
import zipfile
from importlib import metadata

from lifecycle.errors import InvalidInput
from lifecycle.launch import script
from lifecycle.launch.job import JobPlan, JobSetup, job_plan

FORMATS = ("accelerate", "deepspeed", "skypilot")
GRADIENT_CLIPPING = 1.0  # transformers TrainingArguments.max_grad_norm default
# SkyPilot's accelerator names for the planner's GPU ids (sky show-gpus)
SKY_ACCELERATORS = {"v100-16gb": "V100", "v100-32gb": "V100-32GB", "t4": "T4", "a10g": "A10G", "l4": "L4",
                    "l40s": "L40S", "a100-40gb": "A100", "a100-80gb": "A100-80GB", "h100-80gb": "H100",
                    "h200": "H200", "b200": "B200", "mi300x": "MI300X", "rtx-4090": "RTX4090"}


def planner_version() -> str:
    try:
        return metadata.version("genai-lifecycle-planner")
    except metadata.PackageNotFoundError:
        return "source"


def plain(text: str) -> str:
    """User text in a comment or docstring: printable characters only, no quotes or backslashes to break out."""
    return "".join(c if c.isprintable() and c not in '\\"`' else "?" for c in text)[:200]


def header_lines(job: JobPlan) -> list[str]:
    gib = 2**30
    lines = [
        (f"Written by GenAI Lifecycle Planner {planner_version()} from project '{plain(job.project)}', "
         f"training scenario '{plain(job.scenario_name)}' (id {plain(job.scenario_id)})."),
        (f"Plan: {plain(job.model_name)}, {job.method}, {job.precision}, {job.strategy} (offload {job.offload}) on "
         f"{job.gpus} x {job.gpu_name} ({job.num_machines} machine(s)); micro-batch {job.micro_batch} x "
         f"accumulation {job.grad_accum} x {job.gpus} GPUs = global batch {job.global_batch}; seq {job.seq_len}."),
        (f"Expected per GPU: peak allocated {job.expected_peak_allocated_bytes / gib:.2f} GiB, reserved "
         f"{job.expected_peak_reserved_bytes / gib:.2f} GiB; {job.expected_tokens_per_s:,.0f} tokens/s "
         f"(MFU {job.mfu:.2f}); {job.expected_step_s:.2f} s per optimizer step.")]
    if job.expected_time_s is not None and job.expected_cost_usd is not None:
        lines.append(f"Expected run: {job.expected_time_s / 3600:,.2f} h, ${job.expected_cost_usd:,.2f} at "
                     f"${job.price_usd_per_hour:.2f}/GPU-hour ({job.training_tokens:,.0f} training tokens).")
    return lines


def _commented(lines: list[str]) -> str:
    return "".join(f"# {line}\n" for line in lines)


def _yaml(data: dict) -> str:
    """YAML without a YAML dependency: JSON scalars are valid YAML; nested mappings indent by two."""
    out: list[str] = []

    def emit(obj: dict, indent: int) -> None:
        for key, value in obj.items():
            pad = " " * indent
            if isinstance(value, dict):
                out.append(f"{pad}{key}:")
                emit(value, indent + 2)
            elif isinstance(value, list):
                out.append(f"{pad}{key}: {json.dumps(value)}")
            elif isinstance(value, str) and "\n" in value:
                out.append(f"{pad}{key}: |")
                out.extend(f"{pad}  {line}" for line in value.splitlines())
            else:
                out.append(f"{pad}{key}: {json.dumps(value)}")

    emit(data, 0)
    return "\n".join(out) + "\n"


def accelerate_config(job: JobPlan) -> dict:
    """Accelerate's config file (what ``accelerate config`` writes) for the plan's strategy."""
    cfg: dict = {"compute_environment": "LOCAL_MACHINE", "debug": False, "downcast_bf16": "no",
                 "machine_rank": 0, "main_training_function": "main", "mixed_precision": job.mixed_precision,
                 "num_machines": job.num_machines, "num_processes": job.gpus, "rdzv_backend": "static",
                 "same_network": True, "use_cpu": False}
    if job.strategy in ("zero1", "zero2", "zero3"):
        cfg["distributed_type"] = "DEEPSPEED"
        cfg["deepspeed_config"] = {
            "zero_stage": int(job.strategy[-1]), "gradient_accumulation_steps": job.grad_accum,
            "gradient_clipping": GRADIENT_CLIPPING,
            "offload_optimizer_device": "cpu" if job.offload in ("optimizer", "params") else "none",
            "offload_param_device": "cpu" if job.offload == "params" else "none",
            "zero3_init_flag": job.strategy == "zero3", "zero3_save_16bit_model": job.strategy == "zero3"}
    elif job.strategy in ("fsdp", "fsdp_hybrid"):
        cfg["distributed_type"] = "FSDP"
        cfg["fsdp_config"] = {
            "fsdp_version": 2, "fsdp_auto_wrap_policy": "TRANSFORMER_BASED_WRAP",
            "fsdp_reshard_after_forward": True, "fsdp_cpu_ram_efficient_loading": True,
            # FSDP offloads parameters, gradients and optimizer states together
            "fsdp_offload_params": job.offload != "none", "fsdp_state_dict_type": "SHARDED_STATE_DICT",
            "fsdp_activation_checkpointing": job.grad_checkpointing}
        if job.strategy == "fsdp_hybrid":
            cfg["fsdp_config"].update(fsdp_version=1, fsdp_sharding_strategy="HYBRID_SHARD",
                                      fsdp_backward_prefetch="BACKWARD_PRE", fsdp_use_orig_params=True,
                                      fsdp_sync_module_states=True)
            cfg["fsdp_config"].pop("fsdp_reshard_after_forward")
    else:
        cfg["distributed_type"] = "MULTI_GPU" if job.gpus > 1 else "NO"
    cfg["gpu_ids"] = "all"
    return cfg


def sft_config(job: JobPlan) -> dict:
    """TRL's CLI config (``trl sft --config``; ``TrlParser`` over ScriptArguments, SFTConfig, ModelConfig)."""
    cfg: dict = {
        "model_name_or_path": job.hub_id or "YOUR_ORG/YOUR_MODEL", "dataset_name": "YOUR_ORG/YOUR_DATASET",
        "output_dir": "out", "max_length": job.seq_len, "packing": False,
        "per_device_train_batch_size": job.micro_batch, "gradient_accumulation_steps": job.grad_accum,
        "num_train_epochs": job.epochs, "gradient_checkpointing": job.grad_checkpointing,
        "bf16": job.mixed_precision == "bf16", "fp16": job.mixed_precision == "fp16",
        "optim": job.optimizer, "max_grad_norm": GRADIENT_CLIPPING, "learning_rate": 2e-4 if job.method != "full" else 2e-5,
        "logging_steps": 1, "save_strategy": "steps", "save_steps": 500, "report_to": "none",
        "dtype": "bfloat16" if job.mixed_precision == "bf16" else "auto"}
    if job.method in ("lora", "qlora"):
        cfg.update(use_peft=True, lora_r=job.lora_rank, lora_alpha=job.lora_alpha, lora_dropout=0.05,
                   lora_target_modules=job.lora_targets, lora_task_type="CAUSAL_LM")
    if job.method == "qlora":
        cfg.update(load_in_4bit=True, bnb_4bit_quant_type="nf4", use_bnb_nested_quant=True)
        if job.strategy in ("zero3", "fsdp", "fsdp_hybrid"):  # sharding 4-bit weights needs a float storage type
            cfg["bnb_4bit_quant_storage"] = "bfloat16"
    return cfg


def deepspeed_config(job: JobPlan) -> dict:
    """A DeepSpeed config with every batch number fixed (train = micro x accumulation x world)."""
    if job.strategy not in ("zero1", "zero2", "zero3"):
        raise InvalidInput(f"The plan uses {job.strategy}, not a ZeRO stage; export accelerate for it, or save a "
                           "ZeRO scenario for a DeepSpeed config.")
    zero: dict = {"stage": int(job.strategy[-1]), "overlap_comm": True, "contiguous_gradients": True}
    if job.offload in ("optimizer", "params"):
        zero["offload_optimizer"] = {"device": "cpu", "pin_memory": True}
    if job.offload == "params":
        zero["offload_param"] = {"device": "cpu", "pin_memory": True}
    cfg: dict = {"train_batch_size": job.global_batch, "train_micro_batch_size_per_gpu": job.micro_batch,
                 "gradient_accumulation_steps": job.grad_accum, "gradient_clipping": GRADIENT_CLIPPING,
                 "zero_optimization": zero, "bf16": {"enabled": job.mixed_precision == "bf16"},
                 "fp16": {"enabled": job.mixed_precision == "fp16"},
                 "steps_per_print": 10, "wall_clock_breakdown": False}
    return cfg


def sky_task(job: JobPlan) -> dict:
    accel = SKY_ACCELERATORS.get(job.gpu_id)
    if accel is None:
        raise InvalidInput(f"SkyPilot has no accelerator name for {job.gpu_name}; choose another GPU.")
    rank = "--machine_rank $SKYPILOT_NODE_RANK --main_process_ip $(echo \"$SKYPILOT_NODE_IPS\" | head -n1) "
    multi = rank + "--main_process_port 29500 " if job.num_machines > 1 else ""
    name = "sft-" + "".join(c if c.isalnum() and c.isascii() else "-" for c in job.scenario_id.lower())
    return {"name": name, "workdir": ".", "num_nodes": job.num_machines,
            "resources": {"accelerators": f"{accel}:{job.gpus_per_node}", "disk_size": job.disk_gb},
            "envs": {"HF_TOKEN": ""},
            "setup": "pip install 'accelerate>=1.16,<2' 'trl>=1.16,<2' 'peft>=0.21,<1' 'transformers>=5.25,<6' "
                     "'datasets' 'bitsandbytes' 'deepspeed>=0.19'",
            "run": f"accelerate launch --config_file accelerate_config.yaml --num_machines {job.num_machines} "
                   f"--num_processes {job.gpus} {multi}train.py --config sft_config.yaml"}


def run_config(setup: JobSetup | JobPlan, fmt: str) -> dict[str, str]:
    """The files (name -> text) of ``fmt`` for the job."""
    if fmt not in FORMATS:
        raise InvalidInput(f"Unknown format {fmt!r}; choose one of {', '.join(FORMATS)}.")
    job = setup if isinstance(setup, JobPlan) else job_plan(setup)
    head = _commented(header_lines(job))
    if fmt == "deepspeed":
        # JSON has no comments: the header travels as a key DeepSpeed ignores
        return {"ds_config.json": json.dumps({"_comment": header_lines(job), **deepspeed_config(job)}, indent=2) + "\n"}
    files = {"accelerate_config.yaml": head + _yaml(accelerate_config(job)),
             "sft_config.yaml": head + _yaml(sft_config(job)),
             "train.py": script.train_script(job, header_lines(job))}
    if fmt == "skypilot":
        files = {"sky_task.yaml": head + _yaml(sky_task(job)), **files}
    return files


def zip_bytes(files: dict[str, str]) -> bytes:
    """Several launch files as one .zip (the page's download, ``run-config -o FILE.zip``)."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, text in files.items():
            zf.writestr(name, text)
    return buf.getvalue()
