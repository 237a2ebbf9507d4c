"""The main window's layout at every size from 1024×700 up: nothing clipped, overlapped or
hidden behind an overflow or a horizontal scroll bar, at a first launch (no remembered layout)."""
import pytest
from PySide6.QtCore import QRect, QSettings, QSize, Qt
from PySide6.QtGui import QFontMetrics
from PySide6.QtWidgets import QToolBar

from ui.main_window import MainWindow

SIZES = [(1024, 700), (1400, 900), (1920, 1080), (3840, 2160)]


@pytest.fixture
def first_launch(qtbot, kept_layout):
    """make(w, h) → a main window shown at w×h with no remembered layout."""
    made = []

    def make(w, h):
        QSettings("nnviz", "nnviz").clear()
        win = MainWindow()
        qtbot.addWidget(win)
        win.resize(w, h)
        win.show()
        qtbot.waitExposed(win)
        qtbot.wait(50)
        made.append(win)
        return win

    yield make
    for win in made:
        win.session.shutdown()
        win.close()


def in_window(win, widget) -> QRect:
    return QRect(widget.mapTo(win, widget.rect().topLeft()), widget.size())


def shown_docks(win):
    return {name: d for name, d in win.docks.items()
            if d.isVisible() and not d.visibleRegion().isEmpty()}


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_layout_at_first_launch(first_launch, qtbot, size):
    w = first_launch(*size)
    assert w.size() == QSize(*size)
    # The parameter formula: shown whole, never in a toolbar's overflow.
    label = w.param_count_label
    assert label.text() == "(p+1)·M + M + 1 = (2+1)·4 + 4 + 1 = 17"
    assert label.isVisible() and not label.visibleRegion().isEmpty()
    assert label.sizeHint().width() <= label.width()
    assert not any(t.isAncestorOf(label) for t in w.findChildren(QToolBar))
    assert in_window(w, label).right() < w.width()
    # No horizontal scroll bar in the settings panels (from 1400×900 up; at 1024×700 too).
    for name in ("Data", "Hyperparameters"):
        area = w.docks[name].widget()
        assert not area.horizontalScrollBar().isVisible(), name
        assert area.widget().width() >= area.widget().minimumSizeHint().width(), name
    if size[1] >= 900:   # the data panel is seen whole at first launch
        assert not w.docks["Data"].widget().verticalScrollBar().isVisible()
    # Docks do not overlap one another, and stay inside the window.
    for tab in ("Heatmaps", "Step through"):
        w.docks[tab].raise_()
        qtbot.waitUntil(lambda: not w.docks[tab].visibleRegion().isEmpty())
        qtbot.wait(20)
        docks = shown_docks(w)
        assert {"Data", "Hyperparameters", "Output", "Loss", tab} <= set(docks)
        rects = {n: in_window(w, d) for n, d in docks.items()}
        names = sorted(rects)
        for i, a in enumerate(names):
            assert w.rect().contains(rects[a]), (a, rects[a])
            for b in names[i + 1:]:
                assert not rects[a].intersects(rects[b]), (a, rects[a], b, rects[b])
        assert not rects["Output"].intersects(in_window(w, w.centralWidget()))
    # Step through, in front, has at least a third of the window's height.
    step = w.docks["Step through"]
    qtbot.waitUntil(lambda: step.height() >= w.height() / 3)
    assert step.height() >= w.height() / 3
    # The side columns share the width: more room than their controls need from 1400 px.
    if size[0] >= 1400:
        assert w.docks["Data"].width() >= 0.15 * min(size[0], 2400)
        assert w.docks["Output"].width() >= 0.25 * size[0]


def test_docks_keep_their_share_when_the_window_grows(first_launch, qtbot):
    w = first_launch(1400, 900)
    before = {n: (d.width(), d.height()) for n, d in w.docks.items() if n in ("Data", "Output")}
    heat = w.docks["Heatmaps"].height()
    w.resize(1580, 980)
    qtbot.waitUntil(lambda: w.docks["Heatmaps"].height() > heat)
    assert w.docks["Data"].width() > before["Data"][0]
    assert w.docks["Output"].width() > before["Output"][0]
    assert w.docks["Output"].width() / 1580 == pytest.approx(before["Output"][0] / 1400, abs=0.02)
    assert w.docks["Heatmaps"].height() > heat
    w.docks["Step through"].raise_()
    qtbot.waitUntil(lambda: w.docks["Step through"].height() >= 980 / 3)


def test_loss_readout_fits_or_elides_with_the_whole_text_in_its_tooltip(first_launch, qtbot):
    w = first_launch(1024, 700)
    readout = w.loss_plot.readout
    w.session.step_epoch()
    qtbot.wait(20)
    fm = readout.fontMetrics()
    text = readout.text()
    assert text.startswith("batch loss ") and " · epoch 1 · epoch mean " in text
    if fm.horizontalAdvance(text) <= readout.width():
        assert not readout.is_elided()
    # A long readout (the regression one with RMSE, or a narrow dock) is elided, not clipped.
    readout.set_runs([("epoch 581 · loss 0.123 0.145 · R² 0.912 0.900 · RMSE 0.351 0.381 " * 2,
                       None)])
    assert readout.is_elided()
    assert readout.toolTip().startswith(readout.text())
    assert readout.toolTip().endswith("Training values, then test values (orange)")
    readout.set_runs([("epoch 2", None)])
    assert not readout.is_elided()
    assert readout.toolTip() == "Training values, then test values (orange)"


@pytest.mark.parametrize("size", SIZES[:3], ids=lambda s: f"{s[0]}x{s[1]}")
def test_a_long_output_title_elides_and_the_colour_bar_stays_in_view(first_launch, qtbot, size):
    """A table's long feature names made the Output plot's title wider than its dock: the plot
    grew past the viewport and the colour bar was cut off."""
    from ui import data_actions
    w = first_launch(*size)
    assert data_actions.open_sample(w, "breast_cancer.csv")
    qtbot.wait(50)
    view = w.boundary_plot
    plot = view.getPlotItem()
    width = view.viewport().width()
    assert plot.geometry().width() <= width + 0.5
    bar = view.colorbar.mapRectToScene(view.colorbar.boundingRect())
    assert bar.right() <= width + 0.5
    title = view.title.text
    assert title.startswith("P(malignant) over (worst concave points, mean area)")
    shown = plot.titleLabel.text
    if shown != title:          # elided: the whole title is in the tooltip
        assert shown.endswith("…") and title.startswith(shown[:-1])
        assert plot.titleLabel.toolTip() == title
    assert plot.titleLabel.geometry().width() <= plot.getViewBox().width() + 0.5


def test_a_remembered_layout_is_not_brought_back_at_another_size(qtbot, kept_layout):
    QSettings("nnviz", "nnviz").clear()
    w = MainWindow()
    qtbot.addWidget(w)
    w.resize(1024, 700)
    w.show()
    qtbot.waitExposed(w)
    w.resizeDocks([w.docks["Data"]], [600], Qt.Horizontal)   # a layout squeezed by hand, then saved
    qtbot.wait(20)
    w.session.shutdown()
    w.close()
    w2 = MainWindow()
    qtbot.addWidget(w2)
    w2.resize(1920, 1080)
    w2.show()
    qtbot.waitExposed(w2)
    qtbot.wait(50)
    try:
        assert w2.docks["Data"].width() == pytest.approx(0.17 * 1920, abs=12)
        assert w2.docks["Output"].width() == pytest.approx(0.28 * 1920, abs=12)
    finally:
        w2.session.shutdown()
        w2.close()


def _bars_in_window(win):
    from PySide6.QtWidgets import QTabBar
    return [(tuple(bar.tabText(i) for i in range(bar.count())), in_window(win, bar))
            for bar in win.findChildren(QTabBar)
            if bar.isVisible() and in_window(win, bar).intersects(win.rect())]


@pytest.mark.parametrize("size", SIZES[:2], ids=lambda s: f"{s[0]}x{s[1]}")
def test_each_tab_group_has_one_tab_bar_under_its_docks(qtbot, kept_layout, size):
    """Two tab groups show (Loss/Insights/Classes, Heatmaps/Step through): one bar each, at
    the bottom of its docks. Making the groups made spare bars, left shown until the event
    loop deleted them: a table opened before then (a scripted start) had them drawn over the
    settings. Here no event loop runs: only what the window makes and lays out counts."""
    from PySide6.QtWidgets import QApplication
    from ui import data_actions
    QSettings("nnviz", "nnviz").clear()
    w = MainWindow()
    qtbot.addWidget(w)
    w.resize(*size)
    w.show()
    app = QApplication.instance()
    try:
        for when in ("at launch", "with a table"):
            if when == "with a table":
                data_actions.open_sample(w, "breast_cancer.csv")
            for _ in range(5):
                app.processEvents()      # events and layouts, no deferred deletes
            bars = _bars_in_window(w)
            assert sorted(tabs for tabs, _ in bars) == [
                ("Heatmaps", "Step through"), ("Loss", "Insights", "Classes")], (when, bars)
            for tabs, rect in bars:
                group = in_window(w, w.docks[tabs[0]])
                assert abs(rect.top() - group.bottom()) <= 8, (when, tabs, rect, group)
                for name in ("Data", "Hyperparameters"):
                    assert not rect.intersects(in_window(w, w.docks[name])), (when, tabs, name)
    finally:
        w.session.shutdown()
        w.close()


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_a_tables_long_column_names_fit_the_data_panel(first_launch, qtbot, size):
    """The 30-input table's feature boxes ("mean fractal dimension") go one to a row when two
    do not fit: the panel is never wider than its dock, so nothing on its right is cut off."""
    from ui import data_actions
    w = first_launch(*size)
    panel, area = w.data_panel, w.docks["Data"].widget()
    toy = [cb.geometry() for cb in panel.feature_boxes.values()]
    assert toy[0].top() == toy[1].top() and toy[1].left() > toy[0].right()   # two columns
    data_actions.open_sample(w, "breast_cancer.csv")
    qtbot.wait(50)
    assert len(panel.feature_boxes) == 30
    viewport = area.viewport()
    assert panel.width() <= viewport.width()
    for cb in panel.feature_boxes.values():
        assert cb.mapTo(viewport, cb.rect().topRight()).x() < viewport.width(), cb.text()
        assert cb.width() >= cb.sizeHint().width(), cb.text()
    assert panel.table_label.mapTo(viewport, panel.table_label.rect().topRight()).x() \
        < viewport.width()
    panel.dataset.setCurrentText("circle")
    qtbot.wait(50)
    back = [cb.geometry() for cb in panel.feature_boxes.values()]
    assert back[0].top() == back[1].top() and back[1].left() > back[0].right()


@pytest.mark.parametrize("size", SIZES[1:], ids=lambda s: f"{s[0]}x{s[1]}")
def test_room_the_hyperparameters_do_not_need_goes_to_the_data_panel(first_launch, qtbot, size):
    """From 1400×900 up the Hyperparameters dock shows its whole panel and no more; the rest
    of the column is the Data dock's, where a table's feature boxes go (at 1920×1080 the
    Hyperparameters dock was 654 px tall for 316 px of fields, and the table showed 4 of its
    30 boxes)."""
    from ui import data_actions
    w = first_launch(*size)
    hyper, data = w.docks["Hyperparameters"], w.docks["Data"]
    area = hyper.widget()
    assert not area.verticalScrollBar().isVisible()
    assert area.viewport().height() - area.widget().sizeHint().height() <= 80
    assert data.height() > hyper.height()
    data_actions.open_sample(w, "breast_cancer.csv")
    qtbot.wait(50)
    viewport = data.widget().viewport()
    seen = [cb for cb in w.data_panel.feature_boxes.values()
            if not cb.visibleRegion().isEmpty()
            and cb.mapTo(viewport, cb.rect().bottomLeft()).y() < viewport.height()]
    assert len(seen) >= {1400: 7, 1920: 15, 3840: 30}[size[0]]


def test_a_tables_feature_boxes_are_laid_out_once(first_launch, qtbot, count_events):
    """Opening the 30-input table shows 28 more feature boxes: the boxes are placed once, not
    once per box shown (each shown box made Qt lay out every layout above it: 481 moves of the
    30 boxes here, 118 with their group box hidden while they change)."""
    from PySide6.QtCore import QEvent

    from ui import data_actions

    w = first_launch(1400, 900)
    panel = w.data_panel
    data_actions.open_sample(w, "breast_cancer.csv")     # makes the 30 boxes (not timed here)
    panel.dataset.setCurrentText("circle")
    qtbot.wait(10)
    boxes = list(panel._feature_pool)
    assert len(boxes) == 30
    moves = count_events(QEvent.Type.Move, *boxes)
    data_actions.open_sample(w, "breast_cancer.csv")
    qtbot.wait(10)
    assert all(cb.isVisible() for cb in boxes)
    assert boxes[1].geometry().top() > boxes[0].geometry().bottom()   # one to a row here
    assert moves.n <= 5 * len(boxes), moves.n


def test_a_feature_box_keeps_the_keyboard_focus_when_the_boxes_change(first_launch, qtbot):
    """The feature boxes change with the data (the table's 30, the toy data's 7); a box that
    has the keyboard focus and stays (the first, renamed) keeps it."""
    from ui import data_actions

    w = first_launch(1400, 900)
    panel = w.data_panel
    data_actions.open_sample(w, "breast_cancer.csv")
    qtbot.wait(10)
    first = panel.feature_boxes["mean radius"]
    first.setFocus()
    qtbot.waitUntil(first.hasFocus)
    w.actionUndo.trigger()                                  # back to the toy data
    qtbot.wait(10)
    assert list(panel.feature_boxes)[0] == "x1" and panel.feature_boxes["x1"] is first
    assert first.hasFocus()


@pytest.mark.parametrize("size", SIZES[:3], ids=lambda s: f"{s[0]}x{s[1]}")
def test_opening_the_guide_takes_its_room_from_the_canvas(first_launch, qtbot, size):
    """F1 widens the left column for the guide; the plots' column keeps its width (at 1024 px
    it lost 26 px, and the loss plot's right axis label was cut off)."""
    w = first_launch(*size)
    output = w.docks["Output"].width()
    w.actionGuide.trigger()
    qtbot.waitUntil(lambda: w.guide.dock.isVisible())
    qtbot.wait(50)
    assert abs(w.docks["Output"].width() - output) <= 2
    assert w.docks["Loss"].width() == w.docks["Output"].width()
    assert w.guide.dock.width() >= w.guide.dock.minimumSizeHint().width()
    assert w.guide.dock.width() >= (400 if size[0] >= 1400 else 330)
    docks = {n: in_window(w, d) for n, d in shown_docks(w).items()}
    docks["Guide"] = in_window(w, w.guide.dock)
    for name, rect in docks.items():
        assert w.rect().contains(rect), (name, rect)


@pytest.mark.parametrize("size", SIZES[:3], ids=lambda s: f"{s[0]}x{s[1]}")
def test_the_parameter_formula_of_a_deep_network_stays_in_view(first_launch, qtbot, size):
    """Six hidden layers: the whole formula is about 1,400 px wide. It ran past the window's
    edge at 1024 and took the status bar's whole width from the readout; now the status bar
    shows as much of it as fits beside the readout, the whole of it in the tooltip."""
    w = first_launch(*size)
    for _ in range(5):
        w.actionAddLayer.trigger()
    qtbot.wait(20)
    net = w.session.network
    formula, label = net.parameter_formula(), w.param_count_label
    assert len(net.hidden_sizes) == 6 and formula.endswith("= 117")
    assert in_window(w, w.statusBar()).contains(in_window(w, label))
    assert label.text().endswith("117") or label.text() == "117 parameters"
    assert w.status_label.width() >= 200          # room left for the running readout
    if label.text() != formula:
        assert label.toolTip().endswith("\n\n" + formula)
    fm = QFontMetrics(label.font())
    assert fm.horizontalAdvance(label.text()) <= label.contentsRect().width()
    # Back to one layer: the whole formula again, and its tooltip without it.
    for _ in range(5):
        w.actionRemoveLayer.trigger()
    assert label.text() == w.session.network.parameter_formula()
    assert "\n\n" not in label.toolTip()


@pytest.mark.parametrize("size", SIZES[:3], ids=lambda s: f"{s[0]}x{s[1]}")
def test_the_loss_axis_label_fits_along_its_axis(first_launch, qtbot, size):
    """A regression's "loss (standardized target units)" ran past both ends of the loss chart's
    left axis in the 1024×700 window's short Loss dock; it is elided to the axis's height."""
    w = first_launch(*size)
    w.actionSample_diabetes.trigger()
    w.docks["Loss"].raise_()
    qtbot.wait(30)
    axis = w.loss_plot.getPlotItem().getAxis("left")
    whole = "loss (standardized target units)"
    assert axis.label.isVisible()
    assert axis.label.boundingRect().width() <= axis.geometry().height()
    if axis.labelText != whole:
        assert axis.labelText.startswith("loss (") and axis.labelText.endswith("…")
        assert axis.toolTip().startswith(whole + "\n\n")
    else:
        assert not axis.toolTip().startswith(whole)
    if size == (1920, 1080):
        assert axis.labelText == whole


def test_the_axis_choices_elide_long_input_names(first_launch, qtbot):
    """At 1024×700 the Output plot's axis drop-downs cut "petal width (cm)" mid-letter; they end
    it in "…" and name the whole input in the tooltip."""
    from PySide6.QtGui import QImage
    from PySide6.QtWidgets import QComboBox, QStyle, QStyleOptionComboBox

    w = first_launch(1024, 700)
    w.actionSample_iris.trigger()
    qtbot.wait(30)
    plot = w.boundary_plot
    combo = plot.x_combo
    assert combo.isVisible() and combo.currentText() in w.session.model.inputs
    fm = combo.fontMetrics()
    assert combo.is_elided()
    assert combo.toolTip().startswith(combo.currentText() + "\n\nInput on the x axis")
    # It paints what a plain drop-down shows for the elided text.
    plain = QComboBox(combo.parentWidget())    # (the same palette, style and font)
    plain.resize(combo.size())
    opt = QStyleOptionComboBox()
    combo.initStyleOption(opt)
    room = combo.style().subControlRect(QStyle.ComplexControl.CC_ComboBox, opt,
                                        QStyle.SubControl.SC_ComboBoxEditField, combo).width()
    shown = fm.elidedText(combo.currentText(), Qt.TextElideMode.ElideRight, room)
    assert shown.endswith("…") and fm.horizontalAdvance(shown) <= room
    plain.addItem(shown)

    def picture(widget):
        image = QImage(widget.size(), QImage.Format.Format_ARGB32_Premultiplied)
        image.fill(Qt.GlobalColor.white)
        widget.render(image)
        return image

    assert picture(combo) == picture(plain)
    clipped = QComboBox(combo.parentWidget())     # what a plain one shows: the text cut off
    clipped.resize(combo.size())
    clipped.addItem(combo.currentText())
    assert picture(combo) != picture(clipped)
    # A name that fits is shown whole, with the tooltip alone.
    plot.resize(1600, plot.height())
    combo.resize(400, combo.height())
    assert not combo.is_elided()
    assert combo.toolTip().startswith("Input on the x axis")


@pytest.mark.parametrize("size", [(1024, 700), (1400, 900), (1920, 1080)])
def test_the_output_readout_keeps_room_beside_the_axis_choices(first_launch, qtbot, size):
    """On a 30-input table the axis drop-downs share the Output plot's header row with the
    readout. Left to the layout they took their widest names, and the readout (what the plot
    shows under the cursor) was 0 px wide at 1024×700 and 1400×900 and showed only the start
    of its place at 1920×1080. Now it keeps room for the value at every size, for the value
    and its place from 1920×1080; the drop-downs elide, asking for their widest names, and the
    row stays inside the plot."""
    from ui.boundary_controls import READOUT_HINT, READOUT_ROOM
    w = first_launch(*size)
    w.actionSample_breast_cancer.trigger()
    qtbot.wait(30)
    plot = w.boundary_plot
    readout, fm = plot.readout, plot.readout.fontMetrics()
    assert readout.width() >= fm.horizontalAdvance(READOUT_ROOM)
    if size[0] >= 1920:
        assert readout.width() >= fm.horizontalAdvance(READOUT_HINT)
    for combo in (plot.x_combo, plot.y_combo):
        assert combo.isVisible()
        widest = max(combo.fontMetrics().horizontalAdvance(combo.itemText(i))
                     for i in range(combo.count()))
        assert combo.sizeHint().width() > widest > combo.minimumSizeHint().width()
        assert combo.width() >= combo.minimumSizeHint().width()
    row = readout.parentWidget()
    assert readout.geometry().right() < row.width() <= plot.width()
    # What a hover shows: the value first, so an elided readout still shows it.
    g = w.session.grid()
    plot._mouse = (float(g.xs[50]), float(g.ys[50]))
    plot._update_readout()
    p = float(w.session.grid_outputs()[-1][50, 50, 0])
    assert readout.text() == f"p = {p:.3f} at ({g.xs[50]:.3g}, {g.ys[50]:.3g})"


def test_the_axis_choices_tooltips_follow_a_new_table(first_launch, qtbot):
    """The drop-downs are refilled with their signals blocked: a table opened after another
    one still names, in the tooltip, the input each one shows (it kept "petal width (cm)"
    over "worst concave points" when the box kept its width)."""
    w = first_launch(1024, 700)
    plot = w.boundary_plot
    for table in ("iris", "breast_cancer", "diabetes", "iris"):
        getattr(w, f"actionSample_{table}").trigger()
        qtbot.wait(30)
        for combo in (plot.x_combo, plot.y_combo):
            assert combo.currentText() in w.session.model.inputs
            tip = combo.toolTip()
            if combo.is_elided():
                assert tip.startswith(combo.currentText() + "\n\nInput on the "), (table, tip)
            else:
                assert tip.startswith("Input on the "), (table, tip)
