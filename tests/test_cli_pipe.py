"""A reader that stops early (``nnviz info F | head -1``) is not an error: every command ends
quietly with status 0 — no BrokenPipeError traceback, no "Exception ignored" at exit."""
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from nnviz.core.model import Model
from nnviz.core.network import Network
from nnviz.io import weights_io

ROOT = Path(__file__).resolve().parents[1]
BIG_ROWS = 20_000   # predict prints ~20 bytes a row: ~400 KB, far beyond a 64 KiB pipe buffer


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("pipe")
    net = Network([2, 3, 1], "tanh", "sigmoid")
    net.set_weights([(np.array([[0.31, -0.27, 0.11], [0.53, 0.19, -0.41]]), np.array([0.1, -0.2, 0.3])),
                     (np.array([[0.7], [-0.37], [0.23]]), np.array([0.05]))])
    w = tmp / "w.json"
    weights_io.save(Model(net, ["a", "b"], ["a", "b"], None, "classification", "log_loss"), w)
    i = np.arange(BIG_ROWS)
    d = tmp / "d.csv"
    d.write_text("a,b,label\n" + "".join(f"{x:.3f},{v:.3f},{c}\n" for x, v, c in
                                         zip(np.sin(i), np.cos(1.7 * i), i % 2)))
    return tmp, w, d


def _env(buffered: bool) -> dict:
    env = {**os.environ, "PYTHONPATH": str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", "")}
    env.pop("PYTHONUNBUFFERED", None)
    if not buffered:   # each print reaches the pipe at once, so the print itself meets the closed pipe
        env["PYTHONUNBUFFERED"] = "1"
    return env


# (Unbuffered predict is left out: its one large write just comes back short when the reader
# goes, so it has nothing to show; trace's print writes the text, then its newline.)
@pytest.mark.parametrize("command, buffered", [("predict", True), ("trace-json", True),
                                               ("trace-json", False)],
                         ids=["predict", "trace-json", "trace-json-unbuffered"])
def test_reader_closing_early(files, command, buffered):
    """``nnviz predict … | head -1``: read the first bytes, close the pipe while nnviz is still
    writing (both outputs are several hundred KB, far beyond a 64 KiB pipe buffer)."""
    tmp, w, d = files
    argv = {"predict": ["predict", "--weights", w, "--input", d],
            "trace-json": ["trace", "--weights", w, "--input", d, "--target", "label",
                           "--rows", "1000", "--json"]}[command]
    p = subprocess.Popen([sys.executable, "-m", "nnviz", *map(str, argv)],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=tmp, env=_env(buffered))
    first = os.read(p.stdout.fileno(), 11)
    assert first == (b"probability" if command == "predict" else b'{"rows": 10')
    p.stdout.close()
    err = p.stderr.read().decode()
    p.stderr.close()
    assert p.wait(timeout=60) == 0, err
    assert err == ""


def _commands(tmp, w, d):
    small = tmp / "small.csv"
    small.write_text("a,b,label\n1,2,1\n-1,0.5,0\n0,1,1\n")
    return {
        "info": ["info", w],
        "predict": ["predict", "--weights", w, "--input", d],
        "trace": ["trace", "--weights", w, "--input", small, "--target", "label"],
        "trace-json": ["trace", "--weights", w, "--input", small, "--target", "label", "--json"],
        "analyze": ["analyze", w],
        "convert": ["convert", w, tmp / "copy.npz"],
        "train": ["train", "--dataset", "circle", "--samples", "40", "--epochs", "1", "--json"],
        "help": ["train", "--help"],
    }


@pytest.mark.parametrize("command", ["info", "predict", "trace", "trace-json", "analyze",
                                     "convert", "train", "help"])
def test_every_command_with_stdout_already_closed(files, command):
    """The reader is gone before nnviz writes a byte (a pipe whose read end is closed), so the
    first write or the final flush meets EPIPE, whatever the timing."""
    tmp, w, d = files
    argv = _commands(tmp, w, d)[command]
    r, wr = os.pipe()
    os.close(r)
    try:
        p = subprocess.Popen([sys.executable, "-m", "nnviz", *map(str, argv)], stdout=wr,
                             stderr=subprocess.PIPE, cwd=tmp, env=_env(buffered=True))
    finally:
        os.close(wr)
    err = p.communicate(timeout=60)[1].decode()
    assert p.returncode == 0, err
    assert err == ""


def test_info_unbuffered_with_stdout_already_closed(files):
    tmp, w, _ = files
    r, wr = os.pipe()
    os.close(r)
    try:
        p = subprocess.Popen([sys.executable, "-m", "nnviz", "info", str(w)], stdout=wr,
                             stderr=subprocess.PIPE, cwd=tmp, env=_env(buffered=False))
    finally:
        os.close(wr)
    err = p.communicate(timeout=60)[1].decode()
    assert (p.returncode, err) == (0, "")


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs the full device /dev/full")
@pytest.mark.parametrize("argv", [["info", "{w}"], ["--help"], ["predict", "--weights", "{w}",
                                                                "--input", "{d}"]],
                         ids=["info", "help", "predict"])
def test_standard_output_that_cannot_be_written_is_one_sentence(files, argv):
    """``nnviz info F > /dev/full``: one line and status 2 (it was a traceback, and --help
    ended 0 without a word)."""
    tmp, w, d = files
    with open("/dev/full", "w") as full:
        p = subprocess.run([sys.executable, "-m", "nnviz", *(a.format(w=w, d=d) for a in argv)],
                           stdout=full, stderr=subprocess.PIPE, cwd=tmp, env=_env(True))
    err = p.stderr.decode()
    assert p.returncode == 2, err
    assert err == "nnviz: error: cannot write to standard output: No space left on device\n"
