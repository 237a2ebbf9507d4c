import math

import numpy as np
import pytest

from nnviz.core import losses, optimizers
from nnviz.errors import NnvizError
from nnviz.experiment import Config, build
from nnviz.core.network import Network
from nnviz.core.trainer import Trainer


def test_same_seed_same_run_bit_for_bit():
    a, b = build(Config(seed=5)), build(Config(seed=5))
    a.trainer.steps(300)
    b.trainer.steps(300)
    np.testing.assert_array_equal(a.network.params, b.network.params)
    assert a.trainer.history.train_loss == b.trainer.history.train_loss
    c = build(Config(seed=6))
    c.trainer.steps(300)
    assert not np.array_equal(a.network.params, c.network.params)


def test_circle_reaches_high_accuracy():
    exp = build(Config(seed=0))
    exp.trainer.steps(200 * exp.trainer.steps_per_epoch)
    assert exp.trainer.epoch_count == 200
    assert exp.trainer.history.test_metric[-1] >= 0.95


def test_batches_and_epochs():
    exp = build(Config(seed=0, samples=100, test_ratio=0.5, batch_size=16))
    tr = exp.trainer
    assert tr.steps_per_epoch == 4  # 50 rows: 16 + 16 + 16 + 2
    tr.epoch()
    assert (tr.step_count, tr.epoch_count, tr.pos) == (4, 1, 0)
    assert len(tr.history) == 2  # epoch 0 (before training) and epoch 1
    tr.batch_size = None
    assert tr.batch_size == 50 and tr.steps_per_epoch == 1
    tr.batch_size = 1
    assert tr.steps_per_epoch == 50


def test_full_batch_step_uses_every_row():
    exp = build(Config(seed=0, samples=40, batch_size=None))
    tr = exp.trainer
    stages = {s.name: s for s in tr.stage_step()}
    assert stages["dense1.forward"].operands["X"].shape == (20, 2)
    assert tr.epoch_count == 1


def test_sum_reduction_is_m_times_the_mean_gradient():
    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(8, 2)), rng.integers(0, 2, 8).astype(float)
    grads = {}
    for red in ("mean", "sum"):
        net = Network([2, 3, 1])
        net.params[:] = np.linspace(-1, 1, net.params.size)
        tr = Trainer(net, losses.make("log_loss", "sigmoid", red), X, y, batch_size=8, shuffle=False)
        for s in tr.stage_step():
            if s.name == "dense1.backward":
                break
        grads[red] = net.grads.copy()
    np.testing.assert_allclose(grads["sum"], 8 * grads["mean"], rtol=1e-12)


@pytest.mark.parametrize("name", optimizers.NAMES)
def test_optimizers_lower_the_loss(name):
    exp = build(Config(seed=2, optimizer=name, lr=0.01 if name == "adam" else 0.05))
    first = exp.trainer.history.train_loss[0]
    exp.trainer.steps(50 * exp.trainer.steps_per_epoch)
    assert exp.trainer.history.train_loss[-1] < 0.7 * first


def test_adam_matches_its_equation():
    opt = optimizers.make("adam", 2)
    p = np.array([1.0, -2.0])
    g = np.array([0.5, -0.1])
    opt.update(p, g, 0.1)
    # t = 1: m = 0.1·g, v = 0.001·g², m̂ = g, v̂ = g², θ ← θ − 0.1·g/(|g| + 1e−8)
    np.testing.assert_allclose(p, [1.0 - 0.1 * 0.5 / (0.5 + 1e-8), -2.0 + 0.1 * 0.1 / (0.1 + 1e-8)], rtol=1e-12)


def test_l2_and_l1_penalise_weights_not_biases():
    for kw in ({"l2": 0.5}, {"l1": 0.5}):
        base = build(Config(seed=1))
        reg = build(Config(seed=1, **kw))
        g0 = [s for s in base.trainer.stage_step() if s.name == "update"][0]
        g1 = [s for s in reg.trainer.stage_step() if s.name == "update"][0]
        W0 = g0.operands["W⁽¹⁾"]
        dW = g1.operands["∂E/∂W⁽¹⁾"] - g0.operands["∂E/∂W⁽¹⁾"]
        expected = 0.5 * W0 if "l2" in kw else 0.5 * np.sign(W0)
        np.testing.assert_allclose(dW, expected, atol=1e-12)
        np.testing.assert_array_equal(g1.operands["∂E/∂b⁽¹⁾"], g0.operands["∂E/∂b⁽¹⁾"])


def test_divergence_stops_and_restores_last_finite_parameters():
    exp = build(Config(seed=0, activation="relu", lr=10.0, dataset="plane", hidden=[8], init="he"))
    tr = exp.trainer
    snapshots = []
    while not tr.diverged and tr.step_count < 10000:
        snapshots.append(exp.network.params.copy())
        tr.step()
    assert tr.diverged is not None, "lr 10 should diverge"
    assert np.all(np.isfinite(exp.network.params))
    np.testing.assert_array_equal(exp.network.params, snapshots[-1])
    assert tr.diverged.step == tr.step_count + 1
    assert "smaller learning rate" in tr.diverged.message
    assert math.isnan(tr.step())  # stays stopped
    assert tr.steps(5) == 0


def test_settings_are_validated():
    tr = build(Config()).trainer
    with pytest.raises(NnvizError, match="learning rate"):
        tr.lr = -1
    with pytest.raises(NnvizError, match="learning rate"):
        tr.lr = float("nan")
    with pytest.raises(NnvizError, match="batch size"):
        tr.batch_size = 0
    with pytest.raises(NnvizError, match="unknown optimizer"):
        tr.set_optimizer("rmsprop")


def test_regression_metric_is_r2():
    exp = build(Config(dataset="plane", seed=0, activation="identity", lr=0.05))
    exp.trainer.steps(40 * exp.trainer.steps_per_epoch)
    assert exp.model.task == "regression" and exp.network.activations[-1] == "identity"
    assert exp.trainer.history.test_metric[-1] > 0.9


def test_shuffles_each_epoch_unless_told_not_to():
    def first_batches(shuffle):
        exp = build(Config(seed=0, samples=40, batch_size=20, shuffle=shuffle))
        tr = exp.trainer
        seen = []
        for _ in range(3):  # two batches per epoch; keep each epoch's first
            seen.append(list(tr.stage_step())[0].operands["X"])
            tr.step()
        return exp, seen
    exp, seen = first_batches(True)
    assert not np.array_equal(seen[0], seen[1]) and not np.array_equal(seen[1], seen[2])
    assert not np.array_equal(seen[0], exp.F_train[:20])
    exp, seen = first_batches(False)
    np.testing.assert_array_equal(seen[0], exp.F_train[:20])
    np.testing.assert_array_equal(seen[1], exp.F_train[:20])


def test_history_records_loss_and_metric_per_epoch():
    exp = build(Config(seed=0))
    tr = exp.trainer
    tr.steps(3 * tr.steps_per_epoch)
    h = tr.history
    assert h.epoch == [0, 1, 2, 3] and h.step == [0, 25, 50, 75]
    loss, acc = tr.evaluate(tr.X_test, tr.y_test)
    assert h.test_loss[-1] == loss and h.test_metric[-1] == acc
    yhat = exp.network.predict(tr.X)
    assert h.train_metric[-1] == np.mean((yhat > 0.5) == (tr.y > 0.5))


def test_a_loss_a_million_times_its_start_stops_training_and_keeps_the_weights():
    from nnviz.experiment import Config, build
    exp = build(Config(dataset="sine", optimizer="momentum", features=["sin(x1)", "x2"],
                       standardize=False, standardize_target=False, batch_size=None, lr=0.01,
                       reduction="sum", test_ratio=0.0))
    tr = exp.trainer
    before = None
    for _ in range(50):
        before = tr.network.params.copy()
        tr.step()
        if tr.diverged:
            break
    d = tr.diverged
    assert d is not None and d.reason.startswith("the loss grew to ")
    assert "more than a million times its 0.592 at the start of the run" in d.reason
    np.testing.assert_array_equal(tr.network.params, before)   # the step that blew up: undone
    assert np.isfinite(tr.network.params).all()
    assert "the parameters from before that step are kept — try a smaller learning rate" in d.message


def test_a_divergence_blames_the_data_when_its_scale_is_the_cause():
    rng = np.random.default_rng(0)
    X = rng.normal(0, 1, (64, 2)) * np.array([1e5, 1.0])     # one raw input in the 100,000s
    y = (X[:, 1] > 0).astype(float)
    net = Network([2, 3, 1], "relu", "sigmoid")
    net.params[:] = rng.normal(0, 1, net.params.size)
    tr = Trainer(net, losses.make("log_loss", "sigmoid"), X, y, task="classification",
                 lr=10, batch_size=64, rng=np.random.default_rng(1))
    for _ in range(50):
        tr.step()
        if tr.diverged:
            break
    d = tr.diverged
    assert d is not None and d.reason.startswith("the loss grew to ")
    assert d.advice.startswith("the inputs reach 2.33e+05: the data's scale is the cause")
    assert "standardize the inputs" in d.message and "try a smaller learning rate" not in d.message


def test_a_divergence_names_the_layer_whose_weights_blew_up():
    net = Network([2, 3, 1], "tanh", "sigmoid")
    X = np.random.default_rng(0).normal(size=(8, 2))
    tr = Trainer(net, losses.make("log_loss", "sigmoid"), X, (X[:, 0] > 0).astype(float),
                 task="classification", lr=10, batch_size=8, rng=np.random.default_rng(1))
    before = net.params.copy()
    net.grads[:] = 0.0
    net.dense[1].dW[...] = -1e308          # layer 2's update overflows: W − 10·(−1e308) = inf
    with np.errstate(over="ignore"):       # as the trainer's own steps run it
        assert not tr._update(8)
    assert tr.diverged.reason == "the weights of layer 2 became infinite or NaN"
    np.testing.assert_array_equal(net.params, before)
