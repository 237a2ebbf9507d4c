"""Real tables in the app: the bundled datasets train, more than two inputs are sliced for the
output plot, regression shows its fit, and points added by hand are trained on at once."""
import numpy as np
import pytest
from PySide6.QtCore import Qt

from nnviz.data import csvdata
from nnviz.data.dataset import Dataset
from nnviz.errors import NnvizError
from nnviz.core.network import Network
from nnviz.core.trainer import Trainer
from ui import data_actions
from ui.boundary_view import BoundaryPlot


def _load(session, file, **kw):
    target = next(t for f, t, _ in data_actions.SAMPLES if f == file)
    ds = csvdata.load_dataset(data_actions.DATASETS / file, target, **kw)
    session.set_dataset(ds, test_ratio=data_actions.SAMPLE_TEST_RATIO, seed=1)
    return ds


@pytest.mark.parametrize("file, shape, task, epochs, metric", [
    ("breast_cancer.csv", (569, 30), "classification", 15, 0.94),   # test accuracy ≥ 94 %
    ("diabetes.csv", (442, 10), "regression", 20, 0.30),            # test R² ≥ 0.30
    ("iris_petals.csv", (100, 2), "classification", 20, 0.90),      # test accuracy ≥ 90 %
])
def test_bundled_datasets_load_and_train(session, file, shape, task, epochs, metric):
    ds = _load(session, file)
    assert ds.X.shape == shape and session.task == task
    assert session.network.sizes == [shape[1], 4, 1]
    for _ in range(epochs):
        session.step_epoch()
    assert session.trainer.history.test_metric[-1] >= metric


def test_bundled_labels_are_mapped_in_sorted_order(session):
    ds = _load(session, "breast_cancer.csv")
    assert ds.class_names == ("benign", "malignant")
    assert int(ds.y.sum()) == 212                     # the 212 malignant tumours are class 1


def test_many_inputs_plot_two_and_hold_the_others_at_the_training_mean(session):
    _load(session, "breast_cancer.csv")
    session.set_axes(3, 7)
    g = session.grid()
    raw = session.model.scaler.inverse_transform(g.features.astype(np.float64))
    mean = session.dataset.X[session.exp.train_idx].mean(axis=0)
    held = [j for j in range(30) if j not in (3, 7)]
    np.testing.assert_allclose(raw[:, held], np.broadcast_to(mean[held], (len(raw), 28)),
                               rtol=1e-5, atol=1e-4)
    assert raw[:, 3].min() < mean[3] < raw[:, 3].max()
    outs = session.grid_outputs()                     # thumbnails come from the same pass
    assert outs[0].shape == (g.resolution, g.resolution, 4)
    with pytest.raises(NnvizError, match="two different inputs"):
        session.set_axes(2, 2)


def test_axis_combos_move_the_plot(qtbot, session):
    plot = BoundaryPlot(session)
    qtbot.addWidget(plot)
    _load(session, "diabetes.csv")
    assert plot.x_combo.isVisibleTo(plot) and plot.x_combo.count() == 10
    plot.x_combo.setCurrentIndex(0)
    plot.x_combo.activated.emit(0)
    plot.y_combo.setCurrentIndex(1)
    plot.y_combo.activated.emit(1)
    assert session.plot_axes() == (0, 1)
    assert plot.getPlotItem().getAxis("bottom").labelText == "age"
    x, y = plot.train_scatter.getData()
    np.testing.assert_array_equal(x, session.dataset.X[session.exp.train_idx, 0])


def test_the_axis_choices_are_filled_once_per_table(qtbot, session):
    """Both drop-downs read one list of the inputs. Going back to the toy data (two inputs, the
    drop-downs hidden) and opening the table again fills nothing: 2 × 30 items were cleared and
    added at every opening and every return. Another table fills the list once."""
    plot = BoundaryPlot(session)
    qtbot.addWidget(plot)
    resets = []
    plot._axis_names.modelReset.connect(lambda: resets.append(1))
    _load(session, "breast_cancer.csv")
    assert len(resets) == 1 and plot.x_combo.model() is plot.y_combo.model()
    assert plot.x_combo.count() == plot.y_combo.count() == 30
    session.set_data(dataset="circle")
    assert not plot.x_combo.isVisibleTo(plot)
    _load(session, "breast_cancer.csv")
    assert len(resets) == 1
    x, y = session.plot_axes()
    assert (plot.x_combo.currentIndex(), plot.y_combo.currentIndex()) == (x, y)
    assert plot.x_combo.currentText() == session.model.inputs[x]
    _load(session, "diabetes.csv")
    assert len(resets) == 2 and plot.y_combo.count() == 10
    assert plot.y_combo.currentText() == session.model.inputs[session.plot_axes()[1]]


def test_the_plot_axes_read_the_inputs_own_numbers(qtbot, session):
    """An input from 0 to 0.3 ("worst concave points") is ticked 0.1, 0.2, 0.3, as the
    readout and the table give it, not 100, 200, 300 with "(x0.001)" after its name."""
    plot = BoundaryPlot(session)
    qtbot.addWidget(plot)
    _load(session, "breast_cancer.csv")
    plot.x_combo.setCurrentIndex(27)          # worst concave points, 0 … 0.291
    plot.x_combo.activated.emit(27)
    axis = plot.getPlotItem().getAxis("bottom")
    assert plot.x_combo.currentText() == "worst concave points"
    assert axis.autoSIPrefixScale == 1.0 and "x0.001" not in axis.labelString()
    (_, major), *_ = axis.tickValues(*axis.range, 300)
    assert max(major) <= 0.3 + 1e-9
    assert axis.tickStrings(major, axis.scale, major[1] - major[0])[-1] in ("0.25", "0.3")


def test_regression_line_for_one_input(qtbot, session):
    plot = BoundaryPlot(session)
    qtbot.addWidget(plot)
    _load(session, "diabetes.csv", features=["bmi"])
    for _ in range(3):
        session.step_epoch()
    xs, yhat = plot.curve.getData()
    expected = session.model.predict(xs[:, None]).ravel()
    np.testing.assert_allclose(yhat, expected, rtol=1e-4, atol=1e-3)
    assert plot.curve.isVisible() and not plot.image_item.isVisible()
    # The colour bar is the points' key: the target's scale (it showed a probability, 0 to 1).
    y = session.dataset.y
    lo, hi = plot.colorbar.levels()
    assert (lo, hi) == pytest.approx((y.min(), y.max()))
    ticks = [t for _, t in plot.colorbar.axis._tickLevels[0]]
    assert ticks[0] == f"{y.min():.0f}" and ticks[-1] == f"{y.max():.0f}" and "0.5" not in ticks
    # One input of a two-class table: the probability's bar again, its points blue and red.
    _load(session, "breast_cancer.csv", features=["mean radius"])
    assert plot.colorbar.levels() == (-1.0, 1.0)
    assert [t for _, t in plot.colorbar.axis._tickLevels[0]] == ["0", "0.5", "1"]


def _two_inputs(session, task="classification"):
    rng = np.random.default_rng(0)
    X = rng.uniform(-1, 1, (40, 2))
    y = (X[:, 0] > 0).astype(float) if task == "classification" else X[:, 0] * 3
    session.set_dataset(Dataset(X, y, ["u", "v"], task, name="pts"), test_ratio=0.5, seed=2)


def test_clicked_points_are_trained_on_at_once(qtbot, session):
    plot = BoundaryPlot(session)
    qtbot.addWidget(plot)
    _two_inputs(session)
    session.set_batch_size(None)                       # full batch: every training row counts
    n, n_train = session.dataset.n_samples, len(session.exp.train_idx)
    plot.click_at(0.5, -0.25)                          # class 1
    plot.click_at(-0.5, 0.75, Qt.KeyboardModifier.ShiftModifier)   # class 0
    assert session.dataset.n_samples == n + 2
    np.testing.assert_array_equal(session.dataset.X[-2:], [[0.5, -0.25], [-0.5, 0.75]])
    assert session.dataset.y[-2:].tolist() == [1.0, 0.0]
    assert session.added_rows.sum() == 2 and len(session.exp.train_idx) == n_train + 2
    # The next step is the full-batch step over the old rows and the two new ones.
    net = session.network
    ref_net = Network(net.sizes, net.activations[:-1], net.activations[-1])
    ref_net.params[...] = net.params
    F = session.model.transform(session.dataset.X[session.exp.train_idx])
    ref = Trainer(ref_net, session.trainer.loss, F, session.dataset.y[session.exp.train_idx],
                  task="classification", lr=session.trainer.lr, batch_size=None, shuffle=False)
    session.step_batch()
    ref.step()
    np.testing.assert_allclose(session.network.params, ref_net.params, rtol=1e-12, atol=1e-14)
    # Ctrl+click removes the nearest point: the one just added at (0.5, −0.25).
    plot.click_at(0.49, -0.26, Qt.KeyboardModifier.ControlModifier)
    assert session.dataset.n_samples == n + 1
    assert not (session.dataset.X == [0.5, -0.25]).all(axis=1).any()
    assert session.clear_points() == 1 and session.dataset.n_samples == n


def test_regression_points_take_the_slider_target(qtbot, session):
    plot = BoundaryPlot(session)
    qtbot.addWidget(plot)
    _two_inputs(session, "regression")
    assert plot.target_slider.isVisibleTo(plot)
    plot.target_slider.setValue(100)
    plot.click_at(0.1, 0.2)
    assert session.dataset.y[-1] == pytest.approx(session.dataset.y[:-1].max())


@pytest.mark.parametrize("width", [280, 330, 600])
def test_the_slider_target_is_never_cut_off(qtbot, session, width):
    """Beside the slider: "new point y = 3.12", or "y = 3.12" where the words do not fit
    beside the readout's room. In a 280 px dock it read "new point y = (", cut off."""
    plot = BoundaryPlot(session)
    qtbot.addWidget(plot)
    plot.resize(width, 400)
    plot.show()
    _two_inputs(session, "regression")
    plot.target_slider.setValue(100)
    qtbot.wait(20)
    label = plot._target_label
    value = f"{session.dataset.y.max():.3g}"
    assert label.text() in (f"new point y = {value}", f"y = {value}")
    assert label.fontMetrics().horizontalAdvance(label.text()) <= label.width()
    assert value in label.toolTip()
    if width >= 600:
        assert label.text().startswith("new point")


def test_points_by_hand_need_two_inputs(session):
    _load(session, "diabetes.csv")
    with pytest.raises(NnvizError, match="two inputs"):
        session.add_point(0, 0, 1)


def test_saved_data_reads_back(session, tmp_path):
    _two_inputs(session)
    session.add_point(0.25, 0.5, 1.0)
    path = tmp_path / "points.csv"
    session.save_data(path)
    back = csvdata.load_dataset(path, session.dataset.target)
    np.testing.assert_array_equal(back.X, session.dataset.X)
    np.testing.assert_array_equal(back.y, session.dataset.y)


def test_a_constant_column_is_kept(session):
    X = np.column_stack([np.arange(10.0), np.full(10, 3.0)])
    session.set_dataset(Dataset(X, np.arange(10) % 2, ["a", "c"], "classification"))
    assert session.model.inputs == ["a", "c"] and session.model.scaler.std[1] == 1.0


def test_sample_menu_and_back_to_toy_data(qtbot):
    from ui.main_window import MainWindow

    w = MainWindow()
    qtbot.addWidget(w)
    w.actionSample_iris_petals.trigger()
    assert w.session.dataset.name == "iris_petals.csv" and not w.session.generated
    assert list(w.data_panel.feature_boxes) == ["petal length (cm)", "petal width (cm)"]
    assert "accuracy" in w.status_label.text()
    w.actionSample_diabetes.trigger()
    assert "RMSE train" in w.status_label.text()
    w.data_panel.dataset.setCurrentText("xor")          # a toy dataset replaces the table
    assert w.session.generated and w.session.model.inputs == ["x1", "x2"]
    assert "x1^2" in w.data_panel.feature_boxes
    w.close()


def test_the_loaded_message_goes_with_the_data_it_speaks_of(qtbot):
    from ui.main_window import MainWindow

    w = MainWindow()
    qtbot.addWidget(w)
    bar = w.statusBar()
    w.actionSample_iris_petals.trigger()
    assert bar.currentMessage().startswith("Loaded iris_petals.csv: 100 rows")
    w.actionAddNeuron.trigger()                          # the same data: the message stays
    assert bar.currentMessage().startswith("Loaded iris_petals.csv")
    w.data_panel.dataset.setCurrentText("xor")           # other data: it goes at once
    assert bar.currentMessage() == ""
    w.actionSample_iris_petals.trigger()
    bar.showMessage("Session saved to x.nnviz", 5000)     # another message is left alone
    w.data_panel.dataset.setCurrentText("circle")
    assert bar.currentMessage() == "Session saved to x.nnviz"
    w.close()


def test_a_sample_is_read_once_and_its_arrays_stay_as_read(qtbot, monkeypatch):
    from ui.main_window import MainWindow

    reads = []
    load = csvdata.load_dataset
    monkeypatch.setattr(csvdata, "load_dataset", lambda *a, **k: reads.append(a) or load(*a, **k))
    data_actions.read_sample.cache_clear()
    w = MainWindow()
    qtbot.addWidget(w)
    w.actionSample_iris_petals.trigger()
    first = w.session.dataset
    w.data_panel.dataset.setCurrentText("xor")
    w.actionSample_iris_petals.trigger()
    again = w.session.dataset
    assert len(reads) == 1                                  # the file was read once
    assert again is not first                               # … but each opening is new data
    fresh = load(data_actions.DATASETS / "iris_petals.csv", "species")
    for ds in (first, again):
        np.testing.assert_array_equal(ds.X, fresh.X)
        np.testing.assert_array_equal(ds.y, fresh.y)
        assert ds.inputs == fresh.inputs and ds.class_names == fresh.class_names
    with pytest.raises(ValueError):                         # no one can change what is shared
        again.X[0, 0] = 99.0
    w.session.add_point(0.25, 0.5, 1.0)                      # an edit makes new arrays
    assert w.session.dataset.n_samples == 101
    np.testing.assert_array_equal(data_actions.read_sample("iris_petals.csv").X,
                                  fresh.X)
    w.close()


def _counting_reads(monkeypatch, fail=()):
    """Every call of ``csvdata.load_dataset`` by file name; the files in ``fail`` raise."""
    reads = []
    load = csvdata.load_dataset

    def counted(path, *a, **k):
        reads.append(path.name)
        if path.name in fail:
            raise NnvizError(f"{path.name} is damaged")
        return load(path, *a, **k)
    monkeypatch.setattr(csvdata, "load_dataset", counted)
    data_actions.read_sample.cache_clear()
    return reads


def test_the_sample_menu_reads_the_tables_as_it_opens(qtbot, monkeypatch):
    """Opening File › Open sample data reads the bundled tables, one per pass of the event
    loop; choosing one then reads nothing (its opening costs only the new run), and opening the
    menu again reads nothing either."""
    from PySide6.QtCore import QPoint
    from PySide6.QtWidgets import QMenu

    from ui.main_window import MainWindow

    reads = _counting_reads(monkeypatch)
    w = MainWindow()
    qtbot.addWidget(w)
    menu = w.findChild(QMenu, "menuSampleData")
    menu.popup(QPoint(40, 40))
    assert reads == []                                   # the menu shows first
    files = [f for f, *_ in data_actions.SAMPLES]
    qtbot.waitUntil(lambda: len(reads) == len(files))
    assert reads == files
    menu.hide()
    w.actionSample_breast_cancer.trigger()
    assert w.session.dataset.n_inputs == 30 and len(reads) == len(files)
    menu.popup(QPoint(40, 40))
    qtbot.wait(20)
    menu.hide()
    assert len(reads) == len(files)
    w.close()


def test_a_table_the_menu_cannot_read_is_reported_when_it_is_chosen(qtbot, monkeypatch,
                                                                     warnings):
    """A bundled table that cannot be read as the menu opens stops nothing (the others are
    read); choosing it says why, once, and the run stays as it was."""
    from PySide6.QtCore import QPoint
    from PySide6.QtWidgets import QMenu

    from ui.main_window import MainWindow

    reads = _counting_reads(monkeypatch, fail={"diabetes.csv"})
    w = MainWindow()
    qtbot.addWidget(w)
    menu = w.findChild(QMenu, "menuSampleData")
    menu.popup(QPoint(40, 40))
    files = [f for f, *_ in data_actions.SAMPLES]
    qtbot.waitUntil(lambda: len(reads) == len(files))
    menu.hide()
    assert data_actions.read_sample("iris.csv").n_inputs == 4    # read, after the damaged one
    before = w.session.dataset
    w.actionSample_diabetes.trigger()
    assert warnings == ["diabetes.csv is damaged"]
    assert w.session.dataset is before
    w.close()


def test_one_input_with_k_classes_draws_the_predicted_class(qtbot, session):
    """Iris on one input: the line was the first class's probability under the title
    "P(class 1)", on an axis of class codes 0…2. It is the class the network picks at each x,
    on the same codes as the points, and the readout names it."""
    plot = BoundaryPlot(session)
    qtbot.addWidget(plot)
    plot.resize(500, 450)
    plot.show()
    qtbot.waitExposed(plot)
    _load(session, "iris.csv", features=["petal length (cm)"])
    for _ in range(20):
        session.step_epoch()
    xs, line = plot.curve.getData()
    picked = session.model.predict_labels(xs[:, None])
    np.testing.assert_array_equal(line, picked)
    assert set(np.unique(line)) <= {0.0, 1.0, 2.0} and len(np.unique(line)) >= 2
    assert plot.title.text.startswith("Predicted class and species over petal length")
    assert plot.colorbar.levels() == (0.0, 3.0)                 # the class key
    x = float(xs[int(np.argmax(line == line.max()))])           # where the last class begins
    plot._mouse = (x + 1e-9, 1.0)
    plot._update_readout()
    assert plot.readout.text().startswith(f"class {session.model.classes[int(line.max())]} at ")


def test_the_colour_bar_labels_a_large_target(qtbot, session):
    """A target up to 500,000: its scale's labels ("500000") stuck out of the colour bar's
    44 px axis, and pyqtgraph left them out; the axis is as wide as its labels need."""
    from PySide6.QtGui import QImage, QPainter

    plot = BoundaryPlot(session)
    qtbot.addWidget(plot)
    plot.resize(500, 450)
    plot.show()
    qtbot.waitExposed(plot)
    rng = np.random.default_rng(0)
    X = rng.uniform(-1, 1, (60, 2))
    y = 257_500 + 242_500 * X[:, 0]
    y[:2] = 15_000, 500_000
    session.set_dataset(Dataset(X, y, ["u", "v"], "regression", name="prices"), test_ratio=0.5,
                        seed=2)
    qtbot.wait(10)
    image = QImage(4, 4, QImage.Format.Format_ARGB32)
    painter = QPainter(image)
    try:
        drawn = [text for _, _, text in plot.colorbar.axis.generateDrawSpecs(painter)[2]]
    finally:
        painter.end()
    wanted = [t for _, t in plot.colorbar.axis._tickLevels[0]]
    assert wanted[0] == "15000" and wanted[-1] == "500000"
    assert drawn == wanted


def test_a_tables_data_panel_shows_no_generator_numbers(window):
    """A table's rows are its data: the greyed Samples box read "500" (the toy generator's
    number) under "iris.csv: 150 rows". Samples and Noise read "–" until the toy data come
    back, with their own numbers."""
    panel = window.data_panel
    samples, noise = window.session.config.samples, window.session.config.noise
    assert data_actions.open_sample(window, "iris.csv")
    for box in (panel.samples, panel.noise):
        assert not box.isEnabled() and box.text() == "–"
    assert "150 rows" in panel.table_label.text()
    panel.dataset.setCurrentText("circle")
    assert window.session.generated
    assert panel.samples.isEnabled() and panel.samples.value() == samples
    assert panel.samples.text() == str(samples) and panel.noise.value() == noise
    assert panel.noise.text() == f"{noise:.2f}"


@pytest.mark.parametrize("leave", ["sample", "worked example"])
def test_toy_data_comes_back_with_its_own_split(session, leave):
    """A table's test ratio (0.30 for a sample, 0 for a worked example of a few typed rows), a
    worked example's raw target and unshuffled rows belong to that data: the toy data, chosen
    again, gets back the test ratio, target scaling and shuffling it had, and so its test set."""
    from nnviz import examples

    session.set_data(test_ratio=0.4)                     # the learner's own choice on the toy data
    session.set_standardize_target(True)
    if leave == "sample":
        session.set_dataset(data_actions.read_sample("iris_petals.csv"),
                            test_ratio=data_actions.SAMPLE_TEST_RATIO, seed=1)
        assert session.config.test_ratio == data_actions.SAMPLE_TEST_RATIO
    else:
        session.open_worked_example(examples.GALLERY[0].experiment())
        assert session.config.test_ratio == 0.0 and not session.config.standardize_target
        assert not session.config.shuffle                # its rows in the order typed
    session.set_data(dataset="sine")                    # a toy regression
    assert session.generated
    assert session.config.test_ratio == 0.4
    assert len(session.trainer.X_test) == round(0.4 * session.config.samples)
    assert session.config.standardize_target and session.model.target_scaler is not None
    assert session.config.shuffle                        # (no control in the app shows it)
    session.set_data(test_ratio=0.25)                   # the toy data's settings work as before
    assert session.config.test_ratio == 0.25



def test_a_table_after_a_worked_example_scales_its_target_and_shuffles(session):
    """A worked example's raw target and rows in typed order are its own: a regression table
    opened after it learns its target standardized (as the Data panel's box says by default),
    its rows shuffled, not in squared units of ten thousand."""
    from nnviz import examples

    session.open_worked_example(examples.GALLERY[0].experiment())
    session.set_dataset(data_actions.read_sample("diabetes.csv"),
                        test_ratio=data_actions.SAMPLE_TEST_RATIO, seed=1)
    assert session.config.standardize_target and session.model.target_scaler is not None
    assert session.config.shuffle
    assert session.trainer.history.train_loss[0] < 3     # standardized units
    session.set_standardize_target(False)                # a table's own choice stays its own
    session.set_dataset(data_actions.read_sample("diabetes.csv"), test_ratio=0.2, seed=1)
    assert not session.config.standardize_target
