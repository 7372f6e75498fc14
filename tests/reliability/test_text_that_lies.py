"""Text that lies: a name or description must read as what it is, everywhere.

- Names are one spelling: NFC and NFD "Café" are one project; bidi overrides (U+202E) and zero-width
  characters (U+200B) cannot make two names that look the same (or a name that reads backwards).
- A terminal shows control characters instead of obeying them (ANSI colours, window titles, CR/LF that
  forge a row of ``projects list``).
- Markdown escaping sees every line break Python and Markdown renderers see (a lone ``\\r``, U+2028).
"""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lifecycle.cli import main as cli
from lifecycle.display import terminal_text
from lifecycle.errors import DuplicateName
from lifecycle.records.project import normalise_name
from lifecycle.reports.render_md import escape_md

HOSTILE = ["\x1b[31mRED\x1b[0m", "\x1b]0;owned\x07title", "real\rFAKE ROW", "two\nlines", "bell\x07",
           "rev\u202eesrever", "zero\u200bwidth", "csi\x9b31m", "line\u2028sep"]


def test_nfc_and_nfd_spellings_are_one_name(store):
    store.create_project("Café")  # NFC
    with pytest.raises(DuplicateName):
        store.create_project("Cafe\u0301")  # NFD: the same name typed on another keyboard
    assert store.get_project("CAFE\u0301").name == "Café"


@pytest.mark.parametrize("invisible", ["\u202e", "\u200b", "\u200d", "\ufeff", "\u2066"])
def test_invisible_format_characters_cannot_make_a_lookalike(store, invisible):
    store.create_project("Support bot")
    with pytest.raises(DuplicateName):
        store.create_project(f"Support{invisible} bot")


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=40))
def test_a_normalised_name_has_no_format_characters_and_is_stable(text):
    once = normalise_name(text)
    assert normalise_name(once) == once
    assert not any(ord(ch) in (0x202E, 0x200B, 0x2066, 0xFEFF) for ch in once)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=60))
def test_terminal_text_never_carries_a_control_or_format_character(text):
    import unicodedata

    shown = terminal_text(text)
    assert not any(unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp") for ch in shown)


def test_projects_list_and_show_print_escapes_not_controls(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("LIFECYCLE_DATABASE_URL", f"sqlite:///{tmp_path}/t.db")
    from lifecycle.records.store import Store

    store = Store()
    for i, name in enumerate(HOSTILE):
        store.create_project(f"p{i} {name}", description=f"d {name}\nsecond line")
    store.engine.dispose()
    assert cli(["projects", "list"]) == 0
    listed = capsys.readouterr().out
    assert "\x1b" not in listed and "\r" not in listed and "\x07" not in listed and "\u202e" not in listed
    assert len(listed.splitlines()) == len(HOSTILE)  # one row per project: no forged rows
    assert "\\x1b[31mRED" in listed
    assert cli(["projects", "show", "1"]) == 0
    shown = capsys.readouterr().out
    assert "\x1b" not in shown and "second line" in shown
    assert cli(["projects", "list", "--json"]) == 0  # JSON is JSON: escaped by the encoder, exact on reading
    assert {p["name"] for p in json.loads(capsys.readouterr().out)} >= {"p0 \x1b[31mRED\x1b[0m"}


@pytest.mark.parametrize("brk", ["\r", "\n", "\r\n", "\u2028", "\x85", "\x0b"])
def test_every_line_break_escapes_the_next_lines_markdown(brk):
    import markdown_it

    text = f"harmless{brk}- not a list{brk}# not a heading{brk}1. not numbered"
    html = markdown_it.MarkdownIt("commonmark").render(escape_md(text))
    assert "<li>" not in html and "<h1>" not in html and "<ol>" not in html
