"""The losses a learner watches move: the last batch's and the epoch's mean, kept right when a
weight is edited by hand.

:class:`LossReadout` reads a trainer and answers :class:`Readout`: the loss E of the last batch
(at every step) and the mean per-row loss over the training set at the last epoch's end. When
the weights change without a step (an edit on the canvas, a fresh draw), both are computed again
with the weights as they are now, on the same batch and the same training rows, and marked
``edited``. Nothing is trained or changed.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Readout:
    batch: float          # E on the last batch (NaN before the first step)
    epoch_mean: float     # mean per-row loss over the training set at the epoch's end
    epoch: int
    edited: bool = False  # the weights changed since: both are for the weights as they are now


def _targets(y) -> np.ndarray:
    """The targets as the loss takes them: a column (m, 1), or one-hot rows (m, K) as they are
    (a K-class network's; reshaping them to a column failed on a weight edited by hand)."""
    y = np.asarray(y, dtype=float)
    return y.reshape(-1, 1) if y.ndim == 1 else y


def mean_loss(network, loss, X, y) -> float:
    """Mean per-row loss of ``network`` on rows (X, y)."""
    if len(X) == 0:
        return math.nan
    z, a = network.layer_outputs(X)[-1]
    with np.errstate(all="ignore"):
        e = loss.per_row(z, a, _targets(y))
    return float(np.mean(e))


def batch_loss(network, loss, X, y) -> float:
    """E of ``network`` on one batch, reduced as training reduces it (mean or sum)."""
    if len(X) == 0:
        return math.nan
    z, a = network.layer_outputs(X)[-1]
    with np.errstate(all="ignore"):
        return float(loss.reduce(loss.per_row(z, a, _targets(y))))


class LossReadout:
    """Call :meth:`read` whenever the weights may have changed; cheap unless they were edited."""

    def __init__(self):
        self._key = None
        self._params = None
        self._edited: tuple | None = None   # (params bytes, Readout) of the last edit computed

    def read(self, trainer) -> Readout:
        hist = trainer.history
        epoch_mean = float(hist.train_loss[-1]) if len(hist) else math.nan
        key = (id(trainer), trainer.step_count, len(hist))
        params = trainer.network.params
        if key != self._key or self._params is None or self._params.shape != params.shape:
            self._key, self._params, self._edited = key, params.copy(), None
            return Readout(float(trainer.last_loss), epoch_mean, trainer.epoch_count)
        if np.array_equal(params, self._params):
            return Readout(float(trainer.last_loss), epoch_mean, trainer.epoch_count)
        now = params.tobytes()
        if self._edited is None or self._edited[0] != now:
            rows = trainer.last_batch
            if rows is None:    # no step yet: the first batch
                rows = (trainer.X[:trainer.batch_size], trainer.y[:trainer.batch_size])
            net, loss = trainer.network, trainer.loss
            self._edited = (now, Readout(batch_loss(net, loss, *rows),
                                         mean_loss(net, loss, trainer.X, trainer.y),
                                         trainer.epoch_count, True))
        return self._edited[1]
