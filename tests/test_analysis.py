"""Linear collapse, activation regions, decision tree and gradient check (issue: seed results)."""
import numpy as np
import pytest

from nnviz.core import activations, init, losses
from nnviz.explain import analysis
from nnviz.errors import NnvizError
from nnviz.experiment import Config, build
from nnviz.core.network import Network


def random_net(sizes, hidden, out="identity", seed=0):
    net = Network(sizes, hidden, out)
    init.initialize(net, "uniform", np.random.default_rng(seed))
    return net


@pytest.mark.parametrize("sizes", [[2, 4, 1], [3, 5, 4, 1], [1, 1, 1]])
def test_identity_network_is_one_linear_model(sizes):
    net = random_net(sizes, "identity")
    b0, beta = analysis.linear_equivalent(net)
    X = np.random.default_rng(1).normal(size=(100, sizes[0]))
    z = net.layer_outputs(X)[-1][0][:, 0]
    np.testing.assert_allclose(X @ beta + b0, z, rtol=1e-12, atol=1e-12)
    # Eq. 10.18 for one hidden layer: β = W⁽¹⁾W⁽²⁾, β₀ = b⁽¹⁾W⁽²⁾ + b⁽²⁾.
    if len(sizes) == 3:
        W1, b1, W2, b2 = net.dense[0].W, net.dense[0].b, net.dense[1].W, net.dense[1].b
        np.testing.assert_allclose(beta, (W1 @ W2)[:, 0], rtol=1e-14)
        assert b0 == pytest.approx((b1 @ W2 + b2)[0], rel=1e-14)
    # and equals the least-squares fit of the network's own predictions, exactly
    ls_b0, ls_beta = analysis.least_squares(X, z)
    np.testing.assert_allclose(ls_beta, beta, atol=1e-10)
    assert ls_b0 == pytest.approx(b0, abs=1e-10)


def test_nonlinear_network_has_no_linear_equivalent():
    with pytest.raises(NnvizError, match="identity"):
        analysis.linear_equivalent(random_net([2, 4, 1], "tanh"))


def test_trained_identity_net_approaches_least_squares():
    exp = build(Config(dataset="plane", noise=0.0, activation="identity", hidden=[3], lr=0.05,
                       batch_size=None, seed=0, init="xavier"))
    exp.trainer.steps(3000)
    b0, beta = analysis.linear_equivalent(exp.network)
    ls_b0, ls_beta = analysis.least_squares(exp.F_train, exp.targets[exp.train_idx])  # the units it learns
    assert np.max(np.abs(np.append(beta, b0) - np.append(ls_beta, ls_b0))) < 1e-3


@pytest.mark.parametrize("hidden,sizes", [("relu", [2, 6, 1]), ("leaky_relu", [3, 5, 1]),
                                          ("relu", [2, 5, 4, 1]), ("identity", [2, 3, 1])])
def test_effective_linear_model_matches_the_network_at_1000_points(hidden, sizes):
    net = random_net(sizes, hidden, seed=4)
    X = np.random.default_rng(2).uniform(-3, 3, size=(1000, sizes[0]))
    pats = analysis.patterns(net, X)
    z = net.layer_outputs(X)[-1][0][:, 0]
    for i in range(len(X)):
        w, b = analysis.effective_linear(net, [a[i] for a in pats])
        assert X[i] @ w + b == pytest.approx(z[i], rel=1e-10, abs=1e-12)


def test_region_count_of_a_hand_built_relu_net():
    # h1 = relu(x1), h2 = relu(x2): the lines x1 = 0 and x2 = 0 cut the box [−1, 1]² into 4 regions.
    net = Network([2, 2, 1], "relu", "identity")
    net.set_weights([(np.eye(2), np.zeros(2)), (np.ones((2, 1)), np.zeros(1))])
    g = np.linspace(-1, 1, 51) + 0.01
    X = np.array(np.meshgrid(g, g)).reshape(2, -1).T
    assert analysis.count_regions(net, X) == 4
    # Shift h2's line out of the box (x2 + 5 > 0 everywhere): 2 regions remain.
    net.dense[0].b[1] = 5.0
    assert analysis.count_regions(net, X) == 2
    with pytest.raises(NnvizError, match="piecewise-linear"):
        analysis.count_regions(random_net([2, 3, 1], "tanh"), X)


@pytest.mark.parametrize("hidden,sizes", [("relu", [2, 5, 1]), ("leaky_relu", [2, 4, 1]), ("relu", [2, 4, 3, 1])])
def test_decision_tree_classifies_like_the_network(hidden, sizes):
    net = random_net(sizes, hidden, out="sigmoid", seed=7)
    X = np.random.default_rng(3).uniform(-2, 2, size=(1000, 2))
    tree = analysis.decision_tree(net, X)
    z = net.layer_outputs(X)[-1][0][:, 0]
    zt = analysis.tree_predict(tree, X)
    np.testing.assert_allclose(zt, z, rtol=1e-10, atol=1e-12)
    np.testing.assert_array_equal(zt > 0, net.predict(X)[:, 0] > 0.5)
    assert tree.leaves() == analysis.count_regions(net, X)
    text = analysis.tree_text(tree, ["x1", "x2"])
    assert "if " in text and "> 0:" in text and "z = " in text
    assert text.count("z = ") == tree.leaves()
    # Each test names its unit as the app's views do: h3, or h1.3 with several hidden layers
    # (the first layer's units were h1… there, read as the second layer's h2.1… are).
    names = {line.split("(")[1].split()[0] for line in text.splitlines() if "(h" in line}
    hidden_sizes = sizes[1:-1]
    if len(hidden_sizes) == 1:
        assert names <= {f"h{j + 1}" for j in range(hidden_sizes[0])}
    else:
        assert names <= {f"h{k + 1}.{j + 1}" for k, n in enumerate(hidden_sizes) for j in range(n)}
        assert any(n.startswith("h1.") for n in names) and any(n.startswith("h2.") for n in names)


@pytest.mark.parametrize("hidden", activations.NAMES)
@pytest.mark.parametrize("loss_name,out,reduction", [("log_loss", "sigmoid", "mean"),
                                                     ("squared_error", "identity", "sum"),
                                                     ("squared_error", "sigmoid", "mean")])
def test_gradient_check_passes(hidden, loss_name, out, reduction):
    rng = np.random.default_rng(5)
    net = random_net([2, 4, 1], hidden, out, seed=5)
    for seed in range(20):  # many random networks and batches, each within 1e-6
        rng = np.random.default_rng(seed)
        net = random_net([2, 8, 1], hidden, out, seed=seed)
        X = rng.normal(size=(10, 2))
        y = rng.integers(0, 2, (10, 1)).astype(float)
        check = analysis.gradient_check(net, losses.make(loss_name, out, reduction), X, y)
        assert check.passed, (seed, check.summary())
    assert set(check.per_matrix) == {"W1", "b1", "W2", "b2"}
    assert "passes" in check.summary()


def test_gradient_check_catches_a_wrong_derivative(monkeypatch):
    f = activations.ACTIVATIONS["tanh"]
    wrong = activations.ActivationFunction("tanh", f.value, lambda z, a, out=None: 1 - a, None, f.formula,
                                           f.derivative_formula)
    monkeypatch.setitem(activations.ACTIVATIONS, "tanh", wrong)
    net = random_net([2, 4, 1], "tanh", "sigmoid", seed=1)
    X = np.random.default_rng(0).normal(size=(10, 2))
    y = (X[:, :1] > 0).astype(float)
    check = analysis.gradient_check(net, losses.make("log_loss", "sigmoid"), X, y)
    assert not check.passed and check.per_matrix["W1"] > 1e-3
    assert check.per_matrix["W2"] < 1e-6  # the output layer does not use tanh′
    assert "FAILS" in check.summary()


def test_linear_text_signs():
    assert analysis._linear_text(np.array([0.5, -0.25, 0.0]), -1.5, ["x1", "x2", "x3"]) == "0.5·x1 − 0.25·x2 − 1.5"
    assert analysis._linear_text(np.array([-2.0]), 0.0, ["x1"]) == "−2·x1 + 0"
    assert analysis._linear_text(np.zeros(2), -0.8, ["a", "b"]) == "−0.8"


def test_unscaled_tree_reads_on_raw_features():
    exp = build(Config(seed=0, activation="relu", hidden=[3], dataset="xor"))
    exp.trainer.steps(200)
    F_raw = exp.dataset.X  # features x1, x2 are the raw inputs
    tree = analysis.decision_tree(exp.network, exp.model.transform(F_raw))
    analysis.unscale_tree(tree, exp.model.scaler.mean, exp.model.scaler.std)
    z = exp.network.layer_outputs(exp.model.transform(F_raw))[-1][0][:, 0]
    np.testing.assert_allclose(analysis.tree_predict(tree, F_raw), z, rtol=1e-9, atol=1e-9)


def test_gradient_check_passes_correct_gradients_whatever_the_targets_units():
    """Targets in the hundreds (the diabetes sample's progression score) make the loss ~1e4,
    and finite differences carry round-off of about eps·|E|/h: an error relative to the
    gradient alone failed correct gradients (2e-5 on this case); relative to max(1, |g|) it
    passes, and a wrong derivative is still caught."""
    from nnviz.data import csvdata
    from nnviz.experiment import Config, build
    from pathlib import Path

    table = Path(__file__).resolve().parent.parent / "nnviz" / "data" / "samples" / "diabetes.csv"
    ds = csvdata.load_dataset(table, "progression")
    exp = build(Config(seed=1, test_ratio=0.3, features=list(ds.inputs), hidden=[4],
                       standardize_target=False), ds)   # the target in its own units
    exp.trainer.steps(200)
    tr = exp.trainer
    loss = losses.make(exp.model.loss, exp.network.activations[-1])
    E = loss.reduce(loss.per_row(*exp.network.layer_outputs(tr.X[:10])[-1], tr.y[:10]))
    assert E > 1000                                   # the loss is in the thousands
    check = analysis.gradient_check(exp.network, loss, tr.X[:10], tr.y[:10])
    assert check.passed and check.verdict == "passes", check.summary()
    assert check.max_relative < 1e-7


def test_a_difference_at_a_relu_kink_is_reported_as_a_kink():
    net = Network([1, 1, 1], "relu", "identity")
    net.set_weights([(np.array([[1.0]]), np.array([0.0])), (np.array([[1.0]]), np.array([0.0]))])
    X = np.array([[0.0], [1.0]])          # the first row sits exactly on the kink z = 0
    y = np.array([[0.5], [2.0]])
    check = analysis.gradient_check(net, losses.make("squared_error", "identity"), X, y)
    assert check.at_kink
    assert check.verdict in ("passes", "at a kink")
    assert "FAILS" not in check.summary()
    # away from the kink nothing is reported
    far = analysis.gradient_check(net, losses.make("squared_error", "identity"),
                                  np.array([[1.0], [2.0]]), y)
    assert not far.at_kink and far.verdict == "passes"
