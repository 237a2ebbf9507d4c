"""The two layers a dense network is made of (seed 001 §1.2, §6, §7).

Rows are samples and weights run "from-to": W has shape (fan_in, fan_out), so a batch X of
shape (m, fan_in) gives Z = X·W + b of shape (m, fan_out) (seed 003 eq 10.13). Each layer keeps
only what its backward needs. The loss layer is in :mod:`nnviz.core.losses`.
"""
from __future__ import annotations

import inspect

import numpy as np

from nnviz.core import activations

_ONES: dict[int, np.ndarray] = {}


def ones(m: int) -> np.ndarray:
    """A read-only vector of m ones, made once per length: a sum over rows, written as the
    product onesᵀ·A, is one BLAS call (cheaper than a NumPy reduction on a batch)."""
    v = _ONES.get(m)
    if v is None:
        if len(_ONES) >= 8:
            _ONES.clear()
        v = _ONES[m] = np.ones(m)
        v.flags.writeable = False
    return v


class Dense:
    """Fully connected layer: Z = X·W + b.

    ``W`` (fan_in, fan_out), ``b`` (fan_out,), ``dW`` and ``db`` are views into the network's
    flat parameter and gradient vectors, so an optimizer updates every layer in one operation.
    b follows W there, so ``Wb`` = [W; b] (fan_in + 1, fan_out) and ``dWb`` = [dW; db] are
    views too: with the input's rows extended by a 1, [X 1]·[W; b] = X·W + b is one product.
    """

    def __init__(self, W: np.ndarray, b: np.ndarray, dW: np.ndarray, db: np.ndarray,
                 Wb: np.ndarray | None = None, dWb: np.ndarray | None = None):
        self.W, self.b, self.dW, self.db = W, b, dW, db
        self.Wb, self.dWb = Wb, dWb
        self.x: np.ndarray | None = None
        self.x1: np.ndarray | None = None

    @property
    def fan_in(self) -> int:
        return self.W.shape[0]

    @property
    def fan_out(self) -> int:
        return self.W.shape[1]

    def forward(self, x: np.ndarray, out: np.ndarray | None = None,
                x1: np.ndarray | None = None) -> np.ndarray:
        """x (m, fan_in) → Z (m, fan_out), written into ``out`` when given. Keeps x (and x1)
        for the backward pass. ``x1``, when given, is x with a column of ones appended (the
        training data is kept that way): then Z = x1·[W; b], one product, and backward forms
        [∂W; ∂b] = x1ᵀ·delta the same way."""
        self.x = x
        if x1 is not None and self.Wb is not None:
            self.x1 = x1
            return x1.dot(self.Wb, out)
        self.x1 = None
        # ndarray.dot runs the same BLAS product as np.matmul, for less per call.
        z = x.dot(self.W, out)
        np.add(z, self.b, z)
        return z

    def backward(self, delta: np.ndarray, scale: float, input_grad: bool = True,
                 out: np.ndarray | None = None):
        """delta = ∂e/∂Z (m, fan_out), one row per sample.

        Writes ∂E/∂W = scale · xᵀ·delta (fan_in, fan_out), a sum of per-row outer products
        (seed 002), and ∂E/∂b = scale · Σ_rows delta; returns ∂e/∂x = delta·Wᵀ (m, fan_in)
        (into ``out`` when given), or None when ``input_grad`` is False (the first layer's
        input is the data).
        """
        if self.x1 is not None:
            self.x1.T.dot(delta, self.dWb)     # [xᵀ·delta; 1ᵀ·delta]
        else:
            self.x.T.dot(delta, self.dW)
            ones(len(delta)).dot(delta, self.db)   # Σ_rows delta
        if scale != 1.0:
            self.dW *= scale
            self.db *= scale
        return delta.dot(self.W.T, out) if input_grad else None


def _takes_out(fn) -> bool:
    try:
        return "out" in inspect.signature(fn).parameters
    except (TypeError, ValueError):
        return False


class Activation:
    """Element-wise activation: A = σ(Z). Keeps Z, A and, after backward, σ′(Z)."""

    def __init__(self, name: str):
        self.function = activations.get(name)
        # The table's functions write into ``out``; one without that argument still works
        # (it returns a new array).
        self._value_out = _takes_out(self.function.value)
        self._derivative_out = _takes_out(self.function.derivative)
        self.name = name
        self.z: np.ndarray | None = None
        self.a: np.ndarray | None = None
        self.dadz: np.ndarray | None = None

    def forward(self, z: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
        """A = σ(Z), written into ``out`` when given."""
        self.z = z
        self.a = self.function.value(z, out) if out is not None and self._value_out \
            else self.function.value(z)
        return self.a

    def backward(self, grad_a: np.ndarray, out: np.ndarray | None = None,
                 dadz_out: np.ndarray | None = None) -> np.ndarray:
        """∂e/∂Z = ∂e/∂A ⊙ σ′(Z) (a Hadamard product: σ acts element by element); σ′(Z) goes
        into ``dadz_out`` and the product into ``out`` when given."""
        f = self.function
        self.dadz = (f.derivative(self.z, self.a, dadz_out)
                     if dadz_out is not None and self._derivative_out
                     else f.derivative(self.z, self.a))
        return np.multiply(grad_a, self.dadz, out=out)
