"""Runs inside llm-analysis's own virtual environment (never the project's): reads cases as JSON on
stdin, prints llm-analysis's peak-memory estimate of each as JSON on stdout.

Called by ``benchmarks/peers_accuracy.py``. llm-analysis (cli99/llm-analysis, PyPI ``llm-analysis``)
reports per-GPU memory parts; the peak is
  training:  (weight+op_state+grad+act)_memory_per_gpu                    (its own total)
  inference: weights + max(prefill activations, KV cache + decode activations)  (its own fit checks)
"""

import json
import logging
import sys

from llm_analysis import analysis as la
from llm_analysis.config import DtypeConfig, GPUConfig, ModelConfig, ParallelismConfig

la.logger.setLevel(logging.ERROR)
# A GPU large enough that llm-analysis's own "does it fit" assertions never stop it; whether the
# estimate fits a real GPU is decided by the caller, the same way for every method.
BIG_GPU = GPUConfig(name="unbounded", mem_per_GPU_in_GB=10_000, hbm_bandwidth_in_GB_per_sec=4800,
                    intra_node_bandwidth_in_GB_per_sec=900, intra_node_min_message_latency=8e-6,
                    peak_fp16_TFLOPS=989)


def estimate(case: dict) -> float:
    m = case["model"]
    model = ModelConfig(name=case["name"], num_layers=m["layers"], n_head=m["heads"], hidden_dim=m["hidden"],
                        vocab_size=m["vocab"], max_seq_len=max(m["max_context"], case.get("seq", 0) + 1, 1 << 20),
                        num_key_value_heads=m["kv_heads"], ffn_embed_dim=m["ffn"],
                        expansion_ratio=m["ffn"] / m["hidden"], model_type=m["arch"])
    bits = case["weight_bits"]
    analysis = la.LLMAnalysis(model, BIG_GPU, DtypeConfig(name=f"w{bits}a{bits}e{bits}", weight_bits=bits,
                                                          activation_bits=bits, embedding_bits=bits),
                              ParallelismConfig(), flops_efficiency=1.0, hbm_memory_efficiency=1.0)
    if case["kind"] == "train":
        out = analysis.training(
            batch_size_per_gpu=case["batch"], gradient_accumulation_steps=1, seq_len=case["seq"],
            total_num_tokens=case["batch"] * case["seq"] * 10,
            activation_recomputation=la.ActivationRecomputation.FULL if case["ckpt"] else la.ActivationRecomputation.NONE,
            flash_attn=case["flash_attn"], other_op_bytes=case.get("other_op_bytes"),
            mlp_gated_linear_units=m["gated_mlp"])
        return float(out["(weight+op_state+grad+act)_memory_per_gpu"])
    out = analysis.inference(batch_size_per_gpu=case["batch"], seq_len=case["seq"],
                             num_tokens_to_generate=case["new_tokens"])
    return float(out["weight_memory_per_gpu"] + max(out["prefill_activation_memory_per_gpu"],
                                                    out["kv_cache_memory_per_gpu"] + out["decode_activation_memory_per_gpu"]))


def main() -> None:
    results = []
    for case in json.load(sys.stdin):
        try:
            results.append({"name": case["name"], "bytes": estimate(case)})
        except Exception as exc:  # noqa: BLE001 - a peer failing on a row is a result too
            results.append({"name": case["name"], "bytes": None, "error": f"{type(exc).__name__}: {exc}"})
    json.dump(results, sys.stdout)


if __name__ == "__main__":
    main()
