"""The boundary, loss and heatmap views draw exactly the engine's numbers, and update in place."""
from dataclasses import replace

import numpy as np
import pytest

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
    assert f"p = {p:.3f}" in boundary.readout.text()
    assert boundary.readout.text().startswith("x1 = ")


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
    from nnviz.data import Dataset
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
    np.testing.assert_array_equal(heatmaps.current_array("H"), net.act[0].a)
    assert heatmaps.current_array("H").shape == (10, 4)
    np.testing.assert_array_equal(heatmaps.current_array("dW1"), net.dense[0].dW)
    np.testing.assert_array_equal(heatmaps.current_array("dW2"), net.dense[1].dW)
    assert np.abs(heatmaps.current_array("dW1")).max() > 0
    lo, hi = heatmaps.images["W1"].levels
    assert lo == -hi and hi >= np.abs(net.dense[0].W).max()


def test_heatmap_readout(qtbot, heatmaps, session):
    heatmaps.show()
    qtbot.waitExposed(heatmaps)
    from PySide6.QtCore import QPointF

    plot = heatmaps.images["W1"].getViewBox()
    heatmaps.view.scene().sigMouseMoved.emit(plot.mapViewToScene(QPointF(2.5, 0.5)))
    w = session.network.dense[0].W[0, 2]
    assert heatmaps.readout.text() == f"W⁽¹⁾[x1, h3] = {w:.4g}"


def test_heatmaps_follow_a_new_neuron(heatmaps, session):
    session.step_batch()
    session.add_neuron()
    assert heatmaps.current_array("W1").shape == (2, 5)
    assert heatmaps.current_array("W2").shape == (5, 1)
    assert heatmaps.current_array("b1").shape == (1, 5)
    session.step_batch()
    np.testing.assert_array_equal(heatmaps.current_array("H"), session.network.act[0].a)
    session.set_hidden([3, 2])  # a second hidden layer: more matrices
    assert {"W3", "b3", "dW3", "H2"} <= set(heatmaps.images)
    np.testing.assert_array_equal(heatmaps.current_array("W2"), session.network.dense[1].W)


def test_heatmap_updates_create_no_items(heatmaps, session):
    session.step_batch()
    heatmaps.grab()
    before = scene_item_count(heatmaps)
    for _ in range(50):
        session.step_batch()
    heatmaps.grab()
    assert scene_item_count(heatmaps) == before


def test_heatmaps_rearrange_for_a_wide_dock(qtbot, heatmaps, session):
    heatmaps.show()
    qtbot.waitExposed(heatmaps)
    session.step_batch()
    assert heatmaps.mode == "tall"
    before = scene_item_count(heatmaps)

    def top_left(key):
        return heatmaps.images[key].getViewBox().sceneBoundingRect().topLeft()

    assert top_left("H").y() > top_left("b1").y() > top_left("W1").y()
    heatmaps.resize(1400, 260)
    qtbot.waitUntil(lambda: heatmaps.mode == "wide")
    heatmaps.grab()
    assert top_left("H").x() > top_left("W2").x() > top_left("W1").x()
    assert top_left("dW1").x() > top_left("yhat").x()
    assert top_left("b1").y() > top_left("W1").y()
    assert scene_item_count(heatmaps) == before  # the same items moved
    heatmaps.resize(400, 600)
    qtbot.waitUntil(lambda: heatmaps.mode == "tall")
    heatmaps.grab()
    assert top_left("H").y() > top_left("W1").y()
    assert heatmaps.view.ci.geometry().width() <= heatmaps.view.width()
    np.testing.assert_array_equal(heatmaps.current_array("W1"), session.network.dense[0].W)
