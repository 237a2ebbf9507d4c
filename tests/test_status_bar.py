"""The status bar: a message is written in the readout's line, for its time, elided when long."""
from PySide6.QtCore import QEvent


def test_a_long_message_elides_beside_a_deep_networks_formula(kept_layout, window, qtbot):
    """At 1024×700 with two hidden layers the parameter formula takes half the bar: lesson 10's
    "Look at Step through: layer 2 takes layer 1's activations as its input" was cut off
    mid-word ("… as its inpu"). It ends in "…" now, with the whole text in the tooltip."""
    window.resize(1024, 700)
    window.session.set_hidden([4, 3])
    qtbot.wait(20)
    line, bar = window.status_label, window.statusBar()
    text = "Look at Step through: layer 2 takes layer 1's activations as its input " * 2
    bar.showMessage(text, 5000)
    qtbot.wait(10)
    assert bar.currentMessage() == text and line.shown() == text
    assert line.is_elided() and line.toolTip().startswith(text)
    right = line.mapTo(window, line.rect().topRight()).x()
    formula = window.param_count_label
    assert right <= formula.mapTo(window, formula.rect().topLeft()).x()
    bar.showMessage("Saved x.nnviz", 5000)                 # a short one: whole, no tooltip of it
    qtbot.wait(10)
    assert not line.is_elided() and not line.toolTip().startswith("Saved")


def test_a_message_covers_the_readout_for_its_time_only(window, qtbot):
    line, bar = window.status_label, window.statusBar()
    s = window.session
    s.step_batch()
    bar.showMessage("Session saved to x.nnviz", 150)
    assert line.shown() == "Session saved to x.nnviz" and "step 1" in line.text()
    s.step_batch()                                       # the readout goes on underneath
    assert line.shown() == "Session saved to x.nnviz" and "step 2" in line.text()
    qtbot.waitUntil(lambda: bar.currentMessage() == "", timeout=2000)
    assert line.shown() == line.text() and "step 2" in line.shown()
    bar.showMessage("Until the next one")                 # no timeout: until cleared
    qtbot.wait(200)
    assert bar.currentMessage() == "Until the next one"
    bar.clearMessage()
    assert bar.currentMessage() == "" and "step 2" in line.shown()


def test_a_message_lays_out_nothing(window, qtbot, count_events):
    """QStatusBar hid the readout to show a message and showed it again after: each time the
    bar and then the whole window (its docks) were laid out again. The readout's line now
    takes the message: nothing is hidden, nothing laid out."""
    bar = window.statusBar()
    window.session.step_batch()            # (the readout's first text, and the layouts the
    qtbot.wait(50)                         # window's first showing left for the event loop)
    requests = count_events(QEvent.Type.LayoutRequest, bar, window)
    for text in ("Loaded iris_petals.csv: 100 rows, 2 inputs, classification", ""):
        requests.n = 0
        bar.showMessage(text, 5000)
        qtbot.wait(20)
        assert requests.n == 0, text
        assert window.status_label.isVisible()


def test_the_first_window_ever_points_to_the_guide(kept_layout, qtbot):
    """A learner who opens the app for the first time is told where the lessons are; once the
    app has been closed (its layout remembered) it says nothing more."""
    from PySide6.QtCore import QSettings

    from ui.main_window import FIRST_LAUNCH_HINT, MainWindow

    QSettings("nnviz", "nnviz").clear()
    for first in (True, False):
        w = MainWindow()
        qtbot.addWidget(w)
        w.show()
        qtbot.waitExposed(w)
        said = w.statusBar().currentMessage()
        assert (said == FIRST_LAUNCH_HINT) == first and ("F1" in said) == first
        if first:
            w.resize(1024, 700)                           # whole in the smallest window
            qtbot.wait(10)
            assert not w.status_label.is_elided()
        w.session.shutdown()
        w.close()                                         # remembers the layout
