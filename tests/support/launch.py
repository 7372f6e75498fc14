"""A project with one training scenario per method, for the launch tests (every number from the planner)."""

from __future__ import annotations

from lifecycle.memory.setup import TrainingSetup
from lifecycle.models.ref import ModelRef
from lifecycle.records.project import Project
from lifecycle.records.scenarios import make_scenario

PLANS = {
    "lora": {"method": "lora", "strategy": "zero2", "lora_rank": 8, "lora_targets": ("q", "v")},
    "full": {"method": "full", "strategy": "fsdp"},
    "qlora": {"method": "qlora", "precision": "int4", "strategy": "ddp", "optimizer": "paged_adamw_32bit", "lora_rank": 16,
                  "lora_targets": ("q", "k", "v", "o")},
    "zero3-offload": {"method": "full", "strategy": "zero3", "offload": "params"},
}


def training_setup(plan: str, **fields) -> TrainingSetup:
    base = {"model": ModelRef.catalog("llama-2-7b"), "micro_batch": 2, "seq_len": 64, "gpu": "l4", "gpus": 4,
                "training_tokens": 2e8, "grad_checkpointing": True}
    return TrainingSetup(**{**base, **PLANS[plan], **fields})


def launch_project(name: str = "Launch demo", *, project: Project | None = None) -> Project:
    """The demo project (or ``project``, e.g. one just created in a store, filled in the same way)."""
    p = project if project is not None else Project(name=name)
    p.scope.training_examples, p.scope.tokens_per_example, p.scope.epochs = 50_000, 512, 2
    p.scope.input_tokens, p.scope.output_tokens = 768, 256
    p.scope.budget_usd, p.scope.latency_ms_p95, p.scope.throughput_rps = 200.0, 4000.0, 10.0
    p.select.model_id = "llama-2-7b"
    p.adapt.adaptation_path = "lora"
    p.adapt.decisions["global_batch"] = 16
    for plan in PLANS:
        p.adapt.scenarios.append(make_scenario(training_setup(plan), name=f"{plan} on 4xL4", author="ann"))
    return p
