"""Cheaper repaints for the plots that redraw every frame while training plays.

:func:`cache_pixmaps`: items that stay the same while the plot around them changes every frame
(axes, titles, legends, the data points under a changing image) are painted from a pixmap kept
until they change (``QGraphicsItem.DeviceCoordinateCache``): an axis is then one pixmap instead
of its text laid out and drawn again.

:class:`ArgbImageItem`: an ``ImageItem`` whose rendered picture is premultiplied ARGB32, the
format QPainter draws directly. pyqtgraph renders a float image with a colour map to an
indexed (8-bit + colour table) QImage, building the 256-entry table in Python on every new
image, and QPainter converts that format on *every* paint (~0.4 ms even for a 10×8 image here).
"""
from __future__ import annotations

import math

import numpy as np
import pyqtgraph as pg
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QGraphicsItem

from . import colors

_ARGB = QImage.Format.Format_ARGB32_Premultiplied


def cache_pixmaps(*items) -> None:
    """Paint each of ``items`` from a device-pixel cache, redrawn when the item calls
    ``update()`` or its transform changes (a child item is painted on its own: pass it too)."""
    for item in items:
        item.setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)


def cache_plot_frame(plot: pg.PlotItem) -> None:
    """:func:`cache_pixmaps` for a plot's four axes and its title."""
    cache_pixmaps(*(plot.getAxis(name) for name in ("left", "bottom", "right", "top")),
                  plot.titleLabel.item)


class ArgbImageItem(pg.ImageItem):
    """``pg.ImageItem`` whose rendered QImage is premultiplied ARGB32.

    The common case (a finite 2-D float image with levels and an opaque colour map of at most
    256 colours) is mapped by :func:`colors.argb_pixels`, pyqtgraph's own rule
    (index = clip((v − low)·n / (high − low), 0, n − 1), truncated); anything else is left to
    pyqtgraph and converted once.
    """

    _table_for = None
    _table = None

    def render(self):
        # Values near the float limit (a run that is diverging) overflow on the way to pixels:
        # they draw as the scale's ends, and no NumPy warning escapes from a paint.
        with np.errstate(over="ignore", invalid="ignore"):
            if not self._render_argb():
                super().render()
                if self.qimage is not None and self.qimage.format() != _ARGB:
                    self.qimage = self.qimage.convertToFormat(_ARGB)

    def _render_argb(self) -> bool:
        img, lut, levels = self.image, self.lut, self.levels
        if (img is None or img.ndim != 2 or img.size == 0 or img.dtype.kind != "f"
                or levels is None or np.ndim(levels) != 1 or self.autoDownsample
                or self.axisOrder != "row-major" or not isinstance(lut, np.ndarray)
                or lut.dtype != np.uint8 or lut.ndim != 2 or not 0 < len(lut) <= 256):
            return False
        if self._table_for is not lut:
            if lut.shape[1] == 4 and not (lut[:, 3] == 255).all():
                return False
            self._table = colors.argb_table(lut)
            self._table_for = lut
        low, high = float(levels[0]), float(levels[1])
        if not math.isfinite(float(np.add.reduce(img, axis=None))):
            return False   # NaN, ±inf or a sum past the float limit: pyqtgraph's own rendering
        argb = colors.argb_pixels(img, low, high, finite=True, table=self._table)
        h, w = argb.shape
        # A QImage that owns its pixels (.copy()): nothing refers to the array afterwards.
        self.qimage = QImage(argb.data, w, h, 4 * w, _ARGB).copy()
        self._renderRequired = False
        self._unrenderable = False
        return True

