"""Backprop against central differences for every activation × loss × reduction."""
import itertools

import numpy as np
import pytest

from nnviz.core import activations, init, losses
from nnviz.core.network import Network
from nnviz.core.trainer import Trainer

HIDDEN = activations.NAMES
CASES = [("log_loss", "sigmoid"), ("squared_error", "identity"), ("squared_error", "sigmoid"),
         ("squared_error", "tanh")]


def batch_loss(net, loss, X, y):
    z, a = net.layer_outputs(X)[-1]
    return loss.reduce(loss.per_row(z, a, y))


@pytest.mark.parametrize("hidden,case,reduction,sizes",
                         [(h, c, r, s) for h, c, r, s in itertools.product(
                             HIDDEN, CASES, losses.REDUCTIONS, ([3, 5, 1], [2, 4, 3, 1]))])
def test_backprop_matches_central_differences(hidden, case, reduction, sizes):
    loss_name, out = case
    rng = np.random.default_rng(7)
    net = Network(sizes, hidden, out)
    init.initialize(net, "uniform", rng)
    X = rng.normal(size=(6, sizes[0]))
    y = rng.integers(0, 2, size=(6, 1)).astype(float) if loss_name == "log_loss" else rng.normal(size=(6, 1))
    # Keep pre-activations away from relu's kink so the finite difference is well defined.
    if hidden in ("relu", "leaky_relu"):
        for _ in range(100):
            zs = [z for z, _ in net.layer_outputs(X)[:-1]]
            if min(np.abs(z).min() for z in zs) > 1e-3:
                break
            init.initialize(net, "uniform", rng)
    loss = losses.make(loss_name, out, reduction)
    tr = Trainer(net, loss, X, y, batch_size=6, shuffle=False, lr=0.1)
    # Run forward/backward through the stages and stop before the update.
    for stage in tr.stage_step():
        if stage.name == "dense1.backward":
            break
    analytic = net.grads.copy()
    numeric = np.zeros_like(analytic)
    h = 1e-6
    for i in range(net.params.size):
        old = net.params[i]
        net.params[i] = old + h
        up = batch_loss(net, loss, X, y)
        net.params[i] = old - h
        down = batch_loss(net, loss, X, y)
        net.params[i] = old
        numeric[i] = (up - down) / (2 * h)
    np.testing.assert_allclose(analytic, numeric, rtol=1e-5, atol=1e-8)


@pytest.mark.parametrize("name", HIDDEN)
def test_activation_derivative(name):
    f = activations.get(name)
    z = np.linspace(-3, 3, 61) + 0.013  # avoid z = 0 exactly
    h = 1e-6
    numeric = (f.value(z + h) - f.value(z - h)) / (2 * h)
    np.testing.assert_allclose(f.derivative(z, f.value(z)), numeric, rtol=1e-6, atol=1e-9)


@pytest.mark.parametrize("name", ["identity", "relu", "leaky_relu"])
def test_piecewise_linear_is_a_hadamard_product(name):
    """Seed 000: σ(z) = a ⊙ z with a the slope of the piece each z falls on."""
    f = activations.get(name)
    z = np.random.default_rng(1).normal(size=(50, 7))
    np.testing.assert_allclose(f.slope(z) * z, f.value(z), rtol=0, atol=0)


@pytest.mark.parametrize("name", ["tanh", "sigmoid"])
def test_smooth_activations_have_no_slope_vector(name):
    assert activations.get(name).slope is None
