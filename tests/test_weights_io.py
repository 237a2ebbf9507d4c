import json

import numpy as np
import pytest

from nnviz.io import weights_io
from nnviz.errors import NnvizError
from nnviz.experiment import Config, build


@pytest.fixture
def model():
    exp = build(Config(seed=3, features=["x1", "x2", "x1^2", "sin(x2)"], hidden=[5]))
    exp.trainer.steps(100)
    return exp.model


@pytest.mark.parametrize("ext", [".json", ".npz"])
def test_round_trip_gives_identical_predictions(model, tmp_path, ext):
    path = tmp_path / f"w{ext}"
    weights_io.save(model, path)
    back = weights_io.load(path)
    X = np.random.default_rng(0).uniform(-6, 6, size=(200, 2))
    np.testing.assert_array_equal(back.predict(X), model.predict(X))
    np.testing.assert_array_equal(back.network.params, model.network.params)
    assert back.features == model.features and back.inputs == ["x1", "x2"]
    assert back.network.activations == ["tanh", "sigmoid"]
    np.testing.assert_array_equal(back.scaler.mean, model.scaler.mean)


def test_json_layout_is_from_to(model, tmp_path):
    path = tmp_path / "w.json"
    weights_io.save(model, path)
    doc = json.loads(path.read_text())
    assert doc["format"] == "nnviz-weights" and doc["version"] == 1
    assert doc["parameter_count"] == (4 + 1) * 5 + 5 + 1
    W = np.array(doc["layers"][0]["weights"])
    assert W.shape == (4, 5)  # fan_in rows, fan_out columns
    np.testing.assert_array_equal(W, model.network.dense[0].W)
    assert doc["input_scaling"]["mean"] == list(model.scaler.mean)


def _doc(model):
    return weights_io.to_dict(model)


BAD = {
    "not json": lambda d: "{nope",
    "wrong format": lambda d: {**d, "format": "keras"},
    "future version": lambda d: {**d, "version": 2},
    "shapes do not chain": lambda d: {**d, "layers": [d["layers"][0], {**d["layers"][1], "weights": [[1.0]] * 3}]},
    "NaN weight": lambda d: json.dumps(d).replace(str(d["layers"][0]["weights"][0][0]), "NaN", 1),
    "unknown activation": lambda d: {**d, "layers": [{**d["layers"][0], "activation": "swish"}, d["layers"][1]]},
    "string in weights": lambda d: {**d, "layers": [{**d["layers"][0], "biases": ["1"] * 5}, d["layers"][1]]},
    "bias count": lambda d: {**d, "layers": [{**d["layers"][0], "biases": [0.0] * 4}, d["layers"][1]]},
    "unknown feature": lambda d: {**d, "features": ["x1", "x2", "x9^2", "sin(x2)"]},
    "two outputs": lambda d: {**d, "layers": [d["layers"][0], {**d["layers"][1], "weights": [[1.0, 1.0]] * 5, "biases": [0.0, 0.0]}]},
    "not an object": lambda d: [1, 2, 3],
    "deeply nested": lambda d: "[" * 100000 + "]" * 100000,
    "count mismatch": lambda d: {**d, "parameter_count": 3},
    "huge layer": lambda d: {**d, "layers": [{**d["layers"][0], "weights": [[0.0] * 300] * 4, "biases": [0.0] * 300},
                                             {**d["layers"][1], "weights": [[0.0]] * 300}]},
    "log-loss regression": lambda d: {**d, "task": "regression"},   # (loaded: train refuses it)
}

MESSAGES = {
    "not json": "not valid JSON", "wrong format": "not an nnviz weights file",
    "future version": "unsupported weights version 2", "shapes do not chain": "rows",
    "NaN weight": "NaN", "unknown activation": "unknown activation 'swish'",
    "string in weights": "only numbers", "bias count": "4 biases for 5 units",
    "unknown feature": "x9", "two outputs": "one output", "not an object": "expected a JSON object",
    "deeply nested": "nested too deeply", "count mismatch": "parameter_count",
    "huge layer": "300 units",
    "log-loss regression": "log_loss is for classification; a regression uses squared_error",
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_bad_files_are_rejected_with_a_clear_message(model, tmp_path, case):
    doc = BAD[case](_doc(model))
    path = tmp_path / "bad.json"
    path.write_text(doc if isinstance(doc, str) else json.dumps(doc))
    with pytest.raises(NnvizError) as err:
        weights_io.load(path)
    assert MESSAGES[case] in str(err.value)
    assert "bad.json" in str(err.value)
    assert "\n" not in str(err.value)


def test_bad_npz_and_unknown_extension(tmp_path, model):
    p = tmp_path / "w.npz"
    p.write_bytes(b"PK\x03\x04 not really a zip")
    with pytest.raises(NnvizError, match="NPZ"):
        weights_io.load(p)
    np.savez(p, something=np.zeros(3))
    with pytest.raises(NnvizError, match="header"):
        weights_io.load(p)
    with pytest.raises(NnvizError, match="unknown weights format"):
        weights_io.save(model, tmp_path / "w.h5")
    with pytest.raises(NnvizError, match="no such file"):
        weights_io.load(tmp_path / "missing.json")


@pytest.mark.parametrize("data", [bytes(range(256)) * 8, None], ids=["random bytes", "objects"])
def test_an_npz_of_python_objects_is_refused_without_advice_to_load_it(tmp_path, data):
    """NumPy's error invites an unsafe load ("If you trust the file you can load it unsafely
    using allow_pickle…"), which nnviz passed on, even for bytes that are not NumPy's at all."""
    p = tmp_path / "w.npz"
    if data is None:
        with open(p, "wb") as fh:
            np.save(fh, np.array([{"a": 1}], dtype=object), allow_pickle=True)
    else:
        p.write_bytes(data)
    with pytest.raises(NnvizError) as info:
        weights_io.load(p)
    assert "allow_pickle" not in str(info.value) and "unsafely" not in str(info.value)


def test_npz_has_no_pickled_objects(model, tmp_path):
    path = tmp_path / "w.npz"
    weights_io.save(model, path)
    with np.load(path, allow_pickle=False) as npz:  # would raise if anything needed pickle
        assert set(npz.files) == {"header", "layer0_weights", "layer0_biases", "layer1_weights", "layer1_biases"}


def test_failed_write_leaves_old_file(model, tmp_path, monkeypatch):
    path = tmp_path / "w.json"
    weights_io.save(model, path)
    before = path.read_bytes()
    import os

    def boom(*a, **k):
        raise OSError(28, "No space left on device")
    monkeypatch.setattr(os, "replace", boom)
    with pytest.raises(NnvizError, match="No space left"):
        weights_io.save(model, path)
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["w.json"]
