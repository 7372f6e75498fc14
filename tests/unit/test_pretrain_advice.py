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


def _factor(advice, name):
    return next(f for f in advice.factors if f.factor == name)


def test_the_budget_factor_states_the_cost_fields_it_compares():
    """Hand-worked: 7B on 20 tokens/param = 140B tokens, C = 6·7e9·140e9 = 5.88e21 FLOPs; on 512 A100s (312 TFLOP/s
    dense BF16) at MFU 0.5 that is 5.88e21 / (312e12 · 0.5) / 3600 = 10,470 GPU-hours, $20,940 at $2/GPU-hour."""
    advice = pretrain_advice(budget_usd=41_880, gpu_id="a100-80gb", gpus=512, mfu=0.5, price_usd_per_hour=2.0)
    cost = advice.cost
    assert cost.gpu_hours == pytest.approx(6 * 7e9 * 140e9 / (312e12 * 0.5) / 3600, rel=1e-9)
    assert cost.cost_usd == pytest.approx(2 * cost.gpu_hours, rel=1e-12)
    budget = _factor(advice, "Budget")
    assert budget.leans == "pretrain"
    assert budget.detail == (
        f"Pre-training 7B on 140B tokens costs ~${cost.cost_usd:,.0f} of GPU time ({cost.days:,.1f} days on 512 x "
        f"a100-80gb at $2/GPU-hour, MFU 50%); data work, staff and failed runs come on top. Your budget of $41,880 "
        f"covers it 2.0 times.")


@pytest.mark.parametrize("budget, leans, words", [
    (0.5, "adapt", "covers 50% of it"), (1.0, "pretrain", "covers it 1.0 times"), (0.999, "adapt", "covers 100% of it"),
])
def test_the_budget_covers_the_cost_from_exactly_its_price(budget, leans, words):
    cost = pretraining_cost(7e9, gpu_id="a100-80gb", gpus=512, mfu=0.5, price_usd_per_hour=2.0).cost_usd
    advice = pretrain_advice(budget_usd=budget * cost, mfu=0.5, price_usd_per_hour=2.0)
    assert _factor(advice, "Budget").leans == leans and words in _factor(advice, "Budget").detail


def test_gpu_time_priced_at_zero_is_covered_by_any_budget():
    advice = pretrain_advice(domain="code", data_available="billions", budget_usd=0, price_usd_per_hour=0)
    assert _factor(advice, "Budget").leans == "pretrain"
    assert _factor(advice, "Budget").detail.endswith("Your budget of $0 covers it: the GPU time is priced at $0.")
    assert advice.recommendation == "pretrain"


def test_gpu_time_of_cents_is_not_free():
    """Hand-worked: 1M parameters on 20M tokens = 1.2e14 FLOPs, 0.96 s on one A100 at MFU 0.4: $0.0005 at $2/h."""
    advice = pretrain_advice(target_params=1e6, budget_usd=1.0, gpus=1, price_usd_per_hour=2.0)
    assert advice.cost.cost_usd == pytest.approx(6 * 1e6 * 20e6 / (312e12 * 0.4) / 3600 * 2.0, rel=1e-9)
    assert _factor(advice, "Budget").detail.endswith(f"covers it {1.0 / advice.cost.cost_usd:,.1f} times.")


def test_without_a_budget_the_factor_is_neutral_and_states_the_cost():
    advice = pretrain_advice(target_params=13e9)
    budget = _factor(advice, "Budget")
    assert budget.leans == "neutral"
    assert budget.detail == f"No budget given; pre-training 13B costs ~${advice.cost.cost_usd:,.0f}."


@pytest.mark.parametrize("domain", ["legal", "medical", "finance", "code", "scientific"])
def test_specialised_domains_lean_to_pretraining(domain):
    """research notes models-and-tasks.md §4 (data/pretrain_cases.json): notation far from general text."""
    vocab = _factor(pretrain_advice(domain=domain), "Domain vocabulary")
    assert vocab.leans == "pretrain"
    assert vocab.detail == (f"{domain} text uses notation far from general web text (tickers and figures, clinical "
                            "abbreviations, citations, code), which a general tokenizer and model handle less well.")


def test_general_text_leans_to_adapting():
    vocab = _factor(pretrain_advice(domain="customer support"), "Domain vocabulary")
    assert vocab.leans == "adapt"
    assert vocab.detail == "customer support text is close to what general models were trained on."
    default = _factor(pretrain_advice(), "Domain vocabulary")
    assert default.detail == "general text is close to what general models were trained on."


def test_billions_of_tokens_are_set_against_bloomberggpts_corpus():
    """Wu et al. 2023: 363B financial + 345B public tokens, 51.27 % financial in the mix; 7B wants 140B tokens."""
    tokens = _factor(pretrain_advice(data_available="billions"), "In-domain tokens")
    assert tokens.leans == "pretrain"
    assert ("BloombergGPT used 363B financial tokens plus 345B public ones (51% financial in the training mix); "
            "a 7B model wants ~140B tokens.") in tokens.detail
    few = _factor(pretrain_advice(data_available="thousands"), "In-domain tokens")
    assert few.leans == "adapt" and few.detail == (
        "Pre-training needs hundreds of billions of tokens for an LLM (billions of words for an encoder); with less, "
        "fine-tune or prompt an existing model.")


@pytest.mark.parametrize("constraints, leans, start", [
    (["full control of training data"], "pretrain", "You need full control"),
    (["on-premise"], "neutral", "On-premise serving is met by open-weight models"),
    (["data must stay in-house"], "neutral", "On-premise serving is met by open-weight models"),
    (["open licence"], "neutral", "No governance constraint rules out"),
    ([], "neutral", "No governance constraint rules out"),
])
def test_the_need_for_control(constraints, leans, start):
    control = _factor(pretrain_advice(constraints=constraints), "Need for control")
    assert control.leans == leans and control.detail.startswith(start)


def test_each_recommendation_has_its_headline_and_the_sources_are_cited():
    pretrain = pretrain_advice(domain="finance", data_available="billions", budget_usd=1e9, target_params=3e9)
    assert pretrain.headline.startswith("Pre-train (or domain-pre-train) your own 3B model")
    continued = pretrain_advice(domain="finance", data_available="billions", budget_usd=1)
    assert continued.headline.startswith("Continue pre-training an existing model on your in-domain text")
    adapt = pretrain_advice()
    assert adapt.recommendation == "adapt" and adapt.headline.startswith("Adapt an existing foundation model")
    assert len(adapt.sources) == 5 and "arXiv:2303.17564" in adapt.sources[0]
    assert any("arXiv:2203.15556" in s for s in adapt.sources) and "6·N·D" in adapt.sources[-1]
    assert adapt.target_params == 7e9 and adapt.target_tokens == 140e9


def test_the_decision_setup_reaches_every_argument():
    from lifecycle.scaling.pretrain_advice import PretrainDecisionSetup, pretrain_decision

    common = {"domain": "legal", "data_available": "billions", "budget_usd": 123_456.0, "target_params": 3e9,
                  "target_tokens": 90e9, "gpus": 64, "mfu": 0.35, "price_usd_per_hour": 3.5}
    control = "full control of training data"
    setup = PretrainDecisionSetup(**common, gpu="h100-80gb", constraints=(control,))
    assert pretrain_decision(setup) == pretrain_advice(**common, gpu_id="h100-80gb", constraints=[control])
    advice = pretrain_decision(setup)
    assert advice.target_tokens == 90e9 and advice.cost.flops == pytest.approx(6 * 3e9 * 90e9)
    assert advice.cost.gpu_hours == pytest.approx(6 * 3e9 * 90e9 / (989e12 * 0.35) / 3600, rel=1e-9)  # H100 SXM
    assert advice.cost.price_usd_per_hour == 3.5 and advice.cost.gpus == 64
    assert advice.recommendation == "pretrain"  # 1.62e21 FLOPs on H100s: ~$4,600
    assert pretrain_decision(setup).cost.flops == pytest.approx(6 * 3e9 * 90e9)
    assert pretrain_decision(setup).cost.gpus == 64


def test_defaults_are_a_7b_model_on_512_a100s_and_a_v100_trains_in_fp16():
    advice = pretrain_advice()
    assert (advice.cost.gpu_id, advice.cost.gpus, advice.target_params) == ("a100-80gb", 512, 7e9)
    cost = pretraining_cost(1e9)
    assert (cost.gpu_id, cost.gpus, cost.flops) == ("a100-80gb", 512, pytest.approx(6 * 1e9 * 20e9))
    v100 = pretraining_cost(1e9, gpu_id="v100-32gb", gpus=8, mfu=0.5)  # 125 TFLOP/s FP16 dense (datasheet)
    assert v100.gpu_hours == pytest.approx(6 * 1e9 * 20e9 / (125e12 * 0.5) / 3600, rel=1e-9)
    with pytest.raises(InvalidInput, match="^The target model size must be positive"):
        pretrain_advice(target_params=0)
    assert pretrain_advice(target_params=1.0).target_tokens == 20  # one parameter is small, not invalid


def test_the_bloomberggpt_case_cites_its_sources():
    bb = bloomberg_case()
    assert bb.source.startswith("arXiv:2303.17564") and bb.budget_source.startswith("Wu et al. 2023")
    assert bb.budget_gpu_hours == 1.3e6 and bb.reported_days == 53 and bb.estimate.gpus == 512
