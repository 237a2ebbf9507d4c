"""Optimizers over the flat parameter vector: one vectorised update for every layer at once.

Each ``update(params, grads, lr)`` changes ``params`` (and its own state) in place and nothing
else. ``equation`` is how the step-through panel writes the rule for a parameter θ.
"""
from __future__ import annotations

import numpy as np

from nnviz.errors import NnvizError


class SGD:
    name = "sgd"
    equation = "θ ← θ − η·∂E/∂θ"

    def __init__(self, size: int):
        self._buf = np.empty(size)

    def update(self, params: np.ndarray, grads: np.ndarray, lr: float) -> None:
        np.multiply(grads, lr, self._buf)
        np.subtract(params, self._buf, params)

    def state(self) -> dict:
        return {}

    def load_state(self, state: dict) -> None:
        pass


class Momentum(SGD):
    name = "momentum"
    equation = "v ← β·v + ∂E/∂θ;  θ ← θ − η·v   (β = 0.9)"

    def __init__(self, size: int, beta: float = 0.9):
        super().__init__(size)
        self.beta = beta
        self.v = np.zeros(size)

    def update(self, params, grads, lr):
        self.v *= self.beta
        self.v += grads
        np.multiply(self.v, lr, out=self._buf)
        params -= self._buf

    def state(self):
        return {"v": self.v.copy()}

    def load_state(self, state):
        self.v[...] = state["v"]


class Adam(SGD):
    name = "adam"
    equation = ("m ← β₁·m + (1−β₁)·∂E/∂θ;  v ← β₂·v + (1−β₂)·(∂E/∂θ)²;  "
                "m̂ = m/(1−β₁ᵗ), v̂ = v/(1−β₂ᵗ);  θ ← θ − η·m̂ / (√v̂ + ε)   "
                "(t counts the updates, 1 for the first; β₁ = 0.9, β₂ = 0.999, ε = 1e−8)")

    def __init__(self, size: int, beta1: float = 0.9, beta2: float = 0.999, eps: float = 1e-8):
        super().__init__(size)
        self.beta1, self.beta2, self.eps = beta1, beta2, eps
        self.m = np.zeros(size)
        self.v = np.zeros(size)
        self._buf2 = np.empty(size)
        self.t = 0

    def update(self, params, grads, lr):
        self.t += 1
        b1, b2 = self.beta1, self.beta2
        self.m *= b1
        self.m += (1 - b1) * grads
        self.v *= b2
        np.multiply(grads, grads, out=self._buf)
        self._buf *= 1 - b2
        self.v += self._buf
        # m̂ = m/(1−β₁ᵗ), v̂ = v/(1−β₂ᵗ), θ ← θ − η·m̂/(√v̂ + ε), exactly as displayed.
        np.divide(self.v, 1 - b2 ** self.t, out=self._buf2)
        np.sqrt(self._buf2, out=self._buf2)
        self._buf2 += self.eps
        np.divide(self.m, self._buf2, out=self._buf)
        self._buf *= lr / (1 - b1 ** self.t)
        params -= self._buf

    def state(self):
        return {"m": self.m.copy(), "v": self.v.copy(), "t": np.array(self.t)}

    def load_state(self, state):
        self.m[...] = state["m"]
        self.v[...] = state["v"]
        self.t = int(state["t"])


OPTIMIZERS = {"sgd": SGD, "momentum": Momentum, "adam": Adam}
NAMES = tuple(OPTIMIZERS)


def make(name: str, size: int) -> SGD:
    try:
        return OPTIMIZERS[name](size)
    except (KeyError, TypeError):
        raise NnvizError(f"unknown optimizer {name!r} (choose from: {', '.join(NAMES)})") from None
