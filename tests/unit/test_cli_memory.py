"""The ``lifecycle memory`` command-line contract (issue 3)."""

import json
from pathlib import Path

import pytest

from lifecycle.cli import main
from tests.support.measurements import load_measurements

DATA = Path(__file__).resolve().parents[1] / "data"


def run_json(capsys, *argv) -> dict:
    assert main(["memory", *argv, "--json"]) == 0
    return json.loads(capsys.readouterr().out)


def exit_code(argv) -> int:
    """main() returns 2 for domain errors; argparse's choice errors exit 2 through SystemExit."""
    try:
        return main(argv)
    except SystemExit as exc:
        return exc.code


def measured(name, **match):
    for row in load_measurements():
        if row["name"] == name and all(row.get(k) == v for k, v in match.items()):
            return row
    raise LookupError(name)


def test_json_output_has_the_contract_fields(capsys):
    out = run_json(capsys, "--model", "llama-2-7b", "--gpu", "a100-80gb")
    for key in ("params", "trainable_params", "peak_allocated_bytes", "peak_reserved_bytes", "components", "fits", "min_gpus"):
        assert key in out
    assert out["params"] == 6_738_415_616
    assert sum(out["components"].values()) == out["peak_allocated_bytes"]


def test_ground_truth_row_with_checkpointing_maps_to_flags_within_ten_percent(capsys):
    row = measured("gpt2-medium", mode="amp_bf16", b=8, s=1024, ckpt=True)
    out = run_json(capsys, "--config", str(DATA / "model-configs" / "gpt2-medium.json"), "--precision", "amp_bf16",
                   "--batch", "8", "--seq", "1024", "--grad-checkpointing")
    assert out["params"] == row["params"]
    assert out["peak_allocated_bytes"] == pytest.approx(row["steady"]["peak_allocated"], rel=0.10)


def test_lora_row_maps_to_method_and_rank(capsys):
    row = measured("llama-7b", mode="lora", b=4, s=1024)
    out = run_json(capsys, "--config", str(DATA / "model-configs" / "llama-7b.json"), "--method", "lora",
                   "--lora-rank", "16", "--batch", "4", "--seq", "1024")
    assert out["trainable_params"] == row["trainable_params"]
    assert out["peak_allocated_bytes"] == pytest.approx(row["steady"]["peak_allocated"], rel=0.10)


def test_inference_with_prompt_and_new_tokens(capsys):
    row = measured("llama3-8b", kind="infer", b=16, p=1024, n=256)
    out = run_json(capsys, "--config", str(DATA / "model-configs" / "llama3-8b.json"), "--workload", "infer",
                   "--batch", "16", "--prompt-len", "1024", "--new-tokens", "256", "--gpu", "h200")
    assert out["peak_allocated_bytes"] == pytest.approx(row["steady"]["peak_allocated"], rel=0.10)
    assert out["fits"] is True and out["min_gpus"] == 1


def test_seventy_billion_on_one_gpu_does_not_fit_and_says_what_would(capsys):
    out = run_json(capsys, "--model", "llama-2-70b", "--precision", "bf16", "--batch", "1", "--seq", "4096",
                   "--gpu", "h100-80gb", "--strategy", "zero3", "--grad-checkpointing")
    assert out["fits"] is False
    assert out["min_gpus"] > 1
    fsdp = next(r for r in out["by_strategy"] if r["strategy"] == "fsdp" and r["offload"] == "none")
    assert fsdp["min_gpus"] is not None


def test_human_output_names_the_verdict(capsys):
    assert main(["memory", "--model", "gpt2-small", "--gpu", "t4"]) == 0
    assert "fits" in capsys.readouterr().out


@pytest.mark.parametrize("argv", [
    ["--model", "llama-2-7b", "--batch", "-4"],
    ["--model", "llama-2-7b", "--seq", "0"],
    ["--model", "llama-2-7b", "--gpu", "no-such-gpu"],
    ["--model", "no-such-model"],
    ["--model", "llama-2-7b", "--precision", "int3"],
    ["--model", "llama-2-7b", "--gpus", "6", "--tp", "4"],
])
def test_bad_input_exits_two_with_one_line(capsys, argv):
    assert exit_code(["memory", *argv]) == 2
    err = capsys.readouterr().err.strip()
    assert err and len(err.splitlines()) == 1


def test_config_that_is_not_a_transformer_or_has_bad_heads_exits_two(capsys, tmp_path):
    bad = tmp_path / "config.json"
    bad.write_text(json.dumps({"model_type": "resnet", "hidden_sizes": [64]}))
    assert main(["memory", "--config", str(bad)]) == 2
    assert "transformer" in capsys.readouterr().err
    heads = tmp_path / "heads.json"
    heads.write_text(json.dumps({"model_type": "gpt2", "n_embd": 100, "n_head": 3, "n_layer": 2, "vocab_size": 10}))
    assert main(["memory", "--config", str(heads)]) == 2
    assert "divide" in capsys.readouterr().err
    not_json = tmp_path / "x.json"
    not_json.write_text("{not json")
    assert main(["memory", "--config", str(not_json)]) == 2


def test_json_states_headroom_verdict_and_data_parallel_degree(capsys):
    """The plan's fields, not a rule of the CLI's own: headroom = GPU memory - required, verdict from the plan."""
    out = run_json(capsys, "--model", "llama-2-7b", "--gpu", "h100-80gb", "--gpus", "8", "--tp", "2",
                   "--strategy", "zero3")
    assert out["data_parallel_degree"] == 4
    assert out["headroom_bytes"] == out["gpu_memory_bytes"] - out["required_bytes"]
    assert out["fit_verdict"] in ("fits", "tight") and out["fits"] is True
    short = run_json(capsys, "--model", "llama-2-70b", "--precision", "bf16", "--gpu", "h100-80gb")
    assert short["fit_verdict"] == "does_not_fit" and short["headroom_bytes"] < 0
