"""Pre-train vs adapt advisor, with the BloombergGPT case and 6·N·D pre-training cost."""

import pytest

from lifecycle.errors import InvalidInput
from lifecycle.models.gpus import get_gpu
from lifecycle.scaling.pretrain_advice import bloomberg_case, pretrain_advice, pretraining_cost

A100_BF16_PEAK = 312e12  # NVIDIA A100 datasheet, dense BF16


def test_bloomberggpt_compute_and_the_mfu_its_reported_time_implies():
    case = bloomberg_case(mfu=0.4)
    assert case.params == 50_600_000_000 and case.tokens_trained == 569_000_000_000
    assert case.financial_tokens == 363e9 and case.public_tokens == 345e9
    assert case.financial_share == pytest.approx(0.5127)
    flops = 6 * 50.6e9 * 569e9  # 1.727e23
    assert case.estimate.flops == pytest.approx(flops)
    assert case.estimate.days == pytest.approx(flops / (512 * A100_BF16_PEAK * 0.4) / 86400, rel=1e-9)
    # ~53 days on 512 A100-40GB means ~24% of dense BF16 peak
    assert case.implied_mfu == pytest.approx(flops / (512 * A100_BF16_PEAK * 53 * 86400), rel=1e-9)
    assert 0.23 < case.implied_mfu < 0.24


def test_pretraining_cost_uses_twenty_tokens_per_parameter_by_default():
    cost = pretraining_cost(7e9, gpu_id="a100-80gb", gpus=512, mfu=0.4, price_usd_per_hour=2.0)
    flops = 6 * 7e9 * 140e9
    assert cost.flops == pytest.approx(flops)
    assert cost.gpu_hours == pytest.approx(flops / (A100_BF16_PEAK * 0.4) / 3600)
    assert cost.cost_usd == pytest.approx(cost.gpu_hours * 2.0)


def test_finance_with_billions_of_tokens_and_the_budget_is_advised_to_pretrain():
    advice = pretrain_advice(domain="finance", data_available="billions", budget_usd=1e7)
    assert advice.recommendation == "pretrain"
    assert [f.leans for f in advice.factors][:3] == ["pretrain"] * 3
    assert any("363B" in f.detail for f in advice.factors)


def test_without_the_budget_a_specialised_corpus_means_continued_pretraining():
    advice = pretrain_advice(domain="medical", data_available="billions", budget_usd=1000)
    assert advice.recommendation == "continued-pretraining"
    budget = next(f for f in advice.factors if f.factor == "Budget")
    assert budget.leans == "adapt" and "covers" in budget.detail


@pytest.mark.parametrize("kwargs", [{}, {"domain": "general", "data_available": "billions", "budget_usd": 1e9},
                                    {"domain": "legal", "data_available": "thousands", "budget_usd": 1e9},
                                    {"domain": "finance", "data_available": "billions", "budget_usd": None}])
def test_adapting_is_the_default_when_any_condition_fails(kwargs):
    assert pretrain_advice(**kwargs).recommendation in ("adapt", "continued-pretraining")
    assert pretrain_advice(**kwargs).recommendation != "pretrain"


def test_control_constraint_leans_towards_pretraining():
    advice = pretrain_advice(constraints=["full control of training data"])
    assert next(f for f in advice.factors if f.factor == "Need for control").leans == "pretrain"


def test_a_price_per_gpu_hour_defaults_to_the_gpu_catalog():
    advice = pretrain_advice(gpu_id="h100-80gb", gpus=64)
    assert advice.cost.price_usd_per_hour == get_gpu("h100-80gb").price_usd_per_hour


@pytest.mark.parametrize("kwargs", [{"target_params": 0}, {"mfu": 1.5}, {"gpus": 0}, {"gpu_id": "abacus"}])
def test_bad_plans_are_refused(kwargs):
    with pytest.raises(Exception) as err:
        pretrain_advice(**kwargs)
    assert isinstance(err.value, (InvalidInput, LookupError))
