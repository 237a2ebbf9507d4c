"""The model's events: a plain list of callbacks per event name, called in order.

The model fires them; :class:`ui.session.Session` turns each into the Qt signal of the same
name, so a view connects to ``session.paramsChanged`` as before. A test or a script without Qt
connects to the model's events directly.
"""
from __future__ import annotations

from typing import Callable

#: The events the app model fires (and so the Qt signals of the session), with their arguments.
EVENTS = {
    # Data, features or the network's shape changed. It stands for the weights and the history
    # as well (both are new): it is not followed by paramsChanged or historyChanged, so a view
    # that draws weights or the history redraws them on it, once.
    "structureChanged": (),
    "paramsChanged": (),        # the weights changed (a step, a reset, an edit)
    "historyChanged": (),       # an epoch was recorded, or the history was cleared
    "stageChanged": (object,),  # the stage the step-through cursor shows (a Stage or None)
    "settingsChanged": (),      # a setting of the run changed
    "diverged": (str,),         # training diverged: the reason
    "stopped": (str,),          # early stopping ended the run: why, and which weights it restored
    "message": (str,),          # a line for the status bar
    "unitHovered": (int, int),  # dense layer index from 0 and unit, or (-1, -1)
    "axesChanged": (),          # the inputs on the output plot's axes changed
    "undoChanged": (),          # what Edit › Undo / Redo would do changed
    "runsChanged": (),          # a run was pinned or unpinned
}


class Events:
    """Callbacks by event name. Only the names given are known; another name is a KeyError,
    so a misspelt event fails where it is fired or connected."""

    def __init__(self, names=EVENTS):
        self._handlers: dict[str, list[Callable]] = {name: [] for name in names}

    def connect(self, name: str, handler: Callable) -> None:
        self._handlers[name].append(handler)

    def disconnect(self, name: str, handler: Callable) -> None:
        self._handlers[name].remove(handler)

    def emit(self, name: str, *args) -> None:
        """Call the handlers of ``name`` with ``args``, in the order they were connected."""
        for handler in list(self._handlers[name]):
            handler(*args)
