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
