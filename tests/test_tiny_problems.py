"""Tiny problems are first-class: a one-row table, or a target with one class present, trains
once the task is stated (or weights are given); no test set is held out then, and a notice says
so. The worked example is scikit-learn's hand-worked step (its MLP test ``test_fit``): typed
into the command line as a one-row CSV and a weights file, it gives the exact step.

How the settings line up with scikit-learn's: its L2 term is α/(2n)·Σ‖W‖² over the weights only
(not the biases), so its gradient adds (α/n)·W for a batch of n rows; nnviz's ``--l2 λ`` adds
λ·W to the weights' gradient (biases not penalised either). With one row n = 1, so λ = α = 0.1.
The inputs are used as typed (``--no-standardize``; the weights file has no input scaling).
"""
import json

import numpy as np
import pytest

from nnviz import settings
from nnviz.cli.main import main
from nnviz.data.csvdata import load_dataset
from nnviz.errors import NnvizError
from nnviz.experiment import build
from nnviz.io import weights_io

X = np.array([[0.6, 0.8, 0.7]])
Y = np.array([0.0])
W1 = np.array([[0.1, 0.2], [0.3, 0.1], [0.5, 0.0]])
B1 = np.array([0.1, 0.1])
W2 = np.array([[0.1], [0.2]])
B2 = np.array([1.0])
ALPHA, LR = 0.1, 0.1


def _sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def _step_by_numpy():
    """One SGD step of the 3→2→1 logistic net with log-loss and L2 on the weights, written out."""
    h = _sigmoid(X @ W1 + B1)                      # (1, 2)
    yhat = _sigmoid(h @ W2 + B2)                   # (1, 1)
    d2 = yhat - Y[:, None]                         # ∂e/∂z⁽²⁾ of log-loss after a sigmoid
    gW2 = h.T @ d2 + ALPHA * W2                    # mean over n = 1 row, plus L2
    gb2 = d2.sum(axis=0)
    d1 = (d2 @ W2.T) * h * (1 - h)                 # back through σ′ = σ(1 − σ)
    gW1 = X.T @ d1 + ALPHA * W1
    gb1 = d1.sum(axis=0)
    return W1 - LR * gW1, B1 - LR * gb1, W2 - LR * gW2, B2 - LR * gb2


def _write_example(tmp_path):
    data = tmp_path / "one.csv"
    data.write_text("x1,x2,x3,y\n0.6,0.8,0.7,0\n")
    w = tmp_path / "w.json"
    w.write_text(json.dumps({
        "format": "nnviz-weights", "version": 1, "task": "classification",
        "inputs": ["x1", "x2", "x3"], "features": ["x1", "x2", "x3"], "input_scaling": None,
        "layers": [{"weights": W1.tolist(), "biases": B1.tolist(), "activation": "sigmoid"},
                   {"weights": W2.tolist(), "biases": B2.tolist(), "activation": "sigmoid"}],
        "loss": "log_loss"}))
    return data, w


@pytest.mark.parametrize("task_flag", [["--task", "classification"], []])
def test_scikit_learn_worked_example_through_the_cli(capsys, tmp_path, task_flag):
    data, w = _write_example(tmp_path)
    out_w = tmp_path / "after.json"
    code = main(["train", "--data", str(data), "--target", "y", *task_flag, "--weights", str(w),
                 "--l2", "0.1", "--lr", "0.1", "--steps", "1", "--no-standardize", "--json",
                 "--export", str(out_w)])
    out, err = capsys.readouterr()
    assert code == 0, err
    result = json.loads(out)
    assert result["steps"] == 1 and result["test_accuracy"] is None
    assert result["notices"] == ["one.csv has only 1 row: every row trains and no test set is "
                                 "held out (test ratio 0)"]
    model = weights_io.load(out_w)
    (gW1, gb1), (gW2, gb2) = [(d.W, d.b) for d in model.network.dense]
    eW1, eb1, eW2, eb2 = _step_by_numpy()
    for got, want in ((gW1, eW1), (gb1, eb1), (gW2, eW2), (gb2, eb2)):
        np.testing.assert_allclose(got, want, rtol=0, atol=1e-12)
    assert round(float(gW1[2, 0]), 6) == 0.493832          # x₃ = 0.7 (the comment's 0.4939998 used 0.6)
    assert round(float(model.predict(X)[0]), 4) == 0.7395   # P(class 1) after the step
    # the same through predict: the exported file and the one-row table
    code = main(["predict", "--weights", str(out_w), "--input", str(data)])
    out, _ = capsys.readouterr()
    assert code == 0 and round(float(out.splitlines()[1]), 4) == 0.7395


def test_notice_goes_to_stderr_without_json(capsys, tmp_path):
    data, w = _write_example(tmp_path)
    code = main(["train", "--data", str(data), "--target", "y", "--task", "classification",
                 "--weights", str(w), "--steps", "1", "--no-standardize"])
    out, err = capsys.readouterr()
    assert code == 0
    assert err == ("nnviz: note: one.csv has only 1 row: every row trains and no test set is held "
                   "out (test ratio 0)\n")
    assert "test " not in out                      # no test line: nothing was held out


@pytest.mark.parametrize("content,kwargs,y,task,classes", [
    ("x,y\n1,0\n", {"task": "classification"}, [0.0], "classification", ("0", "1")),
    ("x,y\n1,1\n2,1\n", {"task": "classification"}, [1.0, 1.0], "classification", ("0", "1")),
    ("x,y\n1,2.5\n", {"task": "regression"}, [2.5], "regression", None),
    ("x,y\n1,5\n2,5\n", {"task": "regression"}, [5.0, 5.0], "regression", None),
    ("x,y\n1,cat\n2,cat\n", {"positive_class": "cat"}, [1.0, 1.0], "classification",
     ("not cat", "cat")),
])
def test_tiny_tables_load_when_the_task_is_stated(write, content, kwargs, y, task, classes):
    ds = load_dataset(write(content), "y", **kwargs)
    assert ds.y.tolist() == y and ds.task == task and ds.class_names == classes


@pytest.mark.parametrize("content,kwargs,message", [
    ("x,y\n1,0\n", {},
     "data.csv has 1 usable data row, from which the task cannot be told; state the task "
     "(classification or regression)"),
    ("x,y\n1,5\n2,5\n", {},
     "target column 'y' in data.csv has the same value (5) in every row, so the task cannot be "
     "told from it; state the task (classification or regression)"),
    ("x,y\n1,5\n", {"task": "classification"},
     "target column 'y' in data.csv has only one class (5); with one class present, write it as "
     "0 or 1 so that its class is known"),
    ("x,y\n1,a\n", {"task": "classification"},
     "target column 'y' in data.csv has only one class ('a'); classification needs two, or this "
     "class named as the positive class (one class against the rest)"),
    ("x,z,y\n,1,0\n", {"task": "classification", "drop_missing": True, "features": ["x", "z"]},
     "data.csv has no usable data rows after dropping 1 row with missing values; there is "
     "nothing to learn"),
])
def test_what_cannot_be_inferred_is_asked_for(write, content, kwargs, message):
    with pytest.raises(NnvizError) as e:
        load_dataset(write(content), "y", **kwargs)
    assert str(e.value) == message


def test_cli_asks_for_the_task_of_a_one_row_table(capsys, tmp_path):
    data, _ = _write_example(tmp_path)
    code = main(["train", "--data", str(data), "--target", "y", "--steps", "1"])
    _, err = capsys.readouterr()
    assert code == 2
    assert err == ("nnviz: error: one.csv has 1 usable data row, from which the task cannot be "
                   "told; state the task (classification or regression)\n")


@pytest.mark.parametrize("content,ratio,n_test,notice", [
    ("x,y\n1,0\n2,1\n3,0\n", 0.5, 0,
     "data.csv has only 3 rows: every row trains and no test set is held out (test ratio 0)"),
    ("x,y\n" + "".join(f"{i},1\n" for i in range(10)), 0.5, 0,
     "data.csv has one class present: every row trains and no test set is held out (test ratio 0)"),
    ("x,y\n" + "".join(f"{i},{i % 2}\n" for i in range(10)), 0.5, 5, None),
    ("x,y\n1,0\n", 0.0, 0, None),
])
def test_a_tiny_problem_holds_out_no_test_set(write, content, ratio, n_test, notice):
    ds = load_dataset(write(content), "y", task="classification")
    exp = build(settings.Config(features=["x"], test_ratio=ratio, hidden=[2],
                                      standardize=False), ds)
    assert len(exp.test_idx) == n_test and len(exp.train_idx) == ds.n_samples - n_test
    assert exp.notices == ([notice] if notice else [])
    exp.trainer.step()                             # and it trains
    assert np.isfinite(exp.network.params).all() and exp.trainer.step_count == 1
