"""Optimize/augment checklist catalog."""

import pytest

from lifecycle.adapt.optimize import check_choices, checklist_items
from lifecycle.errors import InvalidInput


def test_issue_items_are_present_with_when_and_source():
    items = checklist_items()
    assert {"distillation", "quantization", "pruning"} <= {i["id"] for i in items["optimize"]}
    assert {"rag", "tools", "guardrails"} <= {i["id"] for i in items["augment"]}
    for section in items.values():
        for i in section:
            assert i["when"] and i["tradeoff"] and "arXiv" in i["source"]


def test_choices_are_checked_and_kept_in_catalog_order():
    assert check_choices("augment", ["guardrails", "rag"]) == ["rag", "guardrails"]
    with pytest.raises(InvalidInput):
        check_choices("augment", ["teleport"])
    with pytest.raises(InvalidInput):
        check_choices("deploy", [])
