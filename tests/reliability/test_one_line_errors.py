"""A mistake a user can make is one line and exit code 2 in the CLI, never a traceback.

Cases the review found: JSON nested 100,000 deep (``projects import``, ``sample --probs``, ``--config``),
``Infinity``/``NaN``/``1e999`` in a config, ``head_dim`` of 10^300, a malformed ``LIFECYCLE_DATABASE_URL``,
ids no database column can hold. Each runs the real command in a fresh process.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lifecycle._files import MAX_JSON_DEPTH, user_json
from lifecycle.errors import InvalidInput

LLAMA = {"model_type": "llama", "hidden_size": 64, "num_hidden_layers": 2, "num_attention_heads": 4,
         "vocab_size": 100, "intermediate_size": 128}


def _run(args: list[str], tmp_path, env: dict | None = None) -> subprocess.CompletedProcess:
    import os

    full_env = {**os.environ, "LIFECYCLE_DATABASE_URL": f"sqlite:///{tmp_path}/cli.db", **(env or {})}
    return subprocess.run([sys.executable, "-m", "lifecycle", *args], capture_output=True, text=True,
                          env=full_env, timeout=120, cwd=tmp_path, check=False)


def _one_line_exit_2(result: subprocess.CompletedProcess) -> str:
    assert result.returncode == 2, (result.returncode, result.stderr[-500:])
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("lifecycle: error:"), lines[:3]
    return lines[0]


def _config_with(tmp_path, text: str) -> str:
    path = tmp_path / "config.json"
    path.write_text(text)
    return str(path)


@pytest.mark.subprocess
@pytest.mark.parametrize("text, says", [
    ("[" * 100_000 + "]" * 100_000, "nested"),
    ('{"model_type": "llama", "hidden_size": Infinity}', "not a number"),
    ('{"model_type": "llama", "hidden_size": NaN}', "not a number"),
    ('{"model_type": "llama", "hidden_size": 1e999}', "out of range"),
    (json.dumps({**LLAMA, "head_dim": 1e300}).replace("1e+300", "1" + "0" * 300), "larger than any"),
    (json.dumps({**LLAMA, "hidden_size": [64]}), "whole number"),
    (json.dumps({**LLAMA, "num_attention_heads": {"a": 1}}), "whole number"),
    ("\xff\xfe not utf-8", "UTF-8"),
])
def test_a_hostile_config_is_one_line(tmp_path, text, says):
    path = tmp_path / "config.json"
    path.write_bytes(text.encode("latin-1") if "\xff" in text else text.encode())
    line = _one_line_exit_2(_run(["memory", "--config", str(path)], tmp_path))
    assert says.lower() in line.lower()


@pytest.mark.subprocess
def test_deep_json_in_an_import_and_a_distribution_is_one_line(tmp_path):
    deep = tmp_path / "deep.json"
    deep.write_text('{"a": ' * 100_000)
    assert "nested" in _one_line_exit_2(_run(["projects", "import", str(deep)], tmp_path))
    assert "nested" in _one_line_exit_2(_run(["sample", "--probs", str(deep)], tmp_path))


@pytest.mark.subprocess
@pytest.mark.parametrize("url", ["nonsense://x", "::::", "postgresql://u:secret@host:notaport/db"])
def test_a_malformed_database_url_is_one_line_without_the_password(tmp_path, url):
    line = _one_line_exit_2(_run(["projects", "list"], tmp_path, {"LIFECYCLE_DATABASE_URL": url}))
    assert "LIFECYCLE_DATABASE_URL" in line and "secret" not in line


@pytest.mark.subprocess
@pytest.mark.parametrize("ref", ["99999999999999999999999", "2147483648", "-1"])
def test_an_id_beyond_any_column_is_not_found(tmp_path, ref):
    assert "No project" in _one_line_exit_2(_run(["projects", "show", ref], tmp_path))


@settings(max_examples=150, deadline=None)
@given(st.recursive(st.none() | st.booleans() | st.floats(allow_nan=True, allow_infinity=True) | st.text(max_size=5),
                    lambda kids: st.lists(kids, max_size=3) | st.dictionaries(st.text(max_size=3), kids, max_size=3),
                    max_leaves=20))
def test_user_json_parses_or_refuses_in_one_line(value):
    text = json.dumps(value)  # Python writes NaN/Infinity, which JSON does not allow
    try:
        parsed = user_json(text, "The file")
    except InvalidInput as exc:
        assert "\n" not in str(exc)
        return
    assert json.dumps(parsed) == text  # what is accepted round-trips exactly


def test_depth_is_counted_outside_strings_only():
    inside = json.dumps({"text": "[" * (MAX_JSON_DEPTH * 4), "quote": 'a "[[[" b \\'})
    assert user_json(inside, "x")["text"].startswith("[[[")
    with pytest.raises(InvalidInput, match="nested"):
        user_json("[" * (MAX_JSON_DEPTH + 1) + "]" * (MAX_JSON_DEPTH + 1), "x")
