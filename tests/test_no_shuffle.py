"""``--no-shuffle`` means file order: the first batch is the file's first rows.

The first test redoes the first SGD step by hand, in plain NumPy, over rows 1..B of the CSV
file and compares it with the weights ``nnviz train`` exports. With the rows in the split's
random order the batch would be other rows and the numbers would differ.
"""
import json

import numpy as np
import pytest

from nnviz.cli.main import main
from nnviz.data.dataset import Dataset
from nnviz.experiment import Config, build

# Six rows, two inputs, a binary target; row k of the file is ROWS[k - 1].
ROWS = np.array([[0.5, -1.0, 1],
                 [1.5, 0.25, 0],
                 [-0.75, 2.0, 1],
                 [2.0, 1.0, 0],
                 [-1.25, -0.5, 1],
                 [0.0, 0.75, 0]])
# The starting network 2 → 2 → 1 (tanh, then sigmoid), weights "from-to": row i of W holds
# the weights leaving input i, so a layer computes x·W + b for a row vector x.
W1 = np.array([[0.2, -0.4], [0.7, 0.1]])
B1 = np.array([0.05, -0.3])
W2 = np.array([[0.6], [-0.9]])
B2 = np.array([0.15])
LR = 0.1
B = 3   # batch size


def _write_start(tmp_path):
    """The CSV and the starting weights, written as plain text (the weights file format of
    nnviz/io/weights_io.py, version 1; no scaling)."""
    data = tmp_path / "d.csv"
    data.write_text("x1,x2,y\n" + "".join(f"{float(a)!r},{float(b)!r},{int(c)}\n" for a, b, c in ROWS))
    start = tmp_path / "start.json"
    start.write_text(json.dumps({
        "format": "nnviz-weights", "version": 1, "task": "classification",
        "inputs": ["x1", "x2"], "features": ["x1", "x2"], "input_scaling": None,
        "layers": [{"weights": W1.tolist(), "biases": B1.tolist(), "activation": "tanh"},
                   {"weights": W2.tolist(), "biases": B2.tolist(), "activation": "sigmoid"}],
        "loss": "log_loss"}))
    return data, start


def _first_step_by_hand():
    """One SGD step on rows 1..B of the file, mean log-loss, written out without nnviz."""
    X = ROWS[:B, :2]                 # the file's first B rows, in order   (B×2)
    y = ROWS[:B, 2:3]                # their targets                        (B×1)
    # forward
    Z1 = X @ W1 + B1                 # hidden pre-activations               (B×2)
    A1 = np.tanh(Z1)                 # hidden outputs
    z2 = A1 @ W2 + B2                # output pre-activation                (B×1)
    p = 1.0 / (1.0 + np.exp(-z2))    # sigmoid: the probability of class 1
    # E = −(1/B)·Σ [y·ln p + (1−y)·ln(1−p)]. With p = σ(z), ∂E/∂z = (p − y)/B for each row.
    d2 = (p - y) / B                 # (B×1)
    dW2 = A1.T @ d2                  # ∂E/∂W2 = A1ᵀ·δ2                      (2×1)
    db2 = d2.sum(axis=0)             # ∂E/∂b2 = Σ over rows of δ2
    # back through W2 and tanh: tanh'(z) = 1 − tanh(z)²
    d1 = (d2 @ W2.T) * (1.0 - A1 ** 2)   # (B×2)
    dW1 = X.T @ d1                   # ∂E/∂W1 = Xᵀ·δ1                       (2×2)
    db1 = d1.sum(axis=0)
    # plain gradient descent: W ← W − η·∂E/∂W
    return W1 - LR * dW1, B1 - LR * db1, W2 - LR * dW2, B2 - LR * db2


def test_first_step_uses_the_files_first_rows(tmp_path, capsys):
    data, start = _write_start(tmp_path)
    out = tmp_path / "w.json"
    code = main(["train", "--data", str(data), "--target", "y", "--weights", str(start),
                 "--no-shuffle", "--test-ratio", "0", "--batch-size", str(B), "--steps", "1",
                 "--lr", str(LR), "--no-standardize", "--seed", "0", "--export", str(out), "--json"])
    assert code == 0, capsys.readouterr().err
    layers = json.loads(out.read_text())["layers"]
    w1, b1, w2, b2 = _first_step_by_hand()
    np.testing.assert_allclose(layers[0]["weights"], w1, rtol=0, atol=1e-12)
    np.testing.assert_allclose(layers[0]["biases"], b1, rtol=0, atol=1e-12)
    np.testing.assert_allclose(layers[1]["weights"], w2, rtol=0, atol=1e-12)
    np.testing.assert_allclose(layers[1]["biases"], b2, rtol=0, atol=1e-12)
    # the step moved the weights (a comparison with the start would not be a test otherwise)
    assert np.abs(np.array(layers[0]["weights"]) - W1).max() > 1e-4


def _dataset(n=40):
    rng = np.random.default_rng(7)
    X = rng.normal(size=(n, 2))
    return Dataset(X, (X[:, 0] > 0).astype(float), ["x1", "x2"], "classification")


@pytest.mark.parametrize("seed", [0, 3])
def test_no_shuffle_keeps_file_order_on_each_side(seed):
    ds = _dataset()
    on = build(Config(features=["x1", "x2"], seed=seed, test_ratio=0.25, standardize=False), ds)
    off = build(Config(features=["x1", "x2"], seed=seed, test_ratio=0.25, standardize=False,
                       shuffle=False), ds)
    # the same rows are chosen for the test set, from the seed
    assert set(off.test_idx) == set(on.test_idx) and set(off.train_idx) == set(on.train_idx)
    # each side in file order, and the trainer sees the rows in that order
    assert list(off.train_idx) == sorted(on.train_idx)
    assert list(off.test_idx) == sorted(on.test_idx)
    np.testing.assert_array_equal(off.trainer.X, ds.X[np.sort(on.train_idx)])
    # the same initial weights: the split draws the same numbers either way
    np.testing.assert_array_equal(off.network.params, on.network.params)


def test_no_shuffle_and_no_test_set_is_the_whole_file_in_order():
    ds = _dataset()
    exp = build(Config(features=["x1", "x2"], test_ratio=0, shuffle=False, standardize=False), ds)
    assert list(exp.train_idx) == list(range(len(ds.X))) and len(exp.test_idx) == 0
    np.testing.assert_array_equal(exp.trainer.X, ds.X)


def test_shuffle_on_is_todays_split():
    """Shuffling keeps the split it always had: one permutation from the seed's Generator,
    the first n_test rows of it for test, the rest, in that order, for training."""
    ds = _dataset()
    exp = build(Config(features=["x1", "x2"], seed=5, test_ratio=0.25), ds)
    order = np.random.default_rng(5).permutation(len(ds.X))
    assert list(exp.test_idx) == list(order[:10]) and list(exp.train_idx) == list(order[10:])
