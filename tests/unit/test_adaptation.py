"""Adaptation options: sizing with the memory planner, time against measured H200 training steps, and the path advice."""

from pathlib import Path

import pytest

from lifecycle.adapt.advice import recommend_path, wants_alignment
from lifecycle.adapt.path import (
    get_option,
    list_options,
    option_flops,
    required_bytes,
    role_estimates,
    size_option,
)
from lifecycle.errors import InvalidInput, NotFound
from lifecycle.models.architecture import flop_parameter_count
from lifecycle.models.catalog import get_model
from lifecycle.models.gpus import get_gpu
from lifecycle.models.ref import ModelRef
from lifecycle.records.project import ScopeStage
from lifecycle.scaling.compute import DEFAULT_MFU, training_time_and_cost
from tests.support.memory import infer, train

ROOT = Path(__file__).resolve().parents[2]
# Fastest training step of three on one H200 (shared/ground-truth/h200-measurements.jsonl, "train" rows):
# (name, mode, batch, seq, step_s). LoRA rows: frozen bf16 base, rank 16 on q,v.
MEASURED_STEPS = [
    ("llama-7b", "lora", 4, 1024, 0.28756),
    ("llama3-8b", "lora", 4, 1024, 0.29695),
    ("llama-7b", "bf16", 1, 2048, 0.21800),
]


def test_options_climb_the_ladder_and_cite_their_numbers():
    ids = [o.id for o in list_options()]
    assert ids == ["prompting", "lora", "qlora", "full", "dpo", "rlhf"]
    for o in list_options():
        assert o.examples_source and o.risk_source and o.risk_level in ("low", "medium", "high")
    assert get_option("rlhf").examples_typical == 31_000  # InstructGPT PPO prompts (Ouyang et al. 2022 §3.2)


def test_ppo_holds_policy_value_reference_and_reward_models():
    shape = get_model("llama-2-7b").shape
    est = role_estimates("rlhf", ModelRef.catalog("llama-2-7b"), 4, seq=1024, batch=1, grad_checkpointing=True)
    assert set(est) == {"policy (training)", "value (training)", "reference (frozen)", "reward (frozen)"}
    policy = train(shape, precision="amp_bf16", method="full", batch=1, seq=1024,
                             grad_checkpointing=True, gpus=4, strategy="zero3")
    assert est["policy (training)"].peak_reserved_bytes == policy.peak_reserved_bytes
    frozen = infer(shape, precision="bf16", batch=1, prompt_tokens=1024, tp=4)
    assert est["reward (frozen)"].peak_reserved_bytes == frozen.peak_reserved_bytes
    # Shared GPUs: reserved memory adds up, the CUDA context is paid once.
    total = required_bytes(est)
    assert total == sum(e.peak_reserved_bytes for e in est.values()) + policy.cuda_context_bytes


def test_gpu_counts_grow_along_the_ladder_for_a_7b_model():
    sizes = {o.id: size_option(o.id, "llama-2-7b", "a100-80gb", seq=1024, batch=1) for o in list_options()}
    assert sizes["prompting"].gpus == sizes["qlora"].gpus == 1
    assert sizes["qlora"].required_bytes_per_gpu < sizes["lora"].required_bytes_per_gpu < sizes["full"].required_bytes_per_gpu
    assert sizes["rlhf"].gpus >= sizes["dpo"].gpus >= sizes["full"].gpus >= 1
    for s in sizes.values():
        assert s.required_bytes_per_gpu <= get_gpu("a100-80gb").memory_bytes


def test_qlora_fits_a_65b_model_on_one_48gb_class_gpu_as_the_paper_reports():
    # Dettmers et al. 2023 abstract: "finetune a 65B parameter model on a single 48GB GPU".
    s = size_option("qlora", "llama-65b", "l40s", seq=512, batch=1)
    assert s.gpus == 1


@pytest.mark.parametrize("name, mode, batch, seq, step_s", MEASURED_STEPS)
def test_training_time_model_matches_measured_h200_steps_within_15_percent(name, mode, batch, seq, step_s):
    m = get_model(name)
    option = "lora" if mode == "lora" else "full"
    flops = option_flops(option, m.params, examples=batch, seq=seq, epochs=1, response_tokens=0)
    t = training_time_and_cost(flops, "h200", gpus=1, mfu=DEFAULT_MFU)
    assert t.seconds == pytest.approx(step_s, rel=0.15)


def test_flops_per_token_follow_the_stated_multipliers():
    n, ex, seq = 1e9, 100, 1000
    assert option_flops("full", n, ex, seq, 1, 0) == 6 * n * ex * seq
    assert option_flops("lora", n, ex, seq, 1, 0) == 4 * n * ex * seq
    assert option_flops("dpo", n, ex, seq, 2, 0) == 16 * n * ex * seq * 2
    assert option_flops("prompting", n, ex, seq, 1, 0) == 0
    rlhf = option_flops("rlhf", n, ex, seq, 1, 200)
    assert rlhf == 6 * n * 13_000 * seq + 6 * n * 2 * 33_000 * seq + 20 * n * ex * (seq + 200)


def test_time_and_cost_scale_with_examples():
    a = size_option("lora", "llama-2-7b", "h100-80gb", examples=1_000)
    b = size_option("lora", "llama-2-7b", "h100-80gb", examples=2_000)
    assert b.seconds == pytest.approx(2 * a.seconds) and b.cost_usd == pytest.approx(2 * a.cost_usd)


def test_bad_sizing_input():
    with pytest.raises(InvalidInput):
        size_option("lora", "llama-2-7b", "h100-80gb", examples=-1)
    with pytest.raises(NotFound):
        size_option("magic", "llama-2-7b", "h100-80gb")


@pytest.mark.parametrize("scope, primary, path", [
    (ScopeStage(data_available="none"), "prompting", ["prompting"]),
    (ScopeStage(data_available="few"), "lora", ["prompting", "lora"]),
    (ScopeStage(data_available="thousands", budget_usd=200), "qlora", ["prompting", "qlora"]),
    (ScopeStage(data_available="thousands", domain="medical"), "full", ["prompting", "lora", "full"]),
    (ScopeStage(data_available="billions"), "full", ["prompting", "lora", "full"]),
    (ScopeStage(data_available="thousands", tasks=["chat"]), "dpo", ["prompting", "lora", "dpo"]),
    (ScopeStage(data_available="none", quality_bar="safe and on-brand tone"), "prompting", ["prompting", "lora", "dpo"]),
])
def test_path_follows_the_scope_answers(scope, primary, path):
    advice = recommend_path(scope)
    assert advice.primary == primary and advice.path == path
    assert advice.reasons and len(advice.options) == 6


def test_alignment_is_suggested_by_behavioural_quality_bars():
    assert wants_alignment(ScopeStage(quality_bar="Helpful and harmless"))
    assert not wants_alignment(ScopeStage(quality_bar="F1 above 0.9 on our tickets"))


def test_advice_with_a_model_sizes_every_option_and_flags_the_budget():
    advice = recommend_path(ScopeStage(data_available="thousands", tasks=["chat"], budget_usd=1),
                            model="llama-2-7b", gpu="h100-80gb")
    by_id = {o.id: o for o in advice.options}
    assert all(o.sizing is not None for o in advice.options)
    assert by_id["dpo"].over_budget and not by_id["prompting"].over_budget
    assert by_id["rlhf"].status == "possible"


def test_encoders_are_fine_tuned_not_prompted_or_aligned():
    advice = recommend_path(ScopeStage(data_available="thousands", tasks=["chat"]), model="bert-base-uncased",
                            gpu="t4")
    assert advice.primary == "full" and advice.path == ["full"]
    by_id = {o.id: o for o in advice.options}
    assert {by_id[i].status for i in ("prompting", "dpo", "rlhf")} == {"not advised"}
    assert by_id["full"].sizing.gpus == 1


@pytest.mark.parametrize("method", ["lora", "qlora", "full"])
@pytest.mark.parametrize("checkpointing", [False, True])
def test_training_flops_are_the_same_in_the_adaptation_path_and_the_memory_planner(method, checkpointing):
    """Hu et al. 2021 (LoRA) §4.2: the frozen base needs no weight gradients, so a step is forward 2N + backward
    through the activations 2N = 4N per token (Kaplan et al. 2020 §2.1: 6N when every weight trains). These are
    model FLOPs; the recomputed forward of checkpointing (+2N) is hardware FLOPs, which MFU does not count (PaLM,
    Chowdhery et al. 2022, App. B), so time and cost do not change with it. Both views price the same step."""
    from lifecycle.memory.plan import training_plan
    from lifecycle.memory.setup import TrainingSetup
    from lifecycle.models.ref import ModelRef

    m = get_model("llama-2-7b")
    tokens = 1000 * 512
    n = flop_parameter_count(m.shape)  # FLOPs count no input-embedding lookup (issue 26): both views agree on it
    assert n == m.params - 32000 * 4096
    path = option_flops(method, n, 1000, 512, 1, 0)
    precision = "int4" if method == "qlora" else "amp_bf16"
    planner = training_plan(TrainingSetup(model=ModelRef.catalog("llama-2-7b"), method=method, precision=precision,
                                          seq_len=512, grad_checkpointing=checkpointing, training_tokens=tokens))
    assert planner.training_flops == pytest.approx(path)
    assert path == {"full": 6, "lora": 4, "qlora": 4}[method] * n * tokens
    assert planner.hardware_flops == pytest.approx(path + checkpointing * 2 * n * tokens)


@pytest.mark.parametrize("model_id", ["mixtral-8x7b", "qwen3-30b-a3b"])
def test_a_mixture_of_experts_costs_its_active_parameters_on_both_pages(model_id):
    """Fedus et al. 2022 (Switch Transformer) §2: a token's FLOPs are those of the experts it is routed to, so
    C = 6·N_active·D; Mixtral-8x7B has 12.9B active of 46.7B (Jiang et al. 2024 §2), Qwen3-30B-A3B 3.3B of 30.5B
    (model card). The Adaptation path used the total count (x3.6 and x9.1); now both pages call
    ``training_flops_params`` (active, without the input-embedding lookup: Kaplan et al. 2020 §2.1)."""
    from lifecycle.adapt.path import size_option
    from lifecycle.memory.plan import training_plan
    from lifecycle.memory.setup import TrainingSetup
    from lifecycle.models.ref import ModelRef

    ref = ModelRef.catalog(model_id)
    sizing = size_option("lora", ref, "h100-80gb", examples=1000, seq=512, epochs=1)
    planner = training_plan(TrainingSetup(model=ref, method="lora", precision="amp_bf16", seq_len=512,
                                          training_tokens=1000 * 512))
    assert sizing.flops == pytest.approx(planner.training_flops)
    assert sizing.flops == pytest.approx(4 * flop_parameter_count(ref.shape) * 1000 * 512)
    assert flop_parameter_count(ref.shape) < ref.params / 3
