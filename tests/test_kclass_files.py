"""K-class networks in every file format: weights JSON/NPZ, sessions, ONNX, safetensors, .py,
CSV folder, and the predict command."""
import json
import subprocess
import sys
from importlib.resources import files

import numpy as np
import pytest

from nnviz.cli.main import main as cli_main
from nnviz.data import csvdata
from nnviz.experiment import Config, build
from nnviz.io import exporters, session_file, weights_io
from nnviz.io.exporters import csv_folder, python_file

IRIS = files("nnviz.data") / "samples" / "iris.csv"


def _iris_exp(steps=300, **kw):
    ds = csvdata.load_dataset(IRIS, "species")
    cfg = dict(hidden=[6], lr=0.1, batch_size=16, test_ratio=0.3, seed=1, features=ds.inputs)
    cfg.update(kw)
    exp = build(Config(**cfg), dataset=ds)
    exp.trainer.steps(steps)
    return exp


@pytest.fixture(scope="module")
def model():
    return _iris_exp().model


@pytest.fixture(scope="module")
def X():
    ds = csvdata.load_dataset(IRIS, "species")
    return ds.X


def test_weights_json_carries_softmax_and_classes(tmp_path, model, X):
    d = weights_io.to_dict(model)
    assert d["version"] == 1 and d["classes"] == ["setosa", "versicolor", "virginica"]
    assert d["layers"][-1]["activation"] == "softmax" and d["loss"] == "cross_entropy"
    assert len(d["layers"][-1]["biases"]) == 3
    for ext in (".json", ".npz"):
        path = tmp_path / f"w{ext}"
        exporters.export(model, path)
        back = exporters.load(path)
        assert back.classes == model.classes and back.network.sizes == [4, 6, 3]
        np.testing.assert_array_equal(back.predict(X), model.predict(X))


def test_version_1_two_class_files_read_and_write_as_before():
    exp = build(Config(seed=2, hidden=[3]))
    d = weights_io.to_dict(exp.model)
    assert "classes" not in d and d["layers"][-1]["activation"] == "sigmoid"
    back = weights_io.from_dict(json.loads(json.dumps(d)))
    assert back.classes is None and back.network.sizes == [2, 3, 1]


def test_k_class_json_without_classes_names_the_units_and_bad_ones_are_refused(model):
    d = json.loads(weights_io.dumps(model))
    del d["classes"]
    assert weights_io.from_dict(d).classes == ["0", "1", "2"]
    d["classes"] = ["a", "a", "b"]
    with pytest.raises(Exception, match="name each of the 3 output units once"):
        weights_io.from_dict(d)
    d["classes"] = ["a", "b", "c"]
    d["loss"] = "log_loss"
    with pytest.raises(Exception, match="log_loss needs a sigmoid"):
        weights_io.from_dict(d)


def test_session_save_open_continue_equals_uninterrupted_for_k_classes(tmp_path):
    cfg = dict(optimizer="adam", batch_size=7, l2=0.001, hidden=[5, 4], activation=["relu", "tanh"])
    a = _iris_exp(steps=0, **cfg)
    initial = a.network.params.copy(), a.rng.bit_generator.state
    a.trainer.steps(123)
    path = tmp_path / "s.nnviz"
    session_file.save(path, a, initial_params=initial[0], initial_rng=initial[1])
    b = session_file.load(path).experiment
    assert b.model.classes == ["setosa", "versicolor", "virginica"] and b.network.sizes[-1] == 3
    a.trainer.steps(200)
    b.trainer.steps(200)
    c = _iris_exp(steps=323, **cfg)
    for other in (a, b):
        np.testing.assert_array_equal(other.network.params, c.network.params)
        np.testing.assert_array_equal(other.trainer.history.test_metric, c.trainer.history.test_metric)


def test_generated_k_class_session_round_trips(tmp_path):
    exp = build(Config(dataset="blobs4", hidden=[5], seed=2))
    exp.trainer.steps(20)
    back = session_file.from_bytes(session_file.to_bytes(exp)).experiment
    assert back.dataset.n_classes == 4
    np.testing.assert_array_equal(back.network.params, exp.network.params)


def test_onnx_matches_predict_on_float32(tmp_path, model, X):
    ort = pytest.importorskip("onnxruntime")
    path = tmp_path / "m.onnx"
    exporters.export(model, path)
    sess = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    X32 = X.astype(np.float32)
    probs, labels = sess.run(["output", "label"], {"inputs": X32})
    assert probs.shape == (150, 3) and labels.shape == (150,) and labels.dtype == np.int64
    expect = model.predict(X32.astype(np.float64))
    np.testing.assert_allclose(probs, expect, atol=1e-6, rtol=0)
    np.testing.assert_array_equal(labels, expect.argmax(axis=1))


def test_onnx_agrees_with_the_predict_command(tmp_path, model, X, capsys):
    ort = pytest.importorskip("onnxruntime")
    wpath, opath, inp = tmp_path / "w.json", tmp_path / "m.onnx", tmp_path / "in.csv"
    exporters.export(model, wpath)
    exporters.export(model, opath)
    X32 = X.astype(np.float32)
    inp.write_text(",".join(model.inputs) + "\n"
                   + "".join(",".join(repr(float(v)) for v in row) + "\n" for row in X32))
    assert cli_main(["predict", "--weights", str(wpath), "--input", str(inp)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "label,P(setosa),P(versicolor),P(virginica)"
    cli_labels = [line.split(",")[0] for line in lines[1:]]
    cli_p = np.array([[float(v) for v in line.split(",")[1:]] for line in lines[1:]])
    probs, labels = ort.InferenceSession(str(opath), providers=["CPUExecutionProvider"]).run(
        None, {"inputs": X32})
    np.testing.assert_allclose(probs, cli_p, atol=1e-6, rtol=0)
    assert cli_labels == [model.classes[k] for k in labels]


def test_safetensors_loads_into_torch_sequential_strict(tmp_path, model, X):
    torch = pytest.importorskip("torch")
    pytest.importorskip("safetensors")
    from safetensors.torch import load_file
    path = tmp_path / "m.safetensors"
    exporters.export(model, path)
    net = torch.nn.Sequential(torch.nn.Linear(4, 6), torch.nn.Tanh(), torch.nn.Linear(6, 3),
                              torch.nn.Softmax(dim=1)).double()
    net.load_state_dict(load_file(str(path)), strict=True)
    with torch.no_grad():   # the raw columns: their standardization is in the first layer
        out = net(torch.from_numpy(np.ascontiguousarray(X, dtype=np.float64))).numpy()
    np.testing.assert_allclose(out, model.predict(X), atol=1e-12, rtol=0)
    assert exporters.load(path).classes == model.classes


def test_python_export_returns_probabilities_and_labels(tmp_path, model, X):
    path = tmp_path / "m.py"
    exporters.export(model, path)
    ns = {}
    exec(compile(path.read_text(), str(path), "exec"), ns)
    P, labels = ns["predict"](X)
    np.testing.assert_array_equal(P, model.predict(X))
    assert labels == [model.classes[k] for k in model.predict(X).argmax(axis=1)]
    inp = tmp_path / "in.csv"
    inp.write_text(",".join(model.inputs) + "\n" + "5.1,3.5,1.4,0.2\n")
    out = subprocess.run([sys.executable, str(path), str(inp)], capture_output=True, text=True,
                         check=True).stdout.split(",")
    assert out[0] == "setosa" and len(out) == 4


def test_csv_folder_has_one_column_per_class(model):
    out = csv_folder.files(model)
    assert out["W2.csv"].splitlines()[0] == "W2 (from\\to),P(setosa),P(versicolor),P(virginica)"
    assert len(out["b2.csv"].splitlines()[1].split(",")) == 3
    assert "one probability per class" in out["README.txt"]


def test_train_json_reports_accuracy_for_k_classes(tmp_path, capsys):
    path = tmp_path / "wine.csv"
    rng = np.random.default_rng(0)
    centres = {"barbera": (0, 0), "barolo": (4, 0), "grignolino": (0, 4)}
    rows = [(c, *(np.array(xy) + rng.standard_normal(2))) for c, xy in centres.items() for _ in range(30)]
    path.write_text("a,b,wine\n" + "".join(f"{float(a)!r},{float(b)!r},{c}\n" for c, a, b in rows))
    assert cli_main(["train", "--data", str(path), "--target", "wine", "--json", "--epochs", "100",
                     "--lr", "0.3", "--test-ratio", "0.3"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["test_accuracy"] >= 0.9 and result["classes"] == ["barbera", "barolo", "grignolino"]
    assert result["parameter_count"] == (2 + 1) * 4 + (4 + 1) * 3
    assert cli_main(["train", "--data", str(path), "--target", "wine", "--task", "classification",
                     "--steps", "1"]) == 0
    capsys.readouterr()
    assert cli_main(["train", "--data", str(path), "--target", "wine", "--loss", "log_loss"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("nnviz: error: ") and err.count("\n") == 1 and "cross_entropy" in err


def test_constant_column_is_a_note_not_an_error(tmp_path, capsys):
    path = tmp_path / "c.csv"
    path.write_text("a,px0,y\n" + "".join(f"{i},0,{i % 2}\n" for i in range(20)))
    assert cli_main(["train", "--data", str(path), "--target", "y", "--json", "--steps", "3"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["notices"] == ["feature 'px0' is constant (every row is 0); it is kept and "
                                 "standardizes to 0"]
