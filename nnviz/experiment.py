"""One training run assembled from settings: data → split → features → scaling → network → trainer.

Everything random after the data comes from one ``numpy.random.Generator`` seeded with
``Config.seed`` — the split, the initial weights, each epoch's shuffle — so the same settings
give the same run, bit for bit. With ``shuffle`` off the rows keep the table's order: the
training rows (and the test rows) are in file order, so the first batch is the file's first
rows. The CLI and the app both build their runs here.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from nnviz.data import datasets, target
from nnviz.core import init, losses
from nnviz.data.dataset import Dataset
from nnviz.errors import NnvizError
from nnviz.data.features import Scaler, check_features, expand
from nnviz.core.early_stopping import NEEDS_TEST_SET
from nnviz.core.model import Model
from nnviz.core.network import Network
from nnviz.core.trainer import TRAINING_SETTINGS, Trainer
from nnviz import settings
from nnviz.settings import Config  # noqa: F401 (the settings of a run; declared in nnviz.settings)
from nnviz.settings import check_number


@dataclass
class Experiment:
    """A built run. ``F_train``/``F_test`` are the scaled features the first layer sees, ``y``
    the targets the network learns: a regression's standardized targets (see
    :mod:`nnviz.data.target`), else the dataset's own."""

    config: Config
    dataset: Dataset
    train_idx: np.ndarray
    test_idx: np.ndarray
    F_train: np.ndarray
    F_test: np.ndarray
    model: Model
    trainer: Trainer
    rng: np.random.Generator
    split_notices: list = field(default_factory=list)
    y: np.ndarray | None = None   # (n,) the targets the network learns (standardized), or None: dataset.y

    @property
    def network(self) -> Network:
        return self.model.network

    @property
    def notices(self) -> list[str]:
        """What a user should be told about this run's data (a constant column kept, say, or
        no test set held out from a tiny table)."""
        notes = list(self.dataset.notices) + list(self.split_notices)
        for scaler in (self.model.scaler, self.model.target_scaler):
            notes += list(scaler.notices) if scaler is not None else []
        return notes

    @property
    def targets(self) -> np.ndarray:
        """(n,) the targets the network learns, in the units of its loss."""
        return self.dataset.y if self.y is None else self.y

    def restart(self, params: np.ndarray | None = None, rng_state: dict | None = None) -> Trainer:
        """A fresh trainer (step 0, empty history, new optimizer state) on the same data,
        starting from ``params`` and the Generator state ``rng_state`` when given."""
        if params is not None:
            self.network.params[...] = params
        if rng_state is not None:
            self.rng.bit_generator.state = rng_state
        old = self.trainer
        y = self.targets
        self.trainer = Trainer(self.network, old.loss, self.F_train, y[self.train_idx],
                               self.F_test, y[self.test_idx], task=old.task,
                               config=self.config, rng=self.rng)
        return self.trainer


def output_for(task: str, loss: str | None, n_classes: int = 2) -> tuple[str, str]:
    """(output activation, loss name) for a task: sigmoid + log-loss (two classes), softmax +
    cross-entropy (more classes, or two when cross_entropy is asked for) or identity + squared
    error (regression)."""
    if task == "classification":
        if n_classes > 2 or loss == "cross_entropy":
            if loss not in (None, "cross_entropy"):
                raise NnvizError(f"{n_classes} classes need a softmax output with cross_entropy, not {loss}")
            return "softmax", "cross_entropy"
        loss = loss or "log_loss"
        return "sigmoid", loss
    loss = loss or "squared_error"
    if loss in ("log_loss", "cross_entropy"):
        raise NnvizError(f"{loss} is for classification; regression uses squared_error")
    return "identity", loss


def output_units(output_activation: str, n_classes: int | None) -> int:
    """Units of the output layer: K for a softmax, else 1."""
    return max(2, n_classes or 2) if output_activation == "softmax" else 1


def test_ratio_for(dataset: Dataset, task: str, ratio: float) -> tuple[float, list[str]]:
    """(the test ratio a run uses, notices): ``ratio``, or 0 for a tiny problem — fewer than 4
    rows (no split leaves 2 on each side) or a classification with one class present — whose
    every row trains, with one sentence saying so."""
    ratio = check_number("test ratio", ratio)
    if ratio == 0:
        return ratio, []
    n = dataset.n_samples
    name = dataset.name or "the data"
    if n < 4:
        why = f"{name} has only {n} row{'s' * (n != 1)}"
    elif task == "classification" and len(np.unique(dataset.y)) < 2:
        why = f"{name} has one class present"
    else:
        return ratio, []
    return 0.0, [f"{why}: every row trains and no test set is held out (test ratio 0)"]


def build(config: Config, dataset: Dataset | None = None, weights: Model | None = None) -> Experiment:
    """Assemble a run. ``dataset`` overrides the generator settings (a CSV, say); ``weights``
    starts from a loaded model's parameters instead of an initialisation (its shape must fit)."""
    seed = check_number("seed", config.seed, integer=True)
    check_number("test ratio", config.test_ratio)
    if not isinstance(config.hidden, (list, tuple)):
        raise NnvizError(f"hidden units must be a list with one count per hidden layer, not {config.hidden!r}")
    check_number("hidden layers", len(config.hidden), integer=True)
    if dataset is None:
        dataset = datasets.generate(config.dataset, config.samples, config.noise, seed)
    task = config.task or dataset.task
    if task == "classification" and dataset.task != "classification":
        raise NnvizError("classification needs a target with two classes; this data is a regression target")
    feats = check_features(list(config.features), dataset.inputs)
    rng = np.random.default_rng(seed)
    ratio, split_notices = test_ratio_for(dataset, task, config.test_ratio)
    train_idx, test_idx = dataset.split(ratio, rng)
    if not config.shuffle:
        # No shuffling means the table's order: the seed still picks the test rows (the same
        # draw, so the initial weights do not change), but each side keeps the rows in file
        # order, and with no test set the training rows are the file's rows, first to last.
        train_idx.sort()
        test_idx.sort()
    F = expand(dataset.X, dataset.inputs, feats)
    if weights is not None:
        scaler = weights.scaler
    else:
        scaler = Scaler.fit(F[train_idx], feats) if config.standardize else None
    if scaler is not None:
        F = scaler.transform(F)
    n_classes = dataset.n_classes or 2
    out_act, loss_name = output_for(task, config.loss, n_classes)
    net = Network([len(feats), *config.hidden, output_units(out_act, n_classes)],
                  config.activation, out_act)
    loss = losses.make(loss_name, out_act, config.reduction)
    init.initialize(net, config.init, rng)
    if weights is not None:
        if weights.network.sizes != net.sizes or weights.network.activations != net.activations:
            raise NnvizError(f"the weights are for a {'-'.join(map(str, weights.network.sizes))} network "
                             f"({', '.join(weights.network.activations)}), not "
                             f"{'-'.join(map(str, net.sizes))} ({', '.join(net.activations)})")
        net.params[...] = weights.network.params
    if weights is not None:
        y_scaler = weights.target_scaler
    elif task == "regression" and config.standardize_target:
        y_scaler = target.fit(dataset.y[train_idx], dataset.target)
    else:
        y_scaler = None
    y = target.scale(dataset.y, y_scaler)
    F_train, F_test = F[train_idx], F[test_idx]
    for name in TRAINING_SETTINGS:   # scripts get the checks the CLI and the app make
        settings.check(name, getattr(config, name))
    config.lr_schedule = settings.check("lr_schedule", config.lr_schedule)   # canonical text
    if config.early_stopping and len(test_idx) == 0:
        raise NnvizError(NEEDS_TEST_SET)
    trainer = Trainer(net, loss, F_train, y[train_idx], F_test, y[test_idx], task=task,
                      config=config, rng=rng)
    model = Model(net, list(dataset.inputs), feats, scaler, task, loss_name,
                  dataset.classes if task == "classification" else None, y_scaler)
    return Experiment(config, dataset, train_idx, test_idx, F_train, F_test, model, trainer, rng,
                      split_notices, y=None if y_scaler is None else y)
