"""GenAI Lifecycle Planner — the domain package (no UI).

Every calculator is one frozen Setup and one function that returns its Result; the web app, the
``lifecycle`` command line, the reports and Python callers all call those same functions::

    import lifecycle as lc

    setup = lc.TrainingSetup(model=lc.ModelRef.catalog("llama-2-7b"), method="lora", micro_batch=4,
                             seq_len=1024, gpu="a100-80gb")
    plan = lc.training_plan(setup)
    plan.estimate.peak_allocated_bytes, plan.fits, plan.min_gpus

This module is the curated public API (pinned by ``tests/unit/test_public_api.py``). Names load on first
use (PEP 562), so ``import lifecycle`` costs almost nothing; everything else lives in the subpackages
(``lifecycle.memory``, ``.scaling``, ``.models``, ``.serving``, ``.adapt``, ``.records``, ``.reports``).
"""

import importlib as _importlib
import typing as _typing

# public name -> module that defines it
_EXPORTS: dict[str, str] = {
    # which model, which GPU
    "ModelRef": "lifecycle.models.ref",
    "get_model": "lifecycle.models.catalog",
    "list_models": "lifecycle.models.catalog",
    "get_gpu": "lifecycle.models.gpus",
    "list_gpus": "lifecycle.models.gpus",
    # the calculators: Setup -> one function -> Result
    "TrainingSetup": "lifecycle.memory.setup",
    "training_plan": "lifecycle.memory.plan",
    "InferenceSetup": "lifecycle.memory.setup",
    "inference_plan": "lifecycle.memory.plan",
    "ServingSetup": "lifecycle.serving.plan",
    "serving_plan": "lifecycle.serving.plan",
    "PretrainingSetup": "lifecycle.scaling.pretraining",
    "pretraining_plan": "lifecycle.scaling.pretraining",
    "ArchitectureSetup": "lifecycle.models.advice",
    "architecture_advice": "lifecycle.models.advice",
    "PromptBudgetSetup": "lifecycle.models.prompting",
    "prompt_budget": "lifecycle.models.prompting",
    "SamplingSetup": "lifecycle.serving.sampling",
    "sampling_demo": "lifecycle.serving.sampling",
    "QuantizationSetup": "lifecycle.serving.quantization",
    "quantization_report": "lifecycle.serving.quantization",
    "AdaptationSetup": "lifecycle.adapt.advice",
    "adaptation_advice": "lifecycle.adapt.advice",
    # scaling laws, directly
    "builtin_law": "lifecycle.scaling.laws",
    "compute_optimal_allocation": "lifecycle.scaling.laws",
    # projects and reports
    "Project": "lifecycle.records.project",
    "Store": "lifecycle.records.store",
    "Identity": "lifecycle.records.access",  # who a Store acts as (Store(actor=...), store.acting_as(...))
    "Role": "lifecycle.records.access",
    "make_scenario": "lifecycle.records.scenarios",
    "choose_scenario": "lifecycle.records.plan",  # the plan: what each stage chose
    "chosen_scenario": "lifecycle.records.plan",
    "plan_consistency": "lifecycle.records.plan_check",
    "build_report": "lifecycle.reports",
    "render_report": "lifecycle.reports",
    # errors
    "LifecycleError": "lifecycle.errors",
    "InvalidInput": "lifecycle.errors",
    "NotFound": "lifecycle.errors",
    "AccessDenied": "lifecycle.errors",
}
_ALIASES = {"render_report": "render"}

# ruff's RUF022 order: classes, then functions
__all__ = sorted(_EXPORTS, key=lambda n: (0 if n[:1].isupper() else 1, n))


def __getattr__(name: str) -> _typing.Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'lifecycle' has no attribute {name!r}")
    value = getattr(_importlib.import_module(module), _ALIASES.get(name, name))
    globals()[name] = value  # later lookups skip __getattr__
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))


if _typing.TYPE_CHECKING:  # for type checkers and IDEs; never executed
    from lifecycle.adapt.advice import AdaptationSetup, adaptation_advice
    from lifecycle.errors import AccessDenied, InvalidInput, LifecycleError, NotFound
    from lifecycle.memory.plan import inference_plan, training_plan
    from lifecycle.memory.setup import InferenceSetup, TrainingSetup
    from lifecycle.models.advice import ArchitectureSetup, architecture_advice
    from lifecycle.models.catalog import get_model, list_models
    from lifecycle.models.gpus import get_gpu, list_gpus
    from lifecycle.models.prompting import PromptBudgetSetup, prompt_budget
    from lifecycle.models.ref import ModelRef
    from lifecycle.records.access import Identity, Role
    from lifecycle.records.project import Project
    from lifecycle.records.scenarios import make_scenario
    from lifecycle.records.store import Store
    from lifecycle.reports import build_report
    from lifecycle.reports import render as render_report
    from lifecycle.scaling.laws import builtin_law, compute_optimal_allocation
    from lifecycle.scaling.pretraining import PretrainingSetup, pretraining_plan
    from lifecycle.serving.plan import ServingSetup, serving_plan
    from lifecycle.serving.quantization import QuantizationSetup, quantization_report
    from lifecycle.serving.sampling import SamplingSetup, sampling_demo
