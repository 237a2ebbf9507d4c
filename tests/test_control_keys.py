"""A focused control keeps the keys it uses: Space ticks a check box or presses a button
instead of starting Play, → moves a slider instead of stepping."""
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest


def test_space_ticks_the_focused_check_box_and_plays_elsewhere(window, qtbot):
    box = window.data_panel.feature_boxes["x1^2"]
    box.setFocus()
    qtbot.waitUntil(box.hasFocus)
    QTest.keyClick(box, Qt.Key.Key_Space)
    assert box.isChecked() and not window.session.playing       # it started Play
    assert "x1^2" in window.session.model.features
    window.network_view.setFocus()
    qtbot.waitUntil(window.network_view.hasFocus)
    QTest.keyClick(window.network_view, Qt.Key.Key_Space)
    assert window.session.playing
    QTest.keyClick(window.network_view, Qt.Key.Key_Space)
    assert not window.session.playing


def test_space_presses_the_focused_button(window, qtbot):
    steps = window.session.trainer.step_count
    button = window.step_panel.next_button
    window.docks["Step through"].raise_()
    qtbot.waitUntil(button.isVisible)
    button.setFocus()
    qtbot.waitUntil(button.hasFocus)
    QTest.keyClick(button, Qt.Key.Key_Space)
    assert len(window.session.stages) == 1 and not window.session.playing   # Next: one operation
    assert window.session.trainer.step_count == steps


def test_arrows_move_the_focused_slider_and_step_elsewhere(window, qtbot):
    from PySide6.QtWidgets import QSlider
    slider = QSlider(Qt.Orientation.Horizontal, window.data_panel)   # as the Output's slider
    slider.setRange(0, 10)
    slider.show()
    slider.setFocus()
    qtbot.waitUntil(slider.hasFocus)
    QTest.keyClick(slider, Qt.Key.Key_Right)
    assert slider.value() == 1 and window.session.stages == []     # it stepped an operation
    window.network_view.setFocus()
    qtbot.waitUntil(window.network_view.hasFocus)
    QTest.keyClick(window.network_view, Qt.Key.Key_Right)
    assert len(window.session.stages) == 1                         # → steps on the canvas
