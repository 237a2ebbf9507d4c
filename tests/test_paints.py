"""A change is painted once: each plot shows a new dataset, a new network or a new table in a
single paint, and a plot whose axes did not change does not lay them out again.

pyqtgraph applies a new range when it next paints, and a wider tick label changes the layout
after that paint; either asked for another paint (two or three per change before). The views
settle both before the paint (``paint_cache.settle_now``), axes keep their drawing when given
the range they have (``SteadyAxis``), and labels are set only when they change."""
import os
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtCore import QEvent, QObject
from PySide6.QtGui import QImage, QPainter
from PySide6.QtWidgets import QWidget

from ui import data_actions
from ui.paint_cache import SteadyAxis, set_axis_label

ROOT = Path(__file__).resolve().parents[1]


class _Paints(QObject):
    """Counts paint events per watched widget."""

    def __init__(self, widgets: dict):
        super().__init__()
        self.widgets = widgets
        self.count = dict.fromkeys(widgets.values(), 0)

    def eventFilter(self, obj, event):
        if event.type() == QEvent.Type.Paint and obj in self.widgets:
            self.count[self.widgets[obj]] += 1
        return False


def _settle(qtbot, app):
    for _ in range(8):
        app.processEvents()
    qtbot.wait(20)
    for _ in range(4):
        app.processEvents()


def _paints_of(qtbot, app, change, widgets: dict) -> _Paints:
    """The paint events of ``widgets`` (widget → name) while ``change()`` runs and settles."""
    paints = _Paints(widgets)
    app.installEventFilter(paints)
    try:
        change()
        _settle(qtbot, app)
    finally:
        app.removeEventFilter(paints)
    return paints


@pytest.fixture
def shown(window, qtbot):
    window.resize(1400, 900)
    window.show()
    qtbot.waitExposed(window)
    return window


CHANGES = {
    "dataset": lambda w: w.data_panel.dataset.setCurrentText("xor"),
    "a unit": lambda w: w.actionAddNeuron.trigger(),
    "a sample table": lambda w: data_actions.open_sample(w, "breast_cancer.csv"),
    "a feature": lambda w: w.data_panel.feature_boxes["x1^2"].click(),
}


@pytest.mark.parametrize("change", CHANGES)
def test_a_change_paints_each_plot_at_most_once(shown, qtbot, change):
    from PySide6.QtWidgets import QApplication
    app = QApplication.instance()
    _settle(qtbot, app)
    shown.actionStepEpoch.trigger()              # a history, so the loss plot has a range
    _settle(qtbot, app)
    paints = _paints_of(qtbot, app, lambda: CHANGES[change](shown),
                        {shown.boundary_plot.viewport(): "output",
                         shown.loss_plot.viewport(): "loss"})
    assert paints.count["output"] == 1, paints.count
    assert paints.count["loss"] <= 1, paints.count


def test_an_axis_given_its_own_range_keeps_its_drawing():
    axis = SteadyAxis("left")
    axis.setRange(0.0, 2.0)
    image = QImage(50, 200, QImage.Format.Format_ARGB32_Premultiplied)
    painter = QPainter(image)
    axis.paint(painter, None, None)
    painter.end()
    picture = axis.picture
    assert picture is not None
    axis.setRange(0.0, 2.0)
    assert axis.picture is picture
    axis.setRange(0.0, 3.0)
    assert axis.picture is None and axis.range == [0.0, 3.0]


def test_a_label_set_to_what_it_says_lays_nothing_out(shown):
    plot = shown.boundary_plot.getPlotItem()
    axis = plot.getAxis("bottom")
    color = shown.boundary_plot._fg.name()
    set_axis_label(plot, "bottom", "x1", color)
    axis.picture = "kept"               # a marker: setLabel would set it to None
    set_axis_label(plot, "bottom", "x1", color)
    assert axis.picture == "kept"
    set_axis_label(plot, "bottom", "bmi", color)
    assert axis.picture is None and axis.labelText == "bmi"


@pytest.mark.parametrize("there_and_back", [False, True])
def test_a_new_table_paints_the_data_panel_once(shown, qtbot, there_and_back):
    """Opening a 30-input table shows 30 feature boxes and a scroll bar; going back hides them.
    The panel is laid out before the paint, so it and its scroll bar are painted once."""
    from PySide6.QtWidgets import QApplication
    app = QApplication.instance()
    _settle(qtbot, app)
    if there_and_back:
        data_actions.open_sample(shown, "breast_cancer.csv")
        _settle(qtbot, app)
    panel = shown.data_panel
    bar = panel.parentWidget().parentWidget().verticalScrollBar()
    paints = _Paints({panel: "panel", bar: "scroll bar"})
    app.installEventFilter(paints)
    try:
        if there_and_back:
            panel.dataset.setCurrentText("circle")
        else:
            data_actions.open_sample(shown, "breast_cancer.csv")
        _settle(qtbot, app)
    finally:
        app.removeEventFilter(paints)
    assert paints.count["panel"] == 1, paints.count
    assert paints.count["scroll bar"] == (0 if there_and_back else 1), paints.count
    assert len(panel.feature_boxes) == (7 if there_and_back else 30)
    assert bar.isVisible() != there_and_back


@pytest.mark.parametrize("change", CHANGES)
def test_a_change_that_leaves_the_hyperparameters_does_not_paint_them(shown, qtbot, change):
    """Every change of the run syncs the Hyperparameters panel; a field whose value stays the
    same is not set again (a spin box given its own value repaints all the same)."""
    from PySide6.QtWidgets import QApplication
    app = QApplication.instance()
    _settle(qtbot, app)
    panel = shown.hyper_panel
    paints = _paints_of(qtbot, app, lambda: CHANGES[change](shown),
                        {w: w.objectName() or type(w).__name__
                         for w in [panel, *panel.findChildren(QWidget)]})
    painted = {name: n for name, n in paints.count.items() if n}
    assert painted == {}, painted


def test_a_header_control_paints_the_header_not_the_dock_under_it(shown, qtbot):
    """A plot's header row fills its own background: a control of it that changes (the Output
    plot's axis choice, repopulated for a table) repaints the header, not the dock and the plot
    frame under it."""
    from PySide6.QtWidgets import QApplication
    app = QApplication.instance()
    data_actions.open_sample(shown, "breast_cancer.csv")
    _settle(qtbot, app)
    plot = shown.boundary_plot
    dock = shown.docks["Output"]
    x = plot.x_combo
    paints = _paints_of(qtbot, app, lambda: x.setCurrentIndex((x.currentIndex() + 5) % x.count()),
                        {dock: "dock", plot: "plot frame", plot._header: "header"})
    assert paints.count["header"] >= 1, paints.count
    assert paints.count["dock"] == paints.count["plot frame"] == 0, paints.count


_THREADS_AFTER_PAINTING = r"""
import glob, os
from ui import app as app_module, data_actions, dialogs
dialogs.ask_save_discard_cancel = lambda *a: dialogs.DISCARD
app, window = app_module.start()
window.resize(1400, 900)
window.repaint()                            # every view, each fill of it
data_actions.open_sample(window, "breast_cancer.csv")
app.processEvents()
window.repaint()                            # the data panel's tall scroll bar too
names = sorted(open(f).read().strip() for f in glob.glob(f"/proc/{os.getpid()}/task/*/comm"))
print(os.environ.get("QT_NO_GUI_THREADPOOL"), "|", ";".join(names))
window.session.shutdown()
"""


@pytest.mark.skipif(not os.path.isdir("/proc/self/task"), reason="thread names are read from /proc")
def test_the_app_paints_on_its_own_thread(tmp_path):
    """Qt's raster engine hands large fills to a pool of threads and waits for them, which costs
    the app more than the fills (``ui.app.prepare_qt``). Started as a user starts it, the app
    paints its window and a table without starting that pool."""
    env = {k: v for k, v in os.environ.items() if k != "QT_NO_GUI_THREADPOOL"}
    env.update(QT_QPA_PLATFORM="offscreen", XDG_CONFIG_HOME=str(tmp_path),
               XDG_DATA_HOME=str(tmp_path), PYTHONPATH=str(ROOT))
    out = subprocess.run([sys.executable, "-c", _THREADS_AFTER_PAINTING], env=env, cwd=tmp_path,
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    setting, threads = out.stdout.strip().splitlines()[-1].split(" | ")
    assert setting == "1"
    assert "Thread (pooled)" not in threads.split(";"), threads
