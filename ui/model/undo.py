"""Edit › Undo / Redo: a bounded stack of whole states of the run.

Every change that could throw away trained or imported weights is undoable: network edits
(units, layers, activation, features, initialisation), weight and bias edits, data changes
(dataset, samples, noise, split, points added or removed by hand, a table opened), Reset,
Re-initialize and an imported run. Training itself is not an edit: Undo after training goes
back to the state before the last edit, with the weights it had then.

A state is kept in one of two ways:
- A change that builds a new run (most of them) leaves the old :class:`~nnviz.experiment.Experiment`
  untouched, so the state is that object itself, with what :meth:`AppModel.adopt` needs around
  it (the initial weights Reset goes back to, the hand-added rows, the plot's axes): free.
- A change made in place (a weight edit, Reset, Re-initialize, an edited point) first writes the
  run as a session file's bytes (``nnviz.io.session_file``, uncompressed), which reopens it bit
  for bit: the optimizer's state, the random sequence, the epoch's batch order, the history.

An object is in exactly one place: the current run, or one stack.
"""
from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np

from nnviz.experiment import Experiment
from nnviz.io import session_file

UNDO_LIMIT = 30     # states kept each way


@dataclass
class State:
    label: str                      # what the change was ("Add a unit"), for the menu
    version: int                    # the model's version it was taken at
    exp: Experiment | None          # the run itself (it was replaced, not changed) …
    data: bytes | None              # … or the run as a session file's bytes
    initial: tuple                  # (params, Generator state): what Reset goes back to
    added: np.ndarray
    axes: tuple | None


def undoable(label, in_place: bool = False):
    """Make a model method undoable under ``label`` (a text, or a function of the call's
    keyword arguments giving one). ``in_place``: the method changes the current run rather
    than building a new one, so the state is written out first. A call that changes nothing
    (refused, or failed with an error) leaves the stacks as they were; a call made from
    another undoable method belongs to the outer one."""
    def wrap(method):
        @functools.wraps(method)
        def run(self, *args, **kwargs):
            if self._undo_busy:
                return method(self, *args, **kwargs)
            state = self._capture(label(**kwargs) if callable(label) else label, in_place)
            self._undo_busy += 1
            try:
                result = method(self, *args, **kwargs)
            finally:
                self._undo_busy -= 1
            if self.version != state.version and (in_place or self.exp is not state.exp):
                self._push(self._undo, state)
                self._redo.clear()
                self.events.emit("undoChanged")
            return result
        return run
    return wrap


class UndoMixin:
    """Part of :class:`ui.model.AppModel`: the undo and redo stacks."""

    def _init_undo(self):
        self._undo: list[State] = []
        self._redo: list[State] = []
        self._undo_busy = 0

    # --- public --------------------------------------------------------------------------
    def undo_text(self) -> str | None:
        """What Undo would take back ("Add a unit"), or None."""
        return self._undo[-1].label if self._undo else None

    def redo_text(self) -> str | None:
        return self._redo[-1].label if self._redo else None

    def undo(self) -> bool:
        """Back to the state before the last edit; False (with a message) when there is none."""
        return self._step(self._undo, self._redo, "nothing to undo")

    def redo(self) -> bool:
        return self._step(self._redo, self._undo, "nothing to redo")

    def forget_undo(self) -> None:
        """Empty both stacks: a session file opened is a new document, which Undo does not
        take back (it would bring back another run under the file's name, and Save would
        write that run over the file)."""
        if self._undo or self._redo:
            self._undo.clear()
            self._redo.clear()
            self.events.emit("undoChanged")

    # --- states --------------------------------------------------------------------------
    def _capture(self, label: str, in_place: bool) -> State:
        initial = (self._initial[0].copy(), self._initial[1])
        added = self._added.copy()
        if in_place:
            data = session_file.to_bytes(self.exp, initial[0], initial[1], added, self._axes,
                                         compress=False)
            return State(label, self.version, self.exp, data, initial, added, self._axes)
        return State(label, self.version, self.exp, None, initial, added, self._axes)

    def _push(self, stack: list, state: State):
        if state.data is not None:
            state.exp = None         # the bytes are the state; the object goes on changing
        stack.append(state)
        del stack[:-UNDO_LIMIT]

    def _step(self, source: list, target: list, empty: str) -> bool:
        if not source:
            self.report(empty)
            return False
        state = source.pop()
        # The current run is replaced by the restored one below, so it is kept as it is.
        self._push(target, self._capture(state.label, in_place=False))
        self._restore(state)
        return True

    def _restore(self, state: State):
        """Make ``state`` the current run (the current one is left as it is)."""
        if state.data is not None:
            restored = session_file.from_bytes(state.data, "undo")
            exp, initial = restored.experiment, (restored.initial_params, restored.initial_rng)
            added, axes = restored.added, restored.axes
        else:
            exp, initial, added, axes = state.exp, state.initial, state.added, state.axes
        self._drop_stages()
        self._undo_busy += 1             # (adopting is undoable itself when a file is opened)
        try:
            self.adopt(exp, initial, added, axes)
        finally:
            self._undo_busy -= 1
        self.events.emit("undoChanged")
