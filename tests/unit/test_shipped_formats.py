"""Models sized as they ship: a checkpoint's quantization_config is its default inference format.

Primary sources: the gpt-oss model card (OpenAI 2025, arXiv:2508.10925): "MXFP4 … the 120b model fits on a single
80 GB GPU … checkpoint sizes 60.8 GiB (gpt-oss-120b) and 12.8 GiB (gpt-oss-20b)"; the OCP Microscaling Formats
(MX) v1.0 spec §5 (32 FP4 E2M1 values share one E8M0 scale); each config.json's quantization_config.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from lifecycle.errors import InvalidInput
from lifecycle.memory.inference import inference_weight_bytes
from lifecycle.models.architecture import ModelShape
from lifecycle.models.ref import ModelRef
from tests.support.hf_reference import config

GIB = 2**30


@pytest.mark.parametrize("name, gib", [("gpt-oss-120b", 60.8), ("gpt-oss-20b", 12.8)])
def test_gpt_oss_checkpoints_weigh_what_the_model_card_says(name, gib):
    """Experts in MXFP4 (4.25 bits), attention, router, embeddings and LM head in bf16 (modules_to_not_convert):
    60.77 GiB and 12.82 GiB, within 0.2 % of the card's 60.8 / 12.8 GiB; in bf16 it would be 217.6 / 39.0 GiB."""
    shape = ModelShape.from_config(config(f"moe-configs/{name}.json"))
    assert (shape.shipped_format, shape.shipped_scope) == ("mxfp4", "experts")
    assert inference_weight_bytes(shape, "mxfp4") / GIB == pytest.approx(gib, rel=0.002)
    assert inference_weight_bytes(shape, "bf16") > 3 * inference_weight_bytes(shape, "mxfp4")


@pytest.mark.subprocess
def test_gpt_oss_120b_as_shipped_is_served_on_one_80_gb_gpu():
    """Model card: "gpt-oss-120b … can run on a single 80 GB GPU". The shipped format is the default: a serving plan
    with no precision given serves MXFP4 and fits one H100; in bf16 it needs several."""
    from lifecycle.serving.plan import ServingSetup, serving_plan
    from lifecycle.serving.will_it_fit import FitSetup, fit_matrix

    model = ModelRef.catalog("gpt-oss-120b")
    plan = serving_plan(ServingSetup(model=model, gpu="h100-80gb", prompt_tokens=2048, new_tokens=256))
    assert plan.precision == "mxfp4" and plan.fits
    assert not serving_plan(ServingSetup(model=model, precision="bf16", gpu="h100-80gb")).fits
    matrix = fit_matrix(FitSetup(model=model, gpu="h100-80gb"))
    assert next(iter(matrix.formats)) == "mxfp4" and matrix.formats["mxfp4"].endswith("as shipped")
    assert matrix.cell("mxfp4", "infer_short").fits and matrix.cell("mxfp4", "infer_short").gpus == 1
    out = subprocess.run([sys.executable, "-m", "lifecycle", "fit", "--model", "gpt-oss-120b", "--gpu", "h100-80gb"],
                         capture_output=True, text=True, check=True, timeout=300).stdout
    assert "ships as MXFP4" in out and out.splitlines()[3].startswith("MXFP4")  # the first row


def test_catalog_rows_show_the_shipped_format():
    from lifecycle.models.catalog import get_model
    from lifecycle.models.search import catalog_row

    assert catalog_row(get_model("gpt-oss-20b"))["shipped_format"].startswith("MXFP4")
    assert catalog_row(get_model("llama3.1-8b"))["shipped_format"] is None


QWEN3 = "catalog-configs/qwen3-8b.json"


@pytest.mark.parametrize("quantization, fmt, scope", [
    ({"quant_method": "fp8", "fmt": "e4m3", "activation_scheme": "dynamic", "weight_block_size": [128, 128]},
     "fp8", "linears"),  # Qwen3-8B-FP8, DeepSeek-V3
    ({"quant_method": "gptq", "bits": 4, "group_size": 128, "desc_act": False, "sym": True}, "gptq4", "linears"),
    ({"quant_method": "awq", "bits": 4, "group_size": 128, "zero_point": True, "version": "gemm"}, "gptq4", "linears"),
    ({"quant_method": "bitsandbytes", "load_in_4bit": True, "bnb_4bit_quant_type": "nf4"}, "int4", "linears"),
    ({"quant_method": "bitsandbytes", "load_in_8bit": True}, "int8", "linears"),
    ({"quant_method": "fp8", "modules_to_not_convert": ["model.layers.*.self_attn", "lm_head"]}, "fp8", "mlp"),
])
def test_quantization_configs_set_the_shipped_format(quantization, fmt, scope):
    """transformers' quantizers by quant_method; modules_to_not_convert keeps those modules in their dtype (an
    FP8 checkpoint that skips attention weighs more than one that converts it)."""
    cfg = {**config(QWEN3), "quantization_config": quantization}
    shape = ModelShape.from_config(cfg)
    assert (shape.shipped_format, shape.shipped_scope) == (fmt, scope)
    setup_precision = ModelRef.from_config(cfg).shipped_format
    assert setup_precision == fmt
    if fmt == "fp8":
        all_linears = ModelShape.from_config({**config(QWEN3), "quantization_config": {"quant_method": "fp8"}})
        weights = inference_weight_bytes(shape, "fp8")
        assert (weights > inference_weight_bytes(all_linears, "fp8")) == (scope == "mlp")
        assert weights < inference_weight_bytes(shape, "bf16")


@pytest.mark.parametrize("quantization", [{"quant_method": "hqq"}, {"quant_method": "gptq", "bits": 3}, "fp8",
                                          {"quant_method": "bitsandbytes"}])
def test_a_quantization_this_planner_cannot_size_is_refused_not_sized_as_16_bit(quantization):
    with pytest.raises(InvalidInput, match="quantization"):
        ModelShape.from_config({**config(QWEN3), "quantization_config": quantization})


def test_decode_speed_of_each_format_comes_from_its_own_bytes_read():
    """Pope et al. 2022 §2: a batch-1 decode step reads every weight (at the format's size) and the KV cache. GPTQ
    and NF4 hold nearly the same weight bytes (4.16 vs 4.13 bits), so they decode at nearly the same speed (before:
    349 vs 221 tok/s on H100, from rescaling NF4's step, KV cache and overheads included, by the weight ratio).
    A mixture of experts reads only the experts a token is routed to: gpt-oss-120b at batch 1 reads 4 of 128."""
    from lifecycle.models.gpus import get_gpu
    from lifecycle.serving.plan import decode_bytes_per_step
    from lifecycle.serving.will_it_fit import batch1_decode_tokens_per_s

    h100 = get_gpu("h100-80gb")
    llama = ModelRef.catalog("llama3.1-8b").shape
    gptq = batch1_decode_tokens_per_s(llama, "gptq4", h100, gpus=1, context=1920)
    nf4 = batch1_decode_tokens_per_s(llama, "int4", h100, gpus=1, context=1920)
    assert gptq == pytest.approx(nf4, rel=0.02)
    bf16 = batch1_decode_tokens_per_s(llama, "bf16", h100, gpus=1, context=1920)
    assert 1.5 < gptq / bf16 < 4  # fewer bytes, same KV cache and per-layer overhead: not the 3.8x weight ratio
    oss = ModelRef.catalog("gpt-oss-120b").shape
    read = decode_bytes_per_step(oss, "mxfp4", 1, 1)
    experts = 36 * 128 * 3 * 2880 * 2880
    dense_bf16 = 2 * (116_829_156_672 - experts)
    assert read == pytest.approx(dense_bf16 + 4 / 128 * experts * 4.25 / 8, rel=0.01)


@pytest.mark.subprocess
def test_the_cli_serves_a_checkpoint_in_its_shipped_format_unless_told_otherwise():
    """``lifecycle memory --workload infer`` and ``serve-plan`` with no --precision: MXFP4 for gpt-oss-120b (65.2 GB of
    weights, fits one H100); bf16 when asked; a model shipped in 16 bits keeps bf16."""
    def run(*args):
        out = subprocess.run([sys.executable, "-m", "lifecycle", *args, "--json"], capture_output=True, text=True,
                             check=True, timeout=300)
        return json.loads(out.stdout)

    shipped = run("memory", "--model", "gpt-oss-120b", "--workload", "infer", "--gpu", "h100-80gb")
    assert shipped["fits"] and shipped["components"]["weights"] == 65_248_815_744
    assert not run("memory", "--model", "gpt-oss-120b", "--workload", "infer", "--gpu", "h100-80gb",
                   "--precision", "bf16")["fits"]
    assert run("serve-plan", "--model", "gpt-oss-120b", "--gpu", "h100-80gb", "--batch", "1",
               "--context", "2304")["precision"] == "mxfp4"
    assert run("serve-plan", "--model", "llama3.1-8b", "--gpu", "h100-80gb", "--batch", "1",
               "--context", "2304")["precision"] == "bf16"


def test_a_decode_kernel_below_its_ideal_speed_up_is_taken_from_its_benchmark():
    """bitsandbytes 0.40.0 release notes: the NF4 batch-1 kernel is "3.4x for Ampere (A100 …), 4.0x for Ada/Hopper"
    faster than 16-bit matmuls, and batch > 1 falls back to dequantising (a 16-bit copy written and read); Marlin
    (GPTQ/AWQ in vLLM) keeps "close to ideal (4x) speedups up to batchsizes of 16-32". So on an A100 NF4 reads the
    16-bit bytes of its quantised linears / 3.4 at batch 1 and 4-bit + 2 × 16-bit bytes of them at batch 8, while GPTQ
    reads its own bytes."""
    from lifecycle.models.architecture import block_linear_params
    from lifecycle.models.gpus import get_gpu
    from lifecycle.serving.decode import decode_bytes_per_step

    llama = ModelRef.catalog("llama3.1-8b").shape
    w16, w4 = inference_weight_bytes(llama, "bf16"), inference_weight_bytes(llama, "int4")
    lin16 = 2 * block_linear_params(llama)  # the quantised linears at 16 bits; embeddings and head stay 16-bit
    rest = w16 - lin16
    kv1 = decode_bytes_per_step(llama, "bf16", 1, 1024) - w16
    assert decode_bytes_per_step(llama, "int4", 1, 1024, gpu_id="a100-80gb") == pytest.approx(
        lin16 / 3.4 + rest + kv1, rel=1e-6)
    assert decode_bytes_per_step(llama, "int4", 1, 1024, gpu_id="h100-80gb") == pytest.approx(w4 + kv1, rel=1e-6)
    kv8 = decode_bytes_per_step(llama, "bf16", 8, 1024) - w16
    assert decode_bytes_per_step(llama, "int4", 8, 1024, gpu_id="a100-80gb") == pytest.approx(
        w4 + 2 * lin16 + kv8, rel=1e-6)
    gptq = inference_weight_bytes(llama, "gptq4")
    assert decode_bytes_per_step(llama, "gptq4", 8, 1024, gpu_id="a100-80gb") == pytest.approx(gptq + kv8, rel=1e-6)
    assert get_gpu("a100-80gb").id == "a100-80gb"
