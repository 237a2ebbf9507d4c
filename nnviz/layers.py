"""The two layers a dense network is made of (seed 001 §1.2, §6, §7).

Rows are samples and weights run "from-to": W has shape (fan_in, fan_out), so a batch X of
shape (m, fan_in) gives Z = X·W + b of shape (m, fan_out) (seed 003 eq 10.13). Each layer keeps
only what its backward needs. The loss layer is in :mod:`nnviz.losses`.
"""
from __future__ import annotations

import inspect

import numpy as np

from . import activations


class Dense:
    """Fully connected layer: Z = X·W + b.

    ``W`` (fan_in, fan_out), ``b`` (fan_out,), ``dW`` and ``db`` are views into the network's
    flat parameter and gradient vectors, so an optimizer updates every layer in one operation.
    """

    def __init__(self, W: np.ndarray, b: np.ndarray, dW: np.ndarray, db: np.ndarray):
        self.W, self.b, self.dW, self.db = W, b, dW, db
        self.x: np.ndarray | None = None

    @property
    def fan_in(self) -> int:
        return self.W.shape[0]

    @property
    def fan_out(self) -> int:
        return self.W.shape[1]

    def forward(self, x: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
        """x (m, fan_in) → Z (m, fan_out), written into ``out`` when given. Keeps x for the
        backward pass."""
        self.x = x
        z = np.matmul(x, self.W, out=out)
        z += self.b
        return z

    def backward(self, delta: np.ndarray, scale: float, input_grad: bool = True,
                 out: np.ndarray | None = None):
        """delta = ∂e/∂Z (m, fan_out), one row per sample.

        Writes ∂E/∂W = scale · xᵀ·delta (fan_in, fan_out), a sum of per-row outer products
        (seed 002), and ∂E/∂b = scale · Σ_rows delta; returns ∂e/∂x = delta·Wᵀ (m, fan_in)
        (into ``out`` when given), or None when ``input_grad`` is False (the first layer's
        input is the data).
        """
        np.matmul(self.x.T, delta, out=self.dW)
        np.add.reduce(delta, axis=0, out=self.db)
        if scale != 1.0:
            self.dW *= scale
            self.db *= scale
        return np.matmul(delta, self.W.T, out=out) if input_grad else None


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
