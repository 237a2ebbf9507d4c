"""The two layers a dense network is made of: each one's forward and backward, written once.

Rows are samples and weights run "from-to": W has shape (fan_in, fan_out), so a batch X of
shape (m, fan_in) gives Z = X·W + b of shape (m, fan_out). The loss layer is in
:mod:`nnviz.core.losses`.

Every caller runs these methods: the training step (fast, or recorded stage by stage), the
per-epoch evaluation, predictions, the decision-boundary grid and the row-by-row explanation.
They keep no state between calls: the caller owns the arrays (the trainer's workspace) and
passes each method what it needs, with ``out=`` buffers where it has them.

A layer's input may carry a column of ones, [X 1] (m, fan_in + 1): with [W; b] stored as one
(fan_in + 1, fan_out) block, X·W + b is then the single product [X 1]·[W; b], and
[∂W; ∂b] = [X 1]ᵀ·δ is one product too (the bias row of that product is Σ_rows δ). The
trainer keeps every layer's input that way.
"""
from __future__ import annotations

import numpy as np

from nnviz.core import activations


class Dense:
    """Fully connected layer: Z = X·W + b.

    ``Wb`` is [W; b] (fan_in + 1, fan_out); ``W`` (fan_in, fan_out) and ``b`` (fan_out,) are
    views of it. ``dWb`` (same shape, with views ``dW`` and ``db``) receives the gradients. In a
    :class:`~nnviz.core.network.Network` both are views into the flat parameter and gradient
    vectors, so an optimizer updates every layer in one operation.
    """

    def __init__(self, Wb: np.ndarray, dWb: np.ndarray | None = None):
        self.Wb = Wb
        self.W, self.b = Wb[:-1], Wb[-1]
        self.fan_in, self.fan_out = self.W.shape
        self.dWb = dWb
        if dWb is not None:
            self.dW, self.db = dWb[:-1], dWb[-1]

    @classmethod
    def of(cls, W, b, dtype=np.float64) -> "Dense":
        """A stand-alone layer holding copies of W (fan_in, fan_out) and b (fan_out,)."""
        W = np.asarray(W, dtype=dtype)
        Wb = np.empty((W.shape[0] + 1, W.shape[1]), dtype=dtype)
        Wb[:-1] = W
        Wb[-1] = np.asarray(b, dtype=dtype).reshape(-1)
        return cls(Wb, np.zeros_like(Wb))

    def forward(self, x: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
        """Z = X·W + b, (m, fan_out), into ``out`` (C-contiguous) when given.

        ``x`` is X (m, fan_in) or [X 1] (m, fan_in + 1); with the ones column the product is
        the single [X 1]·[W; b]."""
        # ndarray.dot runs the same BLAS product as np.matmul, for less per call.
        if x.shape[1] != self.fan_in:
            return x.dot(self.Wb, out)
        z = x.dot(self.W, out)
        return np.add(z, self.b, z)

    def backward(self, x: np.ndarray, delta: np.ndarray, input_grad: bool = True,
                 out: np.ndarray | None = None):
        """delta = ∂e/∂Z (m, fan_out), one row per sample; ``x`` as given to forward.

        Writes Xᵀ·delta, the sum over rows of the outer products xᵢᵀδᵢ, into ``dW`` and
        Σ_rows delta into ``db`` (one product [X 1]ᵀ·delta when x carries the ones column):
        the gradients of a summed loss. A mean loss's 1/m is applied by the caller, once to
        every layer's gradients together. Returns ∂e/∂X = delta·Wᵀ (m, fan_in), into ``out``
        when given, or None when ``input_grad`` is False (the first layer's input is the data).
        """
        if x.shape[1] != self.fan_in:
            x.T.dot(delta, self.dWb)
        else:
            x.T.dot(delta, self.dW)
            np.sum(delta, axis=0, out=self.db)
        return delta.dot(self.W.T, out) if input_grad else None


class Activation:
    """Element-wise activation A = σ(Z), with σ from the activation table."""

    def __init__(self, name: str):
        self.function = activations.get(name)
        self.name = name

    def forward(self, z: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
        """A = σ(Z), into ``out`` when given (``out`` may be z itself)."""
        return self.function.value(z, out)

    def backward(self, z: np.ndarray, a: np.ndarray, grad_a: np.ndarray,
                 dadz: np.ndarray | None = None, out: np.ndarray | None = None):
        """(σ′(Z), ∂e/∂Z) with ∂e/∂Z = ∂e/∂A ⊙ σ′(Z), a Hadamard product because σ acts
        element by element. z, a = σ(z) are this layer's forward values; σ′(Z) goes into
        ``dadz`` and the product into ``out`` when given.

        Softmax is not element-wise: there ``dadz`` holds the Jacobian's diagonal ŷ(1 − ŷ) and
        ∂e/∂Z is each row of ∂e/∂A times the whole Jacobian diag(ŷ) − ŷŷᵀ. (Training never
        runs this: cross-entropy hands back ∂e/∂Z = ŷ − y directly.)"""
        dadz = self.function.derivative(z, a, dadz)
        if self.function.rowwise:
            return dadz, activations.softmax_vjp(grad_a, a, out)
        return dadz, np.multiply(grad_a, dadz, out)
