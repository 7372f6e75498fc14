"""Three projects whose plan is not their latest saved scenario: one per architecture family.

- ``deid``: clinical-note de-identification (token classification) with RoBERTa-base on the team's 2 × T4;
- ``translation``: English FAQ translated into six languages with Flan-T5-XL (LoRA) on one A10G;
- ``code_review``: a Go code-review bot on Mistral-7B (QLoRA) on 4 × L4, served in bf16 on one L4.

Each has several training and serving scenarios; the last one saved of each kind is *not* the one chosen (a
rejected alternative saved after the decision), so a reader that takes the latest shows the wrong plan.
``CHOSEN[name]`` and ``REJECTED[name]`` are the scenario names a report must and must not present as the plan.
Every number comes from the planner's calculators (``make_scenario``).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from lifecycle.records.project import Project

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
CHOSEN: dict[str, tuple[str, ...]] = {}
REJECTED: dict[str, tuple[str, ...]] = {}


def _at(minutes: int) -> datetime:
    return T0 + timedelta(minutes=minutes)


def _project(name: str, description: str, **scope) -> Project:
    p = Project(name=name, description=description, owner="e2e", updated_by="e2e", created_at=T0, updated_at=T0)
    for key, value in scope.items():
        setattr(p.scope, key, value)
    p.scope.saved_at = _at(1)
    return p


def _add(p: Project, stage: str, setup, name: str, minutes: int) -> str:
    from lifecycle.records.scenarios import make_scenario

    p.stage(stage).scenarios.append(make_scenario(setup, name=name, author="e2e", created_at=_at(minutes)))
    return name


def deid() -> Project:
    """Encoder: token classification, 2 × T4 (no bf16 there: fp16 mixed precision)."""
    from lifecycle.memory.setup import TrainingSetup
    from lifecycle.models.ref import ModelRef
    from lifecycle.records.plan import choose_scenario
    from lifecycle.serving.plan import ServingSetup

    p = _project("Clinical note de-identification", "Tag names, dates and record numbers in clinical notes.",
                 use_case="Find protected health information in discharge notes.", tasks=["token-classification"],
                 family="encoder", input_tokens=400, output_tokens=0, gpu_id="t4", gpu_count=2,
                 training_examples=20_000, tokens_per_example=400, epochs=3.0, budget_usd=300.0,
                 latency_ms_p95=300.0, throughput_rps=20.0, languages=["en"], domain="clinical")
    p.select.model_id = "roberta-base"
    ref = ModelRef.catalog("roberta-base")
    tokens = 20_000 * 400 * 3
    base = {"model": ref, "method": "full", "precision": "amp_fp16", "head": "token-cls", "num_labels": 19, "seq_len": 400,
                "gpu": "t4", "gpus": 2, "training_tokens": tokens}
    chosen = _add(p, "adapt", TrainingSetup(**base, micro_batch=16), "RoBERTa full FT batch 16 on 2 T4", 10)
    rejected = _add(p, "adapt", TrainingSetup(**base, micro_batch=32), "RoBERTa full FT batch 32 on 2 T4", 20)
    serve = {"model": ref, "precision": "fp16", "gpu": "t4", "gpus": 1, "prompt_tokens": 400, "new_tokens": 0}
    s_chosen = _add(p, "integrate", ServingSetup(**serve, concurrent_sequences=8), "Tagger fp16 on 1 T4 batch 8", 30)
    s_rejected = _add(p, "integrate", ServingSetup(**serve, concurrent_sequences=64), "Tagger fp16 batch 64", 40)
    p = choose_scenario(choose_scenario(p, chosen), s_chosen)
    CHOSEN[p.name], REJECTED[p.name] = (chosen, s_chosen), (rejected, s_rejected)
    return p


def translation() -> Project:
    """Encoder-decoder: one A10G, input and output of 256 tokens each."""
    from lifecycle.memory.setup import TrainingSetup
    from lifecycle.models.ref import ModelRef
    from lifecycle.records.plan import choose_scenario
    from lifecycle.serving.plan import ServingSetup
    from lifecycle.serving.sampling import SamplingSetup

    p = _project("FAQ translation", "Translate the English help-centre FAQ into six languages.",
                 use_case="Translate FAQ answers from English.", tasks=["translation"], family="encoder-decoder",
                 input_tokens=256, output_tokens=256, gpu_id="a10g", gpu_count=1, training_examples=50_000,
                 tokens_per_example=512, epochs=2.0, budget_usd=1_000.0, latency_ms_p95=4_000.0,
                 languages=["en", "de", "fr", "es", "ja", "zh", "pt"])
    p.select.model_id = "flan-t5-xl"
    ref = ModelRef.catalog("flan-t5-xl")
    base = {"model": ref, "precision": "bf16", "seq_len": 256, "target_len": 256, "gpu": "a10g", "gpus": 1,
                "training_tokens": 50_000 * 512 * 2.0, "grad_checkpointing": True}
    chosen = _add(p, "adapt", TrainingSetup(**base, method="lora", lora_rank=16, micro_batch=8),
                  "Flan-T5-XL LoRA r16 on 1 A10G", 10)
    rejected = _add(p, "adapt", TrainingSetup(**base, method="full", micro_batch=1), "Flan-T5-XL full FT on 1 A10G", 20)
    serve = {"model": ref, "gpu": "a10g", "gpus": 1, "prompt_tokens": 256, "new_tokens": 256}
    s_chosen = _add(p, "integrate", ServingSetup(**serve, precision="bf16", concurrent_sequences=4),
                    "Translator bf16 batch 4", 30)
    s_rejected = _add(p, "integrate", ServingSetup(**serve, precision="int8", concurrent_sequences=16),
                      "Translator int8 batch 16", 40)
    g_chosen = _add(p, "integrate", SamplingSetup(temperature=0.0, do_sample=False), "Greedy for translation", 45)
    _add(p, "integrate", SamplingSetup(temperature=0.9, top_p=0.95), "Creative T 0.9", 50)
    p = choose_scenario(choose_scenario(choose_scenario(p, chosen), s_chosen), g_chosen)
    CHOSEN[p.name], REJECTED[p.name] = (chosen, s_chosen), (rejected, s_rejected)
    return p


def code_review(*, choose_serving: bool = True) -> Project:
    """Decoder: QLoRA on 4 × L4; the latest serving scenario sizes another model (Mixtral, int4) entirely."""
    from lifecycle.memory.setup import TrainingSetup
    from lifecycle.models.ref import ModelRef
    from lifecycle.records.plan import choose_scenario
    from lifecycle.serving.plan import ServingSetup

    p = _project("Go code review bot", "Review Go pull requests with a fine-tuned open model.",
                 use_case="Comment on Go pull requests like a senior reviewer.", tasks=["text-generation"],
                 family="decoder", input_tokens=3_000, output_tokens=500, gpu_id="l4", gpu_count=4,
                 training_examples=50_000, tokens_per_example=3_000, epochs=2.0, budget_usd=2_000.0,
                 latency_ms_p95=30_000.0, throughput_rps=0.5, languages=["en"])
    p.select.model_id = "mistral-7b-v0.1"
    ref = ModelRef.catalog("mistral-7b-v0.1")
    base = {"model": ref, "seq_len": 3_500, "gpu": "l4", "gpus": 4, "training_tokens": 50_000 * 3_000 * 2.0,
                "grad_checkpointing": True, "micro_batch": 1}
    chosen = _add(p, "adapt", TrainingSetup(**base, method="qlora", precision="bf16", strategy="ddp"),
                  "Mistral QLoRA on 4 L4", 10)
    rejected = _add(p, "adapt", TrainingSetup(**base, method="lora", precision="bf16", strategy="zero3"),
                    "Mistral LoRA ZeRO-3 on 4 L4", 20)
    serve = {"gpu": "l4", "prompt_tokens": 3_000, "new_tokens": 500, "concurrent_sequences": 2}
    s_chosen = _add(p, "integrate", ServingSetup(model=ref, precision="bf16", gpus=1, **serve),
                    "Reviewer bf16 on 1 L4", 30)
    s_rejected = _add(p, "integrate", ServingSetup(model=ModelRef.catalog("mixtral-8x7b"), precision="int4", gpus=4,
                                                   **serve), "Mixtral int4 on 4 L4", 40)
    p = choose_scenario(p, chosen)
    if choose_serving:
        p = choose_scenario(p, s_chosen)
    CHOSEN[p.name], REJECTED[p.name] = (chosen, s_chosen), (rejected, s_rejected)
    return p


def plan_projects(**kw) -> list[Project]:
    return [deid(), translation(), code_review(**kw)]
