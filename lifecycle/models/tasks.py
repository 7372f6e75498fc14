"""Task taxonomy (Hugging Face task tags) and the architecture-family recommender.

``data/tasks.json`` maps each tag to the family that classically fits it (HF NLP course ch. 1:
encoders for understanding, decoders for generation, encoder-decoders for input -> new text),
with reasons, the honest alternative and sources. ``recommend_architecture`` turns a list of
tags into one family, says which family covers all of them when they disagree, and what that
costs in serving compute (forward pass ~ 2 FLOPs per weight a token meets, Kaplan et al. 2020, eq. 2.2: an
encoder-decoder's encoder per input token, its decoder per generated token).
"""

from __future__ import annotations

import difflib
import json
from functools import lru_cache

from pydantic import BaseModel

from lifecycle.display import plural
from lifecycle.errors import InvalidInput
from lifecycle.resources import data_path

DATA_FILE = data_path("tasks.json")
FAMILIES: tuple[str, ...] = ("encoder", "decoder", "encoder-decoder")
# Scope decisions key: the alternative family a team took instead of the recommendation, and why
FAMILY_ALTERNATIVE_KEY = "family_alternative"
FORWARD_FLOPS_SOURCE = ("forward pass ~ 2 FLOPs per weight a token meets (Kaplan et al. 2020, arXiv:2001.08361, "
                        "eq. 2.2); an encoder-decoder runs its encoder per input token and its decoder per generated "
                        "token")
T5_TEXT_TO_TEXT_SOURCE = "Raffel et al. 2020, arXiv:1910.10683 (T5 casts classification as text-to-text)"

# The model that stands for a family when it must cover many tasks (instruction-tuned, large enough
# for in-context learning) and the small model that stands for a one-task specialist.
GENERALIST_HUB_ID = {"decoder": "meta-llama/Llama-2-7b-hf", "encoder-decoder": "google/flan-t5-xl"}
SPECIALIST_HUB_ID = {
    "encoder": "google-bert/bert-base-uncased",
    "encoder-decoder": "google-t5/t5-base",
    "decoder": "openai-community/gpt2",
}


class FamilyInfo(BaseModel):
    id: str
    name: str
    aka: str
    attention: str
    blocks: str
    objective: str
    best_for: str
    examples: str
    example_hub_ids: list[str]
    source: str


class Alternative(BaseModel):
    family: str
    when: str


class TaskInfo(BaseModel):
    id: str
    name: str
    hf_pipeline_tag: str
    hf_subtask: str | None = None
    aliases: list[str]
    definition: str
    family: str
    reasons: list[str]
    alternatives: list[Alternative]
    source: str
    keywords: list[str] = []


class TaskAdvice(BaseModel):
    task: str
    name: str
    family: str
    reasons: list[str]


class Recommendation(BaseModel):
    tasks: list[str]
    family: str
    family_name: str
    objective: str
    attention: str
    rationale: str
    alternatives: list[Alternative]
    example_models: list[str]  # catalog ids
    per_task: list[TaskAdvice]
    covers_all: bool  # True when every task's classic family is the recommended one
    multi_task_cost: str  # "" for one family; otherwise what one covering model costs
    sources: list[str]
    context_tokens: int | None = None  # the window the Scope's input and output lengths need
    context_note: str = ""  # which examples were dropped for a short window, and what takes the lengths


@lru_cache(maxsize=1)
def _data() -> dict:
    with DATA_FILE.open(encoding="utf-8") as fh:
        return json.load(fh)


@lru_cache(maxsize=1)
def families() -> dict[str, FamilyInfo]:
    return {fid: FamilyInfo(id=fid, **row) for fid, row in _data()["families"].items()}


@lru_cache(maxsize=1)
def list_tasks() -> list[TaskInfo]:
    return [TaskInfo(**row) for row in _data()["tasks"]]


def task_ids() -> list[str]:
    return [t.id for t in list_tasks()]


@lru_cache(maxsize=1)
def _by_name() -> dict[str, TaskInfo]:
    index: dict[str, TaskInfo] = {}
    for task in list_tasks():
        for name in (task.id, *task.aliases):
            index[name] = task
    return index


def get_task(tag: str) -> TaskInfo:
    """The task for a tag or alias (case and ``_``/space insensitive); InvalidInput lists valid tags."""
    key = str(tag).strip().lower().replace("_", "-").replace(" ", "-")
    task = _by_name().get(key)
    if task is None:
        close = difflib.get_close_matches(key, list(_by_name()), n=3, cutoff=0.6)
        hint = f" Did you mean {', '.join(close)}?" if close else ""
        raise InvalidInput(f"Unknown task {tag!r}.{hint} Valid tags: {', '.join(task_ids())}.")
    return task


@lru_cache(maxsize=1)
def _catalog_by_hub_id() -> dict[str, tuple[str, int, float, float]]:
    """hub id -> (catalog id, params, FLOPs per input token, FLOPs per generated token) for the shipped catalog."""
    from lifecycle.models.architecture import forward_flops_per_token
    from lifecycle.models.catalog import list_models

    return {m.hub_id: (m.id, m.params, *forward_flops_per_token(m.shape)) for m in list_models()}


def catalog_ids(hub_ids: list[str]) -> list[str]:
    index = _catalog_by_hub_id()
    return [index[h][0] for h in hub_ids if h in index]


def _params(hub_id: str) -> tuple[str, int, float, float] | None:
    return _catalog_by_hub_id().get(hub_id)


def covering_family(task_families: set[str]) -> str:
    """The one family that can serve every task: decoders generate any text (and classify when
    prompted); encoder-decoders cast classification as text-to-text; encoders only cover encoder tasks."""
    if len(task_families) == 1:
        return next(iter(task_families))
    if "decoder" in task_families:
        return "decoder"
    return "encoder-decoder"


def _per_token_cost(family: str, input_flops: float, output_flops: float) -> str:
    if family == "encoder-decoder":
        return (f"~{input_flops / 1e9:.1f} GFLOP per input token (encoder) and ~{output_flops / 1e9:.1f} GFLOP "
                "per generated token (decoder)")
    if family == "encoder":
        return f"~{input_flops / 1e9:.2f} GFLOP per input token"
    return f"~{input_flops / 1e9:.1f} GFLOP per token, prompt or generated"


def _multi_task_cost(covering: str, tasks: list[TaskInfo]) -> str:
    """One covering model vs one specialist per family, in serving FLOPs per input and per generated token."""
    generalist = _params(GENERALIST_HUB_ID.get(covering, SPECIALIST_HUB_ID[covering]))
    if generalist is None:
        return ""
    gen_id, gen_params, gen_in, gen_out = generalist
    lines = [(f"One {gen_id} ({gen_params / 1e9:.2f}B parameters) covering all {len(tasks)} tasks costs "
             f"{_per_token_cost(covering, gen_in, gen_out)} to serve ({FORWARD_FLOPS_SOURCE}).")]
    # Open-ended generation needs the large decoder itself; other families have a small specialist.
    specialist_families = sorted({t.family for t in tasks} - {"decoder"})
    for fam in specialist_families:
        spec = _params(SPECIALIST_HUB_ID[fam])
        if spec is None or spec[0] == gen_id:
            continue
        names = ", ".join(t.name.lower() for t in tasks if t.family == fam)
        if not names:
            continue
        less = f"{gen_in / spec[2]:.0f}x less compute per input token"
        if fam == "encoder-decoder" and spec[3]:
            less += f" and {gen_out / spec[3]:.0f}x less per generated token"
        lines.append(f"A fine-tuned {spec[0]} ({spec[1] / 1e6:.0f}M) for {names} needs {less}, "
                     "but is one more model to train and serve.")
    return " ".join(lines)


def _long_enough(family: str, input_tokens: int, output_tokens: int, examples: list[str]) -> tuple[list[str], str]:
    """The examples whose window takes the lengths, and a note naming the ones dropped and what fits instead."""
    from lifecycle.models.architecture import context_needed, fits_context
    from lifecycle.models.catalog import get_model, list_models

    need = context_needed(family, input_tokens, output_tokens)
    kept = [m for m in examples if fits_context(get_model(m).shape, input_tokens, output_tokens)]
    dropped = [m for m in examples if m not in kept]
    if not dropped:
        return kept, ""
    short = ", ".join(f"{m} ({get_model(m).max_context:,})" for m in dropped)
    note = f"Your {input_tokens:,} input + {plural(output_tokens, 'output token')} need a {need:,}-token window; {short} "
    note += "cannot take it without truncating or chunking the input."
    if not kept:
        longer = sorted((m for m in list_models() if m.family == family
                         and fits_context(m.shape, input_tokens, output_tokens)), key=lambda m: m.params)
        kept = [m.id for m in longer[:3]]
        if kept:
            note += f" {family} models in the catalog that take it: {', '.join(kept)}."
        else:
            others = ", ".join(m.id for m in models_taking(input_tokens, output_tokens)[:3])
            note += (f" No {family} model in the catalog takes it: split the input into chunks (map-reduce) or "
                     f"choose a long-context model of another family ({others or 'none in the catalog'}).")
    return kept, note


def models_taking(input_tokens: int | None, output_tokens: int | None) -> list:
    """Catalog models (any family that generates, smallest first) whose window takes the lengths."""
    from lifecycle.models.architecture import fits_context
    from lifecycle.models.catalog import list_models

    return sorted((m for m in list_models() if m.family != "encoder" and fits_context(m.shape, input_tokens,
                                                                                      output_tokens)),
                  key=lambda m: m.params)


def recommend_architecture(tasks: list[str], input_tokens: int | None = None,
                           output_tokens: int | None = None) -> Recommendation:
    """Recommend one family for the given task tags, with reasons, alternatives and example models; with the
    Scope's lengths, only example models whose context window takes them."""
    if not tasks:
        raise InvalidInput(f"Choose at least one task. Valid tags: {', '.join(task_ids())}.")
    infos = distinct_tasks(tasks)
    task_fams = {t.family for t in infos}
    family = covering_family(task_fams)
    fam = families()[family]
    per_task = [TaskAdvice(task=t.id, name=t.name, family=t.family, reasons=t.reasons) for t in infos]

    names = ", ".join(t.name.lower() for t in infos)
    if len(task_fams) == 1:
        reasons = "; ".join(dict.fromkeys(r for t in infos for r in t.reasons))
        rationale = (f"{fam.name} ({fam.aka}) for {names}: {reasons}. "
                     f"This family was pre-trained with {fam.objective}; attention is {fam.attention}.")
    else:
        why = ("decoders generate any text, so a prompted or instruction-tuned decoder also classifies, "
               "extracts, summarizes and translates" if family == "decoder" else
               f"an encoder-decoder casts every task as text-to-text, classification included ({T5_TEXT_TO_TEXT_SOURCE})")
        split = "; ".join(f"{t.name.lower()} -> {t.family}" for t in infos)
        rationale = (f"These tasks want different families ({split}). {fam.name} is the one family that covers "
                     f"all of them: {why}. It was pre-trained with {fam.objective}.")

    # One line per alternative family, its reasons joined (a family is never listed twice).
    whens: dict[str, list[str]] = {}
    if len(task_fams) > 1:
        for t in infos:
            if t.family != family:
                whens.setdefault(t.family, []).append(
                    f"a dedicated {families()[t.family].name.lower()} model for {t.name.lower()}: smaller and "
                    "cheaper per call, one more model to train and serve")
    for t in infos:
        for alt in t.alternatives:
            if alt.when not in whens.setdefault(alt.family, []):
                whens[alt.family].append(alt.when)
    alternatives = [Alternative(family=f, when="; or ".join(w)) for f, w in whens.items() if w]

    hub_ids = list(fam.example_hub_ids)
    if len(task_fams) > 1 and family in GENERALIST_HUB_ID:
        hub_ids.insert(0, GENERALIST_HUB_ID[family])
    sources = list(dict.fromkeys([fam.source, *(t.source for t in infos)]))
    cost = _multi_task_cost(family, infos) if len(task_fams) > 1 else ""
    if cost:
        sources.append(FORWARD_FLOPS_SOURCE)
    examples = catalog_ids(list(dict.fromkeys(hub_ids)))
    context, note = None, ""
    if input_tokens:
        from lifecycle.models.architecture import context_needed

        context = context_needed(family, input_tokens, output_tokens)
        examples, note = _long_enough(family, int(input_tokens), int(output_tokens or 0), examples)
    return Recommendation(
        tasks=[t.id for t in infos], family=family, family_name=fam.name, objective=fam.objective,
        attention=fam.attention, rationale=rationale, alternatives=alternatives,
        example_models=examples, per_task=per_task,
        covers_all=len(task_fams) == 1, multi_task_cost=cost, sources=sources, context_tokens=context,
        context_note=note,
    )


def _words(text: str) -> str:
    """Lower-case words separated by single spaces, padded: "De-identify" → " de identify "."""
    import re

    return f" {re.sub(r'[^a-z0-9;+#]+', ' ', str(text).lower()).strip()} "


def suggest_tasks(use_case: str, limit: int = 3) -> list[str]:
    """Task tags whose keywords appear in a use-case sentence, most matches first (a starting point).

    Keywords are matched as whole words (plurals and -d/-ed/-ing forms too), written the way the sentence is
    normalised ("de-identify" matches "De-identify"); a task with at most half the best task's matches is left
    out, and a task and its specialisation (token classification and NER) are suggested once."""
    text = _words(use_case)
    scored = []
    for i, task in enumerate(list_tasks()):
        hits = 0
        for kw in task.keywords:
            kw = _words(kw).strip()
            hits += any(f" {kw}{end} " in text for end in ("", "s", "es", "d", "ed", "ing"))
        if hits:
            scored.append((-hits, i, task.id))
    if not scored:
        return []
    best = -min(scored)[0]
    kept = [tid for hits, _, tid in sorted(scored) if -hits * 2 > best]
    return [t.id for t in distinct_tasks(kept)][:limit]


def distinct_tasks(tags: list[str]) -> list[TaskInfo]:
    """The tasks once each: an alias or repeat is dropped, and a general task is merged into its specialisation
    when both are named (token classification + NER is one task, NER; text classification + sentiment analysis
    is sentiment analysis) — a sub-task names its general task as its pipeline tag (Hugging Face task tags)."""
    infos: list[TaskInfo] = []
    for tag in tags:
        info = get_task(tag)
        if info.id not in {t.id for t in infos}:
            infos.append(info)
    specialised = {t.hf_pipeline_tag for t in infos if t.hf_subtask and t.hf_pipeline_tag != t.id}
    return [t for t in infos if t.id not in specialised]


# Hugging Face pipeline tag -> the head its fine-tune trains (transformers AutoModelFor... classes):
# sequence-level labels, per-token labels (extractive QA predicts start/end per token), masked tokens, next tokens.
_HEAD_OF_PIPELINE = {"text-classification": "seq-cls", "zero-shot-classification": "seq-cls",
                     "sentence-similarity": "seq-cls", "text-ranking": "seq-cls", "token-classification": "token-cls",
                     "question-answering": "token-cls", "table-question-answering": "token-cls", "fill-mask": "mlm"}


def training_head_for_tasks(tasks: list[str], family: str) -> str | None:
    """The output head a fine-tune of a ``family`` model trains for the first of ``tasks`` that names one; None
    when no task does (the model keeps its own head). Generation tasks train the LM head (an encoder's MLM)."""
    for tag in tasks:
        try:
            task = get_task(tag)
        except InvalidInput:
            continue
        head = _HEAD_OF_PIPELINE.get(task.hf_pipeline_tag)
        if head is None and task.family != "encoder":
            head = "lm"
        if head == "lm" and family == "encoder":
            head = "mlm"
        if head == "mlm" and family != "encoder":
            head = "lm"
        if head is not None:
            return head
    return None
