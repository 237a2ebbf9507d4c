"""The loss layers, including the two places where seed 001 §9 slips."""
import numpy as np
import pytest

from nnviz.core import losses
from nnviz.errors import NnvizError


def test_squared_error_derivative_is_a_minus_y_not_y_minus_a():
    # Seed 001 §9.1 writes ∂E/∂a = y − a. For e = ½(a − y)², the derivative is a − y:
    # at a = 3, y = 1, e(a+h) − e(a−h) over 2h is +2, so the seed's −2 would climb the loss.
    loss = losses.make("squared_error", "sigmoid")
    a, y = np.array([[3.0]]), np.array([[1.0]])
    h = 1e-6
    numeric = (loss.per_row(None, a + h, y) - loss.per_row(None, a - h, y)) / (2 * h)
    assert loss.backward(None, a, y)[0, 0] == pytest.approx(2.0)
    assert numeric[0, 0] == pytest.approx(2.0, rel=1e-6)
    assert not loss.fused  # sigmoid output: its σ′ is applied in the activation's backward


def test_log_loss_is_the_binary_form_not_the_multiclass_one():
    # Seed 001 §9.2's −Σ y log a ignores the (1 − y) log(1 − a) term: for y = 0 it would give 0
    # whatever the prediction. The binary log-loss punishes a confident wrong answer.
    loss = losses.make("log_loss", "sigmoid")
    z = np.array([[2.0], [2.0]])
    a = 1 / (1 + np.exp(-z))
    y = np.array([[1.0], [0.0]])
    e = loss.per_row(z, a, y)
    expected = -(y * np.log(a) + (1 - y) * np.log(1 - a))
    np.testing.assert_allclose(e, expected, rtol=1e-12)
    assert e[1, 0] > 2.0  # the seed's form would give 0 here


def test_log_loss_never_overflows():
    loss = losses.make("log_loss", "sigmoid")
    z = np.array([[1000.0], [-1000.0], [1000.0]])
    a = np.array([[1.0], [0.0], [1.0]])
    y = np.array([[1.0], [0.0], [0.0]])
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        e = loss.per_row(z, a, y)
    np.testing.assert_allclose(e, [[0.0], [0.0], [1000.0]], atol=1e-12)


def test_reductions():
    loss_mean = losses.make("squared_error", "identity", "mean")
    loss_sum = losses.make("squared_error", "identity", "sum")
    e = np.array([[1.0], [2.0], [3.0]])
    assert loss_mean.reduce(e) == 2.0 and loss_sum.reduce(e) == 6.0
    assert loss_mean.scale(4) == 0.25 and loss_sum.scale(4) == 1.0


def test_bad_combinations():
    with pytest.raises(NnvizError, match="sigmoid"):
        losses.make("log_loss", "identity")
    with pytest.raises(NnvizError, match="unknown loss"):
        losses.make("hinge", "identity")
    with pytest.raises(NnvizError, match="reduction"):
        losses.make("squared_error", "identity", "max")


@pytest.mark.parametrize("name, out_act, z, y", [
    ("squared_error", "identity", [[1.0], [2.0]], [[3.0], [1.0]]),
    ("log_loss", "sigmoid", [[2.0], [-1.0]], [[1.0], [1.0]]),
    ("cross_entropy", "softmax", [[1.0, 2.0, 0.5], [0.0, -1.0, 3.0]], [[0, 1, 0], [1, 0, 0]]),
])
def test_per_row_writes_the_losses_into_out(name, out_act, z, y):
    """``per_row(…, out)`` returns ``out`` holding the per-row losses: the trainer keeps ``out``
    for the step-through, which showed ŷ − y for squared error instead of ½(ŷ − y)²."""
    from nnviz.core.activations import get as activation

    loss = losses.make(name, out_act)
    z, y = np.array(z), np.array(y, dtype=float)
    a = activation(out_act).value(z)
    out = np.empty((len(z), 1))
    e = loss.per_row(z, a, y, out)
    assert e is out
    np.testing.assert_array_equal(out, loss.per_row(z, a, y))


def test_the_loss_stage_shows_each_rows_squared_error():
    """ŷ = x on x = 1, 2 with y = 3, 1: e = ½(1 − 3)² = 2 and ½(2 − 1)² = 0.5, E = 1.25 (the
    stage showed e₁ = ½(1 − 3)² = −2 beside E = 2)."""
    from nnviz.core.network import Network
    from nnviz.core.trainer import Trainer

    net = Network([1, 1, 1], "identity", "identity")
    net.set_weights([(np.array([[1.0]]), np.array([0.0])), (np.array([[1.0]]), np.array([0.0]))])
    tr = Trainer(net, losses.make("squared_error", "identity"), np.array([[1.0], [2.0]]),
                 np.array([3.0, 1.0]), batch_size=None, shuffle=False)
    stage = next(s for s in tr.stage_step() if s.name == "loss.forward")
    np.testing.assert_array_equal(stage.results["e"], [[2.0], [0.5]])
    assert float(stage.results["E"]) == 1.25
