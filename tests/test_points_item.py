"""The Output plot's points (ui.points_item.PointsItem) draw the pixels pyqtgraph's
ScatterPlotItem draws for the same points and styles, and take a new dataset in one step."""
import numpy as np
import pyqtgraph as pg
import pytest
from PySide6.QtGui import QColor, QImage

from ui import colors
from ui.points_item import PointsItem

SIZE = 7


def _pixels(widget) -> np.ndarray:
    img = widget.grab().toImage().convertToFormat(QImage.Format.Format_ARGB32)
    return np.frombuffer(img.constBits(), np.uint8).reshape(img.height(), img.width(), 4).copy()


def _cases():
    rng = np.random.default_rng(3)
    x, y = rng.normal(size=300), rng.normal(size=300)
    x[:5] = [3.4, -3.3, 0.0, 3.05, -2.97]          # on and past the view's edges: culled or cut
    y[:5] = [0.0, 0.5, 3.2, 2.98, -3.1]
    outline = QColor(255, 255, 255, 230)
    two = (rng.random(300) > 0.5).astype(int)
    filled = [(pg.mkPen(outline, width=1.0), pg.mkBrush(c)) for c in (colors.CLASS0, colors.CLASS1)]
    hollow = [(pg.mkPen(c.darker(135), width=1.8), pg.mkBrush(None))
              for c in (colors.CLASS0, colors.CLASS1)]
    scale = colors.lut_index(rng.normal(size=300), 2.0).astype(int)
    used, local = np.unique(scale, return_inverse=True)
    ring = QColor(0, 0, 0, 110)
    graded = [(pg.mkPen(ring, width=1.0), pg.mkBrush(colors.qcolors()[c])) for c in used]
    return {"two classes": (x, y, two, filled), "test points": (x, y, two, hollow),
            "a colour scale": (x, y, local.reshape(-1), graded)}


@pytest.mark.parametrize("case", list(_cases()))
def test_points_draw_what_a_scatter_plot_item_draws(qtbot, case):
    x, y, codes, styles = _cases()[case]
    shots = []
    for make in ("pyqtgraph", "nnviz"):
        plot = pg.PlotWidget(background="w")
        qtbot.addWidget(plot)
        plot.resize(360, 300)
        plot.setRange(xRange=(-3, 3), yRange=(-3, 3), padding=0)
        if make == "pyqtgraph":
            item = pg.ScatterPlotItem(size=SIZE, pxMode=True)
            item.setData(x=x, y=y, pen=[styles[c][0] for c in codes],
                         brush=[styles[c][1] for c in codes], symbol="o", size=SIZE)
        else:
            item = PointsItem(SIZE)
            item.set_points(x, y, codes, styles)
        plot.addItem(item)
        plot.show()
        qtbot.waitExposed(plot)
        shots.append(_pixels(plot))
    assert (shots[0] != 255).any()                    # something was drawn
    np.testing.assert_array_equal(shots[1], shots[0])


def test_points_keep_their_data_and_styles(qtbot):
    item = PointsItem(SIZE)
    styles = [(pg.mkPen("k"), pg.mkBrush("r")), (pg.mkPen("k"), pg.mkBrush("b"))]
    item.set_points([1.0, 2.0, 3.0], [4.0, 5.0, 6.0], [1, 0, 1], styles)
    x, y = item.getData()
    np.testing.assert_array_equal(x, [1, 2, 3])
    np.testing.assert_array_equal(y, [4, 5, 6])
    assert item.point_styles() == [styles[1], styles[0], styles[1]]
    assert item.dataBounds(0) == (1.0, 3.0) and item.dataBounds(1) == (4.0, 6.0)
    item.set_points([], [], [], [])
    assert item.boundingRect().isEmpty() and item.dataBounds(0) == (None, None)


def test_the_bounding_rect_follows_the_view(qtbot):
    """The rectangle is kept between paints, and made anew when the view's scale changes: its
    margin is half a symbol in data units."""
    plot = pg.PlotWidget()
    qtbot.addWidget(plot)
    plot.resize(300, 300)
    item = PointsItem(SIZE)
    item.set_points([0.0, 1.0], [0.0, 1.0], [0, 0], [(pg.mkPen("k"), pg.mkBrush("r"))])
    plot.addItem(item)
    plot.show()
    qtbot.waitExposed(plot)
    margins = []
    for half in (2.0, 20.0):
        plot.setRange(xRange=(-half, half), yRange=(-half, half), padding=0)
        qtbot.wait(10)
        rect = item.boundingRect()
        margins.append(-rect.left())
        assert rect.right() - 1.0 == pytest.approx(margins[-1])
    assert margins[1] == pytest.approx(10 * margins[0], rel=0.05)


def test_new_styles_are_drawn_and_equal_styles_keep_the_symbols(qtbot):
    """Points given other styles are drawn in them (the symbols are rendered again); points
    given styles equal to the last ones reuse the rendered symbols."""
    x, y, codes, filled = _cases()["two classes"]
    hollow = _cases()["test points"][3]
    plot = pg.PlotWidget(background="w")
    qtbot.addWidget(plot)
    plot.resize(360, 300)
    plot.setRange(xRange=(-3, 3), yRange=(-3, 3), padding=0)
    item = PointsItem(SIZE)
    plot.addItem(item)
    plot.show()
    qtbot.waitExposed(plot)
    shots = {}
    for name, styles in (("filled", filled), ("hollow", hollow)):
        item.set_points(x, y, codes, styles)
        shots[name] = _pixels(plot)
    fresh = PointsItem(SIZE)              # the hollow points drawn by an item that never had others
    plot.removeItem(item)
    plot.addItem(fresh)
    fresh.set_points(x, y, codes, hollow)
    np.testing.assert_array_equal(shots["hollow"], _pixels(plot))
    assert (shots["hollow"] != shots["filled"]).any()
    atlas = fresh._atlas
    fresh.set_points(x[::-1], y[::-1], codes, [(pg.mkPen(p), pg.mkBrush(b)) for p, b in hollow])
    _pixels(plot)
    assert fresh._atlas is atlas
