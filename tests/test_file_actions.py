"""The File menu: sessions that reopen exactly, weights out and in, pictures and tables."""
import numpy as np
import pytest
from PySide6.QtGui import QImage
from PySide6.QtSvg import QSvgRenderer

from nnviz.io import exporters, session_file
from nnviz.experiment import Config, build
from ui import file_actions
from ui.main_window import MainWindow
from conftest import answer_paths


def snapshot(w):
    s = w.session
    return {"params": s.network.params.copy(), "history": s.trainer.history.to_dict(),
            "status": w.status_label.text(), "count": w.param_count_label.text(),
            "grid": [g.copy() for g in s.grid_outputs()], "features": list(s.model.features),
            "loss_curve": w.loss_plot.history_arrays().copy(), "rng": s.exp.rng.bit_generator.state}


def test_save_open_continue_is_bit_identical(window, tmp_path, monkeypatch, qtbot):
    w, s = window, window.session
    path = tmp_path / "run.nnviz"
    answer_paths(monkeypatch, path)
    w.data_panel.feature_boxes["x1^2"].setChecked(True)
    w.actionAddNeuron.trigger()
    s.set_optimizer("adam")
    s.set_lr(0.01)
    for _ in range(37):                       # mid-epoch
        w.actionStepBatch.trigger()
    for _ in range(3):                        # and half a step, operation by operation
        w.actionStepOperation.trigger()
    assert w.isWindowModified()
    w.actionSaveSession.trigger()
    assert path.exists() and not w.isWindowModified()
    assert w.windowTitle() == "run.nnviz[*] — nnviz"
    saved = snapshot(w)
    for _ in range(120):
        w.actionStepBatch.trigger()
    uninterrupted = snapshot(w)
    # a new window opens the file: the same views, and the same numbers on
    w2 = MainWindow()
    qtbot.addWidget(w2)
    w2.show()
    w2.actionOpenSession.trigger()
    opened = snapshot(w2)
    for key in ("status", "count", "features", "rng"):
        assert opened[key] == saved[key], key
    np.testing.assert_array_equal(opened["params"], saved["params"])
    np.testing.assert_array_equal(opened["loss_curve"], saved["loss_curve"])
    for a, b in zip(opened["grid"], saved["grid"]):
        np.testing.assert_array_equal(a, b)
    assert w2.session.trainer.optimizer.name == "adam" and w2.session.trainer.lr == 0.01
    assert w2.hyper_panel.lr.currentText() in ("0.01", "0.010")
    assert not w2.isWindowModified() and w2.windowTitle() == "run.nnviz[*] — nnviz"
    for _ in range(120):
        w2.actionStepBatch.trigger()
    after = snapshot(w2)
    np.testing.assert_array_equal(after["params"], uninterrupted["params"])
    assert after["history"] == uninterrupted["history"]
    assert after["status"] == uninterrupted["status"]
    # Reset goes back to the saved run's initial weights in both
    w.actionReset.trigger()
    w2.actionReset.trigger()
    np.testing.assert_array_equal(w.session.network.params, w2.session.network.params)
    w2.close()


def test_recent_sessions_menu(window, tmp_path, monkeypatch):
    w = window
    for name in ("a.nnviz", "b"):
        answer_paths(monkeypatch, tmp_path / name)
        w.actionStepBatch.trigger()
        w.actionSaveSessionAs.trigger()
    assert (tmp_path / "b.nnviz").exists()            # the extension is added
    recent = w.file_actions.recent()
    assert recent[:2] == [str((tmp_path / "b.nnviz").resolve()), str((tmp_path / "a.nnviz").resolve())]
    menu = w.file_actions.recent_menu
    menu.aboutToShow.emit()
    texts = [a.text() for a in menu.actions()]
    assert texts[:2] == ["&1 b.nnviz", "&2 a.nnviz"]
    step_a = session_file.load(tmp_path / "a.nnviz").experiment.trainer.step_count
    menu.actions()[1].trigger()
    assert w.session.trainer.step_count == step_a and w.windowTitle().startswith("a.nnviz")


def test_bad_session_file_changes_nothing(window, tmp_path, monkeypatch, warnings):
    w = window
    w.actionStepEpoch.trigger()
    good = tmp_path / "good.nnviz"
    answer_paths(monkeypatch, good)
    w.actionSaveSession.trigger()
    w.actionStepBatch.trigger()
    before, title = snapshot(w), w.windowTitle()
    for blob in (good.read_bytes()[:500], b"not a session", b""):
        bad = tmp_path / "bad.nnviz"
        bad.write_bytes(blob)
        answer_paths(monkeypatch, bad)
        w.actionOpenSession.trigger()
        assert len(warnings) == 1 and warnings.pop().startswith("bad.nnviz: ")
        np.testing.assert_array_equal(w.session.network.params, before["params"])
        assert w.windowTitle() == title and w.isWindowModified()
        assert w.status_label.text() == before["status"]


def test_import_weights_follows_the_file(window, tmp_path, monkeypatch, warnings):
    for ext in (".json", ".npz", ".safetensors", ".nnviz"):
        window.actionReinitialize.trigger()
        _import_and_check(window, tmp_path, monkeypatch, ext, warnings)


def _import_and_check(window, tmp_path, monkeypatch, ext, warnings):
    exp = build(Config(seed=9, features=["x2", "x1^2", "sin(x1)"], hidden=[6, 3],
                       activation=["relu", "tanh"], standardize=ext != ".npz"))
    exp.trainer.steps(60)
    path = tmp_path / f"w{ext}"
    if ext == ".nnviz":
        session_file.save(path, exp)
    else:
        exporters.export(exp.model, path)
    answer_paths(monkeypatch, path)
    window.actionImportWeights.trigger()
    assert not warnings
    s = window.session
    assert s.model.features == ["x2", "x1^2", "sin(x1)"]
    assert s.network.sizes == [3, 6, 3, 1] and s.network.activations == ["relu", "tanh", "sigmoid"]
    assert (s.model.scaler is None) == (ext == ".npz")
    X = np.random.default_rng(1).uniform(-6, 6, size=(100, 2))
    np.testing.assert_array_equal(s.model.predict(X), exp.model.predict(X))
    assert window.param_count_label.text().endswith("= (3+1)·6 + (6+1)·3 + (3+1)·1 = 49")
    assert window.data_panel.feature_boxes["sin(x1)"].isChecked()
    assert not window.data_panel.feature_boxes["x1"].isChecked()
    # training goes on from the imported weights; Reset returns to them
    window.actionStepEpoch.trigger()
    window.actionReset.trigger()
    np.testing.assert_array_equal(s.model.predict(X), exp.model.predict(X))


def test_bad_weights_file_changes_nothing(window, tmp_path, monkeypatch, warnings):
    w = window
    w.actionStepEpoch.trigger()
    model = build(Config(features=["x1", "x2", "x2^2"], hidden=[5])).model
    before = snapshot(w)
    cases = {}
    for ext in (".json", ".npz", ".safetensors"):
        exporters.export(model, tmp_path / f"ok{ext}")
        data = (tmp_path / f"ok{ext}").read_bytes()
        cases[f"trunc{ext}"] = data[: len(data) // 2]
    other = build(Config(dataset="data", features=["a", "b"]), _table()).model
    exporters.export(other, tmp_path / "other.json")
    cases["other.json"] = (tmp_path / "other.json").read_bytes()
    for name, blob in cases.items():
        path = tmp_path / name
        path.write_bytes(blob)
        answer_paths(monkeypatch, path)
        w.actionImportWeights.trigger()
        assert len(warnings) == 1, name
        message = warnings.pop()
        assert "\n" not in message
        if name == "other.json":
            assert "take the inputs a, b, but the data has x1, x2" in message
        else:
            assert message.startswith(name + ":")
        np.testing.assert_array_equal(w.session.network.params, before["params"])
        assert w.session.model.features == before["features"]
        assert w.param_count_label.text() == before["count"]


def _table():
    from nnviz.data.dataset import Dataset
    rng = np.random.default_rng(0)
    X = rng.normal(size=(40, 2))
    return Dataset(X, (X[:, 0] > 0).astype(float), ["a", "b"], "classification", name="t")


def test_export_weights_menu_every_format(window, tmp_path, monkeypatch, warnings):
    window.actionStepEpoch.trigger()
    for ext in exporters.EXPORT_FORMATS:
        _export_and_check(window, tmp_path, monkeypatch, ext, warnings)


def _export_and_check(window, tmp_path, monkeypatch, ext, warnings):
    path = tmp_path / f"w{ext}"
    answer_paths(monkeypatch, path)
    window.actionExportWeights.trigger()
    assert not warnings
    model = window.session.model
    X = np.random.default_rng(2).uniform(-6, 6, size=(50, 2))
    if ext in exporters.LOAD_FORMATS:
        np.testing.assert_array_equal(exporters.load(path).predict(X), model.predict(X))
    elif ext == ".onnx":
        ort = pytest.importorskip("onnxruntime")
        out = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"]).run(
            None, {"inputs": X.astype(np.float32)})[0]
        assert np.abs(out[:, 0] - model.predict(X.astype(np.float32).astype(float))).max() <= 1e-6
    elif ext == ".py":
        assert "def predict(X)" in path.read_text()
    else:
        assert (tmp_path / "w" / "W1.csv").exists() and (tmp_path / "w" / "b2.csv").exists()
    assert "saved to" in window.statusBar().currentMessage()


def test_missing_export_package_is_named_in_the_menu(window, tmp_path, monkeypatch, warnings):
    monkeypatch.setattr(exporters, "missing_package", lambda ext: "onnx" if ext == ".onnx" else None)
    assert "ONNX model (inputs → features → scaling → network → output) (*.onnx) — needs pip install onnx" \
        in file_actions.export_filter()
    answer_paths(monkeypatch, tmp_path / "w.onnx")
    window.actionExportWeights.trigger()
    assert warnings == [".onnx export needs the 'onnx' package: pip install 'nnviz[export]' "
                        "(or pip install onnx)"]
    assert not (tmp_path / "w.onnx").exists()


def test_pictures_png_and_svg(window, tmp_path, monkeypatch, warnings):
    for _ in range(5):
        window.actionStepEpoch.trigger()
    for action, widget in (("actionExportBoundaryImage", "boundary_plot"),
                           ("actionExportLossImage", "loss_plot"),
                           ("actionExportNetworkImage", "network_view")):
        _picture(window, tmp_path, monkeypatch, action, widget, warnings)
        warnings.clear()


def _picture(window, tmp_path, monkeypatch, action, widget, warnings):
    target = getattr(window, widget)
    png, svg = tmp_path / "p.png", tmp_path / "p.svg"
    answer_paths(monkeypatch, png)
    getattr(window, action).trigger()
    img = QImage(str(png))
    assert not img.isNull() and (img.width(), img.height()) == (target.width(), target.height())
    colours = {img.pixel(x, y) for x in range(0, img.width(), 5) for y in range(0, img.height(), 5)}
    assert len(colours) > 20
    answer_paths(monkeypatch, svg)
    getattr(window, action).trigger()
    text = svg.read_text()
    assert text.lstrip().startswith("<?xml") and "<svg" in text and "<path" in text
    assert QSvgRenderer(str(svg)).isValid()
    answer_paths(monkeypatch, tmp_path / "p.gif")
    getattr(window, action).trigger()
    assert warnings == ["pictures are saved as .png or .svg, not '.gif'"]


def test_history_and_data_csv(window, tmp_path, monkeypatch):
    w, s = window, window.session
    for _ in range(3):
        w.actionStepEpoch.trigger()
    answer_paths(monkeypatch, tmp_path / "h.csv")
    w.actionExportHistory.trigger()
    lines = (tmp_path / "h.csv").read_text().splitlines()
    assert lines[0] == "epoch,step,train_loss,test_loss,train_accuracy,test_accuracy"
    assert len(lines) == 1 + len(s.trainer.history)
    last = lines[-1].split(",")
    h = s.trainer.history
    assert int(last[0]) == h.epoch[-1] and float(last[2]) == h.train_loss[-1]
    assert float(last[5]) == h.test_metric[-1]
    answer_paths(monkeypatch, tmp_path / "d.csv")
    w.actionExportDataSplit.trigger()
    rows = [r.split(",") for r in (tmp_path / "d.csv").read_text().splitlines()]
    assert rows[0] == ["x1", "x2", "y", "split", "added"]
    assert len(rows) == 1 + s.dataset.n_samples
    X = np.array([[float(r[0]), float(r[1])] for r in rows[1:]])
    np.testing.assert_array_equal(X, s.dataset.X)
    split = np.array([r[3] for r in rows[1:]])
    assert set(np.flatnonzero(split == "test")) == set(s.exp.test_idx.tolist())
    assert (split == "train").sum() == len(s.exp.train_idx)


def test_session_with_table_data_and_points_keeps_the_rows(window, tmp_path, monkeypatch, qtbot):
    from ui import data_actions
    w, s = window, window.session
    assert data_actions.open_sample(w, "iris_petals.csv")
    x, y = s.dataset.X[:, 0].mean(), s.dataset.X[:, 1].mean()
    s.add_point(x, y, 1.0)
    for _ in range(7):
        w.actionStepBatch.trigger()
    path = tmp_path / "iris.nnviz"
    answer_paths(monkeypatch, path)
    w.actionSaveSession.trigger()
    w2 = MainWindow()
    qtbot.addWidget(w2)
    w2.actionOpenSession.trigger()
    s2 = w2.session
    np.testing.assert_array_equal(s2.dataset.X, s.dataset.X)
    np.testing.assert_array_equal(s2.dataset.y, s.dataset.y)
    assert s2.dataset.class_names == s.dataset.class_names and s2.model.inputs == s.model.inputs
    np.testing.assert_array_equal(s2.added_rows, s.added_rows)
    assert s2.added_rows.sum() == 1 and not s2.generated
    for _ in range(30):
        w.actionStepBatch.trigger()
        w2.actionStepBatch.trigger()
    np.testing.assert_array_equal(s2.network.params, s.network.params)
    w2.close()


def test_undo_does_not_take_back_opening_a_session(window, tmp_path, monkeypatch, qtbot):
    """Undo after Open session brought the last run back under the file's name, and Ctrl+S then
    wrote that run over the file. An opened file is a new document: nothing to undo."""
    path = tmp_path / "iris.nnviz"
    answer_paths(monkeypatch, path)
    from ui import data_actions
    assert data_actions.open_sample(window, "iris.csv")
    window.actionSaveSession.trigger()
    w2 = MainWindow()
    qtbot.addWidget(w2)
    w2.show()
    w2.actionAddNeuron.trigger()                      # a change Undo could take back
    assert w2.actionUndo.isEnabled()
    w2.actionOpenSession.trigger()
    assert w2.session.dataset.name == "iris.csv"
    assert not w2.actionUndo.isEnabled() and w2.session.undo_text() is None
    w2.close()


def test_saving_mid_step_says_it_finished_the_step(window, tmp_path, monkeypatch):
    path = tmp_path / "run.nnviz"
    answer_paths(monkeypatch, path)
    for _ in range(3):
        window.actionStepOperation.trigger()
    window.actionSaveSession.trigger()
    assert not window.session.step_in_progress
    assert "the step under way was finished first" in window.statusBar().currentMessage()


def test_a_session_the_canvas_cannot_draw_is_refused(window, tmp_path, monkeypatch, warnings):
    """A session of 100 units in a layer opened (saved from the command line's engine), and
    then every change refused; import weights already said why in one sentence."""
    from nnviz.experiment import Config, build
    from nnviz.io import session_file

    path = tmp_path / "wide.nnviz"
    session_file.save(path, build(Config(hidden=[100])))
    answer_paths(monkeypatch, path)
    before = window.session.network.sizes
    assert not window.file_actions.open_session()
    assert warnings == ["this session has 100 units in a layer; the app shows at most 32"]
    assert window.session.network.sizes == before


def test_choosing_the_plots_axes_is_a_change_to_save(window, tmp_path, monkeypatch):
    """The axes are saved in the file, but choosing others did not mark the session modified,
    and closing lost them without asking."""
    from ui import data_actions

    path = tmp_path / "iris.nnviz"
    answer_paths(monkeypatch, path)
    assert data_actions.open_sample(window, "iris.csv")
    window.actionSaveSession.trigger()
    assert not window.isWindowModified()
    x, y = window.session.plot_axes()
    window.session.set_axes(y, x)
    assert window.isWindowModified()
