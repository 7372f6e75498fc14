"""The public surface of ``lifecycle`` is deliberate (httpx style): this test pins it."""

import importlib
import pkgutil
import re
import subprocess
import sys
from pathlib import Path

import pytest

import lifecycle

ROOT = Path(__file__).resolve().parents[2]


def _isort_style(name: str) -> tuple[int, str]:
    # ruff's RUF022 order: CONSTANTS, then Classes, then functions.
    return (0 if name.isupper() else 1 if name[:1].isupper() else 2, name)


def test_all_is_sorted_and_every_name_exists():
    assert lifecycle.__all__ == sorted(lifecycle.__all__, key=_isort_style)
    assert len(lifecycle.__all__) == len(set(lifecycle.__all__))
    for name in lifecycle.__all__:
        assert hasattr(lifecycle, name), name


# The curated API: the calculators (one Setup, one function each), model and GPU lookup, projects,
# reports and errors. Adding a name is a decision; this list makes it a visible one.
PUBLIC = {
    "ModelRef", "get_model", "list_models", "get_gpu", "list_gpus",
    "TrainingSetup", "training_plan", "InferenceSetup", "inference_plan", "ServingSetup", "serving_plan",
    "PretrainingSetup", "pretraining_plan", "ArchitectureSetup", "architecture_advice",
    "PromptBudgetSetup", "prompt_budget", "SamplingSetup", "sampling_demo", "QuantizationSetup",
    "quantization_report", "AdaptationSetup", "adaptation_advice", "builtin_law", "compute_optimal_allocation",
    "Project", "Store", "Identity", "Role", "make_scenario", "build_report", "render_report",
    "choose_scenario", "chosen_scenario", "plan_consistency",
    "LifecycleError", "InvalidInput", "NotFound", "AccessDenied",
}


def test_the_public_api_is_exactly_the_curated_list():
    assert set(lifecycle.__all__) == PUBLIC


def test_every_public_member_is_exported():
    public = {n for n, v in vars(lifecycle).items()
              if not n.startswith("_") and not isinstance(v, type(lifecycle))}
    assert public <= set(lifecycle.__all__)  # names appear in the module as they are first used


@pytest.mark.subprocess
def test_importing_lifecycle_loads_none_of_the_heavy_libraries():
    """Names load on first use: ``import lifecycle`` must not pull in the database, science or chart stacks."""
    code = ("import sys, lifecycle; heavy = ('sqlalchemy', 'scipy', 'pandas', 'plotly', 'numpy', 'pydantic', "
            "'jinja2', 'weasyprint', 'tokenizers', 'ml_dtypes'); print([m for m in heavy if m in sys.modules])")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    assert out.stdout.strip() == "[]"


def test_calling_through_the_public_api_gives_the_calculators_answer():
    setup = lifecycle.TrainingSetup(model=lifecycle.ModelRef.catalog("llama-2-7b"), method="lora", micro_batch=4,
                                    seq_len=1024, gpu="a100-80gb")
    plan = lifecycle.training_plan(setup)
    from lifecycle.memory.estimate import training_memory

    assert plan.estimate == training_memory(setup) and plan.fits is True


def test_domain_package_never_imports_streamlit():
    for path in (ROOT / "lifecycle").rglob("*.py"):
        text = path.read_text()
        assert not re.search(r"^\s*(import streamlit|from streamlit)", text, re.MULTILINE), path


def test_every_module_imports():
    for info in pkgutil.walk_packages(lifecycle.__path__, "lifecycle."):
        if not info.name.endswith("__main__"):
            importlib.import_module(info.name)
