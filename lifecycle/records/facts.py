"""The inputs that matter and the key results of a saved scenario, read from its typed Setup and Result.

Reports, comparisons and the app's scenario tables show these rather than every field. Keys carry the
project's unit suffixes (``_bytes``, ``_s``, ``_usd``, ``_tokens``…) so one formatter renders them; values
are plain numbers, text or lists. A legacy scenario shows the values it was saved with.
"""

from __future__ import annotations

from typing import Any

from lifecycle.choices import short_title, title
from lifecycle.records.scenarios import (
    AdaptationScenario,
    ArchitectureScenario,
    InferenceScenario,
    LegacyScenario,
    PretrainingScenario,
    PromptBudgetScenario,
    QuantizationScenario,
    SamplingScenario,
    ServingScenario,
    TrainingScenario,
)


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
    """What was chosen, in the order a reader scans it."""
    if isinstance(s, TrainingScenario):
        x = s.setup
        lora = {"lora_rank": x.lora_rank, "lora_targets": ", ".join(x.lora_targets)} if x.uses_lora else {}
        return _drop_none({"model": x.model.name, "method": title(x.method), **lora,
                           "precision": short_title(x.precision),
                           **_classifier(x.head, x.num_labels), "micro_batch": x.micro_batch,
                           **_training_lengths(x),
                           "gradient_checkpointing": x.grad_checkpointing, "gpu": x.gpu, "gpus": x.gpus,
                           "strategy": title(x.strategy), "cpu_offload": None if x.offload == "none" else title(x.offload),
                           "tp": x.tp if x.tp > 1 else None, "pp": x.pp if x.pp > 1 else None,
                           "training_tokens": x.training_tokens, "mfu": x.mfu,
                           "price_usd_per_hour": x.price_usd_per_hour})
    if isinstance(s, InferenceScenario):
        x = s.setup
        return _drop_none({"model": x.model.name, "precision": x.precision,
                           "concurrent_sequences": x.concurrent_sequences,
                           **request_lengths(x.model.family, x.prompt_tokens, x.new_tokens),
                           "tp": x.tp if x.tp > 1 else None, "gpu": x.gpu})
    if isinstance(s, ServingScenario):
        x = s.setup
        return _drop_none({"model": x.model.name, "precision": x.precision, "gpu": x.gpu, "gpus": x.gpus,
                           "concurrent_sequences": x.concurrent_sequences,
                           **request_lengths(x.model.family, x.prompt_tokens, x.new_tokens),
                           "engine": x.engine, "price_usd_per_hour": x.price_usd_per_hour})
    if isinstance(s, PretrainingScenario):
        x = s.setup
        return _drop_none({"laws": [law.label for law in x.laws], "budget": f"{x.budget_amount:.4g} {x.budget_unit}",
                           "params": x.params, "training_tokens": x.tokens, "gpu": x.gpu, "gpus": x.gpus,
                           "mfu": x.mfu, "price_usd_per_hour": x.price_usd_per_hour})
    if isinstance(s, PromptBudgetScenario):
        x = s.setup
        return _drop_none({"model": x.model.name, "examples": len(x.examples), "input_tokens": x.input_tokens,
                           "output_tokens": x.output_tokens})
    if isinstance(s, SamplingScenario):
        x = s.setup
        return _drop_none({"temperature": x.temperature, "top_k": x.top_k, "top_p": x.top_p, "seed": x.seed,
                           "samples": x.samples, "vocabulary": len(x.distribution)})
    if isinstance(s, QuantizationScenario):
        x = s.setup
        return _drop_none({"model": x.model.name if x.model else None, "params": x.params})
    if isinstance(s, ArchitectureScenario):
        return {"tasks": list(s.setup.tasks)}
    if isinstance(s, AdaptationScenario):
        x = s.setup
        return _drop_none({"tasks": list(x.tasks), "data_available": x.data_available,
                           "model": x.model.name if x.model else None, "gpu": x.gpu, "gpus": x.gpus,
                           "training_examples": x.training_examples, "tokens_per_example": x.tokens_per_example,
                           "epochs": x.epochs, "budget_usd": x.budget_usd})
    if isinstance(s, LegacyScenario):
        return dict(s.inputs)
    return {}


def scenario_results(s) -> dict[str, Any]:
    """The numbers a decision rests on."""
    if isinstance(s, TrainingScenario):
        r, est = s.result, s.result.estimate
        t = r.time_and_cost
        return _drop_none({"params": est.params, "trainable_params": est.trainable_params,
                           "peak_allocated_bytes": est.peak_allocated_bytes,
                           "required_bytes": est.required_bytes, "gpu_memory_bytes": r.gpu.memory_bytes if r.gpu else None,
                           "fits": r.fits, "min_gpus": r.min_gpus, "training_flops": r.training_flops,
                           "training_s": t.seconds if t else None, "gpu_hours": t.gpu_hours if t else None,
                           "cost_usd": t.cost_usd if t else None})
    if isinstance(s, InferenceScenario):
        r, est = s.result, s.result.estimate
        return _drop_none({"params": est.params, "peak_allocated_bytes": est.peak_allocated_bytes,
                           "required_bytes": est.required_bytes, "gpu_memory_bytes": r.gpu.memory_bytes if r.gpu else None,
                           "fits": r.fits, "min_gpus": r.min_gpus})
    if isinstance(s, ServingScenario):
        r = s.result
        memory = {"memory_total_bytes": r.memory_total_bytes, "gpu_memory_bytes": r.gpu_memory_bytes,
                  "fits": r.fits, "max_batch": r.max_batch}
        if r.new_tokens == 0:  # an encoder answers requests; it writes no tokens, so it is not read in tokens/s
            return _drop_none({**memory, "requests_per_s": r.requests_per_s, "p95_latency_s": r.p95_latency_s,
                               "replicas_for_throughput": r.replicas_for_throughput,
                               "cost_per_thousand_requests_usd": r.cost_per_thousand_requests_usd})
        return _drop_none({**memory, "max_context_tokens": r.max_context,
                           "time_to_first_token_s": r.prefill_s, "request_latency_s": r.request_latency_s,
                           "decode_tokens_per_s": r.decode_tokens_per_s,
                           "throughput_tokens_per_s": r.throughput_tokens_per_s,
                           "requests_per_s": r.requests_per_s,
                           "replicas_for_throughput": r.replicas_for_throughput,
                           "cost_per_million_output_tokens_usd": r.cost_per_million_output_tokens_usd,
                           "cost_per_million_tokens_usd": r.cost_per_million_tokens_usd,
                           "cost_per_thousand_requests_usd": r.cost_per_thousand_requests_usd})
    if isinstance(s, PretrainingScenario):
        out: dict[str, Any] = {"budget_flops": s.result.budget_flops}
        for p in s.result.budget_plans:
            out[f"{p.law} params"] = p.params
            out[f"{p.law} training_tokens"] = p.tokens
            if p.days is not None:
                out[f"{p.law} training_days"] = p.days
            if p.cost_usd is not None:
                out[f"{p.law} cost_usd"] = p.cost_usd
        return out
    if isinstance(s, PromptBudgetScenario):
        r = s.result
        return {"context_tokens": r.context_tokens, "exact_count": r.exact,
                "examples_that_fit": r.max_examples_given_fit,
                "examples_of_this_length_that_fit": r.max_examples_typical_fit, "room_left_tokens": r.room_left_tokens}
    if isinstance(s, SamplingScenario):
        t = s.result.transformed
        kept = sorted((p, tok) for tok, p, k in zip(t.tokens, t.final, t.kept) if k)[::-1][:5]
        return {"kept_tokens": t.kept_count, "greedy": t.greedy,
                "most_likely_after": ", ".join(f"{tok} {p:.2f}" for p, tok in kept)}
    if isinstance(s, QuantizationScenario):
        return {f"{row.format.lower()}_weights_bytes": row.weights_bytes for row in s.result.formats}
    if isinstance(s, ArchitectureScenario):
        r = s.result
        return {"family": r.recommendation.family_name, "example_models": r.recommendation.example_models,
                "many_tasks_or_one": r.scale.headline}
    if isinstance(s, AdaptationScenario):
        primary = next((o for o in s.result.options if o.id == s.result.primary), None)
        sized = primary.sizing if primary is not None else None
        return _drop_none({"recommended": s.result.primary, "path": " → ".join(s.result.path),
                           "gpus": sized.gpus if sized and sized.gpus else None,
                           "training_s": sized.seconds if sized and sized.seconds else None,
                           "cost_usd": sized.cost_usd if sized and sized.cost_usd else None})
    if isinstance(s, LegacyScenario):
        return dict(s.results)
    return {}
