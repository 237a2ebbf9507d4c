"""Every CLI command, and bad input: exit 2, one line `nnviz: error: …`, nothing written."""
import json
import os
import subprocess
import sys

import numpy as np
import pytest

from nnviz.io import weights_io
from nnviz.cli.main import main


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def assert_user_error(code, err, *needles):
    assert code == 2
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("nnviz: error: "), err
    for n in needles:
        assert n in lines[0], (n, lines[0])
    assert "Traceback" not in err


def test_train_circle_json_export_predict_info(capsys, tmp_path):
    w = tmp_path / "w.json"
    code, out, _ = run(capsys, "train", "--dataset", "circle", "--epochs", "200", "--seed", "0",
                       "--json", "--export", str(w))
    assert code == 0
    res = json.loads(out)
    assert res["test_accuracy"] >= 0.95
    assert set(res) == {"train_loss", "test_loss", "train_accuracy", "test_accuracy",
                        "parameter_count", "steps", "epochs", "seconds", "best_epoch",
                        "stopped_early"}
    assert res["parameter_count"] == 17 and res["epochs"] == 200 and res["steps"] == 200 * 25
    # predict reads the exported file and a CSV of raw inputs by name (column order free)
    inp = tmp_path / "in.csv"
    inp.write_text("x2,x1\n0.0,0.0\n0.0,5.5\n")
    code, out, _ = run(capsys, "predict", "--weights", str(w), "--input", str(inp))
    assert code == 0
    lines = out.strip().splitlines()
    assert lines[0] == "probability" and len(lines) == 3
    p_center, p_far = float(lines[1]), float(lines[2])
    model = weights_io.load(w)
    np.testing.assert_allclose([p_center, p_far], model.predict(np.array([[0.0, 0.0], [5.5, 0.0]])))
    assert (p_center > 0.5) != (p_far > 0.5)  # inside and outside the circle differ
    out_csv = tmp_path / "pred.csv"
    code, _, _ = run(capsys, "predict", "--weights", str(w), "--input", str(inp), "--output", str(out_csv))
    assert code == 0 and out_csv.read_text().splitlines() == lines
    code, out, _ = run(capsys, "info", str(w))
    assert code == 0
    assert "parameters   (p+1)·M + M + 1 = (2+1)·4 + 4 + 1 = 17" in out
    assert "tanh" in out and "x1, x2" in out


def test_train_human_summary_and_npz(capsys, tmp_path):
    w = tmp_path / "w.npz"
    code, out, _ = run(capsys, "train", "--dataset", "xor", "--steps", "300", "--hidden", "8,4",
                       "--activation", "relu", "--export", str(w), "--features", "x1,x2,x1*x2")
    assert code == 0
    assert "3 → 8 → 4 → 1" in out and "exported" in out
    assert weights_io.load(w).network.sizes == [3, 8, 4, 1]


def test_train_regression_and_no_test_set(capsys):
    code, out, _ = run(capsys, "train", "--dataset", "plane", "--epochs", "20", "--test-ratio", "0",
                       "--json", "--activation", "identity")
    res = json.loads(out)
    assert code == 0 and res["test_loss"] is None and res["test_r2"] is None and res["train_r2"] > 0.9


def test_train_from_weights_continues(capsys, tmp_path):
    w = tmp_path / "w.json"
    run(capsys, "train", "--dataset", "circle", "--epochs", "5", "--export", str(w), "--hidden", "6")
    code, out, _ = run(capsys, "train", "--dataset", "circle", "--steps", "1", "--lr", "1e-12",
                       "--weights", str(w), "--json")
    assert code == 0 and json.loads(out)["parameter_count"] == 3 * 6 + 6 + 1


def test_train_csv(capsys, tmp_path):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(80, 3))
    y = (X[:, 0] + X[:, 1] > 0)
    path = tmp_path / "d.csv"
    path.write_text("a,b,c,label\n" + "\n".join(f"{r[0]},{r[1]},{r[2]},{'yes' if t else 'no'}"
                                                 for r, t in zip(X, y)))
    code, out, _ = run(capsys, "train", "--data", str(path), "--target", "label", "--epochs", "300", "--json")
    assert code == 0
    res = json.loads(out)
    assert res["parameter_count"] == 4 * 4 + 4 + 1 and res["test_accuracy"] > 0.8


@pytest.mark.parametrize("argv,needles", [
    (["train", "--lr", "-1"], ["learning rate"]),
    (["train", "--lr", "abc"], ["--lr"]),
    (["train", "--dataset", "nope"], ["nope"]),
    (["train", "--hidden", "4,0"], ["0 means no hidden layer"]),
    (["train", "--samples", "2"], ["samples"]),
    (["train", "--activation", "swish"], ["swish"]),
    (["train", "--features", "x1,x7"], ["x7"]),
    (["train", "--data", "missing.csv", "--target", "y"], ["missing.csv"]),
    (["train", "--data", "x.csv"], ["--target"]),
    (["train", "--epochs", "1", "--steps", "1"], ["--epochs or --steps"]),
    (["train", "--export", "w.h5", "--steps", "1"], ["unknown export format"]),
    (["train", "--task", "classification", "--dataset", "plane"], ["classification"]),
    (["info", "nothing.json"], ["no such file"]),
    (["bogus"], ["invalid choice"]),
])
def test_bad_usage(capsys, tmp_path, argv, needles):
    os.chdir(tmp_path)
    code, out, err = run(capsys, *argv)
    assert_user_error(code, err, *needles)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("content,needles", [
    ("{broken", ["not valid JSON"]),
    ('{"format": "nnviz-weights", "version": 1, "task": "classification", "inputs": ["x1"], '
     '"features": ["x1"], "input_scaling": null, "layers": [{"weights": [[NaN]], "biases": [0], '
     '"activation": "tanh"}, {"weights": [[1]], "biases": [0], "activation": "sigmoid"}], "loss": "log_loss"}',
     ["NaN"]),
    ('{"format": "nnviz-weights", "version": 1, "task": "classification", "inputs": ["x1"], '
     '"features": ["x1"], "input_scaling": null, "layers": [{"weights": [[1, 2]], "biases": [0, 0], '
     '"activation": "tanh"}, {"weights": [[1]], "biases": [0], "activation": "sigmoid"}], "loss": "log_loss"}',
     ["1 rows but its input has 2"]),
    ('{"format": "nnviz-weights", "version": 1, "task": "classification", "inputs": ["x1"], '
     '"features": ["x1"], "input_scaling": null, "layers": [{"weights": [[1]], "biases": [0], '
     '"activation": "gelu"}, {"weights": [[1]], "biases": [0], "activation": "sigmoid"}], "loss": "log_loss"}',
     ["gelu"]),
    ("", ["not valid JSON"]),
])
def test_bad_weights_files(capsys, tmp_path, content, needles):
    w = tmp_path / "w.json"
    w.write_text(content)
    inp = tmp_path / "in.csv"
    inp.write_text("x1\n1\n")
    out_csv = tmp_path / "out.csv"
    for argv in (["info", str(w)], ["predict", "--weights", str(w), "--input", str(inp), "--output", str(out_csv)]):
        code, out, err = run(capsys, *argv)
        assert_user_error(code, err, *needles)
    assert not out_csv.exists()


@pytest.mark.parametrize("content,needles", [
    ("x1,x2\n1.0,abc\n", ["row 2", "x2", "abc"]),
    ("x1\n1.0\n", ["x2"]),
    ("", ["empty"]),
    ("x1,x2\n", ["no data rows"]),
])
def test_predict_bad_csv(capsys, tmp_path, content, needles):
    w = tmp_path / "w.json"
    run(capsys, "train", "--steps", "1", "--export", str(w))
    inp = tmp_path / "in.csv"
    inp.write_text(content)
    code, out, err = run(capsys, "predict", "--weights", str(w), "--input", str(inp), "--output",
                         str(tmp_path / "o.csv"))
    assert_user_error(code, err, *needles)
    assert not (tmp_path / "o.csv").exists()


@pytest.mark.parametrize("content,needles", [
    ("a,label\n1,x\n2,x\n3,x\n", ["only one class"]),
    ("a,label\n1,0\nfoo,1\n2,0\n3,1\n", ["row 3", "'a'", "foo"]),
    ("a,b\n1,2\n", ["no column 'label'"]),
])
def test_train_bad_csv(capsys, tmp_path, content, needles):
    path = tmp_path / "d.csv"
    path.write_text(content)
    code, out, err = run(capsys, "train", "--data", str(path), "--target", "label", "--export",
                         str(tmp_path / "w.json"))
    assert_user_error(code, err, *needles)
    assert not (tmp_path / "w.json").exists()


def test_divergence_exit_2_and_nothing_exported(capsys, tmp_path):
    w, h = tmp_path / "w.json", tmp_path / "h.csv"
    argv = ["train", "--dataset", "plane", "--activation", "relu", "--lr", "10", "--init", "he",
            "--hidden", "8", "--epochs", "50", "--export", str(w), "--history", str(h)]
    code, out, err = run(capsys, *argv)
    assert_user_error(code, err, "diverged", "smaller learning rate", "nothing exported")
    assert not w.exists() and not h.exists()          # (the history was written all the same)
    code, out, err = run(capsys, *argv, "--export-on-divergence")
    assert code == 2 and w.exists() and h.exists()    # asked for: the weights and their history
    assert np.all(np.isfinite(weights_io.load(w).network.params))


@pytest.mark.parametrize("argv, needles", [
    (["--export", "{tmp}/nowhere/w.json", "--history", "{tmp}/h.csv"],
     ["cannot write", "nowhere/w.json: there is no folder"]),
    (["--export", "{tmp}/nowhere/w.csv"], ["there is no folder"]),
    (["--export", ""], ["the export path is empty"]),
    (["--history", ""], ["the --history path is empty"]),
    (["--history", "{tmp}/same.json", "--export", "{tmp}/same.json"], ["name the same file"]),
])
def test_a_bad_output_is_refused_before_training_and_writes_nothing(capsys, tmp_path, argv,
                                                                     needles):
    """Every output path is checked before a step is taken (a folder missing for --export was
    found after training, and --history was already written); an empty one is refused (it
    was skipped without a word)."""
    argv = [a.format(tmp=tmp_path) for a in argv]
    code, out, err = run(capsys, "train", "--dataset", "circle", "--epochs", "2", *argv)
    assert_user_error(code, err, *needles)
    assert out == "" and sorted(p.name for p in tmp_path.iterdir()) == []


def test_console_script_and_module_entry(tmp_path):
    out = subprocess.run([sys.executable, "-m", "nnviz", "info", str(tmp_path / "none.json")],
                         capture_output=True, text=True)
    assert out.returncode == 2 and out.stderr.startswith("nnviz: error: no such file")
    out = subprocess.run([sys.executable, "-m", "nnviz", "train", "--steps", "10", "--json"],
                         capture_output=True, text=True)
    assert out.returncode == 0 and json.loads(out.stdout)["steps"] == 10


def test_progress_line_only_on_a_terminal(capsys, monkeypatch):
    monkeypatch.setattr(sys.stdout, "isatty", lambda: True, raising=False)
    code, out, _ = run(capsys, "train", "--steps", "60000", "--hidden", "16")
    assert code == 0 and "\rstep " in out and "epoch" in out
    monkeypatch.setattr(sys.stdout, "isatty", lambda: False, raising=False)
    code, out, _ = run(capsys, "train", "--steps", "2000")
    assert code == 0 and "\r" not in out


def test_version(capsys):
    """``nnviz --version`` names the version the package and its metadata declare."""
    import nnviz

    assert main(["--version"]) == 0
    out, err = capsys.readouterr()
    assert out == f"nnviz {nnviz.__version__}\n" and err == ""
    from importlib.metadata import version
    assert version("nnviz") == nnviz.__version__       # (the installed package's metadata)


def test_the_app_without_a_display_is_one_sentence(monkeypatch, capsys):
    """On Linux with no display (an ssh session), Qt aborted the process (status 134) with a
    page of platform-plugin messages; ``nnviz`` says what is missing in one line, status 2."""
    from ui import entry

    for name in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr(sys, "platform", "linux")
    assert entry.main([]) == 2
    out, err = capsys.readouterr()
    assert out == "" and err.count("\n") == 1
    assert err.startswith("nnviz: error: there is no display to open the app on")
    assert "nnviz train --help" in err


def test_the_app_without_libxcb_cursor_is_one_sentence(monkeypatch, capsys):
    """Qt 6's X11 plugin needs libxcb-cursor0, which a fresh Linux desktop may lack: Qt then
    aborted the process among a page of messages. ``nnviz`` names the package to install."""
    import ctypes

    from ui import entry

    monkeypatch.setenv("DISPLAY", ":99")
    for name in ("WAYLAND_DISPLAY", "QT_QPA_PLATFORM"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr(sys, "platform", "linux")

    def missing(name, *args, **kwargs):
        raise OSError(f"{name}: cannot open shared object file: No such file or directory")

    monkeypatch.setattr(ctypes, "CDLL", missing)
    assert entry.main([]) == 2
    out, err = capsys.readouterr()
    assert out == "" and err.count("\n") == 1
    assert err.startswith("nnviz: error: ") and "libxcb-cursor0" in err
