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
- ``axesChanged``: the two inputs on the output plot's axes changed (:meth:`Session.set_axes`);
  the grid, and so the boundary and every thumbnail, now shows that slice.

Data: the toy generators (:meth:`set_data`), or any :class:`~nnviz.data.dataset.Dataset` — a CSV file or
a bundled table — through :meth:`set_dataset`. On data with two inputs, points can be added and
removed by hand (:meth:`add_point`, :meth:`remove_nearest`, :meth:`clear_points`); the run goes
on with the same weights on the new rows.
"""
from __future__ import annotations

import time
from dataclasses import replace

import numpy as np
from PySide6.QtCore import QObject, QTimer, Signal

from nnviz import settings
from nnviz.core.trainer import TRAINING_SETTINGS
from nnviz.data import csvdata
from nnviz.core import init as init_mod
from nnviz.data.dataset import Dataset
from nnviz.errors import NnvizError
from nnviz.experiment import Config, Experiment, build
from nnviz.core.grid import Grid
from nnviz.core.network import transfer_weights

MAX_CANVAS_UNITS = 32
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
    axesChanged = Signal()

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
        self._axes: tuple[int, int] | None = None   # None: pick on first use
        self._extent = None                          # grid limits kept while points are edited
        self._added = np.zeros(self.dataset.n_samples, dtype=bool)  # rows added by hand
        self._remember_initial()
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self._tick)
        self._playing = False
        self._rate_steps = 0
        self._rate_start = time.perf_counter()
        self._tick_end = None           # Play's frame clock: see _tick
        self._tick_wait = self._update_seconds = self._redraw_seconds = 0.0

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

    @property
    def generated(self) -> bool:
        """True for a toy generator's data, False for a table (CSV, bundled)."""
        return "generator" in self.dataset.source

    # --- the grid over the input plane (boundary and per-unit maps) ---------------------
    def plot_axes(self) -> tuple[int, int]:
        """(x, y): the inputs (indices into ``model.inputs``) on the output plot's axes. One
        input: (0, 0), and the plot is a line of ŷ over it."""
        n = len(self.model.inputs)
        if self._axes is None or max(self._axes) >= n or (n > 1 and self._axes[0] == self._axes[1]):
            self._axes = self._default_axes()
        return self._axes

    def _default_axes(self) -> tuple[int, int]:
        """Two inputs: both. More: the input most correlated with the target on the training
        rows, then the one adding most beside it (|r(xⱼ, y)|·√(1 − r(xⱼ, x)²))."""
        n = len(self.model.inputs)
        if n <= 2:
            return (0, min(1, n - 1))
        rows = self.exp.train_idx[:5000]     # the split is shuffled: a fair sample of a big table
        X, y = self.dataset.X[rows], self.dataset.y[rows]
        with np.errstate(all="ignore"):
            C = np.corrcoef(np.column_stack([X, y]), rowvar=False)
        C = np.nan_to_num(C, nan=0.0)
        r_y = np.abs(C[:n, n])
        first = int(np.argmax(r_y))
        score = r_y * np.sqrt(np.clip(1.0 - C[:n, first] ** 2, 0.0, 1.0))
        score[first] = -1.0
        return first, int(np.argmax(score))

    def set_axes(self, x: int, y: int):
        """Plot inputs x and y (indices into ``model.inputs``); the others stay at their mean
        over the training rows."""
        n = len(self.model.inputs)
        x, y = int(x), int(y)
        if not (0 <= x < n and 0 <= y < n):
            raise NnvizError(f"the axes must be two of the {n} inputs")
        if n > 1 and x == y:
            raise NnvizError("choose two different inputs for the two axes")
        if (x, y) == self.plot_axes():
            return
        self._axes = (x, y)
        self._extent = None
        self._invalidate_grid()
        self.axesChanged.emit()

    def held_values(self) -> np.ndarray:
        """(n_inputs,) the value of every input off the plot's axes: its mean over the
        training rows."""
        return self.dataset.X[self.exp.train_idx].mean(axis=0)

    def _invalidate_grid(self):
        self._grid = None
        self._grid_version = -1

    def grid(self) -> Grid:
        """The grid of the output plot: inputs ``plot_axes()`` over the data's range (5 % margin),
        the other inputs at their training mean. One input: x over its range, ys over the
        targets' (every row of the grid is the same line)."""
        if self._grid is None:
            X, yv = self.dataset.X, self.dataset.y
            ax = self.plot_axes()
            if self._extent is not None:
                xlim, ylim = self._extent
            else:
                cols = [X[:, ax[0]], yv if ax[0] == ax[1] else X[:, ax[1]]]
                lims = []
                for v in cols:
                    lo, hi = float(v.min()), float(v.max())
                    pad = 0.05 * max(hi - lo, 1e-9)
                    lims.append((lo - pad, hi + pad))
                xlim, ylim = lims
            self._grid = Grid(self.model, xlim, ylim, GRID_RESOLUTION, ax[0], ax[1],
                              fixed=self.held_values())
        return self._grid

    def grid_outputs(self) -> list[np.ndarray]:
        """Per dense layer, (res, res, units) float32 outputs; cached until the weights change."""
        if self._grid_version != self.version:
            self._grid_outputs = self.grid().evaluate(self.network)
            self._grid_version = self.version
        return self._grid_outputs

    # --- changes of structure ------------------------------------------------------------
    def _rebuild(self, config: Config, *, regenerate: bool = False, keep_weights: bool = True,
                 dataset: Dataset | None = None):
        """Build a new run from ``config`` (on ``dataset``, the current data, or freshly generated
        data); the current one stays if that fails."""
        old = self.exp
        data = dataset if dataset is not None else None if regenerate else old.dataset
        try:
            exp = build(config, data)
        except NnvizError as exc:
            self.message.emit(str(exc))
            raise
        if exp.dataset is not old.dataset:
            self._added = np.zeros(exp.dataset.n_samples, dtype=bool)
            self._extent = None
            if list(exp.dataset.inputs) != list(old.dataset.inputs):
                self._axes = None
        if keep_weights and exp.network.activations == old.network.activations:
            in_map = [old.model.features.index(f) if f in old.model.features else None
                      for f in exp.model.features]
            if len(exp.network.sizes) == len(old.network.sizes):
                transfer_weights(old.network, exp.network, in_map)
        same_grid = self._grid is not None and self._same_features(old, exp)
        self.config = config
        self.exp = exp
        self._after_structure_change(keep_grid=same_grid)

    @staticmethod
    def _same_features(old: Experiment, new: Experiment) -> bool:
        """True when ``new`` turns raw inputs into the same scaled features as ``old`` and holds
        the off-axis inputs at the same values: the same data, training rows, features and
        scaler. The grid's features (``Grid.__init__``: the model's transform of res² rows, a
        few ms on a 30-input table) are then the same; only the network over them changed."""
        if new.dataset is not old.dataset or list(new.model.features) != list(old.model.features):
            return False
        if not np.array_equal(new.train_idx, old.train_idx):
            return False
        a, b = old.model.scaler, new.model.scaler
        if a is None or b is None:
            return a is b
        return np.array_equal(a.mean, b.mean) and np.array_equal(a.std, b.std)

    def _after_structure_change(self, keep_grid: bool = False):
        if not keep_grid:      # the grid's outputs are recomputed anyway: version changes below
            self._invalidate_grid()
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
        """Change dataset/samples/noise/test_ratio/seed and regenerate the data. With a table
        loaded (not generated), only naming a toy ``dataset`` replaces it; the other settings
        split the same table again."""
        config = replace(self.config, **changes)
        if not self.generated and "dataset" not in changes:
            self._rebuild(config, keep_weights=False)
            return
        if "dataset" in changes and not self.generated:
            config = replace(config, features=["x1", "x2"], task=None, loss=None, standardize=True)
        self._rebuild(config, regenerate=True, keep_weights=False)

    def regenerate(self):
        """Draw the toy data again (a table is split again instead)."""
        self._rebuild(self.config, regenerate=self.generated, keep_weights=False)

    def set_dataset(self, dataset: Dataset, features=None, *, standardize: bool = True,
                    test_ratio: float | None = None, seed: int | None = None):
        """Train on ``dataset`` (a CSV file, a bundled table, edited points): the first layer
        takes ``features`` (default: every input column), new weights are drawn. Raises
        NnvizError (a constant column, too few rows for the split, …) and keeps the current
        run when the new one cannot be built."""
        if not isinstance(dataset, Dataset):
            raise TypeError("dataset must be a nnviz.data.dataset.Dataset")
        feats = list(dataset.inputs) if features is None else list(features)
        if not feats:
            raise NnvizError("select at least one input column")
        config = replace(self.config, dataset=dataset.name or "data", features=feats, task=None,
                         loss=None, standardize=bool(standardize),
                         test_ratio=self.config.test_ratio if test_ratio is None else test_ratio,
                         seed=self.config.seed if seed is None else seed)
        self._rebuild(config, keep_weights=False, dataset=dataset)

    # --- points by hand (two-input data) -----------------------------------------------
    @property
    def added_rows(self) -> np.ndarray:
        """(n,) bool: the rows of ``dataset`` added by hand."""
        return self._added

    def can_edit_points(self) -> bool:
        return self.dataset.n_inputs == 2

    def add_point(self, x: float, y: float, target: float):
        """Add a training row (x, y) → target (0 or 1 for classification) and go on training
        with the same weights."""
        if not self.can_edit_points():
            raise NnvizError("points can be added by hand only to data with two inputs")
        x, y, target = float(x), float(y), float(target)
        if not all(np.isfinite(v) for v in (x, y, target)):
            raise NnvizError("a point needs finite coordinates and target")
        if self.task == "classification" and target not in (0.0, 1.0):
            raise NnvizError(f"a class is 0 or 1, not {target:g}")
        ds, n = self.dataset, self.dataset.n_samples
        row = np.empty((1, 2))
        row[0, list(self.plot_axes())] = (x, y)     # (x, y) as on the plot's axes
        self._edit_data(np.vstack([ds.X, row]), np.append(ds.y, target),
                        np.append(self.exp.train_idx, n), self.exp.test_idx,
                        np.append(self._added, True))

    def remove_nearest(self, x: float, y: float) -> bool:
        """Remove the point nearest (x, y) on the plot (distances relative to the plot's
        extent); False when it cannot go (too few rows would be left)."""
        if not self.can_edit_points():
            raise NnvizError("points can be removed by hand only from data with two inputs")
        ax = self.plot_axes()
        g = self.grid()
        span = np.array([g.xlim[1] - g.xlim[0], g.ylim[1] - g.ylim[0]])
        P = self.dataset.X[:, list(ax)]
        i = int(np.argmin((((P - [x, y]) / span) ** 2).sum(axis=1)))
        keep = np.ones(self.dataset.n_samples, dtype=bool)
        keep[i] = False
        return self._remove_rows(keep)

    def clear_points(self) -> int:
        """Remove every point added by hand; returns how many went."""
        count = int(self._added.sum())
        if count and not self._remove_rows(~self._added):
            return 0
        if not count:
            self.message.emit("there are no points added by hand to clear")
        return count

    def _remove_rows(self, keep: np.ndarray) -> bool:
        new_index = np.cumsum(keep) - 1
        train = new_index[self.exp.train_idx[keep[self.exp.train_idx]]]
        test = new_index[self.exp.test_idx[keep[self.exp.test_idx]]]
        if len(train) < 2 or (len(self.exp.test_idx) and len(test) < 2):
            self.message.emit("that point stays: at least 2 training and 2 test points are needed")
            return False
        ds = self.dataset
        self._edit_data(ds.X[keep], ds.y[keep], train, test, self._added[keep])
        return True

    def _edit_data(self, X, y, train_idx, test_idx, added):
        """The same run on edited rows: same features, scaling and weights; the split of the
        old rows kept, new rows train; a new trainer (step 0) with the same settings."""
        ds, exp = self.dataset, self.exp
        data = Dataset(X, y, ds.inputs, ds.task, name=ds.name, target=ds.target,
                       class_names=ds.class_names, source={**ds.source, "edited": True})
        if self._grid is not None:  # the plot stays put while the points are inside it
            g = self._grid
            P = X[:, list(self.plot_axes())]
            inside = ((P[:, 0] >= g.xlim[0]) & (P[:, 0] <= g.xlim[1])
                      & (P[:, 1] >= g.ylim[0]) & (P[:, 1] <= g.ylim[1])).all()
            self._extent = (g.xlim, g.ylim) if inside else None
        F = exp.model.transform(X)
        exp.dataset, exp.train_idx, exp.test_idx = data, np.asarray(train_idx, np.int64), \
            np.asarray(test_idx, np.int64)
        exp.F_train, exp.F_test = F[exp.train_idx], F[exp.test_idx]
        self._drop_stages()
        exp.restart()
        self._added = np.asarray(added, dtype=bool)
        self._after_structure_change()

    def save_data(self, path):
        """Write the current data (with points added by hand) as a CSV file."""
        csvdata.write_dataset(self.dataset, path)

    # --- training settings (no rebuild: the run goes on) --------------------------------
    def set_training(self, **changes):
        """Change settings the run takes as it goes (``TRAINING_SETTINGS``): each value is
        checked against its declaration first, so a bad one changes nothing."""
        unknown = set(changes) - set(TRAINING_SETTINGS)
        if unknown:
            raise KeyError(f"not a training setting: {', '.join(sorted(unknown))}")
        values = {name: settings.check(name, v) for name, v in changes.items()}
        for name, v in values.items():
            setattr(self.config, name, v)
        self.settingsChanged.emit()

    def set_lr(self, value: float):
        value = settings.check("lr", value)
        self.trainer.clear_divergence()     # a new rate may go on where the old one diverged
        self.set_training(lr=value)

    def set_batch_size(self, value: int | None):
        self.set_training(batch_size=value)

    def set_optimizer(self, name: str):
        self.set_training(optimizer=name)

    def set_regularization(self, l1: float, l2: float):
        self.set_training(l1=l1, l2=l2)

    def set_speed(self, index: int):
        self.speed = max(0, min(len(SPEEDS) - 1, int(index)))
        self.settingsChanged.emit()

    # --- weights -------------------------------------------------------------------------
    def _remember_initial(self):
        self._initial = (self.network.params.copy(), self.exp.rng.bit_generator.state)

    @property
    def initial_state(self) -> tuple:
        """(initial parameters, Generator state at them): what :meth:`reset` returns to."""
        return self._initial

    def adopt(self, exp: Experiment, initial: tuple, added=None, axes=None):
        """Continue a saved run (see ``nnviz.io.session_file``): its experiment as it was, the
        initial weights and Generator state :meth:`reset` goes back to, hand-added rows, axes."""
        self.pause()
        self.config = exp.config
        self.exp = exp
        self._added = (np.zeros(exp.dataset.n_samples, bool) if added is None
                       else np.asarray(added, dtype=bool))
        self._axes = tuple(axes) if axes is not None else None
        self._extent = None
        self._after_structure_change()
        self._initial = (np.array(initial[0], dtype=np.float64), initial[1])

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
        self._tick_end = None
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
        limit = SPEEDS[self.speed] or (1 << 30)
        budget = train_budget(self._redraw_seconds)
        done = self.trainer.run_for(budget, limit)
        self._rate_steps += done
        now = time.perf_counter()
        if now - self._rate_start >= 0.5:
            self.steps_per_second = self._rate_steps / (now - self._rate_start)
            self._rate_steps, self._rate_start = 0, now
        updating = time.perf_counter()
        self._after_steps(epoch)
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
