"""The Session: engine state, signals, stepping and play, without any view."""
import numpy as np
import pytest

from nnviz.errors import NnvizError
from nnviz.experiment import build
from ui.session import Session, default_config


def test_default_session(session):
    assert session.dataset.name == "circle" and session.dataset.n_samples == 500
    assert session.model.features == ["x1", "x2"]
    assert session.network.sizes == [2, 4, 1]
    assert session.network.activations == ["tanh", "sigmoid"]
    assert session.model.loss == "log_loss"
    assert session.trainer.lr == 0.03 and session.trainer.batch_size == 10
    assert len(session.exp.test_idx) == 250
    assert session.parameter_text().endswith("= 17")


def test_step_epoch_and_history_signal(session, qtbot):
    with qtbot.waitSignal(session.historyChanged, timeout=1000):
        session.step_epoch()
    assert session.trainer.epoch_count == 1 and session.trainer.step_count == 25
    assert len(session.trainer.history) == 2


def test_operation_then_batch_finishes_the_step_first(session):
    ref = build(default_config())
    session.step_operation()
    session.step_operation()
    session.step_batch()  # completes the step begun operation by operation
    ref.trainer.step()
    np.testing.assert_array_equal(session.network.params, ref.network.params)
    assert session.trainer.step_count == 1 and session.stages[-1].name == "update"


def test_structure_change_mid_step_drops_the_stages(session):
    session.step_operation()
    session.add_neuron()
    assert session.stages == [] and session.network.sizes == [2, 5, 1]
    session.step_operation()
    assert session.stages[0].operands["W⁽¹⁾"].shape == (2, 5)


def test_neuron_limits(session, qtbot):
    for _ in range(3):
        session.remove_neuron()
    assert session.network.sizes == [2, 1, 1]
    with qtbot.waitSignal(session.message, timeout=500) as blocker:
        session.remove_neuron()
    assert "at least one unit" in blocker.args[0] and session.network.sizes == [2, 1, 1]
    session.set_hidden([32])
    with qtbot.waitSignal(session.message, timeout=500):
        session.add_neuron()
    assert session.network.sizes == [2, 32, 1]
    with pytest.raises(NnvizError):
        session.set_hidden([33])


def test_edit_weight(session):
    session.set_weight(0, 1, 2, 0.25)
    assert session.network.dense[0].W[1, 2] == 0.25
    session.set_bias(1, 0, -1.5)
    assert session.network.dense[1].b[0] == -1.5
    with pytest.raises(NnvizError):
        session.set_weight(0, 0, 0, float("nan"))


def test_grid_outputs_follow_the_weights(session):
    out = session.grid_outputs()
    assert out[0].shape == (100, 100, 4) and out[-1].shape == (100, 100, 1)
    assert out[-1].dtype == np.float32
    z = session.grid().features.astype(np.float64) @ session.network.dense[0].W + session.network.dense[0].b
    np.testing.assert_allclose(out[0].reshape(-1, 4), np.tanh(z), atol=1e-5)
    session.step_batch()
    assert session.grid_outputs() is not out


def test_divergence_pauses_and_restores(qtbot):
    cfg = default_config()
    cfg.activation, cfg.lr, cfg.dataset, cfg.init, cfg.hidden = "relu", 10.0, "plane", "he", [8]
    s = Session(cfg)
    try:
        with qtbot.waitSignal(s.diverged, timeout=10000) as blocker:
            s.play()
        assert not s.playing
        assert "smaller learning rate" in blocker.args[0]
        assert np.all(np.isfinite(s.network.params))
    finally:
        s.shutdown()


def test_bad_data_settings_leave_the_session_unchanged(session):
    before = session.exp
    with pytest.raises(NnvizError):
        session.set_data(samples=1)
    assert session.exp is before and session.config.samples == 500


def test_play_frame_budget():
    """Training time per Play frame for a redraw of r seconds: the rest of a 60 Hz frame,
    else 1.5·r, shortened to keep 20 frames a second, never below r."""
    from ui.session import train_budget
    ms = 1e-3
    assert train_budget(2 * ms) == pytest.approx(1 / 60 - 2 * ms)    # 60 Hz: 14.7 ms
    assert train_budget(10 * ms) == pytest.approx(15 * ms)           # 1.5·r, 40 Hz
    assert train_budget(20 * ms) == pytest.approx(30 * ms)           # 1.5·r, 20 Hz exactly
    assert train_budget(22 * ms) == pytest.approx(28 * ms)           # 50 ms − r: still 20 Hz
    assert train_budget(30 * ms) == pytest.approx(30 * ms)           # r: half the thread
    assert train_budget(0.5) == pytest.approx(0.1)                   # at most 0.1 s
    for r in np.linspace(0, 0.2, 401):
        b = train_budget(r)
        assert b >= min(r, 0.1) and b >= 0.008
        if r <= 0.025:
            assert r + b <= 0.05 + 1e-12 or r + b <= 1 / 60 + 0.008  # ≥ 20 frames a second
