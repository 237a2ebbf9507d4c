"""The axis choice of the output plot and the grid over it, cached until the weights change."""
from __future__ import annotations

import math

import numpy as np

from nnviz.core.grid import Grid
from nnviz.errors import NnvizError

GRID_RESOLUTION = 100



def plot_range(lo: float, hi: float) -> tuple[float, float]:
    """The data's range lo…hi with a 5 % margin, widened to whole multiples of a round step
    (1, 2 or 5 × 10ᵏ, about a twentieth of the range): the axes end on round numbers, and toy
    datasets of about the same size share one range (their axes need no new drawing). A
    column with one value (a worked example's single row) gets ±1, or ± its size: a
    margin of 5 % of nothing gave axes like 799.99999996…800.00000006."""
    mag = max(abs(lo), abs(hi), 1.0)
    pad = 0.05 * (hi - lo) if hi - lo > 1e-9 * mag else mag
    a, b = lo - pad, hi + pad
    raw = (b - a) / 20
    step = 10.0 ** math.floor(math.log10(raw))
    step *= next(m for m in (1, 2, 5, 10) if m * step >= raw)
    # (12 significant digits: 0.35, not 0.35000000000000003; relative, so tiny data keep theirs)
    return (float(f"{math.floor(a / step) * step:.12g}"), float(f"{math.ceil(b / step) * step:.12g}"))

class AxesMixin:
    """Part of :class:`ui.model.AppModel`. Owns ``_axes`` (the chosen pair, None: pick on first
    use), ``_extent`` (grid limits kept while points are edited) and the grid cache (``_grid``,
    ``_grid_outputs`` at weights ``_grid_version``)."""

    def _init_axes(self):
        self._grid: Grid | None = None
        self._grid_outputs = None
        self._grid_version = -1
        self._axes: tuple[int, int] | None = None
        self._extent = None

    def _forget_axes(self, choice: bool):
        """New data: the grid's limits go, and the axis choice too when ``choice``."""
        self._extent = None
        if choice:
            self._axes = None

    def plot_axes(self) -> tuple[int, int]:
        """(x, y): the inputs (indices into ``model.inputs``) on the output plot's axes. One
        input: (0, 0), and the plot is a line of ŷ over it."""
        n = len(self.model.inputs)
        if self._axes is None or max(self._axes) >= n or (n > 1 and self._axes[0] == self._axes[1]):
            self._axes = self._default_axes()
        return self._axes

    def _default_axes(self) -> tuple[int, int]:
        """Two inputs: both. More: the input most correlated with the target on the training
        rows, then the one adding most beside it (|r(xⱼ, y)|·√(1 − r(xⱼ, x)²))."""
        n = len(self.model.inputs)
        rows = self.exp.train_idx[:5000]     # the split is shuffled: a fair sample of a big table
        if n <= 2 or len(rows) < 2:          # (one row, a worked example: nothing to correlate)
            return (0, min(1, n - 1))
        X, y = self.dataset.X[rows], self.dataset.y[rows]
        with np.errstate(all="ignore"):
            C = np.corrcoef(np.column_stack([X, y]), rowvar=False)
        C = np.nan_to_num(C, nan=0.0)
        r_y = np.abs(C[:n, n])
        first = int(np.argmax(r_y))
        score = r_y * np.sqrt(np.clip(1.0 - C[:n, first] ** 2, 0.0, 1.0))
        score[first] = -1.0
        return first, int(np.argmax(score))

    def set_axes(self, x: int, y: int):
        """Plot inputs x and y (indices into ``model.inputs``); the others stay at their mean
        over the training rows."""
        n = len(self.model.inputs)
        x, y = int(x), int(y)
        if not (0 <= x < n and 0 <= y < n):
            raise NnvizError(f"the axes must be two of the {n} inputs")
        if n > 1 and x == y:
            raise NnvizError("choose two different inputs for the two axes")
        if (x, y) == self.plot_axes():
            return
        self._axes = (x, y)
        self._extent = None
        self._invalidate_grid()
        self.events.emit("axesChanged")

    def held_values(self) -> np.ndarray:
        """(n_inputs,) the value of every input off the plot's axes: its mean over the
        training rows."""
        return self.dataset.X[self.exp.train_idx].mean(axis=0)

    def _invalidate_grid(self):
        self._grid = None
        self._grid_version = -1

    def grid(self) -> Grid:
        """The grid of the output plot: inputs ``plot_axes()`` over the data's range (see
        :func:`plot_range`),
        the other inputs at their training mean. One input: x over its range, ys over the
        targets' (every row of the grid is the same line)."""
        if self._grid is None:
            X, yv = self.dataset.X, self.dataset.y
            ax = self.plot_axes()
            if self._extent is not None:
                xlim, ylim = self._extent
            else:
                cols = [X[:, ax[0]], yv if ax[0] == ax[1] else X[:, ax[1]]]
                lims = []
                for v in cols:
                    lims.append(plot_range(float(v.min()), float(v.max())))
                xlim, ylim = lims
            self._grid = Grid(self.model, xlim, ylim, GRID_RESOLUTION, ax[0], ax[1],
                              fixed=self.held_values())
        return self._grid

    def grid_outputs(self) -> list[np.ndarray]:
        """Per dense layer, (res, res, units) float32 outputs; cached until the weights change.
        A regression's output is in the target's own units (the network's standardized output
        times σ_y plus μ_y)."""
        if self._grid_version != self.version:
            outs = self.grid().evaluate(self.network)
            if self.model.target_scaler is not None:   # ŷ in the target's units, not standardized
                outs[-1] = self.model.unscale(outs[-1])
            self._grid_outputs = outs
            self._grid_version = self.version
        return self._grid_outputs

    def _keep_extent_if_inside(self, X: np.ndarray):
        """Rows are being edited: the plot stays put while all of ``X`` is inside it."""
        if self._grid is not None:
            g = self._grid
            P = X[:, list(self.plot_axes())]
            inside = ((P[:, 0] >= g.xlim[0]) & (P[:, 0] <= g.xlim[1])
                      & (P[:, 1] >= g.ylim[0]) & (P[:, 1] <= g.ylim[1])).all()
            self._extent = (g.xlim, g.ylim) if inside else None
