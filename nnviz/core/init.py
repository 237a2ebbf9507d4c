"""Weight initialisation. Each method fills a network's parameters from the given Generator.

- ``uniform``: every weight and bias from U[−1, 1].
- ``xavier``: W from U[±√(6/(fan_in+fan_out))] (Glorot & Bengio 2010), biases 0.
- ``he``: W from N(0, 2/fan_in) (He et al. 2015, for ReLU), biases 0.
"""
from __future__ import annotations

import numpy as np

from nnviz.errors import NnvizError
from nnviz.core.network import Network

METHODS = ("uniform", "xavier", "he")


def initialize(network: Network, method: str, rng: np.random.Generator) -> None:
    """Overwrite ``network.params`` in place (layer by layer, W then b)."""
    if method not in METHODS:
        raise NnvizError(f"unknown init {method!r} (choose from: {', '.join(METHODS)})")
    for d in network.dense:
        fan_in, fan_out = d.W.shape
        if method == "uniform":
            d.W[...] = rng.uniform(-1.0, 1.0, d.W.shape)
            d.b[...] = rng.uniform(-1.0, 1.0, d.b.shape)
        elif method == "xavier":
            limit = np.sqrt(6.0 / (fan_in + fan_out))
            d.W[...] = rng.uniform(-limit, limit, d.W.shape)
            d.b[...] = 0.0
        else:
            d.W[...] = rng.normal(0.0, np.sqrt(2.0 / fan_in), d.W.shape)
            d.b[...] = 0.0
