"""Loss layers: half squared error (regression), binary log-loss (two classes) and categorical
cross-entropy (K classes, softmax output).

Every loss works per sample: ``forward`` returns the vector e (m, 1) of per-row losses and the
batch loss E is their mean (``reduction="mean"``, the update −η·(1/m)·Aᵀ·δ) or their sum
(``reduction="sum"``, the rows' gradients accumulated without 1/m). ``backward`` returns the per-row
derivative; the 1/m of the mean is applied once, where the parameter gradients are formed.
``per_row`` and ``backward`` write into ``out`` (shape (m, 1)) when given.

Two slips that are easy to make, avoided here:
- For E = ½(y − a)² the derivative is ∂E/∂a = a − y, not y − a (that sign would climb the
  loss).
- E = −Σ y log a is the multi-class form. One sigmoid output needs the binary form
  e = −[y log ŷ + (1 − y) log(1 − ŷ)]. It is computed from the logit z as
  softplus(z) − y·z, which never overflows, and its derivative through the sigmoid is
  ∂e/∂z = ŷ − y.
- With K classes, y is a one-hot row and e = −Σ_k y_k log ŷ_k = −log ŷ_y with ŷ = softmax(z)
  (computed with the row's largest logit subtracted: no overflow at ±1000). A ŷ_y below 1e-300
  is never logged (no log 0, no subnormal digits): that batch's e comes from the logits as
  log Σ_k e^(z_k) − Σ_k y_k z_k, the log-sum-exp shifted by the row's largest logit. Through
  the softmax ∂e/∂z = ŷ − y again.
"""
from __future__ import annotations

import numpy as np

from nnviz.errors import NnvizError

REDUCTIONS = ("mean", "sum")
_ONES: dict[int, np.ndarray] = {}


def ones(m: int) -> np.ndarray:
    """A read-only vector of m ones, made once per length: a sum over rows written as the
    product onesᵀ·e is one BLAS call (cheaper than a NumPy reduction on a batch)."""
    v = _ONES.get(m)
    if v is None:
        if len(_ONES) >= 8:
            _ONES.clear()
        v = _ONES[m] = np.ones(m)
        v.flags.writeable = False
    return v
_ZERO = np.array(0.0)   # a 0-d operand costs NumPy less per call than a Python float
_NORMAL = 1e-300         # below this a probability has lost precision (subnormal) or is 0


class Loss:
    """Base class. ``fused`` is True when ``backward`` already returns ∂e/∂z at the logit,
    so the output activation's own backward is skipped (its derivative is folded in)."""

    name = ""
    formula = ""
    fused = False

    def __init__(self, output_activation: str, reduction: str = "mean"):
        if reduction not in REDUCTIONS:
            raise NnvizError(f"unknown reduction {reduction!r} (choose from: mean, sum)")
        self.reduction = reduction
        self.output_activation = output_activation

    def reduce(self, e: np.ndarray) -> float:
        """E from the per-row losses e (m, 1)."""
        total = float(e.reshape(-1).dot(ones(len(e))))   # Σ_rows e, one BLAS call
        return total / len(e) if self.reduction == "mean" else total

    def scale(self, m: int) -> float:
        """The factor on Σ_rows in every parameter gradient: 1/m or 1."""
        return 1.0 / m if self.reduction == "mean" else 1.0


class SquaredError(Loss):
    """e = ½(ŷ − y)²; ∂e/∂ŷ = ŷ − y. Fused with an identity output (then δ = ŷ − y at z)."""

    name = "squared_error"
    formula = "e = ½(ŷ − y)²"

    def __init__(self, output_activation: str = "identity", reduction: str = "mean"):
        super().__init__(output_activation, reduction)
        self.fused = output_activation == "identity"

    def per_row(self, z: np.ndarray, a: np.ndarray, y: np.ndarray, out=None) -> np.ndarray:
        d = np.subtract(a, y, out=out)
        return np.multiply(0.5 * d, d, out=d)     # (0.5·d)·d, into ``out`` as the others

    def backward(self, z: np.ndarray, a: np.ndarray, y: np.ndarray, out=None) -> np.ndarray:
        return np.subtract(a, y, out)


class LogLoss(Loss):
    """e = −[y log ŷ + (1 − y) log(1 − ŷ)] with ŷ = sigmoid(z), computed as softplus(z) − y·z."""

    name = "log_loss"
    formula = "e = −[y·log ŷ + (1 − y)·log(1 − ŷ)]"
    fused = True

    def __init__(self, output_activation: str = "sigmoid", reduction: str = "mean"):
        if output_activation != "sigmoid":
            raise NnvizError("log_loss needs a sigmoid output (use squared_error for other outputs)")
        super().__init__(output_activation, reduction)

    def per_row(self, z: np.ndarray, a: np.ndarray, y: np.ndarray, out=None) -> np.ndarray:
        e = np.logaddexp(_ZERO, z, out)
        np.subtract(e, np.multiply(y, z), e)
        return e

    def backward(self, z: np.ndarray, a: np.ndarray, y: np.ndarray, out=None) -> np.ndarray:
        return np.subtract(a, y, out)


class CrossEntropy(Loss):
    """e = −Σ_k y_k log ŷ_k with ŷ = softmax(z) and y one-hot (m, K), computed as −log ŷ_y, or as
    log Σ_k e^(z_k) − Σ_k y_k z_k when some ŷ_y is below 1e-300; e is (m, 1)."""

    name = "cross_entropy"
    formula = "e = −Σ_k y_k·log ŷ_k"
    fused = True

    def __init__(self, output_activation: str = "softmax", reduction: str = "mean"):
        if output_activation != "softmax":
            raise NnvizError("cross_entropy needs a softmax output (use log_loss for one sigmoid output)")
        super().__init__(output_activation, reduction)
        self._work: dict[tuple, np.ndarray] = {}

    def _scratch(self, shape) -> np.ndarray:
        """An (m, K) array kept between calls of the same batch shape (no allocation per step)."""
        t = self._work.get(shape)
        if t is None:
            if len(self._work) >= 4:
                self._work.clear()
            t = self._work[shape] = np.empty(shape)
        return t

    def per_row(self, z: np.ndarray, a: np.ndarray, y: np.ndarray, out=None) -> np.ndarray:
        """e (m, 1) = −log ŷ_y, ŷ_y = Σ_k y_k ŷ_k the true class's probability (exact: y is
        one-hot). The softmax ŷ was computed with every exponent ≤ 0, so ŷ_y carries the full
        precision of the logits whenever it is a normal number (≥ 1e-300); a row whose ŷ_y is
        below that (a logit more than 690 under the row's largest, where e^(z_y − c) leaves the
        normal range or underflows to 0) sends the batch to :meth:`_from_logits`, which never
        takes a log of 0."""
        m, K = z.shape
        if out is None:
            out = np.empty((m, 1))
        t = self._scratch(z.shape)
        e = out[:, 0]
        np.multiply(y, a, out=t)
        t.dot(ones(K), e)                                         # ŷ_y
        if not (m and np.minimum.reduce(e) >= _NORMAL):         # (NaN goes there too)
            return self._from_logits(z, y, out)
        np.log(e, out=e)
        return np.negative(out, out)

    def _from_logits(self, z: np.ndarray, y: np.ndarray, out: np.ndarray) -> np.ndarray:
        """e (m, 1) = log Σ_k e^(z_k − c) − (z_y − c) with c = max_k z_k per row and z_y = Σ_k y_k z_k
        the true class's logit: the same value as log Σ e^z − z_y, with every exponent ≤ 0 and
        no cancellation of large logits (z = (1000, 1000, −1000) gives log 2 to the last bit,
        and 2000 + log 2 for the third class, whose ŷ is 0)."""
        t = self._scratch(z.shape)
        w = ones(z.shape[1])
        c = z.max(axis=1)                                         # the shift c = max_k z_k
        np.subtract(z, c[:, None], out=t)                         # z − c ≤ 0
        np.exp(t, out=t)
        s = t.dot(w)                                              # Σ_k e^(z_k − c) ∈ [1, K]
        np.log(s, out=s)
        np.multiply(y, z, out=t)
        zy = t.dot(w)                                             # z_y
        np.subtract(zy, c, out=zy)                                # z_y − c
        np.subtract(s, zy, out=out[:, 0])
        return out

    def backward(self, z: np.ndarray, a: np.ndarray, y: np.ndarray, out=None) -> np.ndarray:
        return np.subtract(a, y, out)


def one_hot(labels, K: int, out: np.ndarray | None = None) -> np.ndarray:
    """Y (n, K) float64 with Y[i, labels[i]] = 1 and 0 elsewhere, from integer class labels
    0…K−1 (given as numbers). Raises for a label that is not one of them."""
    labels = np.asarray(labels, dtype=np.float64).reshape(-1)
    idx = labels.astype(np.int64)
    bad = (idx != labels) | (idx < 0) | (idx >= K)
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise NnvizError(f"class label {labels[i]:g} in row {i + 1} is not one of 0…{K - 1}")
    if out is None:
        out = np.empty((len(idx), K))
    out.fill(0.0)
    out[np.arange(len(idx)), idx] = 1.0
    return out


LOSSES = {"squared_error": SquaredError, "log_loss": LogLoss, "cross_entropy": CrossEntropy}
NAMES = tuple(LOSSES)


def make(name: str, output_activation: str, reduction: str = "mean") -> Loss:
    try:
        cls = LOSSES[name]
    except (KeyError, TypeError):
        raise NnvizError(f"unknown loss {name!r} (choose from: {', '.join(NAMES)})") from None
    return cls(output_activation, reduction)
