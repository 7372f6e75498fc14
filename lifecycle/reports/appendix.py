"""The back matter: assumptions (MFU, prices, precision, where every constant comes from),
references (papers, model cards, datasheets) and the changelog from the revision history."""

from __future__ import annotations

from collections.abc import Iterable

from lifecycle.errors import LifecycleError
from lifecycle.records.facts import scenario_inputs
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
UNITS_NOTE = ("GB means 10^9 bytes and GiB 2^30 bytes; memory is shown in both. FLOPs count multiply and add "
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


def assumptions(project: Project) -> list[Fact]:
    from lifecycle.models.gpus import get_gpu, price_assumption_note
    from lifecycle.scaling.compute import DEFAULT_MFU, mfu_references

    facts = [Fact(label="Units", value=UNITS_NOTE)]
    meta = mfu_references()["_meta"]
    facts.append(Fact(label="Default MFU (model FLOPs utilisation)",
                      value=f"{DEFAULT_MFU:.0%} — {meta.get('default_mfu_source', '')}"))
    for name, mfu in _scenario_values(project, "mfu"):
        facts.append(Fact(label=f"MFU in “{name}”", value=fmt.text(mfu)))
    facts.append(Fact(label="GPU prices", value=price_assumption_note()))
    for name, price in _scenario_values(project, "price_usd_per_hour"):
        facts.append(Fact(label=f"Price per GPU-hour in “{name}”", value=fmt.with_unit("price_usd", price)))
    for gpu_id in gpu_ids_used(project):
        try:
            gpu = get_gpu(gpu_id)
        except LifecycleError:
            facts.append(Fact(label=f"GPU {gpu_id}", value="not in the shipped GPU catalog; no datasheet figures"))
            continue
        peak = gpu.peak_bf16_dense_flops or gpu.peak_fp16_dense_flops
        facts.append(Fact(
            label=f"GPU {gpu.name}",
            value=f"{gpu.memory_bytes / 2**30:.0f} GiB; dense 16-bit peak {peak / 1e12:,.0f} TFLOP/s; "
                  f"{gpu.memory_bandwidth_bytes_per_s / 1e9:,.0f} GB/s; default price "
                  f"${gpu.price_usd_per_hour:.2f}/GPU-hour. Source: {gpu.source}",
        ))
    precisions = _dedupe([project.integrate.precision or ""] + [str(v) for _, v in _scenario_values(project, "precision")])
    facts.append(Fact(label="Precision", value=", ".join(precisions) if precisions else "No precision is saved."))
    return facts


def references(project: Project) -> list[Reference]:
    refs: list[Reference] = []
    if project.select.model_id:
        try:
            from lifecycle.models.catalog import get_model

            model = get_model(project.select.model_id)
            refs.append(Reference(text=f"{model.name}: {model.paper}"))
            refs.append(Reference(text=f"{model.name} model card", url=f"https://huggingface.co/{model.hub_id}"))
            refs.append(Reference(text=f"{model.name} parameter count and shape: {model.source}"))
        except LifecycleError:
            pass
    if project.scope.tasks:
        try:
            from lifecycle.models.tasks import recommend_architecture

            refs.extend(Reference(text=s) for s in recommend_architecture(project.scope.tasks).sources)
        except LifecycleError:
            pass
    kinds = sorted({s.kind for k in STAGES for s in project.stage(k).scenarios})
    for kind in kinds:
        refs.extend(Reference(text=t) for t in KIND_REFERENCES.get(kind, ()))
    from lifecycle.scaling.compute import mfu_references

    refs.extend(Reference(text=f"MFU of {r['run']}: {r['source']}") for r in mfu_references()["runs"])
    out, seen = [], set()
    for ref in refs:
        if (ref.text, ref.url) not in seen:
            seen.add((ref.text, ref.url))
            out.append(ref)
    return out


def changelog(history: list[RevisionSummary], up_to_version: int) -> list[ChangeEntry]:
    """Revisions up to the one the report was made from, newest first."""
    rows = sorted((r for r in history if r.version <= up_to_version), key=lambda r: r.version, reverse=True)
    return [ChangeEntry(version=r.version, when=fmt.when(r.created_at), author=r.author or "—",
                        section=r.section or "—", summary=r.summary or "—") for r in rows]
