"""Schema upgrades of project documents (database rows, revisions and exported JSON files alike).

Version 1 saved each scenario as free ``inputs``/``results`` dicts whose keys each view chose. Version 2
holds a typed Setup and its Result. A version-1 scenario whose inputs are complete is recomputed from
them with today's calculators; one whose inputs are not (a model sized from a pasted config.json that was
never stored, an unknown kind, missing fields) becomes a ``LegacyScenario`` carrying its values as saved,
with the reason. Either way the original record is kept verbatim in ``upgraded_from``: nothing is lost.

Version 3 adds the plan's pointers (``records.plan``): the training and serving scenario each stage chose and
the generation settings. A document from before had nothing chosen, so the step sets every pointer to
nothing: the latest saved scenario is never taken for the choice.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

from lifecycle.errors import InvalidInput, LifecycleError

UPGRADE_NOTE = ("Recomputed from the version-1 inputs when the project was upgraded to schema 2; the values "
                "saved then are kept with the scenario.")


class _Incomplete(Exception):
    """The version-1 inputs do not determine a setup."""


def upgrade_document(doc: dict[str, Any]) -> dict[str, Any]:
    """``doc`` at the current schema version (a copy when it had to change)."""
    from lifecycle.records.project import SCHEMA_VERSION, STAGES

    if not isinstance(doc, dict):
        raise InvalidInput("A project document must be a JSON object.")
    version = doc.get("schema_version", 1)
    if isinstance(version, bool) or not isinstance(version, int) or not 1 <= version <= SCHEMA_VERSION:
        raise InvalidInput(
            f"Unsupported project schema version {version!r}; this app reads versions 1–{SCHEMA_VERSION}.")
    if version == SCHEMA_VERSION:
        return doc
    out = copy.deepcopy(doc)
    if version < 2:
        for stage in STAGES:
            section = out.get(stage)
            if isinstance(section, dict) and isinstance(section.get("scenarios"), list):
                section["scenarios"] = [upgrade_scenario(s) for s in section["scenarios"]]
    if version < 3:
        _nothing_chosen(out)
    out["schema_version"] = SCHEMA_VERSION
    return out


def _nothing_chosen(doc: dict[str, Any]) -> None:
    """Version 2 → 3: no stage had chosen a scenario; say so explicitly rather than leave it to a default."""
    for stage, fields in (("adapt", ("training_scenario_id",)), ("integrate", ("serving_scenario_id", "generation"))):
        section = doc.get(stage)
        if isinstance(section, dict):
            for field in fields:
                section[field] = None


def upgrade_scenario(old: Any) -> dict[str, Any]:
    """One version-1 scenario as a version-2 scenario dict (recomputed, or kept as legacy)."""
    from lifecycle.records.scenarios import make_scenario

    if not isinstance(old, dict):
        raise InvalidInput("A saved scenario must be a JSON object.")
    kind = str(old.get("kind", ""))[:100]
    inputs = old.get("inputs") if isinstance(old.get("inputs"), dict) else {}
    results = old.get("results") if isinstance(old.get("results"), dict) else {}
    meta = {"name": str(old.get("name") or "").strip()[:200] or "Untitled scenario",
            "author": str(old.get("author") or "")[:200], "notes": str(old.get("notes") or "")[:20_000],
            "upgraded_from": old}
    for key in ("id", "created_at"):
        if old.get(key):
            meta[key] = old[key]
    try:
        converter = CONVERTERS.get(kind)
        if converter is None:
            raise _Incomplete(f"version 1 had a '{kind}' scenario, which no calculator of this release recomputes")
        setup = converter(inputs, results)
        return make_scenario(setup, upgrade_note=UPGRADE_NOTE, **meta).model_dump(mode="json")
    except (_Incomplete, LifecycleError, KeyError, TypeError, ValueError) as exc:
        reason = str(exc) if isinstance(exc, (_Incomplete, LifecycleError)) else "its inputs are incomplete"
        legacy = {"kind": "legacy", "original_kind": kind or "unknown", "inputs": inputs, "results": results,
                  "reason": f"Kept as saved: {reason}.", **meta}
        try:
            from lifecycle.records.scenarios import LegacyScenario

            return LegacyScenario(**legacy).model_dump(mode="json")
        except ValueError:  # an id or time that does not validate: drop them, keep the values
            legacy.pop("id", None)
            legacy.pop("created_at", None)
            return LegacyScenario(**legacy).model_dump(mode="json")


def _catalog_model(label: Any):
    """The catalog model a version-1 label named (its id or its display name)."""
    from lifecycle.models.catalog import list_models
    from lifecycle.models.ref import ModelRef

    text = str(label or "").strip().lower()
    for model in list_models():
        if text in (model.id.lower(), model.name.lower()):
            return ModelRef.of(model)
    raise _Incomplete(f"the model {str(label)[:80]!r} is not in the catalog and its shape was not saved")


def _given(inputs: dict, *names: str) -> dict:
    return {n: inputs[n] for n in names if inputs.get(n) is not None}


def _memory(inputs: dict, results: dict):
    from lifecycle.memory.setup import InferenceSetup, TrainingSetup

    model = _catalog_model(inputs.get("model"))
    if inputs.get("workload") == "infer":
        return InferenceSetup(model=model, concurrent_sequences=inputs["batch"], gpu=results.get("gpu"),
                              **_given(inputs, "precision", "prompt_tokens", "new_tokens", "tp", "attention"))
    for needed in ("precision", "method", "batch", "seq"):
        if needed not in inputs:
            raise _Incomplete(f"the training inputs have no {needed}")
    return TrainingSetup(model=model, micro_batch=inputs["batch"], seq_len=inputs["seq"], gpu=results.get("gpu"),
                         training_tokens=results.get("training_tokens"),
                         **_given(results, "mfu"),
                         **_given(inputs, "precision", "method", "lora_rank", "lora_targets", "optimizer",
                                  "optimizer_impl", "target_len", "grad_checkpointing", "attention", "gpus",
                                  "strategy", "offload", "tp", "pp"))


def _serving(inputs: dict, results: dict):
    from lifecycle.models.ref import ModelRef
    from lifecycle.serving.plan import ServingSetup

    saved = inputs.get("model")
    if isinstance(saved, dict) and saved.get("shape"):
        model = ModelRef(id=str(saved.get("id") or "config"), name=str(saved.get("name") or saved.get("id")),
                         shape=saved["shape"])
    else:
        model = _catalog_model(inputs.get("model_id"))
    return ServingSetup(model=model, concurrent_sequences=inputs["batch"],
                        **_given(inputs, "precision", "gpu", "gpus", "prompt_tokens", "new_tokens", "engine",
                                 "bandwidth_efficiency", "per_layer_overhead_s", "prefill_utilisation",
                                 "price_usd_per_hour"))


def _scaling(inputs: dict, results: dict):
    from lifecycle.scaling.laws import ScalingLaw
    from lifecycle.scaling.pretraining import PretrainingSetup

    laws = tuple(ScalingLaw(**law) for law in inputs["laws"])
    n_and_d = _given(inputs, "params", "tokens") if "params" in inputs and "tokens" in inputs else {}
    return PretrainingSetup(laws=laws, budget_amount=inputs["budget_flops"], budget_unit="FLOPs",
                            show_markers=bool(inputs.get("markers")), **n_and_d,
                            **_given(inputs, "gpu", "gpus", "mfu", "price_usd_per_hour", "chart", "c_min_flops",
                                     "c_max_flops"))


def _prompt_budget(inputs: dict, results: dict):
    from lifecycle.models.prompting import PromptBudgetSetup, parse_examples

    return PromptBudgetSetup(model=_catalog_model(inputs.get("model_id")),
                             examples=tuple(parse_examples(str(inputs.get("examples") or ""))),
                             output_label=inputs.get("label") or "Answer",
                             **_given(inputs, "instruction", "query", "output_tokens"))


def _sampling(inputs: dict, results: dict):
    from lifecycle.serving.sampling import SamplingSetup

    dist = inputs["distribution"]
    if not isinstance(dist, dict):
        raise _Incomplete("the distribution was not saved as token → probability")
    return SamplingSetup(distribution=tuple(dist.items()),
                         **_given(inputs, "temperature", "top_k", "top_p", "seed", "samples"))


def _quantization(inputs: dict, results: dict):
    from lifecycle.serving.quantization import QuantizationSetup

    return QuantizationSetup(params=inputs["params"])


def _architecture(inputs: dict, results: dict):
    from lifecycle.models.advice import ArchitectureSetup

    return ArchitectureSetup(tasks=tuple(inputs["tasks"]))


def _training_compute(inputs: dict, results: dict):
    raise _Incomplete("version 1 saved only time and cost here (no model shape or memory settings), so the "
                      "numbers are shown as they were computed then")


CONVERTERS: dict[str, Callable[[dict, dict], Any]] = {
    "memory": _memory, "serving": _serving, "scaling": _scaling, "prompt_budget": _prompt_budget,
    "sampling": _sampling, "quantization": _quantization, "architecture": _architecture,
    "training_compute": _training_compute,
}
