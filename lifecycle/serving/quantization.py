"""Number formats for weights: what FP32/FP16/BF16/INT8/INT4 store, and what that costs in memory.

Floats are converted for real (numpy float32/float16, ml_dtypes bfloat16) and their bit
patterns read back; the integer formats are symmetric absmax quantisation (LLM.int8(),
Dettmers et al. 2022, §2.1: ``code = round(x · qmax / absmax)``, ``x̂ = code · absmax / qmax``),
with the scale ``absmax / qmax`` stated next to every stored value.
"""

from __future__ import annotations

import math
from functools import lru_cache
from typing import Any

import numpy as np
from pydantic import BaseModel, Field

from lifecycle._typed import Result, Setup
from lifecycle.errors import InvalidInput
from lifecycle.models.ref import ModelRef

FORMATS: tuple[str, ...] = ("fp32", "fp16", "bf16", "int8", "int4")
FORMAT_TITLES = {"fp32": "FP32", "fp16": "FP16", "bf16": "BF16", "int8": "INT8", "int4": "INT4"}

# numpy dtype and the unsigned integer of the same width (to read the bit pattern back).
FLOAT_FORMATS = ("fp32", "fp16", "bf16")


@lru_cache(maxsize=1)
def _float_dtypes() -> dict:
    """numpy dtype and the unsigned integer of the same width; ml_dtypes loads here, on first use (≈0.6 s)."""
    import ml_dtypes

    return {"fp32": (np.float32, np.uint32), "fp16": (np.float16, np.uint16), "bf16": (ml_dtypes.bfloat16, np.uint16)}
_INT_BITS = {"int8": 8, "int4": 4}

# A value is quantised as part of a tensor; absmax is that tensor's largest |value|.
# The demonstration stores π in a tensor whose largest magnitude is 4 unless the user says otherwise.
DEFAULT_ABSMAX = 4.0
# Grouped 4-bit schemes (GPTQ, AWQ, bitsandbytes NF4) keep one 16-bit scale per group of weights.
SCALE_BITS = 16


def _check_format(fmt: str) -> str:
    key = str(fmt).lower()
    if key not in FORMATS:
        raise InvalidInput(f"Unknown number format {fmt!r}; expected one of {', '.join(FORMATS)}.")
    return key


def int_qmax(bits: int) -> int:
    """Largest code of symmetric signed quantisation: 127 for 8 bits, 7 for 4 bits (−qmax…qmax)."""
    return 2 ** (bits - 1) - 1


def format_info(fmt: str) -> dict[str, Any]:
    """Bits, exponent/fraction split and representable range of one format, read from numpy/ml_dtypes."""
    key = _check_format(fmt)
    if key in FLOAT_FORMATS:
        import ml_dtypes

        info = ml_dtypes.finfo(_float_dtypes()[key][0])
        bits = int(info.bits)
        return {
            "format": FORMAT_TITLES[key],
            "kind": "float",
            "bits": bits,
            "sign_bits": 1,
            "exponent_bits": int(info.nexp),
            "fraction_bits": int(info.nmant),
            "integer_bits": None,
            "range_min": -float(info.max),
            "range_max": float(info.max),
            "smallest_normal": float(info.smallest_normal),
            "smallest_subnormal": float(info.smallest_subnormal),
            "machine_epsilon": float(info.eps),
            # Decimal digits carried by the significand: log10(2^(fraction_bits + 1)).
            "decimal_digits": round((int(info.nmant) + 1) * math.log10(2), 1),
            "range": f"±{float(info.max):.4g} (smallest normal {float(info.smallest_normal):.3g})",
        }
    bits = _INT_BITS[key]
    qmax = int_qmax(bits)
    return {
        "format": FORMAT_TITLES[key],
        "kind": "integer",
        "bits": bits,
        # Two's complement: 1 sign bit + bits-1 integer bits (the course slides: INT8 = 1 sign + 7 bits);
        # an integer has neither exponent nor fraction.
        "sign_bits": 1,
        "exponent_bits": None,
        "fraction_bits": None,
        "integer_bits": bits - 1,
        "range_min": -(2 ** (bits - 1)),
        "range_max": qmax,
        "smallest_normal": None,
        "smallest_subnormal": None,
        "machine_epsilon": None,
        "decimal_digits": None,
        "range": f"codes −{2 ** (bits - 1)}…{qmax}; symmetric absmax uses ±{qmax} × scale",
    }


def weights_bytes(params: int, fmt: str, *, group_size: int | None = None) -> int:
    """Bytes to hold ``params`` weights in ``fmt``; with ``group_size`` add one 16-bit scale per group."""
    key = _check_format(fmt)
    if not isinstance(params, (int, np.integer)) or isinstance(params, bool) or params < 0:
        raise InvalidInput(f"Parameter count must be a non-negative integer, got {params!r}.")
    bits = format_info(key)["bits"] * int(params)
    if group_size is not None:
        if key not in _INT_BITS:
            raise InvalidInput("A quantisation group size only applies to int8/int4.")
        if group_size < 1:
            raise InvalidInput(f"Group size must be at least 1, got {group_size}.")
        bits += SCALE_BITS * math.ceil(int(params) / group_size)
    return math.ceil(bits / 8)


def quantization_table(params: int, *, group_size: int | None = None) -> list[dict[str, Any]]:
    """One row per format: bits, exponent and fraction bits, range, bytes per value and weight memory."""
    rows = []
    for key in FORMATS:
        row = format_info(key)
        gs = group_size if key in _INT_BITS else None
        row["bytes_per_value"] = row["bits"] / 8
        row["weights_bytes"] = weights_bytes(params, key, group_size=gs)
        row["weights_gb"] = row["weights_bytes"] / 1e9  # GB = 1e9 bytes
        row["weights_gib"] = row["weights_bytes"] / 2**30  # GiB = 2**30 bytes
        rows.append(row)
    return rows


class StoredValue(BaseModel):
    """What one number becomes in one format."""

    format: str
    value: float
    stored: float | None  # None when the value overflows the format (it would be stored as ±inf)
    abs_error: float | None
    rel_error: float | None  # None when the value is 0 or overflows
    bit_pattern: str  # "sign exponent fraction" for floats, two's-complement code for integers
    code: int | None = None  # integer formats: the stored integer
    scale: float | None = None  # integer formats: absmax / qmax
    absmax: float | None = None
    overflow: bool = False  # the value exceeded the format's range (stored as ±inf)


def _float_bits(arr: np.ndarray, key: str) -> str:
    info = format_info(key)
    raw = int(arr.view(_float_dtypes()[key][1]).item())
    text = format(raw, f"0{info['bits']}b")
    e = info["exponent_bits"]
    return f"{text[0]} {text[1:1 + e]} {text[1 + e:]}"


def stored_value(x: float, fmt: str, *, absmax: float | None = None) -> StoredValue:
    """Store ``x`` in ``fmt`` and read it back. Integer formats quantise against ``absmax``
    (the tensor's largest |value|; default ``max(DEFAULT_ABSMAX, |x|)``)."""
    key = _check_format(fmt)
    try:
        value = float(x)
    except (TypeError, ValueError):
        raise InvalidInput(f"Value to store must be a number, got {x!r}.") from None
    if not math.isfinite(value):
        raise InvalidInput(f"Value to store must be finite, got {x!r}.")
    if key in FLOAT_FORMATS:
        with np.errstate(over="ignore"):
            arr = np.array(value, dtype=np.float64).astype(_float_dtypes()[key][0])
        stored = float(arr)
        overflow = not math.isfinite(stored)  # stored as ±inf: no finite value or error to report
        err = None if overflow else abs(stored - value)
        return StoredValue(
            format=FORMAT_TITLES[key], value=value, stored=None if overflow else stored, abs_error=err,
            rel_error=(err / abs(value)) if (value != 0 and err is not None) else None,
            bit_pattern=_float_bits(arr, key), overflow=overflow,
        )
    bits = _INT_BITS[key]
    if absmax is None:
        absmax = max(DEFAULT_ABSMAX, abs(value))
    absmax = float(absmax)
    if not math.isfinite(absmax) or absmax <= 0:
        raise InvalidInput(f"absmax must be a positive number, got {absmax!r}.")
    if abs(value) > absmax:
        raise InvalidInput(f"|{value}| exceeds absmax {absmax}: absmax is the tensor's largest magnitude.")
    codes, scale = quantize_absmax(np.array([value]), bits, absmax=absmax)
    code = int(codes[0])
    # code/qmax · absmax is code · scale, but never rounds past absmax into infinity (x = 1.8e308).
    stored = float(code / (2 ** (bits - 1) - 1) * absmax)
    err = abs(stored - value)
    return StoredValue(
        format=FORMAT_TITLES[key], value=value, stored=stored, abs_error=err,
        rel_error=(err / abs(value)) if value != 0 else None,
        bit_pattern=format(code & (2**bits - 1), f"0{bits}b"), code=code, scale=scale, absmax=absmax,
    )


def quantize_absmax(values: np.ndarray, bits: int, *, absmax: float | None = None) -> tuple[np.ndarray, float]:
    """Symmetric absmax quantisation (LLM.int8() §2.1): integer codes in [−qmax, qmax] and the scale.

    Dequantise with ``codes * scale``; the rounding error is at most ``scale / 2`` per value.
    """
    arr = np.asarray(values, dtype=np.float64)
    if bits not in (2, 3, 4, 5, 6, 7, 8):
        raise InvalidInput(f"Integer quantisation supports 2–8 bits, got {bits}.")
    if arr.size == 0 or not np.all(np.isfinite(arr)):
        raise InvalidInput("Values to quantise must be a non-empty array of finite numbers.")
    qmax = int_qmax(bits)
    top = float(np.max(np.abs(arr))) if absmax is None else float(absmax)
    if top == 0:
        return np.zeros(arr.shape, dtype=np.int8), 1.0
    scale = top / qmax
    codes = np.clip(np.rint(arr / scale), -qmax, qmax).astype(np.int8)
    return codes, scale


def demonstration(x: float = math.pi, *, absmax: float | None = None) -> list[dict[str, Any]]:
    """``stored_value`` of ``x`` in every format, as table rows."""
    return [stored_value(x, key, absmax=absmax).model_dump() for key in FORMATS]


class WeightFormatRow(Result):
    """One number format: its bit layout and what the model's weights take in it."""

    format: str
    kind: str
    bits: int
    sign_bits: int
    exponent_bits: int | None  # None for integers
    fraction_bits: int | None  # None for integers
    integer_bits: int | None = None  # value bits after the sign, integers only (INT8: 7)
    range: str
    bytes_per_value: float
    weights_bytes: int  # every weight in this format
    loaded_bytes: int | None = None  # as the planner loads them (quantised block linears, 16-bit embeddings)


class QuantizationSetup(Setup):
    """A model's weights in every format, and what one value becomes in each."""

    params: int = Field(ge=1, le=10**14)
    model: ModelRef | None = None  # adds "as loaded" (needs the shape)
    value: float = Field(math.pi, ge=-1e300, le=1e300)
    absmax: float = Field(DEFAULT_ABSMAX, gt=0, le=1e300)

    @classmethod
    def for_model(cls, model: ModelRef, **fields) -> QuantizationSetup:
        return cls(params=model.params, model=model, **fields)


class QuantizationReport(Result):
    formats: list[WeightFormatRow]
    stored: list[StoredValue]  # ``value`` stored in each format


@lru_cache(maxsize=64)
def quantization_report(setup: QuantizationSetup) -> QuantizationReport:
    """The quantization calculator: bytes of the weights per format and one value stored in each."""
    from lifecycle.memory.inference import inference_weight_bytes

    rows = []
    for row in quantization_table(setup.params):
        loaded = inference_weight_bytes(setup.model.shape, row["format"].lower()) if setup.model else None
        rows.append(WeightFormatRow(**{k: row[k] for k in WeightFormatRow.model_fields if k in row},
                                    loaded_bytes=loaded))
    stored = [stored_value(setup.value, key, absmax=setup.absmax) for key in FORMATS]
    return QuantizationReport(formats=rows, stored=stored)
