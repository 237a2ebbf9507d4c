"""The model over a grid of the input plane: the decision boundary and every unit's own map.

The grid's scaled features depend only on the data, the features and the view, so they are
computed once (float32) and each frame costs one forward pass: ``Network.layer_outputs`` in
float32 over res² rows (the layers' own forward methods), which also yields each hidden unit's
map (Playground's thumbnails). Only the features that read an axis's input vary over the
plane; the others, held at one value, enter the first layer once, through its bias.
"""
from __future__ import annotations

import numpy as np

from nnviz.errors import NnvizError
from nnviz.core.layers import Dense
from nnviz.core.model import Model
from nnviz.settings import check_number


# Values of the widest layer per block of grid rows in ``Grid._forward``.
_BLOCK = 1 << 17


class Grid:
    """A res×res grid over (xlim, ylim) of two chosen inputs; other inputs held at ``fixed``.

    ``x_input``/``y_input`` index ``model.inputs``; ``fixed`` (len(inputs),) gives the value of
    every input that is not on an axis (default 0). Image arrays are (res, res) with row i at
    y = ys[i] and column j at x = xs[j].
    """

    def __init__(self, model: Model, xlim, ylim, resolution: int = 100, x_input: int = 0,
                 y_input: int = 1, fixed=None):
        self.resolution = res = check_number("grid resolution", resolution, integer=True)
        n_in = len(model.inputs)
        if not (0 <= x_input < n_in and 0 <= y_input < n_in):
            raise NnvizError("the grid axes must be two of the model's inputs")
        self.xlim, self.ylim = (float(xlim[0]), float(xlim[1])), (float(ylim[0]), float(ylim[1]))
        self.xs = np.linspace(*self.xlim, res)
        self.ys = np.linspace(*self.ylim, res)
        gx, gy = np.meshgrid(self.xs, self.ys)
        held = np.zeros((1, n_in)) if fixed is None else np.array(fixed, dtype=float).reshape(1, n_in)
        # Only the features that read an axis's input vary over the grid: those are computed
        # for res² rows, every other one once (a 30-input table's grid costs what two inputs' do).
        self.moving = moving = model.features_of({x_input, y_input})
        #: (p,) every scaled feature at the held point (a moving one's entry is not its map).
        self.held = model.transform(held)[0]
        still = np.ones(len(self.held), dtype=bool)
        still[moving] = False
        self._still = np.flatnonzero(still)     # the held features' columns
        # The moving features with a column of ones: the first layer's X·W + b over the grid is
        # one product [X_moving 1]·[W_moving; b + x_held·W_held], the held features' share of
        # every row added to the bias once (adding b to res²×M values costs more than the
        # product itself, and a held column would be res² copies of one number).
        self._moving1 = np.empty((res * res, len(moving) + 1), dtype=np.float32)
        self._moving1[:, -1] = 1.0
        if moving:
            # Column by column, and only the inputs the moving features read: the others are
            # never read, and their memory is never touched.
            raw = np.empty((res * res, n_in), order="F")
            for k in model.inputs_read(moving):
                raw[:, k] = held[0, k]
            raw[:, x_input] = gx.ravel()
            if y_input != x_input:
                raw[:, y_input] = gy.ravel()
            self._moving1[:, :-1] = model.transform_columns(raw, moving)
        self._features = None

    @property
    def features(self) -> np.ndarray:
        """(res², p) float32, every scaled feature at every grid point (a held one is its
        value repeated); made when first asked for."""
        if self._features is None:
            F = np.empty((len(self._moving1), len(self.held)), dtype=np.float32)
            F[:] = self.held.astype(np.float32)
            F[:, self.moving] = self._moving1[:, :-1]
            self._features = F
        return self._features

    def moving_features(self) -> np.ndarray:
        """(res², len(moving)) float32, the features that vary over the grid (``moving``)."""
        return self._moving1[:, :-1]

    def evaluate(self, network) -> list[np.ndarray]:
        """Per dense layer, A reshaped to (res, res, units), float32; the last is the output."""
        res = self.resolution
        # Weights beyond float32's range (the last finite ones before a divergence) overflow
        # here; such maps show ±float32 max (NaN, from inf − inf, shows 0) instead of failing.
        with np.errstate(over="ignore", invalid="ignore"):
            outs = self._forward(network)
        for a in outs:
            if not np.isfinite(a).all():
                np.nan_to_num(a, copy=False, nan=0.0)
        return [a.reshape(res, res, -1) for a in outs]

    def _forward(self, network) -> list[np.ndarray]:
        """A per dense layer over the grid, float32: the layers' own forward methods on
        float32 copies of the weights, the first layer's input the moving features with their
        ones column (:meth:`_first_layer`), run over
        blocks of rows (about ``_BLOCK`` values of the widest layer each) so every intermediate
        stays in cache; each layer's block is computed in place in its slice of the result."""
        (first, act), *rest = zip(network.dense, network.act)
        layers = [(Dense(self._first_layer(first)), act)]
        layers += [(Dense(dense.Wb.astype(np.float32)), act) for dense, act in rest]
        features = self._moving1
        n = len(features)
        outs = [np.empty((n, dense.fan_out), dtype=np.float32) for dense in network.dense]
        blocks = -(-n * max(dense.fan_out for dense in network.dense) // _BLOCK)
        rows = max(1, -(-n // blocks))
        for start in range(0, n, rows):
            stop = min(start + rows, n)
            a = features[start:stop]
            for (dense, act), out in zip(layers, outs):
                z = dense.forward(a, out[start:stop])
                a = act.forward(z, z)
        return outs

    def _first_layer(self, dense) -> np.ndarray:
        """[W_moving; b + x_held·W_held] in float32: the first layer's weights for the moving
        features' rows, with the held features' share in the bias (summed in float64)."""
        Wb = np.empty((len(self.moving) + 1, dense.fan_out), dtype=np.float32)
        Wb[:-1] = dense.W[self.moving]
        Wb[-1] = dense.b + self.held[self._still] @ dense.W[self._still]
        return Wb
