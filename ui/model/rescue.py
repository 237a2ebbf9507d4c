"""Two ways back when training blows up (the loss not finite, or a million times its start):
the state before this run of training, and the weights of the best epoch so far.

A *run* is a Play, or steps taken one after another with nothing else in between: its start is
written out (as an undo state is) when it begins, so going back restores everything — weights,
optimizer, random sequence, history — bit for bit. The best epoch's weights are kept by the
trainer (``Trainer.best``); going back to them starts training again from them. Both are edits
Edit › Undo can take back.
"""
from __future__ import annotations

from .undo import undoable


class RescueMixin:
    """Part of :class:`ui.model.AppModel`."""

    def _init_rescue(self):
        self._run_start = None          # undo.State of the run's start
        self._run_version = None        # the model's version after the run's last step

    def begin_run(self):
        """Training starts (Play, Step): remember where from, unless it goes on a run whose
        last step nothing has changed since. After an early stop, training goes on from the
        restored weights (the patience counts afresh)."""
        if self.trainer.stopped is not None:
            self.trainer.stop(None)
        if self._run_start is not None and self._run_version == self.version:
            return
        self._run_start = self._capture("Back to before training", in_place=True)
        self._run_version = self.version

    def _ran(self):
        """Steps were taken: the run goes on from here."""
        self._run_version = self.version

    def best_epoch(self) -> tuple[int, float] | None:
        """(epoch, training loss) of the best epoch so far, or None."""
        best = self.trainer.best
        return None if best is None else (best[0], best[1])

    def back_to_run_start(self) -> bool:
        """Everything as it was when this run of training began; False if there is none."""
        if self._run_start is None:
            self.report("there is no run of training to go back to")
            return False
        state, self._run_start = self._run_start, None
        self._push(self._undo, self._capture(state.label, in_place=False))
        self._redo.clear()
        self._restore(state)
        return True

    @undoable("Back to the best epoch", in_place=True)
    def back_to_best_epoch(self) -> bool:
        """Training starts again from the weights of the epoch with the lowest training loss."""
        best = self.trainer.best
        if best is None:
            self.report("no epoch has finished yet")
            return False
        self._drop_stages()
        self.exp.restart(best[2])
        self._remember_initial()
        self._params_changed(history=True)
        return True
