"""Play's default speed lets a learner watch the circle problem being learned (about 20 s), and
"as fast as possible" stays one choice away."""
from ui.model import default_config
from nnviz.experiment import build
from ui.session import DEFAULT_SPEED, FRAME_SECONDS, SPEED_NAMES, SPEEDS, Session


def steps_to_learn_the_circle(limit: int = 20_000) -> int:
    """Steps until the default run's test accuracy (measured at each epoch's end) is ≥ 0.9."""
    tr = build(default_config()).trainer
    while tr.step_count < limit:
        tr.step()
        if len(tr.history) > 1 and tr.history.test_metric[-1] >= 0.9:
            return tr.step_count
    raise AssertionError("the default run never reached 0.9")


def test_default_speed_takes_about_20_seconds_on_the_circle(qtbot):
    s = Session()
    try:
        assert s.speed == DEFAULT_SPEED and SPEEDS[s.speed] > 0
        rate = SPEEDS[s.speed]                  # steps per second at the default speed
        steps = steps_to_learn_the_circle()     # 825 with the default seed
        assert 15 <= steps / rate <= 30, (steps, rate, steps / rate)
        # The pacing: one second of 60 Hz frames trains that many steps, not one per frame.
        t, due = 100.0, 0
        for _ in range(60):
            t += FRAME_SECONDS
            due += s.steps_due(t)
        assert abs(due - rate) <= 1
        # A stall (a slow redraw, a dragged window) is not made up all at once.
        assert s.steps_due(t + 10.0) <= rate * 0.25 + 1
    finally:
        s.shutdown()


def test_as_fast_as_possible_is_one_choice_in_the_speed_box(window):
    combo = window.speed_combo
    assert combo.currentIndex() == DEFAULT_SPEED
    assert combo.currentText() == SPEED_NAMES[DEFAULT_SPEED] and "steps/s" in combo.currentText()
    fast = [combo.itemText(i) for i in range(combo.count())].index("as fast as possible")
    assert SPEEDS[fast] == 0
    combo.setCurrentIndex(fast)
    assert window.session.speed == fast and window.session.steps_due(1.0) >= 1 << 20
    assert combo.toolTip()
