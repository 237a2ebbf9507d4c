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
from PySide6.QtCore import QCoreApplication, QEvent
from PySide6.QtGui import QImage, QPainter, QPicture
from PySide6.QtWidgets import QGraphicsItem

from . import axis_specs, colors

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


class SteadyAxis(pg.AxisItem):
    """An axis that keeps its drawing when its range is set to the range it already shows.

    pyqtgraph's ``setRange`` throws the axis's picture away every time, and a view box sets its
    axes' ranges again while it prepares to paint: one change of data painted the plot two or
    three times more, each time laying out every tick label again (~1.6 ms an axis). When it
    does lay out, :mod:`ui.axis_specs` does it."""

    def setRange(self, mn: float, mx: float):
        if getattr(self, "range", None) == [mn, mx]:
            return
        super().setRange(mn, mx)

    def _updateLabel(self):
        # pyqtgraph sets the label's HTML again (a rich-text parse, ~70 µs) with every new
        # range, as an SI prefix might have changed; set it only when its text did. A new
        # range still throws the tick picture away.
        html = self.labelString()
        if html != getattr(self, "_label_html", None):
            self._label_html = html
            super()._updateLabel()
            # pyqtgraph centres the label on the axis only when the axis is resized: a longer
            # text kept the shorter one's place, and its end ran off the plot ("loss
            # (standardized target" with "units)" above the chart's top).
            self.resizeEvent()
        else:
            self.picture = None
            self.update()

    # Laid out by ui.axis_specs (the same ticks and texts with fewer Python objects) unless the
    # axis is one pyqtgraph's general code must handle (log, grid, fixed ticks).
    def tickValues(self, minVal: float, maxVal: float, size: float):
        if self.logMode:
            return super().tickValues(minVal, maxVal, size)
        return axis_specs.tick_values(self, minVal, maxVal, size)

    def generateDrawSpecs(self, p):
        specs = axis_specs.draw_specs(self, p)
        return super().generateDrawSpecs(p) if specs is NotImplemented else specs

    # The last pictures are kept with what they were drawn from (axis_specs.layout_key): a
    # range shown again (the toy data's after a table, a dataset switched back, the loss
    # chart's first epoch of a run like an earlier one) is drawn from its picture, with no
    # tick laid out again. A picture is a few kB.
    KEPT = 16

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._kept: dict = {}           # layout key → (picture, text size), oldest first
        self._text_size = None          # what the last layout asked for, across the axis

    def paint(self, p, opt, widget):
        self.ensure_picture()
        self.picture.play(p)

    def ensure_picture(self) -> None:
        """What ``AxisItem.paint`` does before it plays the picture: lay the ticks out and draw
        them into a QPicture, unless a kept picture was drawn from the same key."""
        if self.picture is not None:
            return
        key = axis_specs.layout_key(self)
        kept = self._kept
        if key is not None and key in kept:
            picture, text_size = kept[key] = kept.pop(key)     # (the most recent last)
            self._updateMaxTextSize(text_size)      # as laying it out does (it drops the picture)
            self.picture = picture
            return
        self._text_size = None
        picture = QPicture()
        painter = QPainter(picture)
        try:
            if self.style["tickFont"]:
                painter.setFont(self.style["tickFont"])
            specs = self.generateDrawSpecs(painter)
            if specs is not None:
                self.drawPicture(painter, *specs)
        finally:
            painter.end()
        self.picture = picture
        if key is not None and self._text_size is not None:
            kept[key] = (picture, self._text_size)
            while len(kept) > self.KEPT:
                del kept[next(iter(kept))]

    def _updateMaxTextSize(self, x):
        self._text_size = x
        super()._updateMaxTextSize(x)


def settle_layouts(rounds: int = 4) -> None:
    """Lay out now every widget whose layout waits for the event loop, and mark the widgets
    just shown for painting. Both wait as posted events, behind the paint already queued: left
    to the event loop, a widget is painted in its old geometry, then again (a table's 30 new
    feature boxes and the panel's new scroll bar were painted twice). Each round does the
    layouts the round before asked of their parents (a group box, its panel, the scroll area)."""
    for _ in range(rounds):
        QCoreApplication.sendPostedEvents(None, QEvent.Type.LayoutRequest)
    QCoreApplication.sendPostedEvents(None, QEvent.Type.UpdateLater)


def settle_now(plot: pg.PlotItem, *boxes: pg.ViewBox) -> None:
    """Do now what the plot would do at its next paint and that would ask for another paint
    after it: lay out every visible axis whose ticks changed (a wider tick label makes the axis
    wider and moves the layout), settle the layout, and apply the view boxes' new ranges (their
    items move). Call it at the end of a change, so that one paint shows the result."""
    boxes = (plot.getViewBox(),) + boxes
    image = None
    for _ in range(6):          # a new width can change the ticks once more; it settles fast
        # The layouts waiting to be redone (the plot's, and the widgets' around it) first:
        # they size the axes.
        QCoreApplication.sendPostedEvents(None, QEvent.Type.LayoutRequest)
        axes = [plot.getAxis(name) for name in ("left", "bottom", "right", "top")]
        stale = [a for a in axes if a.isVisible() and a.picture is None]
        if not stale:
            break
        # The vertical axes first: a new width of theirs resizes the horizontal ones, which
        # would then be laid out twice.
        stale = [a for a in stale if a.orientation in ("left", "right")] or stale
        for axis in stale:      # makes the picture and sizes the text
            if isinstance(axis, SteadyAxis):
                axis.ensure_picture()
                continue
            if image is None:
                image = QImage(1, 1, _ARGB)
            painter = QPainter(image)
            try:
                axis.paint(painter, None, None)
            finally:
                painter.end()
    for box in boxes:
        box.prepareForPaint()


def steady_axes(sides=("left", "bottom")) -> dict:
    """``axisItems`` for a PlotItem: a :class:`SteadyAxis` on each of ``sides`` (the axes a
    PlotItem is given are the axes it shows)."""
    return {side: SteadyAxis(side) for side in sides}


def set_axis_label(plot: pg.PlotItem, side: str, text: str, color: str) -> None:
    """``plot.setLabel(side, text, color=color)`` unless the axis says that already: setting a
    label lays the axis out and paints it again even when nothing changed (~1.6 ms an axis)."""
    axis = plot.getAxis(side)
    if axis.labelText == text and axis.labelStyle.get("color") == color and axis.label.isVisible():
        return
    plot.setLabel(side, text, color=color)


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

