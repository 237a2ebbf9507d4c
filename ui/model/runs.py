"""Runs kept for comparison: the current run pinned (its curves stay in the loss chart,
faded), up to :data:`~nnviz.core.runs.MAX_PINNED`; the runs table and the history as CSV.

Pinned runs belong to the window, not to the run: Reset, a new network or new data keep them,
and a saved session keeps them too.
"""
from __future__ import annotations

import re

from nnviz.core import runs
from nnviz.core.runs import MAX_PINNED, RunRecord
from nnviz.errors import NnvizError

FULL = (f"{MAX_PINNED} runs are pinned, as many as the loss chart compares: unpin one "
        "(Train › Runs table) before pinning another")


class RunsMixin:
    """Part of :class:`ui.model.AppModel`. Owns ``pinned`` (RunRecords, oldest first) and the
    training time of the current run."""

    def _init_runs(self):
        self.pinned: list[RunRecord] = []
        self._pins = 0                     # runs pinned so far: labels are never reused
        self._timed = (None, 0.0)          # (trainer, seconds it has trained)

    # --- the current run ---------------------------------------------------------------
    def add_train_time(self, seconds: float) -> None:
        """The trainer trained for ``seconds`` (Play, a step): the runs table's time."""
        trainer, total = self._timed
        self._timed = (self.trainer, (total if trainer is self.trainer else 0.0) + seconds)

    @property
    def train_seconds(self) -> float:
        """Seconds the current run has trained (a new trainer, after Reset say, starts at 0)."""
        trainer, total = self._timed
        return total if trainer is self.trainer else 0.0

    def current_run(self) -> RunRecord:
        return runs.record(self.exp, "current", self.train_seconds)

    # --- pinning -----------------------------------------------------------------------
    def pin_run(self, drop_oldest: bool = False) -> RunRecord:
        """Keep the current run for comparison. With :data:`MAX_PINNED` pinned already it
        drops the oldest when ``drop_oldest``, else refuses (NnvizError, nothing changed)."""
        if len(self.trainer.history) < 2:
            raise NnvizError("train at least one epoch before pinning the run")
        if len(self.pinned) >= MAX_PINNED:
            if not drop_oldest:
                raise NnvizError(FULL)
            self.pinned.pop(0)
        self._pins += 1
        record = runs.record(self.exp, f"run {self._pins}", self.train_seconds)
        self.pinned.append(record)
        self.events.emit("runsChanged")
        self.report(f"Pinned the run as '{record.label}': its curves stay in the loss chart")
        return record

    def unpin(self, index: int) -> None:
        if not 0 <= index < len(self.pinned):
            raise NnvizError(f"there is no pinned run {index + 1}")
        self.pinned.pop(index)
        self.events.emit("runsChanged")

    def set_pinned(self, records) -> None:
        """Pinned runs read from a session file (they replace those pinned now)."""
        self.pinned = list(records)[-MAX_PINNED:]
        numbers = [int(m.group(1)) for r in self.pinned if (m := re.fullmatch(r"run (\d+)", r.label))]
        self._pins = max(numbers, default=len(self.pinned))
        self.events.emit("runsChanged")

    def differences(self, record: RunRecord) -> list[str]:
        """How ``record``'s settings became the current run's ("lr 0.3 → 0.03")."""
        return runs.differences(record.settings, runs.settings_of(self.config))

    # --- tables ------------------------------------------------------------------------
    def runs_csv(self) -> str:
        """The runs table: every pinned run, then the current one."""
        return runs.runs_csv([*self.pinned, self.current_run()])

    def history_csv(self) -> str:
        """The current run's history, one row per epoch."""
        return runs.history_csv(self.trainer.history, self.task)
