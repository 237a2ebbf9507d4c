"""The app's controls for the learning-rate schedule and early stopping: the Hyperparameters
panel sets them, shows the η in use, marks the best epoch on the loss chart, and when early
stopping ends the run Play pauses and the status bar says why and which weights came back."""
import numpy as np
from PySide6.QtCore import Qt

from nnviz.core.early_stopping import NEEDS_TEST_SET
from nnviz.experiment import Config, build
from ui.model import AppModel
from ui.session import SPEEDS

OVERFIT = dict(dataset="circle", noise=0.5, hidden=[32], lr=0.3, seed=0)


def test_the_schedule_box_sets_the_schedule_and_the_eta_label_follows(window, qtbot, warnings):
    panel, s = window.hyper_panel, window.session
    s.set_lr(0.2)
    panel.schedule.setEditText("step:1:0.5")
    panel.schedule.lineEdit().editingFinished.emit()
    assert s.config.lr_schedule == "step:1:0.5"
    assert panel.eta.text() == "0.2  (epoch 0)"
    s.step_epoch()
    s.step_epoch()
    assert panel.eta.text() == "0.05  (epoch 2)"
    s.step_operation()                       # the step-through's update shows the same η
    while s.stages[-1].phase != "update":
        s.step_operation()
    assert s.stages[-1].info["lr"] == 0.05
    edit = panel.schedule.lineEdit()
    edit.selectAll()
    qtbot.keyClicks(edit, "step:0")
    qtbot.keyClick(edit, Qt.Key_Return)
    assert warnings and "step length" in warnings[-1]
    assert s.config.lr_schedule == "step:1:0.5" and panel.schedule.currentText() == "step:1:0.5"
    assert "cosine" in panel.schedule.toolTip() and "η₀" in panel.schedule.toolTip()


def test_early_stopping_needs_a_test_set_in_the_app(window, warnings):
    s = window.session
    s.set_data(test_ratio=0.0)
    window.hyper_panel.early.setValue(5)
    assert warnings == [NEEDS_TEST_SET]
    assert s.config.early_stopping == 0 and window.hyper_panel.early.value() == 0


def test_an_early_stop_pauses_play_marks_the_best_epoch_and_says_why(window, qtbot):
    s = window.session
    s.set_data(dataset="circle", noise=0.5, seed=0)
    s.set_hidden([32])
    s.set_lr(0.3)
    window.hyper_panel.early.setValue(3)
    assert s.config.early_stopping == 3
    s.set_speed(len(SPEEDS) - 1)            # as fast as possible
    window.actionPlay.trigger()
    qtbot.waitUntil(lambda: not s.playing, timeout=20000)
    stop = s.trainer.stopped
    assert stop is not None
    text = window.statusBar().currentMessage()
    assert text.startswith(f"Stopped early at epoch {stop.epoch}")
    assert f"the weights of epoch {stop.best_epoch}" in text
    line = window.loss_plot.best_line
    assert line.isVisible() and line.value() == stop.best_epoch
    # the restored weights are those of the best epoch: the engine's run to it agrees
    assert np.array_equal(s.network.params, s.trainer.early.best_params)
    # Play again goes on from them; the stop is cleared
    s.step_batch()
    assert s.trainer.stopped is None and s.trainer.step_count > 0


def test_the_model_reports_a_stop_once_without_qt():
    m = AppModel(Config(**OVERFIT, early_stopping=2))
    told = []
    m.events.connect("stopped", told.append)
    for _ in range(200):
        m.step_epoch()
        if m.trainer.stopped:
            break
    assert len(told) == 1 and told[0].startswith("stopped early at epoch")
    m.after_steps(m.trainer.epoch_count)
    assert len(told) == 1
    plain = build(Config(**OVERFIT))
    for _ in range(m.trainer.stopped.best_epoch):
        plain.trainer.epoch()
    assert m.network.params.tobytes() == plain.network.params.tobytes()
