"""Hub ids through the real ``huggingface_hub`` client against a local Hub (tests/support/fake_hub.py) selected
by HF_ENDPOINT: exact counts, a revision, gated, missing, offline from the cache, and a slow server."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.fake_hub import FakeHub

pytestmark = [pytest.mark.subprocess, pytest.mark.network]

CONFIGS = Path(__file__).parents[1] / "data" / "moe-configs"
MIXTRAL = json.loads((CONFIGS / "mixtral-8x7b.json").read_text())
SHA_MAIN, SHA_OLD = "a" * 40, "b" * 40
OLD = {**MIXTRAL, "num_hidden_layers": 16}  # an earlier commit with half the layers
REPOS = {
    "mistralai/Mixtral-8x7B-v0.1": {"revisions": {"main": SHA_MAIN, "v0": SHA_OLD},
                                    "configs": {SHA_MAIN: MIXTRAL, SHA_OLD: OLD},
                                    "params": {"BF16": 46_702_792_704}},
    "org/gated-model": {"revisions": {"main": SHA_MAIN}, "configs": {SHA_MAIN: MIXTRAL}},
    "org/slow-model": {"revisions": {"main": SHA_MAIN}, "configs": {SHA_MAIN: MIXTRAL}},
    "org/resnet": {"revisions": {"main": SHA_MAIN}, "configs": {SHA_MAIN: {"model_type": "resnet"}}},
}


@pytest.fixture()
def hub(tmp_path):
    with FakeHub(REPOS, gated={"org/gated-model"}, slow={"org/slow-model"}) as server:
        yield server, tmp_path


def run(hub, *args, offline=False, deadline_s=30):
    """The CLI as a process against the fake Hub. The lookup's deadline is generous (a loaded machine may take
    seconds to start the process and answer) except where the slow server is the point (``deadline_s=1``)."""
    server, home = hub
    env = {k: v for k, v in os.environ.items() if not k.startswith("HF_")}
    env.update(HF_ENDPOINT=server.url, HF_HOME=str(home / "hf"), HF_HUB_ETAG_TIMEOUT=str(deadline_s),
               HF_HUB_DISABLE_TELEMETRY="1", NO_PROXY="127.0.0.1")
    if offline:
        env["HF_HUB_OFFLINE"] = "1"
    return subprocess.run([sys.executable, "-m", "lifecycle", *args], capture_output=True, text=True, env=env,
                          timeout=120, check=False)


def test_memory_of_a_hub_id_prints_the_exact_and_active_counts(hub):
    out = run(hub, "memory", "--model", "mistralai/Mixtral-8x7B-v0.1", "--json")
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    assert (data["params"], data["active_params"]) == (46_702_792_704, 12_879_925_248)
    assert data["model"] == f"mistralai/Mixtral-8x7B-v0.1@{SHA_MAIN[:7]}"  # the commit it was read at
    same = run(hub, "memory", "--config", str(CONFIGS / "mixtral-8x7b.json"), "--json")
    assert json.loads(same.stdout)["params"] == data["params"]


def test_a_revision_reads_that_commits_config_and_show_compares_with_the_hub_count(hub):
    old = json.loads(run(hub, "models", "show", "mistralai/Mixtral-8x7B-v0.1@v0", "--json").stdout)
    assert old["sha"] == SHA_OLD and old["params"] < 46_702_792_704
    assert "safetensors metadata 46,702,792,704" in old["note"]  # the Hub counts main; the config is v0's
    main = json.loads(run(hub, "models", "show", "mistralai/Mixtral-8x7B-v0.1", "--json").stdout)
    assert main["hub_params"] == main["params"] and "agree" in main["note"]


@pytest.mark.parametrize("repo, code, fragment", [
    ("org/gated-model", 2, "gated: accept the licence on the model page and set HF_TOKEN"),
    ("org/missing", 2, "No model 'org/missing' on the Hub"),
    ("mistralai/Mixtral-8x7B-v0.1@nope", 2, "has no revision 'nope'"),
    ("org/resnet", 2, "not a supported transformer"),
])
def test_hub_failures_are_one_line(hub, repo, code, fragment):
    out = run(hub, "memory", "--model", repo)
    assert out.returncode == code and fragment in out.stderr and len(out.stderr.strip().splitlines()) == 1


def test_offline_reads_the_cache_and_says_from_when(hub):
    assert run(hub, "memory", "--model", "mistralai/Mixtral-8x7B-v0.1").returncode == 0  # fills the cache
    cached = run(hub, "models", "show", "mistralai/Mixtral-8x7B-v0.1", "--json", offline=True)
    assert cached.returncode == 0, cached.stderr
    data = json.loads(cached.stdout)
    assert data["params"] == 46_702_792_704 and data["cached_from"] and data["hub_params"] is None
    missing = run(hub, "memory", "--model", "org/other", offline=True)
    assert missing.returncode == 2 and "offline" in missing.stderr and "--config" in missing.stderr


def test_a_slow_hub_times_out_in_one_line(hub):
    out = run(hub, "memory", "--model", "org/slow-model", deadline_s=1)  # the server sleeps SLOW_S = 3 s
    assert out.returncode == 2 and "did not answer in time" in out.stderr
