"""When training blows up, two ways back: the state before this run of training (bit for bit)
and the best epoch so far; both can be undone. The message names what exploded."""
import numpy as np
import pytest
from PySide6.QtWidgets import QMessageBox

from ui.model import AppModel
from test_undo import _state


def _explode(m):
    m.set_lr(10.0)                 # a setting changed: the next step begins a new run
    for _ in range(300):
        m.step_batch()
        if m.trainer.diverged:
            return
    raise AssertionError("did not diverge")


@pytest.fixture
def model():
    m = AppModel()
    m.set_data(dataset="plane")    # regression: a large rate makes the loss explode
    m.step_epoch()
    m.step_epoch()
    return m


def test_back_to_before_training_restores_the_run_start_bit_for_bit(model):
    m = model
    m.set_lr(10.0)
    before = _state(m)
    _explode(m)
    assert m.trainer.diverged.reason.startswith("the loss grew to ")
    assert "more than a million times its" in m.trainer.diverged.reason
    after = _state(m)
    assert m.back_to_run_start()
    assert _state(m) == before and m.trainer.diverged is None
    m.undo()                                        # the way back is an edit too
    assert _state(m) == after and m.trainer.diverged is not None


def test_steps_one_after_another_are_one_run_and_a_setting_starts_another(model):
    m = model
    first = _state(m)
    m.step_batch()
    m.step_batch()
    m.back_to_run_start()
    assert _state(m) != first                       # the run began at the first of the two
    m2 = AppModel()
    m2.step_batch()
    start = _state(m2)
    m2.step_batch()
    m2.set_lr(0.1)
    between = _state(m2)
    m2.step_batch()
    m2.back_to_run_start()
    assert _state(m2) == between and _state(m2) != start


def test_back_to_the_best_epoch_starts_from_its_weights(model):
    m = model
    _explode(m)
    best = m.trainer.best
    epoch, loss = m.best_epoch()
    assert (epoch, loss) == (best[0], best[1]) and np.isfinite(loss)
    assert loss == min(m.trainer.history.train_loss)
    weights = best[2].copy()
    assert m.back_to_best_epoch()
    np.testing.assert_array_equal(m.network.params, weights)
    assert m.trainer.step_count == 0 and m.trainer.diverged is None
    assert m.trainer.history.train_loss[0] == pytest.approx(loss, rel=1e-12)
    assert m.undo_text() == "Back to the best epoch"


def test_the_divergence_box_offers_both_ways_back(window, qtbot):
    s = window.session
    s.set_data(dataset="plane")
    s.step_epoch()
    s.step_epoch()
    s.set_lr(10.0)
    before = s.network.params.copy()
    for _ in range(300):
        s.step_batch()
        if s.trainer.diverged:
            break
    box = window._divergence_box
    assert box.isVisible() and "the loss grew to" in box.text()
    assert box.best.isVisible() and box.best.text().startswith("Best epoch (")
    box.back.click()
    np.testing.assert_array_equal(s.network.params, before)
    assert s.trainer.diverged is None
