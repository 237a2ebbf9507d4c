"""A regression target standardized with the training rows' mean and std: the network learns
(y − μ_y)/σ_y, and every value a user sees or exports is back in the target's own units."""
import io
import json
import zipfile
from pathlib import Path

import numpy as np
import pytest

from nnviz.cli.main import main as cli_main
from nnviz.core import losses
from nnviz.core.history import metric, rmse
from nnviz.core.trainer import Trainer
from nnviz.data import csvdata, target
from nnviz.errors import NnvizError
from nnviz.experiment import Config, build
from nnviz.explain import analysis
from nnviz.io import exporters, session_file, weights_io
from nnviz.io.exporters import folding

DIABETES = Path(__file__).resolve().parent.parent / "nnviz" / "data" / "samples" / "diabetes.csv"


@pytest.fixture(scope="module")
def diabetes():
    return csvdata.load_dataset(DIABETES, "progression")


def diabetes_run(ds, epochs=0, **kw):
    exp = build(Config(features=list(ds.inputs), **kw), ds)
    exp.trainer.steps(epochs * exp.trainer.steps_per_epoch)
    return exp


def least_squares_r2(exp) -> float:
    """Test R² of ordinary least squares with an intercept on the run's own split."""
    X, y = exp.dataset.X, exp.dataset.y
    b0, beta = analysis.least_squares(X[exp.train_idx], y[exp.train_idx])
    return metric("regression", y[exp.test_idx], X[exp.test_idx] @ beta + b0)


def test_mean_and_std_come_from_the_training_rows_only(diabetes):
    exp = diabetes_run(diabetes)
    ts = exp.model.target_scaler
    y_train = diabetes.y[exp.train_idx]
    assert ts.mean[0] == y_train.mean() and ts.std[0] == y_train.std()
    assert ts.mean[0] != diabetes.y.mean()          # the test rows are not in it
    scaled = exp.targets[exp.train_idx]
    assert abs(scaled.mean()) < 1e-12 and abs(scaled.std() - 1) < 1e-12
    np.testing.assert_array_equal(np.sort(exp.trainer.y.reshape(-1)), np.sort(scaled))


def test_diabetes_starts_near_one_and_gets_within_005_of_least_squares(diabetes):
    start = diabetes_run(diabetes)
    h = start.trainer.history
    assert 0.5 < h.train_loss[0] < 2.0 and 0.5 < h.test_loss[0] < 2.0   # 1.12 and 1.00
    exp = diabetes_run(diabetes, epochs=100)                           # the CLI's default
    r2 = exp.trainer.history.test_metric[-1]
    ols = least_squares_r2(exp)
    assert abs(r2 - ols) <= 0.05, (r2, ols)                            # 0.462 and 0.494
    # the old way, the target in its own units, started in the thousands
    raw = diabetes_run(diabetes, standardize_target=False)
    assert raw.trainer.history.train_loss[0] > 1000


def test_metrics_and_predictions_are_in_the_targets_units(diabetes):
    exp = diabetes_run(diabetes, epochs=5)
    tr, model = exp.trainer, exp.model
    ts = model.target_scaler
    idx = exp.test_idx
    pred = model.predict(diabetes.X[idx])
    net_out = exp.network.predict(exp.F_test)[:, 0]
    np.testing.assert_array_equal(pred, net_out * ts.std[0] + ts.mean[0])
    tr.record_history()
    # R² from the unscaled predictions is the history's (it does not depend on the units)
    assert abs(metric("regression", diabetes.y[idx], pred) - tr.history.test_metric[-1]) < 1e-12
    # RMSE in the target's units: σ_y times the one of the standardized loss
    direct = float(np.sqrt(np.mean((pred - diabetes.y[idx]) ** 2)))
    got = target.unscale_rmse(rmse("squared_error", tr.history.test_loss[-1]), ts)
    assert abs(got - direct) <= 1e-9 * direct and direct > 30      # tens of progression points


def test_off_reproduces_the_old_run_exactly(diabetes):
    """--no-standardize-target is the run as it was: a trainer on the raw targets."""
    exp = diabetes_run(diabetes, epochs=20, standardize_target=False)
    assert exp.model.target_scaler is None
    ref = build(Config(features=list(diabetes.inputs), standardize_target=False), diabetes)
    tr = Trainer(ref.network, ref.trainer.loss, ref.F_train, diabetes.y[ref.train_idx], ref.F_test,
                 diabetes.y[ref.test_idx], task="regression", config=ref.config, rng=ref.rng)
    tr.steps(20 * tr.steps_per_epoch)
    np.testing.assert_array_equal(exp.network.params, ref.network.params)
    assert exp.trainer.history.to_dict() == tr.history.to_dict()


def test_cli_off_gives_the_numbers_it_always_gave(capsys):
    """The figures of `nnviz train` before targets were standardized, to the last bit."""
    assert cli_main(["train", "--data", str(DIABETES), "--target", "progression", "--epochs", "20",
                     "--no-standardize-target", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["train_loss"] == 1832.7630937552324 and out["test_loss"] == 1879.8257634483698
    assert out["train_r2"] == 0.3805479201778511 and out["test_r2"] == 0.36639994390452313
    assert out["loss_units"] == "target"
    assert abs(out["test_rmse"] - np.sqrt(2 * out["test_loss"])) < 1e-9


def test_cli_json_and_predict_are_in_the_targets_units(tmp_path, capsys):
    w = tmp_path / "w.json"
    assert cli_main(["train", "--data", str(DIABETES), "--target", "progression", "--json",
                     "--export", str(w)]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["loss_units"] == "standardized target"
    assert out["train_loss"] < 1 and 30 < out["test_rmse"] < 80       # 0.21 and 56.5
    assert abs(out["test_rmse"] - weights_io.load(w).target_scaler.std[0]
               * np.sqrt(2 * out["test_loss"])) < 1e-9
    assert cli_main(["predict", "--weights", str(w), "--input", str(DIABETES)]) == 0
    pred = np.array([float(v) for v in capsys.readouterr().out.split()[1:]])
    ds = csvdata.load_dataset(DIABETES, "progression")
    assert 100 < pred.mean() < 200                                   # progression, not ~0
    assert metric("regression", ds.y, pred) > 0.4


@pytest.mark.parametrize("ext", [".json", ".npz", ".safetensors"])
def test_weights_files_keep_the_target_scaling(tmp_path, diabetes, ext):
    if ext == ".safetensors":
        pytest.importorskip("safetensors")
    model = diabetes_run(diabetes, epochs=3).model
    path = tmp_path / f"w{ext}"
    exporters.export(model, path)
    back = exporters.load(path)
    np.testing.assert_array_equal(back.target_scaler.mean, model.target_scaler.mean)
    np.testing.assert_array_equal(back.target_scaler.std, model.target_scaler.std)
    np.testing.assert_array_equal(back.network.params, model.network.params)
    np.testing.assert_array_equal(back.predict(diabetes.X), model.predict(diabetes.X))


def test_older_weights_files_read_as_no_target_scaling(diabetes):
    doc = weights_io.to_dict(diabetes_run(diabetes, standardize_target=False).model)
    assert "target_scaling" not in doc
    assert weights_io.from_dict(doc).target_scaler is None
    doc["target_scaling"] = {"mean": [1.0], "std": [0.0]}
    with pytest.raises(NnvizError, match="std"):
        weights_io.from_dict(doc)


def test_session_round_trip_continues_bit_for_bit(tmp_path, diabetes):
    a = diabetes_run(diabetes)
    a.trainer.steps(37)
    path = tmp_path / "s.nnviz"
    session_file.save(path, a)
    b = session_file.load(path).experiment
    assert b.config.standardize_target
    np.testing.assert_array_equal(b.model.target_scaler.std, a.model.target_scaler.std)
    np.testing.assert_array_equal(b.model.target_scaler.mean, a.model.target_scaler.mean)
    a.trainer.steps(300)
    b.trainer.steps(300)
    np.testing.assert_array_equal(a.network.params, b.network.params)
    assert a.trainer.history.to_dict() == b.trainer.history.to_dict()
    b.restart()                      # a fresh trainer still learns the standardized targets
    np.testing.assert_array_equal(b.trainer.y.reshape(-1), b.targets[b.train_idx])


def _without_target_scaling(data: bytes) -> bytes:
    """A session file as nnviz wrote it before targets were standardized."""
    with np.load(io.BytesIO(data), allow_pickle=False) as npz:
        arrays = {k: npz[k] for k in npz.files}
    header = json.loads(str(arrays["header"]))
    del header["model"]["target_scaling"], header["config"]["standardize_target"]
    arrays["header"] = np.array(json.dumps(header))
    buf = io.BytesIO()
    np.savez_compressed(buf, **arrays)
    return buf.getvalue()


def test_older_session_files_read_as_no_target_scaling(diabetes):
    old = diabetes_run(diabetes, standardize_target=False)
    old.trainer.steps(50)
    data = _without_target_scaling(session_file.to_bytes(old))
    assert zipfile.is_zipfile(io.BytesIO(data))
    b = session_file.from_bytes(data).experiment
    assert b.model.target_scaler is None and b.config.standardize_target is False
    old.trainer.steps(100)
    b.trainer.steps(100)
    np.testing.assert_array_equal(old.network.params, b.network.params)


@pytest.fixture(scope="module")
def scaled_model(diabetes):
    return diabetes_run(diabetes, epochs=10).model


def test_onnx_with_target_scaling_agrees_with_predict(tmp_path, diabetes, scaled_model):
    pytest.importorskip("onnx")
    ort = pytest.importorskip("onnxruntime")
    model = scaled_model
    assert model.scaler is not None and model.target_scaler is not None
    path = tmp_path / "m.onnx"
    exporters.export(model, path)
    import onnx
    ops = [n.op_type for n in onnx.load(str(path)).graph.node]
    assert "Sub" not in ops and "Div" not in ops   # both scalings are in the layers' weights
    sess = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    X32 = diabetes.X.astype(np.float32)
    out = sess.run(None, {"inputs": X32})[0][:, 0]
    expected = model.predict(X32.astype(np.float64))
    assert np.abs(out - expected).max() <= 1e-5 * np.abs(expected).max()
    assert np.abs(out / expected - 1).max() <= 1e-5


def test_sequential_with_target_scaling_needs_no_scaling_code(tmp_path, diabetes, scaled_model):
    torch = pytest.importorskip("torch")
    pytest.importorskip("safetensors")
    from safetensors.torch import load_file
    model = scaled_model
    path = tmp_path / "w.safetensors"
    exporters.export(model, path)
    net = torch.nn.Sequential(torch.nn.Linear(10, 4), torch.nn.Tanh(), torch.nn.Linear(4, 1)).double()
    result = net.load_state_dict(load_file(str(path)), strict=True)
    assert not result.missing_keys and not result.unexpected_keys
    with torch.no_grad():
        out = net(torch.from_numpy(diabetes.X)).numpy()[:, 0]   # the raw table, as it is
    expected = model.predict(diabetes.X)
    assert np.abs(out / expected - 1).max() <= 1e-12


def test_folding_is_exact_algebra(diabetes, scaled_model):
    """The folded layers compute the pipeline: raw inputs in, the target's units out."""
    layers, fold_in, fold_out = folding.export_layers(scaled_model)
    assert fold_in and fold_out
    a = diabetes.X
    for (W, b), act in zip(layers, scaled_model.network.activations):
        a = np.tanh(a @ W + b) if act == "tanh" else a @ W + b
    expected = scaled_model.predict(diabetes.X)
    assert np.abs(a[:, 0] / expected - 1).max() <= 1e-13
    # features that are expressions keep their standardization a step of its own
    exp = build(Config(dataset="sine", features=["x1", "x2", "x1^2"]))
    layers, fold_in, fold_out = folding.export_layers(exp.model)
    assert not fold_in and fold_out
    np.testing.assert_array_equal(layers[0][0], exp.network.dense[0].W)


@pytest.mark.parametrize("hidden", [[], [4, 3, 5]], ids=["0 hidden layers", "3 hidden layers"])
def test_folding_is_exact_at_any_depth(diabetes, hidden):
    """With no hidden layer both scalings fold into the one layer; with three, into the first
    and the last."""
    exp = diabetes_run(diabetes, hidden=hidden)
    exp.trainer.steps(50)
    layers, fold_in, fold_out = folding.export_layers(exp.model)
    assert fold_in and fold_out and len(layers) == len(hidden) + 1
    a = diabetes.X
    for (W, b), act in zip(layers, exp.model.network.activations):
        a = np.tanh(a @ W + b) if act == "tanh" else a @ W + b
    assert np.abs(a[:, 0] / exp.model.predict(diabetes.X) - 1).max() <= 1e-13


def test_python_script_predicts_in_the_targets_units(tmp_path, diabetes, scaled_model):
    import subprocess
    import sys
    script = tmp_path / "net.py"
    exporters.export(scaled_model, script)
    run = subprocess.run([sys.executable, "-I", str(script), str(DIABETES)], capture_output=True,
                         text=True, timeout=60, cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    got = np.array([float(v) for v in run.stdout.split()])
    np.testing.assert_array_equal(got, scaled_model.predict(diabetes.X))


def test_gradient_check_passes_on_diabetes_with_the_defaults(diabetes):
    exp = diabetes_run(diabetes, epochs=100)
    tr = exp.trainer
    loss = losses.make(exp.model.loss, exp.network.activations[-1])
    check = analysis.gradient_check(exp.network, loss, tr.X[:64], tr.y[:64])
    assert check.passed and check.verdict == "passes", check.summary()
    assert check.max_relative < 1e-8


def test_classification_is_never_target_scaled():
    exp = build(Config(standardize_target=True))
    assert exp.model.target_scaler is None and exp.y is None


def test_trace_shows_the_y_the_network_learns(tmp_path, capsys, scaled_model):
    w = tmp_path / "w.json"
    exporters.export(scaled_model, w)
    rows = tmp_path / "five.csv"
    rows.write_text("".join(DIABETES.read_text().splitlines(keepends=True)[:6]))
    assert cli_main(["trace", "--weights", str(w), "--input", str(rows), "--target", "progression",
                     "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    ts = scaled_model.target_scaler
    assert out["inputs"]["target_standardized"] == {"mean": ts.mean[0], "std": ts.std[0]}
    loss = next(s for s in out["stages"] if s["kind"] == "loss_forward")
    y = np.array(loss["operands"]["y"]).reshape(-1)
    raw = np.array([151, 75, 141, 206, 135], dtype=float)
    np.testing.assert_allclose(y, (raw - ts.mean[0]) / ts.std[0], rtol=1e-12)
