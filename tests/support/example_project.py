"""A filled-in example project, every number computed by the planner's own calculators.

Used by the report tests, the report benchmark and the browser test as "a full project", and
as a way to preview what a finished report looks like. Nothing here is typed in as a result:
the scenarios hold what ``lifecycle.models.tasks``, ``lifecycle.scaling.plan``, ``lifecycle.scaling.compute`` and
``lifecycle.serving.quantization``, ``lifecycle.serving.plan`` and ``lifecycle.serving.sampling`` return for the stated inputs.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from lifecycle.adapt.evaluation import EvalTarget
from lifecycle.records.plan import GenerationSettings
from lifecycle.records.project import Project

EXAMPLE_TIME = datetime(2026, 1, 15, 9, 0, tzinfo=UTC)
EXAMPLE_AUTHOR = "example"


def _at(minutes: int) -> datetime:
    return EXAMPLE_TIME + timedelta(minutes=minutes)


def example_project(name: str = "Support-ticket triage (example)") -> Project:
    """A project with every stage decided and at least one scenario per stage."""
    from lifecycle.memory.setup import TrainingSetup
    from lifecycle.models.advice import ArchitectureSetup, architecture_advice
    from lifecycle.models.catalog import get_model
    from lifecycle.models.ref import ModelRef
    from lifecycle.records.scenarios import make_scenario
    from lifecycle.scaling.compute import training_flops
    from lifecycle.scaling.pretraining import PretrainingSetup
    from lifecycle.serving.plan import ServingSetup
    from lifecycle.serving.quantization import QuantizationSetup
    from lifecycle.serving.sampling import SamplingSetup

    arch = ArchitectureSetup(tasks=("text-classification", "summarization"))
    rec = architecture_advice(arch).recommendation
    model = get_model("flan-t5-xl") if rec.family == "encoder-decoder" else get_model(rec.example_models[0])
    ref = ModelRef.of(model)
    p = Project(name=name, description="Route incoming support tickets by urgency and summarise them for agents.",
                owner=EXAMPLE_AUTHOR, updated_by=EXAMPLE_AUTHOR, created_at=EXAMPLE_TIME, updated_at=_at(60))

    def scenario(setup, label, minutes):
        return make_scenario(setup, name=label, author=EXAMPLE_AUTHOR, created_at=_at(minutes))

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
    p.scope.scenarios.append(scenario(arch, "Architecture for triage", 5))

    p.select.model_id = model.id
    p.select.rationale = f"{model.name}: open licence ({model.license}), fits one GPU for serving."
    p.select.decisions = {"summary": f"Start from {model.name}; do not pre-train.",
                          "risks": "Instruction-tuned checkpoints may have seen public ticket datasets."}
    p.select.saved_at = _at(20)
    budget = training_flops(model.params, 20 * model.params)
    p.select.scenarios.append(scenario(PretrainingSetup.with_builtin_laws(
        ("kaplan", "chinchilla1", "chinchilla2"), budget_amount=budget, gpu="a100-80gb", gpus=8, c_min_flops=1e18,
        c_max_flops=1e24, show_markers=False), "What pre-training our own would cost", 15))

    p.adapt.adaptation_path = "lora"
    p.adapt.eval_targets = [EvalTarget(metric="macro-F1", dataset="held-out tickets", threshold=0.85),
                            EvalTarget(metric="ROUGE-L", dataset="agent-written summaries", threshold=0.35)]
    p.adapt.decisions = {"summary": "LoRA (rank 16) on the attention projections.",
                         "risks": "If macro-F1 stays under 0.85, full fine-tuning doubles the GPU need."}
    p.adapt.saved_at = _at(30)
    for i, (gpu, gpus, strategy) in enumerate((("a100-80gb", 1, "ddp"), ("h100-80gb", 8, "zero2"))):
        tokens = 50_000 * (400 + 60) * 3  # tickets × tokens per ticket × epochs
        p.adapt.scenarios.append(scenario(TrainingSetup(
            model=ref, method="lora", lora_rank=16, precision="amp_bf16", micro_batch=8, seq_len=400, target_len=60,
            grad_checkpointing=True, gpu=gpu, gpus=gpus, strategy=strategy, training_tokens=tokens),
            f"LoRA fine-tune on {gpus}×{gpu}", 25 + i))

    p.integrate.precision, p.integrate.gpu_id, p.integrate.gpu_count = "int8", "l4", 1
    p.integrate.optimize, p.integrate.augment = ["quantization"], ["guardrails"]
    p.integrate.decisions = {"summary": "Serve int8 weights on one L4.",
                             "risks": "int8 may cost a point of F1; measure before switching."}
    p.integrate.saved_at = _at(40)
    p.integrate.scenarios.append(scenario(QuantizationSetup.for_model(ref), f"Weight formats for {model.name}", 35))
    for i, batch in enumerate((8, 32)):
        p.integrate.scenarios.append(scenario(ServingSetup(
            model=ref, precision="int8", gpu="l4", gpus=1, concurrent_sequences=batch, prompt_tokens=400,
            new_tokens=60), f"{model.id} int8 on 1xl4, batch {batch}", 36 + i))
    p.integrate.scenarios.append(scenario(SamplingSetup(temperature=0.7, top_p=0.9, seed=0, samples=1000),
                                          "Summaries: T=0.7, top-p=0.9", 38))
    for i, s in enumerate(s for key in ("scope", "select", "adapt", "integrate") for s in p.stage(key).scenarios):
        s.id = f"example{i:04d}"  # fixed ids: the same example always yields the same report
    # The plan: the team chose the older of each pair (one A100, batch 8), not the latest saved.
    p.adapt.training_scenario_id = p.adapt.scenarios[0].id
    p.integrate.serving_scenario_id = next(s.id for s in p.integrate.scenarios if s.kind == "serving")
    sampling = next(s for s in p.integrate.scenarios if s.kind == "sampling")
    p.integrate.generation = GenerationSettings(temperature=sampling.setup.temperature, top_p=sampling.setup.top_p,
                                                seed=sampling.setup.seed, scenario_id=sampling.id,
                                                scenario_name=sampling.name)
    return p
