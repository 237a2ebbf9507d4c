"""The arrays of one training step, made once per batch size (see :mod:`nnviz.core.trainer`)."""
from __future__ import annotations

import numpy as np

from nnviz.core.losses import Loss
from nnviz.core.network import Network


class Workspace:
    """The step's arrays for batches of m rows, made once per batch size.

    ``forward`` holds per dense layer ``(dense.forward, activation.forward, Z, A, X1)``: Z and
    A = σ(Z) are (m, fan_out); a hidden layer's A is a view of X1 = [A 1] (m, fan_out + 1), the
    next layer's input with its ones column (None for the output layer). ``backward`` holds per
    layer, last first, ``(k, dense, activation, input, Z, A, σ′(Z), ∂e/∂Z, ∂e/∂X)``, where
    ``activation`` is None for an output activation the loss folds in, ``input`` is None for
    the first layer (its input is the batch) and ∂e/∂X is None for the first layer. ``e`` and
    ``d`` are the loss's per-row e and ∂e/∂ŷ; ``scale`` is the loss's factor on every gradient
    (1/m, or None for 1)."""

    def __init__(self, network: Network, loss: Loss, m: int):
        L = network.n_layers
        self.forward = []
        for k, (dense, act) in enumerate(zip(network.dense, network.act), 1):
            Z = np.empty((m, dense.fan_out))
            if k < L:
                X1 = np.empty((m, dense.fan_out + 1))
                X1[:, -1] = 1.0
                A = X1[:, :-1]
            else:
                X1, A = None, np.empty((m, dense.fan_out))
            self.forward.append((dense.forward, act.forward, Z, A, X1))
        self.backward = []
        for k in range(L, 0, -1):
            _, _, Z, A, _ = self.forward[k - 1]
            fused = k == L and loss.fused
            self.backward.append((
                k, network.dense[k - 1], None if fused else network.act[k - 1],
                self.forward[k - 2][4] if k > 1 else None,
                Z, A, None if fused else np.empty(Z.shape), None if fused else np.empty(Z.shape),
                np.empty((m, network.dense[k - 1].fan_in)) if k > 1 else None))
        out = network.sizes[-1]
        self.e = np.empty((m, 1))
        self.d = np.empty((m, out))
        scale = loss.scale(m)
        self.scale = None if scale == 1.0 else np.array(scale)  # a 0-d operand: cheaper per call
