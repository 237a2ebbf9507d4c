"""The Output plot's data points: drawn as pyqtgraph's ``ScatterPlotItem`` draws them in pixel
mode, and set in one vectorised step.

pyqtgraph keeps a record per point (symbol, size, pen, brush, its place in the symbol atlas)
and looks each one up when the data change: 3.5 ms for the 500 points of a new toy dataset,
the largest single cost of changing the dataset (0.3 ms here). Here a point is an index into
a short list of styles (one per class, or per colour of a regression's targets): the styles
are rendered once with pyqtgraph's own ``renderSymbol`` into one atlas, and every paint is the
same single ``drawPixmapFragments`` call pyqtgraph makes, with the same culling and bounding
rectangle, so the pixels are pyqtgraph's.
"""
from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from pyqtgraph.graphicsItems.ScatterPlotItem import renderSymbol
from pyqtgraph.Qt import internals
from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QImage, QPainter, QPixmap

_ARGB = QImage.Format.Format_ARGB32_Premultiplied
_PAD = 0.7072       # pyqtgraph's: half a symbol's diagonal, as a share of its side


class PointsItem(pg.GraphicsObject):
    """Circles of ``size`` px at (x, y); point i drawn in style ``codes[i]`` of ``styles``,
    each a (QPen, QBrush) pair."""

    def __init__(self, size: float):
        super().__init__()
        self.size = size
        self._x = self._y = np.zeros(0)
        self._codes = np.zeros(0, dtype=np.intp)
        self._styles: list = []
        self._atlas: QPixmap | None = None
        self._dpr = 1.0
        self._rects = np.zeros((0, 4))          # per style: its (x, y, w, h) in the atlas
        self._side = 0.0                        # the widest symbol image, in device pixels
        self._frags = internals.PrimitiveArray(QPainter.PixmapFragment, 10)
        self._limits = [(None, None), (None, None)]     # (min, max) of x and of y
        self._rect: QRectF | None = None

    # --- data --------------------------------------------------------------------------
    def set_points(self, x, y, codes, styles) -> None:
        self.prepareGeometryChange()
        self._x = np.asarray(x, dtype=np.float64)
        self._y = np.asarray(y, dtype=np.float64)
        self._codes = np.asarray(codes, dtype=np.intp)
        styles = list(styles)
        if styles != self._styles:        # (equal styles, e.g. two classes again: the same symbols)
            self._styles = styles
            self._atlas = None
        self._limits = [(float(np.nanmin(d)), float(np.nanmax(d))) if d.size else (None, None)
                        for d in (self._x, self._y)]
        self._rect = None
        self.update()

    def getData(self):
        """(x, y), as ``ScatterPlotItem.getData``."""
        return self._x, self._y

    def point_styles(self) -> list:
        """Each point's (pen, brush)."""
        return [self._styles[c] for c in self._codes]

    # --- geometry, as ScatterPlotItem's in pixel mode ---------------------------------
    def dataBounds(self, ax, frac=1.0, orthoRange=None):
        return self._limits[ax]

    def pixelPadding(self):
        self._ensure_atlas(self._dpr)
        return self._side / self._dpr * _PAD

    def boundingRect(self):
        # Asked for many times a paint: kept until the data or the view's scale change.
        if self._rect is None:
            self._rect = self._bounding_rect()
        return QRectF(self._rect)

    def _bounding_rect(self) -> QRectF:
        if self._x.size == 0:
            return QRectF()
        xmn, xmx = self.dataBounds(0)
        ymn, ymx = self.dataBounds(1)
        px = py = 0.0
        pad = self.pixelPadding()
        if pad > 0:
            vx, vy = self.pixelVectors()
            px = 0.0 if vx is None else vx.length() * pad
            py = 0.0 if vy is None else vy.length() * pad
        return QRectF(xmn - px, ymn - py, 2 * px + xmx - xmn, 2 * py + ymx - ymn)

    def viewTransformChanged(self):
        self.prepareGeometryChange()
        self._rect = None
        super().viewTransformChanged()

    # --- drawing -------------------------------------------------------------------------
    def _ensure_atlas(self, dpr: float):
        if self._atlas is not None and dpr == self._dpr:
            return
        self._dpr = dpr
        images = [renderSymbol("o", self.size, pen, brush, dpr=dpr) for pen, brush in self._styles]
        width = sum(im.width() for im in images)
        height = max((im.height() for im in images), default=0)
        sheet = QImage(max(width, 1), max(height, 1), _ARGB)
        sheet.fill(Qt.GlobalColor.transparent)
        painter = QPainter(sheet)
        painter.setCompositionMode(QPainter.CompositionMode.CompositionMode_Source)
        rects, x = [], 0
        for im in images:
            im.setDevicePixelRatio(1.0)        # copied pixel for pixel
            painter.drawImage(x, 0, im)
            rects.append((x, 0, im.width(), im.height()))
            x += im.width()
        painter.end()
        self._rects = np.array(rects, dtype=np.float64).reshape(-1, 4)
        self._side = max((im.width() for im in images), default=0)
        self._atlas = QPixmap.fromImage(sheet)

    def paint(self, p, option, widget):
        if self._x.size == 0:
            return
        dpr = widget.devicePixelRatioF() if widget is not None else self._dpr
        self._ensure_atlas(dpr)
        src = self._rects[self._codes]
        shown = self._in_view(src)
        pts = pg.functions.transformCoordinates(p.transform(), np.vstack([self._x, self._y]))
        pts = pg.functions.clip_array(pts, -2 ** 30, 2 ** 30)
        p.resetTransform()
        self._frags.resize(int(np.count_nonzero(shown)))
        frags = self._frags.ndarray()
        frags[:, 0:2] = pts[:, shown].T
        frags[:, 2:6] = src[shown]
        frags[:, 6:10] = [1 / dpr, 1 / dpr, 0.0, 1.0]
        p.drawPixmapFragments(*self._frags.drawargs(), self._atlas)

    def _in_view(self, src) -> np.ndarray:
        """The points whose symbol reaches into the view (ScatterPlotItem's culling)."""
        view = self.viewRect()
        if view is None:
            return np.ones(self._x.size, dtype=bool)
        w, h = src[:, 2] / 2, src[:, 3] / 2
        vx, vy = self.pixelVectors()
        w = w * (0.0 if vx is None else vx.length())
        h = h * (0.0 if vy is None else vy.length())
        x, y = self._x, self._y
        return ((x + w > view.left()) & (x - w < view.right())
                & (y + h > view.top()) & (y - h < view.bottom()))
