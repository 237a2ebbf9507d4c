"""The Qt adapter of the app's model: one :class:`Session` per window.

The state and what changes it live in :class:`ui.model.AppModel` (no Qt). The session owns
one (``app_model``), turns its events into the Qt signals below, and runs Play on a timer.
Every attribute and method of the model named in :data:`FORWARDED` reads and writes through
the session, so views keep calling ``session.step_batch()`` and connecting to
``session.paramsChanged``. Views call the model's methods and connect to these signals; they
never emit them (``session.report(text)`` and ``session.hover_unit(k, j)`` fire ``message``
and ``unitHovered``).

Signals
- ``structureChanged``: data, features or the network's shape changed (views rebuild items). The
  weights and the history are new too: it is not followed by ``paramsChanged`` or
  ``historyChanged``, so each view redraws once.
- ``paramsChanged``: weights changed (a step, a reset, an edit); emitted at most once per frame
  while playing.
- ``historyChanged``: a new epoch was recorded (or the history was cleared).
- ``stageChanged(object)``: the stage shown by the step-through panel (a Stage or None).
- ``playingChanged(bool)``, ``settingsChanged``, ``diverged(str)``, ``stopped(str)`` (early
  stopping ended the run; Play pauses), ``message(str)``,
  ``unitHovered(int, int)`` (dense layer index from 0 and unit, or -1, -1).
- ``axesChanged``: the two inputs on the output plot's axes changed (:meth:`Session.set_axes`);
  the grid, and so the boundary and every thumbnail, now shows that slice.

Data: the toy generators (:meth:`set_data`), or any :class:`~nnviz.data.dataset.Dataset` — a CSV file or
a bundled table — through :meth:`set_dataset`. On data with two inputs, points can be added and
removed by hand (:meth:`add_point`, :meth:`remove_nearest`, :meth:`clear_points`); the run goes
on with the same weights on the new rows.
"""
from __future__ import annotations

import time
import weakref

from PySide6.QtCore import QObject, QTimer, Signal

from nnviz.experiment import Config, Experiment
from ui.paint_cache import settle_layouts
from ui.model import EVENTS, GRID_RESOLUTION, MAX_CANVAS_UNITS, AppModel, default_config

__all__ = ["Session", "default_config", "train_budget", "SPEEDS", "SPEED_NAMES", "DEFAULT_SPEED",
           "MAX_CANVAS_UNITS", "GRID_RESOLUTION"]

FRAME_SECONDS = 1 / 60
TRAIN_BUDGET = 0.008             # least training per Play frame (seconds)
MAX_TRAIN_BUDGET = 0.1          # most, however slow the redraw
SLOWEST_FRAME = 1 / 20          # Play keeps at least 20 redraws a second while it can


def train_budget(redraw: float) -> float:
    """Seconds of training in a Play frame whose redraw takes ``redraw`` seconds.

    The rest of a 60 Hz frame; when the redraw takes longer, 1.5× the redraw (training keeps
    60 % of the GUI thread), shortened to keep 20 frames a second, but never below the redraw
    itself (training always keeps at least half the thread); at least ``TRAIN_BUDGET``, at
    most ``MAX_TRAIN_BUDGET``.
    """
    r = redraw
    return min(max(FRAME_SECONDS - r, TRAIN_BUDGET, r, min(1.5 * r, SLOWEST_FRAME - r)),
               MAX_TRAIN_BUDGET)
# Play's speeds in training steps per second, paced by the clock (a frame trains the steps
# due since the last one); 0 = as many as fit the frame's budget. The first is the default: the
# circle problem then takes about 20 s to learn, slow enough to watch the boundary form. The
# indices are those saved sessions remember (1–6 were 2…1000 steps a frame at 60 frames a
# second, the same rates).
SPEEDS = (40, 120, 300, 1200, 6000, 60000, 0)
SPEED_NAMES = ("40 steps/s (watchable)", "120 steps/s", "300 steps/s", "1,200 steps/s",
               "6,000 steps/s", "60,000 steps/s", "as fast as possible")
DEFAULT_SPEED = 0
MAX_CATCH_UP = 0.25     # s: after a stall, Play trains at most this long's steps at once

#: The model's attributes and methods the session reads and writes through (see _Forward).
FORWARDED = (
    # the run (ui.model.run)
    "config", "exp", "version", "model", "network", "trainer", "dataset", "task", "generated",
    "parameter_text", "set_features", "set_hidden", "add_neuron", "remove_neuron",
    "add_layer", "remove_layer", "undo", "redo", "undo_text", "redo_text", "forget_undo",
    "begin_run", "back_to_run_start", "back_to_best_epoch", "best_epoch",
    "set_activation", "set_init", "set_reduction", "set_data", "regenerate", "set_dataset",
    "set_standardize_target",
    "set_training", "set_lr", "set_batch_size", "set_optimizer", "set_regularization",
    "set_lr_schedule", "set_early_stopping",
    "initial_state", "reset", "reinitialize", "set_weight", "set_bias",
    # runs pinned for comparison (ui.model.runs)
    "pinned", "pin_run", "unpin", "set_pinned", "differences", "current_run", "train_seconds",
    "runs_csv", "history_csv",
    # hand-edited points (ui.model.points)
    "added_rows", "can_edit_points", "add_point", "remove_nearest", "clear_points", "save_data",
    # stepping and the step-through cursor (ui.model.cursor)
    "stages", "stage_index", "step_in_progress", "batch_loss_under_way", "step_operation",
    "previous_operation",
    "show_stage", "step_batch", "step_epoch",
    # the axes and the grid (ui.model.axes)
    "plot_axes", "set_axes", "held_values", "grid", "grid_outputs",
    # what views tell the others
    "report", "hover_unit",
)


class _Forward:
    """A session attribute that is the model's: read from it and written to it."""

    def __init__(self, name: str):
        self.name = name
        self.__doc__ = f"``app_model.{name}`` (see :class:`ui.model.AppModel`)."

    def __get__(self, session, owner=None):
        if session is None:
            return self
        return getattr(session.app_model, self.name)

    def __set__(self, session, value):
        setattr(session.app_model, self.name, value)


def _relay(session: "Session", name: str):
    """A handler for the model's event ``name`` that emits the session's signal of that name
    (``diverged`` and ``stopped`` pause Play first). It holds the session weakly: the model
    must not keep its adapter alive, or the QObject would wait for the cyclic GC to go, at a
    moment pyqtgraph's items may be half torn down."""
    ref = weakref.ref(session)

    def relay(*args):
        s = ref()
        if s is not None:
            if name in ("diverged", "stopped"):   # training ended: pause, then tell the views
                s.pause()
            getattr(s, name).emit(*args)
            if name == "structureChanged":
                # The views have shown, hidden and relabelled widgets: lay them out and mark
                # them for painting now, so that the paint already queued shows them (done by
                # the event loop, it came after that paint and painted them again).
                settle_layouts()
    return relay


class Session(QObject):
    structureChanged = Signal()
    paramsChanged = Signal()
    historyChanged = Signal()
    stageChanged = Signal(object)
    playingChanged = Signal(bool)
    settingsChanged = Signal()
    diverged = Signal(str)
    stopped = Signal(str)
    message = Signal(str)
    unitHovered = Signal(int, int)
    axesChanged = Signal()
    undoChanged = Signal()
    runsChanged = Signal()

    def __init__(self, config: Config | None = None, parent=None):
        super().__init__(parent)
        self.app_model = AppModel(config)
        for name in EVENTS:
            self.app_model.events.connect(name, _relay(self, name))
        self.speed = DEFAULT_SPEED
        self._credit = 0.0             # steps due at a paced speed, not yet trained
        self._paced_at = None
        self.steps_per_second = 0.0
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self._tick)
        self._playing = False
        self._rate_steps = 0
        self._rate_start = time.perf_counter()
        self._tick_end = None           # Play's frame clock: see _tick
        self._tick_wait = self._update_seconds = self._redraw_seconds = 0.0

    def adopt(self, exp: Experiment, initial: tuple, added=None, axes=None):
        """Pause, then continue a saved run (:meth:`ui.model.AppModel.adopt`)."""
        self.pause()
        self.app_model.adopt(exp, initial, added, axes)

    def open_worked_example(self, exp: Experiment):
        """Pause, then make a typed problem's run the current one (undoable)."""
        self.pause()
        self.app_model.open_worked_example(exp)

    def set_speed(self, index: int):
        self.speed = max(0, min(len(SPEEDS) - 1, int(index)))
        self._credit, self._paced_at = 0.0, None
        self.settingsChanged.emit()

    def steps_due(self, now: float) -> int:
        """How many steps Play trains in the frame at time ``now`` (seconds): at a paced speed
        the steps its rate owes since the last frame (at most MAX_CATCH_UP seconds' worth);
        as fast as possible, all that fit the budget (a large number)."""
        rate = SPEEDS[self.speed]
        if not rate:
            return 1 << 30
        last = self._paced_at if self._paced_at is not None else now - FRAME_SECONDS
        self._paced_at = now
        self._credit = min(self._credit + rate * max(0.0, now - last), rate * MAX_CATCH_UP + 1)
        due = int(self._credit)
        self._credit -= due
        return due

    # --- play ----------------------------------------------------------------------------
    @property
    def playing(self) -> bool:
        return self._playing

    def play(self):
        if self._playing:
            return
        self.app_model.finish_pending_step()
        self.trainer.clear_divergence()
        self.app_model.begin_run()
        self._playing = True
        self._rate_steps, self._rate_start = 0, time.perf_counter()
        self._tick_end = None
        self._credit, self._paced_at = 1.0, None   # the first frame trains a step at once
        self._timer.start(0)
        self.playingChanged.emit(True)

    def pause(self):
        if not self._playing:
            return
        self._playing = False
        self._timer.stop()
        self.playingChanged.emit(False)

    def _tick(self):
        if not self._playing:
            return
        start = time.perf_counter()
        if self._tick_end is not None:  # the last redraw: the views' updates, then their paint
            paint = max(0.0, start - self._tick_end - self._tick_wait)
            self._redraw_seconds = 0.5 * (self._redraw_seconds + self._update_seconds + paint)
        epoch = self.trainer.epoch_count
        limit = self.steps_due(start)
        budget = train_budget(self._redraw_seconds)
        done = self.trainer.run_for(budget, limit) if limit else 0
        self.app_model.add_train_time(time.perf_counter() - start)
        if SPEEDS[self.speed]:
            self._credit += limit - done     # steps the budget had no time for stay due
        self._rate_steps += done
        now = time.perf_counter()
        if now - self._rate_start >= 0.5:
            self.steps_per_second = self._rate_steps / (now - self._rate_start)
            self._rate_steps, self._rate_start = 0, now
        updating = time.perf_counter()
        if done or not SPEEDS[self.speed]:   # a paced frame with no step due draws nothing new
            self.app_model.after_steps(epoch)
        self._tick_end = time.perf_counter()
        self._update_seconds = self._tick_end - updating
        if self._playing:
            paint = max(0.0, self._redraw_seconds - self._update_seconds)
            self._tick_wait = max(0.0, FRAME_SECONDS - (self._tick_end - start) - paint)
            self._timer.start(int(self._tick_wait * 1000))

    def shutdown(self):
        """Stop the timer (the window is closing)."""
        self.pause()
        self._timer.stop()


for _name in FORWARDED:
    setattr(Session, _name, _Forward(_name))
del _name
