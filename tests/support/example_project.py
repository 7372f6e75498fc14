"""A filled-in example project, every number computed by the planner's own calculators.

Used by the report tests, the report benchmark and the browser test as "a full project", and
as a way to preview what a finished report looks like. Nothing here is typed in as a result:
the scenarios hold what ``lifecycle.models.tasks``, ``lifecycle.scaling.plan``, ``lifecycle.scaling.compute`` and
``lifecycle.serving.quantization``, ``lifecycle.serving.plan`` and ``lifecycle.serving.sampling`` return for the stated inputs.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from lifecycle.records.project import EvalTarget, Project, Scenario

EXAMPLE_TIME = datetime(2026, 1, 15, 9, 0, tzinfo=UTC)
EXAMPLE_AUTHOR = "example"


def _at(minutes: int) -> datetime:
    return EXAMPLE_TIME + timedelta(minutes=minutes)


def example_project(name: str = "Support-ticket triage (example)") -> Project:
    """A project with every stage decided and at least one scenario per stage."""
    from lifecycle.models.catalog import get_model
    from lifecycle.models.tasks import recommend_architecture
    from lifecycle.scaling.compute import DEFAULT_MFU, training_flops, training_time_and_cost
    from lifecycle.scaling.laws import builtin_laws
    from lifecycle.scaling.plan import plans_for_laws
    from lifecycle.serving.plan import serving_plan
    from lifecycle.serving.quantization import quantization_table
    from lifecycle.serving.sampling import default_distribution, transform

    tasks = ["text-classification", "summarization"]
    rec = recommend_architecture(tasks)
    model = get_model("flan-t5-xl") if rec.family == "encoder-decoder" else get_model(rec.example_models[0])
    p = Project(name=name, description="Route incoming support tickets by urgency and summarise them for agents.",
                owner=EXAMPLE_AUTHOR, updated_by=EXAMPLE_AUTHOR, created_at=EXAMPLE_TIME, updated_at=_at(60))

    p.scope.use_case = "Classify each support ticket as urgent / normal / low and write a two-line summary."
    p.scope.tasks, p.scope.family = rec.tasks, rec.family
    p.scope.input_tokens, p.scope.output_tokens = 400, 60
    p.scope.latency_ms_p95, p.scope.throughput_rps = 800.0, 5.0
    p.scope.data_available, p.scope.budget_usd = "thousands", 20_000.0
    p.scope.constraints = ["on-premise", "open licence"]
    p.scope.quality_bar = "Macro-F1 at least 0.85 on urgency; summaries rated useful by agents 4/5."
    p.scope.decisions = {"summary": f"One {rec.family_name} model covers both tasks.",
                         "rationale": rec.rationale,
                         "risks": "Urgency labels are noisy: two agents agree on about 80% of tickets."}
    p.scope.saved_at = _at(10)
    p.scope.scenarios.append(Scenario(
        kind="architecture", name="Architecture for triage", author=EXAMPLE_AUTHOR, created_at=_at(5),
        inputs={"tasks": rec.tasks}, results={"family": rec.family, "example_models": rec.example_models}))

    p.select.model_id = model.id
    p.select.rationale = f"{model.name}: open licence ({model.license}), fits one GPU for serving."
    p.select.decisions = {"summary": f"Start from {model.name}; do not pre-train.",
                          "risks": "Instruction-tuned checkpoints may have seen public ticket datasets."}
    p.select.saved_at = _at(20)
    laws = builtin_laws()[:3]
    budget = training_flops(model.params, 20 * model.params)
    plans = plans_for_laws(laws, compute_flops=budget, gpu="a100-80gb", gpus=8, mfu=DEFAULT_MFU)
    p.select.scenarios.append(Scenario(
        kind="scaling", name="What pre-training our own would cost", author=EXAMPLE_AUTHOR, created_at=_at(15),
        inputs={"chart": "loss", "laws": [law.model_dump() for law in laws], "c_min_flops": 1e18,
                "c_max_flops": 1e24, "budget_flops": budget, "gpu": "a100-80gb", "gpus": 8, "mfu": DEFAULT_MFU},
        results={"budget": [pl.model_dump(exclude_none=True) for pl in plans]}))

    p.adapt.adaptation_path = "lora"
    p.adapt.eval_targets = [EvalTarget(metric="macro-F1", dataset="held-out tickets", threshold=0.85),
                            EvalTarget(metric="ROUGE-L", dataset="agent-written summaries", threshold=0.35)]
    p.adapt.decisions = {"summary": "LoRA (rank 16) on the attention projections.",
                         "risks": "If macro-F1 stays under 0.85, full fine-tuning doubles the GPU need."}
    p.adapt.saved_at = _at(30)
    for i, (gpu, gpus, epochs) in enumerate((("a100-80gb", 1, 3), ("h100-80gb", 8, 3))):
        tokens = 50_000 * (400 + 60) * epochs  # tickets × tokens per ticket × epochs
        t = training_time_and_cost(training_flops(model.params, tokens), gpu, gpus=gpus)
        p.adapt.scenarios.append(Scenario(
            kind="training_compute", name=f"Fine-tune on {gpus}×{gpu}", author=EXAMPLE_AUTHOR, created_at=_at(25 + i),
            inputs={"params": model.params, "train_tokens": tokens, "gpu_id": gpu, "gpus": gpus,
                    "mfu": t.mfu, "price_usd_per_hour": t.price_usd_per_hour, "precision": t.precision},
            results={"flops": t.flops, "seconds": t.seconds, "gpu_hours": t.gpu_hours, "cost_usd": t.cost_usd,
                     "pf_days": t.pf_days}))

    p.integrate.precision, p.integrate.gpu_id, p.integrate.gpu_count = "int8", "l4", 1
    p.integrate.optimize, p.integrate.augment = ["quantization"], ["guardrails"]
    p.integrate.decisions = {"summary": "Serve int8 weights on one L4.",
                             "risks": "int8 may cost a point of F1; measure before switching."}
    p.integrate.saved_at = _at(40)
    p.integrate.scenarios.append(Scenario(
        kind="quantization", name=f"Weight formats for {model.name}", author=EXAMPLE_AUTHOR, created_at=_at(35),
        inputs={"params": model.params}, results={"formats": quantization_table(model.params)}))
    kwargs = {"precision": "int8", "gpu": "l4", "gpus": 1, "prompt_tokens": 400, "new_tokens": 60}
    for i, batch in enumerate((8, 32)):
        plan = serving_plan(model.id, batch=batch, **kwargs)
        p.integrate.scenarios.append(Scenario(
            kind="serving", name=f"{model.id} int8 on 1xl4, batch {batch}", author=EXAMPLE_AUTHOR,
            created_at=_at(36 + i), inputs={"model_id": model.id, "batch": batch, **kwargs},
            results={k: getattr(plan, k) for k in (
                "fits", "memory_total_bytes", "max_batch", "max_context", "prefill_s", "decode_step_s",
                "decode_tokens_per_s", "request_latency_s", "throughput_tokens_per_s",
                "cost_per_million_output_tokens_usd")}))
    dist = default_distribution()
    t = transform(dist, temperature=0.7, top_k=None, top_p=0.9)
    p.integrate.scenarios.append(Scenario(
        kind="sampling", name="Summaries: T=0.7, top-p=0.9", author=EXAMPLE_AUTHOR, created_at=_at(38),
        inputs={"distribution": dict(zip(dist.tokens, dist.probs)), "temperature": t.temperature, "top_k": t.top_k,
                "top_p": t.top_p, "seed": 0, "samples": 1000},
        results={"kept_count": t.kept_count, "greedy": t.greedy,
                 "kept": {tok: after for tok, after, kept in zip(t.tokens, t.final, t.kept) if kept}}))
    for i, scenario in enumerate(s for key in ("scope", "select", "adapt", "integrate") for s in p.stage(key).scenarios):
        scenario.id = f"example{i:04d}"  # fixed ids: the same example always yields the same report
    return p
