"""The numbers the pre-training views show, read from Result fields (never computed in ui/), pinned to sources."""

import pytest

from lifecycle.scaling.compute import PF_DAY_FLOPS
from lifecycle.scaling.laws import builtin_law
from lifecycle.scaling.plan import plan, tokens_per_param_rule
from lifecycle.scaling.pretrain_advice import bloomberg_case, pretrain_advice, size_against_optimum
from lifecycle.scaling.pretraining import PretrainingPlan, PretrainingSetup, pretraining_plan

A100_BF16_PEAK = 312e12  # NVIDIA A100 datasheet, dense BF16 tensor


@pytest.mark.parametrize("flops, params, tokens", [(1.21e20, 1e9, 20.2e9), (1.23e22, 10e9, 205.1e9)])
def test_optimal_tokens_per_param_is_chinchilla_table_3(flops, params, tokens):
    """Hoffmann et al. 2022 Table 3 (Approach 1): 1B params on 20.2B tokens at 1.21e20 FLOPs, 10B on 205.1B at
    1.23e22. Tolerance 3 %: the table rounds its FLOPs and tokens (6·N·D reproduces its FLOPs to ~5 %)."""
    p = plan(builtin_law("chinchilla1"), compute_flops=flops)
    assert p.optimal_tokens_per_param == pytest.approx(tokens / params, rel=0.03)
    assert p.optimal_tokens_per_param == pytest.approx(p.optimal_tokens / p.optimal_params, rel=1e-12)


def test_optimal_tokens_per_param_on_kaplans_frontier_is_table_6():
    """Kaplan et al. 2020 Table 6 at C_min = 1 PF-day: N_opt = 1.3e9, D_opt = 2e10, so 15.4 tokens/param (exact)."""
    p = plan(builtin_law("kaplan"), compute_flops=PF_DAY_FLOPS)
    assert p.optimal_tokens_per_param == pytest.approx(2e10 / 1.3e9, rel=1e-9)


def test_seconds_is_the_wall_clock_of_6nd_on_the_gpus_and_none_without_a_gpu():
    """Hand-worked: GPT-3 175B (Brown 2020 Table D.1: 174.6B params, 300B tokens) on 1024 A100s at MFU 0.5 takes
    6·N·D / (1024 · 312e12 · 0.5) s = 1.967e6 s (22.8 days). Tolerance 1e-9 (same arithmetic)."""
    p = plan(builtin_law("chinchilla1"), params=174.6e9, tokens=300e9, gpu="a100-80gb", gpus=1024, mfu=0.5)
    expected = 6 * 174.6e9 * 300e9 / (1024 * A100_BF16_PEAK * 0.5)
    assert p.seconds == pytest.approx(expected, rel=1e-9)
    assert p.seconds == pytest.approx(p.days * 86_400, rel=1e-12)
    assert plan(builtin_law("chinchilla1"), params=174.6e9, tokens=300e9).seconds is None


def test_budget_pf_days_is_gpt3_table_d1():
    """Brown et al. 2020 Table D.1: GPT-3 175B's 3.14e23 FLOPs are 3,640 PF-days (1 PF-day = 8.64e19 FLOPs).
    Tolerance 0.5 %: the table prints three significant figures."""
    result = pretraining_plan(PretrainingSetup.with_builtin_laws(budget_amount=3.14e23))
    assert result.budget_pf_days == pytest.approx(3640, rel=0.005)


def test_a_plan_saved_before_the_derived_fields_existed_still_loads_and_derives_them():
    result = pretraining_plan(PretrainingSetup.with_builtin_laws(budget_amount=8.64e21, params=7e9, tokens=140e9))
    stored = result.model_dump()
    for key in ("budget_pf_days",):
        stored.pop(key)
    for p in stored["budget_plans"] + stored["model_plans"]:
        p.pop("optimal_tokens_per_param"), p.pop("seconds")
    loaded = PretrainingPlan.model_validate(stored)
    assert loaded.budget_pf_days == pytest.approx(100.0)
    assert loaded.model_plans[0].tokens_per_param == pytest.approx(20.0)
    assert loaded.budget_plans[0].seconds == pytest.approx(result.budget_plans[0].seconds)


def test_bloomberggpt_spent_half_its_budget_as_512_gpus_for_53_days_of_1_3m_gpu_hours():
    """Wu et al. 2023 (BloombergGPT): 50.6B params, 569B tokens, ~53 days on 512 A100-40GB, the size chosen for a
    1.3M GPU-hour budget (§3). The run's 6·N·D over the budget at the MFU it reached is its GPU-hours over the
    budget: 512 × 53 × 24 / 1.3e6 = 0.5010 (exact, hand-worked); 569 / 50.6 = 11.25 tokens per parameter."""
    bb = bloomberg_case()
    assert bb.budget_share_spent == pytest.approx(512 * 53 * 24 / 1.3e6, rel=1e-9)
    assert bb.tokens_per_param == pytest.approx(569 / 50.6, rel=1e-9)
    assert bb.params_share_of_optimal == pytest.approx(50.6e9 / bb.chinchilla_params, rel=1e-12)
    assert bb.tokens_share_of_optimal == pytest.approx(569e9 / bb.chinchilla_tokens, rel=1e-12)
    # the paper sized the model with Chinchilla's laws: its N is within 10 % of the Approach 1 optimum
    assert bb.params_share_of_optimal == pytest.approx(1.0, abs=0.10)


def test_the_bloomberggpt_verdict_states_its_fields():
    bb = bloomberg_case()
    text = bb.chinchilla_verdict
    assert f"{bb.chinchilla_params / 1e9:.1f}B parameters on {bb.chinchilla_tokens / 1e9:,.0f}B tokens" in text
    assert "50.6B parameters, at the optimum (96% of it)" in text
    assert "569B tokens (11.2 per parameter), 52% of the optimal data" in text
    assert "spent 50% of the budget" in text
    assert "1.3M GPU-hours" in text


@pytest.mark.parametrize("share, words", [
    (1.0, "at the optimum (100% of it)"), (1.25, "at the optimum"), (0.8, "at the optimum"),
    (1.3, "130% of the optimum (above it)"), (0.79, "79% of the optimum (below it)"),
])
def test_size_against_the_optimum_uses_the_compute_optimal_band(share, words):
    """data/trained_tokens.json: within a factor 1.25 of the optimum counts as compute-optimal (edges included)."""
    assert words in size_against_optimum(share)


def test_pretraining_cost_defaults_to_the_one_tokens_per_parameter_rule():
    """One rule for '~20 tokens per parameter' (Hoffmann 2022 Table 3, data/trained_tokens.json), read everywhere."""
    advice = pretrain_advice(target_params=3e9)
    assert tokens_per_param_rule() == 20
    assert advice.target_tokens == pytest.approx(20 * 3e9)
    assert advice.cost.flops == pytest.approx(6 * 3e9 * 60e9)
