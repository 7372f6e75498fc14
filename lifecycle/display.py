"""One formatting layer for every number a person reads: pages, reports and the CLI's text output.

Significant figures follow magnitude (three, never a wall of digits); bytes are decimal GB (1e9) unless a
function says GiB (2**30); money is US dollars with cents below $1 and k/M/B suffixes above $10,000; times
pick the unit a person would say. The same Result therefore reads the same on the screen and in the PDF.
"""

from __future__ import annotations

import math

_SUFFIXES = ((1e12, "T"), (1e9, "B"), (1e6, "M"), (1e3, "k"))


def _finite(x: float) -> bool:
    return isinstance(x, (int, float)) and not isinstance(x, bool) and math.isfinite(x)


def format_number(x: float | None, digits: int = 3) -> str:
    """``digits`` significant figures without trailing zeros, thousands separators, scientific only beyond
    1e15 or below 1e-3."""
    if x is None:
        return "—"
    if not _finite(x):
        return "not a number"
    if x == 0:
        return "0"
    if abs(x) >= 1e15 or abs(x) < 1e-3:
        return f"{x:.{digits - 1}e}"
    magnitude = math.floor(math.log10(abs(x)))
    decimals = max(digits - 1 - magnitude, 0)
    text = f"{round(x, decimals):,.{decimals}f}"
    return text.rstrip("0").rstrip(".") if "." in text else text  # "42 min", not "42.0 min"


def format_count(x: float | None) -> str:
    """Parameters and tokens as papers print them: 6.74B, 1.4T, 350M, 12k."""
    if x is None:
        return "—"
    if not _finite(x):
        return "not a number"
    for div, suffix in _SUFFIXES:
        if abs(x) >= div:
            return f"{format_number(x / div)}{suffix}"
    return format_number(x)


def format_bytes(n: float | None) -> str:
    """Decimal units (1 GB = 1e9 bytes), as GPU datasheets print them: "28.7 GB", "512 MB"."""
    if n is None:
        return "—"
    if not _finite(n):
        return "not a number"
    for div, unit in ((1e12, "TB"), (1e9, "GB"), (1e6, "MB"), (1e3, "kB")):
        if abs(n) >= div:
            return f"{format_number(n / div)} {unit}"
    return f"{format_number(n)} bytes"


def format_gib(n: float | None) -> str:
    """Binary units (1 GiB = 2**30 bytes), for what PyTorch and nvidia-smi report."""
    return "—" if n is None else f"{format_number(n / 2**30)} GiB"


def format_money(usd: float | None) -> str:
    """"$0.43", "$12.50", "$4,310", "$607k", "$1.2M"."""
    if usd is None:
        return "—"
    if not _finite(usd):
        return "not a number"
    sign = "−" if usd < 0 else ""
    a = abs(usd)
    if a == 0:
        return "$0"
    if a < 0.01:
        return f"{sign}${a:.2g}"
    if a < 100:
        return f"{sign}${a:,.2f}"
    if a < 10_000:
        return f"{sign}${a:,.0f}"
    for div, suffix in ((1e12, "T"), (1e9, "B"), (1e6, "M"), (1e3, "k")):
        if a >= div:
            return f"{sign}${format_number(a / div)}{suffix}"
    return f"{sign}${a:,.0f}"  # pragma: no cover - unreachable


def format_duration(seconds: float | None) -> str:
    """"850 ms", "42 s", "42 min", "3.5 h", "5.4 days", "2.1 years"."""
    if seconds is None:
        return "—"
    if not _finite(seconds):
        return "not a number"
    s = abs(seconds)
    if s < 1:
        return f"{format_number(seconds * 1e3)} ms"
    if s < 120:
        return f"{format_number(seconds)} s"
    if s < 2 * 3600:
        return f"{format_number(seconds / 60)} min"
    if s < 2 * 86_400:
        return f"{format_number(seconds / 3600)} h"
    if s < 730 * 86_400:
        return f"{format_number(seconds / 86_400)} days"
    return f"{format_number(seconds / (365.25 * 86_400))} years"


def plural(n: float, noun: str) -> str:
    """"1 output token", "256 output tokens", "1.5 GPUs": the noun agrees with the count."""
    shown = f"{n:,}" if isinstance(n, int) or float(n).is_integer() else f"{n:g}"
    return f"{shown} {noun}" if n == 1 else f"{shown} {noun}s"


def format_rate(per_s: float | None, unit: str = "tokens") -> str:
    """"666 tokens/s", "12.4k tokens/s"."""
    return "—" if per_s is None else f"{format_count(per_s)} {unit}/s"


def format_percent(fraction: float | None) -> str:
    return "—" if fraction is None else f"{format_number(100 * fraction, 2)}%"


def terminal_text(text: object) -> str:
    """User text for a terminal: control characters (ESC, CR, LF, …) and invisible format characters
    (bidi overrides, zero-width) written as visible escapes, so a name cannot recolour, retitle or
    rearrange the terminal or forge a table row."""
    import unicodedata

    out = []
    for ch in str(text):
        if unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp"):
            out.append(f"\\x{ord(ch):02x}" if ord(ch) < 0x100 else f"\\u{ord(ch):04x}")
        else:
            out.append(ch)
    return "".join(out)
