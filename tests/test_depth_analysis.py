"""What a network amounts to at any depth: no hidden layer is logistic or linear regression
itself; identity layers multiply out to one β; relu layers cut the inputs into linear regions."""
import json

import numpy as np
import pytest

from nnviz.cli.main import main
from nnviz.core.network import Network
from nnviz.explain import analysis


def _analyze(capsys, *argv):
    capsys.readouterr()
    assert main(["analyze", *argv]) == 0
    return capsys.readouterr().out


@pytest.fixture
def tables(tmp_path):
    rng = np.random.default_rng(3)
    X = rng.normal(size=(200, 2)) * [1, 3] + [2, -1]
    y = (X[:, 0] - 0.4 * X[:, 1] + rng.logistic(size=200) > 2.2).astype(int)   # overlapping classes
    cls = tmp_path / "cls.csv"
    cls.write_text("x1,x2,y\n" + "".join(f"{a!r},{b!r},{c}\n" for (a, b), c in zip(X.tolist(), y)))
    Xr = rng.normal(size=(150, 2))
    yr = 1.5 * Xr[:, 0] - 0.5 * Xr[:, 1] + 0.2 + 0.3 * rng.normal(size=150)
    reg = tmp_path / "reg.csv"
    reg.write_text("x1,x2,y\n" + "".join(f"{a!r},{b!r},{c!r}\n" for (a, b), c in zip(Xr.tolist(), yr.tolist())))
    return cls, reg


def _train(capsys, tmp_path, data, epochs, *extra):
    w = tmp_path / f"w_{data.stem}.json"
    assert main(["train", "--data", str(data), "--target", "y", "--batch-size", "full", "--lr", "1",
                 "--epochs", str(epochs), "--test-ratio", "0", "--export", str(w), *extra]) == 0
    return w


def test_logistic_fit_is_the_maximum_likelihood_line():
    rng = np.random.default_rng(0)
    F = rng.normal(size=(400, 2))
    y = (F @ [1.5, -1.0] + 0.3 + rng.logistic(size=400) > 0).astype(float)
    fit = analysis.logistic_fit(F, y)
    assert fit.converged and fit.iterations < 15
    # first-order optimality of the mean log-loss: Dᵀ(σ(Dθ) − y) = 0
    D = np.hstack([np.ones((400, 1)), F])
    p = 1 / (1 + np.exp(-(D @ np.append(fit.intercept, fit.coefficients))))
    assert np.abs(D.T @ (p - y)).max() < 1e-9
    # (the mean log-loss is convex, so a zero gradient is its minimum)
    assert np.sign(fit.coefficients).tolist() == [1.0, -1.0]   # the generating line's direction
    separable = analysis.logistic_fit(F, (F[:, 0] > 0).astype(float))
    assert not separable.converged


def test_no_hidden_layer_classification_is_logistic_regression(capsys, tmp_path, tables):
    cls, _ = tables
    w = _train(capsys, tmp_path, cls, 3000, "--hidden", "0")
    out = _analyze(capsys, str(w), "--data", str(cls), "--target", "y")
    assert "no hidden layer: the network already is the linear model, logistic regression" in out
    assert "least sq." not in out   # fitting 0/1 labels by least squares is not the comparison here
    assert "one region: with no hidden layer" in out
    rep = json.loads(_analyze(capsys, str(w), "--data", str(cls), "--target", "y", "--json"))
    assert rep["hidden_layers"] == 0 and rep["linear_model"] == "logistic regression"
    assert rep["logistic_fit"]["converged"]
    # gradient descent on the same standardized rows has reached Newton's answer (measured 5e-16)
    np.testing.assert_allclose(rep["linear_equivalent"]["coefficients"],
                               rep["logistic_fit"]["coefficients"], rtol=0, atol=1e-9)
    assert rep["logistic_distance"] < 1e-9
    assert rep["regions"]["count"] == 1


def test_a_short_training_is_visibly_short_of_the_logistic_fit(capsys, tmp_path, tables):
    cls, _ = tables
    w = _train(capsys, tmp_path, cls, 3, "--hidden", "0")
    rep = json.loads(_analyze(capsys, str(w), "--data", str(cls), "--target", "y", "--json"))
    assert rep["logistic_distance"] > 0.1


def test_no_hidden_layer_regression_is_least_squares(capsys, tmp_path, tables):
    _, reg = tables
    w = _train(capsys, tmp_path, reg, 500, "--hidden", "0")
    out = _analyze(capsys, str(w), "--data", str(reg), "--target", "y")
    assert "the linear model, linear regression (ŷ = z)" in out and "least sq." in out
    rep = json.loads(_analyze(capsys, str(w), "--data", str(reg), "--target", "y", "--json"))
    assert rep["linear_model"] == "linear regression" and "logistic_fit" not in rep
    assert rep["distance"] < 1e-9


def test_separable_classes_say_the_logistic_fit_has_no_best_weights(capsys, tmp_path):
    data = tmp_path / "sep.csv"
    rng = np.random.default_rng(1)
    X = rng.normal(size=(60, 2))
    data.write_text("x1,x2,y\n" + "".join(f"{a!r},{b!r},{int(a > 0)}\n" for a, b in X.tolist()))
    w = _train(capsys, tmp_path, data, 20, "--hidden", "0")
    out = _analyze(capsys, str(w), "--data", str(data), "--target", "y")
    assert "a line separates the two classes" in out


def test_identity_layers_multiply_out_to_one_beta_at_three_hidden_layers():
    rng = np.random.default_rng(5)
    net = Network([3, 5, 4, 2, 1], "identity", "sigmoid")
    net.params[...] = rng.normal(size=net.params.size)
    b0, beta = analysis.linear_equivalent(net)
    (W1, b1), (W2, b2), (W3, b3), (W4, b4) = net.get_weights()
    np.testing.assert_allclose(beta, (W1 @ W2 @ W3 @ W4)[:, 0], rtol=1e-13)
    expected_b0 = ((b1 @ W2 + b2) @ W3 + b3) @ W4 + b4
    assert b0 == pytest.approx(expected_b0[0], rel=1e-13)
    X = rng.normal(size=(50, 3))
    z = net.layer_outputs(X)[-1][0][:, 0]
    np.testing.assert_allclose(X @ beta + b0, z, rtol=0, atol=1e-12)
    # no hidden layer: β is W itself
    lin = Network([3, 1], "tanh", "identity")
    lin.params[...] = [0.5, -1.0, 2.0, 0.25]
    assert analysis.linear_equivalent(lin) == (0.25, pytest.approx([0.5, -1.0, 2.0]))
    assert analysis.is_linear(lin) and analysis.linear_model_name(lin) == "linear regression"
    assert analysis.linear_model_name(net) is None


def _patterns_by_hand(net, F):
    """Each row's on/off pattern over every hidden relu unit, with a plain forward pass."""
    a, bits = F, []
    for W, b in net.get_weights()[:-1]:
        z = a @ W + b
        bits.append(z > 0)
        a = np.maximum(z, 0)
    return np.hstack(bits)


@pytest.mark.parametrize("hidden", [[4, 3], [4, 3, 3]])
def test_relu_regions_and_tree_at_two_and_three_hidden_layers(hidden):
    rng = np.random.default_rng(len(hidden))
    net = Network([2, *hidden, 1], "relu", "sigmoid")
    net.params[...] = rng.normal(size=net.params.size)
    g = np.linspace(-3, 3, 120)
    F = np.column_stack([np.repeat(g, 120), np.tile(g, 120)])
    expected = len(np.unique(_patterns_by_hand(net, F), axis=0))
    assert analysis.count_regions(net, F) == expected and expected > 1
    tree = analysis.decision_tree(net, F)
    assert tree.leaves() == expected
    z = net.layer_outputs(F)[-1][0][:, 0]
    np.testing.assert_allclose(analysis.tree_predict(tree, F), z, rtol=0, atol=1e-12)


def test_no_hidden_layer_is_one_region_and_one_leaf():
    net = Network([2, 1], "relu", "sigmoid")
    net.params[...] = [0.3, -0.7, 0.1]
    F = np.random.default_rng(0).normal(size=(100, 2))
    assert analysis.count_regions(net, F) == 1
    tree = analysis.decision_tree(net, F)
    assert tree.leaf and tree.leaves() == 1
    np.testing.assert_allclose(tree.w, [0.3, -0.7]) and tree.b == pytest.approx(0.1)
