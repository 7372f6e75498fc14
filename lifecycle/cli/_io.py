"""Small helpers shared by the subcommands."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any


def print_json(obj: Any) -> None:
    print(json.dumps(obj, indent=2, ensure_ascii=False, default=str))


def write_atomic(path: str | Path, data: bytes | str) -> None:
    """``lifecycle._files.write_output``: '-' is standard output; files are replaced atomically."""
    from lifecycle._files import write_output

    write_output(path, data)
