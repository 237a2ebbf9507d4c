"""The app's model: one :class:`Session` owns the engine state and tells the views what changed.

Views receive the session, connect its signals to their ``_on_*`` handlers and only draw; they
never compute the math. The session never touches a widget.

Signals
- ``structureChanged``: data, features or the network's shape changed (views rebuild items).
- ``paramsChanged``: weights changed (a step, a reset, an edit); emitted at most once per frame
  while playing.
- ``historyChanged``: a new epoch was recorded (or the history was cleared).
- ``stageChanged(object)``: the stage shown by the step-through panel (a Stage or None).
- ``playingChanged(bool)``, ``settingsChanged``, ``diverged(str)``, ``message(str)``,
  ``unitHovered(int, int)`` (dense layer index from 0 and unit, or -1, -1).
"""
from __future__ import annotations

import time
from dataclasses import replace

import numpy as np
from PySide6.QtCore import QObject, QTimer, Signal

from nnviz import init as init_mod
from nnviz.errors import NnvizError
from nnviz.experiment import Config, Experiment, build
from nnviz.grid import Grid
from nnviz.network import MAX_UNITS, transfer_weights

MAX_CANVAS_UNITS = 32
FRAME_SECONDS = 1 / 60
TRAIN_BUDGET = 0.008
SPEEDS = (1, 2, 5, 20, 100, 1000, 0)  # max steps per frame; 0 = as many as fit the budget
SPEED_NAMES = ("1 step/frame", "2 steps/frame", "5 steps/frame", "20 steps/frame",
               "100 steps/frame", "1000 steps/frame", "as fast as possible")
GRID_RESOLUTION = 100


def default_config() -> Config:
    """The session a new window opens with: circle, x1 x2, 4 tanh units, lr 0.03, batch 10."""
    return Config(dataset="circle", samples=500, noise=0.0, test_ratio=0.5, seed=1,
                  features=["x1", "x2"], hidden=[4], activation="tanh", lr=0.03, batch_size=10)


class Session(QObject):
    structureChanged = Signal()
    paramsChanged = Signal()
    historyChanged = Signal()
    stageChanged = Signal(object)
    playingChanged = Signal(bool)
    settingsChanged = Signal()
    diverged = Signal(str)
    message = Signal(str)
    unitHovered = Signal(int, int)

    def __init__(self, config: Config | None = None, parent=None):
        super().__init__(parent)
        self.config = config or default_config()
        self.exp: Experiment = build(self.config)
        self.version = 0
        self.speed = len(SPEEDS) - 1
        self.steps_per_second = 0.0
        self.stages: list = []
        self.stage_index = -1
        self._stage_gen = None
        self._grid: Grid | None = None
        self._grid_outputs = None
        self._grid_version = -1
        self._remember_initial()
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self._tick)
        self._playing = False
        self._rate_steps = 0
        self._rate_start = time.perf_counter()

    # --- read-only views of the engine ---------------------------------------------------
    @property
    def model(self):
        return self.exp.model

    @property
    def network(self):
        return self.exp.model.network

    @property
    def trainer(self):
        return self.exp.trainer

    @property
    def dataset(self):
        return self.exp.dataset

    @property
    def task(self) -> str:
        return self.exp.model.task

    def parameter_text(self) -> str:
        return self.network.parameter_formula()

    # --- the grid over the input plane (boundary and per-unit maps) ---------------------
    def grid(self) -> Grid:
        if self._grid is None:
            X = self.dataset.X
            axes = [0, min(1, X.shape[1] - 1)]  # one raw input: the same column on both axes
            lo, hi = X[:, axes].min(axis=0), X[:, axes].max(axis=0)
            pad = 0.05 * np.maximum(hi - lo, 1e-9)
            self._grid = Grid(self.model, (lo[0] - pad[0], hi[0] + pad[0]),
                              (lo[1] - pad[1], hi[1] + pad[1]), GRID_RESOLUTION,
                              axes[0], axes[1], fixed=X.mean(axis=0))
        return self._grid

    def grid_outputs(self) -> list[np.ndarray]:
        """Per dense layer, (res, res, units) float32 outputs; cached until the weights change."""
        if self._grid_version != self.version:
            self._grid_outputs = self.grid().evaluate(self.network)
            self._grid_version = self.version
        return self._grid_outputs

    # --- changes of structure ------------------------------------------------------------
    def _rebuild(self, config: Config, *, regenerate: bool = False, keep_weights: bool = True):
        """Build a new run from ``config``; the current one stays if that fails."""
        old = self.exp
        try:
            exp = build(config, None if regenerate else old.dataset)
        except NnvizError as exc:
            self.message.emit(str(exc))
            raise
        if keep_weights and exp.network.activations == old.network.activations:
            in_map = [old.model.features.index(f) if f in old.model.features else None
                      for f in exp.model.features]
            if len(exp.network.sizes) == len(old.network.sizes):
                transfer_weights(old.network, exp.network, in_map)
        self.config = config
        self.exp = exp
        self._after_structure_change()

    def _after_structure_change(self):
        self._grid = None
        self._drop_stages()
        self._remember_initial()
        self.version += 1
        self.structureChanged.emit()
        self.paramsChanged.emit()
        self.historyChanged.emit()
        self.settingsChanged.emit()

    def set_features(self, features: list[str]):
        if not features:
            raise NnvizError("select at least one input feature")
        self._rebuild(replace(self.config, features=list(features)))

    def set_hidden(self, hidden: list[int]):
        for m in hidden:
            if not 1 <= m <= MAX_CANVAS_UNITS:
                raise NnvizError(f"hidden units must be between 1 and {MAX_CANVAS_UNITS} (got {m})")
        self._rebuild(replace(self.config, hidden=list(hidden)))

    def add_neuron(self, layer: int = 0):
        hidden = list(self.config.hidden)
        if hidden[layer] >= MAX_CANVAS_UNITS:
            self.message.emit(f"a hidden layer has at most {MAX_CANVAS_UNITS} units here")
            return
        hidden[layer] += 1
        self.set_hidden(hidden)

    def remove_neuron(self, layer: int = 0):
        hidden = list(self.config.hidden)
        if hidden[layer] <= 1:
            self.message.emit("a hidden layer needs at least one unit")
            return
        hidden[layer] -= 1
        self.set_hidden(hidden)

    def set_activation(self, name: str):
        self._rebuild(replace(self.config, activation=name), keep_weights=False)

    def set_init(self, name: str):
        self._rebuild(replace(self.config, init=name), keep_weights=False)

    def set_reduction(self, name: str):
        self._rebuild(replace(self.config, reduction=name))

    def set_data(self, **changes):
        """Change dataset/samples/noise/test_ratio/seed and regenerate the data."""
        self._rebuild(replace(self.config, **changes), regenerate=True, keep_weights=False)

    def regenerate(self):
        self._rebuild(self.config, regenerate=True, keep_weights=False)

    # --- training settings (no rebuild: the run goes on) --------------------------------
    def set_lr(self, value: float):
        self.trainer.lr = value
        self.config.lr = self.trainer.lr
        self.trainer.clear_divergence()
        self.settingsChanged.emit()

    def set_batch_size(self, value: int | None):
        self.trainer.batch_size = value
        self.config.batch_size = value
        self.settingsChanged.emit()

    def set_optimizer(self, name: str):
        self.trainer.set_optimizer(name)
        self.config.optimizer = name
        self.settingsChanged.emit()

    def set_regularization(self, l1: float, l2: float):
        self.trainer.l1, self.trainer.l2 = l1, l2
        self.config.l1, self.config.l2 = self.trainer.l1, self.trainer.l2
        self.settingsChanged.emit()

    def set_speed(self, index: int):
        self.speed = max(0, min(len(SPEEDS) - 1, int(index)))
        self.settingsChanged.emit()

    # --- weights -------------------------------------------------------------------------
    def _remember_initial(self):
        self._initial = (self.network.params.copy(), self.exp.rng.bit_generator.state)

    def reset(self):
        """Back to the initial weights, step 0 and the same random sequence: the same run again."""
        self._drop_stages()
        params, state = self._initial
        self.exp.restart(params, state)
        self._params_changed(history=True)

    def reinitialize(self):
        """A new draw of the weights from the run's generator; training starts over."""
        self._drop_stages()
        init_mod.initialize(self.network, self.config.init, self.exp.rng)
        self._remember_initial()
        self.exp.restart()
        self._params_changed(history=True)

    def set_weight(self, layer: int, i: int, j: int, value: float):
        """Set W⁽layer+1⁾[i, j] (a user's edit on the canvas)."""
        value = float(value)
        if not np.isfinite(value) or abs(value) > 1e6:
            raise NnvizError("a weight must be a finite number between −1e6 and 1e6")
        self._drop_stages()
        self.network.dense[layer].W[i, j] = value
        self._params_changed()

    def set_bias(self, layer: int, j: int, value: float):
        value = float(value)
        if not np.isfinite(value) or abs(value) > 1e6:
            raise NnvizError("a bias must be a finite number between −1e6 and 1e6")
        self._drop_stages()
        self.network.dense[layer].b[j] = value
        self._params_changed()

    def _params_changed(self, history: bool = False):
        self.version += 1
        self.paramsChanged.emit()
        if history:
            self.historyChanged.emit()

    # --- stepping ------------------------------------------------------------------------
    def _drop_stages(self):
        self._stage_gen = None
        if self.stages:
            self.stages = []
            self.stage_index = -1
            self.stageChanged.emit(None)

    def _finish_pending_step(self) -> bool:
        """Run the rest of a step begun operation by operation; True if there was one."""
        if self._stage_gen is None:
            return False
        for stage in self._stage_gen:
            self.stages.append(stage)
        self._stage_gen = None
        self.stage_index = len(self.stages) - 1
        self.stageChanged.emit(self.stages[-1] if self.stages else None)
        return True

    def step_operation(self):
        """Run the next operation of the current step (starting a new step when needed)."""
        if self.stage_index < len(self.stages) - 1:  # walking forward through recorded stages
            self.stage_index += 1
            self.stageChanged.emit(self.stages[self.stage_index])
            return
        epoch_before = self.trainer.epoch_count
        if self._stage_gen is None:
            if self.trainer.diverged:
                self._report_divergence()
                return
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
        elif self.trainer.diverged:
            self._stage_gen = None
            self._report_divergence()
        self.stageChanged.emit(stage)

    def previous_operation(self):
        """Show the previous recorded stage; never recomputes or changes the network."""
        if self.stage_index > 0:
            self.stage_index -= 1
            self.stageChanged.emit(self.stages[self.stage_index])

    def show_stage(self, index: int):
        if 0 <= index < len(self.stages):
            self.stage_index = index
            self.stageChanged.emit(self.stages[index])

    def step_batch(self):
        epoch = self.trainer.epoch_count
        if not self._finish_pending_step():
            self.trainer.step()
        self._after_steps(epoch)

    def step_epoch(self):
        epoch = self.trainer.epoch_count
        self._finish_pending_step()
        if self.trainer.pos != 0 or self.trainer.epoch_count == epoch:
            self.trainer.epoch()
        self._after_steps(epoch)

    def _after_steps(self, epoch_before: int):
        self._params_changed(history=self.trainer.epoch_count != epoch_before)
        if self.trainer.diverged:
            self._report_divergence()

    def _report_divergence(self):
        self.pause()
        self.diverged.emit(self.trainer.diverged.message)

    # --- play ----------------------------------------------------------------------------
    @property
    def playing(self) -> bool:
        return self._playing

    def play(self):
        if self._playing:
            return
        self._finish_pending_step()
        self.trainer.clear_divergence()
        self._playing = True
        self._rate_steps, self._rate_start = 0, time.perf_counter()
        self._timer.start(0)
        self.playingChanged.emit(True)

    def pause(self):
        if not self._playing:
            return
        self._playing = False
        self._timer.stop()
        self.playingChanged.emit(False)

    def toggle_play(self):
        self.pause() if self._playing else self.play()

    def _tick(self):
        if not self._playing:
            return
        start = time.perf_counter()
        epoch = self.trainer.epoch_count
        limit = SPEEDS[self.speed] or (1 << 30)
        done = self.trainer.run_for(TRAIN_BUDGET, limit)
        self._rate_steps += done
        now = time.perf_counter()
        if now - self._rate_start >= 0.5:
            self.steps_per_second = self._rate_steps / (now - self._rate_start)
            self._rate_steps, self._rate_start = 0, now
        self._after_steps(epoch)
        if self._playing:
            elapsed = time.perf_counter() - start
            self._timer.start(max(0, int((FRAME_SECONDS - elapsed) * 1000)))

    def shutdown(self):
        """Stop the timer (the window is closing)."""
        self.pause()
        self._timer.stop()
