"""The recovery file: unsaved training survives a crash.

While training runs with unsaved changes, the session is written (atomically, as a normal
``.nnviz`` session) to ``recovery.nnviz`` in the app's data folder
(``QStandardPaths.AppDataLocation``) at most every :data:`RECOVERY_SECONDS`. A clean exit
deletes it, so finding it at the next start means the app did not close normally: :func:`offer`
asks whether to reopen it.
"""
from __future__ import annotations

import datetime
import os
from pathlib import Path

from PySide6.QtCore import QStandardPaths

from nnviz.io import session_file
from nnviz.errors import NnvizError

from . import dialogs

RECOVERY_SECONDS = 60.0
FILE_NAME = "recovery.nnviz"


def path() -> Path:
    folder = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.AppDataLocation)
    return Path(folder or os.path.expanduser("~/.nnviz")) / FILE_NAME


def capture(session) -> dict:
    """The keyword arguments of :func:`nnviz.io.session_file.save` for an app ``Session``."""
    params, rng_state = session.initial_state
    return {"initial_params": params, "initial_rng": rng_state, "added": session.added_rows,
            "axes": session.plot_axes(), "speed": session.speed}


def write(session) -> Path:
    """Write the recovery file now; raises NnvizError when the folder is not writable."""
    target = path()
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise NnvizError(f"cannot write the recovery file in {target.parent}: {exc.strerror or exc}") from None
    session_file.save(target, session.exp, **capture(session))
    return target


def remove() -> None:
    try:
        path().unlink()
    except FileNotFoundError:
        pass
    except OSError:
        pass


def offer(window) -> bool:
    """At start: if a recovery file exists, ask whether to reopen it; True when it was reopened.
    Declining deletes it; an unreadable one is reported and deleted."""
    target = path()
    if not target.is_file():
        return False
    when = datetime.datetime.fromtimestamp(target.stat().st_mtime).strftime("%Y-%m-%d %H:%M")
    if not dialogs.ask_yes_no(window, "Recover unsaved training",
                              f"nnviz did not close normally; unsaved training from {when} was "
                              "kept. Reopen it?"):
        remove()
        return False
    try:
        state = session_file.load(target)
    except NnvizError as exc:
        dialogs.warn(window, "Recover unsaved training", f"The recovery file cannot be read: {exc}")
        remove()
        return False
    window.file_actions.apply(state, None, modified=True)
    window.statusBar().showMessage("Unsaved training recovered; save it with File › Save session", 10000)
    return True
