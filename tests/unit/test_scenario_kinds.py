"""Every scenario kind is registered once (``records.scenarios.SCENARIO_CLASSES``) and says its own key inputs, key
results and the words a sentence names it by, so a new savable calculator is added in the files CONTRIBUTING.md
lists ("Adding a savable calculator") and nothing else has to learn about it (issue 28: an ``isinstance`` chain in
``records/key_figures.py`` over every kind)."""

from __future__ import annotations

import re

import pytest

from lifecycle.adapt.advice import AdaptationSetup
from lifecycle.memory.setup import InferenceSetup, TrainingSetup
from lifecycle.models.advice import ArchitectureSetup
from lifecycle.models.prompting import PromptBudgetSetup
from lifecycle.models.ref import ModelRef
from lifecycle.records.key_figures import scenario_inputs, scenario_results
from lifecycle.records.plan import KIND_WORDS
from lifecycle.records.scenarios import (
    CALCULATORS,
    KINDS,
    SCENARIO_CLASSES,
    LegacyScenario,
    _Saved,
    make_scenario,
)
from lifecycle.scaling.laws import builtin_law
from lifecycle.scaling.pretraining import PretrainingSetup
from lifecycle.serving.plan import ServingSetup
from lifecycle.serving.quantization import QuantizationSetup
from lifecycle.serving.sampling import SamplingSetup

LLAMA = ModelRef.catalog("llama-2-7b")
EXAMPLES = {
    "training": TrainingSetup(model=LLAMA, method="lora", gpu="a100-80gb", training_tokens=1e8),
    "inference": InferenceSetup(model=LLAMA, gpu="l4", new_tokens=16),
    "serving": ServingSetup(model=LLAMA, gpu="l4", precision="int8"),
    "pretraining": PretrainingSetup(laws=(builtin_law("chinchilla3"),), gpu="h100-80gb"),
    "prompt_budget": PromptBudgetSetup(model=LLAMA, instruction="Classify:", query="x"),
    "sampling": SamplingSetup(distribution=(("a", 0.7), ("b", 0.3)), samples=100),
    "quantization": QuantizationSetup(params=7_000_000_000),
    "architecture": ArchitectureSetup(tasks=("summarization",)),
    "adaptation": AdaptationSetup(tasks=("summarization",), model=LLAMA, gpu="a100-80gb"),
}
UNIT_KEY = re.compile(r"^[a-z0-9_ .-]+$", re.IGNORECASE)


def test_every_scenario_class_is_registered_once():
    assert set(_Saved.__subclasses__()) == set(SCENARIO_CLASSES)
    assert len(KINDS) == len(set(KINDS)) == len(SCENARIO_CLASSES)
    assert {cls for cls, _ in CALCULATORS.values()} == set(SCENARIO_CLASSES) - {LegacyScenario}
    assert set(KIND_WORDS) == set(KINDS) and all(KIND_WORDS.values())


def test_every_calculator_kind_has_an_example_here():
    assert set(EXAMPLES) == set(KINDS) - {"legacy"}


@pytest.mark.parametrize("kind", sorted(EXAMPLES))
def test_each_kind_states_its_own_key_inputs_and_results(kind):
    scenario = make_scenario(EXAMPLES[kind], name=kind)
    assert scenario.kind == kind
    for values in (scenario_inputs(scenario), scenario_results(scenario)):
        assert values and all(UNIT_KEY.match(k) for k in values)
        assert None not in values.values()


def test_a_legacy_scenario_shows_the_values_it_was_saved_with():
    old = LegacyScenario(name="v1", original_kind="memory", inputs={"gpus": 2}, results={"cost_usd": 3.0})
    assert scenario_inputs(old) == {"gpus": 2} and scenario_results(old) == {"cost_usd": 3.0}
