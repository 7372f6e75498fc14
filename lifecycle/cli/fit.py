"""``lifecycle fit``: one model on one GPU — weight formats × workloads (memory, fits / GPUs, tokens/s)."""

from __future__ import annotations

import argparse

from lifecycle.cli._io import print_json
from lifecycle.cli._models import add_model_flags, model_from_flags

GB = 1e9


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("fit", help="will it fit: weight formats x workloads of one model on one GPU")
    add_model_flags(p)
    p.add_argument("--gpu", default="h100-80gb", help="GPU id (default h100-80gb)")
    p.add_argument("--short", type=int, default=2048, help="short context, tokens (default 2048)")
    p.add_argument("--long", type=int, default=None, help="long context, tokens (default: the model's window)")
    p.add_argument("--new-tokens", type=int, default=256,
                   help="tokens generated per request (default 256; an encoder generates none)")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=_fit)


def _fit(args) -> int:
    from lifecycle.serving.will_it_fit import FitSetup, fit_matrix

    model, label = model_from_flags(args)
    new_tokens = 0 if model.family == "encoder" else args.new_tokens
    matrix = fit_matrix(FitSetup(model=model, gpu=args.gpu, short_context=args.short, long_context=args.long,
                                 new_tokens=new_tokens))
    if args.json:
        print_json({"model": label, **matrix.model_dump(mode="json")})
        return 0
    print(f"{label} on {matrix.gpu_id} ({matrix.gpu_memory_bytes / GB:.1f} GB usable); contexts "
          f"{matrix.short_context:,} / {matrix.long_context:,} tokens")
    if matrix.shipped_format:
        print(f"ships as {matrix.formats[matrix.shipped_format].split(' — ')[0]} (its quantization_config): "
              "the first row, the default inference format")
    names = list(matrix.workloads)
    print(f"{'format':<30}" + "".join(f"{matrix.workloads[w][:25]:>27}" for w in names))
    for fmt, title in matrix.formats.items():
        cells = []
        for w in names:
            c = matrix.cell(fmt, w)
            if c.per_gpu_bytes is None:
                cells.append("—")
                continue
            where = "fits" if c.fits else (f"{c.gpus} GPUs" if c.gpus else "no fit")
            speed = f", {c.tokens_per_s:.0f} tok/s" if c.tokens_per_s else ""
            cells.append(f"{c.per_gpu_bytes / GB:.1f} GB {where}{speed}")
        print(f"{title[:29]:<30}" + "".join(f"{x:>27}" for x in cells))
    return 0
