"""``lifecycle memory``: per-GPU memory of training or inference, and how many GPUs it needs.

    lifecycle memory --model llama-2-7b --method lora --lora-rank 16 --batch 4 --seq 1024 --gpu a100-80gb --json
    lifecycle memory --config path/to/config.json --workload infer --prompt-len 1024 --new-tokens 256 --batch 16
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from lifecycle.cli._io import print_json
from lifecycle.errors import InvalidInput
from lifecycle.memory.adapters import OPTIMIZERS
from lifecycle.memory.distributed import STRATEGIES
from lifecycle.memory.estimate import training_memory
from lifecycle.memory.inference import inference_memory
from lifecycle.memory.planner import (
    min_gpus,
    min_gpus_inference,
    rule_of_thumb_bytes,
    strategy_table,
    what_would_fit,
)
from lifecycle.models.architecture import ModelShape
from lifecycle.models.catalog import get_model
from lifecycle.models.gpus import get_gpu

PRECISIONS = ("fp32", "amp_bf16", "amp_fp16", "bf16", "fp16", "int8", "int4")


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("memory", help="GPU memory and GPU count for training or inference of a transformer")
    src = p.add_mutually_exclusive_group(required=True)
    src.add_argument("--model", help="catalog id, e.g. llama-2-7b (see: lifecycle models list)")
    src.add_argument("--config", help="path to a Hugging Face config.json")
    p.add_argument("--workload", choices=("train", "infer"), default="train")
    p.add_argument("--precision", choices=PRECISIONS, help="default: amp_bf16 to train, bf16 to infer")
    p.add_argument("--method", choices=("full", "lora", "qlora"), default="full")
    p.add_argument("--lora-rank", type=int, default=16)
    p.add_argument("--lora-targets", help="comma-separated: q,k,v,o,gate,up,down or all (default q,v)")
    p.add_argument("--optimizer", choices=OPTIMIZERS, default="adamw")
    p.add_argument("--optimizer-impl", choices=("foreach", "fused"), default="foreach",
                   help="torch AdamW implementation (foreach keeps one extra copy during the step)")
    p.add_argument("--batch", type=int, default=1, help="micro-batch per GPU")
    p.add_argument("--seq", type=int, default=1024, help="input sequence length (tokens)")
    p.add_argument("--target-len", type=int, help="decoder length of encoder-decoder models (default 128)")
    p.add_argument("--grad-checkpointing", action="store_true")
    p.add_argument("--attention", choices=("sdpa", "eager"), default="sdpa")
    p.add_argument("--prompt-len", type=int, default=512)
    p.add_argument("--new-tokens", type=int, default=0)
    p.add_argument("--gpu", help="GPU id, e.g. h100-80gb: adds fits and min_gpus")
    p.add_argument("--gpus", type=int, default=1)
    p.add_argument("--strategy", choices=STRATEGIES, default="ddp")
    p.add_argument("--offload", choices=("none", "optimizer", "params"), default="none")
    p.add_argument("--tp", type=int, default=1)
    p.add_argument("--pp", type=int, default=1)
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=_memory)


def _shape(args) -> tuple[str, ModelShape]:
    if args.model:
        model = get_model(args.model)
        return model.id, model.shape
    path = Path(args.config)
    if not path.is_file():
        raise InvalidInput(f"No config file at {path}.")
    try:
        config = json.loads(path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise InvalidInput(f"{path} is not valid JSON: {exc.msg if hasattr(exc, 'msg') else exc}.") from None
    return str(path), ModelShape.from_config(config)


def _train_kwargs(args) -> dict:
    return {"precision": args.precision or "amp_bf16", "method": args.method, "lora_rank": args.lora_rank,
                "lora_targets": args.lora_targets, "optimizer": args.optimizer, "optimizer_impl": args.optimizer_impl,
                "batch": args.batch, "seq": args.seq, "target_len": args.target_len, "grad_checkpointing": args.grad_checkpointing,
                "attention": args.attention, "strategy": args.strategy, "offload": args.offload, "tp": args.tp, "pp": args.pp}


def _memory(args) -> int:
    name, shape = _shape(args)
    gpu = get_gpu(args.gpu) if args.gpu else None
    out: dict = {"model": name, "workload": args.workload}
    if args.workload == "infer":
        precision = {"amp_bf16": "bf16", "amp_fp16": "fp16"}.get(args.precision or "bf16", args.precision or "bf16")
        est = inference_memory(shape, precision=precision, batch=args.batch, prompt_tokens=args.prompt_len,
                               new_tokens=args.new_tokens, tp=args.tp, attention=args.attention)
        rules = rule_of_thumb_bytes(est.params, precision=precision, workload="infer")
    else:
        kwargs = _train_kwargs(args)
        est = training_memory(shape, gpus=args.gpus, **kwargs)
        rules = rule_of_thumb_bytes(est.params, precision=kwargs["precision"], workload="train", gpus=args.gpus)
    out.update(params=est.params, trainable_params=est.trainable_params,
               peak_allocated_bytes=est.peak_allocated_bytes, peak_reserved_bytes=est.peak_reserved_bytes,
               cuda_context_bytes=est.cuda_context_bytes, required_bytes=est.required_bytes,
               peak_phase=est.peak_phase, components=est.components, cpu_offload_bytes=est.cpu_offload_bytes,
               rules_of_thumb_bytes=rules, notes=est.notes)
    if gpu is not None:
        out.update(gpu=gpu.id, gpu_memory_bytes=gpu.memory_bytes, fits=est.fits(gpu))
        if args.workload == "infer":
            out["min_gpus"] = min_gpus_inference(shape, gpu, precision=precision, batch=args.batch,
                                                 prompt_tokens=args.prompt_len, new_tokens=args.new_tokens,
                                                 attention=args.attention)
        else:
            count, _ = min_gpus(shape, gpu, **kwargs)
            out["min_gpus"] = count
            out["by_strategy"] = strategy_table(shape, gpu, **kwargs)
            if count is None:
                out["what_would_fit"] = what_would_fit(shape, gpu, **kwargs)
    if args.json:
        print_json(out)
    else:
        _print_human(out)
    return 0


def _print_human(out: dict) -> None:
    gb = 1e9
    print(f"{out['model']} — {out['workload']}: {out['params']:,} parameters, {out['trainable_params']:,} trainable")
    for name, value in out["components"].items():
        print(f"  {name:<32} {value / gb:10.2f} GB")
    print(f"  {'peak allocated':<32} {out['peak_allocated_bytes'] / gb:10.2f} GB  (at {out['peak_phase']})")
    print(f"  {'peak reserved (+ allocator slack)':<32} {out['peak_reserved_bytes'] / gb:10.2f} GB")
    print(f"  {'+ CUDA context':<32} {out['required_bytes'] / gb:10.2f} GB")
    if "fits" in out:
        verdict = "fits" if out["fits"] else "does NOT fit"
        print(f"On {out['gpu']} ({out['gpu_memory_bytes'] / gb:.1f} GB): {verdict}; minimum GPUs: {out['min_gpus'] or 'none up to 4096'}")
        for idea in out.get("what_would_fit", []):
            print(f"  would fit with: {idea}")
    for rule, value in out["rules_of_thumb_bytes"].items():
        if value is not None:
            print(f"  rule of thumb — {rule}: {value / gb:.2f} GB")
    for note in out["notes"]:
        print(f"note: {note}")
