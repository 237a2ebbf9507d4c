"""Training at any depth equals gradient descent written out independently in plain NumPy.

Nothing here uses the engine's layers: each reference is the textbook loop, with the engine's
documented conventions (rows are samples; W is fan_in×fan_out, z = x·W + b; the batch loss is the
mean of the rows' losses; one numpy Generator from the seed draws the train/test permutation
first, then every layer's W and b from U[−1, 1], then one permutation per epoch when shuffling).
"""
import json

import numpy as np
import pytest

from nnviz.cli.main import main
from nnviz.data.dataset import Dataset
from nnviz.experiment import Config, build

N_ROWS, BATCH, STEPS, LR, SEED = 23, 5, 23, 0.2, 11   # 5 batches per epoch, the last of 3 rows


def _sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def _table(task):
    rng = np.random.default_rng(42)
    X = rng.normal(size=(N_ROWS, 3)) * [1.0, 2.0, 0.5] + [0.0, 1.0, -1.0]
    if task == "classification":
        y = (X[:, 0] - 0.5 * X[:, 1] + rng.normal(scale=0.8, size=N_ROWS) > -0.5).astype(float)
    else:
        y = 0.7 * X[:, 0] - 0.3 * X[:, 1] + 2.0 * X[:, 2] + 0.1 * rng.normal(size=N_ROWS)
    return X, y


def _linear_model_by_hand(X, y, task):
    """Mini-batch gradient descent on ŷ = σ(X·w + b) (logistic regression) or ŷ = X·w + b
    (linear regression), rows in file order, batches of BATCH rows and a shorter last one."""
    rng = np.random.default_rng(SEED)
    rng.permutation(len(X))                      # the train/test split's draw (no test rows)
    w = rng.uniform(-1.0, 1.0, (X.shape[1], 1))  # then W, then b
    b = rng.uniform(-1.0, 1.0, (1,))
    y = y.reshape(-1, 1)
    pos = 0
    for _ in range(STEPS):
        Xb, yb = X[pos:pos + BATCH], y[pos:pos + BATCH]
        m = len(Xb)
        z = Xb @ w + b
        yhat = _sigmoid(z) if task == "classification" else z
        # log-loss with a sigmoid and ½(ŷ − y)² with the identity both give ∂e/∂z = ŷ − y
        delta = yhat - yb
        w = w - LR * (Xb.T @ delta) / m
        b = b - LR * delta.sum(axis=0) / m
        pos = 0 if pos + m >= len(X) else pos + m
    return w, b


@pytest.mark.parametrize("task", ["classification", "regression"])
def test_no_hidden_layer_is_plain_gradient_descent_on_the_linear_model(tmp_path, capsys, task):
    X, y = _table(task)
    data = tmp_path / "d.csv"
    data.write_text("a,b,c,y\n" + "".join(f"{r[0]!r},{r[1]!r},{r[2]!r},{t!r}\n"
                                         for r, t in zip(X.tolist(), y.tolist())))
    out = tmp_path / "w.json"
    code = main(["train", "--data", str(data), "--target", "y", "--hidden", "0", "--no-shuffle",
                 "--test-ratio", "0", "--batch-size", str(BATCH), "--steps", str(STEPS),
                 "--lr", str(LR), "--no-standardize", "--no-standardize-target", "--seed", str(SEED), "--task", task,
                 "--export", str(out), "--json"])
    assert code == 0, capsys.readouterr().err
    doc = json.loads(out.read_text())
    assert len(doc["layers"]) == 1
    assert doc["layers"][0]["activation"] == ("sigmoid" if task == "classification" else "identity")
    w, b = _linear_model_by_hand(X, y, task)
    got_w, got_b = np.array(doc["layers"][0]["weights"]), np.array(doc["layers"][0]["biases"])
    np.testing.assert_allclose(got_w, w, rtol=0, atol=1e-12)
    np.testing.assert_allclose(got_b, b, rtol=0, atol=1e-12)
    # training moved the weights far beyond the tolerance, so the comparison means something
    start = np.random.default_rng(SEED)
    start.permutation(N_ROWS)
    assert np.abs(got_w - start.uniform(-1.0, 1.0, (3, 1))).max() > 0.05


# --- three hidden layers, shuffled batches, a held-out test set ------------------------------
SIZES = [3, 5, 4, 3, 1]
ACTS = ["tanh", "relu", "sigmoid"]


def _deep_by_hand(X, y, steps):
    """Forward and backward through three hidden layers (tanh, relu, sigmoid) and a sigmoid
    output with log-loss, written out layer by layer; batches of BATCH rows of each epoch's
    shuffled order."""
    rng = np.random.default_rng(SEED)
    order = rng.permutation(len(X))
    n_test = int(round(len(X) * 0.25))
    test, train = order[:n_test], order[n_test:]
    Ws, bs = [], []
    for fan_in, fan_out in zip(SIZES[:-1], SIZES[1:]):
        Ws.append(rng.uniform(-1.0, 1.0, (fan_in, fan_out)))
        bs.append(rng.uniform(-1.0, 1.0, (fan_out,)))
    Xt, yt = X[train], y[train].reshape(-1, 1)
    n, pos = len(Xt), 0
    f = {"tanh": np.tanh, "relu": lambda z: np.maximum(z, 0.0), "sigmoid": _sigmoid}
    df = {"tanh": lambda z, a: 1.0 - a * a, "relu": lambda z, a: (z > 0).astype(float),
          "sigmoid": lambda z, a: a * (1.0 - a)}
    for _ in range(steps):
        if pos == 0:
            perm = rng.permutation(n)
            Xs, ys = Xt[perm], yt[perm]
        Xb, yb = Xs[pos:pos + BATCH], ys[pos:pos + BATCH]
        m = len(Xb)
        # forward: keep every layer's input, pre-activation and output
        a, cache = Xb, []
        for k, (W, b) in enumerate(zip(Ws, bs)):
            z = a @ W + b
            out = f[ACTS[k]](z) if k < 3 else _sigmoid(z)
            cache.append((a, z, out))
            a = out
        # backward: the output's δ = ŷ − y (log-loss with a sigmoid), then through each layer
        delta = (a - yb) / m
        grads = [None] * 4
        for k in range(3, -1, -1):
            a_in, z, out = cache[k]
            if k < 3:
                delta = delta * df[ACTS[k]](z, out)
            grads[k] = (a_in.T @ delta, delta.sum(axis=0))
            delta = delta @ Ws[k].T
        Ws = [W - LR * gW for W, (gW, _) in zip(Ws, grads)]
        bs = [b - LR * gb for b, (_, gb) in zip(bs, grads)]
        pos = 0 if pos + m >= n else pos + m
    return Ws, bs, test


def test_three_hidden_layers_equal_a_loop_written_by_hand():
    X, y = _table("classification")
    ds = Dataset(X, y, ["a", "b", "c"], "classification")
    exp = build(Config(features=["a", "b", "c"], hidden=SIZES[1:-1], activation=ACTS, seed=SEED,
                       test_ratio=0.25, batch_size=BATCH, lr=LR, standardize=False), ds)
    start = [W.copy() for W, _ in exp.network.get_weights()]
    steps = 40   # 10 epochs of 4 batches (18 training rows: 5, 5, 5, 3)
    exp.trainer.steps(steps)
    Ws, bs, test = _deep_by_hand(X, y, steps)
    assert sorted(exp.test_idx) == sorted(test)
    assert exp.network.sizes == SIZES and exp.network.activations == ACTS + ["sigmoid"]
    for (W, b), W_ref, b_ref in zip(exp.network.get_weights(), Ws, bs):
        np.testing.assert_allclose(W, W_ref, rtol=0, atol=1e-12)
        np.testing.assert_allclose(b, b_ref, rtol=0, atol=1e-12)
    moved = max(np.abs(W - W0).max() for (W, _), W0 in zip(exp.network.get_weights(), start))
    assert moved > 0.05
