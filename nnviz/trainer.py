"""Mini-batch training of a :class:`~nnviz.network.Network`, fast or one stage at a time.

:meth:`Trainer.step` runs one mini-batch update; :meth:`Trainer.stage_step` runs the *same*
code as a generator that yields a recorded :class:`~nnviz.stages.Stage` after every operation,
so a step-through view can pause between them. :meth:`Trainer._step` is that generator;
the training loops (``step``, ``steps``, ``run_for``, ``epoch``) run :meth:`Trainer._fast_step`,
which makes the same layer calls in the same order without stopping to record, so both give
the same numbers bit for bit.

The fast path allocates nothing the size of a batch: every layer writes into arrays made once
per batch size (:class:`_Workspace`), and the 1/m of a mean loss is applied to the flat gradient
vector in one operation.

Each epoch the training rows are shuffled (one draw from the run's Generator) into a buffer, and
the batches are contiguous slices of it: no per-step copies of the data.

State a step changes: the network's parameters and gradients, the optimizer's state, the
batch position, the step/epoch counters, the history (at an epoch's end), the Generator (at an
epoch's start), ``last_loss`` and, when a step goes non-finite, ``diverged``.
"""
from __future__ import annotations

import math
import time
from dataclasses import dataclass, field

import numpy as np

from . import optimizers, stages
from .errors import NnvizError
from .losses import Loss
from .network import Network
from .validate import check_number


@dataclass
class Divergence:
    """Where training stopped: the step (1-based, the one that went non-finite) and why."""

    step: int
    epoch: int
    reason: str

    @property
    def message(self) -> str:
        return (f"training diverged at step {self.step} (epoch {self.epoch}): {self.reason}; "
                "the last finite parameters were restored — try a smaller learning rate")


@dataclass
class History:
    """Per-epoch records. Losses are mean per-row losses over the whole set, so train and test
    compare whatever the reduction; ``*_metric`` is accuracy (classification) or R² (regression).
    Test entries are NaN when there is no test set."""

    epoch: list = field(default_factory=list)
    step: list = field(default_factory=list)
    train_loss: list = field(default_factory=list)
    test_loss: list = field(default_factory=list)
    train_metric: list = field(default_factory=list)
    test_metric: list = field(default_factory=list)

    def append(self, epoch, step, train, test):
        self.epoch.append(epoch)
        self.step.append(step)
        self.train_loss.append(train[0])
        self.train_metric.append(train[1])
        self.test_loss.append(test[0])
        self.test_metric.append(test[1])

    def __len__(self):
        return len(self.epoch)

    def to_dict(self) -> dict:
        return {k: list(v) for k, v in self.__dict__.items()}


def metric(task: str, y: np.ndarray, yhat: np.ndarray) -> float:
    """Accuracy at threshold 0.5 (classification) or R² (regression); y, ŷ of shape (n, 1)."""
    if len(y) == 0:
        return math.nan
    if task == "classification":
        return float(np.mean((yhat > 0.5) == (y > 0.5)))
    ss_res = float(np.sum((y - yhat) ** 2))
    ss_tot = float(np.sum((y - y.mean()) ** 2))
    return 1.0 - ss_res / ss_tot if ss_tot > 0 else (1.0 if ss_res == 0 else 0.0)


def rmse(loss_name: str, mean_loss: float) -> float:
    """Root-mean-square error √(mean (ŷ − y)²) from a history entry of the ``squared_error``
    loss, whose per-row loss is ½(ŷ − y)²: RMSE = √(2 · mean loss). NaN for other losses."""
    if loss_name != "squared_error" or not math.isfinite(mean_loss) or mean_loss < 0:
        return math.nan
    return math.sqrt(2.0 * mean_loss)


class _Workspace:
    """The fast path's arrays for batches of m rows, made once: per dense layer
    ``(Z, A, σ′(Z), ∂e/∂Z, ∂e/∂X)`` (the last None for the first layer, whose input is the
    data), and the loss's per-row e and ∂e/∂ŷ (m, 1). ``backward`` pairs the layers with their
    arrays, last layer first."""

    def __init__(self, network: Network, m: int):
        self.layers = []
        for k, dense in enumerate(network.dense):
            shape = (m, dense.fan_out)
            self.layers.append((np.empty(shape), np.empty(shape), np.empty(shape),
                                np.empty(shape), np.empty((m, dense.fan_in)) if k else None))
        self.backward = list(zip(network.dense, network.act, self.layers))[::-1]
        self.e = np.empty((m, 1))
        self.d = np.empty((m, 1))


class Trainer:
    """Trains ``network`` on (X, y) with ``loss``.

    X (n, p) float64 features as the first layer sees them; y (n,) or (n, 1) targets.
    ``batch_size=None`` means full batch; 1 is plain SGD. ``rng`` is the run's one Generator.
    """

    def __init__(self, network: Network, loss: Loss, X, y, X_test=None, y_test=None, *,
                 task: str = "classification", lr: float = 0.03, batch_size: int | None = 10,
                 optimizer: str = "sgd", l1: float = 0.0, l2: float = 0.0, shuffle: bool = True,
                 rng: np.random.Generator | None = None):
        self.network = network
        self.loss = loss
        self.task = task
        self.X = np.ascontiguousarray(X, dtype=np.float64)
        self.y = np.ascontiguousarray(y, dtype=np.float64).reshape(-1, 1)
        if self.X.ndim != 2 or self.X.shape[1] != network.n_inputs or len(self.y) != len(self.X):
            raise NnvizError(f"training data of shape {self.X.shape} does not fit a network with "
                             f"{network.n_inputs} inputs")
        if len(self.X) == 0:
            raise NnvizError("there are no training rows")
        if X_test is None or len(X_test) == 0:
            self.X_test = np.empty((0, network.n_inputs))
            self.y_test = np.empty((0, 1))
        else:
            self.X_test = np.ascontiguousarray(X_test, dtype=np.float64)
            self.y_test = np.ascontiguousarray(y_test, dtype=np.float64).reshape(-1, 1)
        self.rng = rng if rng is not None else np.random.default_rng(0)
        self.shuffle = bool(shuffle)
        self.lr = lr
        self.l1 = l1
        self.l2 = l2
        self.batch_size = batch_size
        self.set_optimizer(optimizer)
        self._Xs = self.X.copy()
        self._ys = self.y.copy()
        self._backup = np.empty_like(network.params)
        self._penalty = np.empty_like(network.params)
        self._work: dict[int, _Workspace] = {}
        self.pos = 0
        self.step_count = 0
        self.epoch_count = 0
        self.last_loss = math.nan
        self.diverged: Divergence | None = None
        self.last_batch: tuple | None = None
        self.history = History()
        self.record_history()

    # --- settings (validated, so scripts get the GUI's protection) -----------------------
    @property
    def lr(self) -> float:
        return self._lr

    @lr.setter
    def lr(self, value):
        self._lr = check_number("learning rate", value)

    @property
    def l1(self):
        return self._l1

    @l1.setter
    def l1(self, value):
        self._l1 = check_number("l1", value)

    @property
    def l2(self):
        return self._l2

    @l2.setter
    def l2(self, value):
        self._l2 = check_number("l2", value)

    @property
    def batch_size(self) -> int:
        """Rows per update; equals the training-set size for full batch."""
        return self._batch

    @batch_size.setter
    def batch_size(self, value):
        n = len(self.X)
        self._batch = n if value is None else min(check_number("batch size", value, integer=True), n)
        self._work = {}

    def set_optimizer(self, name: str) -> None:
        """Switch optimizer; its state starts fresh."""
        self.optimizer = optimizers.make(name, self.network.params.size)

    # --- training ------------------------------------------------------------------------
    # Overflow on the way to a divergence is expected and reported through ``diverged``, so
    # NumPy's floating-point warnings are silenced around whole loops (once, not per step).
    def step(self) -> float:
        """One mini-batch update; returns the batch loss E (NaN when diverged)."""
        with np.errstate(all="ignore"):
            self._fast_step()
        return self.last_loss

    def stage_step(self):
        """One mini-batch update as a generator of recorded stages, in execution order."""
        gen = self._step(True)
        while True:
            with np.errstate(all="ignore"):
                stage = next(gen, None)
            if stage is None:
                return
            yield stage

    def steps(self, count: int) -> int:
        """Up to ``count`` steps; stops early on divergence. Returns the steps done."""
        with np.errstate(all="ignore"):
            fast_step = self._fast_step
            for done in range(count):
                if self.diverged:
                    return done
                fast_step()
        return count

    def run_for(self, seconds: float, max_steps: int = 1 << 30) -> int:
        """Train for about ``seconds`` (at least one step) or ``max_steps``; returns steps done."""
        clock = time.perf_counter
        end = clock() + seconds
        done = 0
        fast_step = self._fast_step
        with np.errstate(all="ignore"):
            while done < max_steps and not self.diverged:
                fast_step()
                done += 1
                if clock() >= end:
                    break
        return done

    def epoch(self) -> int:
        """Steps until the current epoch ends; returns the steps done."""
        start = self.epoch_count
        done = 0
        with np.errstate(all="ignore"):
            while self.epoch_count == start and not self.diverged:
                self._fast_step()
                done += 1
        return done

    def _next_batch(self):
        n = len(self.X)
        if self.pos == 0 and self.shuffle:
            perm = self.rng.permutation(n)
            np.take(self.X, perm, axis=0, out=self._Xs)
            np.take(self.y, perm, axis=0, out=self._ys)
        end = min(self.pos + self._batch, n)
        return self._Xs[self.pos:end], self._ys[self.pos:end]

    def _step(self, record: bool):
        if self.diverged:
            self.last_loss = math.nan
            return
        net, loss = self.network, self.loss
        sym = stages.Symbols(net.n_layers) if record else None
        Xb, yb = self._next_batch()
        self.last_batch = (Xb, yb)  # what the step-through and gradient-check views show
        m = len(Xb)
        # Forward, layer by layer.
        a = Xb
        for k, (dense, act) in enumerate(zip(net.dense, net.act), 1):
            x = a
            z = dense.forward(x)
            if record:
                yield stages.dense_forward(sym, k, x, dense.W, dense.b, z)
            a = act.forward(z)
            if record:
                yield stages.activation_forward(sym, k, act.function, z, a)
        e = loss.per_row(z, a, yb)
        E = loss.reduce(e)
        self.last_loss = E
        if record:
            yield stages.loss_forward(sym, loss, z, a, yb, e, E)
        if not math.isfinite(E):
            self._diverge("the loss is not finite")
            return
        # Backward, layer by layer, right to left.
        d = loss.backward(z, a, yb)
        if record:
            yield stages.loss_backward(sym, loss, a, yb, d)
        scale = loss.scale(m)
        L = net.n_layers
        for k in range(L, 0, -1):
            dense, act = net.dense[k - 1], net.act[k - 1]
            if not (k == L and loss.fused):
                grad_a = d
                d = act.backward(grad_a)
                if record:
                    yield stages.activation_backward(sym, k, act.function, grad_a, act.dadz, d)
            delta = d
            d = dense.backward(delta, scale, input_grad=k > 1)
            if record:
                yield stages.dense_backward(sym, k, loss.reduction, dense.x, delta, dense.W,
                                            dense.dW, dense.db, d)
        # Update.
        self._add_penalties()
        before = net.get_weights() if record else None
        opt_before = self.optimizer.state() if record else None
        if not self._update(m):
            return
        if record:
            grads_by_layer = [(d.dW, d.db) for d in net.dense]
            yield stages.update(sym, self.optimizer, self._lr, self._l1, self._l2, before,
                                grads_by_layer, net.get_weights(), opt_before, self.optimizer.state())

    def _fast_step(self) -> None:
        """One step of :meth:`_step` with nothing recorded: the same layer calls in the same
        order, writing into the workspace for this batch size."""
        if self.diverged:
            self.last_loss = math.nan
            return
        net, loss = self.network, self.loss
        Xb, yb = self._next_batch()
        self.last_batch = (Xb, yb)
        m = len(Xb)
        work = self._work.get(m) or self._workspace(m)
        a = Xb
        for dense, act, buf in zip(net.dense, net.act, work.layers):
            z = dense.forward(a, buf[0])
            a = act.forward(z, buf[1])
        E = loss.reduce(loss.per_row(z, a, yb, work.e))
        self.last_loss = E
        if not math.isfinite(E):
            self._diverge("the loss is not finite")
            return
        d = loss.backward(z, a, yb, work.d)
        k = net.n_layers
        if loss.fused:  # the output activation's derivative is folded into the loss's
            d = net.dense[-1].backward(d, 1.0, k > 1, work.layers[-1][4])
            k -= 1
        for dense, act, buf in work.backward[len(work.backward) - k:]:
            d = act.backward(d, buf[3], buf[2])
            d = dense.backward(d, 1.0, k > 1, buf[4])
            k -= 1
        scale = loss.scale(m)
        if scale != 1.0:
            net.grads *= scale   # the same product, element by element, as per layer
        self._add_penalties()
        self._update(m)

    def _workspace(self, m: int) -> "_Workspace":
        work = _Workspace(self.network, m)
        if len(self._work) >= 2:  # a full batch and the epoch's last, shorter one
            self._work.clear()
        self._work[m] = work
        return work

    def _add_penalties(self) -> None:
        """Add the L2 and L1 terms' gradients (weights only, not biases) to ``grads``."""
        if not (self._l2 or self._l1):
            return
        net = self.network
        params, grads = net.params, net.grads
        if self._l2:
            np.multiply(params, net.weight_mask, out=self._penalty)
            self._penalty *= self._l2
            grads += self._penalty
        if self._l1:
            np.sign(params, out=self._penalty)
            self._penalty *= net.weight_mask
            self._penalty *= self._l1
            grads += self._penalty

    def _update(self, m: int) -> bool:
        """The optimizer's update, undone if a parameter went non-finite; then the counters
        (and, at an epoch's end, the history). False when the step diverged."""
        params = self.network.params
        np.copyto(self._backup, params)
        self.optimizer.update(params, self.network.grads, self._lr)
        if not math.isfinite(np.add.reduce(params)):
            np.copyto(params, self._backup)
            self._diverge("a parameter became infinite or NaN")
            return False
        self.step_count += 1
        self.pos += m
        if self.pos >= len(self.X):
            self.pos = 0
            self.epoch_count += 1
            self.record_history()
        return True

    def _diverge(self, reason: str) -> None:
        self.diverged = Divergence(self.step_count + 1, self.epoch_count, reason)
        self.last_loss = math.nan

    def clear_divergence(self) -> None:
        """Allow training again (after the user changed the learning rate, say)."""
        self.diverged = None

    # --- evaluation ----------------------------------------------------------------------
    def evaluate(self, X, y) -> tuple[float, float]:
        """(mean per-row loss, metric) of the current network on (X, y); NaNs when empty."""
        if len(X) == 0:
            return math.nan, math.nan
        with np.errstate(all="ignore"):
            z, a = self.network.layer_outputs(X)[-1]
            e = self.loss.per_row(z, a, y)
            return float(np.mean(e)), metric(self.task, y, a)

    def record_history(self) -> None:
        self.history.append(self.epoch_count, self.step_count,
                            self.evaluate(self.X, self.y), self.evaluate(self.X_test, self.y_test))

    @property
    def steps_per_epoch(self) -> int:
        return -(-len(self.X) // self._batch)
