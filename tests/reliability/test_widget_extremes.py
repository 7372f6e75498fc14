"""Every numeric widget on every page view at its minimum and maximum, and every text box holding
a typed invalid value: no view may raise, show an 'Unexpected error', or show NaN/inf as a metric, and every
number a calculator page shows is the one its domain function returned for the Setup the page built (a spy
wraps each calculator; ``tests/support/calculators.py`` formats its Result as the page does), all finite.

Pages come from ``ui.navigation.PAGES``, the list app.py registers. By default (CI) all widgets of a view are
set together — one run at the minimum, one at the maximum, one per invalid text; with
``LIFECYCLE_RELIABILITY_FULL=1`` every widget is also driven on its own. Unbounded number inputs
get the largest value a user can type (±(2**53 − 1) for whole numbers, ±1e308 otherwise).
Buttons that compute something (not save/delete) are clicked after the values are set.
"""

from __future__ import annotations

import re

import pytest

from tests.reliability._finite import non_finite_paths
from tests.reliability._pages import open_view, page_views, problems, view_id
from tests.reliability.conftest import FULL
from tests.support.calculators import SHOWN, compared_labels, shown_mismatches, spy_calculators
from ui.navigation import BY_FILE

INT_EXTREME = 2**53 - 1  # JavaScript's largest safe integer: the browser cannot send more
FLOAT_EXTREME = 1e308
BAD_TEXTS = ["", "-1", "NaN", "1e999", "abc ☃ <b>x</b> {\"a\":", "9" * 500] if FULL else ["", "-1e999 NaN", "☃" * 300]
COMPUTE_BUTTON = re.compile(r"\b(compute|calculate|estimate|fit|run|sample|generate|plan|count|preview|check|build)\b",
                            re.IGNORECASE)
ALL_VIEWS = page_views()


def _ends(widget, lowest: bool):
    """The widget's minimum or maximum as a value of the widget's own type."""
    bound = widget.min if lowest else widget.max
    current = widget.value[0] if isinstance(widget.value, (list, tuple)) else widget.value
    whole = isinstance(current, int) and not isinstance(current, bool)
    if widget.type == "number_input" and getattr(widget.proto, "data_type", None) == 0:
        whole = True  # NumberInput.INT
    if bound is None:
        bound = (-1 if lowest else 1) * (INT_EXTREME if whole else FLOAT_EXTREME)
    return int(bound) if whole else float(bound)


def _set_extreme(widget, lowest: bool) -> None:
    if widget.type == "slider" and isinstance(widget.value, (list, tuple)):
        widget.set_value([_ends(widget, lowest)] * 2)
    else:
        widget.set_value(_ends(widget, lowest))


def _numeric_widgets(at):
    sliders = [s for s in at.slider if isinstance(s.value, (int, float)) or (
        isinstance(s.value, (list, tuple)) and all(isinstance(v, (int, float)) for v in s.value))]
    return [*at.number_input, *sliders]


def _text_widgets(at):
    return [*at.text_input, *at.text_area]


def _click_compute_buttons(at) -> None:
    for label in [b.label for b in at.button if COMPUTE_BUTTON.search(b.label or "") and not b.disabled]:
        matches = [b for b in at.button if b.label == label and not b.disabled]
        if matches and not problems(at):
            matches[0].click().run()


@pytest.fixture
def full_project(app_env):
    from tests.support.example_project import example_project

    docs = [example_project().content()]
    return app_env.import_documents(docs, author="tester")[0]


@pytest.fixture
def calls(monkeypatch) -> list:
    return spy_calculators(monkeypatch)


def _check(at, what: str, calls: list | None = None, page: str | None = None) -> None:
    """Nothing a user must never see; on a calculator page, the shown numbers are the Result's, the Result is
    finite, and a page that computed nothing says why in an error box."""
    found = problems(at)
    if calls is not None:
        found += shown_mismatches(at, calls)
        found += [p for c in calls for p in non_finite_paths(c.result, c.name)]
        if page and BY_FILE[page].calculator and not calls and not at.error:
            found.append("a calculator page computed nothing and showed no error")
    assert not found, f"{what}: {found}"


@pytest.mark.parametrize("page_view", ALL_VIEWS, ids=view_id)
def test_every_numeric_widget_at_min_and_max_and_invalid_text_show_the_results_numbers(app_env, full_project, calls,
                                                                                        page_view):
    page, view = page_view
    calls.clear()
    at = open_view(page, view, full_project.id)
    _check(at, "as opened", calls, page)
    if any(c.name in SHOWN for c in calls):  # the labels in tests/support/calculators.py are the page's
        assert compared_labels(at, calls), f"{page}: no metric of {[c.name for c in calls]} found on the page"
    for lowest in (True, False):
        at = open_view(page, view, full_project.id)
        widgets = _numeric_widgets(at)
        for w in widgets:
            _set_extreme(w, lowest)
        if widgets:
            calls.clear()
            at.run()
            _check(at, f"all numbers at {'min' if lowest else 'max'}", calls, page)
            _click_compute_buttons(at)
            _check(at, f"compute buttons with all numbers at {'min' if lowest else 'max'}")
    for bad in BAD_TEXTS:
        at = open_view(page, view, full_project.id)
        texts = _text_widgets(at)
        for w in texts:
            w.input(bad)
        if texts:
            calls.clear()
            at.run()
            _check(at, f"every text box = {bad[:20]!r}", calls, page)
            _click_compute_buttons(at)
            _check(at, f"compute buttons with every text box = {bad[:20]!r}")


@pytest.mark.slow
@pytest.mark.skipif(not FULL, reason="one widget at a time: LIFECYCLE_RELIABILITY_FULL=1")
@pytest.mark.parametrize("page_view", ALL_VIEWS, ids=view_id)
def test_each_numeric_widget_alone_at_min_and_max_raises_nothing(app_env, full_project, page_view):
    page, view = page_view
    count = len(_numeric_widgets(open_view(page, view, full_project.id)))
    for i in range(count):
        for lowest in (True, False):
            at = open_view(page, view, full_project.id)
            widgets = _numeric_widgets(at)
            if i >= len(widgets):
                continue
            label = widgets[i].label
            _set_extreme(widgets[i], lowest)
            at.run()
            _check(at, f"{label!r} at {'min' if lowest else 'max'}")
