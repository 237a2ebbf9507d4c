"""``nnviz trace``: one training step on CSV rows, every stage printed."""
import json

import numpy as np
import pytest

from nnviz.io import weights_io
from nnviz.cli.main import main
from nnviz.core.model import Model
from nnviz.core.network import Network

# The hand-worked 2→2→1 network of tests/test_hand_worked.py (relu, sigmoid, log-loss).
W1 = np.array([[0.1, -0.2], [0.3, 0.4]])
B1 = np.array([0.0, -0.5])
W2 = np.array([[0.5], [-1.0]])
B2 = np.array([0.2])


@pytest.fixture
def files(tmp_path):
    net = Network([2, 2, 1], "relu", "sigmoid")
    net.set_weights([(W1, B1), (W2, B2)])
    w = tmp_path / "w.json"
    weights_io.save(Model(net, ["a", "b"], ["a", "b"], None, "classification", "log_loss"), w)
    d = tmp_path / "d.csv"
    d.write_text("a,b,label\n1,2,1\n-1,0.5,0\n")
    return w, d


def run(capsys, *argv):
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_trace_json_has_every_stage_with_the_hand_worked_numbers(capsys, files):
    w, d = files
    before = w.read_bytes()
    code, out, err = run(capsys, "trace", "--weights", w, "--input", d, "--target", "label",
                         "--lr", "0.5", "--json")
    assert code == 0 and err == ""
    rep = json.loads(out)
    names = [s["name"] for s in rep["stages"]]
    assert names == ["dense1.forward", "activation1.forward", "dense2.forward", "activation2.forward",
                     "loss.forward", "loss.backward", "dense2.backward", "activation1.backward",
                     "dense1.backward", "update"]
    st = {s["name"]: s for s in rep["stages"]}
    # Z⁽¹⁾ = X·W⁽¹⁾ + b⁽¹⁾ = [[0.7, 0.1], [0.05, −0.1]]
    np.testing.assert_allclose(st["dense1.forward"]["results"]["Z⁽¹⁾"], [[0.7, 0.1], [0.05, -0.1]], atol=1e-15)
    assert st["dense1.forward"]["matrix_form"][0] == {"equation": "Z⁽¹⁾ = X · W⁽¹⁾ + b⁽¹⁾",
                                                      "shapes": "[2×2]·[2×2] + [1×2] → [2×2]"}
    assert st["dense1.forward"]["index_form"][1] == "z₁ = w₁₁·x₁ + w₂₁·x₂ + b₁ = 0.1·1 + 0.3·2 + 0 = 0.7"
    # E = ½(0.4932489 + 0.8119620) = 0.6526055; W⁽¹⁾₁₁ ← 0.1 − 0.5·(−0.2363437) = 0.2181718
    assert st["loss.forward"]["results"]["E"] == pytest.approx(0.6526054740235793, rel=1e-12)
    assert st["update"]["results"]["new W⁽¹⁾"][0][0] == pytest.approx(0.21817183207442474, rel=1e-12)
    assert w.read_bytes() == before   # the weights file is not changed


def test_trace_text_and_options(capsys, files):
    w, d = files
    code, out, _ = run(capsys, "trace", "--weights", w, "--input", d, "--target", "label",
                       "--notation", "column", "--sample", "2", "--optimizer", "momentum",
                       "--reduction", "sum")
    assert code == 0
    assert "[1/10] dense1.forward: Forward: fully connected layer 1" in out
    assert "{Z⁽¹⁾} = [W⁽¹⁾ᵀ]·{X} ⊕ {b⁽¹⁾}" in out
    # sample 2, x = [−1, 0.5]: z₂ = 0.2 + 0.2 − 0.5 = −0.1
    assert "z₂ = w₁₂·x₁ + w₂₂·x₂ + b₂ = (−0.2)·(−1) + 0.4·0.5 + (−0.5) = −0.1" in out
    assert "∂E/∂W⁽¹⁾ = Xᵀ · δ⁽¹⁾" not in out and "[∂E/∂W⁽¹⁾ᵀ] = {δ⁽¹⁾}·{X}ᵀ" in out
    assert "opt [v W⁽¹⁾ᵀ] (after)" in out and "v ← β·v" in out


@pytest.mark.parametrize("extra, message", [
    (["--target", "nope"], "no column 'nope'"),
    (["--target", "label", "--sample", "3"], "--sample 3 is beyond the batch of 2 rows"),
    (["--target", "label", "--rows", "0"], "--rows must be at least 1 (got 0)"),
    (["--target", "label", "--rows", "-1"], "--rows must be at least 1 (got -1)"),
    (["--target", "label", "--sample", "0"], "--sample must be at least 1 (got 0)"),
    (["--target", "label", "--lr", "nan"], "learning rate"),
])
def test_trace_errors_are_one_line(capsys, files, extra, message):
    """(--rows -1 took the first rows but one, and --sample 0 the batch's last row.)"""
    w, d = files
    code, out, err = run(capsys, "trace", "--weights", w, "--input", d, *extra)
    assert code == 2 and out == ""
    assert err.startswith("nnviz: error: ") and message in err and err.count("\n") == 1


def test_a_two_class_models_target_must_be_two_classes(capsys, files):
    """A sigmoid model's target is 0/1 or two labels; three numbers (2, −7, 0.3) made
    δ₁ = ŷ₁ − y₁ = 0.8764 − 2."""
    w, d = files
    d.write_text("a,b,score\n1,2,2\n-1,0.5,-7\n0,0,0.3\n")
    code, out, err = run(capsys, "trace", "--weights", w, "--input", d, "--target", "score")
    assert code == 2 and out == ""
    assert err.startswith("nnviz: error: d.csv: the target 'score' holds ")
    assert "a two-class model's target is 0 or 1" in err and err.count("\n") == 1


def test_trace_shows_the_raw_rows_and_the_standardized_features(capsys, tmp_path):
    """X in the stages is what the first layer sees; trace says so and shows the file's rows,
    the mean and std, and X = (x − mean)/std."""
    w = tmp_path / "w.json"
    assert main(["train", "--dataset", "circle", "--epochs", "1", "--export", str(w)]) == 0
    csv = tmp_path / "b.csv"
    csv.write_text("x1,x2,y\n1.5,-2,1\n0,0,0\n3,4,1\n")
    capsys.readouterr()
    assert main(["trace", "--weights", str(w), "--input", str(csv), "--target", "y", "--json"]) == 0
    inputs = json.loads(capsys.readouterr().out)["inputs"]
    model = weights_io.load(w)
    raw = np.array([[1.5, -2], [0, 0], [3, 4]])
    assert inputs["standardized"] and inputs["raw_X"] == raw.tolist()
    mean, std = np.array(inputs["mean"]), np.array(inputs["std"])
    np.testing.assert_array_equal(np.array(inputs["X"]), model.transform(raw))
    np.testing.assert_allclose(np.array(inputs["X"]), (raw - mean) / std, rtol=1e-15)
    assert main(["trace", "--weights", str(w), "--input", str(csv), "--target", "y"]) == 0
    text = capsys.readouterr().out
    assert text.startswith("[0] the batch: the file's columns x1, x2 [3×2] =")
    assert "standardized with the training rows' mean and std: X = (x − mean)/std" in text


def test_the_log_loss_index_form_explains_a_probability_rounded_to_1():
    """ŷ = σ(40) rounds to 1.0: log(1 − ŷ) would be log(0); the line says e comes from the logit."""
    from nnviz.core import losses
    from nnviz.core.trainer import Trainer
    from nnviz.explain import equations as explain

    net = Network([1, 1, 1], "identity", "sigmoid")
    net.set_weights([(np.array([[1.0]]), np.array([0.0])), (np.array([[1.0]]), np.array([0.0]))])
    tr = Trainer(net, losses.make("log_loss", "sigmoid"), np.array([[40.0]]), np.array([0.0]),
                 batch_size=None, shuffle=False)
    loss_stage = [s for s in tr.stage_step() if s.kind == "loss_forward"][0]
    line = explain.index_form(loss_stage, 0)[0]
    assert "log(0) = −∞" in line and "softplus(z) − y·z" in line
    assert line.split("   (")[0].endswith("= 40")   # e = softplus(40) − 0 = 40, finite
