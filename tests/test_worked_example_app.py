"""The worked-example editor and gallery in the app: every gallery example opens in the real
editor and its first step in the app equals an independent NumPy step (and the engine's, bit for
bit); a typed example survives a session file bit for bit; paste from a spreadsheet; undo."""
import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication

from nnviz import examples
from conftest import answer_paths
from test_examples import numpy_step


@pytest.fixture
def editor(window):
    """The editor opened from File › New worked example…, and a function that presses OK."""
    window.actionNewWorkedExample.trigger()
    dlg = window._worked_example_dialog
    assert dlg is not None and dlg.isVisible()
    yield dlg
    if window._worked_example_dialog is not None:
        dlg.reject()


def _ok(dlg):
    dlg.buttons.button(dlg.buttons.StandardButton.Ok).click()


def _step_in_app(w):
    """Step operation until the update: the step the step-through shows."""
    for _ in range(50):
        w.actionStepOperation.trigger()
        stage = w.session.stages[w.session.stage_index]
        if stage.phase == "update":
            return w.session.stages
    raise AssertionError("the step never reached its update")


@pytest.mark.parametrize("index", range(len(examples.GALLERY)),
                         ids=[e.key for e in examples.GALLERY])
def test_gallery_example_opens_in_the_editor_and_steps_exactly(window, index):
    w = window
    ex = examples.GALLERY[index]
    w.actionWorkedExamples.trigger()
    gallery = w._worked_examples_gallery
    gallery.list.setCurrentRow(index)
    assert ex.title in gallery.text.toPlainText()
    assert ex.description[:40] in gallery.text.toPlainText()
    gallery.open_button.click()
    assert w._worked_examples_gallery is None
    dlg = w._worked_example_dialog
    assert dlg.isVisible() and ex.title in dlg.windowTitle()
    assert dlg.sizes() == [len(ex.X[0]), *ex.hidden, 1]
    _ok(dlg)
    assert w._worked_example_dialog is None
    s = w.session
    assert w.docks["Step through"].isVisible()
    np.testing.assert_array_equal(s.dataset.X, np.array(ex.X))
    np.testing.assert_array_equal(s.dataset.y, np.array(ex.y))
    stages = _step_in_app(w)
    # equal to an independent NumPy step …
    expected, _ = numpy_step(ex.X, ex.y, ex.weights, ex.activation, s.network.activations[-1],
                             s.model.loss, ex.lr, ex.reduction, ex.l1, ex.l2)
    for (W, b), (We, be) in zip(s.network.get_weights(), expected):
        np.testing.assert_allclose(W, We, rtol=0, atol=1e-12)
        np.testing.assert_allclose(b, be, rtol=0, atol=1e-12)
    np.testing.assert_array_equal(stages[-1].results[f"new W{_sup(1)}"], s.network.dense[0].W)
    # … and to the engine's step, bit for bit
    exp = ex.experiment()
    exp.trainer.step()
    assert s.network.params.tobytes() == exp.network.params.tobytes()
    assert s.config == exp.config


def _sup(k):
    return f"⁽{str(k).translate(str.maketrans('0123456789', '⁰¹²³⁴⁵⁶⁷⁸⁹'))}⁾"


def _type(grid, values):
    for i, row in enumerate(values):
        for j, v in enumerate(row):
            grid.item(i, j).setText(v)


def test_typed_example_round_trips_through_a_session_file(window, editor, tmp_path, monkeypatch):
    w, dlg = window, editor
    dlg.inputs.setValue(3)
    dlg.layers.setValue(2)
    dlg.units[0].setValue(3)
    dlg.units[1].setValue(2)
    dlg.activation.setCurrentText("sigmoid")
    dlg.output.setCurrentIndex(1)                 # sigmoid, squared error
    dlg.reduction.setCurrentText("sum")
    dlg.lr.setValue(0.25)
    dlg.optimizer.setCurrentText("momentum")
    dlg.l1.setValue(0.01)
    dlg.l2.setValue(0.02)
    dlg.data.setCurrentCell(0, 0)
    assert dlg.data.paste_text("0.1\t-0.2\t0.3\t1\n0.4\t0.5\t-0.6\t0\n0.7\t0.8\t0.9\t1\n") is None
    dlg.fill_random(np.random.default_rng(5))
    _type(dlg.layer_boxes[0].W, [["0.123456789012", "−0.5", "1e-3"]])   # exact text, a typographic minus
    assert [b.W.rowCount() for b in dlg.layer_boxes[:3]] == [3, 3, 2]
    assert [b.W.columnCount() for b in dlg.layer_boxes[:3]] == [3, 2, 1]
    assert not dlg.layer_boxes[3].isVisible()
    _ok(dlg)
    s = w.session
    assert s.network.sizes == [3, 3, 2, 1] and s.dataset.n_samples == 3
    assert s.network.dense[0].W[0, 0] == 0.123456789012 and s.network.dense[0].W[0, 1] == -0.5
    assert (s.config.reduction, s.config.lr, s.config.optimizer, s.config.l1, s.config.l2) == \
        ("sum", 0.25, "momentum", 0.01, 0.02)
    assert not s.config.standardize and s.config.test_ratio == 0 and s.model.scaler is None
    X, y, params, config = s.dataset.X.copy(), s.dataset.y.copy(), s.network.params.copy(), s.config
    path = tmp_path / "typed.nnviz"
    answer_paths(monkeypatch, path)
    w.actionSaveSessionAs.trigger()
    _step_in_app(w)
    after = s.network.params.copy()
    w.actionNewWorkedExample.trigger()           # something else in between
    _ok(w._worked_example_dialog)
    assert s.network.sizes == [2, 2, 1]
    assert w.file_actions.open_session(path)
    assert s.dataset.source == {"typed": True}
    assert s.dataset.X.tobytes() == X.tobytes() and s.dataset.y.tobytes() == y.tobytes()
    assert s.network.params.tobytes() == params.tobytes()
    assert s.config == config
    _step_in_app(w)
    assert s.network.params.tobytes() == after.tobytes()


def test_paste_from_a_spreadsheet_with_ctrl_v(editor, qtbot):
    dlg = editor
    grid = dlg.data
    grid.setCurrentCell(0, 0)
    QGuiApplication.clipboard().setText("1,5\t2\t1\r\n−3\t4.25\t0\r\n5\t6\t1\r\n")
    qtbot.keyClick(grid, Qt.Key_V, Qt.ControlModifier)
    assert grid.rowCount() == 3                   # rows added as the block needs
    np.testing.assert_array_equal(grid.values(), [[1.5, 2, 1], [-3, 4.25, 0], [5, 6, 1]])
    assert dlg.message.text() == ""
    W = dlg.layer_boxes[0].W
    W.setCurrentCell(0, 1)
    before = W.values().copy()
    QGuiApplication.clipboard().setText("1\t2\n3\t4")
    qtbot.keyClick(W, Qt.Key_V, Qt.ControlModifier)
    assert "2 columns wide; from column 2 there is room for 1" in dlg.message.text()
    np.testing.assert_array_equal(W.values(), before)
    W.setCurrentCell(0, 0)
    QGuiApplication.clipboard().setText("1 2\n3 x")
    qtbot.keyClick(W, Qt.Key_V, Qt.ControlModifier)
    assert "'x', not a number" in dlg.message.text()
    np.testing.assert_array_equal(W.values(), before)
    QGuiApplication.clipboard().setText("0.5, -0.25\n1; 2")   # no tabs: commas, semicolons
    qtbot.keyClick(W, Qt.Key_V, Qt.ControlModifier)
    np.testing.assert_array_equal(W.values(), [[0.5, -0.25], [1, 2]])


def test_rows_shapes_and_random_weights(editor):
    dlg = editor
    dlg.remove_row.click()
    assert dlg.data.rowCount() == 1
    dlg.remove_row.click()
    assert dlg.data.rowCount() == 1 and "at least one row" in dlg.message.text()
    for _ in range(10):
        dlg.add_row.click()
    assert dlg.data.rowCount() == 8 and "at most 8 rows" in dlg.message.text()
    dlg.layers.setValue(0)
    dlg.output.setCurrentIndex(2)                 # softmax
    dlg.classes.setValue(3)
    assert dlg.sizes() == [2, 3] and not dlg.activation.isEnabled()
    assert (dlg.layer_boxes[0].W.rowCount(), dlg.layer_boxes[0].W.columnCount()) == (2, 3)
    dlg.fill_random(np.random.default_rng(1))
    W = dlg.layer_boxes[0].W.values()
    assert np.all(np.abs(W) <= 1) and np.all(np.round(W, 2) == W) and np.any(W != 0)
    dlg.data.set_values(np.tile([0.5, -1.0, 2.0], (8, 1)))
    _ok(dlg)
    s = dlg.parent().session
    assert s.network.sizes == [2, 3] and s.dataset.n_classes == 3
    np.testing.assert_array_equal(s.network.dense[0].W, W)


def _headers(grid):
    return ([grid.verticalHeaderItem(i).text() for i in range(grid.rowCount())],
            [grid.horizontalHeaderItem(j).text() for j in range(grid.columnCount())])


def test_the_grids_name_units_and_inputs_as_every_view_does(editor):
    """One hidden layer: h1, h2 and "Z⁽²⁾ = H·W⁽²⁾ + b⁽²⁾" as the step-through writes it;
    several: h1.2, h2.1 and H⁽¹⁾ (the editor wrote h1⁽¹⁾, and H⁽¹⁾ with one hidden layer)."""
    dlg = editor
    dlg.layers.setValue(1)
    dlg.units[0].setValue(2)
    first, second = dlg.layer_boxes[:2]
    assert _headers(first.W) == (["x1", "x2"], ["h1", "h2"])
    assert _headers(second.W) == (["h1", "h2"], ["ŷ"])
    assert second.title().startswith("Layer 2: Z⁽²⁾ = H·W⁽²⁾ + b⁽²⁾")
    dlg.layers.setValue(2)
    dlg.units[1].setValue(3)
    dlg.output.setCurrentIndex(2)                 # softmax
    dlg.classes.setValue(3)
    second, third = dlg.layer_boxes[1:3]
    assert _headers(second.W) == (["h1.1", "h1.2"], ["h2.1", "h2.2", "h2.3"])
    assert _headers(third.W) == (["h2.1", "h2.2", "h2.3"], ["ŷ1", "ŷ2", "ŷ3"])
    assert second.title().startswith("Layer 2: Z⁽²⁾ = H⁽¹⁾·W⁽²⁾ + b⁽²⁾")


def test_a_bad_target_is_explained_and_nothing_changes(window, editor):
    dlg, s = editor, window.session
    before = (s.exp, s.network.params.copy())
    dlg.data.item(0, 2).setText("0.5")            # a class must be 0 or 1
    _ok(dlg)
    assert dlg.isVisible() and "classification targets must be 0 or 1; row 1 has 0.5" in dlg.message.text()
    dlg.data.item(0, 2).setText("1")
    dlg.layer_boxes[1].b.item(0, 0).setText("abc")
    _ok(dlg)
    assert "b⁽²⁾: the cell in row 1, column 1 holds 'abc', not a number" in dlg.message.text()
    assert (dlg.layer_boxes[1].b.currentRow(), dlg.layer_boxes[1].b.currentColumn()) == (0, 0)
    assert dlg.focusWidget() is dlg.layer_boxes[1].b      # the bad cell is the one in sight
    assert s.exp is before[0] and np.array_equal(s.network.params, before[1])


def test_opening_an_example_is_undoable(window, editor):
    s = window.session
    old = s.exp
    _ok(editor)
    assert s.exp is not old and s.undo_text() == "Open a worked example"
    window.actionUndo.trigger()
    assert s.exp is old
    window.actionRedo.trigger()
    assert s.dataset.source == {"typed": True}


def test_menu_entries(window):
    w = window
    new, gallery = w.actionNewWorkedExample, w.actionWorkedExamples
    assert new.shortcut().toString() == "Ctrl+Shift+N" and "by hand" in new.statusTip()
    menus = {a.text(): a.menu() for a in w.menuBar().actions()}
    assert new in menus["&File"].actions()
    assert gallery in menus["&Help"].actions() and gallery.statusTip()


def test_one_input_example_shows_in_the_window(window):
    """The one-input example draws (a table with one input column) and steps."""
    w = window
    w.actionWorkedExamples.trigger()
    w._worked_examples_gallery.open_button.click()        # the first: one input, one unit
    _ok(w._worked_example_dialog)
    assert w.session.network.sizes == [1, 1]
    _step_in_app(w)
    assert w.session.network.dense[0].W[0, 0] == pytest.approx(0.9, abs=1e-15)


def test_one_row_example_has_readable_axes_and_words(window):
    """A single row gives each input one value: the output plot spans a round range around it
    (a 5 % margin of nothing gave 799.99999996…800.00000006), and the data panel says
    '1 row', not '1 rows'."""
    from ui.model.axes import plot_range
    assert plot_range(0.6, 0.6) == (-0.4, 1.6) and plot_range(800.0, 800.0) == (0.0, 1600.0)
    assert plot_range(0.0, 0.0) == (-1.0, 1.0) and plot_range(-5.3, 5.2) == (-6.0, 6.0)
    w = window
    w.actionWorkedExamples.trigger()
    w._worked_examples_gallery.list.setCurrentRow(len(examples.GALLERY) - 1)   # 3-2-1, one row
    w._worked_examples_gallery.open_button.click()
    _ok(w._worked_example_dialog)
    grid = w.session.app_model.grid()
    assert grid.xlim[1] - grid.xlim[0] >= 1 and grid.ylim[1] - grid.ylim[0] >= 1
    assert grid.xlim[0] < 0.6 < grid.xlim[1]
    text = w.data_panel.table_label.text()
    assert "1 row, 3 inputs" in text, text


def test_each_bias_row_sits_under_its_weights_and_rates_read_plainly(editor):
    """b⁽ᵏ⁾ is one more row under W⁽ᵏ⁾: the same column widths and the same width of row
    labels, so unit j's bias is under unit j's weights; a rate shows 0.5, not 0.500000."""
    dlg = editor
    dlg.layer_boxes[0].b.set_values([[-0.123456789, 0.1]])    # a wide number widens column 1
    for box in dlg.layer_boxes[:2]:
        W, b = box.W, box.b
        assert [W.columnWidth(j) for j in range(W.columnCount())] == \
            [b.columnWidth(j) for j in range(b.columnCount())]
        assert W.width() == b.width() and b.horizontalHeader().isHidden()
    assert dlg.layer_boxes[0].W.columnWidth(0) > dlg.layer_boxes[0].W.columnWidth(1)
    dlg.lr.setValue(0.5)
    dlg.l2.setValue(0.0)
    assert (dlg.lr.text(), dlg.l2.text()) == ("0.5", "0.0")
    dlg.lr.setValue(0.000125)
    assert dlg.lr.text() == "0.000125" and dlg.lr.value() == 0.000125
