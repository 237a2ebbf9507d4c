"""Mini-batch training of a :class:`~nnviz.core.network.Network`, fast or one stage at a time.

:meth:`Trainer.step` runs one mini-batch update; :meth:`Trainer.stage_step` runs the *same*
code as a generator that yields a recorded :class:`~nnviz.core.stages.Stage` after every operation,
so a step-through view can pause between them. :meth:`Trainer._step` is that generator, the
one copy of a training step: the training loops (``step``, ``steps``, ``run_for``, ``epoch``)
run it with recording off, when it yields nothing and runs the same layer methods on the same
arrays, so both give the same numbers bit for bit.

A step allocates nothing the size of a batch: every layer writes into arrays made once per
batch size (:class:`_Workspace`). Every layer's input carries a column of ones, so each
X·W + b is the single product [X 1]·[W; b] and each [∂W; ∂b] the single [X 1]ᵀ·δ.

Each epoch the training rows are shuffled (one draw from the run's Generator) into a buffer whose
rows carry that extra 1, and the batches are contiguous slices of it: no per-step copies of the
data.

At each epoch's end the history evaluates the network on the whole training and test sets, block
by block through arrays kept between epochs.

State a step changes: the network's parameters and gradients, the optimizer's state, the
batch position, the step/epoch counters, the history (at an epoch's end), the Generator (at an
epoch's start), ``last_loss`` and, when a step goes non-finite, ``diverged``.
"""
from __future__ import annotations

import math
import time

import numpy as np

from nnviz.core import losses, optimizers, schedules, stages
from nnviz.core.early_stopping import EarlyStop, EarlyStopping
from nnviz.errors import NnvizError
from nnviz.core.history import Divergence, History, metric, scale_advice
from nnviz.core.losses import Loss
from nnviz.core.network import Network
from nnviz.core.workspace import Workspace as _Workspace
from nnviz import settings


# The settings a trainer reads from its config at every step.
TRAINING_SETTINGS = ("lr", "batch_size", "optimizer", "l1", "l2", "shuffle", "lr_schedule",
                     "early_stopping")

# The per-epoch evaluation runs the hidden layers over blocks of about this many values.
_EVAL_BLOCK = 1 << 15


def _targets(y, outputs: int) -> np.ndarray:
    """y as the trainer keeps it: (n, 1), or one-hot (n, K) for K > 1 outputs (from labels)."""
    y = np.asarray(y, dtype=np.float64)
    if outputs > 1 and (y.ndim == 1 or y.shape[-1] == 1):
        return losses.one_hot(y, outputs)
    return np.ascontiguousarray(y).reshape(len(y), -1 if outputs > 1 else 1)


EXPLOSION = 1e6         # a batch loss a million times (as the message says) the run's first loss stops training


class Trainer:
    """Trains ``network`` on (X, y) with ``loss``.

    X (n, p) float64 features as the first layer sees them; y (n,) or (n, 1) targets. For a
    network with K > 1 outputs (softmax) y holds class labels 0…K−1 (n,), made one-hot
    (n, K) here once, or is already one-hot; the trainer keeps (and shuffles) the one-hot rows,
    so a step's targets are a slice like its inputs.
    ``batch_size=None`` means full batch; 1 is plain SGD. ``rng`` is the run's one Generator.
    """

    def __init__(self, network: Network, loss: Loss, X, y, X_test=None, y_test=None, *,
                 task: str = "classification", config=None,
                 rng: np.random.Generator | None = None, **training):
        self.network = network
        self.loss = loss
        self.task = task
        self.X = np.ascontiguousarray(X, dtype=np.float64)
        self.y = _targets(y, network.sizes[-1])
        if (self.X.ndim != 2 or self.X.shape[1] != network.n_inputs or len(self.y) != len(self.X)
                or self.y.shape[1] != network.sizes[-1]):
            raise NnvizError(f"training data of shape {self.X.shape} does not fit a network with "
                             f"{network.n_inputs} inputs")
        if len(self.X) == 0:
            raise NnvizError("there are no training rows")
        # The test rows are kept with a column of ones, as the training rows are, so the
        # per-epoch evaluation runs on them without a copy; ``X_test`` is the X part.
        n_test = 0 if X_test is None else len(X_test)
        self._X_test1 = np.ones((n_test, network.n_inputs + 1))
        self.X_test = self._X_test1[:, :-1]
        if n_test:
            self.X_test[...] = np.asarray(X_test, dtype=np.float64).reshape(n_test, -1)
            self.y_test = _targets(y_test, network.sizes[-1])
        else:
            self.y_test = np.empty((0, network.sizes[-1]))
        self.rng = rng if rng is not None else np.random.default_rng(0)
        # The run's settings have one owner, ``config``: the trainer reads them at every step
        # and keeps no copy. Keyword settings (lr=…, batch_size=…) are written into it.
        self.config = config if config is not None else settings.Config()
        unknown = set(training) - set(TRAINING_SETTINGS)
        if unknown:
            raise TypeError(f"unknown training settings: {', '.join(sorted(unknown))}")
        for name, value in training.items():
            setattr(self.config, name, settings.check(name, value))
        self._optimizer = optimizers.make(self.config.optimizer, network.params.size)
        self._lr = (None, None)
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
        self._last_work: _Workspace | None = None
        self._eval_key = None
        self._eval_bufs: list = []
        self.pos = 0
        self.step_count = 0
        self.epoch_count = 0
        self.last_loss = math.nan
        self.stopped: EarlyStop | None = None      # why early stopping ended the run, or None
        self.diverged: Divergence | None = None
        self._last_rows: tuple | None = None
        self.history = History()
        self.best: tuple | None = None   # (epoch, train loss, params) of the lowest loss so far
        self.record_history()
        self.early = EarlyStopping(self)           # the epoch of the lowest test loss

    # --- settings: read from and written to ``config``, validated on the way in -------------
    def _setting(name: str, doc: str):
        def get(self):
            return getattr(self.config, name)

        def set_(self, value):
            setattr(self.config, name, settings.check(name, value))
        return property(get, set_, doc=doc)

    lr = _setting("lr", "Learning rate η.")
    l1 = _setting("l1", "L1 rate λ₁.")
    l2 = _setting("l2", "L2 rate λ₂.")
    shuffle = _setting("shuffle", "Shuffle the rows at each epoch's start (else file order).")
    del _setting

    @property
    def batch_size(self) -> int:
        """Rows per update; equals the training-set size for full batch (setting None)."""
        b = self.config.batch_size
        n = len(self.X)
        return n if b is None else min(b, n)

    @batch_size.setter
    def batch_size(self, value):
        self.config.batch_size = settings.check("batch_size", value)

    def set_optimizer(self, name: str) -> None:
        """Switch optimizer; its state starts fresh."""
        self.config.optimizer = settings.check("optimizer", name)
        self._optimizer = optimizers.make(self.config.optimizer, self.network.params.size)

    @property
    def optimizer(self):
        """The optimizer the settings name, with its state (made fresh when they name another)."""
        if self._optimizer.name != self.config.optimizer:
            self._optimizer = optimizers.make(self.config.optimizer, self.network.params.size)
        return self._optimizer

    @property
    def diverged(self) -> Divergence | None:
        """Where training diverged, or None. The loops read ``halted``: diverged or stopped."""
        return self._diverged

    @diverged.setter
    def diverged(self, value: Divergence | None):
        self._diverged = value
        self.halted = value is not None or self.stopped is not None

    def stop(self, why: EarlyStop | None) -> None:
        """Stop training (``why``: the early stop) or, with None, allow it again."""
        self.stopped = why
        if why is None:
            self.early.since = self.epoch_count
        self.diverged = self._diverged

    def rate(self) -> float:
        """η of the current epoch: the learning rate as the schedule sets it."""
        return schedules.rate(self.config, self.epoch_count)

    def schedule_changed(self) -> None:
        """Take a changed learning rate or schedule at the next step."""
        self._lr = (None, None)

    # --- training ------------------------------------------------------------------------
    # Overflow on the way to a divergence is expected and reported through ``diverged``, so
    # NumPy's floating-point warnings are silenced around whole loops (once, not per step).
    def step(self) -> float:
        """One mini-batch update; returns the batch loss E (NaN when diverged)."""
        with np.errstate(all="ignore"):
            for _ in self._step(False):
                pass
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
        step = self._step
        with np.errstate(all="ignore"):
            for done in range(count):
                if self.halted:
                    return done
                for _ in step(False):
                    pass
        return count

    def run_for(self, seconds: float, max_steps: int = 1 << 30) -> int:
        """Train for about ``seconds`` (at least one step) or ``max_steps``; returns steps done."""
        clock = time.perf_counter
        end = clock() + seconds
        done = 0
        step = self._step
        with np.errstate(all="ignore"):
            while done < max_steps and not self.halted:
                for _ in step(False):
                    pass
                done += 1
                if clock() >= end:
                    break
        return done

    def epoch(self) -> int:
        """Steps until the current epoch ends; returns the steps done."""
        start = self.epoch_count
        done = 0
        with np.errstate(all="ignore"):
            while self.epoch_count == start and not self.halted:
                for _ in self._step(False):
                    pass
                done += 1
        return done

    def _next_batch(self):
        """The next batch as ([X 1], y): contiguous slices of this epoch's order."""
        n, pos, config = len(self.X), self.pos, self.config
        if pos == 0 and config.shuffle:
            perm = self.rng.permutation(n)
            np.take(self.X, perm, axis=0, out=self._Xs)
            np.take(self.y, perm, axis=0, out=self._ys)
        b = config.batch_size
        end = n if b is None or pos + b > n else pos + b
        return self._Xs1[pos:end], self._ys[pos:end]

    def epoch_rows(self) -> tuple[np.ndarray, np.ndarray]:
        """(X, y) of the training rows in this epoch's order (views: copy to keep); a saved
        session stores them so that a reopened run continues with the same batches."""
        return self._Xs, self._ys

    def set_epoch_rows(self, X, y) -> None:
        """Restore the epoch's row order saved by :meth:`epoch_rows`."""
        self._Xs[...] = X
        self._ys[...] = _targets(y, self._ys.shape[1])

    def _step(self, record: bool):
        """One mini-batch update, the only copy of it: forward layer by layer, the loss, backward
        layer by layer, the update. With ``record`` it yields a :class:`~nnviz.core.stages.Stage`
        after every operation (the step-through pauses there); without, it yields nothing
        and the same operations run on the same arrays, so both give the same bits."""
        if self.halted:
            self.last_loss = math.nan
            return
        loss = self.loss
        X1b, yb = self._next_batch()
        m = len(yb)
        work = self._work.get(m) or self._workspace(m)
        self._last_work = work
        self._last_rows = (X1b, yb)
        if record:
            net = self.network
            sym = stages.Symbols(net.n_layers)
        # Forward, layer by layer.
        x = X1b
        for k, (forward, activate, Z, A, X1) in enumerate(work.forward, 1):
            z = forward(x, Z)
            if record:
                dense = net.dense[k - 1]
                yield stages.dense_forward(sym, k, x[:, :-1], dense.W, dense.b, z)
            a = activate(z, A)
            if record:
                yield stages.activation_forward(sym, k, net.act[k - 1].function, z, a)
            x = X1
        E = loss.reduce(loss.per_row(z, a, yb, work.e))
        self.last_loss = E
        if record:
            yield stages.loss_forward(sym, loss, z, a, yb, work.e, E)
        if not math.isfinite(E):
            self._diverge("the loss is not finite")
            return
        start = self.history.train_loss[0] if self.history.train_loss else math.nan
        mean = E / m if loss.reduction == "sum" else E      # per row, as the history's
        if start > 0 and mean > EXPLOSION * start:
            self._diverge(f"the loss grew to {mean:.3g} a row, more than a million times "
                          f"its {start:.3g} at the start of the run")
            return
        # Backward, layer by layer, right to left.
        d = loss.backward(z, a, yb, work.d)
        if record:
            yield stages.loss_backward(sym, loss, a, yb, d)
        scale = work.scale
        for k, dense, act, x, Z, A, D, G, GX in work.backward:
            if act is not None:
                grad_a = d
                dadz, d = act.backward(Z, A, grad_a, D, G)
                if record:
                    yield stages.activation_backward(sym, k, act.function, grad_a, dadz, d)
            if x is None:
                x = X1b
            delta = d
            d = dense.backward(x, delta, GX is not None, GX)
            if record:
                if scale is not None:   # shown as it is: ∂E/∂W⁽ᵏ⁾ with its 1/m
                    np.multiply(dense.dWb, scale, dense.dWb)
                yield stages.dense_backward(sym, k, loss.reduction, x[:, :-1], delta, dense.W,
                                            dense.dW, dense.db, d)
        if scale is not None and not record:   # a mean loss: 1/m on every layer's gradients
            grads = self.network.grads          # at once (the same products, so the same bits)
            np.multiply(grads, scale, grads)
        # Update.
        config = self.config
        if config.l2 or config.l1:
            self._add_penalties()
        if record:
            before, opt_before, eta = net.get_weights(), self.optimizer.state(), self.rate()
        if not self._update(m):
            return
        if record:
            grads_by_layer = [(d.dW, d.db) for d in net.dense]
            yield stages.update(sym, self.optimizer, eta, config.l1, config.l2, before,
                                grads_by_layer, net.get_weights(), opt_before, self.optimizer.state())

    @property
    def last_batch(self) -> tuple[np.ndarray, np.ndarray] | None:
        """(X, y) of the last step's batch (views: copy to keep), or None before the first
        step: what the step-through and gradient-check views show."""
        if self._last_rows is None:
            return None
        X1b, yb = self._last_rows
        return X1b[:, :-1], yb

    def last_activations(self) -> list[np.ndarray] | None:
        """A per dense layer (m, units) from the last step's forward pass (views of the
        trainer's arrays: copy to keep), or None before the first step."""
        work = self._last_work
        return None if work is None else [A for _, _, _, A, _ in work.forward]

    def _workspace(self, m: int) -> "_Workspace":
        work = _Workspace(self.network, self.loss, m)
        if len(self._work) >= 2:  # a full batch and the epoch's last, shorter one
            self._work.clear()
        self._work[m] = work
        return work

    def _add_penalties(self) -> None:
        """Add the L2 and L1 terms' gradients (weights only, not biases) to ``grads``."""
        l1, l2 = self.config.l1, self.config.l2
        if not (l2 or l1):
            return
        net = self.network
        params, grads = net.params, net.grads
        if l2:
            np.multiply(params, net.weight_mask, out=self._penalty)
            self._penalty *= l2
            grads += self._penalty
        if l1:
            np.sign(params, out=self._penalty)
            self._penalty *= net.weight_mask
            self._penalty *= l1
            grads += self._penalty

    def _update(self, m: int) -> bool:
        """The optimizer's update, undone if a parameter went non-finite; then the counters
        (and, at an epoch's end, the history). False when the step diverged."""
        params = self.network.params
        np.copyto(self._backup, params)
        lr = self.config.lr
        if lr != self._lr[0]:   # η as a 0-d array: NumPy takes it for less than a float
            self._lr = (lr, np.array(self.rate()))   # once an epoch: the schedule's η
        self.optimizer.update(params, self.network.grads, self._lr[1])
        # Σθ is finite only if every θ is (a sum as a dot product with ones: one BLAS call).
        if not math.isfinite(params.dot(self._ones)):
            bad = [k for k, d in enumerate(self.network.dense, 1) if not np.isfinite(d.Wb).all()]
            np.copyto(params, self._backup)
            self._diverge(f"the weights of layer {bad[0]} became infinite or NaN" if bad else
                          "a parameter became infinite or NaN")
            return False
        self.step_count += 1
        self.pos += m
        if self.pos >= len(self.X):
            self.pos = 0
            self.epoch_count += 1
            self.record_history()
            self._lr = (None, None)         # the next epoch's η at its first step
            self.early.epoch_end(self)      # may stop the run and restore the best weights
        return True

    def _diverge(self, reason: str) -> None:
        self.diverged = Divergence(self.step_count + 1, self.epoch_count, reason,
                                   scale_advice(self.X, self.y, self.task != "classification"))
        self.last_loss = math.nan

    def clear_divergence(self) -> None:
        """Allow training again (after the user changed the learning rate, say)."""
        self.diverged = None

    # --- evaluation ----------------------------------------------------------------------
    def evaluate(self, X, y) -> tuple[float, float]:
        """(mean per-row loss, metric) of the current network on (X, y); NaNs when empty. X may
        carry a last column of ones ([X 1])."""
        if len(X) == 0:
            return math.nan, math.nan
        with np.errstate(all="ignore"):
            z, a = self._output_layer(X)
            e = self.loss.per_row(z, a, y)
            return float(np.mean(e)), metric(self.task, y, a)

    def _output_layer(self, X) -> tuple[np.ndarray, np.ndarray]:
        """The output layer's (Z, A), each (n, outputs), for every row of X (or of [X 1]): the
        layers' own forward methods run over blocks of rows through arrays kept between calls
        (each block's input with its ones column), so an epoch's evaluation allocates no
        (n, units) arrays."""
        net = self.network
        n = len(X)
        with_ones = X.shape[1] == net.n_inputs + 1
        z_out = np.empty((n, net.sizes[-1]))
        a_out = np.empty((n, net.sizes[-1]))
        rows = max(1, _EVAL_BLOCK // max(net.sizes[:-1]))
        if self._eval_key != (tuple(net.sizes), rows):
            self._eval_key = (tuple(net.sizes), rows)
            # [X 1] for the first layer, then per hidden layer its Z and [A 1].
            self._eval_bufs = [np.ones((rows, units + 1)) for units in net.sizes[:-1]]
            self._eval_z = [np.empty((rows, units)) for units in net.sizes[1:-1]]
        x1s, zs = self._eval_bufs, self._eval_z
        hidden = list(zip(net.dense[:-1], net.act[:-1], zs, x1s[1:]))
        last, last_act = net.dense[-1], net.act[-1]
        for start in range(0, n, rows):
            stop = min(start + rows, n)
            r = stop - start
            if with_ones:
                x1 = X[start:stop]
            else:
                x1 = x1s[0][:r]
                x1[:, :-1] = X[start:stop]
            for dense, act, z, nxt in hidden:
                nxt = nxt[:r]
                act.forward(dense.forward(x1, z[:r]), nxt[:, :-1])
                x1 = nxt
            last_act.forward(last.forward(x1, z_out[start:stop]), a_out[start:stop])
        return z_out, a_out

    def record_history(self) -> None:
        """Append this epoch's mean losses and metrics over the whole training and test sets
        (the training rows in this epoch's order: the same rows, already with their ones)."""
        self.history.append(self.epoch_count, self.step_count,
                            self.evaluate(self._Xs1, self._ys),
                            self.evaluate(self._X_test1, self.y_test))
        loss = self.history.train_loss[-1]
        if math.isfinite(loss) and (self.best is None or loss < self.best[1]):
            self.best = (self.epoch_count, loss, self.network.params.copy())

    @property
    def steps_per_epoch(self) -> int:
        return -(-len(self.X) // self.batch_size)
