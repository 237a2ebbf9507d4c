"""Session files: a run saved mid-epoch reopens exactly, and continues bit for bit; bad files
are refused with one message."""
import io
import json
import os
import zipfile

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from nnviz.data import datasets
from nnviz.io import exporters, session_file
from nnviz.errors import NnvizError
from nnviz.experiment import Config, build


def run(config, steps):
    exp = build(config)
    initial = exp.network.params.copy(), exp.rng.bit_generator.state
    exp.trainer.steps(steps)
    return exp, initial


CONFIGS = [
    Config(optimizer="adam", features=["x1", "x2", "x1^2", "x1*x2"], hidden=[3, 2],
           activation=["relu", "tanh"], batch_size=7, l2=0.001),
    # (η = 0.01 with the sum over 500 rows grew the loss a million-fold in 5 steps: it stopped)
    Config(dataset="sine", optimizer="momentum", features=["sin(x1)", "x2"], standardize=False,
           batch_size=None, lr=0.001, l1=0.001, reduction="sum", test_ratio=0.0),
    Config(hidden=[], optimizer="momentum", batch_size=9),                  # logistic regression
    Config(dataset="plane", hidden=[], batch_size=9),                      # linear regression
    Config(hidden=[5, 4, 3], activation=["relu", "tanh", "leaky_relu"], batch_size=11),
]


@pytest.mark.parametrize("config", CONFIGS, ids=["adam_classification", "momentum_regression",
                                                 "no_hidden", "no_hidden_regression",
                                                 "three_hidden"])
def test_save_open_continue_equals_uninterrupted(tmp_path, config):
    a, initial = run(config, 123)          # mid-epoch: the shuffled order matters
    path = tmp_path / "s.nnviz"
    session_file.save(path, a, initial_params=initial[0], initial_rng=initial[1])
    state = session_file.load(path)
    b = state.experiment
    assert b.trainer.step_count == 123 and b.trainer.pos == a.trainer.pos
    np.testing.assert_array_equal(state.initial_params, initial[0])
    assert state.initial_rng == initial[1]
    a.trainer.steps(400)
    b.trainer.steps(400)
    c, _ = run(config, 523)                 # never stopped
    for other in (a, b):
        np.testing.assert_array_equal(other.network.params, c.network.params)
        assert other.trainer.history.to_dict().keys() == c.trainer.history.to_dict().keys()
        for key, values in c.trainer.history.to_dict().items():
            np.testing.assert_array_equal(other.trainer.history.to_dict()[key], values)
        assert other.rng.bit_generator.state == c.rng.bit_generator.state
    np.testing.assert_array_equal(b.F_train, c.F_train)
    assert b.config == c.config


def test_rows_are_saved_for_tables_and_edited_data(tmp_path):
    ds = datasets.generate("xor", 60, 0.1, 2)
    ds.source = {"csv": "/somewhere/table.csv", "target": "y"}
    exp = build(Config(features=["x1", "x2"]), ds)
    exp.trainer.steps(5)
    data = session_file.to_bytes(exp, added=np.arange(60) % 7 == 0)
    with np.load(io.BytesIO(data), allow_pickle=False) as npz:
        assert json.loads(str(npz["header"]))["data"]["kind"] == "rows"
        np.testing.assert_array_equal(npz["data_X"], ds.X)
    state = session_file.from_bytes(data)
    np.testing.assert_array_equal(state.experiment.dataset.X, ds.X)
    np.testing.assert_array_equal(state.added, np.arange(60) % 7 == 0)
    assert state.experiment.dataset.source["csv"] == "/somewhere/table.csv"
    # generator data: only the settings are stored, and the same rows come back
    g = build(Config())
    with np.load(io.BytesIO(session_file.to_bytes(g)), allow_pickle=False) as npz:
        assert "data_X" not in npz.files
    np.testing.assert_array_equal(session_file.from_bytes(session_file.to_bytes(g)).experiment.dataset.X,
                                  g.dataset.X)


def test_weights_load_from_a_session(tmp_path):
    exp, _ = run(CONFIGS[0], 50)
    path = tmp_path / "s.nnviz"
    session_file.save(path, exp)
    model = exporters.load(path)
    X = np.random.default_rng(0).normal(size=(20, 2))
    np.testing.assert_array_equal(model.predict(X), exp.model.predict(X))


def _rewrite(data: bytes, header_change=None, arrays_change=None) -> bytes:
    with np.load(io.BytesIO(data), allow_pickle=False) as npz:
        arrays = {k: npz[k] for k in npz.files}
    header = json.loads(str(arrays.pop("header")))
    if header_change:
        header_change(header)
    if arrays_change:
        arrays_change(arrays)
    buf = io.BytesIO()
    np.savez(buf, header=np.array(json.dumps(header)), **arrays)
    return buf.getvalue()


GOOD = session_file.to_bytes(run(CONFIGS[0], 30)[0])


def _set(path, value):
    def change(d):
        *keys, last = path
        for k in keys:
            d = d[k]
        d[last] = value
    return change


def _both(a, b):
    def change(d):
        a(d)
        b(d)
    return change


BAD_HEADERS = [
    (_set(["version"], 2), "unsupported session version"),
    (_set(["format"], "other"), "not an nnviz session file"),
    (_set(["config", "lr"], "fast"), "'config.lr' must be a finite number"),
    (_set(["config", "hidden"], [3, 10 ** 6]), "'config.hidden' must be a whole number from 1 to 256"),
    (_set(["model", "activations"], ["relu", "tanh", "softmax"]), "'model.activations' is 'softmax'"),
    (_both(_set(["model", "sizes"], [4, 3, 3, 1]), _set(["config", "hidden"], [3, 3])),
     "has shape"),
    # (every later change rebuilt from the settings: with features the model did not have,
    # the file opened and the first change failed on "unknown feature 'zzz'")
    (_set(["model", "sizes"], [4, 3, 3, 1]), "the settings' features and hidden layers are not "
                                             "the model's"),
    (_set(["config", "features"], ["zzz"]), "the settings' features and hidden layers are not "
                                            "the model's"),
    (_set(["trainer", "pos"], 10 ** 9), "'trainer.pos' must be a whole number"),
    (_set(["rng", "bit_generator"], "MT19937"), "not a PCG64 generator state"),
    (_set(["data", "generator"], "moon"), "'data.generator' is 'moon'"),
    (_set(["data", "samples"], 10 ** 12), "samples must be between"),
    (_set(["view", "axes"], [0, 5]), "'view.axes' must be a whole number from 0 to 1"),
    (_set(["data", "source"], [[[[[[[[[[[1]]]]]]]]]]]), "nested too deeply"),
]


@pytest.mark.parametrize("change,message", BAD_HEADERS)
def test_bad_headers_rejected_with_one_message(change, message):
    with pytest.raises(NnvizError, match=message.replace("(", r"\(").replace(")", r"\)")) as info:
        session_file.from_bytes(_rewrite(GOOD, header_change=change), "s.nnviz")
    assert str(info.value).startswith("s.nnviz: ") and "\n" not in str(info.value)


BAD_ARRAYS = [
    (lambda a: a.__setitem__("params", a["params"][:-1]), "'params' has shape"),
    (lambda a: a["params"].__setitem__(0, np.nan), "'params' holds a NaN"),
    (lambda a: a.__setitem__("params", a["params"].astype(np.float32)), "wrong type"),
    (lambda a: a.__setitem__("train_idx", a["train_idx"] + 10 ** 6), "outside"),
    (lambda a: a.__setitem__("test_idx", a["train_idx"][:3]), "listed twice"),
    (lambda a: a.pop("opt_m"), "'opt_m' is missing"),
    (lambda a: a.__setitem__("scaler_std", -a["scaler_std"]), "not positive"),
    (lambda a: a.__setitem__("shuffled_X", a["shuffled_X"][:, :2]), "'shuffled_X' has shape"),
    (lambda a: a.__setitem__("history_step", a["history_step"] + 0.5), "whole numbers"),
]


@pytest.mark.parametrize("change,message", BAD_ARRAYS)
def test_bad_arrays_rejected(change, message):
    with pytest.raises(NnvizError, match=message):
        session_file.from_bytes(_rewrite(GOOD, arrays_change=change), "s.nnviz")


def test_pickled_and_oversized_content_refused(tmp_path, monkeypatch):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("header.npy", b"\x93NUMPY" + b"\x00" * 100)
    with pytest.raises(NnvizError, match="not a readable session file"):
        session_file.from_bytes(buf.getvalue())
    obj = _rewrite(GOOD, arrays_change=lambda a: a.__setitem__("params", np.array([{}], dtype=object)))
    with pytest.raises(NnvizError, match="not a readable session file .*pickle"):
        session_file.from_bytes(obj)
    monkeypatch.setattr(session_file, "MAX_UNPACKED", 100_000)  # the real limit is 1 GB
    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("header.npy", GOOD[:10])
        zf.writestr("big.npy", b"\x00" * (session_file.MAX_UNPACKED + 1))
    assert len(bomb.getvalue()) < 1000
    with pytest.raises(NnvizError, match="unpacks to more than"):
        session_file.from_bytes(bomb.getvalue())


def test_truncated_and_garbage_files(tmp_path):
    path = tmp_path / "s.nnviz"
    for blob in (GOOD[: len(GOOD) // 2], GOOD[:30], b"", b"PK\x03\x04" + b"\xff" * 100, b"{}"):
        path.write_bytes(blob)
        with pytest.raises(NnvizError) as info:
            session_file.load(path)
        assert str(info.value).startswith("s.nnviz: ")


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cut=st.integers(0, len(GOOD)), pos=st.integers(0, len(GOOD) - 1), byte=st.integers(0, 255),
       junk=st.binary(max_size=200))
def test_reader_fuzz_bytes(cut, pos, byte, junk):
    flipped = bytearray(GOOD)
    flipped[pos] = byte
    for data in (GOOD[:cut], bytes(flipped), junk, b"PK" + junk):
        try:
            session_file.from_bytes(data)
        except NnvizError:
            pass


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=10),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4),
    max_leaves=30)
HEADER = json.loads(str(np.load(io.BytesIO(GOOD), allow_pickle=False)["header"]))


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(section=st.sampled_from(sorted(HEADER)), key=st.text(max_size=12), value=json_values,
       whole=st.booleans())
def test_reader_fuzz_json(section, key, value, whole):
    def change(h):
        if whole or not isinstance(h[section], dict):
            h[section] = value
        else:
            h[section][key if key not in ("",) else next(iter(h[section]), "x")] = value
    try:
        session_file.from_bytes(_rewrite(GOOD, header_change=change))
    except NnvizError:
        pass


def test_interrupted_write_leaves_old_file(tmp_path, monkeypatch):
    path = tmp_path / "s.nnviz"
    old, _ = run(CONFIGS[0], 10)
    session_file.save(path, old)
    before = path.read_bytes()
    new, _ = run(CONFIGS[1], 10)
    monkeypatch.setattr(os, "replace", lambda *a: (_ for _ in ()).throw(PermissionError(13, "Permission denied")))
    with pytest.raises(NnvizError, match="Permission denied"):
        session_file.save(path, new)
    monkeypatch.undo()
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["s.nnviz"]
    # a write that fails half way (disk full) leaves it too
    real_fdopen = os.fdopen

    class Full:
        def __init__(self, fh):
            self.fh = fh

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            self.fh.close()

        def write(self, data):
            self.fh.write(data[: len(data) // 2])
            raise OSError(28, "No space left on device")
    monkeypatch.setattr(os, "fdopen", lambda fd, mode: Full(real_fdopen(fd, mode)))
    with pytest.raises(NnvizError, match="No space left"):
        session_file.save(path, new)
    monkeypatch.undo()
    assert path.read_bytes() == before
    assert session_file.load(path).experiment.trainer.step_count == 10
