"""The lean axis layout (``ui.axis_specs``) gives what pyqtgraph's own gives, tick for tick."""
from __future__ import annotations

import itertools

import numpy as np
import pyqtgraph as pg
import pytest
from PySide6.QtGui import QImage, QPainter

from ui import axis_specs
from ui.paint_cache import SteadyAxis

RANGES = [(0.0, 1.0), (0.0, 0.8), (0.0, 0.9), (-3.2, 7.9), (7.9, -3.2), (-1.0, 1.0), (0.0, 2.0),
          (1e-6, 3e-6), (1e5, 2.5e5), (-0.004, 0.0031), (12.0, 12.0), (0.0, 1000.0),
          (-2.71828, -2.5), (0.0, 50000.0), (3.0, 3.0000001)]
SIZES = [(180, 120), (420, 300), (900, 640)]


def _specs(spec):
    """A comparable copy of ``(axisSpec, tickSpecs, textSpecs)``."""
    if spec is None:
        return None
    (pen, a, b), ticks, texts = spec
    return ((pen.color().rgba(), pen.widthF(), a.x(), a.y(), b.x(), b.y()),
            [(p.color().rgba(), p.widthF(), p1.x(), p1.y(), p2.x(), p2.y()) for p, p1, p2 in ticks],
            [(r.getRect(), int(flags), text) for r, flags, text in texts])


@pytest.fixture
def plot(qtbot):
    axes = {side: pg.AxisItem(side) for side in ("left", "bottom", "right", "top")}
    widget = pg.PlotWidget(axisItems=axes)
    for side in axes:
        widget.getPlotItem().showAxis(side)
    qtbot.addWidget(widget)
    widget.show()
    return widget


def test_tick_values_equal_pyqtgraphs(qapp):
    axis = pg.AxisItem("left")
    for (lo, hi), size in itertools.product(RANGES, (40.0, 187.4, 300.0, 1200.0)):
        assert axis_specs.tick_values(axis, lo, hi, size) == axis.tickValues(lo, hi, size)


def test_draw_specs_equal_pyqtgraphs_on_every_side(plot, qtbot):
    image = QImage(1, 1, QImage.Format.Format_ARGB32_Premultiplied)
    item = plot.getPlotItem()
    checked = 0
    for (w, h), (x_range, y_range) in itertools.product(SIZES, zip(RANGES, RANGES[3:] + RANGES[:3])):
        plot.resize(w, h)
        item.setRange(xRange=x_range, yRange=y_range, padding=0)
        qtbot.wait(1)
        for side in ("left", "bottom", "right", "top"):
            axis = item.getAxis(side)
            painter = QPainter(image)
            try:
                before = axis.textWidth, axis.textHeight
                theirs = _specs(pg.AxisItem.generateDrawSpecs(axis, painter))
                theirs_room = axis.textWidth, axis.textHeight
                axis.textWidth, axis.textHeight = before
                ours = _specs(axis_specs.draw_specs(axis, painter))
                ours_room = axis.textWidth, axis.textHeight
            finally:
                painter.end()
            assert ours == theirs, (side, w, h, axis.range)
            assert ours_room == theirs_room
            checked += theirs is not None and len(theirs[2]) > 0
    assert checked > 100      # the comparison saw texts, not just empty axes


def test_an_axis_that_is_not_plain_is_left_to_pyqtgraph(plot):
    axis = plot.getPlotItem().getAxis("left")
    axis.setLogMode(True)
    assert axis_specs.draw_specs(axis, None) is NotImplemented
    axis.setLogMode(False)
    axis.setTicks([[(0.0, "zero"), (1.0, "one")]])
    assert axis_specs.draw_specs(axis, None) is NotImplemented
    axis.setTicks(None)
    axis.setGrid(128)
    assert axis_specs.draw_specs(axis, None) is NotImplemented


def test_the_app_axes_use_the_lean_layout_and_draw_the_same_picture(qtbot):
    """A SteadyAxis paints exactly what pyqtgraph's AxisItem paints for the same range."""
    pictures = []
    for cls in (SteadyAxis, pg.AxisItem):
        widget = pg.PlotWidget(axisItems={"left": cls("left"), "bottom": cls("bottom")})
        qtbot.addWidget(widget)
        widget.resize(400, 300)
        widget.show()
        widget.getPlotItem().setRange(xRange=(-3.2, 7.9), yRange=(0.0, 0.9), padding=0)
        qtbot.wait(5)
        pictures.append(widget.grab().toImage())
    a, b = (np.frombuffer(p.constBits(), np.uint8, p.sizeInBytes()).copy() for p in pictures)
    assert pictures[0].size() == pictures[1].size()
    assert np.array_equal(a, b)


def test_a_steady_axis_sets_its_label_again_only_when_the_label_changes(qtbot, monkeypatch):
    widget = pg.PlotWidget(axisItems={"left": SteadyAxis("left"), "bottom": SteadyAxis("bottom")})
    qtbot.addWidget(widget)
    widget.show()
    plot = widget.getPlotItem()
    plot.setLabel("bottom", "x1")
    axis = plot.getAxis("bottom")
    parsed = []
    original = type(axis.label).setHtml
    monkeypatch.setattr(type(axis.label), "setHtml",
                        lambda self, html: (self is axis.label and parsed.append(html),
                                            original(self, html)))
    for hi in (2.0, 3.0, 5.0):
        plot.setRange(xRange=(0.0, hi), padding=0)
        axis.picture = None
        qtbot.wait(1)
    assert parsed == []                          # new ranges, the same label
    assert axis.range == [0.0, 5.0]
    plot.setLabel("bottom", "sin(x1)")
    assert len(parsed) == 1 and "sin(x1)" in parsed[0]
    assert "sin(x1)" in axis.label.toHtml()
    plot.setLabel("bottom", "metres", units="m")  # units: the SI prefix follows the range
    plot.setRange(xRange=(0.0, 0.004), padding=0)
    assert "mm" in axis.label.toPlainText()


@pytest.mark.parametrize("side", ["left", "bottom"])
def test_a_longer_label_is_centred_on_its_axis(qtbot, side):
    """A new label is placed for its own length: pyqtgraph placed it only when the axis was
    resized, so a label made longer ran past the axis's end (the loss chart's "loss
    (standardized target units)" lost "units)" above the chart after "loss")."""
    widget = pg.PlotWidget(axisItems={side: SteadyAxis(side)})
    qtbot.addWidget(widget)
    widget.resize(400, 300)
    widget.show()
    plot = widget.getPlotItem()
    axis = plot.getAxis(side)
    plot.setLabel(side, "loss")
    qtbot.wait(20)
    plot.setLabel(side, "loss (standardized target units)")
    label = axis.mapRectToScene(axis.label.mapRectToParent(axis.label.boundingRect()))
    along = axis.sceneBoundingRect()
    if side == "left":
        assert along.top() - 1 <= label.top() and label.bottom() <= along.bottom() + 1
        assert abs(label.center().y() - along.center().y()) <= 1
    else:
        assert along.left() - 1 <= label.left() and label.right() <= along.right() + 1
        assert abs(label.center().x() - along.center().x()) <= 1


def test_an_axis_drawn_again_from_a_kept_picture_draws_what_pyqtgraph_draws(qtbot):
    """Ranges shown again are drawn from kept pictures (no tick laid out); a new size or pen is
    laid out; every state paints what pyqtgraph's AxisItem paints there."""
    widgets = []
    for cls in (SteadyAxis, pg.AxisItem):
        widget = pg.PlotWidget(axisItems={"left": cls("left"), "bottom": cls("bottom")})
        qtbot.addWidget(widget)
        widget.resize(400, 300)
        widget.getPlotItem().setRange(xRange=(0.0, 1.0), yRange=(-6.06, 6.06), padding=0)
        widget.show()
        widgets.append(widget)
    steady = widgets[0].getPlotItem().getAxis("left")
    layouts = []
    original = axis_specs.draw_specs

    def counting(axis, p):
        if axis is steady:
            layouts.append(tuple(axis.range))
        return original(axis, p)

    def show(y_range, size=(400, 300), pen="k"):
        images = []
        for widget in widgets:
            widget.resize(*size)
            widget.getPlotItem().getAxis("left").setPen(pen)
            widget.getPlotItem().setRange(xRange=(0.0, 1.0), yRange=y_range, padding=0)
            qtbot.wait(5)
            image = widget.grab().toImage()
            images.append(np.frombuffer(image.constBits(), np.uint8, image.sizeInBytes()).copy())
        assert np.array_equal(images[0], images[1]), (y_range, size, pen)
        return images[0]

    small, wide = (-6.06, 6.06), (-14.1, 2814.1)    # the wide labels make the axis wider
    axis_specs.draw_specs = counting
    try:
        first = [show(r) for r in (small, wide, small)]
        assert layouts
        layouts.clear()
        again = [show(r) for r in (small, wide, small)]
        assert layouts == []                            # all three from kept pictures
        assert all(np.array_equal(a, b) for a, b in zip(first, again))
        show(small, size=(400, 240))                    # a new length: laid out
        assert layouts == [small]
        show(small, size=(400, 240), pen="r")           # a new pen: laid out
        assert layouts == [small, small]
    finally:
        axis_specs.draw_specs = original
