"""The run: its config and experiment, rebuilt when the data or the network's shape changes;
the settings it takes as it goes; the weights (reset, a new draw, edits by hand)."""
from __future__ import annotations

from dataclasses import replace

import numpy as np

from nnviz import settings
from nnviz.core import init as init_mod
from nnviz.core.network import depth_change_map, transfer_weights
from nnviz.core.early_stopping import NEEDS_TEST_SET
from nnviz.core.trainer import TRAINING_SETTINGS
from nnviz.data.dataset import Dataset
from nnviz.errors import NnvizError
from nnviz.experiment import Config, Experiment, build

from .undo import undoable

MAX_CANVAS_UNITS = 32
MAX_CANVAS_LAYERS = 6      # hidden layers the canvas draws (the engine takes more)
NEW_LAYER_UNITS = 4        # a first hidden layer's width (a later one copies its neighbour's)


def default_config() -> Config:
    """The session a new window opens with: circle, x1 x2, 4 tanh units, lr 0.03, batch 10."""
    return Config(dataset="circle", samples=500, noise=0.0, test_ratio=0.5, seed=1,
                  features=["x1", "x2"], hidden=[4], activation="tanh", lr=0.03, batch_size=10)


def _data_label(**changes) -> str:
    """Edit › Undo's name for :meth:`RunMixin.set_data`: the one setting changed ("Change the
    test ratio"), or "Change the data" for several."""
    if len(changes) == 1:
        return f"Change the {next(iter(changes)).replace('_', ' ')}"
    return "Change the data"


def check_fits_canvas(network, what: str) -> None:
    """Raise NnvizError when the canvas cannot draw ``network`` (``what``: "these weights
    have", "this session has"): the command line takes any size, the app 32 units a layer and
    6 hidden layers."""
    hidden = network.hidden_sizes
    if max(hidden, default=1) > MAX_CANVAS_UNITS:
        raise NnvizError(f"{what} {max(hidden)} units in a layer; the app shows at most "
                         f"{MAX_CANVAS_UNITS}")
    if len(hidden) > MAX_CANVAS_LAYERS:
        raise NnvizError(f"{what} {len(hidden)} hidden layers; the app draws at most "
                         f"{MAX_CANVAS_LAYERS} (the command line takes them: nnviz predict, "
                         f"analyze, trace)")


def _same_activations(old, new) -> bool:
    """The layers both networks have use the same activations (a changed activation starts
    the weights afresh; a layer added or removed does not)."""
    common = min(old.n_layers, new.n_layers) - 1
    return (old.activations[:common] == new.activations[:common]
            and old.activations[-1] == new.activations[-1])


def _generated(dataset: Dataset) -> bool:
    """True for a toy generator's data, False for a table (CSV, bundled, typed)."""
    return "generator" in dataset.source


def _toy_settings(config: Config) -> dict:
    """The settings a table brings its own values for and the toy data takes back (a worked
    example's rows in their typed order, too: the app has no control for ``shuffle``)."""
    return {name: getattr(config, name) for name in ("test_ratio", "standardize_target", "shuffle")}


class RunMixin:
    """Part of :class:`ui.model.AppModel`. Owns ``config``, ``exp`` (the experiment),
    ``version`` (bumped whenever the weights or the structure change) and ``_initial`` (the
    weights and Generator state :meth:`reset` goes back to)."""

    def _init_run(self, config: Config | None):
        self.config = config or default_config()
        self.exp: Experiment = build(self.config)
        self.version = 0
        self._toy_data = _toy_settings(self.config)

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
        return _generated(self.dataset)

    # --- changes of structure ------------------------------------------------------------
    def _rebuild(self, config: Config, *, regenerate: bool = False, keep_weights=True,
                 dataset: Dataset | None = None):
        """Build a new run from ``config`` (on ``dataset``, the current data, or freshly generated
        data); the current one stays if that fails. ``keep_weights``: True keeps every weight
        that still applies to the new shape; "if they fit" keeps them all only when the new
        network has the very same shape, features and activations (new data for the same
        network), else draws new ones; False draws new ones."""
        old = self.exp
        data = dataset if dataset is not None else None if regenerate else old.dataset
        try:
            exp = build(config, data)
        except NnvizError as exc:
            self.report(str(exc))
            raise
        if exp.dataset is not old.dataset:
            self._forget_points(exp.dataset.n_samples)
            self._forget_axes(list(exp.dataset.inputs) != list(old.dataset.inputs))
        if keep_weights == "if they fit":
            keep_weights = (exp.network.sizes == old.network.sizes
                            and list(exp.model.features) == list(old.model.features))
        if keep_weights and _same_activations(old.network, exp.network):
            in_map = [old.model.features.index(f) if f in old.model.features else None
                      for f in exp.model.features]
            if len(exp.network.sizes) == len(old.network.sizes):
                transfer_weights(old.network, exp.network, in_map)
            elif exp.network.sizes[0] == old.network.sizes[0]:   # layers added or removed
                transfer_weights(old.network, exp.network, in_map,
                                 depth_change_map(old.network, exp.network))
        same_grid = self._grid is not None and self._same_features(old, exp)
        self._leaving_toy_data(exp)
        self.config = config
        self.exp = exp
        self._after_structure_change(keep_grid=same_grid)

    def _leaving_toy_data(self, new: Experiment):
        """Keep the toy data's own split and target scaling when a table replaces it (a
        sample's 0.30, a worked example's 0 and raw target are that table's): :meth:`set_data`
        gives them back with the toy data."""
        if self.generated and not _generated(new.dataset):
            self._toy_data = _toy_settings(self.config)

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
        # The stages go, but views hear of it after the new structure: until structureChanged
        # they draw the old network, which the dropped stages' event would mix with the new.
        dropped = self._drop_stages(quiet=True)
        self.version += 1
        self._remember_initial()
        for event in ("structureChanged", "settingsChanged"):   # (it stands for params and history)
            self.events.emit(event)
        if dropped:
            self.events.emit("stageChanged", None)

    @undoable("Change the features")
    def set_features(self, features: list[str]):
        if not features:
            raise NnvizError("select at least one input feature")
        self._rebuild(replace(self.config, features=list(features)))

    @undoable("Change the hidden layers")
    def set_hidden(self, hidden: list[int]):
        if len(hidden) > MAX_CANVAS_LAYERS:
            raise NnvizError(f"the app draws at most {MAX_CANVAS_LAYERS} hidden layers "
                             f"(got {len(hidden)})")
        for m in hidden:
            if not 1 <= m <= MAX_CANVAS_UNITS:
                raise NnvizError(f"hidden units must be between 1 and {MAX_CANVAS_UNITS} (got {m})")
        self._rebuild(replace(self.config, hidden=list(hidden)))

    @undoable("Add a layer")
    def add_layer(self):
        """A hidden layer more, before the output, as wide as the last hidden layer (the
        first one: NEW_LAYER_UNITS); the layers before it keep their weights."""
        hidden = list(self.config.hidden)
        if len(hidden) >= MAX_CANVAS_LAYERS:
            self.report(f"the app draws at most {MAX_CANVAS_LAYERS} hidden layers")
            return
        self.set_hidden(hidden + [hidden[-1] if hidden else NEW_LAYER_UNITS])

    @undoable("Remove a layer")
    def remove_layer(self):
        """The last hidden layer less (none left: the network is the linear model itself)."""
        hidden = list(self.config.hidden)
        if not hidden:
            self.report("there is no hidden layer to remove")
            return
        self.set_hidden(hidden[:-1])

    def _no_layer(self, layer: int) -> bool:
        """True (with a message) when hidden layer ``layer`` (from 0) does not exist."""
        if not self.config.hidden:
            self.report("there is no hidden layer: add one first (+ layer)")
            return True
        if not 0 <= layer < len(self.config.hidden):
            self.report(f"there is no hidden layer {layer + 1}")
            return True
        return False

    @undoable("Add a unit")
    def add_neuron(self, layer: int = 0):
        if self._no_layer(layer):
            return
        hidden = list(self.config.hidden)
        if hidden[layer] >= MAX_CANVAS_UNITS:
            self.report(f"a hidden layer has at most {MAX_CANVAS_UNITS} units here")
            return
        hidden[layer] += 1
        self.set_hidden(hidden)

    @undoable("Remove a unit")
    def remove_neuron(self, layer: int = 0):
        if self._no_layer(layer):
            return
        hidden = list(self.config.hidden)
        if hidden[layer] <= 1:
            self.report("a hidden layer needs at least one unit")
            return
        hidden[layer] -= 1
        self.set_hidden(hidden)

    @undoable("Change the activation")
    def set_activation(self, name: str):
        self._rebuild(replace(self.config, activation=name), keep_weights=False)

    @undoable("Change the initialisation")
    def set_init(self, name: str):
        self._rebuild(replace(self.config, init=name), keep_weights=False)

    @undoable("Change the loss reduction")
    def set_reduction(self, name: str):
        self._rebuild(replace(self.config, reduction=name))

    @undoable(_data_label)
    def set_data(self, **changes):
        """Change dataset/samples/noise/test_ratio/seed and regenerate the data. With a table
        loaded (not generated), only naming a toy ``dataset`` replaces it, with the test ratio
        and target scaling the toy data had before the table; the other settings split the
        same table again."""
        config = replace(self.config, **changes)
        if not self.generated and "dataset" not in changes:
            self._rebuild(config, keep_weights="if they fit")
            return
        if "dataset" in changes and not self.generated:
            toy = {k: v for k, v in self._toy_data.items() if k not in changes}
            config = replace(config, features=["x1", "x2"], task=None, loss=None, standardize=True,
                             **toy)
        self._rebuild(config, regenerate=True, keep_weights="if they fit")

    @undoable("Standardize the target")
    def set_standardize_target(self, on: bool):
        """A regression learns its target standardized (on) or in its own units (off); new
        weights are drawn, as the output's units change."""
        self._rebuild(replace(self.config, standardize_target=bool(on)), keep_weights=False)

    @undoable("Regenerate the data")
    def regenerate(self):
        """Draw the toy data again (a table is split again instead)."""
        self._rebuild(self.config, regenerate=self.generated, keep_weights="if they fit")

    @undoable("Open data")
    def set_dataset(self, dataset: Dataset, features=None, *, standardize: bool = True,
                    test_ratio: float | None = None, seed: int | None = None):
        """Train on ``dataset`` (a CSV file, a bundled table, edited points): the first layer
        takes ``features`` (default: every input column); the weights stay when they fit it
        (the same features and shape), else new ones are drawn. Raises NnvizError (a constant column, too few rows for the split, …) and keeps the current
        run when the new one cannot be built."""
        if not isinstance(dataset, Dataset):
            raise TypeError("dataset must be a nnviz.data.dataset.Dataset")
        feats = list(dataset.inputs) if features is None else list(features)
        if not feats:
            raise NnvizError("select at least one input column")
        config = self.config
        if self.dataset.source.get("typed"):   # a worked example's raw target, rows in order
            config = replace(config, standardize_target=self._toy_data["standardize_target"],
                             shuffle=self._toy_data["shuffle"])
        config = replace(config, dataset=dataset.name or "data", features=feats, task=None,
                         loss=None, standardize=bool(standardize),
                         test_ratio=self.config.test_ratio if test_ratio is None else test_ratio,
                         seed=self.config.seed if seed is None else seed)
        self._rebuild(config, keep_weights="if they fit", dataset=dataset)

    # --- training settings (no rebuild: the run goes on) --------------------------------
    def set_training(self, **changes):
        """Change settings the run takes as it goes (``TRAINING_SETTINGS``): each value is
        checked against its declaration first, so a bad one changes nothing."""
        unknown = set(changes) - set(TRAINING_SETTINGS)
        if unknown:
            raise KeyError(f"not a training setting: {', '.join(sorted(unknown))}")
        values = {name: settings.check(name, v) for name, v in changes.items()}
        if values.get("early_stopping") and len(self.trainer.X_test) == 0:
            raise NnvizError(NEEDS_TEST_SET)
        for name, v in values.items():
            setattr(self.config, name, v)
        self.trainer.schedule_changed()     # η as the (new) schedule sets it, from the next step
        self._run_version = None            # training after a new setting is a new run
        self.events.emit("settingsChanged")

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

    def set_lr_schedule(self, text: str):
        """``constant``, ``step:k:γ``, ``exp:γ`` or ``cosine:T`` (see nnviz.core.schedules)."""
        self.set_training(lr_schedule=text)

    def set_early_stopping(self, patience: int):
        """Patience in epochs on the test loss (0: off); it needs a test set."""
        self.set_training(early_stopping=patience)

    # --- weights -------------------------------------------------------------------------
    def _remember_initial(self):
        self._initial = (self.network.params.copy(), self.exp.rng.bit_generator.state)

    @property
    def initial_state(self) -> tuple:
        """(initial parameters, Generator state at them): what :meth:`reset` returns to."""
        return self._initial

    @undoable("Open a run")
    def adopt(self, exp: Experiment, initial: tuple, added=None, axes=None):
        """Continue a saved run (see ``nnviz.io.session_file``): its experiment as it was, the
        initial weights and Generator state :meth:`reset` goes back to, hand-added rows, axes."""
        self._leaving_toy_data(exp)
        self.config = exp.config
        self.exp = exp
        self._added = (np.zeros(exp.dataset.n_samples, bool) if added is None
                       else np.asarray(added, dtype=bool))
        self._axes = tuple(axes) if axes is not None else None
        self._extent = None
        self._after_structure_change()
        self._initial = (np.array(initial[0], dtype=np.float64), initial[1])

    @undoable("Open a worked example")
    def open_worked_example(self, exp: Experiment):
        """Make a typed problem's run (``nnviz.examples``) the current one, at its typed
        weights: they are also what Reset goes back to."""
        self.adopt(exp, (exp.network.params.copy(), exp.rng.bit_generator.state))

    @undoable("Reset", in_place=True)
    def reset(self):
        """Back to the initial weights, step 0 and the same random sequence: the same run again."""
        self._drop_stages()
        params, state = self._initial
        self.exp.restart(params, state)
        self._params_changed(history=True)

    @undoable("Re-initialize", in_place=True)
    def reinitialize(self):
        """A new draw of the weights from the run's generator; training starts over."""
        self._drop_stages()
        init_mod.initialize(self.network, self.config.init, self.exp.rng)
        self._remember_initial()
        self.exp.restart()
        self._params_changed(history=True)

    @undoable("Edit a weight", in_place=True)
    def set_weight(self, layer: int, i: int, j: int, value: float):
        """Set W⁽layer+1⁾[i, j] (a user's edit on the canvas)."""
        value = float(value)
        if not np.isfinite(value) or abs(value) > 1e6:
            raise NnvizError("a weight must be a finite number between −1e6 and 1e6")
        self._drop_stages()
        self.network.dense[layer].W[i, j] = value
        self._params_changed()

    @undoable("Edit a bias", in_place=True)
    def set_bias(self, layer: int, j: int, value: float):
        value = float(value)
        if not np.isfinite(value) or abs(value) > 1e6:
            raise NnvizError("a bias must be a finite number between −1e6 and 1e6")
        self._drop_stages()
        self.network.dense[layer].b[j] = value
        self._params_changed()

    def _params_changed(self, history: bool = False):
        self.version += 1
        self.events.emit("paramsChanged")
        if history:
            self.events.emit("historyChanged")
