"""The one formatting layer: the text a person reads for a number, the same on every surface."""

import math

import pytest

from lifecycle.display import (
    format_bytes,
    format_count,
    format_duration,
    format_gib,
    format_money,
    format_number,
    format_percent,
    format_rate,
)


@pytest.mark.parametrize("value, text", [
    (28.7e9, "28.7 GB"), (2_205_978_624, "2.21 GB"), (512e6, "512 MB"), (999, "999 bytes"), (None, "—"),
])
def test_bytes_are_decimal_gb_with_three_significant_figures(value, text):
    assert format_bytes(value) == text


@pytest.mark.parametrize("value, text", [
    (0.4321, "$0.43"), (0.004, "$0.004"), (12.5, "$12.50"), (4310.2, "$4,310"), (607_123, "$607k"),
    (1.2e6, "$1.2M"), (0, "$0"),
])
def test_money_shows_cents_below_a_dollar_and_suffixes_for_large_sums(value, text):
    assert format_money(value) == text


@pytest.mark.parametrize("seconds, text", [
    (0.85, "850 ms"), (42, "42 s"), (2520, "42 min"), (3.5 * 3600, "3.5 h"), (5.4 * 86400, "5.4 days"),
    (0.001203 * 86400, "104 s"), (3 * 365.25 * 86400, "3 years"),
])
def test_durations_pick_the_unit_a_person_would_say(seconds, text):
    assert format_duration(seconds) == text


def test_counts_numbers_rates_and_percentages():
    assert format_count(6_738_415_616) == "6.74B" and format_count(1.4e12) == "1.4T" and format_count(350e6) == "350M"
    assert format_number(0.02887) == "0.0289" and format_number(12345.678) == "12,346" and format_number(1e-4) == "1.00e-04"
    assert format_rate(666.4) == "666 tokens/s" and format_percent(0.4) == "40%"
    assert format_gib(2**30) == "1 GiB"


@pytest.mark.parametrize("fn", [format_bytes, format_money, format_duration, format_count, format_number])
def test_non_finite_values_never_print_as_inf_or_nan(fn):
    for bad in (math.inf, -math.inf, math.nan):
        assert fn(bad) == "not a number"
