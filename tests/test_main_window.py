"""The main window's contract: actions, the live parameter count, stepping, play and export."""
import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel

from nnviz.io import weights_io
from nnviz.cli.main import main as cli_main
from nnviz.experiment import build
from ui import dialogs
from ui.main_window import MainWindow
from ui.plot_base import on_screen
from ui.session import default_config


def count_text(w) -> str:
    return w.findChild(QLabel, "paramCountLabel").text()


def test_contract_names_exist(window):
    from PySide6.QtGui import QAction
    from PySide6.QtWidgets import QWidget
    for name in ("actionPlay", "actionStepOperation", "actionStepBatch", "actionStepEpoch",
                 "actionReset", "actionReinitialize", "actionAddNeuron", "actionRemoveNeuron",
                 "actionExportWeights"):
        assert window.findChild(QAction, name) is not None, name
    assert window.findChild(QAction, "actionPlay").isCheckable()
    for name in ("networkView", "boundaryPlot", "lossPlot", "heatmapPanel", "paramCountLabel", "stepPanel"):
        assert window.findChild(QWidget, name) is not None, name


def test_parameter_count_is_live(window):
    assert count_text(window) == "(p+1)·M + M + 1 = (2+1)·4 + 4 + 1 = 17"
    window.actionAddNeuron.trigger()
    assert count_text(window).endswith("= (2+1)·5 + 5 + 1 = 21")
    window.actionRemoveNeuron.trigger()
    window.actionRemoveNeuron.trigger()
    assert count_text(window).endswith("= (2+1)·3 + 3 + 1 = 13")
    window.data_panel.feature_boxes["x1^2"].setChecked(True)
    assert window.session.network.n_inputs == 3
    assert count_text(window).endswith("= (3+1)·3 + 3 + 1 = 16")
    window.data_panel.feature_boxes["x1"].setChecked(False)
    assert window.session.model.features == ["x2", "x1^2"]
    assert count_text(window).endswith("= (2+1)·3 + 3 + 1 = 13")


def test_a_new_formula_lays_out_nothing_else(window, qtbot, count_events):
    """The formula is shown whole, and a new one does not make the status bar (and through it
    the main window and its docks) lay out again unless it needs more room or much less."""
    from PySide6.QtCore import QEvent

    label, bar = window.param_count_label, window.statusBar()
    window.actionAddNeuron.trigger()      # (the first change after the window shows lays out
    window.actionRemoveNeuron.trigger()   # docks that were waiting for it)
    qtbot.wait(1)
    requests = count_events(QEvent.Type.LayoutRequest, bar)
    widths = []
    for action in (window.actionAddNeuron, window.actionRemoveNeuron):
        qtbot.wait(1)
        requests.n = 0
        action.trigger()                          # "= 21" then "= 17": the same room
        qtbot.wait(1)
        assert requests.n == 0, action.objectName()
        assert label.sizeHint().width() <= label.width()
        widths.append(label.width())
    assert widths[0] == widths[1]
    for _ in range(3):
        window.actionAddLayer.trigger()           # a much longer formula: more room
    qtbot.wait(1)
    assert label.sizeHint().width() <= label.width() and label.width() > widths[0]
    for _ in range(3):
        window.actionRemoveLayer.trigger()        # back to one layer: it gives it back
    qtbot.wait(1)
    assert label.width() == widths[0]


def test_add_neuron_keeps_weights_that_still_apply(window):
    before = window.session.network.get_weights()
    window.actionAddNeuron.trigger()
    after = window.session.network.get_weights()
    np.testing.assert_array_equal(after[0][0][:, :4], before[0][0])
    np.testing.assert_array_equal(after[1][0][:4], before[1][0])
    np.testing.assert_array_equal(after[1][1], before[1][1])


def test_step_batch_matches_the_engine(window):
    exp = build(default_config())
    for _ in range(3):
        window.actionStepBatch.trigger()
        exp.trainer.step()
    np.testing.assert_array_equal(window.session.network.params, exp.network.params)
    assert window.session.trainer.step_count == 3
    assert "step 3" in window.status_label.text()


def test_the_readouts_give_the_batch_loss_of_the_step_under_way(window, qtbot):
    """Stepping operation by operation, the status bar and the loss chart's readout give the
    batch loss the loss operation shows (they kept the last finished step's: E = 0.891 in the
    step-through beside 0.6959 in the status bar until the update)."""
    from ui.loss_view import _num

    for _ in range(3):
        window.actionStepBatch.trigger()
    last = window.session.trainer.last_loss
    status, readout = window.status_label, window.loss_plot.readout
    assert "step 3   batch loss" in status.text()
    for _ in range(4):                                   # the forward pass of step 4
        window.actionStepOperation.trigger()
    assert "step 4 under way   batch loss –" in status.text()
    window.actionStepOperation.trigger()                 # its loss
    E = float(window.session.stages[-1].results["E"])
    assert window.session.stages[-1].name == "loss.forward" and E != last
    assert f"step 4 under way   batch loss {E:.4f}" in status.text()
    window.docks["Loss"].raise_()              # (a chart behind a tab is drawn when shown)
    qtbot.waitUntil(lambda: on_screen(window.loss_plot))
    assert readout.text().startswith(f"batch loss {_num(E)} · ")
    for _ in range(5):                                   # … to its update
        window.actionStepOperation.trigger()
    assert not window.session.step_in_progress
    assert f"step 4   batch loss {E:.4f}" in status.text()
    assert readout.text().startswith(f"batch loss {_num(E)} · ")


def test_step_operation_walks_the_stages_in_order(window):
    expected = ["dense1.forward", "activation1.forward", "dense2.forward", "activation2.forward",
                "loss.forward", "loss.backward", "dense2.backward", "activation1.backward",
                "dense1.backward", "update"]
    before = window.session.network.params.copy()
    seen = []
    window.session.stageChanged.connect(lambda st: seen.append(st.name if st else None))
    for k, name in enumerate(expected):
        window.actionStepOperation.trigger()
        if name != "update":
            np.testing.assert_array_equal(window.session.network.params, before)
    assert seen == expected
    exp = build(default_config())
    exp.trainer.step()
    np.testing.assert_array_equal(window.session.network.params, exp.network.params)
    # Previous shows recorded stages again and changes nothing.
    params = window.session.network.params.copy()
    window.actionPreviousOperation.trigger()
    assert seen[-1] == "dense1.backward"
    np.testing.assert_array_equal(window.session.network.params, params)
    window.actionStepOperation.trigger()
    assert seen[-1] == "update" and window.session.trainer.step_count == 1
    window.actionStepOperation.trigger()  # the next step begins
    assert seen[-1] == "dense1.forward" and len(window.session.stages) == 1


def test_play_runs_and_pause_stops_within_one_tick(window, qtbot):
    s = window.session
    window.actionPlay.trigger()
    assert window.actionPlay.isChecked() and s.playing
    qtbot.waitUntil(lambda: s.trainer.step_count > 50, timeout=5000)
    window.actionPlay.trigger()
    assert not s.playing and not window.actionPlay.isChecked()
    steps = s.trainer.step_count
    qtbot.wait(100)
    assert s.trainer.step_count == steps


def test_space_toggles_play(window, qtbot):
    qtbot.keyClick(window, Qt.Key_Space)
    assert window.session.playing
    qtbot.keyClick(window, Qt.Key_Space)
    assert not window.session.playing


def test_reset_restores_the_same_run(window):
    s = window.session
    first = s.network.params.copy()
    for _ in range(5):
        window.actionStepBatch.trigger()
    after5 = s.network.params.copy()
    window.actionReset.trigger()
    np.testing.assert_array_equal(s.network.params, first)
    assert s.trainer.step_count == 0
    for _ in range(5):
        window.actionStepBatch.trigger()
    np.testing.assert_array_equal(s.network.params, after5)
    window.actionReinitialize.trigger()
    assert not np.array_equal(s.network.params, first)


def test_export_writes_json_that_info_reads(window, tmp_path, monkeypatch, capsys):
    path = tmp_path / "trained.json"
    monkeypatch.setattr(dialogs, "ask_save_path", lambda *a, **k: str(path))
    window.actionStepEpoch.trigger()
    window.actionExportWeights.trigger()
    model = weights_io.load(path)
    np.testing.assert_array_equal(model.network.params, window.session.network.params)
    assert cli_main(["info", str(path)]) == 0
    assert "= 17" in capsys.readouterr().out


def test_screenshot_after_training_is_not_blank(window, tmp_path):
    for _ in range(30):
        window.actionStepEpoch.trigger()
    path = tmp_path / "window.png"
    assert window.grab().save(str(path))
    img = window.grab().toImage()
    colours = {img.pixel(x, y) for x in range(0, img.width(), 7) for y in range(0, img.height(), 7)}
    assert len(colours) > 50
    assert path.stat().st_size > 20_000


def test_layout_is_remembered(qtbot):
    w = MainWindow()
    qtbot.addWidget(w)
    w.show()
    w.docks["Loss"].hide()
    w.close()
    w2 = MainWindow()
    qtbot.addWidget(w2)
    w2.show()
    try:
        assert not w2.docks["Loss"].isVisible() and w2.docks["Output"].isVisible()
        w2.docks["Loss"].show()
    finally:
        w2.close()


def test_bad_learning_rate_is_refused_with_a_message(window, monkeypatch):
    from PySide6.QtWidgets import QMessageBox
    shown = []
    monkeypatch.setattr(QMessageBox, "warning", lambda *a, **k: shown.append(a[2]))
    window.hyper_panel.lr.setCurrentText("-5")
    window.hyper_panel._lr_edited()
    assert shown and "learning rate" in shown[0]
    assert window.session.trainer.lr == 0.03
    window.hyper_panel.lr.setCurrentText("0.1")
    window.hyper_panel._lr_edited()
    assert window.session.trainer.lr == 0.1


def test_views_behind_another_tab_wait_until_shown(window, qtbot, monkeypatch):
    """A dock tab behind another costs no work per step; shown again it draws the latest state."""
    from ui.heatmaps import HeatmapPanel
    from ui.loss_view import LossPlot

    calls = {"heat": 0, "loss": 0}
    heat_update, loss_redraw = HeatmapPanel._update, LossPlot._redraw
    monkeypatch.setattr(HeatmapPanel, "_update",
                        lambda self: (calls.__setitem__("heat", calls["heat"] + 1), heat_update(self)))
    monkeypatch.setattr(LossPlot, "_redraw",
                        lambda self: (calls.__setitem__("loss", calls["loss"] + 1), loss_redraw(self)))
    w, s = window, window.session
    w.docks["Step through"].raise_()
    w.docks["Insights"].raise_()
    qtbot.waitUntil(lambda: not on_screen(w.heatmap_panel) and not on_screen(w.loss_plot))
    calls.update(heat=0, loss=0)
    for _ in range(3):
        s.step_epoch()
    assert calls == {"heat": 0, "loss": 0}
    image = w.heatmap_panel.images["W1"].image
    assert not np.array_equal(image, s.network.dense[0].W)    # not drawn while hidden
    w.docks["Heatmaps"].raise_()
    w.docks["Loss"].raise_()
    qtbot.waitUntil(lambda: on_screen(w.heatmap_panel) and on_screen(w.loss_plot))
    assert calls == {"heat": 1, "loss": 1}
    np.testing.assert_array_equal(w.heatmap_panel.images["W1"].image, s.network.dense[0].W)
    x, y = w.loss_plot.train_curve.getOriginalDataset()
    np.testing.assert_array_equal(y, s.trainer.history.train_loss)
    assert len(x) == s.trainer.epoch_count + 1 == 4   # epoch 0, then three epochs


def test_a_dark_desktop_still_gets_the_light_window_the_views_are_drawn_for(
        qapp, qtbot, tmp_path, started_in_process):
    """The plots, the network canvas and the heatmaps are coloured for white (their colour maps
    fade to white at 0). A desktop in dark mode handed the app a dark palette: the docks went
    dark around white plots, and the network's "1 hidden layer" and "4 neurons", written dark,
    stood on a dark ground. Started as a user starts it, the app asks for the light scheme,
    and takes its style's light palette where the platform still gives a dark one."""
    from PySide6.QtGui import QColor, QPalette

    saved = qapp.palette()
    dark = QPalette()
    for role, colour in ((QPalette.ColorRole.Window, "#2b2b2b"), (QPalette.ColorRole.WindowText, "#e0e0e0"),
                         (QPalette.ColorRole.Base, "#1e1e1e"), (QPalette.ColorRole.Text, "#e0e0e0"),
                         (QPalette.ColorRole.Button, "#353535"), (QPalette.ColorRole.ButtonText, "#e0e0e0")):
        dark.setColor(role, QColor(colour))
    qapp.setPalette(dark)        # what a dark desktop's platform theme does
    try:
        env = {"XDG_DATA_HOME": str(tmp_path / "data"), "XDG_CONFIG_HOME": str(tmp_path / "config")}
        w = started_in_process(env)
        qtbot.waitExposed(w)
        palette = w.palette()
        assert palette.color(QPalette.ColorRole.Window).lightness() > 200
        assert palette.color(QPalette.ColorRole.WindowText).lightness() < 80
        assert palette.color(QPalette.ColorRole.Base).lightness() > 200
        # The header's words are dark on a light ground.
        controls = w.network_view.findChildren(QLabel)
        label = next(lab for lab in controls if lab.text().endswith("neurons"))
        image = w.grab().toImage()
        corner = label.mapTo(w, label.rect().topLeft())
        assert QColor(image.pixel(corner.x(), corner.y())).lightness() > 200
    finally:
        qapp.setPalette(saved)


def test_about_names_the_version_and_what_the_app_draws(window):
    import nnviz

    window.show_about()
    box = window._about_box
    try:
        text = box.text()
        assert f"version {nnviz.__version__}" in text
        assert "six hidden layers" in text and "K classes" in text and "p→M→1" in text
    finally:
        box.close()


def test_menu_entries_are_enabled_only_when_they_can_act(window):
    """Train › − at one unit, + at the most, File › Clear points with none, Previous operation
    before any, Pin run before an epoch: each was enabled and, chosen, only said why not."""
    w, s = window, window.session
    assert not w.actionClearPoints.isEnabled() and not w.actionPreviousOperation.isEnabled()
    assert not w.actionPinRun.isEnabled()
    s.set_hidden([1])
    assert not w.actionRemoveNeuron.isEnabled() and w.actionAddNeuron.isEnabled()
    s.set_hidden([32])
    assert w.actionRemoveNeuron.isEnabled() and not w.actionAddNeuron.isEnabled()
    s.set_hidden([4])
    s.step_operation()
    assert not w.actionPreviousOperation.isEnabled()
    s.step_operation()
    assert w.actionPreviousOperation.isEnabled()
    s.step_epoch()
    assert w.actionPinRun.isEnabled()
    s.add_point(0.5, 0.5, 1.0)
    assert w.actionClearPoints.isEnabled()


def test_the_train_menu_names_its_entries_and_ctrl_plus_adds_a_unit(window, qtbot):
    from PySide6.QtGui import QAction
    from PySide6.QtTest import QTest

    texts = [a.text() for a in (window.actionAddNeuron, window.actionRemoveNeuron,
                                window.actionAddLayer, window.actionRemoveLayer)]
    assert texts == ["Add a hidden unit", "Remove a hidden unit", "Add a hidden layer",
                     "Remove a hidden layer"]                          # (they read +, −, + layer)
    assert len(window.findChildren(QAction, "actionExportHistory")) == 1   # (two entries did it)
    window.network_view.setFocus()
    qtbot.waitUntil(window.network_view.hasFocus)
    QTest.keyClick(window.network_view, Qt.Key.Key_Plus, Qt.KeyboardModifier.ControlModifier)
    assert window.session.network.sizes == [2, 5, 1]
    assert [b.text() for b in (window.network_view._controls[0].add,
                               window.network_view._controls[0].remove)] == ["+", "−"]


def test_every_menu_entry_says_what_it_does(window):
    """A status tip (the status bar's line while the pointer is on the entry) that is not just
    the entry's own words: Quit, the View menu's panels, Restore default layout, About and
    three submenus had none."""
    def entries(menu):
        for action in menu.actions():
            if action.isSeparator():
                continue
            yield action
            if action.menu() is not None and action.menu().objectName() != "menuRecentSessions":
                yield from entries(action.menu())

    menus = [a.menu() for a in window.menuBar().actions()]   # (not its » overflow menu)
    assert [m.title() for m in menus] == ["&File", "&Edit", "&Train", "&View", "&Help"]
    missing = [a.text() for m in menus for a in entries(m)
               if not a.statusTip() or a.statusTip().replace("&", "") == a.text().replace("&", "")]
    assert missing == []
    for box in (window.boundary_plot._header.findChildren(type(window.data_panel.standardize_target))
                + window.loss_plot._header.findChildren(type(window.data_panel.standardize_target))):
        assert box.toolTip(), box.text()         # Discretize output and Log scale had none
