"""Number formats: real conversions checked against IEEE 754 / bfloat16 published constants."""

import math

import numpy as np
import pytest

from lifecycle.errors import InvalidInput
from lifecycle.serving.quantization import (
    FORMATS,
    demonstration,
    quantization_table,
    quantize_absmax,
    stored_value,
    weights_bytes,
)

# Bytes allocated right after building the model in bf16 on an H200
# (source: shared/ground-truth/h200-measurements.jsonl, "infer" rows, field after_weights).
MEASURED_BF16_WEIGHTS = {
    "llama-7b": (6738415616, 13546038272),
    "llama3-8b": (8030261248, 16129729536),
    "gpt2-medium": (355871744, 780949504),
}


def test_table_has_the_five_formats_with_ieee_bit_splits():
    rows = {r["format"]: r for r in quantization_table(1_000_000)}
    assert list(rows) == ["FP32", "FP16", "BF16", "INT8", "INT4"]
    # IEEE 754 binary32/binary16 and Google's bfloat16: (bits, exponent, fraction)
    assert (rows["FP32"]["bits"], rows["FP32"]["exponent_bits"], rows["FP32"]["fraction_bits"]) == (32, 8, 23)
    assert (rows["FP16"]["bits"], rows["FP16"]["exponent_bits"], rows["FP16"]["fraction_bits"]) == (16, 5, 10)
    assert (rows["BF16"]["bits"], rows["BF16"]["exponent_bits"], rows["BF16"]["fraction_bits"]) == (16, 8, 7)
    assert rows["INT8"]["bits"] == 8 and rows["INT4"]["bits"] == 4


def test_integer_rows_show_a_sign_bit_and_value_bits_not_zero_fraction_bits():
    """Course slides, week 1 ('Quantization: INT8'): "INT8 | 1 bit sign | 7 bits integer", range −128…127
    (two's complement). An integer format has no exponent and no fraction: those cells are empty, not 0."""
    rows = {r["format"]: r for r in quantization_table(1)}
    int8 = rows["INT8"]
    assert (int8["sign_bits"], int8["integer_bits"], int8["exponent_bits"], int8["fraction_bits"]) == (1, 7, None, None)
    assert (int8["range_min"], rows["INT8"]["range_max"]) == (-128, 127)
    assert rows["INT4"]["integer_bits"] == 3
    assert all(rows[f]["sign_bits"] + rows[f]["exponent_bits"] + rows[f]["fraction_bits"] == rows[f]["bits"]
               for f in ("FP32", "FP16", "BF16"))


def test_ranges_match_published_maxima():
    rows = {r["format"]: r for r in quantization_table(1)}
    assert rows["FP16"]["range_max"] == 65504.0
    assert rows["FP32"]["range_max"] == pytest.approx(3.4028234663852886e38)
    assert rows["BF16"]["range_max"] == pytest.approx(3.3895313892515355e38)
    assert (rows["INT8"]["range_min"], rows["INT8"]["range_max"]) == (-128, 127)
    assert (rows["INT4"]["range_min"], rows["INT4"]["range_max"]) == (-8, 7)


def test_bytes_per_value_and_weight_memory_scale_with_bits():
    params = 7_000_000_000
    rows = {r["format"]: r for r in quantization_table(params)}
    assert rows["FP32"]["weights_bytes"] == 28_000_000_000
    assert rows["BF16"]["weights_bytes"] == 14_000_000_000
    assert rows["INT8"]["weights_bytes"] == 7_000_000_000
    assert rows["INT4"]["weights_bytes"] == 3_500_000_000
    assert rows["INT4"]["bytes_per_value"] == 0.5


@pytest.mark.parametrize("name", sorted(MEASURED_BF16_WEIGHTS))
def test_bf16_weight_memory_is_the_measured_allocation_less_a_fixed_buffer(name):
    params, measured = MEASURED_BF16_WEIGHTS[name]
    bf16 = {r["format"]: r for r in quantization_table(params)}["BF16"]["weights_bytes"]
    # The measured allocation holds the same 66 MiB on top of the weights for every model
    # (a fixed runtime buffer, not proportional to size), so compare the difference, not a ratio.
    assert 0 <= measured - bf16 <= 70 * 2**20


def test_group_scales_add_sixteen_bits_per_group():
    assert weights_bytes(128, "int4", group_size=64) == 64 + 4
    with pytest.raises(InvalidInput):
        weights_bytes(128, "bf16", group_size=64)


def test_pi_is_stored_as_the_known_bit_patterns():
    fp32 = stored_value(math.pi, "fp32")
    assert fp32.stored == pytest.approx(3.1415927410125732, abs=0)
    assert fp32.bit_pattern.replace(" ", "") == format(0x40490FDB, "032b")
    fp16 = stored_value(math.pi, "fp16")
    assert fp16.stored == 3.140625 and fp16.bit_pattern.replace(" ", "") == format(0x4248, "016b")
    bf16 = stored_value(math.pi, "bf16")
    assert bf16.stored == 3.140625 and bf16.bit_pattern.replace(" ", "") == format(0x4049, "016b")
    assert fp16.abs_error == pytest.approx(math.pi - 3.140625)


def test_float_errors_are_within_half_an_ulp():
    for x in (0.1, 1.7, 123.456, -9.87e-3):
        for fmt, eps in (("fp32", 2**-23), ("fp16", 2**-10), ("bf16", 2**-7)):
            sv = stored_value(x, fmt)
            assert sv.rel_error <= eps / 2 + 1e-15, (x, fmt)


def test_fp16_overflows_where_bf16_does_not():
    assert stored_value(1e5, "fp16").overflow
    overflow = stored_value(1e5, "fp16")
    assert overflow.overflow and overflow.stored is None and overflow.abs_error is None
    assert stored_value(1e5, "bf16").overflow is False


def test_int8_absmax_quantisation_states_its_scale_and_rounds():
    sv = stored_value(math.pi, "int8", absmax=4.0)
    assert sv.scale == pytest.approx(4.0 / 127)
    assert sv.code == round(math.pi / (4.0 / 127)) == 100
    assert sv.stored == pytest.approx(100 * 4.0 / 127)
    assert sv.abs_error <= sv.scale / 2
    int4 = stored_value(math.pi, "int4", absmax=4.0)
    assert int4.code == 5 and int4.scale == pytest.approx(4.0 / 7)
    assert int4.bit_pattern == "0101"
    assert stored_value(-1.0, "int4", absmax=4.0).bit_pattern == format(-2 & 0xF, "04b")


def test_absmax_value_is_stored_exactly():
    assert stored_value(2.5, "int8", absmax=2.5).stored == pytest.approx(2.5)


def test_vector_quantisation_error_bounded_by_half_a_step():
    rng = np.random.default_rng(0)
    w = rng.normal(size=10_000)
    for bits in (8, 4):
        codes, scale = quantize_absmax(w, bits)
        assert np.abs(codes).max() == 2 ** (bits - 1) - 1
        assert np.max(np.abs(codes * scale - w)) <= scale / 2 + 1e-12


def test_demonstration_covers_every_format():
    rows = demonstration(1.0)
    assert [r["format"].lower() for r in rows] == list(FORMATS)


@pytest.mark.parametrize(
    "call",
    [
        lambda: stored_value(float("nan"), "fp16"),
        lambda: stored_value("abc", "fp16"),
        lambda: stored_value(1.0, "fp8"),
        lambda: stored_value(5.0, "int8", absmax=4.0),
        lambda: stored_value(1.0, "int8", absmax=0),
        lambda: quantization_table(-1),
    ],
)
def test_bad_input_is_rejected_with_invalid_input(call):
    with pytest.raises(InvalidInput):
        call()
