"""From a saved training scenario to the job that runs it: one ``JobSetup`` (the scenario plus what a launch
needs that a memory plan does not — global batch, epochs, GPUs per node) and ``job_plan`` → ``JobPlan``, the
numbers every exported file is written from (micro-batch, gradient accumulation, processes, machines) and
what the planner expects of the run (per-GPU peak, tokens/s, step time, time, cost).

Tokens per second follow the planner's own time model (``memory.plan.training_plan``): ``k·N`` model FLOPs per
token (6 full, 4 LoRA; recomputation is hardware FLOPs, outside MFU — PaLM App. B) at ``mfu`` of the GPUs' dense
peak, slowed by the communication a step does not hide (``memory.communication``).
"""

from __future__ import annotations

import math

from pydantic import Field, model_validator

from lifecycle._typed import Result, Setup
from lifecycle.choices import compute_precision
from lifecycle.errors import InvalidInput
from lifecycle.limits import MAX_GLOBAL_BATCH
from lifecycle.memory.communication import communication_estimate
from lifecycle.memory.fp8 import effective_mfu
from lifecycle.memory.plan import training_plan
from lifecycle.models.gpus import get_gpu
from lifecycle.records.scenarios import TrainingScenario
from lifecycle.scaling.compute import (
    achieved_flops_per_s,
    training_flops_params,
    training_flops_per_param_token,
)

MAX_GPUS_PER_NODE = 8  # an 8-GPU server (DGX/HGX and the clouds' largest GPU instances)


class JobSetup(Setup):
    """A training scenario made into a job: ``global_batch`` sequences per optimizer step (None: one
    micro-batch per data-parallel rank, no accumulation) and ``epochs`` over the data."""

    scenario: TrainingScenario
    global_batch: int | None = Field(None, ge=1, le=MAX_GLOBAL_BATCH)
    epochs: float = Field(1.0, gt=0, le=1000)
    gpus_per_node: int = Field(MAX_GPUS_PER_NODE, ge=1, le=64)
    project: str = Field("", max_length=200)

    @model_validator(mode="after")
    def _launchable(self) -> JobSetup:
        setup = self.scenario.setup
        if setup.tp > 1 or setup.pp > 1 or setup.ep > 1:
            raise ValueError("tensor, pipeline or expert parallel plans need Megatron-style launchers; run-config "
                             "writes data-parallel jobs (DDP, ZeRO, FSDP)")
        if setup.gpu is None:
            raise ValueError("the scenario has no GPU type; choose one on Memory & GPUs and save it again")
        if setup.model.family != "decoder":
            raise ValueError(f"run-config writes causal-LM SFT jobs (TRL); {setup.model.name} is an "
                             f"{setup.model.family} model")
        dp = setup.gpus
        if self.global_batch is not None and self.global_batch % (setup.micro_batch * dp):
            raise ValueError(f"global batch {self.global_batch} is not a multiple of micro-batch {setup.micro_batch} "
                             f"x {dp} GPUs = {setup.micro_batch * dp}")
        return self


class JobPlan(Result):
    """What every exported file says, number for number, and what the planner expects of the run."""

    scenario_id: str
    scenario_name: str
    project: str
    model_name: str
    hub_id: str | None
    arch: str
    method: str
    precision: str
    mixed_precision: str  # accelerate's: "bf16", "fp16" or "no"
    strategy: str
    offload: str
    gpu_id: str
    gpu_name: str
    gpus: int
    num_machines: int
    gpus_per_node: int
    micro_batch: int
    grad_accum: int
    global_batch: int
    seq_len: int
    epochs: float
    grad_checkpointing: bool
    lora_rank: int
    lora_alpha: int
    lora_targets: list[str]  # module names (q_proj, …)
    optimizer: str  # Hugging Face TrainingArguments.optim
    mfu: float
    expected_peak_allocated_bytes: int  # per GPU
    expected_peak_reserved_bytes: int
    expected_tokens_per_s: float  # all GPUs together
    expected_step_s: float  # one optimizer step (global batch)
    expected_time_s: float | None  # the whole run (needs the scenario's training tokens)
    expected_cost_usd: float | None
    training_tokens: float | None
    price_usd_per_hour: float
    disk_gb: int  # for the SkyPilot task: weights, checkpoints, the environment


# Hugging Face TrainingArguments.optim names of the planner's optimizers (transformers OptimizerNames)
HF_OPTIM = {("adamw", "foreach"): "adamw_torch", ("adamw", "fused"): "adamw_torch_fused", "sgd": "sgd",
            "adamw_8bit": "adamw_bnb_8bit", "paged_adamw_32bit": "paged_adamw_32bit",
            "paged_adamw_8bit": "paged_adamw_8bit", "adafactor": "adafactor"}
# LoRA target short names -> the module names of Llama-style blocks (Llama, Mistral, Qwen, Gemma, …)
MODULE_NAMES = {"q": "q_proj", "k": "k_proj", "v": "v_proj", "o": "o_proj", "gate": "gate_proj",
                "up": "up_proj", "down": "down_proj"}


def mixed_precision(precision: str) -> str:
    """Accelerate's ``mixed_precision`` for a training precision: 16-bit compute where the plan has it
    (QLoRA computes in bf16 over its 4-bit base, qlora.py --bf16)."""
    return {"amp_bf16": "bf16", "bf16": "bf16", "int4": "bf16", "int8": "bf16", "amp_fp16": "fp16",
            "fp16": "fp16"}.get(precision, "no")


def job_plan(setup: JobSetup) -> JobPlan:
    """The numbers of the job for ``setup``'s scenario (recomputed from its Setup, not read from its saved result)."""
    train = setup.scenario.setup
    plan = training_plan(train)
    gpu = get_gpu(train.gpu)
    dp = train.gpus
    global_batch = setup.global_batch or train.micro_batch * dp
    grad_accum = global_batch // (train.micro_batch * dp)
    nodes = math.ceil(train.gpus / setup.gpus_per_node)
    if train.gpus % nodes:
        raise InvalidInput(f"{train.gpus} GPUs do not split evenly over {nodes} nodes of {setup.gpus_per_node}.")
    per_token = training_flops_per_param_token(train.method) * training_flops_params(train.model.shape)
    mfu = effective_mfu(train.precision, train.mfu)
    flops_per_s = achieved_flops_per_s(gpu, mfu=mfu, precision=compute_precision(train.precision)) * train.gpus
    tokens_per_s = flops_per_s / per_token / communication_estimate(train, gpu).slowdown
    step_s = global_batch * train.seq_len / tokens_per_s
    tc = plan.time_and_cost
    price = train.price_usd_per_hour if train.price_usd_per_hour is not None else gpu.price_usd_per_hour
    weights_gb = plan.estimate.params * 2 / 1e9
    optim = HF_OPTIM[("adamw", train.optimizer_impl)] if train.optimizer == "adamw" else HF_OPTIM[train.optimizer]
    return JobPlan(
        scenario_id=setup.scenario.id, scenario_name=setup.scenario.name, project=setup.project,
        model_name=train.model.name, hub_id=_hub_id(train.model), arch=train.model.shape.arch,
        method=train.method, precision=train.precision, mixed_precision=mixed_precision(train.precision),
        strategy=train.strategy, offload=train.offload, gpu_id=gpu.id, gpu_name=gpu.name, gpus=train.gpus,
        num_machines=nodes, gpus_per_node=train.gpus // nodes, micro_batch=train.micro_batch,
        grad_accum=grad_accum, global_batch=global_batch, seq_len=train.seq_len, epochs=setup.epochs,
        grad_checkpointing=train.grad_checkpointing, lora_rank=train.lora_rank, lora_alpha=2 * train.lora_rank,
        lora_targets=[MODULE_NAMES.get(t, t) for t in train.lora_targets], optimizer=optim, mfu=train.mfu,
        expected_peak_allocated_bytes=plan.estimate.peak_allocated_bytes,
        expected_peak_reserved_bytes=plan.estimate.peak_reserved_bytes,
        expected_tokens_per_s=tokens_per_s, expected_step_s=step_s,
        expected_time_s=tc.seconds if tc else None, expected_cost_usd=tc.cost_usd if tc else None,
        training_tokens=train.training_tokens, price_usd_per_hour=price,
        disk_gb=int(min(max(100, math.ceil(weights_gb * 4 / 50) * 50), 10_000)))


def _hub_id(model) -> str | None:
    if model.catalog_id is None:
        return None
    from lifecycle.models.catalog import get_model

    try:
        return getattr(get_model(model.catalog_id), "hub_id", None)
    except Exception:  # noqa: BLE001 - a model gone from the catalog: the file asks for the id instead
        return None
