"""A Hugging Face Hub on 127.0.0.1 serving the routes ``huggingface_hub`` uses for a model: model info (with
``sha`` and ``safetensors``) and ``resolve/{revision}/config.json`` with the headers the client expects. Selected
by ``HF_ENDPOINT``; gated, missing and slow repositories answer as the real Hub does."""

from __future__ import annotations

import hashlib
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Self

SLOW_S = 3.0  # longer than the tests' HF_HUB_ETAG_TIMEOUT


class FakeHub:
    def __init__(self, repos: dict[str, dict], *, gated: set[str] = frozenset(), slow: set[str] = frozenset(),
                 hostile: dict | None = None):
        """``repos``: repo id -> {"revisions": {name: sha}, "configs": {sha: dict}, "params": {dtype: n}}.
        ``hostile``: repo id -> ``answer(handler, parts, head)``, a mirror or proxy answering whatever it likes
        for that repo (tests/security/test_class05_hub.py); it writes the raw response itself."""
        self.repos, self.gated, self.slow = repos, set(gated), set(slow)
        self.hostile = dict(hostile or {})
        self.requests = 0
        hub = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # quiet
                pass

            def do_HEAD(self):
                self._answer(head=True)

            def do_GET(self):
                self._answer(head=False)

            def _send(self, code, body=b"", headers=None, head=False):
                self.send_response(code)
                for k, v in (headers or {}).items():
                    self.send_header(k, v)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                if not head:
                    self.wfile.write(body)

            def _answer(self, head: bool):
                hub.requests += 1
                path = self.path.split("?")[0]
                parts = path.strip("/").split("/")
                repo = "/".join(parts[2:4]) if parts[:2] == ["api", "models"] else "/".join(parts[:2])
                if repo in hub.hostile:
                    return hub.hostile[repo](self, parts, head)
                if parts[:2] == ["api", "models"]:
                    repo = "/".join(parts[2:4])
                    revision = parts[5] if len(parts) > 5 and parts[4] == "revision" else "main"
                    return self._model(repo, revision, head)
                if len(parts) >= 5 and parts[2] == "resolve":
                    return self._file("/".join(parts[:2]), parts[3], "/".join(parts[4:]), head)
                self._send(404, b"{}", {"X-Error-Code": "RepoNotFound"}, head)

            def _check(self, repo, head) -> bool:
                if repo in hub.slow:
                    time.sleep(SLOW_S)
                if repo in hub.gated:
                    self._send(401, b'{"error": "gated"}', {"X-Error-Code": "GatedRepo"}, head)
                    return False
                if repo not in hub.repos:
                    self._send(404, b'{"error": "not found"}', {"X-Error-Code": "RepoNotFound"}, head)
                    return False
                return True

            def _sha(self, repo, revision, head):
                revisions = hub.repos[repo]["revisions"]
                sha = revisions.get(revision) or (revision if revision in revisions.values() else None)
                if sha is None:
                    self._send(404, b'{"error": "revision"}', {"X-Error-Code": "RevisionNotFound"}, head)
                return sha

            def _model(self, repo, revision, head):
                if not self._check(repo, head) or (sha := self._sha(repo, revision, head)) is None:
                    return
                params = hub.repos[repo].get("params")
                info = {"id": repo, "modelId": repo, "sha": sha, "private": False, "tags": [],
                        "siblings": [{"rfilename": "config.json"}]}
                if params:
                    info["safetensors"] = {"parameters": params, "total": sum(params.values())}
                self._send(200, json.dumps(info).encode(), {"Content-Type": "application/json"}, head)

            def _file(self, repo, revision, filename, head):
                if not self._check(repo, head) or (sha := self._sha(repo, revision, head)) is None:
                    return
                if filename != "config.json":
                    return self._send(404, b"{}", {"X-Error-Code": "EntryNotFound", "X-Repo-Commit": sha}, head)
                body = json.dumps(hub.repos[repo]["configs"][sha]).encode()
                etag = '"' + hashlib.sha1(body).hexdigest() + '"'
                self._send(200, body, {"X-Repo-Commit": sha, "ETag": etag, "Content-Type": "application/json"}, head)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        # shutdown() waits for serve_forever's next poll: 0.5 s by default, 0.5 s of every test that uses the Hub
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def __enter__(self) -> Self:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()
