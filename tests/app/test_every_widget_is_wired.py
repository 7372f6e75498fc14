"""Every input widget of every calculator page reaches the Setup the page hands its domain function (issue 28).

For each page of ``ui.navigation.PAGES`` marked ``calculator``, every domain calculator a ``ui`` view module
imports (the Setup → function table of CONTRIBUTING.md, plus ``fit_matrix`` and the sample scorer) is wrapped
by a spy that records the arguments it is called with. The page runs once (its baseline); then each input
widget on it, one at a time, is set to a legal value away from the one it shows and the page reruns. The
widget is wired when some domain function is called with arguments that differ from the baseline's. Nothing
is read back from the page: an ignored widget leaves every Setup as it was, whatever the page shows.

A widget that appears only after another one changes (LoRA rank after Method → LoRA, the inference inputs
after Workload → Serve, a typed shape after Model from → Typed numbers) is tested in that state, before the
widget that revealed it is set back. A widget that legitimately feeds no Setup is listed in ``NOT_A_SETUP``
with its reason; a new widget that is neither wired nor listed fails this test, and so does a calculator page
whose domain function no spy sees. Bounded by counts: at most ``MAX_TRIES`` values per widget, one AppTest per
page state.
"""

from __future__ import annotations

import math
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest
from streamlit.testing.v1.element_tree import Widget

from tests.support.calculators import CALCULATORS, spy_calculators, view_modules
from ui.navigation import PAGES

ROOT = Path(__file__).resolve().parents[2]
MAX_TRIES = 4  # values tried per widget before it is called unwired

# Widgets that feed no Setup, each with why (matched on the key's end, so per-page prefixes need no copies).
NOT_A_SETUP = {
    "_model_hub": "a Hugging Face id is read from the Hub, which tests never reach (tests/integration/test_hub_models.py "
                  "reads the config and ModelRef carries it like a catalog model)",
    "_upload": "a file uploader: AppTest cannot upload; the paste box beside it (memory planner) feeds the same "
               "ModelRef, and the pilot-run fit has its own tests (tests/app/test_pretrain_own.py)",
    "pretrain_planner_fit_name": "names a team scaling law before it is saved; no calculator reads it",
    "scenario_name": "the name a scenario is saved under",
}

_CONFIG = ('{"model_type": "llama", "hidden_size": %d, "intermediate_size": 1376, "num_hidden_layers": 4, '
           '"num_attention_heads": 8, "num_key_value_heads": 8, "vocab_size": 32000, "max_position_embeddings": 2048}')

# Widgets that feed a Setup only once another input is given: ignored until then, each with why.
IGNORED_UNTIL = {
    "evaluation_plan_refs": "references are scored only once model outputs are pasted beside them",
}

# Legal values for text widgets whose text has a grammar (tried before the generic edits).
TEXT_VALUES = {
    "memory_planner_paste": [_CONFIG % 1024],
    "memory_serving_paste": [_CONFIG % 1024],
    "generation_playground_dist": ["the 0.5, a 0.3, one 0.2"],
    "generation_playground_stops": ["earth"],
    "evaluation_plan_preds": ["-1.25\n-0.5\n-2.0", "the cat sat"],
    "evaluation_plan_refs": ["the cat sat"],
    "prompt_budget_examples": ["Refund please | High\nNew feature idea | Low"],
}

# Pages opened a second time in another state, so widgets shown only there are reached too.
EXTRA_STARTS = {
    "pages/memory_gpus.py": [{"memory_planner_model": "t5-large", "memory_planner_gpus": 8,
                              "memory_planner_strategy": "zero3"},
                             {"memory_planner_source": "config.json (paste or upload)", "memory_planner_paste": _CONFIG % 512}],
    "pages/serving_memory.py": [{"memory_serving_workload": "Train / fine-tune", "memory_serving_gpus": 8,
                                 "memory_serving_strategy": "zero3"},
                                {"memory_serving_source": "config.json (paste or upload)",
                                 "memory_serving_paste": _CONFIG % 512}],
    "pages/evaluation.py": [{"evaluation_plan_preds": "-1.25\n-0.5\n-2.0"},
                            {"evaluation_plan_preds": "the cat sat", "evaluation_plan_refs": "the cat sat",
                             "evaluation_plan_tasks": ["summarization", "translation"]}],
    "pages/serving.py": [{"serving_plan_model": "t5-large"}],
    "pages/will_it_fit.py": [{"will_it_fit_model": "bert-base-uncased"}],  # an encoder: no output tokens to set
}


class Label(str):
    """An option as the page shows it; AppTest sends it as is, as a browser does (not through format_func)."""

    __slots__ = ()


@pytest.fixture(autouse=True)
def _labels_as_shown(monkeypatch):
    from streamlit.testing.v1 import element_tree

    real = element_tree._format_value_for_widget
    monkeypatch.setattr(element_tree, "_format_value_for_widget",
                        lambda fmt, value: str(value) if isinstance(value, Label) else real(fmt, value))


@pytest.fixture
def calls(monkeypatch) -> list:
    """Every call of a domain calculator from any ``ui`` module that returned."""
    return spy_calculators(monkeypatch)


def _widgets(at) -> dict[str, Widget]:
    return {w.key: w for w in at if isinstance(w, Widget) and w.key and w.type != "button"}


def _listed(key: str) -> str | None:
    return next((why for end, why in NOT_A_SETUP.items() if key.endswith(end)), None)


def _shown(w) -> object:
    """What the widget holds now, in the form ``set_value`` takes back."""
    if w.type in ("selectbox", "radio"):
        return None if w.index is None else Label(w.options[w.index])
    if w.type == "multiselect":
        return [Label(v) for v in w.values]
    if w.type == "button_group":
        return Label(w.formatted_values[0]) if w.formatted_values else None
    return w.value


def _numbers(w) -> list:
    v, lo, hi = w.value, w.min, w.max
    whole = getattr(w.proto, "data_type", None) == 0 or (isinstance(v, int) and not isinstance(v, bool))
    step = w.step or (1 if whole else 0.01)
    base = v if v is not None else (lo if lo is not None else 0)
    out = []
    for x in (base + step, base - step, base * 2, base / 2, lo, hi, base + 10 * step):
        if x is None or not math.isfinite(x) or (lo is not None and x < lo) or (hi is not None and x > hi):
            continue
        x = round(x) if whole else float(x)
        if x != v and x not in out:
            out.append(x)
    return out


def _candidates(w) -> list:
    """Legal values away from the shown one, most ordinary first."""
    t = w.type
    if t == "number_input":
        return _numbers(w)
    if t in ("checkbox", "toggle"):
        return [not w.value]
    if t in ("selectbox", "radio", "button_group"):
        shown = _shown(w)
        i = w.options.index(shown) if shown in w.options else -1
        return [Label(w.options[(i + j) % len(w.options)]) for j in range(1, len(w.options))]
    if t == "multiselect":
        chosen = [Label(v) for v in w.values]
        adds = [chosen + [Label(o)] for o in w.options if o not in chosen]
        drops = [chosen[1:]] if len(chosen) > 1 else []
        return adds[:2] + drops
    if t == "slider":
        v, step = w.value, w.step or 1
        if isinstance(v, (list, tuple)):
            lo, hi = v
            return [c for c in ([lo + step, hi], [lo, hi - step], [w.min, hi], [lo, w.max])
                    if c[0] <= c[1] and list(c) != list(v)]
        return [x for x in (v + step, v - step, w.min, w.max) if w.min <= x <= w.max and x != v]
    if t in ("text_input", "text_area"):
        v = w.value or ""
        return [x for x in TEXT_VALUES.get(w.key, []) + [f"{v} extra", "medical"] if x != v]
    raise AssertionError(f"{w.key}: a {t} widget; teach this test how to set it (see _candidates)")


def _run(at, calls: list, seen: set | None = None) -> tuple:
    calls.clear()
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    if seen is not None:
        seen.update(_widgets(at))
    return tuple(calls)


def _wired(before: tuple, after: tuple) -> bool:
    """Some domain function returned for arguments it did not get at the baseline."""
    def inputs(calls):
        return {repr((c.name, c.args, c.kwargs)) for c in calls}

    return bool(after) and inputs(after) != inputs(before)


def _explore(at, calls, baseline, keys, tested, report, seen) -> None:
    """Set each widget in ``keys`` away from its value; record it wired or not; reveal, recurse, set it back."""
    pending: list[tuple[str, object]] = []  # widgets to set back, applied with the next change
    for key in keys:
        if key in tested:
            continue
        tested.add(key)
        w = _widgets(at).get(key)
        if w is None:  # gone once an earlier widget was set back: tried where it shows (or listed)
            tested.discard(key)
            continue
        if _listed(key):
            report[key] = "listed"
            continue
        if w.disabled:
            report[key] = "disabled here"
            tested.discard(key)
            continue
        original, before_keys = _shown(w), {k for k, x in _widgets(at).items() if not x.disabled}
        wired, ignored = False, False
        for value in _candidates(w)[:MAX_TRIES]:
            current = _widgets(at)
            for k, v in pending:
                if k in current:
                    current[k].set_value(v)
            pending = []
            current[key].set_value(value)
            after = _run(at, calls, seen)
            if _wired(baseline, after):
                wired = True
                break
            ignored = ignored or bool(after)
            pending = [(key, original)]
        report[key] = "wired" if wired else "IGNORED" if ignored else "every value refused here"
        if wired:
            revealed = [k for k, x in _widgets(at).items() if k not in before_keys and not x.disabled]
            if revealed:
                _explore(at, calls, after, revealed, tested, report, seen)
        current = _widgets(at)
        for k, v in pending:
            if k in current:
                current[k].set_value(v)
        current[key].set_value(original)
        pending = []
        # the next widget is compared with the page as it is now: a widget set back need not restore what it
        # changed (a keyed widget keeps a value another one chose for it), and that change is not the next one's
        baseline = _run(at, calls, seen)


def _calculator_pages() -> list[str]:
    return [p.file for p in PAGES if p.calculator]


@pytest.mark.parametrize("page", _calculator_pages(), ids=lambda p: Path(p).stem)
def test_every_widget_on_a_calculator_page_changes_the_setup_it_computes(app_env, calls, page):
    """Wired in at least one state of the page, and ignored in none: a widget that only matters once another is
    set (the scored target once outputs are pasted, tensor parallel once there are GPUs to split over) counts
    where it does; where every value is refused it is not ignored, but an enabled widget whose value reaches
    no Setup (output tokens for an encoder, were it not disabled) fails."""
    report: dict[str, set] = {}
    seen: set[str] = set()  # every widget any run drew: each must end up tested somewhere
    for start in [{}, *EXTRA_STARTS.get(page, [])]:
        at = AppTest.from_file(str(ROOT / page), default_timeout=60)
        for key, value in start.items():
            at.session_state[key] = value
        baseline = _run(at, calls, seen)
        assert baseline, f"{page} is a calculator page, but none of {CALCULATORS} returned: add its function"
        found: dict[str, str] = {}
        _explore(at, calls, baseline, list(_widgets(at)), set(), found, seen)
        for key, verdict in found.items():
            report.setdefault(key, set()).add(verdict)
    for key in seen - set(report):
        report[key] = {"listed"} if _listed(key) else {"drawn, never tested: open the page where it counts (EXTRA_STARTS)"}
    # an input a user can change that changes nothing, in any state, is a page that ignores what it was told
    unwired = {k: sorted(v) for k, v in report.items() if ("IGNORED" in v and k not in IGNORED_UNTIL) or not v & {"wired", "listed"}}
    assert not unwired, (f"{page}: these widgets change no Setup in any state tried (wire them, or list them in "
                         f"NOT_A_SETUP with why): {unwired}")
    assert any("wired" in v for v in report.values()), report


def test_every_page_that_computes_is_a_calculator_page():
    """A page that calls a calculator but is not marked ``calculator`` would escape the test above."""
    import re

    computes = {m.__name__.rsplit(".", 1)[1] for m in view_modules()
                if any(callable(getattr(m, n, None)) for n in CALCULATORS)}
    for spec in PAGES:
        imported = set(re.findall(r"\w+", " ".join(re.findall(r"^from ui import (.+)$", (ROOT / spec.file).read_text(),
                                                                  re.MULTILINE))))
        assert spec.calculator or not imported & computes, f"{spec.file} computes: mark it calculator=True"
