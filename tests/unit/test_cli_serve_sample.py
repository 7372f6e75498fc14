"""``lifecycle serve-plan`` and ``lifecycle sample``: the command-line contract of issue 6."""

import json
import subprocess
import sys

import pytest

from lifecycle.cli import main
from tests.support.serving import plan as serving


def _json(capsys, argv):
    assert main(argv) == 0
    return json.loads(capsys.readouterr().out)


def test_serve_plan_json_reports_memory_fit_max_batch_tokens_per_s_and_cost(capsys):
    out = _json(capsys, ["serve-plan", "--model", "llama-2-7b", "--precision", "bf16", "--gpu", "h100-80gb",
                         "--batch", "16", "--context", "1280", "--json"])
    assert out["context_tokens"] == 1280 and out["prompt_tokens"] + out["new_tokens"] == 1280
    plan = serving("llama-2-7b", precision="bf16", gpu="h100-80gb", batch=16, prompt_tokens=1024, new_tokens=256)
    assert out["memory_total_bytes"] == plan.memory_total_bytes and out["fits"] is True
    assert out["max_batch"] == plan.max_batch > 16
    assert out["decode_tokens_per_s"] == pytest.approx(plan.decode_tokens_per_s)
    assert out["cost_per_million_output_tokens_usd"] == pytest.approx(plan.cost_per_million_output_tokens_usd)


def test_serve_plan_text_output_and_an_encoder(capsys):
    assert main(["serve-plan", "--model", "llama-2-7b", "--precision", "int4", "--gpu", "l4", "--batch", "4",
                 "--context", "2048"]) == 0
    text = capsys.readouterr().out
    assert "fits" in text and "cost per 1M output tokens" in text and "tokens/s" in text
    assert main(["serve-plan", "--model", "bert-base-uncased", "--precision", "fp16", "--gpu", "t4", "--batch", "8",
                 "--context", "512", "--new-tokens", "0"]) == 0
    assert "no decoding" in capsys.readouterr().out


@pytest.mark.parametrize("argv, fragment", [
    (["--model", "llama-2-7b", "--gpu", "h100-80gb", "--batch", "0", "--context", "512"], "concurrent sequences"),
    (["--model", "llama-2-7b", "--gpu", "nope", "--batch", "1", "--context", "512"], "Unknown GPU"),
    (["--model", "nope-7b", "--gpu", "h100-80gb", "--batch", "1", "--context", "512"], "nope-7b"),
    (["--model", "llama-2-7b", "--gpu", "h100-80gb", "--batch", "1", "--context", "1"], "--context"),
    (["--model", "llama-2-7b", "--gpu", "h100-80gb", "--batch", "1", "--context", "512", "--new-tokens", "512"], "--new-tokens"),
])
def test_serve_plan_bad_input_exits_2_with_one_line(capsys, argv, fragment):
    assert main(["serve-plan", *argv]) == 2
    err = capsys.readouterr().err.strip()
    assert fragment in err and len(err.splitlines()) == 1


def test_sample_default_distribution_top_k_3(capsys):
    out = _json(capsys, ["sample", "--temperature", "1", "--top-k", "3", "--top-p", "1", "--seed", "0", "--json"])
    kept = [t for t in out["tokens"] if t["kept"]]
    assert [t["token"] for t in kept] == ["cake", "donut", "banana"]
    assert sum(t["after"] for t in kept) == pytest.approx(1.0)
    assert sum(t["frequency"] for t in out["tokens"]) == pytest.approx(1.0)
    assert "Generative configuration" in out["source"]


def test_sample_is_reproducible_by_seed_and_reads_a_probs_file(capsys, tmp_path):
    argv = ["sample", "--temperature", "1.5", "--top-k", "50", "--top-p", "0.9", "--seed", "7", "--json"]
    assert _json(capsys, argv) == _json(capsys, argv)
    f = tmp_path / "probs.json"
    f.write_text(json.dumps({"yes": 3, "no": 1}))
    out = _json(capsys, ["sample", "--temperature", "0", "--top-k", "1", "--top-p", "1", "--seed", "1",
                         "--probs", str(f), "--json"])
    assert out["renormalised_input"] and out["greedy"] and out["tokens"][0]["frequency"] == 1.0


@pytest.mark.parametrize("argv, fragment", [
    (["--temperature", "-1"], "temperature"), (["--top-p", "0"], "top-p"), (["--top-p", "1.2"], "top-p"),
    (["--top-k", "0"], "top-k"), (["--probs", "/no/such/file"], "does not exist"), (["--samples", "0"], "samples"),
])
def test_sample_bad_settings_exit_2_with_a_clear_message(capsys, argv, fragment):
    assert main(["sample", *argv]) == 2
    err = capsys.readouterr().err.strip()
    assert fragment in err and len(err.splitlines()) == 1


@pytest.mark.subprocess
def test_the_installed_entry_point_runs_sample():
    proc = subprocess.run([sys.executable, "-m", "lifecycle", "sample", "--top-p", "0.3"], capture_output=True, text=True, check=False)
    assert proc.returncode == 0 and "kept 2 of 71 tokens" in proc.stdout
