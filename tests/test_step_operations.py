"""The step-through's operations as a learner reads them: names for any depth, every operation
listed from the start with those to come greyed, a "k of N" counter, and the matrices of the
current operation in view at every window size."""
import pytest
from PySide6.QtCore import QRect, QSettings, Qt
from PySide6.QtGui import QFontMetrics
from PySide6.QtWidgets import QLabel

from nnviz.core import losses
from nnviz.core.network import Network
from nnviz.experiment import Config
from nnviz.explain.operations import operation_title, planned_operations, stage_title
from ui.main_window import MainWindow
from ui.session import Session
from ui.step_matrix import ALONE, HEAD, number_font, pack
from ui.step_panel import StepPanel


def titles(config):
    s = Session(config)
    try:
        plan = planned_operations(s.network, s.trainer.loss, s.config.optimizer)
        while not s.stages or s.stages[-1].name != "update":
            s.step_operation()
        assert [st.name for st in s.stages] == [p.name for p in plan]
        assert [stage_title(st, s.network.n_layers) for st in s.stages] == [p.title for p in plan]
        return [p.title for p in plan]
    finally:
        s.shutdown()


def test_names_with_one_hidden_layer():
    assert titles(Config(seed=1, hidden=[4], activation="tanh")) == [
        "Layer 1 forward: Z⁽¹⁾ = X·W⁽¹⁾ + b⁽¹⁾", "tanh: H = tanh(Z⁽¹⁾)",
        "Layer 2 forward: Z⁽²⁾ = H·W⁽²⁾ + b⁽²⁾", "Output sigmoid: ŷ = sigmoid(Z⁽²⁾)",
        "Loss (log loss): E = (1/m) Σ e over the rows", "Output error δ⁽²⁾ = ŷ − y",
        "Layer 2 backward: ∂E/∂W⁽²⁾ = (1/m) Hᵀ·δ⁽²⁾",
        "tanh backward: δ⁽¹⁾ = ∂e/∂H ⊙ tanh′(Z⁽¹⁾)",
        "Layer 1 backward: ∂E/∂W⁽¹⁾ = (1/m) Xᵀ·δ⁽¹⁾", "Update: W ← W − η·∂E/∂W"]


def test_names_with_three_hidden_layers():
    got = titles(Config(seed=1, hidden=[3, 2, 2], activation="relu"))
    assert len(got) == 18
    assert got[4] == "Layer 3 forward: Z⁽³⁾ = H⁽²⁾·W⁽³⁾ + b⁽³⁾" and got[5] == "relu: H⁽³⁾ = relu(Z⁽³⁾)"
    assert got[9] == "Output error δ⁽⁴⁾ = ŷ − y"
    assert got[10] == "Layer 4 backward: ∂E/∂W⁽⁴⁾ = (1/m) H⁽³⁾ᵀ·δ⁽⁴⁾"
    assert got[-2] == "Layer 1 backward: ∂E/∂W⁽¹⁾ = (1/m) Xᵀ·δ⁽¹⁾"


def test_names_with_no_hidden_layer():
    got = titles(Config(seed=1, hidden=[]))
    assert got == ["Layer 1 forward: Z⁽¹⁾ = X·W⁽¹⁾ + b⁽¹⁾", "Output sigmoid: ŷ = sigmoid(Z⁽¹⁾)",
                   "Loss (log loss): E = (1/m) Σ e over the rows", "Output error δ⁽¹⁾ = ŷ − y",
                   "Layer 1 backward: ∂E/∂W⁽¹⁾ = (1/m) Xᵀ·δ⁽¹⁾", "Update: W ← W − η·∂E/∂W"]
    plan = planned_operations(Network([2, 1], "identity", "sigmoid"), losses.make("log_loss", "sigmoid"))
    assert [p.name for p in plan] == ["dense1.forward", "activation1.forward", "loss.forward",
                                      "loss.backward", "dense1.backward", "update"]


def test_names_when_the_loss_does_not_fold_the_output_in():
    got = titles(Config(seed=1, hidden=[3], dataset="plane", loss="squared_error",
                        activation="tanh", output_activation="tanh")
                 if "output_activation" in Config.__dataclass_fields__ else
                 Config(seed=1, hidden=[3], dataset="plane"))
    assert got[5] in ("Output error δ⁽²⁾ = ŷ − y", "Loss gradient ∂e/∂ŷ = ŷ − y")
    assert operation_title("update", None, 2, optimizer="adam").startswith("Update (adam)")


def test_the_list_shows_every_operation_greyed_beyond_the_cursor(qtbot):
    s = Session(Config(seed=1, hidden=[4]))
    panel = StepPanel(s)
    qtbot.addWidget(panel)
    try:
        lst = panel.stage_list
        assert lst.count() == 10 and panel.counter.text() == "0 of 10"
        assert not any(lst.item(i).flags() & Qt.ItemIsEnabled for i in range(10))
        for k in range(1, 11):
            s.step_operation()
            assert lst.count() == 10 and panel.counter.text() == f"{k} of 10"
            for i in range(10):
                enabled = bool(lst.item(i).flags() & Qt.ItemIsEnabled)
                assert enabled == (i < k), (k, i)
            assert lst.currentRow() == k - 1
        assert lst.item(6).text() == "7. Layer 2 backward"
        assert lst.item(6).toolTip() == "Layer 2 backward: ∂E/∂W⁽²⁾ = (1/m) Hᵀ·δ⁽²⁾"
        s.previous_operation()
        assert panel.counter.text() == "9 of 10" and lst.item(9).flags() & Qt.ItemIsEnabled
        s.set_hidden([3, 2])   # a new network: its 14 operations, none run
        assert lst.count() == 14 and panel.counter.text() == "0 of 14"
    finally:
        s.shutdown()


@pytest.fixture
def shown_window(qtbot, kept_layout):
    made = []

    def make(w, h):
        QSettings("nnviz", "nnviz").clear()
        win = MainWindow()
        qtbot.addWidget(win)
        win.resize(w, h)
        win.show()
        qtbot.waitExposed(win)
        win.docks["Step through"].raise_()
        qtbot.wait(50)
        made.append(win)
        return win

    yield make
    for win in made:
        win.session.shutdown()
        win.close()


def visible_in(panel, widget) -> bool:
    """The widget's whole rect is inside the panel, and the panel inside its dock."""
    top_left = widget.mapTo(panel, widget.rect().topLeft())
    return widget.isVisible() and panel.rect().contains(QRect(top_left, widget.size()))


def assert_arrows_between(area, name):
    """Each shown arrow (operands → results) stands between two matrices: one at its left and
    one at its right level with it, or one above and one below in line with it."""
    views = [QRect(v.pos(), v.size()) for v in area.views]
    for arrow in area.findChildren(QLabel):
        if arrow.text() != "→" or not arrow.isVisible():
            continue
        a = QRect(arrow.pos(), arrow.size())
        level = [r for r in views if r.top() <= a.bottom() and a.top() <= r.bottom()]
        in_line = [r for r in views if r.left() <= a.right() and a.left() <= r.right()]
        across = (any(r.right() < a.left() for r in level)
                  and any(r.left() > a.right() for r in level))
        down = (any(r.bottom() < a.top() for r in in_line)
                and any(r.top() > a.bottom() for r in in_line))
        assert across or down, (name, a, views)


@pytest.mark.parametrize("size", [(1024, 700), (1400, 900), (1920, 1080)],
                         ids=lambda s: f"{s[0]}x{s[1]}")
def test_the_operation_is_in_view_at_every_size(shown_window, qtbot, size):
    w = shown_window(*size)
    s, panel = w.session, w.step_panel
    for _ in range(2):
        s.add_neuron()     # six hidden units, as the screenshots
    dock = w.docks["Step through"]
    assert dock.rect().contains(QRect(panel.mapTo(dock, panel.rect().topLeft()), panel.size()))
    seen_note = False
    for k in range(10):
        s.step_operation()
        qtbot.wait(5)
        stage = s.stages[s.stage_index]
        assert visible_in(panel, panel.title) and visible_in(panel, panel.shapes), stage.name
        assert panel.shapes.text() or stage.name == "update"
        for v in panel.matrix_views:    # every number fits its cell
            fm = QFontMetrics(number_font(v.font(), v.cells))
            widest = max(fm.horizontalAdvance(v.cell_text(i, j))
                         for i in v.rows if i is not None for j in v.cols if j is not None)
            assert widest <= v.cell_w, (stage.name, v.name, widest, v.cell_w)
        results = [v for v in panel.matrix_views if v.role == "result"]
        assert results, stage.name
        assert_arrows_between(panel.matrices, stage.name)
        for v in results:
            assert visible_in(panel, v), (stage.name, v.name)
        if size != (1024, 700):
            # Every matrix in view, no scrolling; the words beside them, not below.
            assert not panel.matrices.results_only, stage.name
            for v in panel.matrix_views:
                assert visible_in(panel, v), (stage.name, v.name)
            words = QRect(panel.scroll.mapTo(panel, panel.scroll.rect().topLeft()), panel.scroll.size())
            mats = QRect(panel.matrices.mapTo(panel, panel.matrices.rect().topLeft()),
                         panel.matrices.size())
            assert panel.scroll.isVisible() and words.left() >= mats.right(), stage.name
        else:
            note = panel.matrices.note
            if panel.matrices.results_only:   # the line naming the operands: whole, or elided
                text = note.text()
                assert text.startswith("Results only, for room (operands ") and text.endswith(")")
                assert visible_in(panel, note), stage.name
                if note.fontMetrics().horizontalAdvance(text) > note.width():
                    assert note.is_elided() and note.toolTip().startswith(text + "\n"), stage.name
                seen_note = True
            assert panel.details_button.isVisible() and not panel.scroll.isVisible()
            panel.details_button.click()     # the words in place of the matrices
            assert panel.scroll.isVisible() and not panel.matrices.isVisible()
            assert visible_in(panel, panel.scroll) and panel.equations.text()
            panel.details_button.click()
            assert panel.matrices.isVisible() and not panel.scroll.isVisible()
            if k == 0:   # Alt+D works with the toggles behind Details too, and shows the view
                w.activateWindow()
                qtbot.keyClick(w, Qt.Key_D, Qt.AltModifier)
                qtbot.waitUntil(panel.toggles["hadamard"].isChecked, timeout=2000)
                assert panel.details_button.isChecked() and visible_in(panel, panel.scroll)
                assert "Hadamard" in panel.seed_label.text()
                panel.details_button.click()     # back to the matrices
    # At 1024×700 some operation shows its results only (the operands named in a line).
    assert seen_note == (size == (1024, 700))


def test_an_arrow_stands_alone_in_its_column_and_a_heading_heads_one():
    Z, arrow, H = (100, 200), (12, 20), (100, 200)
    # Without the rule the narrowest packing in 230 px put the arrow under Z, pointing at
    # nothing (Z and the arrow in one column, H in the next).
    assert pack([Z, arrow, H], 230)[1] == [(0, 0), (0, 206), (106, 0)]
    width, pos = pack([Z, arrow, H], 230, kinds=[None, ALONE, None])
    assert pos == [(0, 0), (106, 0), (124, 0)] and width == 224
    # Tall enough for all three: still one column each (the arrow shares none).
    assert pack([Z, arrow, H], 1000, kinds=[None, ALONE, None])[1] == [(0, 0), (106, 0), (124, 0)]
    # A heading is never left at the foot of a column: it heads the next one.
    state, S = (40, 20), (60, 100)
    assert pack([S, state, S], 130)[1] == [(0, 0), (0, 106), (66, 0)]
    assert pack([S, state, S], 130, kinds=[None, HEAD, None])[1] == [(0, 0), (66, 0), (66, 26)]
