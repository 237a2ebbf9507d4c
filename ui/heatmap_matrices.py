"""The matrices and colour bars of the heatmap panel (:mod:`ui.heatmaps`): each matrix's key,
group, names and title, the array and levels it shows, its image and where the layout put it;
each group's colour-bar levels and their labels.
"""
from __future__ import annotations

import numpy as np
from PySide6.QtCore import QRectF
from PySide6.QtGui import QImage

from nnviz.core.stages import Symbols, sup

from .heatmap_text import fmt, magnitude_decimals


def unit_names(net, k: int) -> list[str]:
    """Names of dense layer k's outputs: h1…hM (h2.1… for the 2nd of several hidden layers), ŷ
    (ŷ1…ŷK)."""
    sym = Symbols(len(net.dense))
    return [sym.unit(k, j, net.n_outputs) for j in range(net.sizes[k + 1])]


class Matrix:
    """One heatmap: the array shown (``image``), its levels, names, image and layout."""

    def __init__(self, key: str, group: str, column: int):
        self.key, self.group, self.column = key, group, column
        self.image: np.ndarray | None = None    # the float64 array last shown
        self.levels: tuple[float, float] = (-1.0, 1.0)
        self.shape: tuple[int, int] | None = None
        self.name = key
        self.title = key
        self.row_names: list[str] = []
        self.col_names: list[str] = []
        self.note = ""
        # The colours of ``image`` (ARGB32, written in place by every update) and an image
        # that refers to them (made when the shape changes).
        self._pixels: np.ndarray | None = None
        self.qimage: QImage | None = None
        # Layout (HeatmapPanel._layout, from ui.heatmap_layout): the image's rectangle, the
        # labels shown.
        self.rect = QRectF()
        self.col_labels: list[str] = []
        self.row_labels: list[str] = []
        self.grid = None             # CellValues.grid of the rectangle
        self.numbers = None          # CellValues.place for the current frame (False: none)
        self.coloured = ([], [])     # the same, by colour (CellValues.by_colour)

    def configure(self, net, features, shape: tuple[int, int], note: str):
        """Title and names for ``shape`` (or changed names): W, b and ∂E/∂W read the layer's
        inputs (``features`` for the first) by its units, activations the batch's rows."""
        rows, cols = shape
        key = self.key
        k = self.column                   # dense layer index (0-based)
        several = len(net.dense) > 2
        in_names = list(features) if k == 0 else unit_names(net, k - 1)
        out_names = unit_names(net, k)
        if key.startswith("W"):
            self.name = f"W{sup(k + 1)}"
            self.row_names, self.col_names = in_names, out_names
        elif key.startswith("b"):
            self.name = f"b{sup(k + 1)}"
            self.row_names, self.col_names = ["1"], out_names
        elif key.startswith("dW"):
            self.name = f"∂E/∂W{sup(k + 1)}"
            self.row_names, self.col_names = in_names, out_names
        elif key == "yhat":
            self.name = "ŷ"
            self.row_names, self.col_names = [str(i + 1) for i in range(rows)], out_names
        else:
            self.name = f"H{sup(k + 1)}" if several else "H"
            self.row_names, self.col_names = [str(i + 1) for i in range(rows)], out_names
        self.shape, self.note = shape, note
        self.title = f"{self.name} ({note})" if note else f"{self.name} {rows}×{cols}"


class ColorBar:
    """One group's colour scale: its levels (``levels()``) and their labels."""

    def __init__(self, group: str):
        self.group = group
        self._levels = (-1.0, 1.0)
        self.labels = ("1", "0", "−1")   # top, middle, bottom
        self.rect = QRectF()
        self.box = (0.0, 0.0, 0.0, 0.0)   # the same rectangle, as the layout gives it
        self.placed = None                # [(top-left, QStaticText)] of the labels

    def levels(self) -> tuple[float, float]:
        return self._levels

    def set_levels(self, levels: tuple[float, float]):
        self._levels = levels
        v = levels[1]
        d = max(magnitude_decimals(abs(v)) - 1, 0)
        self.labels = (fmt(v, d), "0", fmt(-v, d))
        self.placed = None
