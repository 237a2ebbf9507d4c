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
CLASS0 = QColor(*LUT[24])   # blue
CLASS1 = QColor(*LUT[232])  # red
NEUTRAL = QColor(*LUT[128])


def color(value: float, vmax: float) -> QColor:
    """The colour of ``value`` on the symmetric scale [−vmax, vmax]."""
    if not np.isfinite(value) or vmax <= 0:
        return QColor(NEUTRAL)
    t = 0.5 + 0.5 * max(-1.0, min(1.0, value / vmax))
    return QColor(*LUT[int(round(t * 255))])


def symmetric_levels(*arrays) -> tuple[float, float]:
    """(−m, m) with m = max |value| over ``arrays`` (1 when all are zero or empty)."""
    m = 0.0
    for a in arrays:
        a = np.asarray(a)
        if a.size:
            m = max(m, float(np.nanmax(np.abs(a))))
    m = m if np.isfinite(m) and m > 0 else 1.0
    return -m, m


def argb_pixels(arr: np.ndarray, low, high, out=None, finite: bool = False,
                scale=None, table: np.ndarray = LUT32) -> np.ndarray:
    """``arr`` through ``table`` (default :data:`LUT32`) on the levels (low, high), as uint32
    ARGB32 pixels (heatmaps, the output image).

    The cell colour rule: index = clip((v − low)·n / (high − low), 0, n − 1), truncated, with n
    the table's length; a NaN cell is transparent (the background shows). ``low`` and
    ``scale`` may be arrays like ``arr`` (each entry's low and n / (high − low); ``high`` is then
    not used). ``finite``: the caller knows every entry is finite. ``out``: a uint32 array of
    ``arr``'s shape to fill.
    """
    n = len(table)
    if scale is None:
        scale = n / ((high - low) or 1.0)
    # A heatmap is a handful of cells: the cost is the number of NumPy calls, so a few ufuncs
    # with ``out`` (np.clip's wrapper alone costs more than the arithmetic).
    idx = np.subtract(arr, low)
    idx *= scale
    nan = None
    if not finite and not math.isfinite(float(np.add.reduce(idx, axis=None))):
        nan = np.isnan(idx)
        idx[nan] = 0.0
    np.minimum(idx, n - 1, out=idx)
    np.maximum(idx, 0, out=idx)
    argb = table.take(idx.astype(np.intp), out=out, mode="clip")
    if nan is not None:
        argb[nan] = 0
    return argb
