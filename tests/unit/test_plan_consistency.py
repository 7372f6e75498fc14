"""``plan_consistency``: hand-made plans that contradict themselves, one per finding, and a plan that holds.

The base plan is a code-review bot: Llama-2-7B, QLoRA on the team's 4 × L4, bf16 serving on one L4, English,
lengths 1,500 + 500 within the 4,096-token window, a budget far above the cost, targets the serving meets."""

from __future__ import annotations

import pytest

from lifecycle.memory.setup import TrainingSetup
from lifecycle.models.ref import ModelRef
from lifecycle.records import plan_check
from lifecycle.records.plan import choose_scenario
from lifecycle.records.plan_check import plan_consistency
from lifecycle.records.project import Project
from lifecycle.records.scenarios import make_scenario
from lifecycle.serving.plan import ServingSetup

LLAMA2 = ModelRef.catalog("llama-2-7b")


def _train(model=LLAMA2, **kw):
    setup = {"model": model, "method": "qlora", "precision": "bf16", "micro_batch": 1, "seq_len": 2000, "gpu": "l4", "gpus": 4,
                 "strategy": "ddp", "grad_checkpointing": True, "training_tokens": 50_000 * 2000 * 2}
    return TrainingSetup(**{**setup, **kw})


def _serve(model=LLAMA2, **kw):
    setup = {"model": model, "precision": "bf16", "gpu": "l4", "gpus": 1, "concurrent_sequences": 1, "prompt_tokens": 1500,
                 "new_tokens": 500}
    return ServingSetup(**{**setup, **kw})


def _project(train=None, serve=None, model_id="llama-2-7b", **scope) -> Project:
    p = Project(name="Code review bot")
    p.select.model_id = model_id
    facts = {"gpu_id": "l4", "gpu_count": 4, "input_tokens": 1500, "output_tokens": 500, "budget_usd": 50_000.0,
                 "latency_ms_p95": 60_000.0, "throughput_rps": 0.01, "languages": ["en"]}
    for key, value in {**facts, **scope}.items():
        setattr(p.scope, key, value)
    p.adapt.scenarios.append(make_scenario(train or _train(), name="chosen run"))
    p.integrate.scenarios.append(make_scenario(serve or _serve(), name="chosen serving"))
    return choose_scenario(choose_scenario(p, "chosen run"), "chosen serving")


def _only(check, p: Project) -> list[tuple[str, str, str]]:
    return [(f.severity, f.stage, f.check) for f in plan_consistency(p).findings if f.check == check]


def test_a_plan_that_holds_has_no_contradiction_and_no_warning():
    result = plan_consistency(_project())
    assert result.ok and result.of("error", "warning") == []
    assert result.findings == []  # Llama 2's row lists English (its model card), the team's language


def test_nothing_chosen_is_said_for_each_stage():
    p = _project()
    p.adapt.training_scenario_id = p.integrate.serving_scenario_id = None
    assert _only("plan", p) == [("note", "adapt", "plan"), ("note", "integrate", "plan")]


def test_a_training_scenario_of_another_model_contradicts_select():
    p = _project(train=_train(model=ModelRef.catalog("mistral-7b-v0.1")))
    [finding] = [f for f in plan_consistency(p).findings if f.check == "model"]
    assert (finding.severity, finding.stage) == ("error", "adapt")
    assert "Mistral" in finding.message and "Llama" in finding.message


def test_a_serving_scenario_of_another_model_contradicts_select():
    p = _project(serve=_serve(model=ModelRef.catalog("mistral-7b-v0.1")))
    assert _only("model", p) == [("error", "integrate", "model")]


def test_without_a_chosen_model_training_and_serving_must_size_the_same_one():
    p = _project(serve=_serve(model=ModelRef.catalog("mistral-7b-v0.1")), model_id=None)
    assert ("error", "integrate", "model") in _only("model", p)


def test_training_on_another_gpu_than_the_teams_is_flagged():
    p = _project(train=_train(gpu="a100-80gb", gpus=2))
    [finding] = [f for f in plan_consistency(p).findings if f.check == "gpus"]
    assert (finding.severity, finding.stage) == ("warning", "adapt") and "4 × NVIDIA L4" in finding.message


def test_training_on_more_gpus_than_the_team_has_is_flagged():
    assert _only("gpus", _project(train=_train(gpus=8))) == [("warning", "adapt", "gpus")]


def test_a_training_scenario_that_does_not_fit_is_a_contradiction():
    p = _project(train=_train(method="full", precision="amp_bf16", gpus=1, grad_checkpointing=False))
    assert ("error", "adapt", "gpus") in _only("gpus", p)


def test_serving_on_another_gpu_than_the_teams_is_flagged():
    assert _only("gpus", _project(serve=_serve(gpu="a10g"))) == [("warning", "integrate", "gpus")]


def test_lengths_past_a_decoders_window_are_a_contradiction():
    p = _project(input_tokens=3_800, output_tokens=800)
    [finding] = [f for f in plan_consistency(p).findings if f.check == "context"]
    assert (finding.severity, finding.stage) == ("error", "select")
    assert "4,600 tokens" in finding.message and "4,096" in finding.message


def test_an_encoder_is_checked_on_its_input_only_and_a_seq2seq_on_the_longer_side():
    bert = ModelRef.catalog("bert-base-uncased")
    enc = _project(train=_train(model=bert, method="full", seq_len=400), serve=_serve(model=bert, new_tokens=0,
                                                                                      prompt_tokens=400),
                   model_id="bert-base-uncased", input_tokens=400, output_tokens=256)
    assert _only("context", enc) == []  # 400 + 256 > 512, but an encoder writes no output tokens
    t5 = ModelRef.catalog("t5-base")
    s2s = _project(train=_train(model=t5, method="full", seq_len=400, target_len=400),
                   serve=_serve(model=t5, prompt_tokens=400, new_tokens=400), model_id="t5-base",
                   input_tokens=400, output_tokens=400)
    assert _only("context", s2s) == []  # each side within 512
    s2s.scope.input_tokens = 600
    assert _only("context", s2s) == [("error", "select", "context")]


def test_training_over_the_budget_is_a_contradiction():
    p = _project(budget_usd=1.0)
    [finding] = [f for f in plan_consistency(p).findings if f.check == "budget"]
    assert (finding.severity, finding.stage) == ("error", "adapt") and "$1" in finding.message


def test_serving_over_the_latency_target_is_a_contradiction():
    assert _only("serving", _project(latency_ms_p95=100.0)) == [("error", "integrate", "serving")]


def test_serving_under_the_throughput_target_says_how_many_replicas():
    p = _project(throughput_rps=50.0)
    [finding] = [f for f in plan_consistency(p).findings if f.check == "serving"]
    assert finding.severity == "warning" and "replicas" in finding.message


def test_a_non_commercial_licence_is_a_contradiction_unless_the_project_is_research_only():
    llama1 = ModelRef.catalog("llama-7b")
    p = _project(train=_train(model=llama1), serve=_serve(model=llama1, prompt_tokens=1000, new_tokens=500),
                 model_id="llama-7b", input_tokens=1000)
    assert _only("licence", p) == [("error", "select", "licence")]
    p.scope.commercial_use = False  # a field the Scope may carry: research only
    assert _only("licence", p) == []


def test_an_open_licence_constraint_flags_a_community_licence():
    assert _only("licence", _project(constraints=["open licence"])) == [("warning", "select", "licence")]


def test_languages_the_model_was_not_trained_for_are_a_contradiction(monkeypatch):
    real = plan_check._catalog

    class WithLanguages:
        def __init__(self, row):
            self._row, self.languages = row, ["en", "de"]

        def __getattr__(self, name):
            return getattr(self._row, name)

    monkeypatch.setattr(plan_check, "_catalog", lambda mid: WithLanguages(real(mid)) if real(mid) else None)
    p = _project(languages=["en", "ja"])
    [finding] = [f for f in plan_consistency(p).findings if f.check == "languages"]
    assert (finding.severity, finding.stage) == ("error", "select") and "ja" in finding.message
    p.scope.languages = ["en-US", "de"]
    assert _only("languages", p) == []


def test_a_language_the_model_was_not_trained_for_is_an_error():
    """Llama 2's row lists English only (Touvron et al. 2023, Table 10: 89.7 % of pre-training data is English)."""
    [finding] = [f for f in plan_consistency(_project(languages=["en", "ja"])).findings if f.check == "languages"]
    assert finding.severity == "error" and "was not trained for ja (" in finding.message


def test_unknown_languages_are_a_note_not_a_failure():
    config = {"model_type": "llama", "hidden_size": 256, "intermediate_size": 688, "num_hidden_layers": 2,
              "num_attention_heads": 4, "num_key_value_heads": 4, "vocab_size": 1000,
              "max_position_embeddings": 4096}
    tiny = ModelRef.from_config(config, name="tiny team model")  # no catalog row: languages unknown
    p = _project(train=_train(model=tiny), serve=_serve(model=tiny), model_id=None, languages=["en", "ja"])
    p.select.model_id = None
    [finding] = [f for f in plan_consistency(p).findings if f.check == "languages"]
    assert finding.severity == "note" and "unknown" in finding.message and "ja" in finding.message


@pytest.mark.parametrize("severity", ["error", "warning", "note"])
def test_every_finding_is_one_line(severity):
    p = _project(train=_train(gpu="a100-80gb", gpus=8), budget_usd=1.0, latency_ms_p95=100.0, input_tokens=9000)
    for f in plan_consistency(p).of(severity):
        assert "\n" not in f.line() and f.line().split(":")[0]
