"""Parameters, non-embedding active parameters and prefill FLOPs of real configs, against transformers itself.

For every config.json under tests/data (published configs: dense, mixture-of-experts, encoder-decoder and vision-
language models) the model is built by transformers on the meta device (nothing downloaded, no weights) and its
``parameters()`` are summed. Dense models also run one forward pass of 128 tokens under
``torch.utils.flop_counter.FlopCounterMode`` (meta tensors: shapes only): the linear layers' matmul FLOPs are compared
with 2 × 128 × the planner's non-embedding active parameters, and the whole count (attention scores included, which
the counter does not halve for the causal mask) with the serving plan's prefill FLOPs. Mixture-of-experts routing is
data-dependent and cannot run on meta tensors, so their FLOPs are the planner's alone.

    .venv/bin/python benchmarks/flops_table.py      # prints the Markdown table of benchmarks/README.md (~4 min)
    .venv/bin/python benchmarks/flops_table.py --from-results   # the table of the last run
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from common import ROOT, write_result

sys.path.insert(0, str(ROOT))
DATA = ROOT / "tests" / "data"
TOKENS = 128
FOLDERS = ("model-configs", "catalog-configs", "arch-configs", "moe-configs", "vlm-configs")
SKIP = {"bert-base", "bert-large"}  # encoders: no causal LM head to run here


def rows() -> list[dict]:
    from lifecycle.errors import LifecycleError
    from lifecycle.models.architecture import (
        ModelShape,
        active_parameter_count,
        flop_parameter_count,
        parameter_count,
    )
    from lifecycle.serving.plan import forward_flops
    from tests.support.hf_reference import (
        causal_forward_flops,
        meta_model,
        parameter_total,
        seq2seq_forward_flops,
    )

    out = []
    for folder in FOLDERS:
        for path in sorted((DATA / folder).glob("*.json")):
            if path.stem in SKIP:
                continue
            cfg = json.loads(path.read_text())
            try:
                shape = ModelShape.from_config(cfg)
            except LifecycleError as exc:
                out.append({"config": f"{folder}/{path.stem}", "note": str(exc)})
                continue
            row = {"config": f"{folder}/{path.stem}", "arch": shape.arch, "vision": shape.vision,
                   "params": parameter_count(shape),
                   "active": active_parameter_count(shape), "non_embedding_active": flop_parameter_count(shape)}
            seq2seq = shape.family == "encoder-decoder"
            try:
                if folder == "vlm-configs":
                    import torch
                    import transformers

                    from tests.support.hf_reference import hf_config

                    with torch.device("meta"):
                        model = transformers.AutoModelForImageTextToText.from_config(hf_config(cfg))
                else:
                    model = meta_model(cfg, seq2seq=seq2seq)
                row["hf_params"] = parameter_total(model)
            except Exception as exc:  # noqa: BLE001  (report what transformers could not build)
                row["note"] = f"transformers: {type(exc).__name__}"
                out.append(row)
                continue
            ours = forward_flops(flop_parameter_count(shape), shape, TOKENS, TOKENS)
            if seq2seq:
                ours += forward_flops(0, shape, 1, 1, decode=True, prompt_tokens=TOKENS)
            row["prefill_flops"] = ours
            if not shape.experts and folder != "vlm-configs":
                try:
                    counted = (seq2seq_forward_flops(model, TOKENS, 1) if seq2seq
                               else causal_forward_flops(model, TOKENS))
                except Exception as exc:  # noqa: BLE001  (a forward that reads mask values cannot run on meta)
                    row["note"] = f"FlopCounterMode: {type(exc).__name__} on meta tensors"
                    out.append(row)
                    continue
                row["hf_mm_flops"], row["hf_flops"] = counted.get("mm", 0), sum(counted.values())
                if not seq2seq:
                    row["linear_vs_2N"] = counted.get("mm", 0) / (2 * TOKENS * flop_parameter_count(shape)) - 1
            out.append(row)
            print(f"  {row['config']}", file=sys.stderr)
    return out


def markdown(table: list[dict]) -> str:
    lines = [("| config | params (ours) | transformers | non-embedding active | prefill FLOPs, 128 tokens (ours) | "
              "FlopCounterMode | difference |"), "| --- | ---: | ---: | ---: | ---: | ---: | ---: |"]
    for r in table:
        if "params" not in r:
            lines.append(f"| {r['config']} | refused: {r['note'][:60]}… | | | | | |")
            continue
        hf = f"{r['hf_params']:,}" if "hf_params" in r else r.get("note", "")
        same = " (=)" if r.get("hf_params") == r["params"] else ""
        flops = f"{r['prefill_flops'] / 1e12:.4f} T" if "prefill_flops" in r else "—"
        counter = (f"{r['hf_flops'] / 1e12:.4f} T" if "hf_flops" in r else "— (meta forward)" if "note" in r
                   else "— (vision model)" if r["config"].startswith("vlm") else "— (MoE routing)")
        if r.get("vision") == "language model only":
            hf += " with its vision tower (ours: language model only, named so)"
        diff = f"{r['prefill_flops'] / r['hf_flops'] - 1:+.2%}" if "hf_flops" in r else ""
        lines.append(f"| {r['config']} | {r['params']:,}{same} | {hf} | {r['non_embedding_active']:,} | {flops} | "
                     f"{counter} | {diff} |")
    return "\n".join(lines)


def main() -> None:
    if "--from-results" in sys.argv:  # re-render the last run's table
        print(markdown(json.loads((ROOT / "benchmarks" / "results" / "flops_table.json").read_text())["rows"]))
        return
    table = rows()
    print(markdown(table))
    exact = sum(1 for r in table if r.get("hf_params") == r.get("params"))
    write_result("flops_table", {"rows": table, "summary": {"configs": len(table), "params_equal_transformers": exact}})


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).parent))
    main()
