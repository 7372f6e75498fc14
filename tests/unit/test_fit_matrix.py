"""Will it fit: every cell is the planner's own estimate for that format and workload."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from lifecycle.memory.plan import inference_plan, training_plan
from lifecycle.memory.setup import InferenceSetup, TrainingSetup
from lifecycle.models.ref import ModelRef
from lifecycle.serving.will_it_fit import FitSetup, fit_matrix


@pytest.fixture(scope="module")
def matrix():
    return fit_matrix(FitSetup(model=ModelRef.catalog("llama3-8b"), gpu="l4"))


def test_bits_per_weight_follow_the_block_layouts():
    """ggml-common.h: block_q8_0 = fp16 d + 32 int8 (34 B / 32 weights); block_q6_K = 210 B, block_q5_K = 176 B,
    block_q4_K = 144 B per 256 weights. GPTQ group 128: 4 bits + fp16 scale + 4-bit zero per group."""
    from lifecycle.models.quantized import (
        FORMAT_BITS as bits,  # the layouts moved there (issue 26: shipped formats)
    )

    assert (bits["q8_0"], bits["q6_k"], bits["q5_k_m"], bits["q4_k_m"]) == (8.5, 6.5625, 5.5, 4.5)
    assert bits["gptq4"] == pytest.approx(4.15625)
    assert bits["mxfp4"] == 4.25 and bits["fp8"] == pytest.approx(8 + 32 / 16384)  # OCP MX: 32 FP4 + E8M0 scale


def test_cells_are_the_planners_estimates(matrix):
    model = ModelRef.catalog("llama3-8b")
    short = inference_plan(InferenceSetup(model=model, precision="bf16", concurrent_sequences=1,
                                          prompt_tokens=2048 - 256, new_tokens=256, gpu="l4"))
    assert matrix.cell("bf16", "infer_short").per_gpu_bytes == short.estimate.required_bytes
    assert matrix.cell("bf16", "infer_short").fits == short.fits
    qlora = training_plan(TrainingSetup(model=model, method="qlora", precision="int4", lora_targets="all",
                                        micro_batch=1, seq_len=2048, grad_checkpointing=True,
                                        optimizer="paged_adamw_32bit", gpu="l4"))
    assert matrix.cell("int4", "qlora").per_gpu_bytes == qlora.estimate.required_bytes
    assert matrix.cell("bf16", "full").gpus == training_plan(TrainingSetup(
        model=model, precision="amp_bf16", micro_batch=1, seq_len=2048, grad_checkpointing=True,
        strategy="fsdp", lora_targets="all", gpu="l4")).min_gpus


def test_smaller_formats_need_less_and_decode_faster(matrix):
    order = ["bf16", "q8_0", "q6_k", "q5_k_m", "q4_k_m"]
    sizes = [matrix.cell(f, "infer_short").per_gpu_bytes for f in order]
    speeds = [matrix.cell(f, "infer_short").tokens_per_s for f in order]
    assert sizes == sorted(sizes, reverse=True) and speeds == sorted(speeds)
    assert matrix.cell("q8_0", "lora").per_gpu_bytes is None and matrix.cell("q8_0", "lora").note
    assert matrix.long_context == 8192  # llama3-8b's window


@pytest.mark.subprocess
def test_cli_fit_json_is_the_same_matrix(matrix):
    out = subprocess.run([sys.executable, "-m", "lifecycle", "fit", "--model", "llama3-8b", "--gpu", "l4", "--json"],
                         capture_output=True, text=True, check=True)
    data = json.loads(out.stdout)
    assert data["cells"] == json.loads(matrix.model_dump_json())["cells"]
