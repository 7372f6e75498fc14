"""Models from the Hugging Face Hub by id: ``ORG/NAME[@REVISION]`` → config.json at a commit, and the Hub's own
parameter count (safetensors metadata), through ``huggingface_hub`` — never hand-written HTTP.

The endpoint is the client's (``HF_ENDPOINT``), the token the standard one (``HF_TOKEN`` or ``hf auth login``),
and ``HF_HUB_OFFLINE=1`` reads the standard cache. Every failure is one line: not found, gated, no network
(with the cached copy's date when there is one), or not a transformer language model.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from pathlib import Path

from lifecycle._typed import Result
from lifecycle.errors import InvalidInput, NotFound

HUB_REF = re.compile(r"^(?P<repo>[A-Za-z0-9][\w.-]{0,95}/[A-Za-z0-9][\w.-]{0,95})(?:@(?P<rev>[\w./-]{1,200}))?$")
TIMEOUT_S = 10  # one slow request is one clear line, not a hang (HF_HUB_ETAG_TIMEOUT overrides it)
MAX_CONFIG_BYTES = 1_000_000


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
    return "/" in str(text) and not str(text).startswith(("/", ".")) and not Path(str(text)).suffix == ".json"


def parse_hub_ref(text: str) -> tuple[str, str]:
    match = HUB_REF.match(str(text).strip())
    if not match:
        raise InvalidInput(f"{text!r} is not a Hugging Face model id: write ORG/NAME or ORG/NAME@REVISION.")
    return match["repo"], match["rev"] or "main"


def _read_config(path: str) -> dict:
    from lifecycle._files import user_json

    p = Path(path)
    if p.stat().st_size > MAX_CONFIG_BYTES:
        raise InvalidInput(f"config.json is {p.stat().st_size:,} bytes; a config is at most {MAX_CONFIG_BYTES:,}.")
    config = user_json(p.read_bytes(), "config.json")
    if not isinstance(config, dict):
        raise InvalidInput("The Hub's config.json is not a JSON object.")
    return config


def _cached(repo_id: str, revision: str, why: str) -> HubModel:
    """The standard cache's copy, when the Hub cannot be reached."""
    from huggingface_hub import hf_hub_download

    try:
        path = hf_hub_download(repo_id, "config.json", revision=revision, local_files_only=True)
    except Exception:  # noqa: BLE001 - any cache miss is the same answer
        raise InvalidInput(f"{why}: {repo_id} is not in the local cache either; use --config with a config.json, or "
                           "fetch it once with network access.") from None
    when = datetime.fromtimestamp(Path(path).stat().st_mtime, tz=UTC).date().isoformat()
    snapshot = Path(path).parent.name
    sha = snapshot if re.fullmatch(r"[0-9a-f]{40}", snapshot) else None
    return HubModel(repo_id=repo_id, revision=revision, sha=sha, config=_read_config(path), cached_from=when)


def hub_model(ref: str, *, timeout_s: float | None = None) -> HubModel:
    """config.json at the revision's commit, and the Hub's parameter count, for ``ORG/NAME[@REVISION]``."""
    try:  # huggingface_hub 2.x ships its HTTP stack as httpx2; 1.x used httpx
        import httpx2 as httpx
    except ImportError:  # pragma: no cover - depends on the installed client
        import httpx
    from huggingface_hub import HfApi, constants, hf_hub_download
    from huggingface_hub import errors as hf_errors

    timeout_s = timeout_s or constants.HF_HUB_ETAG_TIMEOUT or TIMEOUT_S

    repo_id, revision = parse_hub_ref(ref)
    try:
        info = HfApi().model_info(repo_id, revision=revision, timeout=timeout_s)
        # by the revision's name, so the cache remembers it for offline use; the snapshot folder is the commit
        path = hf_hub_download(repo_id, "config.json", revision=revision, etag_timeout=timeout_s)
    except hf_errors.GatedRepoError:
        raise InvalidInput(f"{repo_id} is gated: accept the licence on the model page and set HF_TOKEN "
                           "(or run `hf auth login`).") from None
    except hf_errors.RevisionNotFoundError:
        raise NotFound(f"{repo_id} has no revision {revision!r} on the Hub.") from None
    except hf_errors.RepositoryNotFoundError:
        raise NotFound(f"No model {repo_id!r} on the Hub (a private one needs HF_TOKEN).") from None
    except hf_errors.EntryNotFoundError:
        raise InvalidInput(f"{repo_id} has no config.json: it is not a transformers model.") from None
    except hf_errors.OfflineModeIsEnabled:
        return _cached(repo_id, revision, "offline (HF_HUB_OFFLINE=1)")
    except (httpx.TimeoutException, httpx.TransportError, hf_errors.LocalEntryNotFoundError) as exc:
        why = "the Hub did not answer in time" if isinstance(exc, httpx.TimeoutException) else "offline (no network)"
        return _cached(repo_id, revision, why)
    except hf_errors.HfHubHTTPError as exc:
        code = getattr(exc.response, "status_code", "?")
        raise InvalidInput(f"The Hub answered HTTP {code} for {repo_id}; try again or use --config.") from None
    st = info.safetensors
    snapshot = Path(path).parent.name
    sha = snapshot if re.fullmatch(r"[0-9a-f]{40}", snapshot) else info.sha
    return HubModel(repo_id=repo_id, revision=revision, sha=sha, config=_read_config(path),
                    hub_params=int(st.total) if st else None,
                    hub_params_by_dtype={k: int(v) for k, v in (st.parameters if st else {}).items()})


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
