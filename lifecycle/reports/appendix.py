"""The back matter: assumptions (MFU, prices, precision, where every constant comes from),
references (papers, model cards, datasheets) and the changelog from the revision history."""

from __future__ import annotations

import re
from collections.abc import Iterable

from lifecycle.choices import title
from lifecycle.errors import LifecycleError
from lifecycle.records.key_figures import scenario_inputs
from lifecycle.records.project import STAGES, Project
from lifecycle.records.store import RevisionSummary
from lifecycle.reports import format as fmt
from lifecycle.reports.model import ChangeEntry, Fact, Reference

# The papers behind each calculator kind, cited when a scenario of that kind is in the report.
KIND_REFERENCES: dict[str, tuple[str, ...]] = {
    "memory": (
        "Rajbhandari et al. 2020, ZeRO: Memory Optimizations Toward Training Trillion Parameter Models, arXiv:1910.02054",
        "Korthikanti et al. 2022, Reducing Activation Recomputation in Large Transformer Models, arXiv:2205.05198",
        "Hu et al. 2021, LoRA: Low-Rank Adaptation of Large Language Models, arXiv:2106.09685",
        "Dettmers et al. 2023, QLoRA: Efficient Finetuning of Quantized LLMs, arXiv:2305.14314",
    ),
    "scaling": (
        "Kaplan et al. 2020, Scaling Laws for Neural Language Models, arXiv:2001.08361",
        "Hoffmann et al. 2022, Training Compute-Optimal Large Language Models (Chinchilla), arXiv:2203.15556",
        "Besiroglu et al. 2024, Chinchilla Scaling: A replication attempt, arXiv:2404.10102",
    ),
    "serving": (
        "Pope et al. 2022, Efficiently Scaling Transformer Inference, arXiv:2211.05102",
        "Ainslie et al. 2023, GQA: Training Generalized Multi-Query Transformer Models, arXiv:2305.13245",
    ),
    "sampling": (
        "Holtzman et al. 2020, The Curious Case of Neural Text Degeneration, arXiv:1904.09751",
        "Fan et al. 2018, Hierarchical Neural Story Generation (top-k sampling), arXiv:1805.04833",
    ),
}
UNITS_NOTE = ("GB means 10^9 bytes (as GPU datasheets print memory). FLOPs count multiply and add "
              "separately (2 per multiply-accumulate). Costs are in US dollars.")


def _dedupe(items: Iterable[str]) -> list[str]:
    seen, out = set(), []
    for item in items:
        if item and item not in seen:
            seen.add(item)
            out.append(item)
    return out


def gpu_ids_used(project: Project) -> list[str]:
    ids = [project.integrate.gpu_id or ""]
    for key in STAGES:
        for s in project.stage(key).scenarios:
            gpu = scenario_inputs(s).get("gpu")
            if isinstance(gpu, str):
                ids.append(gpu)
    return _dedupe(ids)


def _scenario_values(project: Project, key: str) -> list[tuple[str, object]]:
    return [(s.name, scenario_inputs(s)[key]) for k in STAGES for s in project.stage(k).scenarios
            if key in scenario_inputs(s)]


def _grouped(label: str, values: list[tuple[str, object]], shown) -> list[Fact]:
    """One line per distinct value, naming the scenarios that use it: "40% in “A”, “B” and “C”"."""
    by_value: dict[str, list[str]] = {}
    for name, value in values:
        by_value.setdefault(shown(value), []).append(f"“{name}”")
    return [Fact(label=f"{label} in the scenarios", value="; ".join(
        f"{v} in {', '.join(names[:-1]) + ' and ' + names[-1] if len(names) > 1 else names[0]}"
        for v, names in by_value.items()))] if by_value else []


def assumptions(project: Project) -> list[Fact]:
    from lifecycle.models.gpus import get_gpu, price_assumption_note
    from lifecycle.scaling.compute import DEFAULT_MFU, mfu_references

    facts = [Fact(label="Units", value=UNITS_NOTE)]
    meta = mfu_references()["_meta"]
    facts.append(Fact(label="Default MFU (model FLOPs utilisation)",
                      value=f"{DEFAULT_MFU:.0%} — {meta.get('default_mfu_source', '')}"))
    facts += _grouped("MFU", _scenario_values(project, "mfu"), lambda v: fmt.with_unit("mfu", v))
    facts.append(Fact(label="GPU prices", value=price_assumption_note()))
    facts += _grouped("Price per GPU-hour", _scenario_values(project, "price_usd_per_hour"),
                      lambda v: fmt.with_unit("price_usd", v))
    for gpu_id in gpu_ids_used(project):
        try:
            gpu = get_gpu(gpu_id)
        except LifecycleError:
            facts.append(Fact(label=f"GPU {gpu_id}", value="not in the shipped GPU catalog; no datasheet figures"))
            continue
        peak = gpu.peak_bf16_dense_flops or gpu.peak_fp16_dense_flops
        facts.append(Fact(
            label=f"GPU {gpu.name}",
            value=f"{fmt.with_unit('memory_bytes', gpu.memory_bytes)} usable (datasheet {gpu.datasheet_memory_gb:g} GB; "
                  f"{citable(gpu.memory_source) or 'driver-visible total'}); dense 16-bit peak {peak / 1e12:,.0f} TFLOP/s; "
                  f"{gpu.memory_bandwidth_bytes_per_s / 1e9:,.0f} GB/s; default price "
                  f"{fmt.with_unit('price_usd', gpu.price_usd_per_hour)}/GPU-hour. Source: {citable(gpu.source) or 'datasheet'}",
        ))
    precisions = _dedupe([project.integrate.precision or ""] + [str(v) for _, v in _scenario_values(project, "precision")])
    facts.append(Fact(label="Precision", value=", ".join(title(p) for p in precisions) if precisions
                      else "No precision is saved."))
    return facts


# Provenance that means something to us, not to a reader: where a figure was copied from in our own notes,
# tool versions, code paths and commit hashes. A reference keeps only the papers, datasheets and model cards.
_INTERNAL = re.compile(r"research notes|shared/|reference/|copied from|computed by|\.(?:md|json|py|ts|gin)\b|@[0-9a-f]{7,}|"
                       r"transformers \d|torch \d|dims:|params:|config:|\(match\)|_presets", re.IGNORECASE)


def citable(source: str | None) -> str | None:
    """The parts of a source string a reader can look up (papers, datasheets, public pages), or None."""
    if not source:
        return None
    parts = re.split(r"\s*(?:;|\|)\s*", str(source))
    kept = []
    for part in parts:
        part = re.sub(r"\s*\([^()]*\)", lambda m: "" if _INTERNAL.search(m.group(0)) else m.group(0), part).strip()
        if part and not _INTERNAL.search(part):
            kept.append(part)
    return "; ".join(kept) or None


def references(project: Project) -> list[Reference]:
    refs: list[Reference] = []
    if project.select.model_id:
        try:
            from lifecycle.models.catalog import get_model

            model = get_model(project.select.model_id)
            refs.append(Reference(text=f"{model.name}: {model.paper}"))
            refs.append(Reference(text=f"{model.name} model card", url=f"https://huggingface.co/{model.hub_id}"))
            # The shape's provenance (config files at pinned commits) is ours to check, not a reader's to cite.
        except LifecycleError:
            pass
    if project.scope.tasks:
        try:
            from lifecycle.models.tasks import recommend_architecture

            refs.extend(Reference(text=t) for t in map(citable, recommend_architecture(project.scope.tasks).sources) if t)
        except LifecycleError:
            pass
    kinds = sorted({s.kind for k in STAGES for s in project.stage(k).scenarios})
    for kind in kinds:
        refs.extend(Reference(text=t) for t in KIND_REFERENCES.get(kind, ()))
    from lifecycle.scaling.compute import mfu_references

    refs.extend(Reference(text=f"MFU of {r['run']}: {r['source']}") for r in mfu_references()["runs"])
    out, seen = [], set()
    for ref in (Reference(text=citable(r.text) or "", url=r.url) for r in refs):
        if not ref.text:
            continue
        if (ref.text, ref.url) not in seen:
            seen.add((ref.text, ref.url))
            out.append(ref)
    return out


def changelog(history: list[RevisionSummary], up_to_version: int) -> list[ChangeEntry]:
    """Revisions up to the one the report was made from, newest first."""
    rows = sorted((r for r in history if r.version <= up_to_version), key=lambda r: r.version, reverse=True)
    return [ChangeEntry(version=r.version, when=fmt.when(r.created_at), author=r.author or "—",
                        section=r.section or "—", summary=r.summary or "—") for r in rows]
