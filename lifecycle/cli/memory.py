"""``lifecycle memory``: per-GPU memory of training or inference, and how many GPUs it needs.

    lifecycle memory --model llama-2-7b --method lora --lora-rank 16 --batch 4 --seq 1024 --gpu a100-80gb --json
    lifecycle memory --config path/to/config.json --workload infer --prompt-len 1024 --new-tokens 256 --batch 16

Flags become a ``TrainingSetup`` or ``InferenceSetup``; one call (``training_plan`` / ``inference_plan``) gives
everything printed. The JSON keys are a contract other tools read: add keys, never rename them.
"""

from __future__ import annotations

import argparse

from lifecycle.choices import (
    AdapterDtype,
    Attention,
    Method,
    Network,
    Offload,
    Optimizer,
    OptimizerImpl,
    Strategy,
    TpPlan,
    TrainingHead,
    TrainPrecision,
    WeightFormat,
    Workload,
    options,
    weight_format,
)
from lifecycle.cli._io import print_json
from lifecycle.cli._models import add_model_flags, model_from_flags

GB = 1e9


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("memory", help="GPU memory and GPU count for training or inference of a transformer")
    add_model_flags(p)
    p.add_argument("--workload", choices=options(Workload), default="train")
    p.add_argument("--precision", choices=list(dict.fromkeys(options(TrainPrecision) + options(WeightFormat))),
                   help="default: amp_bf16 to train; to infer, the format the checkpoint ships in, else bf16")
    p.add_argument("--method", choices=options(Method), default="full")
    p.add_argument("--lora-rank", type=int, default=16)
    p.add_argument("--lora-targets", help="comma-separated: q,k,v,o,gate,up,down or all (default q,v)")
    p.add_argument("--head", choices=options(TrainingHead),
                   help="output head the fine-tune trains (default: the model's own); classifiers score --labels classes")
    p.add_argument("--labels", type=int, default=2, help="classes of a seq-cls/token-cls head (default 2)")
    p.add_argument("--adapter-dtype", choices=options(AdapterDtype),
                   help="LoRA adapter dtype (default: bf16 for qlora as the QLoRA code does, fp32 for lora as peft does)")
    p.add_argument("--optimizer", choices=options(Optimizer),
                   help="default: paged_adamw_32bit for qlora (the QLoRA script's), else adamw; paged_* optimizers "
                        "keep their states in unified memory that pages to CPU RAM")
    p.add_argument("--optimizer-impl", choices=options(OptimizerImpl), default="foreach",
                   help="torch AdamW implementation (foreach keeps one extra copy during the step)")
    p.add_argument("--batch", type=int, default=1, help="micro-batch per GPU (train) or concurrent sequences (infer)")
    p.add_argument("--seq", type=int, default=1024, help="input sequence length (tokens)")
    p.add_argument("--target-len", type=int, help="decoder length of encoder-decoder models (default 128)")
    p.add_argument("--grad-checkpointing", action=argparse.BooleanOptionalAction, default=None,
                   help="activation checkpointing (default: on for qlora, as the QLoRA script, else off)")
    p.add_argument("--attention", choices=options(Attention), default="sdpa")
    p.add_argument("--prompt-len", type=int, default=512)
    p.add_argument("--new-tokens", type=int, default=0)
    p.add_argument("--gpu", help="GPU id, e.g. h100-80gb: adds fits and min_gpus")
    p.add_argument("--gpus", type=int, default=1)
    p.add_argument("--strategy", choices=options(Strategy), default="ddp")
    p.add_argument("--offload", choices=options(Offload), default="none")
    p.add_argument("--tp", type=int, default=1)
    p.add_argument("--pp", type=int, default=1)
    p.add_argument("--ep", type=int, default=1, help="expert parallel degree (mixture-of-experts models)")
    p.add_argument("--tp-plan", choices=options(TpPlan), default="dtensor",
                   help="what a tensor-parallel rank keeps: PyTorch's DTensor plan or Megatron-LM's vocab-parallel loss")
    p.add_argument("--micro-batches", type=int, default=1,
                   help="micro-batches per optimizer step and replica (gradient accumulation, pipeline fill)")
    p.add_argument("--network", choices=options(Network),
                   help="network between nodes (default: the GPU's reference server's, data/interconnects.json)")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=_memory)


def _setup(args, model):
    from lifecycle.memory.setup import InferenceSetup, TrainingSetup

    if args.workload == "infer":
        return InferenceSetup(model=model, precision=weight_format(args.precision) if args.precision else None,
                              concurrent_sequences=args.batch, prompt_tokens=args.prompt_len,
                              new_tokens=args.new_tokens, tp=args.tp, ep=args.ep, attention=args.attention,
                              gpu=args.gpu)
    return TrainingSetup(model=model, precision=args.precision or "amp_bf16", method=args.method,
                         lora_rank=args.lora_rank, lora_targets=args.lora_targets, optimizer=args.optimizer,
                         adapter_dtype=args.adapter_dtype, head=args.head, num_labels=args.labels,
                         optimizer_impl=args.optimizer_impl, micro_batch=args.batch, seq_len=args.seq,
                         target_len=args.target_len, grad_checkpointing=args.grad_checkpointing,
                         attention=args.attention, gpus=args.gpus, strategy=args.strategy, offload=args.offload,
                         tp=args.tp, pp=args.pp, ep=args.ep, gpu=args.gpu, micro_batches=args.micro_batches,
                         network=args.network, tp_plan=args.tp_plan)


def _memory(args) -> int:
    from lifecycle.memory.plan import inference_plan, training_plan
    from lifecycle.models.architecture import flop_parameter_count

    model, label = model_from_flags(args)
    setup = _setup(args, model)
    plan = inference_plan(setup) if args.workload == "infer" else training_plan(setup)
    out = plan_json(label, args.workload, plan)
    # the weights a token is multiplied by (no input-embedding lookup): what FLOPs count
    out["active_params_non_embedding"] = flop_parameter_count(setup.model.shape)
    if args.json:
        print_json(out)
    else:
        _print_human(out)
    return 0


def plan_json(label: str, workload: str, plan) -> dict:
    """The contract of ``lifecycle memory --json``."""
    est = plan.estimate
    out: dict = {"model": label, "workload": workload, "params": est.params, "active_params": est.active_params,
                 "trainable_params": est.trainable_params,
                 "peak_allocated_bytes": est.peak_allocated_bytes, "peak_reserved_bytes": est.peak_reserved_bytes,
                 "cuda_context_bytes": est.cuda_context_bytes, "required_bytes": est.required_bytes,
                 "peak_phase": est.peak_phase, "components": est.components,
                 "cpu_offload_bytes": est.cpu_offload_bytes, "rules_of_thumb_bytes": plan.rules_of_thumb_bytes,
                 "notes": est.notes}
    if workload == "train":
        out["data_parallel_degree"] = plan.data_parallel_degree
    if plan.gpu is not None:
        out.update(gpu=plan.gpu.id, gpu_memory_bytes=plan.gpu.memory_bytes, fits=plan.fits,
                   headroom_bytes=plan.headroom_bytes, fit_verdict=plan.fit_verdict, min_gpus=plan.min_gpus)
        if workload == "train":
            out["by_strategy"] = [row.model_dump() for row in plan.by_strategy]
            if plan.min_gpus is None:
                out["what_would_fit"] = plan.what_would_fit
    return out


def _print_human(out: dict) -> None:
    active = (f" ({out['active_params']:,} active per token)" if out.get("active_params") not in (None, out["params"])
              else "")
    print(f"{out['model']} — {out['workload']}: {out['params']:,} parameters{active}, "
          f"{out['trainable_params']:,} trainable")
    for name, value in out["components"].items():
        print(f"  {name:<32} {value / GB:10.2f} GB")
    print(f"  {'peak allocated':<32} {out['peak_allocated_bytes'] / GB:10.2f} GB  (at {out['peak_phase']})")
    print(f"  {'peak reserved (+ allocator slack)':<32} {out['peak_reserved_bytes'] / GB:10.2f} GB")
    print(f"  {'+ CUDA context':<32} {out['required_bytes'] / GB:10.2f} GB")
    if "fits" in out:
        left = abs(out["headroom_bytes"]) / GB
        verdict = {"fits": f"fits ({left:.2f} GB to spare)", "tight": f"fits, but tight ({left:.2f} GB of headroom)",
                   "does_not_fit": f"does NOT fit ({left:.2f} GB short)"}[out["fit_verdict"]]
        print(f"On {out['gpu']} ({out['gpu_memory_bytes'] / GB:.1f} GB): {verdict}; minimum GPUs: {out['min_gpus'] or 'none up to 4096'}")
        for idea in out.get("what_would_fit", []):
            print(f"  would fit with: {idea}")
    for rule, value in out["rules_of_thumb_bytes"].items():
        if value is not None:
            print(f"  rule of thumb — {rule}: {value / GB:.2f} GB")
    for note in out["notes"]:
        print(f"note: {note}")
