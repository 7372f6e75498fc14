"""Architecture-family diagram and prompt-budget chart, and their scenario rebuilders."""

import numpy as np
import pytest

from lifecycle.charts import scenario_figure
from lifecycle.charts.architecture import TOKENS, attention_mask, family_diagram
from lifecycle.charts.prompting import prompt_budget_figure
from lifecycle.models.advice import ArchitectureSetup
from lifecycle.models.prompting import Example, PromptBudgetSetup
from lifecycle.models.ref import ModelRef
from lifecycle.records.scenarios import make_scenario


def test_masks_are_bidirectional_causal_and_seq2seq():
    assert attention_mask("encoder").all()
    causal = attention_mask("decoder")
    assert np.array_equal(causal, np.tril(np.ones((TOKENS, TOKENS))))
    s2s = attention_mask("encoder-decoder")
    assert s2s[:TOKENS, :TOKENS].all() and not s2s[:TOKENS, TOKENS:].any()  # encoder never sees the output
    assert s2s[TOKENS:, :TOKENS].all()  # cross-attention to every input position
    assert np.array_equal(s2s[TOKENS:, TOKENS:], causal)


@pytest.mark.parametrize("family", ["encoder", "decoder", "encoder-decoder"])
def test_the_recommended_family_is_starred_and_outlined(family):
    fig = family_diagram(family)
    starred = [a.text for a in fig.layout.annotations if a.text.startswith("★")]
    assert len(starred) == 1 and len(fig.layout.shapes) == 1
    assert len(fig.data) == 3


def test_scenarios_rebuild_their_charts():
    arch = scenario_figure(make_scenario(ArchitectureSetup(tasks=("text-generation",)), name="a"))
    assert any(a.text == "★ Decoder-only" for a in arch.layout.annotations)
    setup = PromptBudgetSetup(model=ModelRef.catalog("gpt2-small"), instruction="Classify:", query="q",
                              examples=(Example(input="x", output="y"),), output_tokens=5)
    scenario = make_scenario(setup, name="p")
    budget = scenario_figure(scenario)
    assert list(budget.data[0].y) == [r.tokens for r in scenario.result.rows]
    assert {s.y0 for s in budget.layout.shapes} == {1024, 1019}


def test_estimated_budgets_show_the_margin_on_top():
    fig = prompt_budget_figure([{"shots": 0, "tokens": 20, "planned_tokens": 25}], 128, 0, exact=False)
    assert list(fig.data[1].y) == [5] and len(fig.layout.shapes) == 1
