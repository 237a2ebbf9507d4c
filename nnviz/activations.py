"""Activation functions, their derivatives, and (for piecewise-linear ones) their slope vectors.

A table in the style of scikit-learn's ``neural_network/_base.py``. Every function works
element-wise on an array of any shape and keeps its dtype (float64 for training, float32 for
pixels).

Seed 000: a piecewise-linear activation is a Hadamard product, σ(z) = a ⊙ z, where ``a`` holds
the slope of the piece each element ``z_i`` falls on. :func:`slopes` returns that ``a``.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np

from .errors import NnvizError

LEAKY_SLOPE = 0.01


# Every function takes an optional ``out`` buffer of z's shape and dtype (the training loop's
# preallocated arrays); without it a new array is returned. Both give the same bits.

def _identity(z, out=None):
    if out is None:
        return z.copy()
    np.copyto(out, z)
    return out


def _relu(z, out=None):
    return np.maximum(z, 0, out=out)


def _leaky_relu(z, out=None):
    a = np.where(z > 0, z, z * z.dtype.type(LEAKY_SLOPE))
    if out is None:
        return a
    np.copyto(out, a)
    return out


def _sigmoid(z, out=None):
    # 0.5·(1 + tanh(z/2)) equals 1/(1+e^-z) and never overflows.
    half = z.dtype.type(0.5)
    a = np.multiply(z, half, out=out)
    np.tanh(a, out=a)
    a += 1
    a *= half
    return a


def _tanh(z, out=None):
    return np.tanh(z, out=out)


def _ones(z, a, out=None):
    if out is None:
        return np.ones_like(z)
    out.fill(1)
    return out


def _relu_slope(z, a=None, out=None):
    if out is None:
        return (z > 0).astype(z.dtype)
    return np.greater(z, 0, out=out)


def _leaky_slope(z, a=None, out=None):
    s = np.where(z > 0, z.dtype.type(1), z.dtype.type(LEAKY_SLOPE))
    if out is None:
        return s
    np.copyto(out, s)
    return out


def _tanh_derivative(z, a, out=None):
    out = np.multiply(a, a, out=out)
    return np.subtract(1, out, out=out)


def _sigmoid_derivative(z, a, out=None):
    out = np.subtract(1, a, out=out)
    out *= a
    return out


@dataclass(frozen=True)
class ActivationFunction:
    """One row of the table.

    ``value(z, out=None)`` is σ(z); ``derivative(z, a, out=None)`` is σ′(z) given z and
    a = σ(z) (whichever is cheaper); both write into ``out`` when given; ``slope(z)`` is the slope vector of seed 000 for piecewise-linear functions, or
    None. ``formula`` and ``derivative_formula`` are how the step-through panel writes them.
    """

    name: str
    value: Callable[[np.ndarray], np.ndarray]
    derivative: Callable[[np.ndarray, np.ndarray], np.ndarray]
    slope: Callable[[np.ndarray], np.ndarray] | None
    formula: str
    derivative_formula: str

    @property
    def piecewise_linear(self) -> bool:
        return self.slope is not None


ACTIVATIONS: dict[str, ActivationFunction] = {
    "identity": ActivationFunction("identity", _identity, _ones, lambda z: np.ones_like(z),
                                   "σ(z) = z", "σ′(z) = 1"),
    "relu": ActivationFunction("relu", _relu, _relu_slope, _relu_slope,
                               "σ(z) = max(0, z)", "σ′(z) = [z > 0]"),
    "leaky_relu": ActivationFunction("leaky_relu", _leaky_relu, _leaky_slope, _leaky_slope,
                                     f"σ(z) = z if z > 0 else {LEAKY_SLOPE}·z",
                                     f"σ′(z) = 1 if z > 0 else {LEAKY_SLOPE}"),
    "tanh": ActivationFunction("tanh", _tanh, _tanh_derivative, None,
                               "σ(z) = tanh(z)", "σ′(z) = 1 − tanh²(z)"),
    "sigmoid": ActivationFunction("sigmoid", _sigmoid, _sigmoid_derivative, None,
                                  "σ(z) = 1 / (1 + e⁻ᶻ)", "σ′(z) = σ(z)·(1 − σ(z))"),
}

NAMES = tuple(ACTIVATIONS)


def get(name: str) -> ActivationFunction:
    """The table row for ``name``; an unknown name raises :class:`NnvizError`."""
    try:
        return ACTIVATIONS[name]
    except (KeyError, TypeError):
        raise NnvizError(f"unknown activation {name!r} (choose from: {', '.join(NAMES)})") from None
