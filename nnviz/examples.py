"""Worked examples: tiny problems typed by hand, and the gallery of them the app opens.

A worked example is a table small enough to write on paper (a few rows X with targets y), a
network small enough to draw (0 to a few hidden layers of a few units) and every weight and
bias given, so one training step can be followed number by number. :func:`typed_problem`
turns one into what :func:`nnviz.experiment.build` takes: a :class:`Dataset` (its source is
``{"typed": True}``: the rows are the data, nothing makes them again), a :class:`Config`
and a :class:`Model` holding exactly the typed weights. The settings make the step the one on
paper: no test rows, no standardisation (the first layer sees the typed numbers), the rows in
their typed order and every row in the one batch.

:data:`GALLERY` holds the examples the app lists under Help › Worked examples; tests and
scripts build them with :meth:`WorkedExample.experiment`.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from nnviz.core.model import Model
from nnviz.core.network import Network
from nnviz.data.dataset import Dataset
from nnviz.errors import NnvizError
from nnviz.experiment import Experiment, build, output_for, output_units
from nnviz.settings import Config, MAX_CLASSES

TYPED_SOURCE = {"typed": True}


def input_names(p: int) -> list[str]:
    """x1 … xp, the typed inputs' names."""
    return [f"x{j + 1}" for j in range(p)]


def typed_problem(X, y, weights, *, hidden=(), activation: str = "tanh",
                  task: str = "classification", loss: str | None = None, classes: int = 2,
                  lr: float = 0.1, reduction: str = "mean", optimizer: str = "sgd",
                  l1: float = 0.0, l2: float = 0.0, name: str = "worked example",
                  inputs=None) -> tuple[Dataset, Config, Model]:
    """(dataset, config, model) of a typed problem; ``build(config, dataset, weights=model)``
    is the run whose next step is the one worked by hand.

    X: (n, p) rows of inputs, n ≥ 1. y: (n,) targets (class numbers 0…K−1 for
    classification). weights: one (W, b) per dense layer, W of shape (fan_in, fan_out) ("from
    row to column"), b of shape (fan_out,). classes: K, used by a softmax output
    (``loss="cross_entropy"``). Raises :class:`NnvizError` with one sentence when the pieces do
    not fit together.
    """
    X = np.array(X, dtype=np.float64, ndmin=2)
    y = np.array(y, dtype=np.float64).reshape(-1)
    if X.ndim != 2 or X.shape[0] < 1 or X.shape[1] < 1:
        raise NnvizError("a worked example needs at least one row with at least one input")
    inputs = input_names(X.shape[1]) if inputs is None else list(inputs)
    if not 2 <= int(classes) <= MAX_CLASSES:
        raise NnvizError(f"a classification has 2 to {MAX_CLASSES} classes, not {classes}")
    out_act, loss_name = output_for(task, loss, int(classes))
    class_names = (tuple(str(k) for k in range(int(classes)))
                   if task == "classification" and out_act == "softmax" else None)
    if class_names is not None and len(class_names) == 2 and loss_name == "cross_entropy":
        class_names = None                      # two classes: 0/1, a two-unit softmax
    dataset = Dataset(X, y, inputs, task, name=name, class_names=class_names,
                      source=dict(TYPED_SOURCE))
    hidden = [int(h) for h in hidden]
    sizes = [X.shape[1], *hidden, output_units(out_act, dataset.n_classes)]
    net = Network(sizes, activation, out_act)
    weights = list(weights)
    if len(weights) != len(net.dense):
        raise NnvizError(f"a {'-'.join(map(str, sizes))} network has {len(net.dense)} layers of "
                         f"weights; {len(weights)} were given")
    for k, (d, (W, b)) in enumerate(zip(net.dense, weights), 1):
        W = np.asarray(W, dtype=np.float64)
        b = np.asarray(b, dtype=np.float64).reshape(-1)
        if W.shape != d.W.shape or b.shape != d.b.shape:
            raise NnvizError(f"layer {k} needs W of shape {d.W.shape[0]}×{d.W.shape[1]} and b of "
                             f"{d.b.shape[0]} numbers, got {W.shape} and {b.shape[0]}")
        if not (np.isfinite(W).all() and np.isfinite(b).all()):
            raise NnvizError(f"a weight or bias of layer {k} is not a finite number")
        d.W[...] = W
        d.b[...] = b
    config = Config(dataset=name, features=list(inputs), test_ratio=0.0, seed=0,
                    hidden=hidden, activation=activation, task=task, loss=loss_name,
                    reduction=reduction, lr=lr, batch_size=None, optimizer=optimizer, l1=l1,
                    l2=l2, shuffle=False, standardize=False, standardize_target=False)
    model = Model(net, list(inputs), list(inputs), None, task, loss_name, dataset.classes)
    return dataset, config, model


def run(problem: tuple[Dataset, Config, Model]) -> Experiment:
    """The run of a typed problem (what :func:`typed_problem` returns), at its typed weights."""
    dataset, config, model = problem
    return build(config, dataset, weights=model)


def typed_experiment(*args, **kwargs) -> Experiment:
    """The run of :func:`typed_problem` (same arguments), at the typed weights."""
    return run(typed_problem(*args, **kwargs))


@dataclass(frozen=True)
class WorkedExample:
    """One entry of the gallery: a title, a paragraph a learner reads first, and the problem
    (see :func:`typed_problem` for the fields)."""

    key: str
    title: str
    description: str
    X: tuple
    y: tuple
    weights: tuple                 # ((W⁽¹⁾, b⁽¹⁾), (W⁽²⁾, b⁽²⁾), …) as nested tuples
    hidden: tuple = ()
    activation: str = "tanh"
    task: str = "classification"
    loss: str | None = None
    lr: float = 0.1
    reduction: str = "mean"
    optimizer: str = "sgd"
    l1: float = 0.0
    l2: float = 0.0

    def problem(self) -> tuple[Dataset, Config, Model]:
        return typed_problem(self.X, self.y, self.weights, hidden=self.hidden,
                             activation=self.activation, task=self.task, loss=self.loss,
                             lr=self.lr, reduction=self.reduction, optimizer=self.optimizer,
                             l1=self.l1, l2=self.l2, name=self.title)

    def experiment(self) -> Experiment:
        return run(self.problem())


# The 2-2-1 net of two gallery examples, one judged by log-loss and one by squared error.
_TWO_ROWS_X, _TWO_ROWS_Y = ((0.5, -1.0), (1.0, 0.5)), (1.0, 0.0)
_TWO_TWO_ONE = ((((0.2, -0.4), (0.3, 0.1)), (0.0, 0.1)), (((0.5,), (-0.3,)), (0.1,)))

GALLERY: tuple[WorkedExample, ...] = (
    WorkedExample(
        "one_unit", "The smallest net: one input, one unit",
        "One input x, one weight w, one bias b and no hidden layer: the prediction is "
        "ŷ = x·w + b, a straight line. The single row is x = 2 with target y = 3, and the net "
        "starts at w = 0.5, b = 0, so it predicts ŷ = 1. The error of the row is "
        "E = ½(ŷ − y)² = ½(1 − 3)² = 2, and its slope with respect to the prediction is "
        "ŷ − y = −2: raising ŷ would lower the error. Through ŷ = x·w + b, the slope for w is "
        "x·(ŷ − y) = −4 and for b it is −2. One step with learning rate 0.1 moves each number "
        "against its slope: w becomes 0.5 + 0.1·4 = 0.9 and b becomes 0 + 0.1·2 = 0.2. Every "
        "number fits on a napkin; step through and check each one.",
        X=((2.0,),), y=(3.0,), weights=((((0.5,),), (0.0,)),),
        task="regression", loss="squared_error", lr=0.1),
    WorkedExample(
        "two_two_one_log_loss", "A 2-2-1 net with log-loss",
        "Two inputs, a hidden layer of two tanh units and one sigmoid output that gives the "
        "probability of class 1. Two rows, one of each class. The forward pass takes the rows "
        "through Z⁽¹⁾ = X·W⁽¹⁾ + b⁽¹⁾, H = tanh(Z⁽¹⁾), Z⁽²⁾ = H·W⁽²⁾ + b⁽²⁾ and ŷ = σ(Z⁽²⁾). "
        "With log-loss the output's error signal is simply δ⁽²⁾ = ŷ − y: the sigmoid's own "
        "slope cancels against the loss's. Going back, each hidden unit gets its share "
        "δ⁽²⁾·W⁽²⁾ᵀ, scaled by tanh's slope 1 − h². The weights' gradients are averages over "
        "the two rows of input times error (Xᵀ·δ / 2), and one step with learning rate 0.5 "
        "updates all nine numbers at once.",
        X=_TWO_ROWS_X, y=_TWO_ROWS_Y, weights=_TWO_TWO_ONE,
        hidden=(2,), activation="tanh", loss="log_loss", lr=0.5),
    WorkedExample(
        "two_two_one_squared", "The same net with squared error",
        "The net, rows and weights of the log-loss example, now judged by the squared error "
        "e = ½(ŷ − y)² of each row (E is their mean). Its slope with respect to the prediction "
        "is ∂e/∂ŷ = ŷ − y: positive when the net predicts too much, so the step lowers ŷ. Some "
        "texts print y − ŷ here; that sign is wrong, and a step taken with it would climb the "
        "error instead of descending it. Unlike log-loss, the sigmoid's slope does not cancel: "
        "the output error is δ⁽²⁾ = (ŷ − y) ⊙ ŷ(1 − ŷ), smaller than ŷ − y, so this net learns "
        "more slowly from the same mistake. Compare the two step-throughs stage by stage.",
        X=_TWO_ROWS_X, y=_TWO_ROWS_Y, weights=_TWO_TWO_ONE,
        hidden=(2,), activation="tanh", loss="squared_error", lr=0.5),
    WorkedExample(
        "relu_mask", "A ReLU net: the slope is a 0/1 mask",
        "Two inputs, three ReLU units and one output that predicts a number. ReLU keeps a "
        "positive z and turns a negative one into 0, so its slope is 1 or 0: a mask of ones "
        "and zeros, one per unit and row. The backward pass through the hidden layer is then "
        "an element-by-element product, δ⁽¹⁾ = (δ⁽²⁾·W⁽²⁾ᵀ) ⊙ 1[z > 0]: the error reaches "
        "only the units that were switched on for that row. The weights are chosen so that "
        "some units are off for one row and on for the other; watch their zeros in the mask "
        "and in δ⁽¹⁾, and see that a unit which is off for every row gets no update at all.",
        X=((1.0, 2.0), (-1.0, 0.5)), y=(1.0, -0.5),
        weights=((((0.5, -0.3, 0.2), (0.1, 0.4, -0.6)), (0.0, 0.1, -0.2)),
                 (((0.7,), (-0.5,), (0.3,)), (0.1,))),
        hidden=(3,), activation="relu", task="regression", loss="squared_error", lr=0.1),
    WorkedExample(
        "logistic_l2", "A 3-2-1 logistic net with an L2 penalty",
        "A classic hand-worked step: one row with inputs [0.6, 0.8, 0.7] and target 0, two "
        "sigmoid hidden units and a sigmoid output, the weights W⁽¹⁾ = [[0.1, 0.2], "
        "[0.3, 0.1], [0.5, 0]], b⁽¹⁾ = [0.1, 0.1], W⁽²⁾ = [[0.1], [0.2]], b⁽²⁾ = [1.0], "
        "log-loss, learning rate 0.1 and plain gradient descent. The L2 penalty adds λ·W "
        "with λ = 0.1 to every weight's gradient (not to the biases), pulling weights "
        "towards 0. Settings: loss averaged over the batch (with one row, average and sum are "
        "the same) and the penalty added as λ·W; these reproduce libraries that add "
        "α·W / n for n rows. After the one step the weight from x₃ to the first hidden unit "
        "is 0.493832, and the net's probability of class 1 for this row is 0.7395.",
        X=((0.6, 0.8, 0.7),), y=(0.0,),
        weights=((((0.1, 0.2), (0.3, 0.1), (0.5, 0.0)), (0.1, 0.1)), (((0.1,), (0.2,)), (1.0,))),
        hidden=(2,), activation="sigmoid", loss="log_loss", lr=0.1, l2=0.1),
)


def get(key: str) -> WorkedExample:
    """The gallery example named ``key``."""
    for ex in GALLERY:
        if ex.key == key:
            return ex
    raise NnvizError(f"no worked example {key!r} (choose from: {', '.join(e.key for e in GALLERY)})")
