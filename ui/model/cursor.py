"""Stepping, and the step-through cursor: the stages of the current step, recorded one
operation at a time, and the one shown."""
from __future__ import annotations

import math
import time


class CursorMixin:
    """Part of :class:`ui.model.AppModel`. Owns ``stages`` (the recorded stages of the current
    step), ``stage_index`` (the one shown, -1: none) and ``_stage_gen`` (the rest of a step
    begun operation by operation, or None)."""

    def _init_cursor(self):
        self.stages: list = []
        self.stage_index = -1
        self._stage_gen = None

    @property
    def step_in_progress(self) -> bool:
        """True while a step begun operation by operation has operations left."""
        return self._stage_gen is not None

    def batch_loss_under_way(self) -> float | None:
        """While a step begun operation by operation has operations left, the E of its batch as
        its loss operation computed it (NaN before that operation); None when no step is under
        way. The readouts show it instead of the last finished step's, so the loss operation's
        E and the status bar's batch loss are the same number."""
        if self._stage_gen is None:
            return None
        loss = next((s for s in self.stages if s.name == "loss.forward"), None)
        return float(loss.results["E"]) if loss is not None else math.nan

    def _drop_stages(self, quiet: bool = False) -> bool:
        """Forget the step-through's stages; True if there were any. ``quiet``: the caller
        fires ``stageChanged`` itself, once the views can draw the new state."""
        self._stage_gen = None
        if self.stages:
            self.stages = []
            self.stage_index = -1
            if not quiet:
                self.events.emit("stageChanged", None)
            return True
        return False

    def finish_pending_step(self) -> bool:
        """Run the rest of a step begun operation by operation; True if there was one."""
        if self._stage_gen is None:
            return False
        for stage in self._stage_gen:
            self.stages.append(stage)
        self._stage_gen = None
        self.stage_index = len(self.stages) - 1
        self.events.emit("stageChanged", self.stages[-1] if self.stages else None)
        return True

    def step_operation(self):
        """Run the next operation of the current step (starting a new step when needed)."""
        if self.stage_index < len(self.stages) - 1:  # walking forward through recorded stages
            self.stage_index += 1
            self.events.emit("stageChanged", self.stages[self.stage_index])
            return
        epoch_before = self.trainer.epoch_count
        if self._stage_gen is None:
            if self.trainer.diverged:
                self._report_divergence()
                return
            self.begin_run()
            self._stage_gen = self.trainer.stage_step()
            self.stages = []
        stage = next(self._stage_gen, None)
        if stage is None:  # the step ended (e.g. divergence); begin the next on the next press
            self._stage_gen = None
            if self.trainer.diverged:
                self._report_divergence()
            return
        self.stages.append(stage)
        self.stage_index = len(self.stages) - 1
        if stage.phase == "update":
            self._stage_gen = None
            self._params_changed(history=self.trainer.epoch_count != epoch_before)
            self._ran()
            self._report_stop()
        elif self.trainer.diverged:
            self._stage_gen = None
            self._report_divergence()
        self.events.emit("stageChanged", stage)

    def previous_operation(self):
        """Show the previous recorded stage; never recomputes or changes the network."""
        if self.stage_index > 0:
            self.stage_index -= 1
            self.events.emit("stageChanged", self.stages[self.stage_index])

    def show_stage(self, index: int):
        if 0 <= index < len(self.stages):
            self.stage_index = index
            self.events.emit("stageChanged", self.stages[index])

    def step_batch(self):
        epoch = self.trainer.epoch_count
        self.begin_run()
        start = time.perf_counter()
        if not self.finish_pending_step():
            self.trainer.step()
        self.add_train_time(time.perf_counter() - start)
        self.after_steps(epoch)

    def step_epoch(self):
        epoch = self.trainer.epoch_count
        self.begin_run()
        start = time.perf_counter()
        self.finish_pending_step()
        if self.trainer.pos != 0 or self.trainer.epoch_count == epoch:
            self.trainer.epoch()
        self.add_train_time(time.perf_counter() - start)
        self.after_steps(epoch)

    def after_steps(self, epoch_before: int):
        """The trainer took steps (from epoch ``epoch_before``): tell the views, and report a
        divergence."""
        self._params_changed(history=self.trainer.epoch_count != epoch_before)
        self._ran()
        if self.trainer.diverged:
            self._report_divergence()
        self._report_stop()

    def _report_stop(self):
        """Tell once that early stopping ended the run (and restored the best weights)."""
        stop = self.trainer.stopped
        if stop is not None and stop is not getattr(self, "_stop_told", None):
            self._stop_told = stop
            self.events.emit("stopped", stop.message)
    def _report_divergence(self):
        self.events.emit("diverged", self.trainer.diverged.message)
