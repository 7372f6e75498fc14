"""Good at many tasks or one? The scale argument turned into advice from the Scope answers.

Small models fine-tuned for one task (BERT-base, 110M parameters) against large models that do
many tasks from a prompt (BLOOM, 176B): in-context learning and instruction following appear as
decoders grow (Brown et al. 2020, arXiv:2005.14165, Fig. 1.2), while a small fine-tuned model is
cheaper and faster for one task with labels. A latency target is checked with the memory-bound
decode time: every generated token reads all weights once, so time/token >= weight bytes /
memory bandwidth (Pope et al. 2022, arXiv:2211.05102, Sec. 2; the roofline of a batch-1 decode).
"""

from __future__ import annotations

from pydantic import BaseModel

from lifecycle.display import format_duration, plural
from lifecycle.models.architecture import fits_context
from lifecycle.models.catalog import get_model
from lifecycle.models.gpus import get_gpu
from lifecycle.models.tasks import distinct_tasks, models_taking, recommend_architecture

SMALL_REFERENCE_ID = "bert-base-uncased"
LARGE_REFERENCE_ID = "bloom-176b"
GENERALIST_ID = "llama-2-7b"  # smallest widely used decoder with usable few-shot ability
LATENCY_GPU_ID = "a100-80gb"
BF16_BYTES_PER_PARAM = 2
# Bytes read per weight at batch 1 for each serving weight format (int4: 4 bits, scales aside).
BYTES_PER_PARAM = {"fp32": 4.0, "bf16": 2.0, "fp16": 2.0, "int8": 1.0, "int4": 0.5}
SCALE_SOURCES = [
    "Brown et al. 2020, arXiv:2005.14165 (GPT-3): few-shot accuracy grows with model size, 125M -> 175B",
    "Devlin et al. 2018, arXiv:1810.04805 (BERT-base 110M fine-tuned per task)",
    "Pope et al. 2022, arXiv:2211.05102: batch-1 decoding is memory-bandwidth bound",
]


class ScaleAdvice(BaseModel):
    verdict: str  # "specialist" | "generalist" | "either"
    headline: str
    reasons: list[str]
    example_models: list[str]
    decode_ms_per_token: float | None = None  # generalist on LATENCY_GPU_ID, bf16, batch 1
    sources: list[str]


def _small_of_family(family: str, input_tokens: int | None, output_tokens: int | None):
    """The smallest catalog model of ``family`` (over 50M parameters) whose window takes the lengths."""
    from lifecycle.models.catalog import list_models

    fitting = [m for m in list_models() if m.family == family and m.params >= 50e6
               and fits_context(m.shape, input_tokens, output_tokens)]
    if family == "encoder" and not input_tokens:
        return get_model(SMALL_REFERENCE_ID)
    return min(fitting, key=lambda m: m.params, default=None)


def decode_ms_per_token(params: int, gpu_id: str = LATENCY_GPU_ID, bytes_per_param: float = BF16_BYTES_PER_PARAM) -> float:
    """Lower bound on batch-1 decode time per token: all weights read once from GPU memory."""
    gpu = get_gpu(gpu_id)
    return params * bytes_per_param / gpu.memory_bandwidth_bytes_per_s * 1e3


def scale_advice(
    tasks: list[str],
    *,
    data_available: str | None = None,
    latency_ms_p95: float | None = None,
    output_tokens: int | None = None,
    input_tokens: int | None = None,
    gpu_id: str | None = None,
    precision: str = "bf16",
) -> ScaleAdvice:
    """Weigh the number and kind of tasks, the labels available and the latency target; the small model named
    is of the recommended family and takes the Scope's input and output lengths."""
    infos = distinct_tasks(tasks)  # token classification + NER is one task
    large, generalist = get_model(LARGE_REFERENCE_ID), get_model(GENERALIST_ID)
    rec = recommend_architecture(tasks, input_tokens, output_tokens)
    family = rec.family
    small = _small_of_family(family, input_tokens, output_tokens)
    specialist, many = [], []
    n = len(infos)
    if n == 1 and small is not None:
        specialist.append(f"One task ({infos[0].name.lower()}): a small {family} model fine-tuned for it "
                          f"(like {small.name}, {small.params / 1e6:.0f}M parameters, {small.max_context:,}-token "
                          "window) is usually enough.")
    elif n == 1:
        many.append(f"One task ({infos[0].name.lower()}), but no small {family} model in the catalog takes "
                    f"{rec.context_tokens:,} tokens: a long-context model or chunking the input is needed.")
    elif n >= 3:
        many.append(f"{n} tasks: one large model that does all of them from a prompt "
                    f"saves training and serving {n} separate models.")
    if any(t.family == "decoder" for t in infos):
        many.append("Open-ended generation (text, chat, code) improves with scale; instruction following "
                    "and in-context learning appear in larger decoders.")
    if data_available in ("none", "few"):
        many.append("With no or only a few labelled examples you rely on zero/few-shot prompting, "
                    "which works far better in large models (GPT-3: few-shot accuracy rose from 125M to 175B).")
    elif data_available in ("thousands", "billions"):
        specialist.append("Thousands of labelled examples are enough to fine-tune a small model, which then "
                          "often beats a prompted large one on that task.")
    # The team's GPU and serving precision (A100, bf16 when the project states none)
    gpu_id = gpu_id or LATENCY_GPU_ID
    per_token_ms = decode_ms_per_token(generalist.params, gpu_id, BYTES_PER_PARAM.get(precision, BF16_BYTES_PER_PARAM))
    on = f"one {get_gpu(gpu_id).name} in {precision}"
    if latency_ms_p95 is not None and latency_ms_p95 > 0:
        out = max(1, int(output_tokens or 1))
        total_ms = per_token_ms * out
        if total_ms > latency_ms_p95:
            specialist.append(
                f"Latency: {generalist.name} needs at least {per_token_ms:.1f} ms per generated token on "
                f"{on}, so {plural(out, 'output token')} take >= {format_duration(total_ms / 1e3)}, "
                f"over your {format_duration(latency_ms_p95 / 1e3)} p95 target.")
        else:
            many.append(f"Latency: {plural(out, 'output token')} from {generalist.name} take >= {format_duration(total_ms / 1e3)} on "
                        f"{on} (batch 1), within your {format_duration(latency_ms_p95 / 1e3)} target.")
    ref = small or get_model(SMALL_REFERENCE_ID)
    spread = (f"The range is wide: {ref.name} has {ref.params / 1e6:.0f}M parameters, "
              f"{large.name} {large.params / 1e9:.0f}B ({large.params / ref.params:,.0f}x more).")
    if len(specialist) > len(many):
        verdict, headline = "specialist", "Good at one task: fine-tune a small model."
        fam_examples = [m for m in rec.example_models if get_model(m).params < 1e9]
        examples = fam_examples[:3] or [ref.id]
    elif len(many) > len(specialist):
        verdict, headline = "generalist", "Good at many tasks: start from a large instruction-following model."
        examples = [GENERALIST_ID, "mistral-7b-v0.1", "llama3-8b"] if family == "decoder" else ["flan-t5-xl", GENERALIST_ID]
    else:
        verdict = "either"
        headline = ("Either: prototype by prompting a large model, then fine-tune (or distil into) a small one "
                    "once you have labels and know the task.")
        examples = [GENERALIST_ID, *rec.example_models[:2]]
    examples = [m for m in dict.fromkeys(examples) if fits_context(get_model(m).shape, input_tokens, output_tokens)]
    if not examples:  # nothing named takes the lengths: the smallest long-context models that do
        examples = [m.id for m in models_taking(input_tokens, output_tokens)[:3]]
    return ScaleAdvice(verdict=verdict, headline=headline, reasons=[*specialist, *many, spread],
                       example_models=examples, decode_ms_per_token=per_token_ms,
                       sources=SCALE_SOURCES)
