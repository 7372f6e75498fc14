"""The inputs that matter and the key results of a saved scenario, read from its typed Setup and Result.

Each scenario class in ``lifecycle/records/scenarios.py`` states its own (``key_inputs`` / ``key_results``), so a new
kind is added in that one file; the helpers here are what those methods share.

Reports, comparisons and the app's scenario tables show these rather than every field. Keys carry the
project's unit suffixes (``_bytes``, ``_s``, ``_usd``, ``_tokens``…) so one formatter renders them; values
are plain numbers, text or lists. A legacy scenario shows the values it was saved with.
"""

from __future__ import annotations

from typing import Any

from lifecycle.choices import title


def _drop_none(values: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in values.items() if v is not None}


def _classifier(head: str, labels: int) -> dict[str, Any]:
    """A classifier's head and its number of labels (a language-model head has no labels to state)."""
    if head in ("seq-cls", "token-cls"):
        return {"head": title(head), "labels": labels}
    return {}


def _training_lengths(x) -> dict[str, Any]:
    """A decoder's and an encoder's one sequence; an encoder-decoder's encoder input and decoder output apart."""
    if x.model.family == "encoder-decoder":
        from lifecycle.memory.estimate import decoder_length

        return {"encoder_length_tokens": x.seq_len, "decoder_length_tokens": decoder_length(x)}
    return {"seq_len_tokens": x.seq_len}


def request_lengths(family: str, prompt_tokens: int, new_tokens: int) -> dict[str, int]:
    """The lengths of one request in the words of its family: an encoder reads an input and writes nothing;
    an encoder-decoder reads an encoder input and writes a decoder output; a decoder continues a prompt."""
    if family == "encoder":
        return {"input_tokens": prompt_tokens}
    if family == "encoder-decoder":
        return {"encoder_input_tokens": prompt_tokens, "decoder_output_tokens": new_tokens}
    return {"prompt_tokens": prompt_tokens, "new_tokens": new_tokens}


def serving_headline(r) -> list[str]:
    """The throughput words of a serving result, as the Serving page shows them: an encoder in requests
    (requests/s, p95 latency, replicas, cost per 1,000 requests), a generator in tokens."""
    from lifecycle.display import format_duration, format_money, format_rate

    if r.new_tokens == 0:
        parts = [f"{format_rate(r.requests_per_s, 'requests')} per replica",
                 f"p95 latency {format_duration(r.p95_latency_s)}"]
        if r.replicas_for_throughput is not None:
            parts.append(f"{r.replicas_for_throughput:,} replica(s) for the throughput target")
        parts.append(f"{format_money(r.cost_per_thousand_requests_usd)} per 1,000 requests")
        return parts
    return [f"decode {format_rate(r.decode_tokens_per_s)} (all sequences)",
            f"time to first token {format_duration(r.prefill_s)}",
            f"request latency {format_duration(r.request_latency_s)}"]


def scenario_inputs(s) -> dict[str, Any]:
    """What was chosen, in the order a reader scans it: each scenario kind says its own (``key_inputs``)."""
    return s.key_inputs()


def scenario_results(s) -> dict[str, Any]:
    """The numbers a decision rests on: each scenario kind says its own (``key_results``)."""
    return s.key_results()
