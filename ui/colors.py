"""One diverging colormap for everything signed (weights, gradients, outputs).

CET-D1 (blue–white–red, perceptually uniform, readable with red–green colour blindness).
Negative is blue, positive is red; class 0 is blue and class 1 red, so a probability p is drawn
at the value 2p − 1.
"""
from __future__ import annotations

import math

import numpy as np
import pyqtgraph as pg
from PySide6.QtGui import QColor

# Every nnviz plot is drawn on white, with black text and antialiasing.
pg.setConfigOptions(antialias=True, background="w", foreground="k")

CMAP = pg.colormap.get("CET-D1")
LUT = CMAP.getLookupTable(0.0, 1.0, 256, alpha=False)  # (256, 3) uint8


def argb_table(lut: np.ndarray) -> np.ndarray:
    """An (n, 3+) uint8 colour table as opaque 32-bit pixels 0xAARRGGBB (ARGB32 premultiplied
    and RGB32 alike)."""
    rgb = lut[:, :3].astype(np.uint32)
    return np.uint32(0xFF000000) | (rgb[:, 0] << 16) | (rgb[:, 1] << 8) | rgb[:, 2]


LUT32 = argb_table(LUT)
LUT_SIZE = len(LUT)
NEUTRAL_INDEX = LUT_SIZE // 2   # the row of 0 (and of NaN on the canvas)
CLASS0 = QColor(*LUT[24])   # blue
CLASS1 = QColor(*LUT[232])  # red
NEUTRAL = QColor(*LUT[NEUTRAL_INDEX])


_QCOLORS: list[QColor] = []


def qcolors() -> list[QColor]:
    """:data:`LUT` as QColors, row by row (made once): what painting by row index draws with."""
    if not _QCOLORS:
        _QCOLORS.extend(QColor(*rgb) for rgb in LUT.tolist())
    return _QCOLORS


def color(value: float, vmax: float) -> QColor:
    """The colour of ``value`` on the symmetric scale [−vmax, vmax] (:func:`lut_index`'s row;
    NaN, or no scale, is :data:`NEUTRAL`)."""
    return QColor(*LUT[int(lut_index(value, vmax))])


def symmetric_levels(*arrays) -> tuple[float, float]:
    """(−m, m) with m = max |value| over ``arrays`` (1 when all are zero or empty)."""
    m = 0.0
    for a in arrays:
        a = np.asarray(a)
        if a.size:
            m = max(m, float(np.nanmax(np.abs(a))))
    m = m if np.isfinite(m) and m > 0 else 1.0
    return -m, m


def _rows(arr, low, scale, n: int, finite: bool):
    """(rows, NaN mask or None): THE value → colour-table row rule (see :func:`color_indices`)."""
    # A heatmap is a handful of cells: the cost is the number of NumPy calls, so a few ufuncs
    # with ``out`` (np.clip's wrapper alone costs more than the arithmetic). Values near
    # float64's limits (weights just before a divergence) overflow to ±inf: the table's ends.
    with np.errstate(over="ignore", invalid="ignore"):   # (and +inf and −inf in one array)
        idx = np.subtract(arr, low)
        if not isinstance(idx, np.ndarray) or idx.ndim == 0 or idx.dtype.kind != "f":
            idx = np.array(idx, dtype=np.float64)
        idx *= scale
        if not finite:
            finite = math.isfinite(float(np.add.reduce(idx, axis=None)))
    nan = None
    if not finite:
        nan = np.isnan(idx)
        if nan.any():
            idx[nan] = 0.0
        else:
            nan = None
    np.minimum(idx, n - 1, out=idx)
    np.maximum(idx, 0, out=idx)
    return idx.astype(np.intp), nan


def color_indices(arr, low, high, *, scale=None, finite: bool = False, n: int = LUT_SIZE,
                  nan_index: int = NEUTRAL_INDEX) -> np.ndarray:
    """The one value → colour-table row rule, used by every view (the canvas's edges, rings
    and maps, the heatmaps, the output image, the step panel's cells).

    row = clip((v − low)·n / (high − low), 0, n − 1), truncated, with n the table's length
    (pyqtgraph's own ImageItem rule); ±inf go to the ends, a NaN to ``nan_index``. ``low`` and
    ``scale`` may be arrays like ``arr`` (each entry's low and n / (high − low); ``high`` is then
    not used). ``finite``: the caller knows every entry is finite. Returns intp rows.
    """
    if scale is None:
        scale = n / ((high - low) or 1.0)
    rows, nan = _rows(arr, low, scale, n, finite)
    if nan is not None:
        rows[nan] = nan_index
    return rows


def lut_index(values, vmax) -> np.ndarray:
    """:func:`color_indices` on the symmetric levels (−vmax, vmax): the row of :data:`LUT` of
    each value (NaN, or a ``vmax`` that is not a positive number: :data:`NEUTRAL_INDEX`).
    ``vmax`` may be one value per last-axis entry of ``values``."""
    v = np.asarray(values, dtype=np.float64)
    vmax = np.asarray(vmax, dtype=np.float64)
    ok = np.isfinite(vmax) & (vmax > 0)
    safe = np.where(ok, vmax, 1.0)
    rows = color_indices(v, -safe, None, scale=LUT_SIZE / 2 / safe)   # (2·vmax may overflow)
    if not ok.all():
        rows = np.where(ok, rows, NEUTRAL_INDEX)
    return rows


def argb_pixels(arr: np.ndarray, low, high, out=None, finite: bool = False,
                scale=None, table: np.ndarray = LUT32) -> np.ndarray:
    """``arr`` through ``table`` (default :data:`LUT32`) on the levels (low, high), as uint32
    ARGB32 pixels (heatmaps, the output image): the rows of :func:`color_indices` (same
    arguments); a NaN cell is transparent (the background shows). ``out``: a uint32 array of
    ``arr``'s shape to fill.
    """
    n = len(table)
    if scale is None:
        scale = n / ((high - low) or 1.0)
    rows, nan = _rows(arr, low, scale, n, finite)
    argb = table.take(rows, out=out, mode="clip")
    if nan is not None:
        argb[nan] = 0
    return argb
