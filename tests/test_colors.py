"""One colour rule: a value gets the same colour on the canvas (edges, rings, maps), in the
heatmaps, in the output image and in the step panel's cells."""
import numpy as np
import pytest
from PySide6.QtGui import QColor

from ui import colors
from ui.heatmaps import HeatmapPanel
from ui.network_items import map_images
from ui.network_view import NetworkView

VALUES = np.concatenate([np.linspace(-1.0, 1.0, 2001), [-3.0, -1.0001, 1.0001, 7.5, np.inf, -np.inf]])


def _rgb(argb) -> tuple[int, int, int]:
    argb = int(argb)
    return (argb >> 16) & 0xFF, (argb >> 8) & 0xFF, argb & 0xFF


def _qrgb(c: QColor) -> tuple[int, int, int]:
    return c.red(), c.green(), c.blue()


def test_the_rule_is_pyqtgraphs_truncation():
    """row = clip(floor((v + vmax)·256 / (2·vmax)), 0, 255): computed here by hand."""
    rows = colors.lut_index(VALUES, 1.0)
    by_hand = [int(min(max(np.floor((v + 1.0) * 256 / 2.0), 0), 255)) for v in VALUES]
    assert rows.tolist() == by_hand
    assert rows[0] == 0 and rows[1000] == 128 and rows[2000] == 255
    assert colors.lut_index(np.nan, 1.0) == colors.NEUTRAL_INDEX == 128
    assert colors.lut_index(0.5, 0.0) == colors.lut_index(0.5, np.nan) == 128   # no scale


def test_canvas_and_heatmaps_give_every_value_the_same_colour():
    vmax = 1.0
    n = len(colors.LUT32)
    # Heatmaps: HeatmapPanel._update's call (per-entry low and scale arrays, not finite).
    heat = colors.argb_pixels(VALUES.copy(), np.full(VALUES.size, -vmax), None,
                              scale=np.full(VALUES.size, n / (2 * vmax)))
    # The output image: ArgbImageItem's call (scalar levels, finite values).
    finite = np.isfinite(VALUES)
    out = colors.argb_pixels(VALUES[finite].reshape(1, -1), -vmax, vmax, finite=True)[0]
    # Canvas edges and rings: NetworkView._update_edges picks LUT rows with colors.lut_index.
    rows = colors.lut_index(VALUES, vmax)
    edge = [_qrgb(QColor(*colors.LUT[r])) for r in rows]
    # Canvas maps: map_images over a (1, w, 1) grid (one row, flipped: same row).
    img = map_images(VALUES.reshape(1, -1, 1), vmax)[0]
    thumb = [_qrgb(img.pixelColor(x, 0)) for x in range(img.width())]
    # Step panel cells and tests: colors.color.
    cell = [_qrgb(colors.color(v, vmax)) for v in VALUES]
    heat_rgb = [_rgb(a) for a in heat]
    assert edge == heat_rgb
    assert thumb == heat_rgb
    assert cell == heat_rgb
    assert [_rgb(a) for a in out] == [c for c, f in zip(heat_rgb, finite) if f]
    # ±inf and values beyond ±vmax are the scale's ends.
    assert heat_rgb[-2] == heat_rgb[2000] == _qrgb(QColor(*colors.LUT[-1]))
    assert heat_rgb[-1] == heat_rgb[0] == _qrgb(QColor(*colors.LUT[0]))


def test_nan_is_transparent_in_a_heatmap_and_neutral_on_the_canvas():
    heat = colors.argb_pixels(np.array([np.nan, 0.5]), -1.0, 1.0)
    assert int(heat[0]) == 0 and int(heat[1]) >> 24 == 0xFF
    assert colors.color(np.nan, 1.0) == colors.NEUTRAL
    img = map_images(np.array([[[np.nan]]]), 1.0)[0]
    assert img.pixelColor(0, 0) == colors.NEUTRAL


@pytest.mark.parametrize("scale", [1.0, 2.5])
def test_the_views_draw_a_weight_in_the_same_colour(qtbot, session, scale):
    """Every weight of a 2→32→1 network, swept over [−scale, scale], as the canvas's edge pen
    and the heatmap's cell pixel (the levels of both are scale: max |W| = max |W, b| = scale)."""
    session.set_hidden([32])
    net = session.network
    view, panel = NetworkView(session), HeatmapPanel(session)
    for w in (view, panel):
        qtbot.addWidget(w)
    values = np.linspace(-scale, scale, 2001)
    for d in net.dense:
        d.b[:] = 0.0
    W0, W1 = net.dense[0].W, net.dense[1].W
    per = W0.size + W1.size - 1                   # one weight stays at scale: the levels
    checked = 0
    for start in range(0, len(values), per):
        chunk = values[start:start + per]
        flat = np.zeros(per)
        flat[:len(chunk)] = chunk
        W0.ravel()[:] = np.r_[scale, flat[:W0.size - 1]]
        W1.ravel()[:] = flat[W0.size - 1:]
        session.paramsChanged.emit()
        for key, W in (("W1", W0), ("W2", W1)):
            assert panel.images[key].levels == (-scale, scale)
            pixels = panel.images[key]._pixels.reshape(W.shape)
            for i in range(W.shape[0]):
                for j in range(W.shape[1]):
                    k = 0 if key == "W1" else 1
                    pen = view.edge_item(k, i, j).pen.color()
                    assert _qrgb(pen) == _rgb(pixels[i, j]), (key, i, j, W[i, j])
                    checked += 1
    assert checked >= 2001


def test_a_step_through_matrix_paints_each_cell_in_the_rules_colour(qtbot):
    """Every cell of a step-through matrix, NaN and ±inf included, painted in colors.color of
    its value on the matrix's own scale (max |finite value|), its number in white where the
    colour is dark."""
    from PySide6.QtGui import QImage

    from ui.step_matrix import LABEL_W, MatrixView

    values = np.array([[-1.0, -0.61, -0.2, 0.0], [0.3, 0.59, 0.61, 1.0],
                       [np.nan, 2.0, -2.0, 1e-9], [0.25, -0.75, 1.5, -1.5]])
    view = MatrixView("Z", values, 0, 1, "operand")
    qtbot.addWidget(view)
    view.resize(view.sizeHint())
    img = QImage(view.size(), QImage.Format.Format_ARGB32)
    img.fill(0)
    view.render(img)
    vmax = 2.0
    top = view.fontMetrics().height() + 4
    for i in range(4):
        for j in range(4):
            x, y = LABEL_W + j * view.cell_w + 2, top + i * view.cells.h + 3
            if i == 1:
                y += 2                      # below the selected row's 3 px outline
            assert _qrgb(img.pixelColor(x, y)) == _qrgb(colors.color(values[i, j], vmax)), (i, j)
    assert view._light.tolist()[2] == [False, True, True, False]


def test_values_near_float64s_limits_take_the_ends_of_the_scale_in_a_heatmap():
    """Weights just before a divergence (±1e308 on levels of ±1e308) overflow v − low to ±inf:
    the heatmaps' pixels raised NumPy's overflow warning there, and the canvas's scale
    LUT_SIZE / (2·vmax) overflowed to 0, every weight its middle colour."""
    big = np.array([[1e308, -1e308, 0.0, np.nan]])
    px = colors.argb_pixels(big, -1e308, None, scale=len(colors.LUT32) / 2 / 1e308)
    assert px[0, 0] == colors.LUT32[-1] and px[0, 1] == colors.LUT32[0] and px[0, 3] == 0
    rows = colors.lut_index(big, 1e308)
    assert rows[0].tolist() == [colors.LUT_SIZE - 1, 0, colors.LUT_SIZE // 2, colors.NEUTRAL_INDEX]
    assert (px[0, :3] == colors.LUT32[rows[0, :3]]).all()
