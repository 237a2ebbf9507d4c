"""K classes in the app: the Output plot colours the winning class (lighter where unsure) with
the colour bar as the class key, the canvas has one output node per class, the heatmaps show
the M×K output layer, and the Classes panel's confusion matrices agree with the history."""
import numpy as np
import pytest

from ui import classes, data_actions
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHeaderView

from ui.confusion import confusion


@pytest.fixture
def blobs(window):
    window.session.set_data(dataset="blobs4")
    window.session.set_hidden([6])
    return window


def test_output_plot_shows_the_winning_class_and_its_key(blobs, qtbot):
    w, s = blobs, blobs.session
    s.step_epoch()
    qtbot.wait(10)
    P = np.asarray(s.grid_outputs()[-1], dtype=np.float64)
    assert P.shape == (100, 100, 4)
    np.testing.assert_array_equal(w.boundary_plot.current_image(), P.argmax(axis=2))
    rgb = classes.class_pixels(P, w.boundary_plot._bg.getRgb(), 0.45)
    sure = classes.confidence(P)
    i, j = np.unravel_index(np.argmax(sure), sure.shape)
    k = int(P[i, j].argmax())
    want = np.rint(np.array(w.boundary_plot._bg.getRgb()[:3]) * (1 - (1 - 0.45) * sure[i, j])
                   + np.array(classes.class_rgb(k)) * (1 - 0.45) * sure[i, j])
    np.testing.assert_array_equal(rgb[i, j], want)
    ticks = w.boundary_plot.colorbar.axis._tickLevels[0]
    assert [t for _, t in ticks] == [str(c) for c in s.model.classes]
    assert w.boundary_plot.title.text.startswith("Predicted class over")
    # Points carry their class's colour.
    styles = w.boundary_plot.train_scatter.point_styles()
    y = s.dataset.y[s.exp.train_idx]
    assert len(styles) == len(y)
    for (_, brush), label in zip(styles, y):
        assert brush.color().getRgb()[:3] == classes.class_rgb(int(label))


def test_canvas_and_heatmaps_have_one_output_per_class(blobs):
    w, s = blobs, blobs.session
    assert s.network.sizes == [2, 6, 4] and s.network.activations[-1] == "softmax"
    assert len(w.network_view._nodes[-1]) == 4
    # Each output named as in the heatmaps (ŷ1…ŷ4, not ŷ four times), its class in its tooltip.
    v = w.network_view
    assert [v.unit_name(1, j) for j in range(4)] == ["ŷ1", "ŷ2", "ŷ3", "ŷ4"]
    assert v.node_tooltip(1, 2).startswith(f"output ŷ3 = P({s.model.classes[2]})\n")
    hm = w.heatmap_panel
    assert hm.current_array("W2").shape == (6, 4)
    assert hm.current_array("dW2").shape == (6, 4)
    assert w.param_count_label.text() == "(p+1)·M + (M+1)·K = (2+1)·6 + (6+1)·4 = 46"


def test_confusion_matrices_agree_with_the_history(blobs, qtbot):
    w, s = blobs, blobs.session
    w.docks["Classes"].raise_()
    for _ in range(3):
        s.step_epoch()
    qtbot.wait(10)
    panel = w.confusion_panel
    h = s.trainer.history
    for m, idx, acc in ((panel.train, s.exp.train_idx, h.train_metric[-1]),
                        (panel.test, s.exp.test_idx, h.test_metric[-1])):
        assert m.counts.shape == (4, 4) and m.counts.sum() == len(idx)
        assert np.trace(m.counts) / len(idx) == pytest.approx(acc, abs=1e-12)
        assert m.table.item(0, 4).text().endswith("%")
    epoch = int(h.epoch[-1])
    assert epoch == 3
    right = int(np.trace(panel.train.counts))
    assert panel.train.caption.text().startswith(
        f"<b>train</b>, epoch 3: {right} of {len(s.exp.train_idx)} rows right")
    # A mini-batch step changes the weights, not the counts: the caption says when they were
    # counted, and the next epoch's end counts again.
    counts = panel.train.counts.copy()
    s.step_batch()
    qtbot.wait(10)
    assert np.array_equal(panel.train.counts, counts) and ", epoch 3:" in panel.train.caption.text()
    assert "end of epoch 3" in panel.train.caption.toolTip()
    s.step_epoch()
    qtbot.wait(10)
    assert ", epoch 4:" in panel.train.caption.text()
    s.set_data(dataset="circle")
    assert panel.train.counts.shape == (2, 2)


def test_a_narrow_classes_dock_shows_each_accuracy_whole(qtbot, session):
    from ui.confusion import ConfusionPanel
    session.set_data(dataset="blobs3")
    session.step_epoch()
    panel = ConfusionPanel(session)
    qtbot.addWidget(panel)
    panel.resize(280, 220)      # the Classes dock of a 1024×700 window
    panel.show()
    qtbot.wait(20)
    for m in (panel.train, panel.test):
        t = m.table
        K = t.columnCount() - 1
        need = t.fontMetrics().horizontalAdvance("100%")
        assert t.columnWidth(K) >= need          # equal columns cut it to "1…"
        assert t.horizontalScrollBar().maximum() == 0
        assert t.item(0, K).text().endswith("%")
    session.set_data(dataset="circle")                # K = 2 after 3: the accuracy column moves
    t = panel.train.table
    mode = t.horizontalHeader().sectionResizeMode
    assert mode(2) == QHeaderView.ResizeMode.ResizeToContents
    assert mode(1) == QHeaderView.ResizeMode.Stretch
    panel.close()


def test_confusion_counts():
    got = confusion(np.array([0, 0, 1, 2, 2, 2]), np.array([0, 1, 1, 2, 0, 2]), 3)
    assert got.tolist() == [[1, 1, 0], [0, 1, 0], [1, 0, 2]]


def test_the_bundled_multi_class_table_opens_as_k_classes(window):
    assert data_actions.open_sample(window, "iris.csv")
    s = window.session
    assert s.dataset.n_classes == 3 and s.network.sizes[-1] == 3
    assert list(s.model.classes) == ["setosa", "versicolor", "virginica"]


def test_a_click_adds_a_point_of_the_chosen_class(blobs):
    w, s = blobs, blobs.session
    plot = w.boundary_plot
    assert plot.class_combo.isVisibleTo(w) and plot.class_combo.count() == 4
    assert plot._class_label.isVisibleTo(w) and "class" in plot._class_label.text()
    n = s.dataset.n_samples
    plot.class_combo.setCurrentIndex(2)
    plot.click_at(0.5, -0.5)
    assert s.dataset.n_samples == n + 1 and s.dataset.y[-1] == 2.0
    with pytest.raises(Exception, match="whole number from 0 to 3"):
        s.add_point(0.0, 0.0, 4.0)
    s.set_data(dataset="circle")
    assert not plot.class_combo.isVisibleTo(w) and not plot._class_label.isVisibleTo(w)


def test_step_through_explains_softmax_row_by_row_and_its_jacobian():
    from nnviz.core import activations
    from nnviz.experiment import Config, build
    from nnviz.explain.index_form import index_form
    exp = build(Config(dataset="blobs3", hidden=[4]))
    stages = {st.name: st for st in exp.trainer.stage_step()}
    soft = stages["activation2.forward"]
    assert "row by row" in soft.notes[0] and soft.shapes == ["[10×3] → [10×3]"]
    z = np.asarray(soft.operands["Z⁽²⁾"])[2]
    lines = index_form(soft, 2)
    total = float(np.exp(z).sum())
    assert lines[1].endswith(f"= {total:.4g}")
    back = index_form(stages["loss.backward"], 2)
    yh = np.asarray(stages["loss.backward"].operands["ŷ"])[2]
    J = activations.softmax_jacobian(yh)
    # Under "sample 3:" a subscript is a class, as in the forward operations (ŷ₃ was
    # sample 3's row here, class 3 in the softmax just before).
    assert back[0].startswith("sample 3: ŷ = (")
    assert back[1].startswith("∂ŷ/∂z = diag(ŷ) − ŷŷᵀ (3×3")
    first_row = [float(v.replace("−", "-")) for v in back[2].strip(" []").split(", ")]
    np.testing.assert_allclose(first_row, J[0], rtol=1e-3)
    assert back[5].startswith("∂e/∂ŷ = −y/ŷ") and "the Jacobian cancels" in back[6]
    assert back[7].startswith("δ₁ = ŷ₁ − y₁ = ")


@pytest.mark.parametrize("size", [(1024, 700), (1400, 900), (1920, 1080)],
                         ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize("table", ["iris.csv", None])
def test_every_count_and_class_name_of_the_classes_panel_shows_whole(window, qtbot, size, table):
    """The two matrices sit side by side only when their counts and column names fit; else
    one above the other (at 1024 px side by side, iris's counts read "…", the diagonal too)."""
    window.resize(*size)
    if table:
        data_actions.open_sample(window, table)
    else:
        window.session.set_data(dataset="blobs4")
    window.docks["Classes"].raise_()
    window.session.step_epoch()
    qtbot.waitUntil(lambda: window.confusion_panel.train.table.isVisible())
    qtbot.wait(50)
    panel = window.confusion_panel
    names = [f"→ {c}" for c in window.session.model.classes] + ["%"]
    for m in (panel.train, panel.test):
        t = m.table
        fm = t.fontMetrics()
        for j in range(t.columnCount()):
            width = t.columnWidth(j)
            head = t.horizontalHeaderItem(j).text()
            assert head == names[j]
            # Whole from 1400 px; at 1024 a long name is elided ("→ ve…"), whole in its tooltip.
            fits = t.horizontalHeader().fontMetrics().horizontalAdvance(head) <= width - 4
            assert fits or size[0] < 1400, (head, width)
            for i in range(t.rowCount()):
                text = t.item(i, j).text()
                assert fm.horizontalAdvance(text) <= width - 4, (m.split, i, j, text, width)
        assert t.horizontalScrollBar().maximum() == 0
        assert t.horizontalHeader().textElideMode() == Qt.TextElideMode.ElideRight
    side_by_side = panel.test.geometry().top() == panel.train.geometry().top()
    assert side_by_side == (panel.width() >= 2 * panel.train.least_width())


def test_ten_classes_in_a_narrow_dock_show_every_count_whole(qtbot, tmp_path):
    """Ten classes in the 280 px Classes dock of a 1024×700 window: the columns shrank to
    22 px and two-digit counts, the bold diagonal's above all, read "…". Every column is now
    as wide as its widest count needs (the table scrolls sideways instead)."""
    from PySide6.QtGui import QFont, QFontMetrics
    from PySide6.QtWidgets import QStyle
    from nnviz.data import csvdata
    from ui.confusion import ConfusionPanel
    from ui.session import Session

    rng = np.random.default_rng(0)
    names = [f"a long class name {k}" for k in range(10)]    # (their row names take room)
    rows = [f"{np.cos(k) * 4 + rng.normal():.3f},{np.sin(k) * 4 + rng.normal():.3f},{n}"
            for k, n in enumerate(names) for _ in range(60)]
    path = tmp_path / "ten.csv"
    path.write_text("a,b,kind\n" + "\n".join(rows) + "\n", encoding="utf-8")
    s = Session()
    s.set_dataset(csvdata.load_dataset(path, "kind"))
    for _ in range(3):
        s.step_epoch()
    panel = ConfusionPanel(s)
    qtbot.addWidget(panel)
    panel.resize(287, 231)
    panel.show()
    qtbot.waitExposed(panel)
    panel._on_changed()
    t = panel.train.table
    bold = QFont(t.font())
    bold.setBold(True)
    margin = 2 * (t.style().pixelMetric(QStyle.PixelMetric.PM_FocusFrameHMargin, None, t) + 1)
    counts = panel.train.counts
    assert counts.shape == (10, 10) and counts.max() >= 10      # (two-digit counts)
    assert t.horizontalScrollBar().maximum() > 0                 # (the case: a narrow dock)
    for j in range(10):
        for i in range(10):
            text = t.item(i, j).text()
            assert text == str(int(counts[i, j]))
            # (the room the view's delegate elides a cell's text to)
            room = t.visualRect(t.model().index(i, j)).width() - margin
            assert QFontMetrics(bold).horizontalAdvance(text) <= room, (i, j, text, room)
    s.shutdown()


def test_the_colour_bar_names_every_class(qtbot, session):
    """pyqtgraph leaves out a label that sticks out of its axis: the colour bar's fixed 44 px
    showed no class name at all for iris ("setosa" needs 47). The axis is as wide as the
    widest name needs (up to a limit, longer names elided)."""
    from PySide6.QtGui import QImage, QPainter
    from nnviz.data import csvdata
    from ui import data_actions
    from ui.boundary_view import KEY_MAX_WIDTH, BoundaryPlot

    plot = BoundaryPlot(session)
    qtbot.addWidget(plot)
    plot.resize(500, 450)
    plot.show()
    qtbot.waitExposed(plot)

    def drawn():
        image = QImage(4, 4, QImage.Format.Format_ARGB32)
        painter = QPainter(image)
        try:
            return [text for _, _, text in plot.colorbar.axis.generateDrawSpecs(painter)[2]]
        finally:
            painter.end()

    session.set_dataset(csvdata.load_dataset(data_actions.DATASETS / "iris.csv", "species"))
    assert drawn() == ["setosa", "versicolor", "virginica"]
    long = [f"class {k} with a name far too long to fit" for k in range(3)]
    plot._set_colorbar(None, ("classes", tuple(long)))
    qtbot.wait(10)                                   # (laid out at its new width)
    shown = drawn()
    assert len(shown) == 3 and all(t.endswith("…") and n.startswith(t[:-1])
                                   for t, n in zip(shown, long))
    assert plot.colorbar.axis.width() <= KEY_MAX_WIDTH
    session.set_data(dataset="circle")               # a probability again: the usual width
    assert drawn() == ["0", "0.5", "1"] and plot.colorbar.axis.width() == 44


def test_tab_leaves_the_classes_table(window):
    """The counts table took Tab to walk its cells, 30 presses and never out of it."""
    from PySide6.QtWidgets import QTableWidget
    tables = window.confusion_panel.findChildren(QTableWidget)
    assert len(tables) == 2 and not any(t.tabKeyNavigation() for t in tables)


def test_a_weight_edited_by_hand_on_k_classes_updates_the_readouts(window):
    """The readouts compute the losses again with an edited weight; on iris (one-hot targets)
    that raised a ValueError (broadcasting (30,1) against (10,3)) and they kept the old ones."""
    from nnviz.explain.readout import batch_loss, mean_loss
    from ui import data_actions

    assert data_actions.open_sample(window, "iris.csv")
    s = window.session
    s.step_epoch()
    before = window.status_label.text()
    s.set_weight(0, 0, 0, 3.0)
    tr = s.trainer
    rows = tr.last_batch
    assert f"batch loss {batch_loss(tr.network, tr.loss, *rows):.4f}" in window.status_label.text()
    assert "(edited weights)" in window.status_label.text() and window.status_label.text() != before
    assert np.isfinite(mean_loss(tr.network, tr.loss, tr.X, tr.y))
