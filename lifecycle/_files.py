"""Writing what the user asked for, and nothing else: the one file-writing function of the package.

``write_output(path, data)``:

- ``-`` is standard output;
- a regular file (or a new one) is replaced atomically — a temporary file beside it, fsync, rename — so a
  reader sees the old file or the new one, never half of one; a replaced file keeps its permissions, a new
  one gets the umask's;
- a symbolic link is followed on purpose: the file it points to is replaced and the link stays a link;
- anything else that exists (``/dev/null``, a FIFO, a terminal) is written to in place, never replaced by
  a regular file; a directory is refused with one line.
"""

from __future__ import annotations

import os
import stat
import sys
import tempfile
from pathlib import Path

from lifecycle.errors import InvalidInput

STDOUT = "-"


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def write_output(path: str | Path, data: bytes | str) -> Path | None:
    """Write ``data`` to ``path`` as described above; the path written (None for standard output)."""
    payload = data.encode("utf-8") if isinstance(data, str) else data
    if str(path) == STDOUT:
        sys.stdout.buffer.write(payload)
        sys.stdout.buffer.flush()
        return None
    target = Path(os.path.realpath(path))  # follows symlinks: the link's target is what gets replaced
    try:
        info = target.stat()
    except FileNotFoundError:
        info = None
    except OSError as exc:
        raise InvalidInput(f"Cannot write {path}: {exc.strerror}.") from None
    if info is not None and stat.S_ISDIR(info.st_mode):
        raise InvalidInput(f"{path} is a folder; give a file name.")
    if info is not None and not stat.S_ISREG(info.st_mode):
        with open(target, "wb") as fh:  # a device or a pipe: write into it, never replace it
            fh.write(payload)
        return Path(path)
    if not target.parent.is_dir():
        raise InvalidInput(f"Folder {target.parent} does not exist.")
    mode = stat.S_IMODE(info.st_mode) if info is not None else 0o666 & ~_umask()
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(payload)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return Path(path)


MAX_JSON_DEPTH = 64  # deeper than any document, config or distribution the planner reads


def user_json(text: str | bytes, what: str) -> object:
    """JSON a user gave (an export, a config.json, a distribution): parsed, or one ``InvalidInput`` line.
    Refuses NaN, Infinity and numbers that overflow to infinity (``1e999``), nesting deeper than
    ``MAX_JSON_DEPTH`` (checked before parsing: 100,000 brackets must not reach Python's recursion limit)
    and text that is not UTF-8."""
    import json
    import math

    if isinstance(text, bytes):
        try:
            text = text.decode("utf-8")
        except UnicodeDecodeError:
            raise InvalidInput(f"{what} is not valid JSON: it is not UTF-8 text.") from None
    depth = deepest = 0
    in_string = escaped = False
    for ch in text:  # bracket depth outside strings, in one pass
        if in_string:
            if escaped:
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == '"':
                in_string = False
            continue
        if ch == '"':
            in_string, escaped = True, False
        elif ch in "[{":
            depth += 1
            deepest = max(deepest, depth)
            if deepest > MAX_JSON_DEPTH:
                raise InvalidInput(f"{what} is nested more than {MAX_JSON_DEPTH} levels deep.")
        elif ch in "]}":
            depth -= 1

    def finite(token: str) -> float:
        value = float(token)
        if not math.isfinite(value):
            raise ValueError(f"the number {token[:30]} is out of range")
        return value

    def refuse(token: str) -> float:
        raise ValueError(f"{token} is not a number JSON allows")

    try:
        return json.loads(text, parse_float=finite, parse_constant=refuse)
    except (json.JSONDecodeError, ValueError) as exc:
        raise InvalidInput(f"{what} is not valid JSON: {str(exc).splitlines()[0]}.") from None
