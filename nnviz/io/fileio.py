"""Writing files so that a failure never leaves a half-written one behind."""
from __future__ import annotations

import os
import tempfile
from pathlib import Path

from nnviz.errors import NnvizError

MAX_FILE_BYTES = 200 * 1024 * 1024


def atomic_write(path, data: bytes) -> None:
    """Write ``data`` to a temporary file beside ``path``, then rename it into place.

    On failure (disk full, no permission) the previous file, if any, is left as it was and a
    :class:`NnvizError` says why.
    """
    path = Path(path)
    folder = path.parent if str(path.parent) else Path(".")
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
    except OSError as exc:
        raise NnvizError(f"cannot write {path}: {exc.strerror or exc}") from None
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except OSError as exc:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise NnvizError(f"cannot write {path}: {exc.strerror or exc}") from None


def read_bytes(path, limit: int = MAX_FILE_BYTES) -> bytes:
    """The file's bytes, or a :class:`NnvizError` if it is missing, unreadable or too large."""
    path = Path(path)
    try:
        size = path.stat().st_size
        if size > limit:
            raise NnvizError(f"{path} is {size / 1e6:.0f} MB, over the {limit / 1e6:.0f} MB limit")
        return path.read_bytes()
    except FileNotFoundError:
        raise NnvizError(f"no such file: {path}") from None
    except IsADirectoryError:
        raise NnvizError(f"{path} is a folder, not a file") from None
    except OSError as exc:
        raise NnvizError(f"cannot read {path}: {exc.strerror or exc}") from None
