"""Reliability: divergence in the app and the CLI, and files that must never run code.

Fuzzing of every reader is in test_fuzz.py, input limits in test_limits.py, the long run in
test_soak.py and the random clicking in test_abuse.py.
"""
import ast
import json
import re
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from nnviz.io import exporters, weights_io
from nnviz.cli.main import main as cli_main
from nnviz.errors import NnvizError
from nnviz.experiment import Config, build

ROOT = Path(__file__).resolve().parent.parent


# --- 1. divergence -------------------------------------------------------------------------
def test_divergence_in_the_app_pauses_restores_reports_and_marks(window, qtbot):
    s = window.session
    # What a user does: pick a regression problem, relu, type learning rate 10, press Play.
    window.data_panel.dataset.setCurrentText("plane")
    window.hyper_panel.activation.setCurrentText("relu")
    edit = window.hyper_panel.lr.lineEdit()
    edit.setText("10")
    edit.editingFinished.emit()
    assert s.config.lr == 10.0 and s.network.activations == ["relu", "identity"]
    config = replace(s.config, hidden=list(s.config.hidden), features=list(s.config.features))
    window.actionPlay.trigger()
    assert s.playing
    qtbot.waitUntil(lambda: s.trainer.diverged is not None and not s.playing, timeout=10000)
    d = s.trainer.diverged
    # Play is off again.
    assert not window.actionPlay.isChecked() and "Play" in window.actionPlay.text()
    # The status bar and a non-modal message name the step and suggest a smaller rate.
    bar = window.statusBar()
    status = bar.currentMessage()
    assert f"step {d.step}" in status and "smaller learning rate" in status
    # ... and it can be read: whole, in the readout's line (the parameter formula beside it).
    line = window.status_label
    assert line.isVisible() and line.shown() == status and not line.is_elided()
    box = window._divergence_box
    assert box.isVisible() and not box.isModal()
    assert f"step {d.step}" in box.text() and "smaller learning rate" in box.text()
    # The parameters are the last finite ones: those after step d.step − 1 of the same run.
    replay = build(config).trainer
    assert replay.steps(d.step - 1) == d.step - 1 and replay.diverged is None
    np.testing.assert_array_equal(s.network.params, replay.network.params)
    assert np.all(np.isfinite(s.network.params))
    # The loss chart marks where it happened (in epochs).
    line = window.loss_plot.divergence_line
    n = len(s.trainer.X)
    assert line.isVisible()
    assert line.value() == pytest.approx(s.trainer.epoch_count + s.trainer.pos / n)
    box.close()


@pytest.mark.parametrize("ext", exporters.LOAD_FORMATS)
def test_divergence_in_the_cli_exits_2_and_exports_only_when_asked(capsys, tmp_path, ext):
    out = tmp_path / f"w{ext}"
    argv = ["train", "--dataset", "plane", "--activation", "relu", "--lr", "10", "--seed", "3",
            "--epochs", "20", "--export", str(out)]
    code = cli_main(argv)
    _, err = capsys.readouterr()
    lines = err.strip().splitlines()
    assert code == 2 and len(lines) == 1 and "Traceback" not in err
    m = re.fullmatch(r"nnviz: error: training diverged at step (\d+) .*smaller learning rate.*"
                     r"nothing exported \(use --export-on-divergence\)", lines[0])
    assert m, lines[0]
    step = int(m.group(1))
    assert not out.exists() and list(tmp_path.iterdir()) == []

    code = cli_main(argv + ["--export-on-divergence"])
    _, err = capsys.readouterr()
    assert code == 2 and err.startswith("nnviz: error: training diverged at step")
    assert "nothing exported" not in err
    saved = exporters.load(out).network.params
    # What was exported is the last finite state: the run replayed up to the step before.
    tr = build(Config(dataset="plane", activation="relu", lr=10.0, seed=3)).trainer
    assert tr.steps(step - 1) == step - 1 and tr.diverged is None
    np.testing.assert_array_equal(saved, tr.network.params)


# --- 3. untrusted files --------------------------------------------------------------------
def _python_sources():
    for folder in ("nnviz", "ui", "tests"):
        yield from sorted((ROOT / folder).rglob("*.py"))


def test_no_pickle_anywhere():
    """No module imports pickle (or a pickle-based loader), every np.load passes
    allow_pickle=False explicitly, and the app never calls eval or exec (a test or a benchmark
    under tests/ may, on code nnviz generated or its own source)."""
    forbidden = {"pickle", "cPickle", "dill", "joblib", "shelve", "marshal"}
    loads = 0
    for path in _python_sources():
        tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names = [a.name.split(".")[0] for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                names = [(node.module or "").split(".")[0]]
            else:
                names = []
            assert not forbidden.intersection(names), f"{path}: imports {names}"
            if isinstance(node, ast.Call):
                f = node.func
                name = f.attr if isinstance(f, ast.Attribute) else getattr(f, "id", "")
                if name in ("load", "loadtxt", "genfromtxt") and isinstance(f, ast.Attribute) \
                        and getattr(f.value, "id", "") in ("np", "numpy"):
                    kw = {k.arg: k.value for k in node.keywords}
                    if name == "load":
                        loads += 1
                        assert "allow_pickle" in kw and isinstance(kw["allow_pickle"], ast.Constant) \
                            and kw["allow_pickle"].value is False, \
                            f"{path}:{node.lineno}: np.load without allow_pickle=False"
                in_tests = "tests" in path.relative_to(ROOT).parts
                if name in ("eval", "exec") and isinstance(f, ast.Name) and not in_tests:
                    raise AssertionError(f"{path}:{node.lineno}: {name}() on data")
                if name == "torch_load" or (name == "load" and getattr(getattr(f, "value", None), "id", "") == "torch"):
                    assert any(k.arg == "weights_only" for k in node.keywords), f"{path}:{node.lineno}"
    assert loads >= 1, "the scan found no np.load at all; is it looking at the right files?"


def test_npz_holding_a_pickled_object_is_refused_without_running_it(tmp_path):
    """An object array in an NPZ can only be read by unpickling; the reader refuses instead."""
    path = tmp_path / "evil.npz"
    np.savez(path, header=np.array([{"format": "nnviz-weights"}], dtype=object))
    with pytest.raises(NnvizError, match="evil.npz"):
        weights_io.load(path)


def _good_doc():
    from nnviz.experiment import build
    return weights_io.to_dict(build(Config(hidden=[3])).model)


def _set(doc, path, value):
    *head, last = path
    for key in head:
        doc = doc[key]
    doc[last] = value


BAD_DOCUMENTS = {
    "unknown version": (("version",), 2),
    "version as text": (("version",), "1"),
    "version true": (("version",), True),
    "wrong format": (("format",), "keras"),
    "task a number": (("task",), 3),
    "inputs not a list": (("inputs",), "x1"),
    "a name not text": (("features",), ["x1", 2]),
    "layers not a list": (("layers",), {"0": {}}),
    "layer not an object": (("layers", 0), [1, 2]),
    "weights a string": (("layers", 0, "weights"), "[[1]]"),
    "weights of booleans": (("layers", 0, "weights"), [[True, False, True]] * 2),
    "ragged weights": (("layers", 0, "weights"), [[0.1, 0.2, 0.3], [0.1]]),
    "weights too few rows": (("layers", 0, "weights"), [[0.1, 0.2, 0.3]]),
    "biases wrong length": (("layers", 0, "biases"), [0.0, 0.0]),
    "weights nested three deep": (("layers", 0, "weights"), [[[0.1]] * 3] * 2),
    "NaN weight": (("layers", 0, "weights", 0, 0), float("nan")),
    "infinite bias": (("layers", 1, "biases", 0), float("inf")),
    "huge number overflows": (("layers", 0, "biases", 0), 10 ** 400),
    "unknown activation": (("layers", 0, "activation"), "__import__('os')"),
    "unknown loss": (("loss",), "eval"),
    "loss a list": (("loss",), ["log_loss"]),
    "task an object": (("task",), {"classification": 1}),
    "wrong parameter count": (("parameter_count",), 99),
    "scaling wrong shape": (("input_scaling",), {"mean": [0.0], "std": [1.0]}),
    "scaling zero std": (("input_scaling", "std"), [0.0, 1.0]),
    "too many units": (("layers", 0), {"weights": [[0.0] * 5000] * 2, "biases": [0.0] * 5000,
                                      "activation": "tanh"}),
    "too many layers": (("layers",), [{"weights": [[0.0]], "biases": [0.0], "activation": "tanh"}] * 40),
    "too many inputs": (("features",), [f"x{i}" for i in range(5000)]),
}


@pytest.mark.parametrize("kind", sorted(BAD_DOCUMENTS))
def test_bad_weights_documents_give_one_message(kind, tmp_path):
    doc = _good_doc()
    _set(doc, *BAD_DOCUMENTS[kind])
    path = tmp_path / "w.json"
    text = json.dumps(doc, allow_nan=True) if kind != "huge number overflows" else \
        json.dumps(doc).replace("1" + "0" * 400, "1e400")
    path.write_text(text)
    with pytest.raises(NnvizError) as info:
        weights_io.load(path)
    message = str(info.value)
    assert message.startswith("w.json: ") and "\n" not in message and len(message) < 400, message


def test_deeply_nested_and_oversized_files_are_refused(tmp_path):
    deep = tmp_path / "deep.json"
    deep.write_text("[" * 100_000 + "]" * 100_000)
    with pytest.raises(NnvizError, match="deep.json: .*nested too deeply"):
        weights_io.load(deep)
    deep_obj = tmp_path / "deep2.json"
    deep_obj.write_text('{"a":' * 50_000 + "1" + "}" * 50_000)
    with pytest.raises(NnvizError, match="deep2.json"):
        weights_io.load(deep_obj)
    big = tmp_path / "big.json"
    with open(big, "wb") as fh:   # sparse: a size over the limit without writing it
        fh.truncate(2 * 1024 ** 3)
    with pytest.raises(NnvizError, match="big.json") as info:
        weights_io.load(big)
    assert "\n" not in str(info.value)


def test_good_document_still_loads():
    """The bad-document cases above start from a document that is accepted."""
    model = weights_io.from_dict(_good_doc())
    assert model.network.sizes == [2, 3, 1]
