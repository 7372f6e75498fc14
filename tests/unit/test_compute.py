import pytest

from lifecycle.errors import InvalidInput
from lifecycle.scaling.compute import (
    DEFAULT_MFU,
    PF_DAY_FLOPS,
    flops_from_budget_usd,
    flops_from_gpu_hours,
    flops_from_pf_days,
    gpu_seconds,
    mfu_references,
    pf_days,
    training_flops,
    training_time_and_cost,
)


def test_pf_day_is_1e15_flops_per_second_for_a_day():
    assert PF_DAY_FLOPS == 8.64e19
    assert pf_days(8.64e19) == 1.0
    assert flops_from_pf_days(2.5) == pytest.approx(2.16e20)


def test_gpt3_175b_compute_is_3640_pf_days_within_1_percent():
    # GPT-3 Table D.1: 174.6B params x 300B tokens -> 3.14e23 FLOPs, 3,640 PF-days
    flops = training_flops(174.6e9, 300e9)
    assert flops == pytest.approx(3.14e23, rel=0.01)
    assert pf_days(flops) == pytest.approx(3640, rel=0.01)


def test_recomputation_costs_8_flops_per_param_per_token():
    assert training_flops(1e9, 1e9, recompute=True) == pytest.approx(8e18)
    assert training_flops(60e6, 1e12, flops_per_param_per_token=3) == pytest.approx(1.8e20)


def test_attention_term_follows_kaplan_eq_2_2():
    # GPT-3 175B: 96 layers, 2048 context, d_model 12288 -> 6*96*2048*12288 per token, ~14% of 6N
    base = training_flops(174.6e9, 300e9)
    with_attn = training_flops(174.6e9, 300e9, layers=96, seq=2048, hidden=12288)
    assert with_attn - base == pytest.approx(6 * 96 * 2048 * 12288 * 300e9)
    with pytest.raises(InvalidInput):
        training_flops(1e9, 1e9, layers=2)


def test_llama_65b_gpu_hours_match_table_15_at_the_measured_throughput():
    # Touvron 2023a: 380 tok/s/GPU on 2048 A100-80GB -> MFU 0.476; Table 15: 1,022,362 GPU-hours, ~21 days
    mfu = 6 * 65.2e9 * 380 / 312e12
    t = training_time_and_cost(training_flops(65.2e9, 1.4e12), "a100-80gb", gpus=2048, mfu=mfu)
    assert t.gpu_hours == pytest.approx(1_022_362, rel=0.005)
    assert t.days == pytest.approx(21, rel=0.02)
    assert t.cost_usd == pytest.approx(t.gpu_hours * t.price_usd_per_hour)


def test_llama2_70b_gpu_hours_imply_a_published_range_mfu():
    # Llama 2 model card: 70B on 2T tokens took 1,720,320 A100-80GB hours -> MFU ~0.435
    flops = training_flops(70e9, 2e12)
    mfu = flops / (1_720_320 * 3600 * 312e12)
    assert 0.38 < mfu < 0.48
    assert gpu_seconds(flops, "a100-80gb", mfu=mfu) / 3600 == pytest.approx(1_720_320)


def test_budget_conversions_round_trip():
    f = flops_from_gpu_hours(1000, "h100-80gb", mfu=0.4)
    assert f == pytest.approx(1000 * 3600 * 989e12 * 0.4)
    t = training_time_and_cost(f, "h100-80gb", gpus=8, mfu=0.4, price_usd_per_hour=2.0)
    assert t.gpu_hours == pytest.approx(1000) and t.cost_usd == pytest.approx(2000)
    assert flops_from_budget_usd(2000, "h100-80gb", mfu=0.4, price_usd_per_hour=2.0) == pytest.approx(f)


def test_default_mfu_comes_from_the_published_table():
    runs = mfu_references()["runs"]
    assert all(r["source"] for r in runs)
    assert min(r["mfu"] for r in runs) <= DEFAULT_MFU <= max(r["mfu"] for r in runs)


@pytest.mark.parametrize("kwargs", [{"mfu": 0}, {"mfu": 1.5}, {"gpus": 0}, {"gpus": 1.5}])
def test_bad_time_inputs_are_rejected(kwargs):
    with pytest.raises(InvalidInput):
        gpu_seconds(1e20, "a100-80gb", **kwargs)


@pytest.mark.parametrize("params,tokens", [(0, 1e9), (-1, 1e9), (1e9, float("nan")), ("x", 1)])
def test_non_positive_sizes_are_rejected(params, tokens):
    with pytest.raises(InvalidInput):
        training_flops(params, tokens)


def test_llama_65b_takes_21_days_through_the_planner_even_with_checkpointing():
    """Touvron et al. 2023 (LLaMA) §2.4: "when training a 65B-parameter model, our code processes around 380
    tokens/sec/GPU on 2048 GPU with 80GB of RAM. This means that training over our dataset containing 1.4T tokens
    takes approximately 21 days." The run saves activations selectively and recomputes the rest; MFU is defined on
    6·N·D (data/mfu.json: 6 x 65.2e9 x 380 / 312e12 = 0.476), so the recomputed forward is hardware FLOPs, not
    time (PaLM App. B). Dividing 8·N·D by that MFU gave 27.8 days."""
    from lifecycle.memory.plan import training_plan
    from lifecycle.memory.setup import TrainingSetup
    from lifecycle.models.ref import ModelRef

    mfu = 6 * 65.2e9 * 380 / 312e12
    # 4M-token batches of 2048-token sequences: 2048 tokens per GPU per step, laid out as 8-way model parallel x
    # 256 sharded replicas of 8 sequences; its communication hides under compute (no slowdown)
    plan = training_plan(TrainingSetup(model=ModelRef.catalog("llama-65b"), precision="bf16", gpu="a100-80gb",
                                       gpus=2048, strategy="fsdp", tp=8, micro_batch=8, seq_len=2048,
                                       grad_checkpointing=True, training_tokens=1.4e12, mfu=mfu))
    assert not plan.communication.communication_bound
    assert plan.time_and_cost.days == pytest.approx(21, rel=0.03)
    assert plan.hardware_flops == pytest.approx(plan.training_flops * 8 / 6)


def test_bloom_176b_time_from_its_hardware_flops_throughput():
    """BLOOM (BigScience 2022, model card "Speeds, Sizes, Times"): 384 A100-80GB, "about 150 TFLOP per GPU per
    second", 366B tokens, trained 11 March - 5 July 2022 (116 days, restarts included). Megatron-DeepSpeed prints
    hardware FLOPs (Narayanan et al. 2021 eq. 3: 96·B·s·l·h², i.e. with the recomputed forward), so the model-FLOPs
    rate is 6/8 of it and MFU = 112.5 / 312. Its layout (model card / Megatron-DeepSpeed config): tp 4, pp 12,
    dp 8 with ZeRO-1, micro-batch 2 of 2048 tokens, global batch 2048 sequences, so 128 micro-batches per step and a
    pipeline bubble of 11/139. The planner's time at that MFU must be under the calendar time and within 15% of it;
    read as model FLOPs instead, 150 TFLOP/s would predict 78 days (-33%)."""
    from lifecycle.memory.plan import training_plan
    from lifecycle.memory.setup import TrainingSetup
    from lifecycle.models.ref import ModelRef

    mfu = 150e12 * 6 / 8 / 312e12
    plan = training_plan(TrainingSetup(model=ModelRef.catalog("bloom-176b"), precision="bf16", gpu="a100-80gb",
                                       gpus=384, strategy="zero1", tp=4, pp=12, micro_batch=2, seq_len=2048,
                                       micro_batches=128, grad_checkpointing=True, training_tokens=366e9, mfu=mfu))
    assert plan.communication.bubble_fraction == pytest.approx(11 / 139)
    assert 0.85 * 116 <= plan.time_and_cost.days <= 116


def test_fp8_training_runs_the_bf16_step_a_quarter_faster_in_the_same_memory():
    """torchtitan (pytorch/torchtitan commit 7a04053), Llama 3 8B on 8 H100 with FSDP2: bf16 "memory: 47.65GiB
    tps: 5,760 mfu: 33.73%"; float8 tensorwise with float8 all-gather "memory: 47.32GiB tps: 7,186 mfu: 42.08%"
    (MFU against the bf16 peak). torchao docs: "up to 1.25x at 8 GPU / 8B". FP8 tensor cores need Hopper, Ada or
    Blackwell: an A100 is refused with one line."""
    from lifecycle.errors import InvalidInput
    from lifecycle.memory.plan import training_plan
    from lifecycle.memory.setup import TrainingSetup
    from lifecycle.models.ref import ModelRef

    common = {"model": ModelRef.catalog("llama3-8b"), "gpu": "h100-80gb", "gpus": 8, "strategy": "fsdp",
              "micro_batch": 1, "seq_len": 8192, "grad_checkpointing": True, "training_tokens": 1e9}
    bf16 = training_plan(TrainingSetup(precision="amp_bf16", **common))
    fp8 = training_plan(TrainingSetup(precision="fp8", **common))
    assert bf16.time_and_cost.days / fp8.time_and_cost.days == pytest.approx(7186 / 5760, rel=0.01)
    assert fp8.estimate.peak_allocated_bytes == pytest.approx(bf16.estimate.peak_allocated_bytes, rel=0.02)
    assert fp8.estimate.peak_allocated_bytes <= bf16.estimate.peak_allocated_bytes
    with pytest.raises(InvalidInput, match="no FP8 tensor cores"):
        TrainingSetup(precision="fp8", **(common | {"gpu": "a100-80gb"}))


def test_budget_in_every_unit_is_hand_worked_flops():
    """1 PF-day = 1e15 FLOP/s × 86,400 s (Kaplan 2020 §1.3); a GPU-hour on an A100 (312 TFLOP/s dense BF16, NVIDIA
    datasheet) at MFU 0.5 is 3600 × 312e12 × 0.5 FLOPs; dollars buy (budget / price) GPU-hours. Exact arithmetic:
    tolerance 1e-12. MFU 0.5 is not the default (0.4), so a conversion that drops it is caught."""
    from lifecycle.scaling.plan import budget_flops

    assert budget_flops(3e23, "FLOPs") == 3e23
    assert budget_flops(0.5, "FLOPs") == 0.5  # positive is the only rule (as for PF-days, GPU-hours and dollars)
    assert budget_flops(1000, "PF-days") == pytest.approx(8.64e22, rel=1e-12)
    assert budget_flops(1000, "GPU-hours", gpu="a100-80gb", mfu=0.5) == pytest.approx(1000 * 3600 * 312e12 * 0.5,
                                                                                      rel=1e-12)
    assert budget_flops(9000, "USD", gpu="a100-80gb", mfu=0.5, price_usd_per_hour=3.0) == pytest.approx(
        3000 * 3600 * 312e12 * 0.5, rel=1e-12)
    # the catalog price of an A100-80GB (data/gpus.json) when none is given
    assert budget_flops(1.8, "USD", gpu="a100-80gb", mfu=0.5) == pytest.approx(3600 * 312e12 * 0.5, rel=1e-12)
    assert flops_from_gpu_hours(1, "a100-80gb", mfu=0.5) == pytest.approx(3600 * 312e12 * 0.5, rel=1e-12)
    # a V100 has no BF16 tensor cores: a budget on it is FP16 time (125 TFLOP/s dense), not an error
    assert budget_flops(1, "GPU-hours", gpu="v100-32gb", mfu=0.5) == pytest.approx(3600 * 125e12 * 0.5, rel=1e-12)
    assert budget_flops(2.0, "USD", gpu="v100-32gb", mfu=0.5, price_usd_per_hour=2.0) == pytest.approx(
        3600 * 125e12 * 0.5, rel=1e-12)
    assert flops_from_budget_usd(2.0, "h100-80gb", mfu=0.5, price_usd_per_hour=2.0) == pytest.approx(
        3600 * 989e12 * 0.5, rel=1e-12)


@pytest.mark.parametrize("amount, unit, kwargs, message", [
    (0, "FLOPs", {}, "^The compute budget must be positive"),
    (-1, "PF-days", {}, "PF-days must be a positive"),
    (1, "GPU-hours", {}, "A budget in GPU-hours needs a GPU type"),
    (1, "USD", {}, "A budget in USD needs a GPU type"),
    (-5, "GPU-hours", {"gpu": "a100-80gb"}, "GPU-hours must be a positive"),
    (-5, "USD", {"gpu": "a100-80gb"}, "^budget must be a positive"),
    (5, "USD", {"gpu": "a100-80gb", "price_usd_per_hour": 0}, "price per GPU-hour must be a positive"),
    (1, "bananas", {"gpu": "a100-80gb"}, "^Unknown budget unit 'bananas'; use one of FLOPs, PF-days, GPU-hours, USD."),
])
def test_a_bad_budget_names_what_is_wrong(amount, unit, kwargs, message):
    from lifecycle.scaling.plan import budget_flops

    with pytest.raises(InvalidInput, match=message):
        budget_flops(amount, unit, **kwargs)


@pytest.mark.parametrize("gpu, sparse, expected", [
    ("v100-32gb", False, 8.0), ("a100-80gb", False, 1e15 / 312e12), ("a100-80gb", True, 1e15 / 624e12),
    ("h100-80gb", False, 1e15 / 989e12),
])
def test_gpus_per_petaflop_checks_the_course_slide(gpu, sparse, expected):
    """Course slides (week 1): '1 petaflop/s-day ≈ 8 V100s or 2 A100s at full efficiency'. NVIDIA datasheets: V100
    125 TFLOP/s FP16 tensor, A100 312 dense BF16 (624 with 2:4 sparsity), H100 SXM 989 dense: 1e15 / peak GPUs.
    The slide's 8 V100s holds; its 2 A100s needs sparsity (1.6), dense is 3.2. Tolerance 1e-12 (exact quotients)."""
    from lifecycle.scaling.compute import gpus_per_petaflop

    assert gpus_per_petaflop(gpu, sparse=sparse) == pytest.approx(expected, rel=1e-12)


@pytest.mark.parametrize("call, message", [
    (lambda: pf_days(0), "compute must be a positive"),
    (lambda: flops_from_pf_days(float("inf")), "PF-days must be a positive"),
    (lambda: training_flops(1e9, 0), "tokens must be a positive"),
    (lambda: training_flops(float("nan"), 1e9), "params must be a positive"),
    (lambda: training_flops(1e9, 1e9, layers=2, seq=0, hidden=4), "^The attention term needs layers, seq and hidden together"),
    (lambda: gpu_seconds(1e20, "a100-80gb", mfu=2), "MFU is a fraction of peak and must be at most 1, got 2"),
    (lambda: gpu_seconds(1e20, "a100-80gb", gpus=0), "GPU count must be a whole number of at least 1, got 0"),
    (lambda: training_time_and_cost(1e20, "a100-80gb", price_usd_per_hour=-1), "^Price per GPU-hour must not be negative, got -1"),
    (lambda: training_flops(1e300, 1e300), "beyond the range of this calculator"),
])
def test_bad_compute_inputs_name_the_input(call, message):
    with pytest.raises(InvalidInput, match=message):
        call()


def test_the_slide_check_states_datasheet_gpus_and_the_published_mfu_range():
    """data/mfu.json: GPT-3 175B 21.3 % (PaLM paper's table) is the lowest, LLaMA-65B 47.6 % (Touvron 2023 §2.4,
    380 tokens/s/GPU) the highest; at MFU m a PF-day takes 1/m peak GPU-days: 1/0.476 = 2.1, 1/0.213 = 4.7."""
    from lifecycle.scaling.compute import SLIDE_PF_DAY_CLAIM, published_mfu_range, slide_pf_day_check

    assert published_mfu_range() == (0.213, 0.476)
    text = slide_pf_day_check()
    assert text.startswith(SLIDE_PF_DAY_CLAIM + ". At dense 16-bit peak that is 8.0 V100s, 3.2 A100s or 1.0 H100s")
    assert "two A100s (1.6) only with 2:4 sparsity" in text
    assert text.endswith("published runs reach 21%–48% of peak (MFU), so a PF-day takes 2.1–4.7× as many GPU-days.")


def test_the_edges_that_are_allowed():
    """MFU 1 (all of peak) is a bound, not an error; GPU time priced at $0 (owned hardware) costs nothing; one GPU
    is enough. Hand-worked: 312e12 FLOPs on one A100 at MFU 1 take 1 s."""
    assert gpu_seconds(312e12, "a100-80gb", mfu=1.0) == pytest.approx(1.0)
    t = training_time_and_cost(312e12 * 3600, "a100-80gb", gpus=1, mfu=1.0, price_usd_per_hour=0)
    assert t.gpu_hours == pytest.approx(1.0) and t.cost_usd == 0 and t.days == pytest.approx(1 / 24)
    assert t.pf_days == pytest.approx(312e12 * 3600 / 8.64e19) and (t.gpu_id, t.gpus, t.mfu) == ("a100-80gb", 1, 1.0)
    with pytest.raises(InvalidInput, match="params must be a number, got 'x'"):
        training_flops("x", 1e9)


def test_flops_per_parameter_per_token_of_each_training_method():
    """Kaplan et al. 2020 §2.1: forward 2N, backward 4N, so 6N per token; LoRA/QLoRA never compute the frozen base's
    weight gradients (Hu et al. 2021 §4.2): 4N; full activation recomputation repeats the forward (PaLM App. B
    hardware FLOPs; Korthikanti et al. 2022): +2N. Exact integers."""
    from lifecycle.scaling.compute import training_flops_per_param_token

    assert training_flops_per_param_token() == 6 and training_flops_per_param_token("full", recompute=True) == 8
    assert training_flops_per_param_token("lora") == 4 and training_flops_per_param_token("qlora") == 4
    assert training_flops_per_param_token("lora", recompute=True) == 6


def test_model_and_hardware_flops_of_llama_2_7b():
    """Llama 2 7B: 6,738,415,616 parameters (Touvron et al. 2023; transformers' count), of which the 32,000 × 4,096
    input embedding is a lookup, not a matmul (Kaplan 2020 §2.1): N = 6,607,343,616. Model FLOPs k·N·D (what MFU is
    defined on, PaLM App. B), hardware FLOPs add 2·N·D when the run recomputes activations. Exact arithmetic."""
    from lifecycle.models.catalog import get_model
    from lifecycle.scaling.compute import model_and_hardware_flops, training_flops_params

    shape = get_model("llama-2-7b").shape
    n = 6_738_415_616 - 32_000 * 4_096
    assert training_flops_params(shape) == n
    assert model_and_hardware_flops(shape, 1e9) == pytest.approx((6 * n * 1e9, 6 * n * 1e9), rel=1e-12)
    assert model_and_hardware_flops(shape, 1e9, recompute=True) == pytest.approx((6 * n * 1e9, 8 * n * 1e9),
                                                                                  rel=1e-12)
    assert model_and_hardware_flops(shape, 1e9, "lora") == pytest.approx((4 * n * 1e9, 4 * n * 1e9), rel=1e-12)
