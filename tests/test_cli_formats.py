"""``nnviz analyze`` and ``nnviz trace`` read every weights format ``predict`` and ``info`` read.

One network is written in each format with the project's own writers; every command must read
it to the same numbers as the .json file. Formats nnviz only writes (ONNX) are refused by all
four commands with the same one-line error.
"""
import json

import numpy as np
import pytest

from nnviz.cli.main import main
from nnviz.core.model import Model
from nnviz.core.network import Network
from nnviz.data.dataset import Dataset
from nnviz.io import exporters

# The hand-worked 2→2→1 network of tests/test_hand_worked.py (relu, sigmoid, log-loss).
W1 = np.array([[0.1, -0.2], [0.3, 0.4]])
B1 = np.array([0.0, -0.5])
W2 = np.array([[0.5], [-1.0]])
B2 = np.array([0.2])
ROWS = "a,b,label\n1,2,1\n-1,0.5,0\n"


def _model() -> Model:
    net = Network([2, 2, 1], "relu", "sigmoid")
    net.set_weights([(W1, B1), (W2, B2)])
    return Model(net, ["a", "b"], ["a", "b"], None, "classification", "log_loss")


def _write(tmp_path, ext):
    """The hand-worked network as ``w<ext>``, written by nnviz's own exporter (or, for a
    .nnviz session, by the session writer around a run that starts from those weights)."""
    path = tmp_path / f"w{ext}"
    if ext == ".nnviz":
        from nnviz.experiment import Config, build
        from nnviz.io import session_file
        ds = Dataset(np.array([[1.0, 2.0], [-1.0, 0.5], [0.0, 1.0]]), np.array([1.0, 0.0, 1.0]),
                     ["a", "b"], "classification")
        cfg = Config(features=["a", "b"], hidden=[2], activation="relu", test_ratio=0,
                     standardize=False)
        session_file.save(path, build(cfg, ds, _model()))
    else:
        if ext == ".safetensors":
            pytest.importorskip("safetensors")
        exporters.export(_model(), path)
    return path


def run(capsys, *argv):
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


READABLE = [".json", ".npz", ".safetensors", ".nnviz"]


@pytest.fixture
def rows(tmp_path):
    d = tmp_path / "d.csv"
    d.write_text(ROWS)
    return d


@pytest.mark.parametrize("ext", READABLE)
def test_trace_reads_every_format(capsys, tmp_path, rows, ext):
    w = _write(tmp_path, ext)
    code, out, err = run(capsys, "trace", "--weights", w, "--input", rows, "--target", "label",
                         "--lr", "0.5", "--json")
    assert (code, err) == (0, "")
    st = {s["name"]: s for s in json.loads(out)["stages"]}
    # The hand-worked numbers (tests/test_cli_trace.py): E = ½(0.4932489 + 0.8119620),
    # W⁽¹⁾₁₁ ← 0.1 − 0.5·(−0.2363437)
    assert st["loss.forward"]["results"]["E"] == pytest.approx(0.6526054740235793, rel=1e-12)
    assert st["update"]["results"]["new W⁽¹⁾"][0][0] == pytest.approx(0.21817183207442474, rel=1e-12)
    if ext != ".json":  # the same report, number for number, as from the .json file
        ref = _write(tmp_path, ".json")
        assert run(capsys, "trace", "--weights", ref, "--input", rows, "--target", "label",
                   "--lr", "0.5", "--json")[1] == out


@pytest.mark.parametrize("ext", READABLE)
def test_analyze_reads_every_format(capsys, tmp_path, rows, ext):
    w = _write(tmp_path, ext)
    code, out, err = run(capsys, "analyze", w, "--data", rows, "--target", "label",
                         "--resolution", "20", "--gradcheck", "--json")
    assert (code, err) == (0, "")
    rep = json.loads(out)
    assert rep["parameter_count"] == 9 and rep["gradcheck"]["passed"] and rep["regions"]["count"] >= 1
    if ext != ".json":
        ref = _write(tmp_path, ".json")
        assert run(capsys, "analyze", ref, "--data", rows, "--target", "label",
                   "--resolution", "20", "--gradcheck", "--json")[1] == out


def test_formats_nnviz_only_writes_are_refused_alike(capsys, tmp_path, rows):
    """ONNX is written for other tools; all four commands give predict's one-line error."""
    pytest.importorskip("onnx")
    w = tmp_path / "w.onnx"
    exporters.export(_model(), w)
    errors = []
    for argv in (["predict", "--weights", w, "--input", rows], ["info", w],
                 ["analyze", w], ["trace", "--weights", w, "--input", rows, "--target", "label"]):
        code, out, err = run(capsys, *argv)
        assert code == 2 and out == "" and err.count("\n") == 1 and "Traceback" not in err
        errors.append(err)
    assert len(set(errors)) == 1 and errors[0].startswith("nnviz: error: cannot read weights from '.onnx'")
