"""The three kinds of project a tech lead sends a report about, for the report's length and content tests:

- a support-ticket classifier (``example_project``: encoder-decoder, LoRA, int8 serving on an L4);
- a contract summarizer with LoRA on A100s (made by hand in the first version of the app, upgraded:
  ``tests/data/v1/lifecycle-v1.db``);
- a domain pre-training plan (below: legal-domain model sized with Chinchilla, pre-trained on H100s).
"""

from __future__ import annotations

import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path

from lifecycle.records.project import Project

V1_DB = Path(__file__).resolve().parents[1] / "data" / "v1" / "lifecycle-v1.db"
WHEN = datetime(2026, 2, 1, 10, 0, tzinfo=UTC)


def contract_summarizer(tmp_dir: Path):
    """(project, history) of the v1 database's contract summarizer, upgraded to schema 2."""
    from lifecycle.records.store import Store

    db = tmp_dir / "v1.db"
    shutil.copy(V1_DB, db)
    store = Store(f"sqlite:///{db}")
    try:
        project = store.get_project("Contract summarizer")
        return project, store.history(project.id)
    finally:
        store.engine.dispose()


def domain_pretraining() -> Project:
    """A legal-domain model the team pre-trains itself: scope, the pre-train decision, a Chinchilla plan
    and the memory of one training step, all computed by the planner's calculators."""
    from lifecycle.memory.setup import TrainingSetup
    from lifecycle.models.architecture import ModelShape
    from lifecycle.models.ref import ModelRef
    from lifecycle.records.scenarios import make_scenario
    from lifecycle.scaling.laws import builtin_law
    from lifecycle.scaling.pretraining import PretrainingSetup

    p = Project(name="Legal-domain LM (pre-train)", owner="dana",
                description="Pre-train a 7B legal-domain model on our contract archive plus public case law.")
    p.scope.use_case = "A legal assistant that drafts and reviews clauses in our house style."
    p.scope.tasks = ["text-generation"]
    p.scope.domain = "legal"
    p.scope.data_available = "billions"
    p.scope.budget_usd = 2_500_000
    p.scope.family = "decoder"
    p.scope.gpu_id, p.scope.gpu_count = "h100-80gb", 512
    p.scope.decisions = {"summary": "Pre-train a decoder on legal text", "risks": "Data licences of case law"}
    p.scope.saved_at = WHEN
    p.select.pretrain_own = True
    p.select.rationale = "No open model knows our clause library; 300B tokens of in-domain text are available."
    p.select.decisions = {"summary": "Pre-train our own 7B model", "rationale": "Domain text and budget allow it"}
    p.select.saved_at = WHEN + timedelta(minutes=5)
    plan = PretrainingSetup(laws=(builtin_law("chinchilla3"), builtin_law("kaplan")), budget_amount=1e23,
                            params=7e9, tokens=300e9, gpu="h100-80gb", gpus=512)
    p.select.scenarios.append(make_scenario(plan, name="7B on 300B tokens, 512×H100", author="dana",
                                            created_at=WHEN + timedelta(minutes=6)))
    shape = ModelShape(family="decoder", arch="llama", layers=32, hidden=4096, heads=32, kv_heads=32, ffn=11008,
                       gated_mlp=True, vocab=32000, tied_embeddings=False, norm="rmsnorm", max_context=4096, head="lm")
    step = TrainingSetup(model=ModelRef(id="legal-7b", name="Legal 7B (planned)", shape=shape), method="full",
                         micro_batch=2, seq_len=4096, grad_checkpointing=True, gpus=512, strategy="zero3",
                         gpu="h100-80gb", training_tokens=300e9)
    p.adapt.scenarios.append(make_scenario(step, name="Pre-training step, ZeRO-3 on 512×H100", author="dana",
                                           created_at=WHEN + timedelta(minutes=9)))
    p.adapt.adaptation_path = "full"
    p.adapt.decisions = {"summary": "Instruction-tune after pre-training"}
    p.adapt.saved_at = WHEN + timedelta(minutes=10)
    return p
