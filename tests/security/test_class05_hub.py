"""Class 5: a Hub endpoint (``HF_ENDPOINT``: a mirror, a proxy) is not trusted. Against the local fake Hub
answering like a hostile server: sizes are checked before a body is read, one deadline bounds a whole lookup
(a silent server, a trickling body), redirects stay on the endpoint's host, every unexpected answer is one line,
revisions are git refs or commits, and nothing is written outside the cache folder."""

from __future__ import annotations

import json
import time

import pytest

from lifecycle.errors import LifecycleError
from tests.support.fake_hub import FakeHub

pytestmark = [pytest.mark.network]

SHA = "c" * 40
CONFIG = {"model_type": "llama", "architectures": ["LlamaForCausalLM"], "num_hidden_layers": 2, "hidden_size": 64,
          "num_attention_heads": 4, "num_key_value_heads": 4, "intermediate_size": 128, "vocab_size": 1000,
          "max_position_embeddings": 512}
DEADLINE_S = 1.5


def _raw(handler, code: int, headers: dict, body: bytes = b"", *, send: bool = True) -> None:
    handler.send_response(code)
    for k, v in headers.items():
        handler.send_header(k, v)
    handler.end_headers()
    if send and body:
        try:
            handler.wfile.write(body)
        except OSError:
            pass


def _info(handler, extra=None, sha=SHA):
    body = json.dumps({"id": "x", "sha": sha, **(extra or {})}).encode()
    _raw(handler, 200, {"Content-Type": "application/json", "Content-Length": str(len(body))}, body)


def _then_config(config_answer, info_extra=None, sha=SHA):
    def answer(handler, parts, head):
        if parts[:2] == ["api", "models"]:
            return _info(handler, info_extra, sha)
        return config_answer(handler)
    return answer


def _good_config(handler, etag='"abc"'):
    body = json.dumps(CONFIG).encode()
    _raw(handler, 200, {"Content-Length": str(len(body)), "ETag": etag, "X-Repo-Commit": SHA}, body)


def _huge_declared(handler):
    _raw(handler, 200, {"Content-Length": str(500_000_000)}, b"{" + b" " * 10_000)


def _huge_undeclared(handler):
    handler.send_response(200)
    handler.send_header("Transfer-Encoding", "chunked")
    handler.end_headers()
    chunk = b" " * 65536
    try:
        for _ in range(40):  # 2.6 MB, no length announced
            handler.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
        handler.wfile.write(b"0\r\n\r\n")
    except OSError:
        pass


def _silent(handler, parts=None, head=False):
    time.sleep(DEADLINE_S * 4)


def _trickle(handler):
    handler.send_response(200)
    handler.send_header("Content-Length", "1000")
    handler.end_headers()
    try:
        for _ in range(20):
            handler.wfile.write(b" ")
            handler.wfile.flush()
            time.sleep(0.5)
    except OSError:
        pass


def _loop(handler, parts, head):
    _raw(handler, 302, {"Location": handler.path, "Content-Length": "0"})


def _elsewhere(handler, parts, head):
    _raw(handler, 302, {"Location": "http://127.0.0.2:9/steal", "Content-Length": "0"})


def _html(handler, parts, head):
    body = b"<html><body>Proxy login required</body></html>"
    _raw(handler, 200, {"Content-Type": "text/html", "Content-Length": str(len(body))}, body)


def _latin1(handler, parts, head):
    body = b'{"sha": "\xff\xfe caf\xe9"}'
    _raw(handler, 200, {"Content-Length": str(len(body))}, body)


def _huge_info(handler, parts, head):
    _raw(handler, 200, {"Content-Type": "application/json", "Content-Length": str(300_000_000)}, b"{")


HOSTILE = {
    "h/huge-config": _then_config(_huge_declared),
    "h/chunked-config": _then_config(_huge_undeclared),
    "h/silent": _silent,
    "h/trickle": _then_config(_trickle),
    "h/loop": _loop,
    "h/elsewhere": _elsewhere,
    "h/html": _html,
    "h/latin1": _latin1,
    "h/huge-info": _huge_info,
    "h/bad-sha": _then_config(_good_config, sha="../../../../escaped"),
    "h/etag": _then_config(lambda h: _good_config(h, etag='"../../../../../escaped-etag"')),
    "h/string-total": _then_config(_good_config, {"safetensors": {"total": "7B", "parameters": {"BF16": [1]}}}),
    "h/list-total": _then_config(_good_config, {"safetensors": {"total": [1, 2], "parameters": "x"}}),
}


@pytest.fixture
def hub(tmp_path, monkeypatch):
    from huggingface_hub import constants

    with FakeHub({}, hostile=HOSTILE) as server:
        cache = tmp_path / "home" / "hub"
        monkeypatch.setattr(constants, "ENDPOINT", server.url)
        monkeypatch.setattr(constants, "HF_HUB_CACHE", str(cache))
        monkeypatch.setattr(constants, "HF_HUB_OFFLINE", False)
        monkeypatch.setenv("NO_PROXY", "127.0.0.1")
        monkeypatch.delenv("HF_TOKEN", raising=False)
        yield server, tmp_path, cache


def _lookup(ref: str):
    from lifecycle.models.hub import hub_model

    started = time.monotonic()
    try:
        result = hub_model(ref, timeout_s=DEADLINE_S)
    except LifecycleError as exc:
        result = exc
    return result, time.monotonic() - started


def _outside_cache(tmp_path, cache) -> list[str]:
    return [str(p) for p in tmp_path.rglob("*") if p.is_file() and not p.resolve().is_relative_to(cache.resolve())]


@pytest.mark.parametrize("repo", [r for r in HOSTILE if "total" not in r and r != "h/etag"])
def test_a_hostile_answer_is_one_line_within_the_deadline_and_writes_nothing(hub, repo):
    _server, tmp_path, cache = hub
    result, took_s = _lookup(repo)
    assert isinstance(result, LifecycleError), result
    assert "\n" not in str(result) and len(str(result)) < 400
    assert took_s < DEADLINE_S + 2.0
    assert not cache.exists() or not [p for p in cache.rglob("config.json")]
    assert _outside_cache(tmp_path, cache) == []


def test_an_etag_cannot_move_the_cached_file(hub):
    _server, tmp_path, cache = hub
    result, _ = _lookup("h/etag")
    assert not isinstance(result, Exception), result
    assert _outside_cache(tmp_path, cache) == []
    assert (cache / "models--h--etag" / "snapshots" / SHA / "config.json").is_file()


@pytest.mark.parametrize("repo", ["h/string-total", "h/list-total"])
def test_a_safetensors_total_that_is_not_a_number_is_ignored(hub, repo):
    result, _ = _lookup(repo)
    assert not isinstance(result, Exception), result
    assert result.hub_params is None and result.hub_params_by_dtype == {}


@pytest.mark.parametrize("ref", ["org/model@../../../../escaped", "org/model@main/../../x", "org/model@.hidden",
                                 "org/model@a..b", "org/model@x.lock", "org/model@a//b", "org/model@-/.",
                                 "../model@main", "org/..@main"])
def test_revisions_must_be_git_refs_or_commits(hub, ref):
    server, tmp_path, cache = hub
    before = server.requests
    result, _ = _lookup(ref)
    assert isinstance(result, LifecycleError) and "\n" not in str(result)
    assert server.requests == before  # refused before any request
    assert _outside_cache(tmp_path, cache) == []
