"""Markdown escaping: any text a user types renders as that text, never as markup."""

from __future__ import annotations

import html
import re

from hypothesis import given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt

from lifecycle.reports.render_md import cell, escape_md

MD = MarkdownIt("commonmark").enable("table")
# Printable one-line text, heavy on the characters Markdown and HTML care about.
LINE = st.text(alphabet=st.sampled_from(list("abc XYZ 019 <>&\"'`*_[](){}#+-=.!|~$\\/:;") + ["é", "→"]),
               min_size=1, max_size=60).filter(lambda s: s.strip())


@settings(max_examples=300, deadline=None)
@given(LINE)
def test_one_line_of_user_text_renders_as_exactly_that_text(text):
    rendered = MD.render(escape_md(text))
    assert set(re.findall(r"</?([a-z0-9]+)", rendered)) <= {"p"}
    inner = rendered.strip().removeprefix("<p>").removesuffix("</p>")
    assert html.unescape(inner) == text.strip()


@settings(max_examples=200, deadline=None)
@given(st.lists(LINE, min_size=2, max_size=5))
def test_several_lines_stay_plain_lines(lines):
    rendered = MD.render(escape_md("\n".join(lines)))
    assert set(re.findall(r"</?([a-z0-9]+)", rendered)) <= {"p", "br"}


@settings(max_examples=200, deadline=None)
@given(LINE)
def test_a_table_cell_never_breaks_the_table(text):
    rendered = MD.render(f"| a | b |\n|---|---|\n| {cell(text)} | x |\n")
    assert rendered.count("<td>") == 2
    assert set(re.findall(r"</?([a-z0-9]+)", rendered)) <= {"table", "thead", "tbody", "tr", "th", "td"}
