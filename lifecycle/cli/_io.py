"""Small helpers shared by the subcommands."""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any


def print_json(obj: Any) -> None:
    print(json.dumps(obj, indent=2, ensure_ascii=False, default=str))


def write_atomic(path: str | Path, data: bytes | str) -> None:
    """Write to a temporary file beside ``path`` and rename it: never a half-written file."""
    path = Path(path)
    payload = data.encode("utf-8") if isinstance(data, str) else data
    fd, tmp = tempfile.mkstemp(dir=path.parent if str(path.parent) else ".", prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(payload)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
