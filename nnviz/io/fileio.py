"""Writing files so that a failure never leaves a half-written one behind.

A written file gets the permissions a plain ``open(path, "w")`` would give it: a new file
``0o666 & ~umask`` (0644 under the usual umask 022), a file written over keeps its own.
``tempfile`` creates its files 0600 and its folders 0700 (private while being written), so the
mode is set on the temporary file before it is renamed into place.
"""
from __future__ import annotations

import errno
import os
import stat
import tempfile
from pathlib import Path

from nnviz.errors import NnvizError

MAX_FILE_BYTES = 200 * 1024 * 1024


def current_umask() -> int:
    """The process's umask, read without changing it where the system says it (Linux
    ``/proc/self/status``); elsewhere set and restored at once (racy only against another
    thread creating a file in that instant)."""
    try:
        with open("/proc/self/status", encoding="ascii", errors="replace") as fh:
            for line in fh:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8) & 0o777
    except (OSError, ValueError, IndexError):
        pass
    old = os.umask(0o022)
    os.umask(old)
    return old & 0o777


def file_mode(path=None) -> int:
    """The permission bits a plain ``open(path, "w")`` leaves ``path`` with: its own when it
    is an existing file, else ``0o666 & ~umask``."""
    if path is not None:
        try:
            st = os.stat(path)
            if stat.S_ISREG(st.st_mode):
                return stat.S_IMODE(st.st_mode) & 0o777
        except OSError:
            pass
    return 0o666 & ~current_umask()


def folder_mode() -> int:
    """The permission bits ``os.mkdir`` gives a new folder: ``0o777 & ~umask``."""
    return 0o777 & ~current_umask()


def write_problem(path, exc: OSError) -> str:
    """One sentence for a write that failed: what could not be written, and why."""
    why = exc.strerror or str(exc)
    if exc.errno in (errno.EACCES, errno.EPERM):
        why += " (the folder is read-only or not yours)"
    elif exc.errno in (errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC)):
        why += " (the disk is full)"
    return f"cannot write {path}: {why}; nothing was changed"


def atomic_write(path, data: bytes) -> None:
    """Write ``data`` to a temporary file beside ``path``, then rename it into place.

    On failure (disk full, no permission) the previous file, if any, is left as it was and a
    :class:`NnvizError` says why. A symbolic link is written through (the file it names is
    replaced; the link stays a link); a path that is a device or a pipe (``/dev/stdout``, a
    FIFO) is written as it is, there being no file to replace.
    """
    path = Path(path)
    try:
        kind = os.stat(path).st_mode           # (follows links)
    except OSError:
        kind = None
    if kind is not None and stat.S_ISDIR(kind):
        raise NnvizError(f"cannot write {path}: it is a folder; nothing was changed")
    if kind is not None and not stat.S_ISREG(kind):
        try:
            with open(path, "wb") as fh:
                fh.write(data)
        except OSError as exc:
            raise NnvizError(write_problem(path, exc)) from None
        return
    if path.is_symlink():
        path = Path(os.path.realpath(path))
    folder = path.parent if str(path.parent) else Path(".")
    mode = file_mode(path)
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
    except OSError as exc:
        raise NnvizError(write_problem(path, exc)) from None
    try:
        with os.fdopen(fd, "wb") as fh:
            try:
                os.fchmod(fh.fileno(), mode)
            except (OSError, AttributeError):   # a file system without modes; Windows
                pass
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except OSError as exc:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise NnvizError(write_problem(path, exc)) from None


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
