"""K classes: softmax output, cross-entropy from the logits, δ = Ŷ − Y.

Trained weights are checked against a plain NumPy reference written here (loops over the
batches, no engine layer called) and against PyTorch's CrossEntropyLoss from the same initial
weights and batches.
"""
import numpy as np
import pytest

from nnviz.core import activations, init, losses
from nnviz.core.history import metric
from nnviz.core.layers import Activation
from nnviz.core.network import Network
from nnviz.core.trainer import Trainer
from nnviz.errors import NnvizError


def _problem(K, p=4, hidden=(6,), n=48, act="tanh", seed=0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, p))
    labels = rng.integers(0, K, n).astype(float)
    net = Network([p, *hidden, K], act, "softmax")
    init.initialize(net, "xavier", rng)
    return X, labels, net


def _reference_sgd(weights, X, labels, K, B, lr, steps, act, reduction="mean", l2=0.0):
    """Plain NumPy: forward, softmax, cross-entropy gradient ŷ − y, backward, SGD update."""
    Ws = [W.copy() for W, _ in weights]
    bs = [b.copy() for _, b in weights]
    n = len(X)
    f = {"tanh": np.tanh, "relu": lambda z: np.maximum(z, 0)}[act]
    df = {"tanh": lambda z, a: 1 - a ** 2, "relu": lambda z, a: (z > 0) * 1.0}[act]
    Y = np.zeros((n, K))
    for i, c in enumerate(labels.astype(int)):
        Y[i, c] = 1.0
    pos = 0
    for _ in range(steps):
        xb, yb = X[pos:pos + B], Y[pos:pos + B]
        pos = (pos + B) % n
        m = len(xb)
        hs, zs = [xb], []
        for W, b in zip(Ws[:-1], bs[:-1]):
            z = hs[-1] @ W + b
            zs.append(z)
            hs.append(f(z))
        zo = hs[-1] @ Ws[-1] + bs[-1]
        yhat = np.empty_like(zo)
        for i in range(m):                              # softmax row by row
            ex = np.exp(zo[i] - zo[i].max())
            yhat[i] = ex / ex.sum()
        delta = yhat - yb
        scale = 1.0 / m if reduction == "mean" else 1.0
        gW, gb = [None] * len(Ws), [None] * len(Ws)
        for k in range(len(Ws) - 1, -1, -1):
            gW[k] = np.zeros_like(Ws[k])
            for i in range(m):                          # Σ of outer products
                gW[k] += np.outer(hs[k][i], delta[i])
            gW[k] = gW[k] * scale + l2 * Ws[k]
            gb[k] = delta.sum(axis=0) * scale
            if k:
                delta = (delta @ Ws[k].T) * df(zs[k - 1], hs[k])
        for k in range(len(Ws)):
            Ws[k] = Ws[k] - lr * gW[k]
            bs[k] = bs[k] - lr * gb[k]
    return list(zip(Ws, bs))


@pytest.mark.parametrize("K", [3, 10])
@pytest.mark.parametrize("hidden, act", [((6,), "tanh"), ((5, 4), "relu"), ((), "tanh")])
@pytest.mark.parametrize("reduction, l2", [("mean", 0.0), ("sum", 0.01)])
def test_sgd_matches_a_numpy_reference(K, hidden, act, reduction, l2):
    X, labels, net = _problem(K, hidden=hidden, act=act)
    start = net.get_weights()
    tr = Trainer(net, losses.make("cross_entropy", "softmax", reduction), X, labels,
                 shuffle=False, batch_size=8, lr=0.1, l2=l2)
    tr.steps(15)
    ref = _reference_sgd(start, X, labels, K, 8, 0.1, 15, act, reduction, l2)
    for (W, b), (Wr, br) in zip(net.get_weights(), ref):
        np.testing.assert_allclose(W, Wr, rtol=0, atol=1e-12)
        np.testing.assert_allclose(b, br, rtol=0, atol=1e-12)
    assert np.abs(net.params - np.concatenate([np.vstack([W, b]).ravel() for W, b in start])).max() > 1e-3


@pytest.mark.parametrize("K", [3, 10])
@pytest.mark.parametrize("optimizer", ["sgd", "momentum", "adam"])
@pytest.mark.parametrize("reduction, l1, l2, hidden", [("mean", 0.0, 0.0, (6,)),
                                                       ("sum", 0.001, 0.01, (5, 4))])
def test_training_matches_pytorch_cross_entropy(K, optimizer, reduction, l1, l2, hidden):
    torch = pytest.importorskip("torch")
    X, labels, net = _problem(K, hidden=hidden, n=40)
    B, lr, steps = 8, 0.05, 12
    layers = []
    for k, (W, b) in enumerate(net.get_weights()):
        lin = torch.nn.Linear(*W.shape).double()
        with torch.no_grad():
            lin.weight.copy_(torch.from_numpy(W.T))
            lin.bias.copy_(torch.from_numpy(b))
        layers += [lin, torch.nn.Tanh()] if k < net.n_layers - 1 else [lin]
    model = torch.nn.Sequential(*layers)
    params = list(model.parameters())
    opt = {"sgd": lambda: torch.optim.SGD(params, lr=lr),
           "momentum": lambda: torch.optim.SGD(params, lr=lr, momentum=0.9),
           "adam": lambda: torch.optim.Adam(params, lr=lr)}[optimizer]()
    ce = torch.nn.CrossEntropyLoss(reduction=reduction)
    Xt, yt = torch.from_numpy(X), torch.from_numpy(labels.astype(np.int64))
    weights = [m.weight for m in model if isinstance(m, torch.nn.Linear)]
    for s in range(steps):
        i = (s * B) % len(X)
        opt.zero_grad()
        E = ce(model(Xt[i:i + B]), yt[i:i + B])
        E = E + sum(0.5 * l2 * (w ** 2).sum() + l1 * w.abs().sum() for w in weights)
        E.backward()
        opt.step()
    tr = Trainer(net, losses.make("cross_entropy", "softmax", reduction), X, labels,
                 shuffle=False, batch_size=B, lr=lr, optimizer=optimizer, l1=l1, l2=l2)
    assert tr.steps(steps) == steps
    lins = [m for m in model if isinstance(m, torch.nn.Linear)]
    for (W, b), lin in zip(net.get_weights(), lins):
        np.testing.assert_allclose(W, lin.weight.detach().numpy().T, rtol=0, atol=1e-12)
        np.testing.assert_allclose(b, lin.bias.detach().numpy(), rtol=0, atol=1e-12)


def test_cross_entropy_is_stable_at_logits_of_1000():
    z = np.array([[1000.0, -1000.0, 0.0], [-1000.0, -1000.0, 1000.0], [1000.0, 1000.0, -1000.0]])
    y = losses.one_hot([0, 0, 1], 3)
    ce = losses.make("cross_entropy", "softmax")
    with np.errstate(over="raise", invalid="raise", divide="raise"):   # underflow to 0 is fine
        a = activations.get("softmax").value(z)
        e = ce.per_row(z, a, y)
        d = ce.backward(z, a, y)
    np.testing.assert_array_equal(a, [[1, 0, 0], [0, 0, 1], [0.5, 0.5, 0]])
    # e = log Σ e^z − z_true: 0, 2000, log 2
    np.testing.assert_allclose(e[:, 0], [0.0, 2000.0, np.log(2.0)], rtol=1e-15, atol=0)
    np.testing.assert_array_equal(d, a - y)


def test_cross_entropy_values_and_delta():
    z = np.array([[1.0, 2.0, 3.0]])
    a = activations.get("softmax").value(z)
    ex = np.exp([1.0, 2.0, 3.0])
    np.testing.assert_allclose(a[0], ex / ex.sum(), rtol=1e-15)
    ce = losses.make("cross_entropy", "softmax", "sum")
    e = ce.per_row(z, a, losses.one_hot([1], 3))
    assert e[0, 0] == pytest.approx(-np.log(ex[1] / ex.sum()), rel=1e-15)


def test_softmax_jacobian_and_its_backward():
    a = activations.get("softmax").value(np.array([0.3, -1.2, 2.0, 0.1]))
    J = activations.softmax_jacobian(a)
    assert J.shape == (4, 4)
    np.testing.assert_allclose(J.sum(axis=1), 0, atol=1e-16)
    for i in range(4):
        for j in range(4):
            assert J[i, j] == pytest.approx(a[i] * ((i == j) - a[j]), rel=1e-15, abs=1e-17)
    # Central differences of the softmax agree with the Jacobian; the layer's backward is g·J.
    z = np.array([[0.3, -1.2, 2.0, 0.1]])
    h = 1e-6
    num = np.empty((4, 4))
    for j in range(4):
        zp, zm = z.copy(), z.copy()
        zp[0, j] += h
        zm[0, j] -= h
        num[:, j] = (activations.get("softmax").value(zp) - activations.get("softmax").value(zm))[0] / (2 * h)
    np.testing.assert_allclose(num, J, atol=1e-9)
    g = np.array([[0.5, -1.0, 2.0, 0.25]])
    dadz, d = Activation("softmax").backward(z, a[None, :], g)
    np.testing.assert_allclose(d[0], g[0] @ J, atol=1e-15)
    np.testing.assert_allclose(dadz[0], np.diag(J), atol=1e-16)


def test_parameter_formula_with_k_outputs_and_unchanged_for_one():
    assert Network([2, 6, 3], output_activation="softmax").parameter_formula() == \
        "(p+1)·M + (M+1)·K = (2+1)·6 + (6+1)·3 = 39"
    assert Network([2, 4, 1]).parameter_formula() == "(p+1)·M + M + 1 = (2+1)·4 + 4 + 1 = 17"


def test_shapes_refused():
    with pytest.raises(NnvizError, match="one unit per class"):
        Network([2, 4, 1], output_activation="softmax")
    with pytest.raises(NnvizError, match="not one for hidden layer 1"):
        Network([2, 4, 3], "softmax", "softmax")
    with pytest.raises(NnvizError, match="needs a softmax"):
        Network([2, 4, 3], "tanh", "sigmoid")
    with pytest.raises(NnvizError, match="not one of 0…2"):
        losses.one_hot([0, 3], 3)


def test_accuracy_is_argmax_agreement():
    y = losses.one_hot([0, 1, 2, 2], 3)
    yhat = np.array([[0.5, 0.3, 0.2], [0.1, 0.2, 0.7], [0.2, 0.2, 0.6], [0.4, 0.35, 0.25]])
    assert metric("classification", y, yhat) == 0.5


def test_trainer_keeps_one_hot_targets_and_reports_accuracy():
    X, labels, net = _problem(3, n=30)
    tr = Trainer(net, losses.make("cross_entropy", "softmax"), X, labels, X[:10], labels[:10],
                 batch_size=10, lr=0.5)
    assert tr.y.shape == (30, 3) and tr.y_test.shape == (10, 3)
    np.testing.assert_array_equal(tr.y.argmax(axis=1), labels)
    tr.steps(300)
    acc = tr.history.train_metric[-1]
    expect = np.mean(net.predict(X).argmax(axis=1) == labels)
    assert acc == expect and acc > 0.6


@pytest.mark.parametrize("scale", [0.1, 3.0, 30.0, 300.0])
def test_cross_entropy_from_probabilities_equals_the_logit_form(scale, monkeypatch):
    """−log ŷ_y (the fast form, while every ŷ_y is a normal number) and log Σ e^(z − c) − (z_y − c)
    agree to rounding; logits far apart (scale 300) send the batch to the logit form."""
    rng = np.random.default_rng(7)
    z = rng.normal(scale=scale, size=(200, 10))
    y = losses.one_hot(rng.integers(0, 10, 200), 10)
    a = activations.get("softmax").value(z)
    ce = losses.make("cross_entropy", "softmax")
    reference = ce._from_logits(z, y, np.empty((200, 1)))
    calls = []
    real = ce._from_logits
    monkeypatch.setattr(ce, "_from_logits", lambda *args: calls.append(1) or real(*args))
    e = ce.per_row(z, a, y)
    np.testing.assert_allclose(e, reference, rtol=1e-13, atol=1e-15)
    assert len(calls) == (1 if scale == 300.0 else 0)
    assert (e >= 0).all()
