"""The boundary, loss and heatmap views draw exactly the engine's numbers, and update in place."""
from dataclasses import replace

import numpy as np
import pyqtgraph as pg
import pytest
from PySide6.QtCore import QRectF

pytest.importorskip("pytestqt")

from ui.boundary_view import BoundaryPlot  # noqa: E402
from ui.heatmaps import HeatmapPanel  # noqa: E402
from ui.loss_view import LossPlot  # noqa: E402


@pytest.fixture
def boundary(qtbot, session):
    w = BoundaryPlot(session)
    qtbot.addWidget(w)
    w.resize(500, 450)
    return w


@pytest.fixture
def loss(qtbot, session):
    w = LossPlot(session)
    qtbot.addWidget(w)
    w.resize(500, 300)
    return w


@pytest.fixture
def heatmaps(qtbot, session):
    w = HeatmapPanel(session)
    qtbot.addWidget(w)
    w.resize(400, 600)
    return w


def scene_item_count(widget) -> int:
    scene = widget.scene() if hasattr(widget, "scene") and callable(widget.scene) else None
    if scene is None or not hasattr(scene, "items"):
        scene = widget.view.scene()
    return len(scene.items())


# --- boundary -------------------------------------------------------------------------

def test_show_test_data_is_greyed_without_test_rows(boundary, session):
    """A test ratio of 0 (or a worked example's typed rows) leaves no test rows: the box said
    "Show test data" over nothing. It is greyed then, and its tooltip says why."""
    box = boundary._test_box
    assert box.isEnabled() and "held out" in box.toolTip()
    session.set_data(test_ratio=0.0)
    assert not box.isEnabled() and "test ratio is 0" in box.toolTip()
    session.set_data(test_ratio=0.2)
    assert box.isEnabled() and "held out" in box.toolTip()


def test_boundary_image_is_the_model_output(boundary, session):
    p = session.grid_outputs()[-1][:, :, 0]
    img = boundary.current_image()
    assert img.dtype == np.float32 and img.flags.c_contiguous
    assert img.shape == (session.grid().resolution,) * 2
    np.testing.assert_array_equal(img, (2.0 * p - 1.0).astype(np.float32))
    assert np.shares_memory(boundary.image_item.image, img)  # setImage keeps a view
    assert tuple(boundary.image_item.levels) == (-1.0, 1.0)
    assert not np.shares_memory(img, p)

    before = img.copy()
    session.step_batch()
    p = session.grid_outputs()[-1][:, :, 0]
    img = boundary.current_image()
    assert not np.array_equal(img, before)
    np.testing.assert_array_equal(img, (2.0 * p - 1.0).astype(np.float32))


def test_boundary_image_covers_the_grid(boundary, session):
    g = session.grid()
    rect = boundary.image_item.mapRectToParent(boundary.image_item.boundingRect())
    dx = (g.xlim[1] - g.xlim[0]) / (g.resolution - 1)
    dy = (g.ylim[1] - g.ylim[0]) / (g.resolution - 1)
    # Pixel centres sit on the grid points: the image reaches half a pixel beyond them.
    assert rect.left() == pytest.approx(g.xlim[0] - dx / 2)
    assert rect.right() == pytest.approx(g.xlim[1] + dx / 2)
    assert rect.top() == pytest.approx(g.ylim[0] - dy / 2)
    assert rect.bottom() == pytest.approx(g.ylim[1] + dy / 2)
    plot = boundary.getPlotItem()
    assert plot.getAxis("bottom").labelText == session.model.inputs[0]
    assert plot.getAxis("left").labelText == session.model.inputs[1]


def test_boundary_points_match_the_split(boundary, session):
    tr, te = session.exp.train_idx, session.exp.test_idx
    x, y = boundary.train_scatter.getData()
    assert len(x) == len(tr)
    np.testing.assert_array_equal(x, session.dataset.X[tr, 0])
    np.testing.assert_array_equal(y, session.dataset.X[tr, 1])
    assert len(boundary.test_scatter.getData()[0]) == len(te)
    assert boundary.test_scatter.isVisible()

    boundary.showTestAction.setChecked(False)
    assert not boundary.test_scatter.isVisible()
    assert boundary.train_scatter.isVisible()
    boundary.showTestAction.setChecked(True)
    assert boundary.test_scatter.isVisible()


def test_boundary_discretize(boundary, session):
    boundary.discretizeAction.setChecked(True)
    p = session.grid_outputs()[-1][:, :, 0]
    np.testing.assert_array_equal(boundary.current_image(), np.where(p > 0.5, 1.0, -1.0))
    boundary.discretizeAction.setChecked(False)
    np.testing.assert_array_equal(boundary.current_image(), (2.0 * p - 1.0).astype(np.float32))


def test_boundary_hover_shows_a_unit_and_returns(boundary, session):
    session.unitHovered.emit(0, 1)
    np.testing.assert_array_equal(boundary.current_image(), session.grid_outputs()[0][:, :, 1])
    assert "h2" in boundary.getPlotItem().titleLabel.text
    assert "tanh" in boundary.getPlotItem().titleLabel.text
    session.step_batch()  # a hovered map follows training
    np.testing.assert_array_equal(boundary.current_image(), session.grid_outputs()[0][:, :, 1])

    session.unitHovered.emit(-2, 0)  # an input feature
    res = session.grid().resolution
    np.testing.assert_array_equal(boundary.current_image(),
                                  session.grid().features[:, 0].reshape(res, res))

    session.unitHovered.emit(-1, -1)
    p = session.grid_outputs()[-1][:, :, 0]
    np.testing.assert_array_equal(boundary.current_image(), (2.0 * p - 1.0).astype(np.float32))


def test_boundary_readout_shows_the_value_under_the_cursor(qtbot, boundary, session):
    boundary.show()
    qtbot.waitExposed(boundary)
    g = session.grid()
    i, j = 37, 61
    vb = boundary.getPlotItem().getViewBox()
    from PySide6.QtCore import QPointF

    boundary.scene().sigMouseMoved.emit(vb.mapViewToScene(QPointF(g.xs[j], g.ys[i])))
    p = float(session.grid_outputs()[-1][i, j, 0])
    x, y = g.xs[j], g.ys[i]
    assert boundary.readout.text() == f"p = {p:.3f} at ({x:.3g}, {y:.3g})"   # value first


def test_boundary_follows_a_new_neuron(boundary, session):
    session.add_neuron()
    assert session.network.sizes[1] == 5
    session.unitHovered.emit(0, 4)
    np.testing.assert_array_equal(boundary.current_image(), session.grid_outputs()[0][:, :, 4])
    session.unitHovered.emit(-1, -1)
    p = session.grid_outputs()[-1][:, :, 0]
    np.testing.assert_array_equal(boundary.current_image(), (2.0 * p - 1.0).astype(np.float32))


def test_boundary_regression_uses_target_levels(boundary, session):
    session.set_data(dataset="plane")
    assert session.task == "regression"
    out = session.grid_outputs()[-1][:, :, 0]
    np.testing.assert_array_equal(boundary.current_image(), out)
    m = np.abs(session.dataset.y).max()
    assert tuple(boundary.image_item.levels) == pytest.approx((-m, m))
    assert len(boundary.train_scatter.getData()[0]) == len(session.exp.train_idx)


def test_boundary_one_input_does_not_crash(qtbot, session):
    from nnviz.data.dataset import Dataset
    from nnviz.experiment import build

    x = np.linspace(-3, 3, 60)
    data = Dataset(x[:, None], np.sin(x), ["x"], "regression", name="sine1d")
    config = replace(session.config, dataset="sine1d", features=["x"])
    # No public loader for an in-memory table yet: swap the run the way _rebuild does.
    session.exp = build(config, data)
    session.config = config
    w = BoundaryPlot(session)
    qtbot.addWidget(w)
    session.step_epoch()
    w.grab()
    assert len(w.train_scatter.getData()[0]) == len(session.exp.train_idx)


def test_boundary_updates_create_no_items(boundary, session):
    boundary.grab()
    before = scene_item_count(boundary)
    for _ in range(50):
        session.step_batch()
    session.unitHovered.emit(0, 2)
    session.unitHovered.emit(-1, -1)
    boundary.grab()
    assert scene_item_count(boundary) == before


# --- loss -----------------------------------------------------------------------------

def curve_data(curve):
    x, y = curve.getOriginalDataset()
    if x is None:
        return np.empty(0), np.empty(0)
    return np.asarray(x), np.asarray(y)


def test_loss_curves_equal_the_history(loss, session):
    for _ in range(5):
        session.step_epoch()
    h = session.trainer.history
    assert len(h) == 6
    for curve, field in ((loss.train_curve, h.train_loss), (loss.test_curve, h.test_loss),
                         (loss.train_metric_curve, h.train_metric),
                         (loss.test_metric_curve, h.test_metric)):
        x, y = curve_data(curve)
        np.testing.assert_array_equal(x, h.epoch)
        np.testing.assert_array_equal(y, field)
    for curve in (loss.train_curve, loss.test_curve, loss.train_metric_curve,
                  loss.test_metric_curve):
        assert curve.opts["autoDownsample"] and curve.opts["clipToView"]
        assert curve.opts["downsampleMethod"] == "peak"


def test_loss_history_restarts(loss, session):
    for _ in range(3):
        session.step_epoch()
    session.add_neuron()  # a new run: history restarts
    x, y = curve_data(loss.train_curve)
    assert len(x) == len(session.trainer.history) == 1
    session.step_epoch()
    x, y = curve_data(loss.train_curve)
    np.testing.assert_array_equal(y, session.trainer.history.train_loss)


def test_loss_buffer_grows(loss, session):
    h = session.trainer.history
    for i in range(600):  # past the first buffer (256 rows) without training 600 epochs
        h.append(i + 1, i + 1, (1.0 / (i + 2), 0.5), (1.1 / (i + 2), 0.5))
    session.historyChanged.emit()
    x, y = curve_data(loss.test_curve)
    np.testing.assert_array_equal(y, h.test_loss)


def test_loss_without_test_set(qtbot, session):
    session.set_data(test_ratio=0.0)
    w = LossPlot(session)
    qtbot.addWidget(w)
    session.step_epoch()
    assert len(curve_data(w.test_curve)[0]) == 0
    assert len(curve_data(w.train_curve)[0]) == 2


def test_the_loss_legend_names_only_the_curves_drawn(loss, session):
    """With no test rows (a test ratio of 0, a worked example of two typed rows) the legend
    said "test loss" and "test acc" over a chart that never drew them."""
    def names():
        return [label.text for _, label in loss.legend.items]

    assert names() == ["train loss", "test loss", "train acc", "test acc"]
    session.set_data(test_ratio=0.0)
    assert names() == ["train loss", "train acc"]
    session.set_data(dataset="plane", test_ratio=0.3)    # a regression, with test rows again
    assert names() == ["train loss", "test loss", "train R²", "test R²"]
    session.set_data(test_ratio=0.0)
    assert names() == ["train loss", "train R²"]


def test_loss_log_toggle(loss, session):
    session.step_epoch()
    loss.logAction.setChecked(True)
    assert loss.getPlotItem().getAxis("left").logMode
    assert loss.train_curve.opts["logMode"][1]
    assert not loss.getPlotItem().getAxis("right").logMode  # the metric stays linear
    loss.logAction.setChecked(False)
    assert not loss.getPlotItem().getAxis("left").logMode


def polyline_points(curve) -> np.ndarray:
    """The (n, 2) points the curve draws now, in view coordinates (NaN rows: gaps)."""
    import pyqtgraph as pg
    shape = curve._polyline()
    if isinstance(shape, pg.QtGui.QPolygonF):
        return pg.functions.ndarray_from_qpolygonf(shape).copy()
    pts = []
    for i in range(shape.elementCount()):
        e = shape.elementAt(i)
        if e.isMoveTo() and pts:
            pts.append((np.nan, np.nan))
        if not pts or pts[-1] != (e.x, e.y):    # a gap's point repeats the one before it
            pts.append((e.x, e.y))
    return np.array(pts)


def test_boundary_points_are_set_again_only_when_the_rows_or_split_change(boundary, session,
                                                                           monkeypatch):
    """A feature, an activation or a unit more changes the image only; new rows, a new split or
    other axes set the points again (and they then show the new rows)."""
    calls = []
    original = BoundaryPlot._set_points
    monkeypatch.setattr(BoundaryPlot, "_set_points", lambda self: (calls.append(1), original(self)))
    before = boundary.train_scatter.getData()
    session.set_features(["x1", "x2", "x1^2"])
    session.set_activation("relu")
    session.add_neuron()
    assert calls == []
    np.testing.assert_array_equal(boundary.train_scatter.getData()[0], before[0])
    session.set_data(test_ratio=0.3)
    assert len(calls) == 1
    assert len(boundary.train_scatter.getData()[0]) == len(session.exp.train_idx)
    session.add_point(0.25, -0.5, 1.0)
    assert len(calls) == 2
    x, y = boundary.train_scatter.getData()
    assert len(x) == len(session.exp.train_idx) and (0.25, -0.5) in set(zip(x.tolist(), y.tolist()))


def test_loss_curve_draws_at_most_two_points_a_pixel(qtbot, loss, session):
    h = session.trainer.history
    rng = np.random.default_rng(0)
    loss_values = np.exp(-np.arange(20_000) / 3000) + rng.uniform(0, 0.05, 20_000)
    for i, v in enumerate(loss_values):
        h.append(i + 1, i + 1, (float(v), 0.5), (float(v), 0.5))
    session.historyChanged.emit()
    loss.resize(500, 300)
    loss.show()
    qtbot.waitExposed(loss)
    curve = loss.train_curve
    pixels = int(curve.getViewBox().width())
    pts = polyline_points(curve)
    assert len(pts) <= 2 * pixels + 2 * (len(h) // pixels) and len(pts) < len(h) / 10
    y = np.asarray(h.train_loss)
    # Peak decimation keeps the extremes: the drawn line spans the data exactly.
    assert pts[:, 1].min() == y.min() and pts[:, 1].max() == y.max()
    assert pts[0, 0] == h.epoch[0] and pts[-1, 0] == h.epoch[-1]
    # Zoomed in on epochs 100…200: only those (and one either side) are drawn, undecimated.
    curve.getViewBox().setXRange(100, 200, padding=0)
    pts = polyline_points(curve)
    np.testing.assert_array_equal(pts[:, 0], np.arange(99, 202))
    np.testing.assert_array_equal(pts[:, 1], y[99:202])   # h.epoch[k] == k


def test_loss_curve_breaks_at_gaps_and_log_of_zero(loss):
    from ui.history_curve import HistoryCurve
    curve = HistoryCurve("k")
    curve.setData(np.arange(6.0), np.array([1.0, 0.5, np.nan, 0.2, 0.0, 0.1]))
    pts = polyline_points(curve)
    np.testing.assert_array_equal(pts[:2], [[0, 1.0], [1, 0.5]])
    assert np.isnan(pts[2]).all()
    curve.setLogMode(False, True)     # 0 has no logarithm: a second gap
    pts = polyline_points(curve)
    finite = pts[np.isfinite(pts[:, 0])]
    np.testing.assert_allclose(finite[:, 1], np.log10([1.0, 0.5, 0.2, 0.1]))
    assert np.isnan(pts[:, 0]).sum() == 2
    assert curve.dataBounds(1) == pytest.approx((-1.0, 0.0))


def test_a_series_of_one_epoch_is_a_dot(qtbot):
    """A run's start is one point per series, which a line through it would not show (the
    chart stood empty through the first epoch): a solid series draws it as a filled dot, a
    dashed one as a ring; two points are a line again."""
    import pyqtgraph as pg
    from PySide6.QtCore import QPointF, Qt
    from PySide6.QtGui import QColor
    from ui.history_curve import DOT, HistoryCurve

    plot = pg.PlotWidget(background="w")
    qtbot.addWidget(plot)
    plot.resize(300, 200)
    plot.setRange(xRange=(0, 1), yRange=(0, 1), padding=0)
    red, blue = QColor(220, 0, 0), QColor(0, 0, 220)
    solid = HistoryCurve(pg.mkPen(red, width=1))
    dashed = HistoryCurve(pg.mkPen(blue, width=1, style=Qt.PenStyle.DashLine))
    for curve, y in ((solid, 0.7), (dashed, 0.3)):
        plot.addItem(curve)
        curve.setData([0.5], [y])
    plot.show()
    qtbot.waitExposed(plot)

    def pixel(y, dx=0.0):
        image = plot.grab().toImage()
        vb = plot.getPlotItem().getViewBox()
        at = plot.mapFromScene(vb.mapViewToScene(QPointF(0.5, y)))
        return image.pixelColor(round(at.x() + dx), round(at.y()))

    def near(c, want):
        return max(abs(c.red() - want.red()), abs(c.green() - want.green()),
                   abs(c.blue() - want.blue())) < 60

    assert near(pixel(0.7), red)                       # filled
    assert near(pixel(0.7, DOT / 2 + 3), QColor("white"))  # and no bigger than DOT
    rim, middle = pixel(0.3, DOT / 2 - 1), pixel(0.3)  # a ring: coloured at its rim,
    assert near(rim, blue)
    assert middle.lightness() > rim.lightness() + 60   # open in the middle
    solid.setData([0.5, 0.6], [0.7, 0.7])              # two epochs: a one-pixel line
    assert not near(pixel(0.7, -2), red)               # nothing left of its first point


def test_loss_epoch_axis_grows_in_steps_of_about_a_fifth():
    from ui.loss_view import _round_up
    assert [_round_up(x) for x in (1, 7, 8, 51, 130, 914, 1000, 1001, 2600)] == \
        [1, 8, 8, 60, 150, 1000, 1000, 1200, 3000]
    xs = np.arange(1, 100_000)
    ups = np.array([_round_up(float(x)) for x in xs[::97]])
    assert (ups >= xs[::97]).all() and (xs[::97] / ups >= 0.75 - 1e-9).all()  # fills ≥ 75 %
    assert len(np.unique(ups)) <= 10 * 5 + 1       # at most ten ranges a decade


def test_loss_log_axis_labels_do_not_crowd(loss):
    from ui.loss_view import _log_tick_strings
    values = np.log10([0.03, 0.05, 0.1, 0.2, 0.3, 0.5, 0.9, 1.0, 2.0, 20.0])
    assert _log_tick_strings(values, 1.0, 1.0) == ["", "0.05", "0.1", "0.2", "", "0.5", "", "1",
                                                   "2", "20"]
    axis = loss.getPlotItem().getAxis("left")
    loss.logAction.setChecked(True)
    assert axis.tickStrings(list(values[:3]), 1.0, 1.0) == ["", "0.05", "0.1"]


def test_loss_divergence_marker_is_one_item(loss, session):
    before = scene_item_count(loss)
    loss.mark_divergence(3)
    assert loss.divergence_line.isVisible() and loss.divergence_line.value() == 3
    loss.mark_divergence(7)
    assert loss.divergence_line.value() == 7
    assert scene_item_count(loss) == before
    session.reset()  # a restarted run hides it
    assert not loss.divergence_line.isVisible()


def test_loss_readout_and_cursor(qtbot, loss, session):
    loss.show()
    qtbot.waitExposed(loss)
    for _ in range(4):
        session.step_epoch()
    assert "epoch 4" in loss.readout.text()
    from PySide6.QtCore import QPointF

    loss.grab()  # auto-range is applied when painting
    vb = loss.getPlotItem().getViewBox()
    y = float(np.mean(vb.viewRange()[1]))
    loss.scene().sigMouseMoved.emit(vb.mapViewToScene(QPointF(2.1, y)))
    assert "epoch 2" in loss.readout.text()
    assert loss.cursor_line.isVisible() and loss.cursor_line.value() == 2


def test_loss_updates_create_no_items(loss, session):
    session.step_epoch()
    loss.grab()
    before = scene_item_count(loss)
    for _ in range(50):
        session.step_epoch()
    loss.grab()
    assert scene_item_count(loss) == before


# --- heatmaps -------------------------------------------------------------------------

def test_heatmaps_show_the_weights_exactly(heatmaps, session):
    net = session.network
    for k, d in enumerate(net.dense, 1):
        np.testing.assert_array_equal(heatmaps.current_array(f"W{k}"), d.W)
        np.testing.assert_array_equal(heatmaps.current_array(f"b{k}"), d.b.reshape(1, -1))
        assert np.shares_memory(heatmaps.images[f"W{k}"].image, heatmaps.current_array(f"W{k}"))
        assert not np.shares_memory(heatmaps.current_array(f"W{k}"), d.W)
    assert set(heatmaps.images) >= {"W1", "b1", "W2", "b2", "H", "dW1", "dW2"}
    # Before the first step there is no batch: a neutral row.
    np.testing.assert_array_equal(heatmaps.current_array("H"), np.zeros((1, 4)))


def test_heatmaps_follow_a_step(heatmaps, session):
    session.step_batch()
    net = session.network
    np.testing.assert_array_equal(heatmaps.current_array("W1"), net.dense[0].W)
    np.testing.assert_array_equal(heatmaps.current_array("H"), session.trainer.last_activations()[0])
    assert heatmaps.current_array("H").shape == (10, 4)
    np.testing.assert_array_equal(heatmaps.current_array("dW1"), net.dense[0].dW)
    np.testing.assert_array_equal(heatmaps.current_array("dW2"), net.dense[1].dW)
    assert np.abs(heatmaps.current_array("dW1")).max() > 0
    lo, hi = heatmaps.images["W1"].levels
    assert lo == -hi and hi >= np.abs(net.dense[0].W).max()


def _view_image(heatmaps):
    """The view as drawn (one device pixel per view pixel, offscreen)."""
    img = heatmaps.view.grab().toImage()
    assert img.width() == heatmaps.view.width()
    return img


def _lut_rgb(v, levels):
    """The colour of ``v`` by the cell colour rule, computed here from colors.LUT."""
    from ui import colors
    lo, hi = levels
    n = len(colors.LUT)
    idx = int(min(max((v - lo) * n / (hi - lo), 0), n - 1))
    return tuple(int(c) for c in colors.LUT[idx])


def _hover(heatmaps, pos):
    from PySide6.QtCore import QEvent, QPointF, Qt
    from PySide6.QtGui import QMouseEvent
    from PySide6.QtWidgets import QApplication

    ev = QMouseEvent(QEvent.Type.MouseMove, QPointF(pos), heatmaps.view.mapToGlobal(QPointF(pos)),
                     Qt.MouseButton.NoButton, Qt.MouseButton.NoButton,
                     Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(heatmaps.view, ev)


def test_heatmap_readout(qtbot, heatmaps, session):
    from PySide6.QtCore import QPointF

    heatmaps.show()
    qtbot.waitExposed(heatmaps)
    _hover(heatmaps, heatmaps.cell_center("W1", 0, 2))
    w = session.network.dense[0].W[0, 2]
    assert heatmaps.readout.text() == f"W⁽¹⁾[x1, h3] = {w:.4g}"
    _hover(heatmaps, heatmaps.cell_center("b1", 0, 1))
    assert heatmaps.readout.text() == f"b⁽¹⁾[h2] = {session.network.dense[0].b[1]:.4g}"
    _hover(heatmaps, heatmaps.cell_center("H", 0, 0))
    assert heatmaps.readout.text() == ""          # no batch yet: nothing to read
    session.step_batch()                          # the cursor stays: the readout follows
    a = session.trainer.last_activations()[0]
    _hover(heatmaps, heatmaps.cell_center("H", 3, 1))
    assert heatmaps.readout.text() == f"H[4, h2] = {a[3, 1]:.4g}"
    session.step_batch()
    assert heatmaps.readout.text() == f"H[4, h2] = {session.trainer.last_activations()[0][3, 1]:.4g}"
    _hover(heatmaps, heatmaps.image_rect("W1").topLeft() - QPointF(3, 3))  # beside it
    assert heatmaps.readout.text() == ""


def test_heatmap_readout_gives_a_standardized_output_in_the_targets_units(qtbot, heatmaps,
                                                                           session):
    """A regression learns the standardized target: the ŷ matrix shows those numbers, while the
    Output plot and the loss chart's readout give ŷ in the target's units. Hovering ŷ says both."""
    session.set_data(dataset="plane")
    assert session.model.target_scaler is not None
    heatmaps.show()
    qtbot.waitExposed(heatmaps)
    session.step_batch()
    _hover(heatmaps, heatmaps.cell_center("yhat", 2, 0))
    v = float(session.trainer.last_activations()[-1][2, 0])
    ts = session.model.target_scaler
    assert heatmaps.readout.text() == (f"ŷ[3, ŷ] = {v:.4g} (standardized; ŷ·σ_y + μ_y = "
                                       f"{v * ts.std[0] + ts.mean[0]:.4g})")
    _hover(heatmaps, heatmaps.cell_center("H", 2, 0))       # a hidden unit: its value only
    assert heatmaps.readout.text() == f"H[3, h1] = {session.trainer.last_activations()[0][2, 0]:.4g}"


def test_heatmap_weights_near_float64s_limits_take_the_scales_ends(qtbot, heatmaps, session):
    """Finite weights near float64's largest (the last ones before a divergence): the group's
    scale n / (2·top) overflowed to 0 and every cell took one colour; now ±top are its ends."""
    heatmaps.show()
    qtbot.waitExposed(heatmaps)
    from ui import colors
    heatmaps.valuesCheck.setChecked(False)
    W = session.network.dense[0].W        # (a typed weight is kept within ±1e6)
    W[0, 0], W[1, 0] = 1e308, -1e308
    session.paramsChanged.emit()
    qtbot.wait(10)
    img = _view_image(heatmaps)
    rgb = []
    for i in (0, 1):
        c = heatmaps.cell_center("W1", i, 0)
        px = img.pixelColor(int(c.x()), int(c.y()))
        rgb.append((px.red(), px.green(), px.blue()))
    assert rgb == [tuple(colors.LUT[-1]), tuple(colors.LUT[0])]
    # Their numbers are written 1e308, −1e308: in fixed point the colour bar's labels were 309
    # digits wide and the heatmaps grew to 2,357 px in a 400 px panel.
    assert heatmaps.colorbars["params"].labels == ("1e308", "0", "−1e308")
    assert heatmaps.view.width() <= heatmaps.width()


def test_a_cells_text_turns_scientific_from_1e9():
    from nnviz.explain.text import cell_text
    from ui.heatmap_text import fmt_fast
    for v, d, text in ((123456789.0, 0, "123456789"), (1e9, 0, "1e9"), (-2.346e12, 2, "−2.35e12"),
                       (1e308, 5, "1e308"), (0.0012, 4, "0.0012"), (-0.53, 2, "−0.53")):
        assert cell_text(v, d) == fmt_fast(v, d) == text, v


def test_heatmap_cells_have_the_colour_of_their_value(qtbot, heatmaps, session):
    heatmaps.show()
    qtbot.waitExposed(heatmaps)
    session.step_batch()
    heatmaps.valuesCheck.setChecked(False)        # nothing drawn over the cells' centres
    session.set_weight(0, 1, 3, -0.3333)
    img = _view_image(heatmaps)
    checked = 0
    for key in ("W1", "b1", "W2", "b2", "H", "yhat", "dW1", "dW2"):
        arr = heatmaps.current_array(key)
        levels = heatmaps.images[key].levels
        for i in range(arr.shape[0]):
            for j in range(arr.shape[1]):
                c = heatmaps.cell_center(key, i, j)
                px = img.pixelColor(int(c.x()), int(c.y()))
                assert (px.red(), px.green(), px.blue()) == _lut_rgb(arr[i, j], levels), \
                    (key, i, j, arr[i, j])
                checked += 1
    assert checked == 8 + 4 + 4 + 1 + 40 + 10 + 8 + 4
    # The levels are symmetric over the group, rounded up to two significant digits.
    net = session.network
    top = max(np.abs(d.W).max() for d in net.dense)
    top = max(top, max(np.abs(d.b).max() for d in net.dense))
    lo, hi = heatmaps.images["W1"].levels
    assert lo == -hi and top <= hi < top * 1.1 + 1e-12
    assert heatmaps.colorbars["params"].levels() == (lo, hi)
    assert heatmaps.images["dW2"].levels == heatmaps.colorbars["grads"].levels()


def test_heatmap_numbers_only_when_they_fit(qtbot, heatmaps, session):
    from ui.heatmap_text import decimals_for, fmt

    heatmaps.show()
    qtbot.waitExposed(heatmaps)
    session.step_batch()
    W2 = heatmaps.current_array("W2")              # 4×1: large cells in a 400×600 panel
    d = decimals_for(W2)
    assert heatmaps.cell_texts("W2") == [[fmt(v, d)] for v in W2[:, 0]]
    assert heatmaps.cell_texts("H") is None        # 10 rows in a short row: no room
    r = heatmaps.image_rect("W2")
    cell = r.height() / 4

    def cell_colours(img, i):
        ys = range(int(r.top() + i * cell) + 2, int(r.top() + (i + 1) * cell) - 2)
        xs = range(int(r.left()) + 2, int(r.right()) - 2)
        return {img.pixel(x, y) for x in xs for y in ys}

    assert all(len(cell_colours(_view_image(heatmaps), i)) > 2 for i in range(4))   # text
    heatmaps.valuesCheck.setChecked(False)
    assert all(len(cell_colours(_view_image(heatmaps), i)) == 1 for i in range(4))  # plain
    heatmaps.valuesCheck.setChecked(True)
    # Narrow cells: no numbers at all (not some of them).
    session.set_hidden([16])
    assert heatmaps.image_rect("W1").width() / 16 < 18
    assert heatmaps.cell_texts("W1") is None
    assert heatmaps.cell_texts("W2") is not None


def test_heatmap_labels_thin_out_when_cells_are_small(qtbot, heatmaps, session):
    heatmaps.show()
    qtbot.waitExposed(heatmaps)
    session.step_batch()
    assert heatmaps.labels("W1") == (["h1", "h2", "h3", "h4"], ["x1", "x2"])
    assert heatmaps.labels("b1") == ([], [])       # its columns are W's, right above it
    cols, rows = heatmaps.labels("H")
    assert cols == ["h1", "h2", "h3", "h4"]
    assert rows[0] == "1" and 1 < len(rows) < 10   # 10 rows in a short strip: every 2nd, 3rd…
    step = int(rows[1]) - int(rows[0])
    assert rows == [str(i + 1) for i in range(0, 10, step)]
    session.set_hidden([32])
    cols, _ = heatmaps.labels("W1")
    names = [f"h{j + 1}" for j in range(32)]
    assert cols[0] == "h1" and 1 < len(cols) < 32
    step = names.index(cols[1])
    assert cols == names[::step]
    heatmaps.resize(1400, 300)
    qtbot.waitUntil(lambda: heatmaps.mode == "wide")
    wide_cols, _ = heatmaps.labels("W1")
    assert len(wide_cols) > len(cols)              # wider cells: more labels


def test_heatmap_updates_create_no_objects(heatmaps, session):
    from PySide6.QtCore import QObject

    session.step_batch()
    heatmaps.grab()
    children = len(heatmaps.findChildren(QObject))
    images = {key: m.qimage for key, m in heatmaps.images.items()}
    shapes = {key: heatmaps.current_array(key).shape for key in images}
    for _ in range(50):
        session.step_batch()
    heatmaps.grab()
    assert len(heatmaps.findChildren(QObject)) == children
    same = [key for key in images if heatmaps.current_array(key).shape == shapes[key]]
    assert {"W1", "b1", "W2", "b2", "dW1", "dW2"} <= set(same)
    for key in same:     # one image per matrix, its pixels rewritten in place
        m = heatmaps.images[key]
        assert m.qimage is images[key]
        assert (m.qimage.height(), m.qimage.width()) == shapes[key]


def test_heatmaps_rearrange_for_a_wide_dock(qtbot, heatmaps, session):
    heatmaps.show()
    qtbot.waitExposed(heatmaps)
    session.step_batch()
    assert heatmaps.mode == "tall"

    def top_left(key):
        return heatmaps.image_rect(key).topLeft()

    def all_inside():
        view = heatmaps.view.rect()
        rects = [heatmaps.image_rect(k) for k in heatmaps.images]
        rects += [heatmaps.colorbar_rect(g) for g in heatmaps.colorbars]
        return all(view.contains(r.toAlignedRect()) for r in rects)

    assert top_left("H").y() > top_left("b1").y() > top_left("W1").y()
    assert top_left("dW1").y() > top_left("H").y()
    assert heatmaps.image_rect("b1").left() == heatmaps.image_rect("W1").left()   # same columns
    assert heatmaps.image_rect("b1").width() == heatmaps.image_rect("W1").width()
    assert all_inside()
    heatmaps.resize(1400, 260)
    qtbot.waitUntil(lambda: heatmaps.mode == "wide")
    assert top_left("H").x() > top_left("W2").x() > top_left("W1").x()
    assert top_left("dW1").x() > top_left("yhat").x()
    assert top_left("b1").y() > top_left("W1").y()
    assert top_left("H").y() == top_left("W1").y()
    assert all_inside()
    heatmaps.resize(400, 600)
    qtbot.waitUntil(lambda: heatmaps.mode == "tall")
    assert top_left("H").y() > top_left("W1").y()
    assert all_inside()
    np.testing.assert_array_equal(heatmaps.current_array("W1"), session.network.dense[0].W)


def test_heatmaps_of_many_inputs_fit_a_bottom_dock(qtbot, heatmaps, session):
    """30 long feature names in a 694×254 wide panel: every matrix is drawn inside the view,
    the row labels elided, and each matrix's row labels line up with its column's."""
    from nnviz.data import csvdata
    from ui.data_actions import DATASETS

    ds = csvdata.load_dataset(DATASETS / "breast_cancer.csv", "diagnosis")
    session.set_dataset(ds, standardize=True, test_ratio=0.3, seed=1)
    session.step_batch()
    heatmaps.show()
    heatmaps.resize(694, 254)
    qtbot.waitUntil(lambda: heatmaps.mode == "wide")
    assert heatmaps.current_array("W1").shape == (30, session.network.sizes[1])
    view = heatmaps.view.rect()
    for key in heatmaps.images:
        assert view.contains(heatmaps.image_rect(key).toAlignedRect()), key
    names = list(session.model.features)
    _, rows = heatmaps.labels("W1")
    assert 1 < len(rows) < 30 and any(r.endswith("…") for r in rows)
    assert rows[0] == names[0] or (rows[0].endswith("…") and names[0].startswith(rows[0][:-1]))
    assert heatmaps.image_rect("b1").left() == heatmaps.image_rect("W1").left()


def test_a_low_narrow_heatmap_panel_puts_the_groups_side_by_side(qtbot, heatmaps, session):
    """383×200 (the Heatmaps tab at 1024×700 with the guide open): stacked, the four groups
    were strips of a few pixels with their colour bars' labels on top of one another. Side by
    side, each matrix keeps a readable height and the panel scrolls sideways."""
    heatmaps.show()
    qtbot.waitExposed(heatmaps)
    session.step_batch()
    assert heatmaps.mode == "tall"        # 400×600: room to stack them
    heatmaps.resize(383, 200)
    qtbot.waitUntil(lambda: heatmaps.mode == "wide")
    qtbot.wait(20)
    assert heatmaps.image_rect("W1").height() >= 16 * session.network.sizes[0] / 2
    assert heatmaps.image_rect("H").top() == heatmaps.image_rect("W1").top()
    assert heatmaps.scroll.horizontalScrollBar().maximum() > 0          # scrolls sideways
    for group in heatmaps.colorbars:
        assert heatmaps.colorbar_rect(group).height() >= 40, group


@pytest.mark.parametrize("epoch", [0.05, 0.5, 0.97])
def test_a_marks_label_stays_inside_the_chart(qtbot, loss, epoch):
    """The labels sit beside their lines, "diverged" on the left and "best" on the right, but
    on the other side where the chart's edge would cut them: a run that diverged in its first
    epoch showed "ed" at the left edge."""
    loss.show()
    qtbot.waitExposed(loss)
    view = loss.getPlotItem().getViewBox()
    view.setRange(xRange=(0.0, 1.0), yRange=(0.0, 1.0), padding=0)
    for line in (loss.divergence_line, loss.best_line):
        line.setValue(epoch)
        line.setVisible(True)
        qtbot.wait(1)
        text = line.label.mapRectToScene(line.label.boundingRect())
        inside = view.sceneBoundingRect()
        assert inside.left() <= text.left() and text.right() <= inside.right(), (epoch, text, inside)
        line_x = view.mapViewToScene(pg.Point(epoch, 0)).x()
        own_side = line is loss.best_line
        if 0.2 < epoch < 0.8:     # room on both sides: its own side
            assert (text.left() >= line_x - 1) == own_side
        line.setVisible(False)


def test_a_hidden_marks_label_waits_until_it_shows(qtbot, loss, session, monkeypatch):
    """The divergence mark's label does not follow the view while the mark is hidden, and is
    where pyqtgraph puts it once shown."""
    from pyqtgraph.graphicsItems.InfiniteLine import InfLineLabel
    loss.show()
    qtbot.waitExposed(loss)
    label = loss.divergence_line.label
    moved = []
    original = InfLineLabel.updatePosition
    monkeypatch.setattr(InfLineLabel, "updatePosition",
                        lambda self: (self is label and moved.append(1), original(self)))
    view = loss.getPlotItem().getViewBox()
    for hi in (5.0, 50.0, 500.0):
        view.setRange(xRange=(0.0, hi), yRange=(0.0, hi / 10), padding=0)
        qtbot.wait(1)
    assert moved == []
    loss.mark_divergence(40)
    qtbot.wait(1)
    assert moved and label.isVisible()
    shown = label.pos()
    original(label)                          # where pyqtgraph computes it now
    assert label.pos() == shown
    assert shown.x() == pytest.approx(0.9 * 50.0)   # 90 % up the view's last height


@pytest.mark.parametrize("size", [(400, 600), (1000, 230)], ids=["tall", "wide"])
def test_colour_bar_level_labels_have_their_room(qtbot, heatmaps, session, size):
    """Small weights give level labels such as "−0.002", 41 px at 8 pt: in the fixed 38 px
    right of a colour bar they ran into the next column and past the panel's right edge, where
    they were cut off. The room right of the bars widens to the widest label."""
    heatmaps.resize(*size)
    heatmaps.show()
    qtbot.waitExposed(heatmaps)
    session.network.params[...] *= 1e-3
    session.step_batch()
    _view_image(heatmaps)                     # painted: the labels are placed
    width = heatmaps.view.width()
    others = [m.rect for m in heatmaps.images.values()]
    others += [QRectF(at, st.size()) for at, st in heatmaps._texts + heatmaps._title_texts]
    long_labels = 0
    for bar in heatmaps.colorbars.values():
        for at, st in bar.placed:
            box = QRectF(at, st.size())
            long_labels += box.width() > 31
            assert box.left() >= bar.rect.right() and box.right() <= width - 1, (bar.labels, box)
            assert not any(box.intersects(r) for r in others), (bar.labels, box)
    assert long_labels >= 2                   # (the case: labels wider than the old room)
