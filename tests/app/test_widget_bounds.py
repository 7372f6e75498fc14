"""A widget offers exactly the range its Setup field validates (``ui/bounds.py``), so the page and the validation
cannot disagree: no value the widget offers is refused, and no legal value is out of the widget's reach.

Issue 28: the memory planner offered 65,536 GPUs while ``TrainingSetup`` allowed 1,000,000 and the planner searched
4,096; sequence lengths stopped at 1,048,576 on one page and 10**9 in the Setup.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from lifecycle.adapt.advice import AdaptationSetup
from lifecycle.memory.setup import InferenceSetup, TrainingSetup
from lifecycle.models.prompting import PromptBudgetSetup
from lifecycle.records.project import ScopeStage
from lifecycle.scaling.pretrain_advice import PretrainDecisionSetup
from lifecycle.scaling.pretraining import PretrainingSetup
from lifecycle.serving.batching import BatchingSetup
from lifecycle.serving.ngram import GenerationSetup
from lifecycle.serving.plan import ServingSetup
from lifecycle.serving.quantization import QuantizationSetup
from lifecycle.serving.sampling import SamplingSetup
from tests.support.apptest import ok
from ui.bounds import bounds, field_bounds

ROOT = Path(__file__).resolve().parents[2]
BOTH, MAX = "both", "max"  # MAX: the widget's low end means "none" (0 = off) or the field's bound is strict (gt)

# page → (widget key or key prefix, Setup, field, which bounds must equal the field's)
WIDGETS = {
    "pages/memory_gpus.py": [
        ("memory_planner_batch", TrainingSetup, "micro_batch", BOTH), ("memory_planner_seq", TrainingSetup, "seq_len", BOTH),
        ("memory_planner_gpus", TrainingSetup, "gpus", BOTH), ("memory_planner_tp", TrainingSetup, "tp", BOTH),
        ("memory_planner_pp", TrainingSetup, "pp", BOTH), ("memory_planner_rank", TrainingSetup, "lora_rank", BOTH),
        ("memory_planner_tokens", TrainingSetup, "training_tokens", MAX), ("memory_planner_mfu", TrainingSetup, "mfu", BOTH),
        ("memory_planner_price_", TrainingSetup, "price_usd_per_hour", BOTH),
    ],
    "pages/serving_memory.py": [
        ("memory_serving_i_batch", InferenceSetup, "concurrent_sequences", BOTH),
        ("memory_serving_i_prompt", InferenceSetup, "prompt_tokens", BOTH),
        ("memory_serving_i_new", InferenceSetup, "new_tokens", BOTH), ("memory_serving_i_tp", InferenceSetup, "tp", BOTH),
    ],
    "pages/serving.py": [
        ("serving_plan_gpus", ServingSetup, "gpus", BOTH), ("serving_plan_batch", ServingSetup, "concurrent_sequences", BOTH),
        ("serving_plan_bw_", ServingSetup, "bandwidth_efficiency", MAX),
        ("serving_plan_util_", ServingSetup, "prefill_utilisation", MAX),
        ("serving_plan_price_", ServingSetup, "price_usd_per_hour", BOTH),
        ("serving_plan_arrival_rate", BatchingSetup, "arrival_rate_rps", MAX),
    ],
    "pages/generation.py": [
        ("generation_playground_temperature", SamplingSetup, "temperature", BOTH),
        ("generation_playground_temperature", GenerationSetup, "temperature", BOTH),
        ("generation_playground_top_k", SamplingSetup, "top_k", MAX),
        ("generation_playground_top_k", GenerationSetup, "top_k", MAX),
        ("generation_playground_top_p", SamplingSetup, "top_p", MAX),
        ("generation_playground_max_new", GenerationSetup, "max_new_tokens", BOTH),
        ("generation_playground_seed", SamplingSetup, "seed", BOTH),
        ("generation_playground_samples", SamplingSetup, "samples", BOTH),
        ("generation_playground_gen_seed", GenerationSetup, "seed", BOTH),
    ],
    "pages/pretrain_own.py": [
        ("pretrain_planner_gpus", PretrainingSetup, "gpus", BOTH), ("pretrain_planner_mfu", PretrainingSetup, "mfu", BOTH),
        ("pretrain_planner_price_", PretrainingSetup, "price_usd_per_hour", BOTH),
    ],
    "pages/pretrain_or_adapt.py": [
        ("pretrain_or_adapt_budget", PretrainDecisionSetup, "budget_usd", BOTH),
        ("pretrain_or_adapt_gpus", PretrainDecisionSetup, "gpus", BOTH),
        ("pretrain_or_adapt_mfu", PretrainDecisionSetup, "mfu", BOTH),
        ("pretrain_or_adapt_price_", PretrainDecisionSetup, "price_usd_per_hour", BOTH),
    ],
    "pages/adaptation_path.py": [
        ("adaptation_path_budget", AdaptationSetup, "budget_usd", BOTH), ("adaptation_path_seq", AdaptationSetup, "seq_len", BOTH),
        ("adaptation_path_gpus", AdaptationSetup, "gpus", MAX),
        ("adaptation_path_examples", AdaptationSetup, "training_examples", BOTH),
        ("adaptation_path_tokens_per_example", AdaptationSetup, "tokens_per_example", MAX),
        ("adaptation_path_batch", AdaptationSetup, "micro_batch", BOTH), ("adaptation_path_epochs", AdaptationSetup, "epochs", MAX),
        ("adaptation_path_mfu", AdaptationSetup, "mfu", BOTH),
        ("adaptation_path_price_", AdaptationSetup, "price_usd_per_hour", BOTH),
    ],
    "pages/prompt_budget.py": [("prompt_budget_input", PromptBudgetSetup, "input_tokens", BOTH)],
    "pages/quantization.py": [("quantization_demo_value", QuantizationSetup, "value", BOTH),
                              ("quantization_demo_absmax", QuantizationSetup, "absmax", MAX)],
    "pages/use_case.py": [(f"use_case_{k}", ScopeStage, f, BOTH) for k, f in (
        ("gpu_count", "gpu_count"), ("examples", "training_examples"), ("tokens_per_example", "tokens_per_example"),
        ("epochs", "epochs"), ("budget", "budget_usd"))],
}

STATE = {"pages/memory_gpus.py": {"memory_planner_method": "lora"}}  # LoRA: the rank widget shows

# Widgets whose range is deliberately not a Setup field's, with why; every other widget in ui/ with a literal
# min_value/max_value fails test_no_widget_in_ui_has_a_range_of_its_own.
OWN_RANGE = {
    ("ui/add_model.py", "Layers"), ("ui/add_model.py", "Hidden size"), ("ui/add_model.py", "Attention heads"),
    ("ui/add_model.py", "KV heads (decoders)"), ("ui/add_model.py", "FFN size"), ("ui/add_model.py", "Vocabulary"),
    ("ui/add_model.py", "Context length"),  # a typed shape: ModelShape checks it (architecture.MAX_SIZE), no Field
    ("ui/memory_gpus_inputs.py", "Encoder layers"), ("ui/memory_gpus_inputs.py", "Decoder layers"),
    ("ui/memory_gpus_inputs.py", "Layers"), ("ui/memory_gpus_inputs.py", "Hidden size"),
    ("ui/memory_gpus_inputs.py", "Attention heads"), ("ui/memory_gpus_inputs.py", "KV heads"),
    ("ui/memory_gpus_inputs.py", "FFN size"), ("ui/memory_gpus_inputs.py", "Vocabulary"),  # the same
    ("ui/pretrain_or_adapt.py", "Model size (B parameters)"),  # billions: the field is in parameters
    ("ui/pretrain_or_adapt.py", "Training tokens"),  # billions, 0 = the tokens-per-parameter rule
    ("ui/pretrain_own.py", "Budget"), ("ui/pretrain_own.py", "Parameters N (billions)"),
    ("ui/pretrain_own.py", "Training tokens D (billions)"),  # units the page converts (FLOPs, GPU-hours, USD)
    ("ui/pretrain_own.py", "Compute range (log₁₀ FLOPs)"),  # the chart's axis, not a Setup field
    ("ui/prompt_budget.py", "Tokens to leave for the output"),  # the model's window, tighter than the field
    ("ui/serving.py", "Encoder input tokens"), ("ui/serving.py", "Decoder output tokens"),  # the window
    ("ui/will_it_fit.py", "Input tokens"), ("ui/will_it_fit.py", "Long context"),  # 2: a prompt and one output token
    ("ui/quantization.py", "INT8/INT4: largest |value| in the tensor (absmax)"),  # the field is gt=0
}


def _widget(at, key: str):
    found = [w for w in (*at.number_input, *at.slider) if (w.key or "") == key or
             (key.endswith("_") and (w.key or "").startswith(key))]
    assert found, f"no widget {key!r} on the page"
    return found[0]


@pytest.mark.parametrize("page", sorted(WIDGETS))
def test_a_widget_offers_exactly_its_setup_fields_range(run_page, app_env, page):
    project = app_env.create_project("Bounds")
    at = ok(run_page(page, project=project, timeout=60, session_state=STATE.get(page)))
    wrong = []
    for key, setup, field, which in WIDGETS[page]:
        widget = _widget(at, key)
        kind = float if isinstance(field_bounds(setup, field)["le"], float) or isinstance(widget.max, float) else int
        low, high = bounds(setup, field, kind, low=widget.min if which == MAX else None)
        if (widget.min, widget.max) != (low, high):
            wrong.append(f"{key}: widget {widget.min}..{widget.max}, {setup.__name__}.{field} {low}..{high}")
    assert wrong == []


def _labels(call: ast.Call) -> str:
    first = call.args[0] if call.args else None
    if isinstance(first, ast.Constant):
        return str(first.value)
    if isinstance(first, ast.IfExp) and isinstance(first.body, ast.Constant):
        return str(first.body.value)  # "Input tokens" if …
    if isinstance(first, ast.BinOp) and isinstance(first.left, ast.Constant):
        return str(first.left.value)  # "Layers" + …
    if isinstance(first, ast.JoinedStr) and isinstance(first.values[0], ast.Constant):
        return str(first.values[0].value).split(" (")[0]  # f"Budget ({unit})"
    return ast.unparse(first) if first is not None else ""


def _own_ranges() -> list[tuple[str, str]]:
    """Number inputs and sliders in ui/ whose min or max is a number written in the call."""
    found = []
    for path in sorted((ROOT / "ui").glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                    and node.func.attr in ("number_input", "slider")):
                continue
            given = [] if any(isinstance(a, ast.Starred) for a in node.args[1:2]) else list(node.args[1:3])
            given += [k.value for k in node.keywords if k.arg in ("min_value", "max_value")]
            if any(isinstance(n, ast.Constant) and isinstance(n.value, (int, float)) and not isinstance(n.value, bool)
                   for g in given for n in ast.walk(g)):
                found.append((path.relative_to(ROOT).as_posix(), _labels(node)))
    return found


def test_no_widget_in_ui_has_a_range_of_its_own():
    """Every other bounded widget reads ``ui.bounds.bounds`` (checked above for the pages' calculators)."""
    own = _own_ranges()
    assert [w for w in own if w not in OWN_RANGE and (w[0], w[1].split(" (")[0]) not in OWN_RANGE] == []


def test_bounds_reads_the_fields_inclusive_constraints():
    """``bounds`` is the field's own ge/le (lifecycle/limits.py holds the values); ``low`` replaces a strict or
    'none' lower end; a field without an inclusive range is refused rather than guessed."""
    from lifecycle.limits import MAX_GPUS, MAX_TOKENS, MAX_TRAINING_TOKENS

    assert bounds(TrainingSetup, "gpus") == (1, MAX_GPUS) and isinstance(bounds(TrainingSetup, "gpus")[1], int)
    assert bounds(InferenceSetup, "new_tokens") == (0, MAX_TOKENS)
    assert bounds(TrainingSetup, "mfu", float) == (0.001, 1.0)
    assert bounds(TrainingSetup, "training_tokens", float, low=0.0) == (0.0, MAX_TRAINING_TOKENS)
    assert field_bounds(ServingSetup, "bandwidth_efficiency") == {"gt": 0, "le": 1}
    with pytest.raises(ValueError, match="no inclusive lower bound"):
        bounds(ServingSetup, "bandwidth_efficiency", float)
    with pytest.raises(ValueError, match="no upper bound"):
        bounds(ServingSetup, "gpu")
