"""Hypothesis over the domain API and the importers: any input gives either a result with only
finite numbers or a documented LifecycleError (InvalidInput, NotFound …) with a one-line message —
never another exception, never NaN or infinity.

Modules other helpers are still writing are fuzzed when they can be imported.
"""

from __future__ import annotations

import importlib
import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from lifecycle.errors import LifecycleError
from lifecycle.records.project import Project
from lifecycle.records.transfer import EXPORT_FORMAT, export_document, parse_export
from tests.reliability._finite import outcome
from tests.reliability.conftest import FULL, scaled

CONFIGS = Path(__file__).resolve().parents[1] / "data" / "model-configs"
REAL_CONFIGS = {p.stem: json.loads(p.read_text()) for p in sorted(CONFIGS.glob("*.json"))}

settings.register_profile("reliability", max_examples=scaled(60, 600), deadline=None, derandomize=not FULL,
                          database=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
settings.load_profile("reliability")


def _optional(module: str):
    try:
        return importlib.import_module(module)
    except ImportError:
        return None


def needs(module: str):
    mod = _optional(module)
    return pytest.mark.skipif(mod is None, reason=f"{module} has not landed yet")


# Numbers a user can type or a file can hold: the awkward ones included.
awkward_floats = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from([0.0, -0.0, 1e-300, 5e-324, 1e300, -1.0, 1.0, 0.5, 1e9, 1e12, 1e25, 2**63 + 0.0]),
)
awkward_ints = st.one_of(st.integers(min_value=-(2**64), max_value=2**64),
                         st.sampled_from([0, 1, -1, 2, 7, 64, 4096, 10**9, 2**31 - 1, 2**53 + 1]))
json_values = st.recursive(
    st.none() | st.booleans() | awkward_ints | st.floats(allow_nan=False, allow_infinity=False) | st.text(max_size=30),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=4),
    max_leaves=20,
)


# ---- project documents and the JSON importer --------------------------------------------------

@given(st.one_of(st.binary(max_size=300), st.text(max_size=300), json_values.map(json.dumps)))
def test_import_of_arbitrary_bytes_is_a_list_of_documents_or_invalid_input(data):
    outcome(parse_export, data)


def _mutated_document(draw_value, path: list[str]) -> dict:
    doc = Project(name="Fuzzed").content()
    node = doc
    for key in path[:-1]:
        node = node.setdefault(key, {}) if isinstance(node, dict) else node
    if isinstance(node, dict):
        node[path[-1]] = draw_value
    return doc


DOCUMENT_PATHS = [
    ["name"], ["description"], ["schema_version"], ["archived"], ["created_at"], ["scope", "input_tokens"],
    ["scope", "latency_ms_p95"], ["scope", "data_available"], ["scope", "tasks"], ["scope", "scenarios"],
    ["select", "model_id"], ["adapt", "eval_targets"], ["integrate", "gpu_count"], ["integrate", "optimize"],
    ["scope", "decisions"], ["select", "scenarios"],
]


@given(json_values, st.sampled_from(DOCUMENT_PATHS))
def test_import_of_a_document_with_any_field_changed_validates_or_says_why(value, path):
    doc = _mutated_document(value, path)
    docs = outcome(parse_export, json.dumps({"format": EXPORT_FORMAT, "projects": [doc]}))
    if docs is not None:
        # Whatever was accepted survives a second export/import unchanged.
        again = parse_export(json.dumps(export_document([Project.model_validate(d) for d in docs])))
        assert again == docs


@given(st.text(max_size=260))
def test_any_project_name_is_stored_as_typed_in_one_spelling_or_refused(tmp_path_factory, name):
    """As typed, but in one spelling (NFC, no invisible format characters: test_text_that_lies.py)."""
    from lifecycle.records.project import normalise_name

    store = _memory_store()
    created = outcome(store.create_project, name)
    if created is not None:
        assert store.get_project(created.id).name == normalise_name(name).strip()
        assert [s.name for s in store.list_projects()] == [normalise_name(name).strip()]


_STORE = None
# A hang, not a slow machine: the refusal takes well under a second; 120 s leaves room for a loaded CI box.
HANG_S = 120


def _memory_store():
    """One in-memory SQLite store, emptied between examples (migrating per example is slow)."""
    global _STORE
    from lifecycle.records.store import Store

    if _STORE is None:
        _STORE = Store("sqlite://")
    with _STORE.session() as s:
        from lifecycle.records.orm import ProjectRow, RevisionRow

        s.query(RevisionRow).delete()
        s.query(ProjectRow).delete()
    return _STORE


# ---- model configs (config.json import) and shapes --------------------------------------------

CONFIG_KEYS = sorted({k for c in REAL_CONFIGS.values() for k, v in c.items() if isinstance(v, (int, float, str, bool))})


@given(st.sampled_from(sorted(REAL_CONFIGS)), st.dictionaries(st.sampled_from(CONFIG_KEYS), json_values, max_size=4))
def test_a_config_json_with_fields_changed_gives_a_shape_or_invalid_input(name, changes):
    from lifecycle.models.architecture import ModelShape, parameter_count

    config = {**REAL_CONFIGS[name], **changes}
    shape = outcome(ModelShape.from_config, config)
    if shape is not None:
        params = outcome(parameter_count, shape)
        assert params is None or params > 0


@given(st.one_of(st.binary(max_size=200), json_values.map(json.dumps),
                 st.sampled_from(sorted(REAL_CONFIGS)).map(lambda n: json.dumps(REAL_CONFIGS[n]))),
       st.text(max_size=40))
def test_adding_a_team_model_from_any_file_previews_or_says_why(raw, model_id):
    from lifecycle.records.custom_models import preview_custom_model

    outcome(preview_custom_model, raw, model_id=model_id)


# ---- recommendation ---------------------------------------------------------------------------

@needs("lifecycle.models.tasks")
@given(st.lists(st.one_of(st.text(max_size=20), st.sampled_from(["text-generation", "summarization",
                                                                    "text-classification", "translation"])),
                max_size=5))
def test_recommend_architecture_for_any_task_list(tasks):
    from lifecycle.models.tasks import recommend_architecture

    outcome(recommend_architecture, tasks)


@needs("lifecycle.models.tasks")
@given(st.text(max_size=300), st.integers(min_value=-3, max_value=50))
def test_suggest_tasks_for_any_use_case(text, limit):
    from lifecycle.models.tasks import suggest_tasks

    outcome(suggest_tasks, text, limit)


# ---- compute, time and cost --------------------------------------------------------------------

@given(awkward_floats, awkward_floats, st.booleans())
def test_training_flops_for_any_sizes(params, tokens, recompute):
    from lifecycle.scaling.compute import training_flops

    outcome(training_flops, params, tokens, recompute=recompute)


@given(awkward_floats, st.sampled_from(["h100-80gb", "a100-40gb", "t4", "no-such-gpu"]), awkward_ints,
       awkward_floats, st.one_of(st.none(), awkward_floats))
def test_training_time_and_cost_for_any_inputs(flops, gpu, gpus, mfu, price):
    from lifecycle.scaling.compute import training_time_and_cost

    outcome(training_time_and_cost, flops, gpu, gpus=gpus, mfu=mfu, price_usd_per_hour=price)


# ---- scaling laws, plans and fits -------------------------------------------------------------

@given(st.sampled_from(["kaplan", "chinchilla1", "chinchilla2", "chinchilla3", "epoch"]),
       st.one_of(st.none(), awkward_floats), st.one_of(st.none(), awkward_floats), st.one_of(st.none(), awkward_floats),
       st.one_of(st.none(), st.sampled_from(["h100-80gb", "a100-80gb", "nope"])))
def test_scaling_plan_for_any_budget_or_size(law_name, compute, params, tokens, gpu):
    from lifecycle.scaling.laws import builtin_law
    from lifecycle.scaling.plan import plan

    outcome(plan, builtin_law(law_name), compute_flops=compute, params=params, tokens=tokens, gpu=gpu)


@given(st.floats(0.01, 10), st.floats(1e-3, 1e5), st.floats(1e-3, 1e5), st.floats(0.01, 2), st.floats(0.01, 2),
       awkward_floats)
def test_a_user_parametric_law_allocates_any_budget_finitely(e, a, b, alpha, beta, compute):
    from lifecycle.scaling.laws import compute_optimal_allocation, make_law

    law = make_law("fuzzed", "parametric", {"E": e, "A": a, "B": b, "alpha": alpha, "beta": beta})
    outcome(compute_optimal_allocation, law, compute)


csv_cell = st.one_of(st.floats(allow_nan=True, allow_infinity=True).map(repr), st.text(max_size=6),
                     st.floats(1e6, 1e11).map(str))


@given(st.one_of(st.text(max_size=200), st.binary(max_size=200),
                 st.lists(st.tuples(csv_cell, csv_cell, csv_cell), max_size=12).map(
                     lambda rows: "params,tokens,loss\n" + "\n".join(",".join(r) for r in rows))))
@example("0\r0")  # once raised csv.Error
@example("params,tokens,loss\n1e9,2e10,nan\n")
def test_pilot_run_csv_of_any_content_reads_or_says_why(text):
    from lifecycle.scaling.law_fit import read_pilot_csv

    outcome(read_pilot_csv, text)


@pytest.mark.slow
@settings(max_examples=scaled(8, 60))
@given(st.lists(st.tuples(st.floats(1e6, 1e10), st.floats(1e8, 1e12), st.floats(1.5, 6.0)), min_size=6, max_size=14))
def test_fitting_any_valid_pilot_runs_gives_finite_constants(runs):
    from lifecycle.scaling.law_fit import fit_scaling_law, read_pilot_csv

    csv_text = "params,tokens,loss\n" + "\n".join(f"{n},{d},{loss}" for n, d, loss in runs)
    parsed = outcome(read_pilot_csv, csv_text)
    if parsed is not None:
        outcome(fit_scaling_law, parsed, bootstrap=5)


# ---- sampling ---------------------------------------------------------------------------------

@given(st.text(max_size=200))
def test_any_typed_distribution_parses_or_says_why(text):
    from lifecycle.serving.sampling import parse_distribution

    dist = outcome(parse_distribution, text)
    if dist is not None:
        assert abs(sum(dist.probs) - 1) < 1e-9


@given(st.dictionaries(st.text(min_size=1, max_size=8), st.floats(0, 1e300), min_size=1, max_size=8),
       awkward_floats, st.one_of(st.none(), awkward_ints), awkward_floats)
@example({"0": 1.0, "00": 1.0}, 5e-324, None, 1.0)  # a subnormal temperature once gave NaN probabilities
def test_temperature_top_k_top_p_on_any_distribution(weights, temperature, top_k, top_p):
    from lifecycle.serving.sampling import make_distribution, transform

    dist = outcome(make_distribution, weights)
    if dist is None:
        return
    result = outcome(transform, dist, temperature=temperature, top_k=top_k, top_p=top_p)
    if result is not None:
        assert abs(sum(result.final) - 1) < 1e-9 and result.kept_count >= 1


@given(awkward_ints, st.one_of(st.none(), awkward_ints))
def test_sampling_any_count_with_any_seed(n, seed):
    from lifecycle.serving.sampling import default_distribution, sample_frequencies

    probs = default_distribution().as_array()
    if isinstance(n, int) and n > 200_000:
        n = 200_000  # a user-typed count is capped by the widget; keep the example fast
    outcome(sample_frequencies, probs, n, seed)


# ---- quantization -----------------------------------------------------------------------------

@given(awkward_floats, st.sampled_from(["fp32", "fp16", "bf16", "int8", "int4", "fp8"]))
def test_stored_value_of_any_number_in_any_format(x, fmt):
    from lifecycle.serving.quantization import stored_value
    from tests.reliability._finite import non_finite_paths

    try:
        result = stored_value(x, fmt)
    except LifecycleError:
        return
    # Overflow to ±inf is the honest answer for a value past the format's range, and it is flagged
    # (``overflow``) so the page says so; anywhere else a non-finite number is a bug.
    allowed = {"result.stored", "result.abs_error", "result.rel_error"} if result.overflow else set()
    bad = [p for p in non_finite_paths(result) if p.split(" = ")[0] not in allowed]
    assert not bad, bad


@given(awkward_ints)
def test_quantization_table_for_any_parameter_count(params):
    from lifecycle.serving.quantization import quantization_table

    outcome(quantization_table, params)


# ---- memory (issue 3) -------------------------------------------------------------------------

MEMORY = _optional("lifecycle.memory.estimate")
INFERENCE = _optional("lifecycle.memory.inference")
memory_kwargs = st.fixed_dictionaries({}, optional={
    "precision": st.sampled_from(["fp32", "amp_bf16", "bf16", "fp16", "int8", "int4", "nope"]),
    "method": st.sampled_from(["full", "lora", "qlora", "nope"]),
    "lora_rank": awkward_ints, "batch": awkward_ints, "seq": awkward_ints,
    "grad_checkpointing": st.booleans(), "attention": st.sampled_from(["sdpa", "eager", "nope"]),
    "gpus": awkward_ints, "strategy": st.sampled_from(["ddp", "zero1", "zero2", "zero3", "fsdp", "nope"]),
    "tp": awkward_ints, "pp": awkward_ints,
})


@pytest.mark.skipif(MEMORY is None, reason="lifecycle.memory.estimate has not landed yet")
@given(st.sampled_from(sorted(REAL_CONFIGS)), memory_kwargs)
def test_training_memory_for_any_settings(name, kwargs):
    from lifecycle.models.architecture import ModelShape
    from tests.support.memory import train

    shape = ModelShape.from_config(REAL_CONFIGS[name])
    est = outcome(train, shape, **kwargs)  # through the TrainingSetup: the boundary every caller uses
    if est is not None:
        assert est.peak_allocated_bytes > 0 and est.peak_reserved_bytes >= est.peak_allocated_bytes


@pytest.mark.skipif(MEMORY is None, reason="lifecycle.memory.estimate has not landed yet")
@given(st.sampled_from(sorted(REAL_CONFIGS)), st.fixed_dictionaries({}, optional={
    "precision": st.sampled_from(["fp32", "bf16", "fp16", "int8", "int4", "nope"]),
    "batch": awkward_ints, "prompt_tokens": awkward_ints, "new_tokens": awkward_ints, "tp": awkward_ints,
    "attention": st.sampled_from(["sdpa", "eager", "nope"])}))
@example("bart-large", {"batch": 1, "precision": "int8", "tp": 459991041})  # once a KeyError
def test_inference_memory_for_any_settings(name, kwargs):
    from lifecycle.models.architecture import ModelShape
    from tests.support.memory import infer

    shape = ModelShape.from_config(REAL_CONFIGS[name])
    est = outcome(infer, shape, **kwargs)
    if est is not None:
        assert est.peak_allocated_bytes > 0


@pytest.mark.skipif(MEMORY is None, reason="lifecycle.memory.estimate has not landed yet")
@settings(max_examples=scaled(25, 200))
@given(st.sampled_from(sorted(REAL_CONFIGS)), st.sampled_from(["h100-80gb", "t4", "a100-40gb", "nope"]),
       memory_kwargs)
def test_fewest_gpus_for_any_settings(name, gpu, kwargs):
    from lifecycle.memory.gpu_count import min_gpus
    from lifecycle.models.architecture import ModelShape
    from lifecycle.models.gpus import get_gpu

    shape = ModelShape.from_config(REAL_CONFIGS[name])
    gpu = outcome(get_gpu, gpu)
    if gpu is None:
        return
    # Non-positive tp/pp are covered (with a time limit) by the next test: they must not loop forever.
    kwargs = {k: (max(1, min(int(v), 64)) if k in ("tp", "pp") else v) for k, v in kwargs.items() if k != "gpus"}
    from tests.support.memory import train_setup

    setup = outcome(train_setup, shape, **kwargs)
    if setup is None:
        return
    found = outcome(min_gpus, setup, gpu)
    if found is not None and found[0] is not None:
        assert found[0] >= 1 and found[1].peak_allocated_bytes > 0


@pytest.mark.subprocess
@pytest.mark.skipif(MEMORY is None, reason="lifecycle.memory.estimate has not landed yet")
@pytest.mark.parametrize("parallel", [{"tp": -1}, {"pp": 0}])
def test_fewest_gpus_with_a_non_positive_parallel_degree_answers_promptly(parallel):
    """Run in a child process with a time limit: a search that never ends must fail the test, not hang CI."""
    import subprocess
    import sys

    code = ("from lifecycle.models.catalog import get_model\n"
            "from lifecycle.errors import LifecycleError\n"
            "from lifecycle.models.gpus import get_gpu\n"
            "from lifecycle.memory.gpu_count import min_gpus\n"
            "from lifecycle.memory.setup import TrainingSetup\n"
            "try:\n"
            f"    min_gpus(TrainingSetup.for_shape(get_model('gpt2-xl').shape, strategy='zero3', **{parallel!r}),\n"
            "             get_gpu('t4'))\n"
            "except LifecycleError as exc:\n"
            "    print('refused:', exc)\n")
    try:
        proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=HANG_S, check=False,
                              cwd=str(CONFIGS.parents[2]))
    except subprocess.TimeoutExpired:
        pytest.fail(f"min_gpus(..., {parallel}) was still searching after {HANG_S} s (it should raise InvalidInput)")
    assert proc.returncode == 0, proc.stderr[-2000:]


@needs("lifecycle.memory.grid")
@settings(max_examples=scaled(25, 200))
@given(st.sampled_from(sorted(REAL_CONFIGS)), st.lists(awkward_ints, min_size=1, max_size=3),
       st.lists(awkward_ints, min_size=1, max_size=3), st.lists(awkward_ints, min_size=1, max_size=3),
       st.booleans())
def test_memory_grid_for_any_axes(name, batches, seqs, gpu_counts, ckpt):
    """The grid marks impossible (strategy, GPU count) pairs NaN by design; everything else is finite."""
    import numpy as np

    from lifecycle.memory.grid import training_memory_grid
    from lifecycle.memory.setup import TrainingSetup
    from lifecycle.models.architecture import ModelShape

    shape = ModelShape.from_config(REAL_CONFIGS[name])
    try:
        grid = training_memory_grid(TrainingSetup.for_shape(shape, grad_checkpointing=ckpt), batches=batches,
                                    seqs=seqs, gpu_counts=gpu_counts, strategies=("ddp", "zero3"))
    except LifecycleError:
        return
    allocated = grid["peak_allocated_bytes"]
    assert not np.isinf(allocated).any()
    assert (allocated[~np.isnan(allocated)] > 0).all()


@needs("lifecycle.serving.plan")
@settings(max_examples=scaled(20, 300))
@given(st.sampled_from(["llama-2-7b", "gpt2-small", "bert-base-uncased", "flan-t5-xl", "no-such-model"]),
       st.fixed_dictionaries({}, optional={
           "precision": st.sampled_from(["bf16", "fp16", "int8", "int4", "fp32", "nope"]),
           "gpu": st.sampled_from(["h100-80gb", "t4", "l4", "nope"]), "gpus": awkward_ints, "batch": awkward_ints,
           "prompt_tokens": awkward_ints, "new_tokens": awkward_ints,
           "bandwidth_efficiency": st.one_of(st.none(), awkward_floats),
           "per_layer_overhead_s": st.one_of(st.none(), awkward_floats),
           "prefill_utilisation": st.one_of(st.none(), awkward_floats),
           "price_usd_per_hour": st.one_of(st.none(), awkward_floats)}))
def test_serving_plan_for_any_settings(model, kwargs):
    from tests.support.serving import plan

    outcome(plan, model, **kwargs)  # through the ServingSetup, with the largest batch/context searches


@needs("lifecycle.scaling.pretrain_advice")
@given(st.sampled_from(["general", "finance", "medical", "legal", "code", "x"]),
       st.one_of(st.none(), st.sampled_from(["none", "few", "thousands", "billions", "lots"])),
       st.one_of(st.none(), awkward_floats), awkward_floats, st.one_of(st.none(), awkward_floats),
       st.one_of(st.none(), awkward_floats), awkward_ints)
@example("general", None, 1000.0, 7e9, None, 0.0, 8)  # a free GPU-hour: ZeroDivisionError
def test_pretrain_advice_for_any_inputs(domain, data, budget, target_params, target_tokens, price, gpus):
    from lifecycle.scaling.pretrain_advice import pretrain_advice

    outcome(pretrain_advice, domain=domain, data_available=data, budget_usd=budget, target_params=target_params,
            target_tokens=target_tokens, price_usd_per_hour=price, gpus=gpus)


def test_outcome_helper_rejects_what_it_should():
    """The helper itself: a NaN result and a non-Lifecycle exception both fail."""
    with pytest.raises(AssertionError):
        outcome(lambda: {"x": float("nan")})
    with pytest.raises(ZeroDivisionError):
        outcome(lambda: 1 / 0)
    assert outcome(lambda: (_ for _ in ()).throw(LifecycleError("bad input"))) is None
