"""Mini-batch training of a :class:`~nnviz.core.network.Network`, fast or one stage at a time.

:meth:`Trainer.step` runs one mini-batch update; :meth:`Trainer.stage_step` runs the *same*
code as a generator that yields a recorded :class:`~nnviz.core.stages.Stage` after every operation,
so a step-through view can pause between them. :meth:`Trainer._step` is that generator;
the training loops (``step``, ``steps``, ``run_for``, ``epoch``) run :meth:`Trainer._fast_step`,
which runs the same NumPy operations in the same order (the layer methods' bodies written out,
to save their calls) without stopping to record, so both give the same numbers bit for bit.

The fast path allocates nothing the size of a batch: every layer writes into arrays made once
per batch size (:class:`_Workspace`), and the 1/m of a mean loss is applied to the flat gradient
vector in one operation.

Each epoch the training rows are shuffled (one draw from the run's Generator) into a buffer whose
rows carry an extra 1, and the batches are contiguous slices of it: no per-step copies of the
data, and the first layer's X·W + b is the single product [X 1]·[W; b].

At each epoch's end the history evaluates the network on the whole training and test sets, block
by block through arrays kept between epochs.

State a step changes: the network's parameters and gradients, the optimizer's state, the
batch position, the step/epoch counters, the history (at an epoch's end), the Generator (at an
epoch's start), ``last_loss`` and, when a step goes non-finite, ``diverged``.
"""
from __future__ import annotations

import math
import time
from dataclasses import dataclass, field

import numpy as np

from nnviz.core import optimizers, stages
from nnviz.errors import NnvizError
from nnviz.core.layers import ones
from nnviz.core.losses import Loss
from nnviz.core.network import Network
from nnviz.validate import check_number


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


# The per-epoch evaluation runs the hidden layers over blocks of about this many values.
_EVAL_BLOCK = 1 << 15


class _Workspace:
    """The fast path's arrays for batches of m rows, made once: per dense layer
    ``(Z, A, σ′(Z), ∂e/∂Z, ∂e/∂X)`` (the last None for the first layer, whose input is the
    data), and the loss's per-row e and ∂e/∂ŷ (m, 1).

    ``forward`` lists per layer what its forward pass needs, ``(dense, activation, σ, Z, A)``;
    ``backward`` per layer, last first, ``(dense, activation step or None, ∂e/∂X)``, where the
    activation step ``(activation, σ′, σ′(Z), ∂e/∂Z)`` is None for an output activation the
    loss folds in. ``scale`` is the loss's factor on every gradient (1/m or 1)."""

    def __init__(self, network: Network, loss: Loss, m: int):
        self.layers = []
        for k, dense in enumerate(network.dense):
            shape = (m, dense.fan_out)
            self.layers.append((np.empty(shape), np.empty(shape), np.empty(shape),
                                np.empty(shape), np.empty((m, dense.fan_in)) if k else None))
        self.e = np.empty((m, 1))
        self.d = np.empty((m, 1))
        self.scale = loss.scale(m)
        self.scale_array = np.array(self.scale)   # a 0-d operand: cheaper per call
        self.ones = ones(m)
        self.forward = [(dense, act, _writer(act.function.value, act._value_out), Z, A)
                        for dense, act, (Z, A, _, _, _) in zip(network.dense, network.act,
                                                               self.layers)]
        self.forward_rest = self.forward[1:]
        self.backward = []
        L = network.n_layers
        for k in range(L, 0, -1):
            dense, act = network.dense[k - 1], network.act[k - 1]
            _, _, D, G, GX = self.layers[k - 1]
            step = None if k == L and loss.fused else (
                act, _writer(act.function.derivative, act._derivative_out), D, G)
            self.backward.append((dense, step, GX))


def _writer(fn, takes_out: bool):
    """``fn`` itself when it writes into its last argument ``out``; otherwise a wrapper that
    takes ``out`` and returns ``fn``'s new array."""
    if takes_out:
        return fn
    return lambda *args: fn(*args[:-1])


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
        # The rows in this epoch's order, each extended by a 1: the first layer computes
        # [X 1]·[W; b] in one product. ``_Xs`` is the X part.
        self._Xs1 = np.ones((len(self.X), self.X.shape[1] + 1))
        self._Xs = self._Xs1[:, :-1]
        self._Xs[...] = self.X
        self._ys = self.y.copy()
        self._backup = np.empty_like(network.params)
        self._ones = np.ones_like(network.params)
        self._penalty = np.empty_like(network.params)
        self._work: dict[int, _Workspace] = {}
        self._eval_key = None
        self._eval_bufs: list = []
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
        return self._Xs[self.pos:end], self._ys[self.pos:end], self._Xs1[self.pos:end]

    def _step(self, record: bool):
        if self.diverged:
            self.last_loss = math.nan
            return
        net, loss = self.network, self.loss
        sym = stages.Symbols(net.n_layers) if record else None
        Xb, yb, X1b = self._next_batch()
        self.last_batch = (Xb, yb)  # what the step-through and gradient-check views show
        m = len(Xb)
        # Forward, layer by layer.
        a = Xb
        for k, (dense, act) in enumerate(zip(net.dense, net.act), 1):
            x = a
            z = dense.forward(x, x1=X1b if k == 1 else None)
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
        """One step of :meth:`_step` with nothing recorded: the same operations in the same
        order (those of ``Dense.forward``/``backward`` and ``Activation.forward``/``backward``,
        written out here to save their calls), writing into the workspace for this batch size
        and leaving the layers' caches (x, z, a, σ′(z)) as the layer methods do."""
        if self.diverged:
            self.last_loss = math.nan
            return
        loss = self.loss
        Xb, yb, X1b = self._next_batch()
        self.last_batch = (Xb, yb)
        m = len(Xb)
        work = self._work.get(m) or self._workspace(m)
        dense, act, value, Z, A = work.forward[0]
        dense.x, dense.x1 = Xb, X1b
        X1b.dot(dense.Wb, Z)
        act.z = Z
        act.a = a = value(Z, A)
        add = np.add
        for dense, act, value, Z, A in work.forward_rest:
            dense.x, dense.x1 = a, None
            a.dot(dense.W, Z)
            add(Z, dense.b, Z)
            act.z = Z
            act.a = a = value(Z, A)
        E = loss.reduce(loss.per_row(Z, a, yb, work.e))
        self.last_loss = E
        if not math.isfinite(E):
            self._diverge("the loss is not finite")
            return
        d = loss.backward(Z, a, yb, work.d)
        for dense, step, GX in work.backward:
            if step is not None:
                act, derivative, D, G = step
                act.dadz = D = derivative(act.z, act.a, D)
                d = np.multiply(d, D, G)
            if dense.x1 is not None:
                dense.x1.T.dot(d, dense.dWb)
            else:
                dense.x.T.dot(d, dense.dW)
                work.ones.dot(d, dense.db)
            if GX is not None:
                d = d.dot(dense.W.T, GX)
        if work.scale != 1.0:
            net = self.network
            np.multiply(net.grads, work.scale_array, net.grads)  # every layer's dW, db *= scale
        if self._l2 or self._l1:
            self._add_penalties()
        self._update(m)

    def _workspace(self, m: int) -> "_Workspace":
        work = _Workspace(self.network, self.loss, m)
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
        # Σθ is finite only if every θ is (a sum as a dot product with ones: one BLAS call).
        if not math.isfinite(params.dot(self._ones)):
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
            z, a = self._output_layer(X)
            e = self.loss.per_row(z, a, y)
            return float(np.mean(e)), metric(self.task, y, a)

    def _output_layer(self, X) -> tuple[np.ndarray, np.ndarray]:
        """The output layer's (Z, A), each (n, 1), for every row of X: the operations of
        ``Network.layer_outputs``, run over blocks of rows through hidden-layer arrays kept
        between calls, so an epoch's evaluation allocates no (n, units) arrays."""
        net = self.network
        n = len(X)
        z_out = np.empty((n, net.sizes[-1]))
        a_out = np.empty((n, net.sizes[-1]))
        hidden = net.sizes[1:-1]
        rows = max(1, _EVAL_BLOCK // max(hidden, default=1))
        if self._eval_key != (tuple(net.sizes), rows):
            self._eval_key = (tuple(net.sizes), rows)
            self._eval_bufs = [(np.empty((rows, u)), np.empty((rows, u))) for u in hidden]
        outputs = self._eval_bufs + [(z_out, a_out)]
        for start in range(0, n, rows):
            stop = min(start + rows, n)
            a = X[start:stop]
            for dense, act, (zs, as_) in zip(net.dense, net.act, outputs):
                if zs is z_out:
                    zb, ab = z_out[start:stop], a_out[start:stop]
                else:
                    zb, ab = zs[:stop - start], as_[:stop - start]
                z = np.dot(a, dense.W, zb)
                np.add(z, dense.b, z)
                a = act.function.value(z, ab) if act._value_out else act.function.value(z)
                if a is not ab:
                    ab[...] = a
                    a = ab
        return z_out, a_out

    def record_history(self) -> None:
        self.history.append(self.epoch_count, self.step_count,
                            self.evaluate(self.X, self.y), self.evaluate(self.X_test, self.y_test))

    @property
    def steps_per_epoch(self) -> int:
        return -(-len(self.X) // self._batch)
