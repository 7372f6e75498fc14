"""Behaviour of the memory estimator: components, knobs, workloads, inference and bad input."""

import pytest

from lifecycle.errors import InvalidInput
from lifecycle.memory.adapters import NF4_BYTES_PER_PARAM, quantisable_params
from lifecycle.memory.estimate import activation_bytes
from lifecycle.memory.gpu_count import (
    min_gpus,
    rule_of_thumb_bytes,
    strategy_table,
    what_would_fit,
    why_rules_differ,
)
from lifecycle.memory.inference import kv_cache_bytes
from lifecycle.models.catalog import get_model
from lifecycle.models.gpus import get_gpu
from tests.support.memory import infer, train, train_setup

LLAMA = get_model("llama-2-7b").shape
LLAMA3 = get_model("llama3-8b").shape


def test_components_sum_to_the_peak_and_reserved_adds_slack():
    est = train(LLAMA, batch=2, seq=2048)
    assert sum(est.components.values()) == est.peak_allocated_bytes
    assert est.peak_reserved_bytes > est.peak_allocated_bytes
    assert est.required_bytes == est.peak_reserved_bytes + est.cuda_context_bytes
    assert any("accumulation" in n for n in est.notes)


def test_activations_grow_linearly_with_micro_batch():
    kw = {"precision": "amp_bf16", "method": "full", "seq": 1024, "grad_checkpointing": False, "attention": "sdpa"}
    one = activation_bytes(train_setup(LLAMA, batch=1, **kw), set())
    four = activation_bytes(train_setup(LLAMA, batch=4, **kw), set())
    assert all(four[k] == 4 * one[k] for k in one)


def test_checkpointing_cuts_and_eager_attention_adds_memory():
    base = train(LLAMA, batch=16, seq=2048, precision="bf16").peak_allocated_bytes
    assert train(LLAMA, batch=16, seq=2048, precision="bf16", grad_checkpointing=True).peak_allocated_bytes < base / 2
    eager = train(LLAMA, batch=16, seq=2048, precision="bf16", attention="eager")
    assert eager.components["attention scores"] > 0 and eager.peak_allocated_bytes > base


def test_precision_modes_order_model_states():
    kw = {"batch": 1, "seq": 256, "optimizer_impl": "fused"}
    fp32 = train(LLAMA, precision="fp32", **kw).model_states_bytes
    amp = train(LLAMA, precision="amp_bf16", **kw).model_states_bytes
    pure = train(LLAMA, precision="bf16", **kw).model_states_bytes
    assert fp32 == amp == 16 * LLAMA_PARAMS and pure == 8 * LLAMA_PARAMS


LLAMA_PARAMS = 6_738_415_616


def test_optimizer_choice_changes_state_bytes():
    kw = {"batch": 1, "seq": 256, "precision": "fp32"}
    states = {opt: train(LLAMA, optimizer=opt, **kw).model_states_bytes - 8 * LLAMA_PARAMS
              for opt in ("adamw", "sgd", "adamw_8bit", "adafactor")}
    assert states["adamw"] == 8 * LLAMA_PARAMS and states["sgd"] == 4 * LLAMA_PARAMS
    assert states["adamw_8bit"] < 2.1 * LLAMA_PARAMS and states["adafactor"] < 0.1 * LLAMA_PARAMS


def test_lora_and_qlora_train_few_parameters_and_qlora_stores_nf4():
    lora = train(LLAMA, method="lora", lora_rank=8, batch=1, seq=512)
    assert lora.trainable_params == 32 * 2 * 8 * (4096 + 4096)
    all_targets = train(LLAMA, method="lora", lora_rank=8, lora_targets="all", batch=1, seq=512)
    assert all_targets.trainable_params > lora.trainable_params
    qlora = train(LLAMA, method="qlora", batch=1, seq=512)
    nf4 = quantisable_params(LLAMA) * NF4_BYTES_PER_PARAM + 2 * (LLAMA_PARAMS - quantisable_params(LLAMA))
    assert qlora.components["quantised base weights"] == int(nf4)
    assert qlora.peak_allocated_bytes < lora.peak_allocated_bytes


def test_kv_cache_is_grouped_query_aware():
    # LLaMA-3-8B: 2 (K, V) x 32 layers x 8 KV heads x 128 dims x 2 bytes = 131,072 bytes per token
    assert kv_cache_bytes(LLAMA3, batch=1, tokens=1) == 131_072
    assert kv_cache_bytes(LLAMA, batch=1, tokens=1) == 524_288  # MHA: 32 KV heads


def test_inference_precisions_order_and_generation_adds_cache():
    sizes = [infer(LLAMA, precision=p).components.get("weights") or
             infer(LLAMA, precision=p).components["quantised weights"] for p in ("fp32", "bf16", "int8", "int4")]
    assert sizes == sorted(sizes, reverse=True)
    short = infer(LLAMA, batch=8, prompt_tokens=1024, new_tokens=16).peak_allocated_bytes
    long = infer(LLAMA, batch=8, prompt_tokens=1024, new_tokens=2048).peak_allocated_bytes
    assert long > short


def test_encoder_forward_for_classification_or_embedding():
    bert = get_model("bert-base-uncased").shape
    est = infer(bert, batch=32, prompt_tokens=512)
    assert est.peak_allocated_bytes > 2 * est.params
    with pytest.raises(InvalidInput, match="generate"):
        infer(bert, new_tokens=8)


def test_encoder_decoder_decoder_length_counts():
    t5 = get_model("t5-large").shape
    short = train(t5, batch=8, seq=512, target_len=64).peak_allocated_bytes
    long = train(t5, batch=8, seq=512, target_len=512).peak_allocated_bytes
    assert long > short


def test_min_gpus_and_strategy_table():
    h100 = get_gpu("h100-80gb")
    count, est = min_gpus(train_setup(LLAMA, precision="bf16", batch=1, seq=2048, grad_checkpointing=True,
                                      strategy="zero3"), h100)
    assert count >= 1 and est.fits(h100)
    rows = strategy_table(train_setup(LLAMA, precision="amp_bf16", batch=1, seq=2048, grad_checkpointing=True), h100)
    by = {(r.strategy, r.offload): r for r in rows}
    assert by[("ddp", "none")].min_gpus is None  # 16 B/param of model states (108 GB) never fit one H100 with DDP
    assert by[("zero3", "none")].min_gpus <= 4
    assert by[("zero3", "optimizer")].cpu_offload_bytes > 0


def test_nothing_fits_says_what_would():
    t4 = get_gpu("t4")
    ideas = what_would_fit(train_setup(LLAMA, precision="amp_bf16", batch=8, seq=2048), t4)
    assert any("QLoRA" in i or "GPUs" in i for i in ideas)


def test_rules_of_thumb_and_why_they_differ():
    rules = rule_of_thumb_bytes(1_000_000_000, precision="fp32")
    assert rules["24 B/param rule"] == 24e9 and rules["accelerate estimate-memory"] == 16e9
    assert rule_of_thumb_bytes(1_000_000_000, precision="bf16")["24 B/param rule"] == 12e9
    est = train(get_model("gpt2-small").shape, batch=32, seq=1024)
    assert "activations" in why_rules_differ(est, est.params)


@pytest.mark.parametrize("kwargs,message", [
    ({"batch": -1}, "micro-batch"), ({"seq": 0}, "sequence length"), ({"precision": "fp4"}, "precision"),
    ({"method": "ia3"}, "method"), ({"optimizer": "lion"}, "optimizer"), ({"attention": "flash3"}, "attention"),
    ({"precision": "int4"}, "qlora"), ({"method": "lora", "lora_rank": 0}, "LoRA rank"),
    ({"method": "lora", "lora_targets": "mlp_in"}, "LoRA target"), ({"tp": 3}, "divide"), ({"pp": 64}, "Pipeline"),
    ({"batch": 10**12}, "at most 1,000,000,000"),
])
def test_bad_training_input_raises_a_clear_error(kwargs, message):
    with pytest.raises(InvalidInput, match=message):
        train(LLAMA, **kwargs)


@pytest.mark.parametrize("kwargs", [{"precision": "fp6"}, {"batch": 0}, {"new_tokens": -1}, {"tp": 5}])
def test_bad_inference_input_raises(kwargs):
    with pytest.raises(InvalidInput):
        infer(LLAMA, **kwargs)


def test_qlora_defaults_are_the_reference_scripts_and_65b_fits_one_48_gb_gpu():
    """Dettmers et al. 2023 (QLoRA) abstract: "finetune a 65B parameter model on a single 48GB GPU"; its reference
    script (artidoro/qlora ``qlora.py``) defaults to ``--optim paged_adamw_32bit``, ``gradient_checkpointing=True``,
    ``--bf16`` (adapters cast to bf16), ``bnb_4bit_quant_type="nf4"`` with ``--double_quant``. With nothing but
    the method set, LLaMA-65B must fit an RTX A6000 (48 GB, 47.54 GiB allocatable)."""
    from lifecycle.memory.plan import training_plan
    from lifecycle.memory.setup import TrainingSetup
    from lifecycle.models.ref import ModelRef

    setup = TrainingSetup(model=ModelRef.catalog("llama-65b"), method="qlora", gpu="rtx-a6000")
    assert (setup.optimizer, setup.grad_checkpointing, setup.adapter_bytes) == ("paged_adamw_32bit", True, 2)
    assert training_plan(setup).fits
    # what the user sets stays set
    assert TrainingSetup(model=ModelRef.catalog("llama-65b"), method="qlora", optimizer="adamw").optimizer == "adamw"
    assert TrainingSetup(model=ModelRef.catalog("llama-7b")).optimizer == "adamw"


def test_the_inference_rule_of_thumb_is_labelled_with_what_it_holds():
    """Course, week 1: "1 parameter = 4 bytes (32-bit float)" to store; +20 B/param to train = 24 B/param. Serving
    takes the store half only, so its row says 4 B/param (2 B at bf16), not "24 B/param rule" (issue 26)."""
    rules = rule_of_thumb_bytes(1_000_000_000, precision="bf16", workload="infer")
    assert "24 B/param rule" not in rules and rules["4 B/param to store"] == 2e9
    assert rule_of_thumb_bytes(1_000_000_000, precision="fp32", workload="infer")["4 B/param to store"] == 4e9
