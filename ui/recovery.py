"""The recovery file: unsaved training survives a crash.

While the session has unsaved changes, it is written (atomically, as a normal ``.nnviz``
session) to ``recovery-<pid>.nnviz`` in the app's data folder
(``QStandardPaths.AppDataLocation``) at most every :data:`RECOVERY_SECONDS` as it changes, and
when Play pauses; saving the session deletes it. Each running app
has its own file (its process id is in the name), so two apps open at once do not overwrite
each other's. A clean exit deletes the app's file, so a file whose process is no longer running
means that app did not close normally: at the next start :func:`offer` asks whether to reopen
the newest such file.

Test hooks (environment variables, unset for users):
``NNVIZ_RECOVERY_SECONDS`` replaces the 60 s interval; ``NNVIZ_RECOVERY_LOG`` names a file to
which every recovery write appends a line ``written <step count> <time.time()>`` once the file
is in place (preceded by ``begun <step count> <time>`` before writing starts).
"""
from __future__ import annotations

import datetime
import os
import time
from pathlib import Path

from PySide6.QtCore import QStandardPaths

from nnviz.io import session_file
from nnviz.errors import NnvizError

from . import dialogs

DEFAULT_RECOVERY_SECONDS = 60.0
PREFIX, SUFFIX = "recovery", ".nnviz"
FILE_NAME = PREFIX + SUFFIX   # the single file of earlier versions; offered like a dead one


def _interval_from_environment() -> float:
    text = os.environ.get("NNVIZ_RECOVERY_SECONDS", "")
    try:
        seconds = float(text)
    except ValueError:
        return DEFAULT_RECOVERY_SECONDS
    return seconds if seconds >= 0 and seconds == seconds and seconds != float("inf") \
        else DEFAULT_RECOVERY_SECONDS


RECOVERY_SECONDS = _interval_from_environment()


def folder() -> Path:
    where = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.AppDataLocation)
    return Path(where or os.path.expanduser("~/.nnviz"))


def path(pid: int | None = None) -> Path:
    """This app's recovery file (or that of process ``pid``)."""
    return folder() / f"{PREFIX}-{os.getpid() if pid is None else int(pid)}{SUFFIX}"


def owner(file: Path) -> int | None:
    """The process id in a recovery file's name; None for the old single file."""
    middle = file.name[len(PREFIX):-len(SUFFIX)]
    if middle.startswith("-") and middle[1:].isdigit():
        return int(middle[1:])
    return None


def running(pid: int) -> bool:
    """Whether another process ``pid`` exists. This app's own id counts as not running: offered
    at start, before this app writes one, a file with its id was left by an earlier process that
    had the same id."""
    if pid == os.getpid() or pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:     # exists, owned by someone else
        return True
    except OSError:
        return False
    return True


def orphans() -> list[Path]:
    """Recovery files left by apps that are no longer running, newest first."""
    try:
        files = [p for p in folder().glob(f"{PREFIX}*{SUFFIX}") if p.is_file()]
    except OSError:
        return []
    left = []
    for file in files:
        pid = owner(file)
        if file.name != FILE_NAME and pid is None:
            continue            # not one of ours
        if pid is not None and running(pid):
            continue            # another app open now: its file is in use
        try:
            left.append((file.stat().st_mtime, file))
        except OSError:
            continue
    return [file for _, file in sorted(left, key=lambda t: t[0], reverse=True)]


def capture(session) -> dict:
    """The keyword arguments of :func:`nnviz.io.session_file.save` for an app ``Session``."""
    params, rng_state = session.initial_state
    return {"initial_params": params, "initial_rng": rng_state, "added": session.added_rows,
            "axes": session.plot_axes(), "speed": session.speed, "pinned": session.pinned}


def _log(event: str, session) -> None:
    log = os.environ.get("NNVIZ_RECOVERY_LOG")
    if not log:
        return
    try:
        with open(log, "a", encoding="utf-8") as out:
            out.write(f"{event} {session.exp.trainer.step_count} {time.time():.6f}\n")
    except OSError:
        pass


def write(session) -> Path:
    """Write this app's recovery file now; raises NnvizError when the folder is not writable."""
    target = path()
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise NnvizError(f"cannot write the recovery file in {target.parent}: {exc.strerror or exc}") from None
    _log("begun", session)
    session_file.save(target, session.exp, **capture(session))
    _log("written", session)
    return target


def _unlink(file: Path) -> None:
    try:
        file.unlink()
    except OSError:
        pass


def remove() -> None:
    """Delete this app's recovery file (a clean exit)."""
    _unlink(path())


def offer(window) -> bool:
    """At start: if an app that is no longer running left a recovery file, ask whether to reopen
    the newest one; True when it was reopened. Declined (or unreadable, which is reported), the
    file is deleted; reopened, it becomes this app's recovery file, deleted at a clean exit."""
    found = orphans()
    if not found:
        return False
    target = found[0]
    try:
        when = datetime.datetime.fromtimestamp(target.stat().st_mtime).strftime("%Y-%m-%d %H:%M")
    except OSError:
        return False
    if not dialogs.ask_yes_no(window, "Recover unsaved training",
                              f"nnviz did not close normally; unsaved training from {when} was "
                              "kept. Reopen it?"):
        _unlink(target)
        return False
    try:
        state = session_file.load(target)
    except NnvizError as exc:
        dialogs.warn(window, "Recover unsaved training", f"The recovery file cannot be read: {exc}")
        _unlink(target)
        return False
    mine = path()
    if target != mine:      # still protected until this app saves or closes normally
        try:
            os.replace(target, mine)
        except OSError:
            _unlink(target)
    window.file_actions.apply(state, None, modified=True)
    window.statusBar().showMessage("Unsaved training recovered; save it with File › Save session", 10000)
    return True
