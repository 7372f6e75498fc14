"""GPU catalog: memory, dense peak throughput per precision, bandwidth and a default price.

Every row of ``data/gpus.json`` carries its datasheet source. Peak figures are dense
tensor-core numbers (datasheets print "with sparsity" at 2x). The price is an editable
assumption, not a quote: pass your own price wherever a cost is computed.
"""

from __future__ import annotations

import json
from functools import lru_cache

from pydantic import BaseModel, ConfigDict

from lifecycle._lookup import find_by_id
from lifecycle.errors import InvalidInput
from lifecycle.resources import data_path

GPUS_FILE = data_path("gpus.json")

# precision name -> GPU field holding its dense peak; "amp_bf16"/"amp_fp16" run their matmuls in the low precision.
PRECISION_PEAK_FIELD: dict[str, str] = {
    "bf16": "peak_bf16_dense_flops",
    "amp_bf16": "peak_bf16_dense_flops",
    "fp16": "peak_fp16_dense_flops",
    "amp_fp16": "peak_fp16_dense_flops",
    "fp32": "peak_fp32_flops",
    "int8": "peak_int8_dense_ops",
}
# Mixed-precision training in the chip's 16-bit tensor format: bf16 where it exists, else fp16 (V100, T4).
HALF = "half"


class GPU(BaseModel):
    model_config = ConfigDict(frozen=True)

    id: str
    name: str
    vendor: str
    memory_bytes: int  # what PyTorch can allocate (mem_get_info total, the OOM message's "total capacity"); "fits" compares with it
    datasheet_memory_gb: float  # the vendor's printed capacity, for display
    memory_source: str  # where memory_bytes was read
    peak_bf16_dense_flops: float | None  # None: no bf16 tensor cores (V100, T4)
    peak_fp16_dense_flops: float
    peak_fp32_flops: float
    peak_int8_dense_ops: float | None
    memory_bandwidth_bytes_per_s: float
    price_usd_per_hour: float  # editable assumption, see data/gpus.json _meta.price_source
    source: str

    @property
    def memory_gib(self) -> float:
        return self.memory_bytes / 2**30

    def peak_flops(self, precision: str = "bf16") -> float:
        """Dense peak FLOP/s for a precision; InvalidInput when the chip has no such tensor path."""
        if precision == HALF:
            return float(self.peak_bf16_dense_flops or self.peak_fp16_dense_flops)
        field = PRECISION_PEAK_FIELD.get(precision)
        if field is None:
            raise InvalidInput(
                f"Unknown precision {precision!r}; choose one of {', '.join([*PRECISION_PEAK_FIELD, HALF])}."
            )
        value = getattr(self, field)
        if value is None:
            raise InvalidInput(f"{self.name} has no {precision} tensor cores; use fp16 or fp32 on this GPU.")
        return float(value)


@lru_cache(maxsize=1)
def _catalog() -> dict[str, GPU]:
    rows = json.loads(GPUS_FILE.read_text())["gpus"]
    return {row["id"]: GPU(**row) for row in rows}


def price_assumption_note() -> str:
    return json.loads(GPUS_FILE.read_text())["_meta"]["price_source"]


def list_gpus() -> list[GPU]:
    return list(_catalog().values())


def get_gpu(gpu_id: str) -> GPU:
    return find_by_id(_catalog(), gpu_id, "GPU", cutoff=0.4)
