"""FP8 training (Transformer Engine, torchao.float8): which tensors are 8-bit, what it saves, where it runs.

``data/fp8_training.json`` holds the sources. The linear layers' three GEMMs take float8 inputs (forward
activation and weight; backward output gradient, weight and input) on FP8 tensor cores; master weights, optimizer
states, saved activations, norms, attention and the loss stay as in bf16 mixed precision. So memory is that of
``amp_bf16`` except that FSDP2 all-gathers the linear weights in 8 bits (``enable_fsdp_float8_all_gather``), and
time is bf16 time divided by the measured end-to-end speedup (MFU counted against the bf16 peak, as torchtitan
prints it).
"""

from __future__ import annotations

import json
from functools import lru_cache

from lifecycle.resources import data_path


@lru_cache(maxsize=1)
def fp8_reference() -> dict:
    return json.loads(data_path("fp8_training.json").read_text())


def check_fp8(method: str, gpu_id: str | None) -> None:
    """FP8 training is full (or continued) training on a chip with FP8 tensor cores; else one line (ValueError,
    which the Setup turns into InvalidInput)."""
    if method != "full":
        raise ValueError("fp8 training casts the trained linear layers' GEMMs to float8; use it with method full "
                         "(for LoRA/QLoRA choose amp_bf16 or int4)")
    if gpu_id is not None and gpu_id not in fp8_reference()["gpus"]:
        raise ValueError(f"{gpu_id} has no FP8 tensor cores (Hopper, Ada or Blackwell needed: "
                         f"{', '.join(fp8_reference()['gpus'])})")


def effective_mfu(precision: str, mfu: float) -> float:
    """MFU against the bf16 peak: an FP8 run does the same model FLOPs ``speedup`` times faster."""
    return min(1.0, mfu * fp8_reference()["speedup"]) if precision == "fp8" else mfu
