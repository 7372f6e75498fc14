"""Architecture-family diagram and prompt-budget chart, and their scenario rebuilders."""

import numpy as np
import pytest

from lifecycle.charts import scenario_figure
from lifecycle.charts.architecture import TOKENS, attention_mask, family_diagram
from lifecycle.charts.prompting import prompt_budget_figure
from lifecycle.records.project import Scenario


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
    arch = scenario_figure(Scenario(kind="architecture", name="a", results={"family": "decoder"}))
    assert any(a.text == "★ Decoder-only" for a in arch.layout.annotations)
    rows = [{"shots": 0, "tokens": 16}, {"shots": 2, "tokens": 54}]
    budget = scenario_figure(Scenario(kind="prompt_budget", name="p", inputs={"output_tokens": 5},
                                      results={"rows": rows, "context_tokens": 1024, "exact": True}))
    assert list(budget.data[0].y) == [16, 54]
    assert {s.y0 for s in budget.layout.shapes} == {1024, 1019}


def test_estimated_budgets_show_the_margin_on_top():
    fig = prompt_budget_figure([{"shots": 0, "tokens": 20, "planned_tokens": 25}], 128, 0, exact=False)
    assert list(fig.data[1].y) == [5] and len(fig.layout.shapes) == 1
