"""One diverging colormap for everything signed (weights, gradients, outputs).

CET-D1 (blue–white–red, perceptually uniform, readable with red–green colour blindness).
Negative is blue, positive is red; class 0 is blue and class 1 red, so a probability p is drawn
at the value 2p − 1.
"""
from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtGui import QColor

# Every nnviz plot is drawn on white, with black text and antialiasing.
pg.setConfigOptions(antialias=True, background="w", foreground="k")

CMAP = pg.colormap.get("CET-D1")
LUT = CMAP.getLookupTable(0.0, 1.0, 256, alpha=False)  # (256, 3) uint8
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
