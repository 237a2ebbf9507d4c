"""Per-unit maps with more than two inputs: every node's map is the Output plot's slice (the two
axis inputs varying, the others at their training mean), and follows the plot's axes."""
import numpy as np
import pytest
from PySide6.QtGui import QColor

from nnviz.data import csvdata
from ui import colors, data_actions
from ui.boundary_view import BoundaryPlot
from ui.network_view import NetworkView


def _load_breast_cancer(session):
    target = next(t for f, t, _ in data_actions.SAMPLES if f == "breast_cancer.csv")
    ds = csvdata.load_dataset(data_actions.DATASETS / "breast_cancer.csv", target)
    session.set_dataset(ds, test_ratio=data_actions.SAMPLE_TEST_RATIO, seed=1)


@pytest.fixture
def trained(qtbot, session):
    view = NetworkView(session)
    plot = BoundaryPlot(session)
    for w in (view, plot):
        qtbot.addWidget(w)
    view.resize(900, 700)
    _load_breast_cancer(session)
    for _ in range(5):
        session.step_epoch()
    assert session.network.sizes == [30, 4, 1]
    return view, plot


def _rgb_image(img) -> np.ndarray:
    """(h, w, 3) ints of a QImage."""
    return np.array([[QColor(img.pixel(x, y)).getRgb()[:3] for x in range(img.width())]
                     for y in range(img.height())])


def _expected(session, k: int, j: int, A, img) -> np.ndarray:
    """The colours of unit (k, j)'s output ``A`` over the Output plot's grid, sampled at the
    thumbnail's step, +y up: computed here from ``A`` and the colour rule."""
    net = session.network
    A = np.asarray(A, dtype=np.float64)
    if k == net.n_layers - 1 or net.activations[k] == "sigmoid":
        values, vmax = 2.0 * A - 1.0, 1.0
    elif net.activations[k] == "tanh":
        values, vmax = A, 1.0
    else:
        values, vmax = A, float(np.abs(session.grid_outputs()[k]).max())
    res = A.shape[0]
    step = next(st for st in range(1, res + 1) if len(range(st // 2, res, st)) == img.width())
    sampled = values[step // 2::step, step // 2::step][::-1]
    return colors.LUT[colors.lut_index(sampled, vmax)].astype(int)


def _plot_source(session, plot, k: int, j: int) -> np.ndarray:
    """What the Output plot draws while the canvas hovers unit (k, j)."""
    session.unitHovered.emit(k, j)
    src = np.array(plot._source)
    session.unitHovered.emit(-1, -1)
    return src


def test_thirty_inputs_every_unit_map_is_the_output_plot_slice(trained, session):
    view, plot = trained
    ax = session.plot_axes()
    net = session.network
    for k in range(net.n_layers):
        for j in range(net.sizes[k + 1]):
            img = view.thumbnail_image(k, j)
            assert img is not None, (k, j)
            got = _rgb_image(img)
            assert len(np.unique(got.reshape(-1, 3), axis=0)) > 4, (k, j)   # not constant
            src = _plot_source(session, plot, k, j)
            assert src.shape == (100, 100) and np.ptp(src) > 0
            np.testing.assert_array_equal(got, _expected(session, k, j, src, img))
    # The inputs' maps: the two on the axes vary, the rest are held: one colour each (an
    # image of one pixel, drawn as a filled square).
    for i in range(30):
        img = view.thumbnail_image(-1, i)
        got = _rgb_image(img)
        distinct = len(np.unique(got.reshape(-1, 3), axis=0))
        assert (distinct > 4) if i in ax else (distinct == 1), (i, distinct)
        assert (img.width() > 1) if i in ax else (img.width() == img.height() == 1), i


def test_thumbnails_follow_the_output_plot_axes(trained, session):
    view, plot = trained
    before = [_rgb_image(view.thumbnail_image(0, j)) for j in range(4)]
    x, y = session.plot_axes()
    new = (next(i for i in range(30) if i not in (x, y)), x)
    session.set_axes(*new)
    assert session.plot_axes() == new
    after = [view.thumbnail_image(0, j) for j in range(4)]
    assert any(not np.array_equal(b, _rgb_image(a)) for b, a in zip(before, after))
    for j, img in enumerate(after):
        src = _plot_source(session, plot, 0, j)
        np.testing.assert_array_equal(_rgb_image(img), _expected(session, 0, j, src, img))
    assert len(np.unique(_rgb_image(view.thumbnail_image(-1, new[0])).reshape(-1, 3), axis=0)) > 4
    held = next(i for i in range(30) if i not in new)
    assert len(np.unique(_rgb_image(view.thumbnail_image(-1, held)).reshape(-1, 3), axis=0)) == 1


def test_one_input_has_no_maps(qtbot, session):
    view = NetworkView(session)
    qtbot.addWidget(view)
    target = next(t for f, t, _ in data_actions.SAMPLES if f == "diabetes.csv")
    ds = csvdata.load_dataset(data_actions.DATASETS / "diabetes.csv", target, features=["bmi"])
    session.set_dataset(ds, test_ratio=data_actions.SAMPLE_TEST_RATIO, seed=1)
    assert view.thumbnail_image(-1, 0) is None and view.thumbnail_image(0, 0) is None


def test_no_feature_on_the_plot_axes_every_map_is_one_colour(trained, session):
    """Features that read neither axis's input: nothing varies over the plane, so every map,
    the inputs' and the units', is one colour, and the Output plot is one value."""
    view, plot = trained
    ax = session.plot_axes()
    keep = [n for i, n in enumerate(session.dataset.inputs) if i not in ax][:5]
    session.set_features(keep)
    assert session.plot_axes() == ax and session.grid().moving == []
    for i in range(5):
        img = view.thumbnail_image(-1, i)
        assert img.width() == img.height() == 1, i
    for j in range(session.network.sizes[1]):
        assert len(np.unique(_rgb_image(view.thumbnail_image(0, j)).reshape(-1, 3), axis=0)) == 1
    out = session.grid_outputs()[-1]
    assert out.shape == (100, 100, 1) and np.ptp(out) == 0
