"""Plans, verdicts and published tables recomputed from formulas."""

import pytest

from lifecycle.errors import InvalidInput
from lifecycle.scaling.laws import builtin_law
from lifecycle.scaling.plan import (
    gpt3_table_d1,
    gpt3_table_d1_footnote,
    plan,
    tokens_per_param_rule,
    trained_vs_optimal,
    training_verdict,
)


def test_gpt3_table_d1_pf_days_within_1_percent():
    rows = gpt3_table_d1()
    assert len(rows) == 17
    for r in rows:
        assert r["flops_computed"] == pytest.approx(r["flops"], rel=0.01), r["model"]
        assert r["pf_days_computed"] == pytest.approx(r["pf_days"], rel=0.01), r["model"]
    t5 = [r for r in rows if r["model"].startswith("T5")]
    assert t5 and all(r["flops_per_param_per_token"] == 3 for r in t5)
    assert "half" in gpt3_table_d1_footnote()


def test_seed_table_verdicts():
    rows = {r["model"]: r for r in trained_vs_optimal()}
    assert tokens_per_param_rule() == 20
    assert rows["Chinchilla"]["verdict"] == "compute-optimal"
    assert rows["LLaMA-65B"]["verdict"] == "compute-optimal"
    for m in ("GPT-3 175B", "OPT-175B", "BLOOM 176B", "Gopher 280B"):
        assert rows[m]["verdict"] == "under-trained" and rows[m]["epoch_verdict"] == "under-trained"
    for m in ("Llama 2 7B", "Llama 2 70B", "Llama 3 8B", "Llama 3 70B"):
        assert rows[m]["verdict"] == "over-trained" and rows[m]["chinchilla1_verdict"] == "over-trained"
    # Llama 3 8B: 15T / 8B = 1875 tokens per parameter, ~94x the 20:1 ratio
    assert rows["Llama 3 8B"]["tokens_per_param"] == pytest.approx(1875)
    assert rows["Llama 3 8B"]["ratio_to_20_rule"] == pytest.approx(93.75)
    # the 20x rule gives the seed's "optimal" tokens: 1.4T for Chinchilla, 3.5T for GPT-3
    assert rows["Chinchilla"]["optimal_tokens_20_rule"] == pytest.approx(1.4e12)
    assert rows["GPT-3 175B"]["optimal_tokens_20_rule"] == pytest.approx(3.492e12)


def test_verdict_band_edges():
    assert training_verdict(20) == "compute-optimal"
    assert training_verdict(15.9) == "under-trained"
    assert training_verdict(25.1) == "over-trained"
    assert training_verdict(25.1, optimal_tokens_per_param=30) == "compute-optimal"


def test_plan_from_compute_uses_the_laws_optimum_and_the_gpu():
    p = plan(builtin_law("chinchilla3"), compute_flops=5.76e23, gpu="a100-80gb", gpus=1024, mfu=0.5)
    assert p.params == pytest.approx(32.1899e9, rel=1e-4)
    assert p.tokens_per_param == pytest.approx(92.65, rel=1e-3)
    assert p.loss == pytest.approx(1.93075, abs=1e-5)
    assert p.pf_days == pytest.approx(5.76e23 / 8.64e19)
    assert p.gpu_hours == pytest.approx(5.76e23 / (312e12 * 0.5) / 3600)
    assert p.days == pytest.approx(p.gpu_hours / 1024 / 24)


def test_plan_from_params_and_tokens_predicts_loss_and_verdict():
    p = plan(builtin_law("epoch"), params=70e9, tokens=1.4e12)
    assert p.compute_flops == pytest.approx(5.88e23)
    assert p.tokens_per_param == pytest.approx(20)
    assert p.verdict == "compute-optimal" and p.verdict_20_rule == "compute-optimal"
    assert p.loss == pytest.approx(1.8172 + 482.01 / 70e9**0.3478 + 2085.43 / 1.4e12**0.3658)
    k = plan(builtin_law("kaplan"), params=1e9, tokens=1e10)
    assert k.loss == pytest.approx(2.41965, abs=1e-5) and "non-embedding" in k.kaplan_note


def test_plan_power_law_has_no_loss():
    # Hoffmann App. D.4: at 1e21 FLOPs Approach 1 gives 2.86B parameters
    p = plan(builtin_law("chinchilla1"), compute_flops=1e21)
    assert p.loss is None and p.params == pytest.approx(2.86e9, rel=0.01)


@pytest.mark.parametrize("kwargs", [{}, {"params": 1e9}, {"compute_flops": 1e20, "params": 1e9, "tokens": 1e9},
                                    {"compute_flops": 0}, {"compute_flops": 1e20, "gpu": "nope"}])
def test_bad_plans_are_rejected(kwargs):
    with pytest.raises(Exception) as info:
        plan(builtin_law("epoch"), **kwargs)
    assert isinstance(info.value, (InvalidInput, LookupError))


def test_kaplan_budget_plan_carries_table_6_batch_and_steps():
    p = plan(builtin_law("kaplan"), compute_flops=8.64e19)  # 1 PF-day
    assert p.params == pytest.approx(1.3e9) and p.kaplan_batch_tokens == pytest.approx(2e6)
    assert p.kaplan_steps == pytest.approx(5.4e3)
    assert p.loss == pytest.approx(2.65808, abs=1e-5)  # Eq 1.3 L(C_min = 1 PF-day)


def test_kaplan_table_6_plan_says_why_its_6nd_exceeds_the_budget():
    """Kaplan et al. 2020, Table 6: N_opt = 1.3e9·C^0.73, D_opt = 2.0e10·C^0.27 (C in PF-days), so
    6·N·D = 6·1.3e9·2.0e10·C / 8.64e19 = 1.806·C. Eq. 5.5: C_min = C / (1 + B/B_crit) — the tokens D_opt
    are those of training at the critical batch, which costs 2·C_min."""
    from lifecycle.scaling.compute import training_flops
    from lifecycle.scaling.laws import builtin_law
    from lifecycle.scaling.plan import plan

    p = plan(builtin_law("kaplan"), compute_flops=1e22)
    spent = training_flops(p.params, p.tokens) / 1e22
    assert spent == pytest.approx(6 * 1.3e9 * 2.0e10 / 8.64e19, rel=0.01)
    assert f"{spent:.2f}x the budget" in p.kaplan_budget_note and "eq. 5.5" in p.kaplan_budget_note
    assert plan(builtin_law("chinchilla3"), compute_flops=1e22).kaplan_budget_note is None


def test_verdict_band_edges_are_compute_optimal():
    """data/trained_tokens.json: within a factor 1.25 of the optimum, edges included: 16 and 25 tokens/param."""
    assert training_verdict(16) == "compute-optimal" and training_verdict(25) == "compute-optimal"
    assert training_verdict(24, optimal_tokens_per_param=30) == "compute-optimal"  # 30 / 1.25 = 24
    assert training_verdict(23.9, optimal_tokens_per_param=30) == "under-trained"


@pytest.mark.parametrize("kwargs, message", [
    ({}, "Give a compute budget, or both parameters and tokens"),
    ({"params": 1e9}, "Give a compute budget, or both parameters and tokens"),
    ({"compute_flops": 1e20, "params": 1e9}, "^Give either a compute budget or parameters and tokens, not both"),
    ({"compute_flops": 1e20, "tokens": 1e9}, "^Give either a compute budget or parameters and tokens, not both"),
    ({"compute_flops": 0}, "Compute must be positive, got 0"),
    ({"compute_flops": 9.9e5}, "below any training run the laws describe; give at least 1e\\+06 FLOPs"),
    ({"params": 0.5, "tokens": 1e9}, "must each be at least 1 \\(got 0.5 and 1e\\+09\\)"),
    ({"params": 10, "tokens": 10}, "10 parameters on 10 tokens is 600 FLOPs, below any training run"),
])
def test_bad_plans_say_what_is_wrong(kwargs, message):
    with pytest.raises(InvalidInput, match=message):
        plan(builtin_law("epoch"), **kwargs)


def test_the_smallest_plans_allowed_are_at_the_limit():
    assert plan(builtin_law("epoch"), compute_flops=1e6).compute_flops == 1e6
    assert plan(builtin_law("epoch"), params=1, tokens=1e6 / 6).compute_flops == pytest.approx(1e6)
    from lifecycle.scaling.plan import compute_for_optimal_params

    with pytest.raises(InvalidInput, match="Parameters must be positive"):
        compute_for_optimal_params(builtin_law("epoch"), 0)


def test_a_budget_plan_judges_itself_against_its_law_and_the_20_rule():
    """Approach 3's rounded constants put 92.65 tokens/param at the Gopher budget (reference §2): optimal by its own
    law, over-trained by ~20:1; the plan's loss is the law's optimum (1.93075)."""
    p = plan(builtin_law("chinchilla3"), compute_flops=5.76e23)
    assert p.verdict == "compute-optimal" and p.verdict_20_rule == "over-trained"
    assert p.loss == pytest.approx(1.93075, abs=1e-5) and p.optimal_loss == pytest.approx(p.loss, rel=1e-12)
    assert (p.optimal_params, p.optimal_tokens) == pytest.approx((p.params, p.tokens), rel=1e-12)
    assert p.law == "chinchilla3" and p.law_kind == "parametric" and p.kaplan_note is None
    assert p.gpu_id is None and p.cost_usd is None and p.kaplan_batch_tokens is None


def test_a_model_plan_judges_gpt3_against_the_laws_optimum():
    """GPT-3 175B on 300B tokens (Table D.1): 1.7 tokens/param, under-trained by every law at its own compute;
    Kaplan's L(N, D) (Eq 1.5, Table 2 fit) is its loss, not the frontier's L(C_min)."""
    from lifecycle.scaling.laws import kaplan_loss_params_tokens

    k = plan(builtin_law("kaplan"), params=174.6e9, tokens=300e9)
    assert k.loss == pytest.approx(kaplan_loss_params_tokens(builtin_law("kaplan"), 174.6e9, 300e9), rel=1e-12)
    assert k.kaplan_budget_note is None and k.kaplan_steps is None
    for name in ("chinchilla1", "chinchilla2", "epoch"):
        p = plan(builtin_law(name), params=174.6e9, tokens=300e9)
        assert p.verdict == "under-trained" and p.optimal_params < p.params
    p = plan(builtin_law("epoch"), params=174.6e9, tokens=300e9, gpu="h100-80gb", gpus=64, mfu=0.5,
             price_usd_per_hour=3.0)
    assert (p.gpu_id, p.gpus, p.mfu, p.price_usd_per_hour) == ("h100-80gb", 64, 0.5, 3.0)
    assert p.gpu_hours == pytest.approx(6 * 174.6e9 * 300e9 / (989e12 * 0.5) / 3600, rel=1e-9)
    assert p.cost_usd == pytest.approx(3.0 * p.gpu_hours, rel=1e-12)


def test_every_law_plans_the_same_budget():
    from lifecycle.scaling.laws import builtin_laws
    from lifecycle.scaling.plan import plans_for_laws

    plans = plans_for_laws(builtin_laws(), compute_flops=1e22)
    assert [p.law for p in plans] == [law.name for law in builtin_laws()]
    assert all(p.compute_flops == 1e22 for p in plans)


def test_trained_vs_optimal_rows_carry_each_laws_optimum_and_source():
    """Chinchilla (Hoffmann 2022 Table 1): 70B on 1.4T tokens, 5.88e23 FLOPs by 6·N·D."""
    rows = {r["model"]: r for r in trained_vs_optimal()}
    chin = rows["Chinchilla"]
    assert chin["compute_flops"] == pytest.approx(5.88e23) and chin["ratio_to_20_rule"] == pytest.approx(1.0)
    n, d = (chin["epoch_optimal_params"], chin["epoch_optimal_tokens"])
    assert (n, d) == pytest.approx((7.30164e10, 1.34216e12), rel=1e-4)  # Epoch's replication at 5.88e23
    assert chin["chinchilla1_verdict"] == "compute-optimal" and chin["source"] and chin["group"]
    only = trained_vs_optimal(laws=[builtin_law("chinchilla3")])
    assert "chinchilla3_verdict" in only[0] and "epoch_verdict" not in only[0]
    assert all("note" in r for r in only)


def test_table_3_rows_carry_the_papers_approach_3_column():
    """Hoffmann 2022 Table A3 Approach 3: 1B → 1.62e20 FLOPs and 27.1B tokens (as printed)."""
    from lifecycle.scaling.plan import table3_reproduction

    row = next(r for r in table3_reproduction() if r["params"] == 1e9)
    assert row["paper_a3_flops"] == 1.62e20 and row["paper_a3_tokens"] == 27.1e9
    assert row["paper_flops"] == 1.21e20 and row["paper_tokens"] == 20.2e9
    assert 6 * 1e9 * row["a3_tokens"] == pytest.approx(row["a3_flops"], rel=1e-9)


def test_a_pretraining_setup_from_builtin_law_names():
    from lifecycle.scaling.pretraining import DEFAULT_LAWS, PretrainingSetup, pretraining_plan

    setup = PretrainingSetup.with_builtin_laws()
    assert [law.name for law in setup.laws] == list(DEFAULT_LAWS) == ["kaplan", "chinchilla1", "chinchilla2",
                                                                      "chinchilla3", "epoch"]
    one = PretrainingSetup.with_builtin_laws(("epoch",), budget_amount=100.0, budget_unit="PF-days")
    assert [law.name for law in one.laws] == ["epoch"] and one.budget_amount == 100.0
    result = pretraining_plan(one)
    assert result.budget_flops == pytest.approx(8.64e21) and result.budget_pf_days == pytest.approx(100.0)
    assert result.isoflop_budgets_flops == pytest.approx([8.64e18, 8.64e19, 8.64e20, 8.64e21])


def test_kaplans_convention_is_stated_and_a_v100_plans_in_fp16():
    from lifecycle.scaling.plan import KAPLAN_NOTE

    assert KAPLAN_NOTE.startswith("Kaplan's N counts non-embedding parameters and C = 6·N·D non-embedding FLOPs")
    assert "(1 PF-day = 8.64e19 FLOPs)" in KAPLAN_NOTE
    assert plan(builtin_law("kaplan"), params=1e9, tokens=1e10).kaplan_note == KAPLAN_NOTE
    # V100: no BF16 tensor cores; mixed precision runs FP16 at 125 TFLOP/s dense (NVIDIA datasheet)
    p = plan(builtin_law("epoch"), params=1e9, tokens=20e9, gpu="v100-32gb", gpus=8, mfu=0.5)
    assert p.gpu_hours == pytest.approx(6 * 1e9 * 20e9 / (125e12 * 0.5) / 3600, rel=1e-9)


def test_a_published_model_without_a_note_has_an_empty_note():
    rows = {r["model"]: r for r in trained_vs_optimal()}
    assert rows["Chinchilla"]["note"] == ""
