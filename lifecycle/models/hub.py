"""Models from the Hugging Face Hub by id: ``ORG/NAME[@REVISION]`` → config.json at a commit, and the Hub's own
parameter count (safetensors metadata).

The endpoint is the client's (``HF_ENDPOINT``), the token the standard one (``HF_TOKEN`` or ``hf auth login``),
and ``HF_HUB_OFFLINE=1`` reads the standard cache. The endpoint is not trusted (a mirror or a proxy may answer
anything), so the two requests are made here, bounded, rather than through ``huggingface_hub``'s downloader,
which reads a whole body before any size check and builds cache paths from what the server answers:

- one overall deadline per lookup (``HF_HUB_ETAG_TIMEOUT``, 10 s by default), also while a body trickles in;
- sizes checked before and while reading: config.json at most 1 MB, the model-info answer at most 2 MB;
- redirects followed only on the endpoint's own host, at most 5;
- the revision must be a valid git ref name or commit, and the commit the Hub names a 40-hex sha;
- the cache is written only in the client's layout under ``HF_HUB_CACHE`` (``models--ORG--NAME/refs/REV`` and
  ``snapshots/SHA/config.json``), each path checked to stay inside it;
- every failure is one line: not found, gated, no network (with the cached copy's date when there is one),
  an answer that is not what a Hub sends, or not a transformer language model.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import quote, urljoin, urlsplit

from lifecycle._typed import Result
from lifecycle.errors import InvalidInput, NotFound
from lifecycle.limits import MAX_CONFIG_BYTES

HUB_REF = re.compile(r"^(?P<repo>[A-Za-z0-9][\w.-]{0,95}/[A-Za-z0-9][\w.-]{0,95})(?:@(?P<rev>[\w./-]{1,200}))?$")
TIMEOUT_S = 10  # one lookup, all requests and bodies together (HF_HUB_ETAG_TIMEOUT overrides it)
MAX_INFO_BYTES = 2_000_000
MAX_REDIRECTS = 5
SHA = re.compile(r"^[0-9a-f]{40}$")


class HubModel(Result):
    """What the Hub says of one model at one commit."""

    repo_id: str
    revision: str  # as asked ("main" by default)
    sha: str | None  # the commit the config was read at (None: a cached copy whose commit is unknown)
    config: dict
    hub_params: int | None = None  # the Hub's safetensors total (None: no metadata, or offline)
    hub_params_by_dtype: dict[str, int] = {}
    cached_from: str | None = None  # ISO date of the cached copy used offline


def is_hub_ref(text: str) -> bool:
    """A Hub id has an owner and a name (``org/name``); catalog ids never contain a slash."""
    return "/" in str(text) and not str(text).startswith(("/", ".")) and Path(str(text)).suffix != ".json"


def valid_revision(revision: str) -> bool:
    """A git ref name (``git check-ref-format`` rules) or a commit: no ``..``, no component starting with ``.``
    or ending in ``.lock``, no ``//``, ``@{``, control characters or ``~^:?*[\\``, not ending in ``/`` or ``.``."""
    if not revision or len(revision) > 200 or revision in ("@", ".") or "@{" in revision or ".." in revision:
        return False
    if revision.startswith("/") or revision.endswith(("/", ".")) or "//" in revision:
        return False
    if any(ord(ch) < 0x21 or ord(ch) == 0x7F or ch in "~^:?*[\\" for ch in revision):
        return False
    return all(part and not part.startswith(".") and not part.endswith(".lock") for part in revision.split("/"))


def parse_hub_ref(text: str) -> tuple[str, str]:
    match = HUB_REF.match(str(text).strip())
    if not match or (match["rev"] is not None and not valid_revision(match["rev"])):
        raise InvalidInput(f"{str(text)[:120]!r} is not a Hugging Face model id: write ORG/NAME or ORG/NAME@REVISION "
                           "(a branch, tag or commit).")
    if any(part in (".", "..") for part in match["repo"].split("/")):
        raise InvalidInput(f"{str(text)[:120]!r} is not a Hugging Face model id.")
    return match["repo"], match["rev"] or "main"


def _parse_config(data: bytes) -> dict:
    from lifecycle._files import user_json

    if len(data) > MAX_CONFIG_BYTES:
        raise InvalidInput(f"config.json is {len(data):,} bytes; a config is at most {MAX_CONFIG_BYTES:,}.")
    config = user_json(data, "config.json")
    if not isinstance(config, dict):
        raise InvalidInput("The Hub's config.json is not a JSON object.")
    return config


def _repo_cache(repo_id: str) -> Path:
    from huggingface_hub import constants

    root = Path(constants.HF_HUB_CACHE).resolve()
    folder = (root / ("models--" + repo_id.replace("/", "--"))).resolve()
    if folder.parent != root:
        raise InvalidInput(f"{repo_id!r} is not a Hugging Face model id.")
    return folder


def _inside(folder: Path, *parts: str) -> Path:
    path = folder.joinpath(*parts).resolve()
    if not path.is_relative_to(folder):
        raise InvalidInput("The Hub's answer would be cached outside the cache folder; refused.")
    return path


def _cached(repo_id: str, revision: str, why: str) -> HubModel:
    """The standard cache's copy (``refs/REV`` → ``snapshots/SHA/config.json``), when the Hub cannot be reached."""
    folder = _repo_cache(repo_id)
    try:
        sha = revision if SHA.match(revision) else _inside(folder, "refs", revision).read_text().strip()
        if not SHA.match(sha):
            raise OSError("not a commit")
        path = _inside(folder, "snapshots", sha, "config.json")
        if path.stat().st_size > MAX_CONFIG_BYTES:
            raise OSError("too large")
        config = _parse_config(path.read_bytes())
    except (OSError, InvalidInput):
        raise InvalidInput(f"{why}: {repo_id} is not in the local cache either; use --config with a config.json, or "
                           "fetch it once with network access.") from None
    when = datetime.fromtimestamp(path.stat().st_mtime, tz=UTC).date().isoformat()
    return HubModel(repo_id=repo_id, revision=revision, sha=sha, config=config, cached_from=when)


def _store(repo_id: str, revision: str, sha: str, data: bytes) -> None:
    """Write config.json and the revision's ref into the client's cache layout, atomically, inside it only."""
    folder = _repo_cache(repo_id)
    target = _inside(folder, "snapshots", sha, "config.json")
    ref = _inside(folder, "refs", revision) if not SHA.match(revision) else None
    for path, body in ((target, data), (ref, sha.encode())):
        if path is None:
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
        with os.fdopen(fd, "wb") as out:
            out.write(body)
        os.replace(tmp, path)


class _Deadline:
    def __init__(self, seconds: float):
        self.end = time.monotonic() + seconds

    def left(self) -> float:
        left = self.end - time.monotonic()
        if left <= 0:
            raise TimeoutError
        return left


def _get(client, url: str, limit: int, deadline: _Deadline, what: str):
    """GET ``url`` following same-host redirects only; the body read up to ``limit`` bytes before ``deadline``.
    Returns (status, headers, body)."""
    host = urlsplit(url).netloc
    for _ in range(MAX_REDIRECTS + 1):
        with client.stream("GET", url, timeout=deadline.left()) as response:
            if response.status_code in (301, 302, 303, 307, 308):
                target = urljoin(url, response.headers.get("location", ""))
                if urlsplit(target).netloc != host or urlsplit(target).scheme not in ("http", "https"):
                    raise InvalidInput(f"The Hub redirected the {what} to another host; refused.")
                url = target
                continue
            declared = response.headers.get("content-length", "")
            if declared.isdigit() and int(declared) > limit:
                raise InvalidInput(f"The Hub's {what} is {int(declared):,} bytes; at most {limit:,} is read.")
            body = bytearray()
            for chunk in response.iter_bytes():
                body += chunk
                if len(body) > limit:
                    raise InvalidInput(f"The Hub's {what} is over {limit:,} bytes; refused.")
                deadline.left()
            return response.status_code, response.headers, bytes(body)
    raise InvalidInput(f"The Hub redirected the {what} more than {MAX_REDIRECTS} times; refused.")


def _refuse(status: int, headers, repo_id: str, revision: str, what: str) -> None:
    code = headers.get("x-error-code", "")
    if code == "GatedRepo" or (status == 403 and "gated" in headers.get("x-error-message", "").lower()):
        raise InvalidInput(f"{repo_id} is gated: accept the licence on the model page and set HF_TOKEN "
                           "(or run `hf auth login`).")
    if code == "RevisionNotFound":
        raise NotFound(f"{repo_id} has no revision {revision!r} on the Hub.")
    if code == "EntryNotFound":
        raise InvalidInput(f"{repo_id} has no config.json: it is not a transformers model.")
    if code == "RepoNotFound" or status in (401, 404):
        raise NotFound(f"No model {repo_id!r} on the Hub (a private one needs HF_TOKEN).")
    raise InvalidInput(f"The Hub answered HTTP {status} for the {what} of {repo_id}; try again or use --config.")


def _safetensors(info: dict) -> tuple[int | None, dict[str, int]]:
    st = info.get("safetensors")
    if not isinstance(st, dict):
        return None, {}
    count = lambda v: v if isinstance(v, int) and not isinstance(v, bool) and 0 <= v < 10**15 else None
    total = count(st.get("total"))
    params = st.get("parameters") if isinstance(st.get("parameters"), dict) else {}
    by_dtype = {str(k)[:20]: count(v) for k, v in list(params.items())[:20]}
    return total, {k: v for k, v in by_dtype.items() if v is not None}


def _fetch(repo_id: str, revision: str, timeout_s: float) -> HubModel:
    try:  # huggingface_hub 2.x ships its HTTP stack as httpx2; 1.x used httpx
        import httpx2 as httpx
    except ImportError:  # pragma: no cover - depends on the installed client
        import httpx
    from huggingface_hub import constants, get_token

    endpoint = constants.ENDPOINT.rstrip("/")
    token = get_token()
    headers = {"user-agent": "lifecycle-planner", **({"authorization": f"Bearer {token}"} if token else {})}
    deadline = _Deadline(timeout_s)
    rev = quote(revision, safe="")
    try:
        with httpx.Client(headers=headers, follow_redirects=False) as client:
            status, head, body = _get(client, f"{endpoint}/api/models/{repo_id}/revision/{rev}"
                                      "?expand[]=sha&expand[]=safetensors", MAX_INFO_BYTES, deadline, "model info")
            if status != 200:
                _refuse(status, head, repo_id, revision, "model info")
            try:
                info = json.loads(body.decode("utf-8"))
            except (UnicodeDecodeError, ValueError):
                raise InvalidInput(f"The Hub's model info for {repo_id} is not JSON (a proxy's page?); "
                                   "check HF_ENDPOINT.") from None
            sha = info.get("sha") if isinstance(info, dict) else None
            if not isinstance(sha, str) or not SHA.match(sha):
                raise InvalidInput(f"The Hub's model info for {repo_id} names no commit; check HF_ENDPOINT.")
            status, head, data = _get(client, f"{endpoint}/{repo_id}/resolve/{sha}/config.json", MAX_CONFIG_BYTES,
                                      deadline, "config.json")
            if status != 200:
                _refuse(status, head, repo_id, revision, "config.json")
    except (TimeoutError, httpx.TimeoutException):
        return _cached(repo_id, revision, "the Hub did not answer in time")
    except httpx.HTTPError:
        return _cached(repo_id, revision, "offline (no network)")
    config = _parse_config(data)
    _store(repo_id, revision, sha, data)
    total, by_dtype = _safetensors(info)
    return HubModel(repo_id=repo_id, revision=revision, sha=sha, config=config, hub_params=total,
                    hub_params_by_dtype=by_dtype)


def hub_model(ref: str, *, timeout_s: float | None = None) -> HubModel:
    """config.json at the revision's commit, and the Hub's parameter count, for ``ORG/NAME[@REVISION]``."""
    from huggingface_hub import constants

    repo_id, revision = parse_hub_ref(ref)
    if constants.HF_HUB_OFFLINE:
        return _cached(repo_id, revision, "offline (HF_HUB_OFFLINE=1)")
    return _fetch(repo_id, revision, float(timeout_s or constants.HF_HUB_ETAG_TIMEOUT or TIMEOUT_S))


def hub_model_ref(ref: str):
    """A ``ModelRef`` named after the repo and commit, with the Hub's count checked against the config's."""
    from lifecycle.models.ref import ModelRef

    model = hub_model(ref)
    at = f"@{model.sha[:7]}" if model.sha else f" (cached {model.cached_from})"
    return ModelRef.from_config(model.config, name=f"{model.repo_id}{at}"), model


def count_note(model: HubModel, computed: int) -> str:
    """Both counts when they differ (the Hub counts stored tensors: tied weights once, buffers sometimes too)."""
    if model.hub_params is None:
        return "The Hub has no safetensors count for this revision; parameters are counted from config.json."
    if model.hub_params == computed:
        return f"{computed:,} parameters: config.json and the Hub's safetensors metadata agree."
    return (f"config.json gives {computed:,} parameters; the Hub's safetensors metadata {model.hub_params:,} "
            f"({model.hub_params - computed:+,}; {json.dumps(model.hub_params_by_dtype)}).")
