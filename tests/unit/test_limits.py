"""One module of limits (``lifecycle/limits.py``): a ``MAX_*`` limit has one value, defined in one place.

Issue 28 found ``MAX_GPUS`` at 1,000,000 in one module and 4,096 in another, ``MAX_TOKENS`` with three values and
``MAX_CONFIG_BYTES`` defined three times. Read with ``ast`` so a new definition fails here even if nothing imports it.
"""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

from lifecycle import limits

ROOT = Path(__file__).resolve().parents[2]


def _definitions() -> dict[str, list[str]]:
    """Every ``MAX_*`` name assigned at module level in lifecycle/, ui/, pages/ and app.py → the files defining it."""
    found: dict[str, list[str]] = defaultdict(list)
    files = [*(ROOT / "lifecycle").rglob("*.py"), *(ROOT / "ui").rglob("*.py"), *(ROOT / "pages").rglob("*.py"),
             ROOT / "app.py"]
    for path in files:
        for node in ast.parse(path.read_text(encoding="utf-8")).body:
            targets = node.targets if isinstance(node, ast.Assign) else [node.target] \
                if isinstance(node, ast.AnnAssign) else []
            for target in targets:
                for name in ast.walk(target):
                    if isinstance(name, ast.Name) and name.id.startswith("MAX_"):
                        found[name.id].append(path.relative_to(ROOT).as_posix())
    return found


def test_a_limit_in_lifecycle_limits_is_defined_nowhere_else():
    defined = _definitions()
    mine = [n for n in vars(limits) if n.startswith("MAX_")]
    assert {"MAX_GPUS", "MAX_TOKENS", "MAX_CONFIG_BYTES"} <= set(mine)
    assert {n: defined[n] for n in mine if defined[n] != ["lifecycle/limits.py"]} == {}


def test_no_two_modules_define_a_limit_of_the_same_name():
    assert {n: files for n, files in _definitions().items() if len(files) > 1} == {}


def test_the_limits_hold_every_real_value():
    """Sources: Llama 4 Scout's config.json, max_position_embeddings 10,485,760 (the longest window a model states);
    xAI's Colossus, 100,000 H100s (the largest cluster announced, 2024); Gemma's 256,000-token vocabulary."""
    assert limits.MAX_TOKENS >= 10_485_760
    assert limits.MAX_GPUS >= 100_000
    assert limits.MAX_VOCAB_TOKENS >= 256_000
    assert limits.MAX_GPUS & (limits.MAX_GPUS - 1) == 0  # a power of two: the planner's doubling search ends on it
