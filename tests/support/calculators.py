"""Spies on the domain calculators the ``ui`` view modules call, and what a page must show for their Results.

``spy_calculators(monkeypatch)`` wraps every calculator a ``ui`` module imports (CONTRIBUTING.md's Setup →
function table, plus ``fit_matrix`` and the sample scorer) and returns the list of calls that returned, as
``Call(name, args, kwargs, result)``. ``shown_mismatches(at, calls)`` compares the page's metrics with the
Results of those calls, formatted as the pages format them (``lifecycle.display``), so a test asserts the
numbers a user reads, not only that nothing raised.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable
from typing import Any, NamedTuple

from lifecycle.display import format_bytes, format_duration, format_money, format_number, format_rate

CALCULATORS = ("training_plan", "inference_plan", "serving_plan", "continuous_batching", "pretraining_plan",
               "prompt_budget", "architecture_advice", "sampling_demo", "quantization_report", "adaptation_advice",
               "evaluation_plan", "pretrain_decision", "generation_comparison", "fit_matrix", "score")


class Call(NamedTuple):
    name: str
    args: tuple
    kwargs: dict
    result: Any


def view_modules() -> list:
    import ui

    return [importlib.import_module(f"ui.{info.name}") for info in pkgutil.iter_modules(ui.__path__)]


def spy_calculators(monkeypatch) -> list[Call]:
    """Wrap every calculator in every ``ui`` module; the list fills with the calls that returned (a Setup the
    function refuses is no call)."""
    seen: list[Call] = []
    for module in view_modules():
        for name in CALCULATORS:
            real = getattr(module, name, None)
            if callable(real) and getattr(real, "__module__", "").startswith("lifecycle."):
                def spy(*args, _real=real, _name=name, **kwargs):
                    result = _real(*args, **kwargs)
                    seen.append(Call(_name, args, kwargs, result))
                    return result

                monkeypatch.setattr(module, name, spy)
    return seen


def _memory(r) -> dict[str, str]:
    est = r.estimate
    return {"Peak allocated": format_bytes(est.peak_allocated_bytes),
            "Reserved (+ allocator slack)": format_bytes(est.peak_reserved_bytes),
            "Needs (+ CUDA context)": format_bytes(est.required_bytes)}


def _training(r) -> dict[str, str]:
    cost = r.time_and_cost
    return {**_memory(r), **({} if cost is None else {
        "Training time": format_duration(cost.days * 86_400), "GPU-hours": format_number(cost.gpu_hours),
        "Cost": format_money(cost.cost_usd)})}


def _serving(r) -> dict[str, str]:
    return {"Largest batch at this context": format_number(r.max_batch),
            "Largest context at this batch": format_number(r.max_context),
            "Time to first token (static batch)": format_duration(r.prefill_s),
            "Request latency (static batch)": format_duration(r.request_latency_s),
            "Decode tokens/s (all sequences)": format_rate(r.decode_tokens_per_s),
            "Tokens/s per sequence": format_rate(r.per_sequence_tokens_per_s),
            "Cost per 1M tokens (in + out)": format_money(r.cost_per_million_tokens_usd),
            "Requests per second": format_rate(r.requests_per_s, "requests"),
            "p95 latency": format_duration(r.p95_latency_s),
            "Cost per 1,000 requests": format_money(r.cost_per_thousand_requests_usd)}


def _batching(r) -> dict[str, str]:
    return {"TTFT p95 (continuous batching)": format_duration(r.ttft_p95_s),
            "Inter-token latency": format_duration(r.itl_mean_s),
            "Request latency p95": format_duration(r.latency_p95_s), "Settled batch": f"{r.settled_batch:,.1f}"}


def _decision(r) -> dict[str, str]:
    cost = r.cost
    return {} if cost is None else {"Pre-training cost (GPU time)": format_money(cost.cost_usd),
                                    "Wall clock": format_duration(cost.days * 86_400),
                                    "GPU-hours": format_number(cost.gpu_hours)}


def _pretraining(r) -> dict[str, str]:
    if not r.model_plans:
        return {}
    p0 = r.model_plans[0]
    return {"Tokens per parameter": format_number(p0.tokens_per_param), "Training time": format_duration(p0.days * 86_400),
            "Cost": format_money(p0.cost_usd)}


def _budget(r) -> dict[str, str]:
    return {"Context window": f"{r.context_tokens:,} tokens",
            "Your examples that fit": f"{r.max_examples_given_fit} of {len(r.example_tokens)}",
            "Examples of this length that would fit": f"{r.max_examples_typical_fit:,}"}


# The metrics each Result puts on a page, by label, as the page formats them.
SHOWN: dict[str, Callable[[Any], dict[str, str]]] = {
    "training_plan": _training, "inference_plan": _memory, "serving_plan": _serving,
    "continuous_batching": _batching, "pretrain_decision": _decision, "pretraining_plan": _pretraining,
    "prompt_budget": _budget,
}


def expected_metrics(calls: list[Call]) -> dict[str, str]:
    """Label → shown text for the last call of each calculator with metrics."""
    out: dict[str, str] = {}
    for call in calls:
        if call.name in SHOWN:
            out.update(SHOWN[call.name](call.result))
    return out


def compared_labels(at, calls: list[Call]) -> list[str]:
    """The metric labels on the page that a Result accounts for (what ``shown_mismatches`` compared)."""
    expected = expected_metrics(calls)
    return [m.label for m in at.metric if m.label in expected]


def shown_mismatches(at, calls: list[Call]) -> list[str]:
    """Metrics on the page that differ from the Result of the call that computed them, and a page that shows
    Result metrics although its calculator returned nothing (a stale number)."""
    expected = expected_metrics(calls)
    shown = {m.label: m.value for m in at.metric}
    wrong = [f"{label!r} shows {value!r}, the Result says {expected[label]!r}"
             for label, value in shown.items() if label in expected and expected[label] != value]
    known = {label for name, fields in _LABELS.items() for label in fields}
    if not any(c.name in SHOWN for c in calls):
        wrong += [f"{label!r} shows {value!r} but no calculator returned" for label, value in shown.items()
                  if label in known]
    return wrong


_LABELS = {
    "training_plan": ("Peak allocated", "Reserved (+ allocator slack)", "Needs (+ CUDA context)", "Training time",
                      "GPU-hours", "Cost"),
    "serving_plan": ("Largest batch at this context", "Time to first token (static batch)", "Requests per second",
                     "Cost per 1M tokens (in + out)", "p95 latency"),
    "pretrain_decision": ("Pre-training cost (GPU time)", "Wall clock"),
    "pretraining_plan": ("Tokens per parameter",),
    "prompt_budget": ("Context window", "Examples of this length that would fit"),
}
