"""Weights out of nnviz in every format, and back in: real tools load them and predict the same."""
import json
import os
import subprocess
import sys

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from nnviz.io import exporters
from nnviz.cli.main import main as cli_main
from nnviz.errors import NnvizError
from nnviz.experiment import Config, build
from nnviz.io.exporters import folding, onnx_file, python_file, safetensors_file

ARCHITECTURES = {
    "default": Config(seed=3, features=["x1", "x2", "x1^2", "sin(x2)", "x1*x2"], hidden=[5]),
    "deep_relu": Config(seed=4, hidden=[6, 3], activation=["relu", "leaky_relu"],
                        features=["x2", "x1", "x2^2"]),
    "regression_unscaled": Config(seed=5, dataset="sine", features=["sin(x1)", "sin(x2)", "x1"],
                                  hidden=[4], activation="identity", standardize=False),
    # any depth: no hidden layer (logistic and linear regression) and three hidden layers
    "no_hidden": Config(seed=6, hidden=[], features=["x1", "x2", "x1^2"]),
    "no_hidden_regression": Config(seed=7, dataset="plane", hidden=[]),
    "three_hidden": Config(seed=8, hidden=[5, 4, 3], activation=["tanh", "relu", "sigmoid"],
                           features=["x1", "x2", "x1*x2"]),
}


def trained(name="default", steps=150):
    exp = build(ARCHITECTURES[name])
    exp.trainer.steps(steps)
    return exp.model


@pytest.fixture(scope="module")
def X():
    return np.random.default_rng(7).uniform(-6, 6, size=(300, 2))


def needs(*exts):
    """Skip (rather than fail) where a format's optional package is not installed."""
    for ext in exts:
        module = exporters.REQUIRES.get(ext, (None,))[0]
        if module:
            pytest.importorskip(module)


@pytest.mark.parametrize("arch", list(ARCHITECTURES))
@pytest.mark.parametrize("ext", [".json", ".npz", ".safetensors"])
def test_round_trip_app_file_app_identical(tmp_path, X, arch, ext):
    needs(ext)
    model = trained(arch)
    path = tmp_path / f"w{ext}"
    assert exporters.export(model, path) == path
    back = exporters.load(path)
    np.testing.assert_array_equal(back.predict(X), model.predict(X))
    np.testing.assert_array_equal(back.network.params, model.network.params)
    assert back.network.sizes == model.network.sizes
    assert back.network.activations == model.network.activations
    assert back.features == model.features and back.task == model.task and back.loss == model.loss
    assert (back.scaler is None) == (model.scaler is None)


@pytest.mark.parametrize("arch", list(ARCHITECTURES))
def test_onnx_pipeline_equals_engine(tmp_path, X, arch):
    onnx = pytest.importorskip("onnx")
    ort = pytest.importorskip("onnxruntime")
    model = trained(arch)
    path = tmp_path / "m.onnx"
    exporters.export(model, path)
    proto = onnx.load(str(path))
    onnx.checker.check_model(proto, full_check=True)
    assert proto.ir_version == 8
    assert [(o.domain, o.version) for o in proto.opset_import] == [("", 17)]
    assert [i.name for i in proto.graph.input] == ["inputs"]
    assert [o.name for o in proto.graph.output] == ["output"]
    dims = [d.dim_value or d.dim_param for d in proto.graph.input[0].type.tensor_type.shape.dim]
    assert dims == ["N", 2]
    sess = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    X32 = X.astype(np.float32)
    out = sess.run(None, {"inputs": X32})[0]
    assert out.shape == (len(X), 1)
    expected = model.predict(X32.astype(np.float64))
    assert np.abs(out[:, 0] - expected).max() <= 1e-6
    # the features really are computed inside the graph: a wrong feature would break this
    meta = {p.key: p.value for p in proto.metadata_props}
    assert json.loads(meta["nnviz"])["features"] == model.features


def test_safetensors_tensors_changed_elsewhere_are_refused(tmp_path):
    """Trained on in PyTorch and saved with the same metadata, a file whose scaling was folded
    into its first layer read that layer from the metadata and the others from the tensors:
    P = 0.9937 in nnviz for 0.9975 in torch, without a word. It is refused."""
    needs(".safetensors")
    from safetensors import safe_open
    from safetensors.numpy import save_file

    exp = build(Config())                         # x1, x2 standardized: folded into layer 1
    exp.trainer.steps(20)
    model = exp.model
    path = tmp_path / "w.safetensors"
    exporters.export(model, path)
    assert exporters.load(path).network.params.tolist() == model.network.params.tolist()
    with safe_open(str(path), "np") as f:
        meta, tensors = f.metadata(), {k: f.get_tensor(k) for k in f.keys()}
    assert "scaling" in meta                      # the case: a layer with the scaling folded in
    save_file({k: 2 * v for k, v in tensors.items()}, str(path), metadata=meta)
    with pytest.raises(NnvizError, match="'0.weight' is not the weights in the file's nnviz "
                                         "metadata with the input or target scaling folded in"):
        exporters.load(path)


def test_safetensors_layout_and_metadata(tmp_path):
    needs(".safetensors")
    from safetensors import safe_open
    model = trained("deep_relu")
    path = tmp_path / "w.safetensors"
    exporters.export(model, path)
    with safe_open(str(path), "np") as f:
        keys = sorted(f.keys())
        meta = f.metadata()
        W0 = f.get_tensor("0.weight")
    assert keys == ["0.bias", "0.weight", "2.bias", "2.weight", "4.bias", "4.weight"]
    assert W0.shape == (6, 3)  # (M, p): PyTorch's Linear layout
    np.testing.assert_array_equal(W0, model.network.dense[0].W.T)
    header = json.loads(meta["nnviz"])
    assert header["features"] == ["x2", "x1", "x2^2"]
    assert header["input_scaling"]["mean"] == list(model.scaler.mean)
    assert meta["pytorch"] == ("nn.Sequential(nn.Linear(3, 6), nn.ReLU(), nn.Linear(6, 3), "
                               "nn.LeakyReLU(0.01), nn.Linear(3, 1), nn.Sigmoid())")
    torch = pytest.importorskip("torch")          # the text builds the module it names
    net = eval(meta["pytorch"], {"nn": torch.nn})  # (a test of the text nnviz wrote)
    with safe_open(str(path), "np") as f:
        state = {k: torch.from_numpy(f.get_tensor(k)).float() for k in keys}
    net.load_state_dict(state, strict=True)


_TORCH = {"tanh": "Tanh()", "relu": "ReLU()", "sigmoid": "Sigmoid()", "identity": "Identity()",
          "leaky_relu": "LeakyReLU(0.01)"}


@pytest.mark.parametrize("arch", list(ARCHITECTURES))
def test_safetensors_loads_into_torch_strict(tmp_path, X, arch):
    torch = pytest.importorskip("torch")
    from safetensors import safe_open
    from safetensors.torch import load_file
    model = trained(arch)
    path = tmp_path / "w.safetensors"
    exporters.export(model, path)
    # the Sequential written out here from the sizes, not taken from the file
    sizes, acts = model.network.sizes, model.network.activations
    parts = [f"Linear({a}, {b}), {_TORCH[name]}" for a, b, name in zip(sizes[:-1], sizes[1:], acts)]
    text = f"Sequential({', '.join(parts)})"
    if arch == "no_hidden":
        assert text == "Sequential(Linear(3, 1), Sigmoid())"
    net = eval(text, vars(torch.nn)).double()
    with safe_open(str(path), "np") as f:
        assert sorted(f.keys()) == sorted(f"{2 * k}.{t}" for k in range(len(acts))
                                          for t in ("weight", "bias"))
        written = [f"nn.Linear({a}, {b}), nn.{_TORCH[name]}"
                   for a, b, name in zip(sizes[:-1], sizes[1:], acts)]
        assert f.metadata()["pytorch"] == f"nn.Sequential({', '.join(written)})"
    result = net.load_state_dict(load_file(str(path)), strict=True)
    assert not result.missing_keys and not result.unexpected_keys
    # the Sequential needs no scaling code: where the features are the raw inputs it takes
    # them as they are (their standardization is in the first layer), and a regression's
    # target scaling is in the last layer
    raw_inputs = folding.features_are_inputs(model) and model.scaler is not None
    F = torch.from_numpy(np.ascontiguousarray(X) if raw_inputs else model.transform(X))
    with torch.no_grad():
        out = net(F).numpy()[:, 0]
    assert np.abs(out - model.predict(X)).max() <= 1e-12


def test_python_export_runs_standalone(tmp_path, X):
    for arch in ARCHITECTURES:
        model = trained(arch)
        script = tmp_path / f"net_{arch}.py"
        exporters.export(model, script)
        csv = tmp_path / "in.csv"
        csv.write_text("x1,x2\n" + "\n".join(f"{a!r},{b!r}" for a, b in X.tolist()) + "\n")
        # as a program, in a clean interpreter that has only NumPy to offer
        run = subprocess.run([sys.executable, "-I", str(script), str(csv)], capture_output=True,
                             text=True, timeout=60, cwd=tmp_path)
        assert run.returncode == 0, run.stderr
        got = np.array([float(v) for v in run.stdout.split()])
        np.testing.assert_array_equal(got, model.predict(X))
        if arch != "default":
            continue
        # as a module: predict(X)
        code = (f"import importlib.util, json, numpy as np\n"
                f"spec = importlib.util.spec_from_file_location('net', {str(script)!r})\n"
                f"mod = importlib.util.module_from_spec(spec); spec.loader.exec_module(mod)\n"
                f"print(json.dumps(mod.predict(np.array({X[:20].tolist()!r})).tolist()))\n")
        run = subprocess.run([sys.executable, "-I", "-c", code], capture_output=True, text=True,
                             timeout=60, cwd=tmp_path)
        assert run.returncode == 0, run.stderr
        np.testing.assert_array_equal(np.array(json.loads(run.stdout)), model.predict(X[:20]))


def test_python_export_quotes_hostile_names():
    from nnviz.data.features import Scaler
    from nnviz.core.model import Model
    from nnviz.core.network import Network
    net = Network([2, 2, 1])
    net.params[:] = np.linspace(-1, 1, net.params.size)
    evil = ['a"""\nimport os; os.system("x")#', "b'\\"]
    model = Model(net, evil, evil, Scaler([0.0, 1.0], [1.0, 2.0]))
    text = python_file.source(model)
    ns = {}
    exec(compile(text, "net.py", "exec"), ns)  # a test of the generated text only
    assert ns["INPUTS"] == evil
    np.testing.assert_array_equal(ns["predict"](np.array([[1.0, 2.0]])), model.predict(np.array([[1.0, 2.0]])))


def test_python_export_writes_k_class_labels_as_csv(tmp_path):
    """A class named "big, cat" is one quoted field of the script's output, as nnviz predict
    writes it (it printed big, cat,0.65… — a row of one field too many)."""
    import csv as csv_module

    from nnviz.core.model import Model
    from nnviz.core.network import Network
    net = Network([2, 3], "tanh", "softmax")
    net.set_weights([(np.array([[2.0, 0.0, -2.0], [0.0, 0.0, 0.0]]), np.zeros(3))])
    model = Model(net, ["x1", "x2"], ["x1", "x2"], None, "classification", "cross_entropy",
                  ["big, cat", 'the "dog"', "eel"])
    script = tmp_path / "net.py"
    exporters.export(model, script)
    (tmp_path / "in.csv").write_text("x1,x2\n3,0\n-3,0\n")
    run = subprocess.run([sys.executable, "-I", str(script), str(tmp_path / "in.csv")],
                         capture_output=True, text=True, timeout=60, cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    rows = list(csv_module.reader(run.stdout.splitlines()))
    assert [r[0] for r in rows] == ["big, cat", "eel"] and all(len(r) == 4 for r in rows)
    np.testing.assert_array_equal(np.array([[float(v) for v in r[1:]] for r in rows]),
                                  model.predict(np.array([[3.0, 0.0], [-3.0, 0.0]])))


def test_csv_folder_holds_every_matrix(tmp_path):
    model = trained("deep_relu")
    written = exporters.export(model, tmp_path / "weights.csv")
    assert written == tmp_path / "weights" and written.is_dir()
    assert sorted(p.name for p in written.iterdir()) == [
        "README.txt", "W1.csv", "W2.csv", "W3.csv", "b1.csv", "b2.csv", "b3.csv", "scaling.csv"]
    rows = (written / "W1.csv").read_text().splitlines()
    assert rows[0].split(",")[1:] == ["h1_1", "h1_2", "h1_3", "h1_4", "h1_5", "h1_6"]
    W1 = np.array([[float(v) for v in r.split(",")[1:]] for r in rows[1:]])
    np.testing.assert_array_equal(W1, model.network.dense[0].W)
    assert [r.split(",")[0] for r in rows[1:]] == ["x2", "x1", "x2^2"]
    b3 = (written / "b3.csv").read_text().splitlines()
    assert b3[0] == "output" and float(b3[1]) == model.network.dense[2].b[0]
    # a second export replaces the first; a folder holding other files is refused
    other = trained("default")
    exporters.export(other, str(tmp_path / "weights") + os.sep)
    assert not (written / "W3.csv").exists() and (written / "W2.csv").exists()
    (written / "notes.txt").write_text("mine")
    with pytest.raises(NnvizError, match="other files"):
        exporters.export(model, written)
    assert (written / "notes.txt").read_text() == "mine"


def test_missing_package_names_what_to_install(tmp_path, monkeypatch):
    import importlib.util
    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec",
                        lambda name, *a: None if name in ("onnx", "safetensors") else real(name, *a))
    assert exporters.missing_package(".onnx") == "onnx"
    assert exporters.missing_package(".json") is None
    for ext, package in ((".onnx", "onnx"), (".safetensors", "safetensors")):
        with pytest.raises(NnvizError, match=f"needs the '{package}' package: pip install 'nnviz\\[export\\]'"):
            exporters.export(trained(), tmp_path / f"w{ext}")
        assert not (tmp_path / f"w{ext}").exists()


def good_bytes(ext, tmp_path):
    path = tmp_path / f"good{ext}"
    exporters.export(trained(), path)
    return path.read_bytes()


@pytest.mark.parametrize("ext", [".json", ".npz", ".safetensors"])
def test_corrupted_and_truncated_files_rejected(tmp_path, ext):
    needs(ext)
    data = good_bytes(ext, tmp_path)
    bad = tmp_path / f"bad{ext}"
    enc = "utf-32-le" if ext == ".npz" else "utf-8"  # NumPy stores the header as UTF-32
    renamed = data.replace("tanh".encode(enc), "tanq".encode(enc))
    assert renamed != data
    for blob in (data[: len(data) // 2], data[:7], b"", b"\x00" * 64, renamed):
        bad.write_bytes(blob)
        with pytest.raises(NnvizError) as info:
            exporters.load(bad)
        msg = str(info.value)
        assert msg.startswith(f"bad{ext}:") or str(bad) in msg, msg
        assert "\n" not in msg


def test_safetensors_rejects_wrong_shapes_and_foreign_files(tmp_path):
    needs(".safetensors")
    from safetensors.numpy import save_file
    model = trained()
    raw = safetensors_file.to_bytes(model)
    meta = safetensors_file._metadata(raw, "x")
    tensors = {"0.weight": np.zeros((5, 4)), "0.bias": np.zeros(5), "2.weight": np.zeros((1, 5)),
               "2.bias": np.zeros(1)}  # 4 inputs where the metadata says 5 features
    save_file(tensors, str(tmp_path / "a.safetensors"), metadata=meta)
    with pytest.raises(NnvizError, match="layer 1 weights have 4 rows but its input has 5"):
        exporters.load(tmp_path / "a.safetensors")
    save_file({"0.weight": np.zeros((5, 2))}, str(tmp_path / "b.safetensors"))
    with pytest.raises(NnvizError, match="no nnviz metadata"):
        exporters.load(tmp_path / "b.safetensors")
    tensors = {**{k: np.zeros_like(v) for k, v in tensors.items()}, "0.weight": np.full((5, 5), np.nan)}
    save_file(tensors, str(tmp_path / "c.safetensors"), metadata=meta)
    with pytest.raises(NnvizError, match="NaN or infinite"):
        exporters.load(tmp_path / "c.safetensors")


@pytest.fixture(scope="module")
def fuzz_good():
    needs(".safetensors")
    return safetensors_file.to_bytes(trained("default", 10))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(blob=st.binary(max_size=400), cut=st.integers(0, 2000), flip=st.integers(0, 2000))
def test_safetensors_reader_fuzz(fuzz_good, blob, cut, flip):
    good = fuzz_good
    mutated = bytearray(good[: max(cut, 1)] if cut < len(good) else good)
    mutated[flip % len(mutated)] ^= 0xFF
    for data in (blob, bytes(mutated), good[:cut] + blob):
        try:
            safetensors_file.from_bytes(data, "fuzz")
        except NnvizError:
            pass



@pytest.mark.parametrize("ext", [".json", ".npz", ".safetensors", ".onnx", ".py", ".csv"])
def test_interrupted_write_keeps_old_file(tmp_path, monkeypatch, ext):
    needs(ext)
    old_model, new_model = trained("default", 10), trained("deep_relu", 10)
    target = exporters.export(old_model, tmp_path / f"w{ext}")
    before = {p.name: p.read_bytes() for p in target.iterdir()} if target.is_dir() else target.read_bytes()

    def broken(src, dst):
        raise OSError(28, "No space left on device")
    monkeypatch.setattr(os, "replace", broken)
    with pytest.raises(NnvizError, match="No space left on device"):
        exporters.export(new_model, tmp_path / f"w{ext}")
    monkeypatch.undo()
    after = {p.name: p.read_bytes() for p in target.iterdir()} if target.is_dir() else target.read_bytes()
    assert after == before
    assert sorted(p.name for p in tmp_path.iterdir()) == [target.name]  # no temporary left


def test_cli_train_export_and_convert(tmp_path, capsys):
    needs(".onnx", ".safetensors")
    onnx_path, st_path = tmp_path / "w.onnx", tmp_path / "w.safetensors"
    assert cli_main(["train", "--epochs", "3", "--features", "x1,x2,x1^2", "--export", str(st_path)]) == 0
    capsys.readouterr()
    assert cli_main(["convert", str(st_path), str(onnx_path)]) == 0
    assert "3 → 4 → 1" in capsys.readouterr().out
    model = exporters.load(st_path)
    assert onnx_file.build(model).SerializeToString() == onnx_path.read_bytes()
    assert cli_main(["convert", str(st_path), str(tmp_path / "w.py")]) == 0
    assert cli_main(["convert", str(st_path), str(tmp_path / "folder.csv")]) == 0
    assert (tmp_path / "folder" / "W1.csv").exists()
    # predict and --weights read safetensors
    csv = tmp_path / "in.csv"
    csv.write_text("x1,x2\n1.5,-2\n0,0\n")
    capsys.readouterr()
    assert cli_main(["predict", "--weights", str(st_path), "--input", str(csv)]) == 0
    lines = capsys.readouterr().out.split()
    assert lines[0] == "probability"
    np.testing.assert_array_equal([float(v) for v in lines[1:]], model.predict(np.array([[1.5, -2], [0, 0]])))
    assert cli_main(["train", "--epochs", "1", "--weights", str(st_path), "--json"]) == 0
    # errors: one line, exit 2
    capsys.readouterr()
    assert cli_main(["convert", str(onnx_path), str(tmp_path / "x.json")]) == 2
    err = capsys.readouterr().err
    assert err.startswith("nnviz: error: cannot read weights from '.onnx'") and err.count("\n") == 1
    assert cli_main(["train", "--epochs", "1", "--export", str(tmp_path / "w.txt")]) == 2
    assert "unknown export format '.txt'" in capsys.readouterr().err
    assert not (tmp_path / "x.json").exists()
