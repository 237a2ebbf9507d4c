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
    (["--target", "label", "--rows", "0"], "rows"),
    (["--target", "label", "--lr", "nan"], "learning rate"),
])
def test_trace_errors_are_one_line(capsys, files, extra, message):
    w, d = files
    code, out, err = run(capsys, "trace", "--weights", w, "--input", d, *extra)
    assert code == 2 and out == ""
    assert err.startswith("nnviz: error: ") and message in err and err.count("\n") == 1
