"""Files behave as users expect of any program: the permissions a plain ``open()`` gives, the
extension of the chosen filter, tooltips naming every format, any folder name, and one clear
message (with the old file kept) when a folder cannot be written."""
import errno
import os
import stat
import subprocess
import sys
import tempfile

import numpy as np
import pytest

from nnviz.cli.main import main as cli_main
from nnviz.data import csvdata
from nnviz.errors import NnvizError
from nnviz.experiment import Config, build
from nnviz.io import exporters, fileio, session_file
from ui import dialogs, file_actions
from conftest import answer_paths

ALL_EXPORTS = list(exporters.EXPORT_FORMATS)          # .json .npz .safetensors .onnx .py .csv
ODD_FOLDER = ("my nets", "Ωmega é")


def _model(seed=3, hidden=(4,)):
    exp = build(Config(seed=seed, features=["x1", "x2", "x1^2"], hidden=list(hidden)))
    exp.trainer.steps(20)
    return exp


def _mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


@pytest.fixture
def umask():
    """Set the process umask for one test (restored after)."""
    old = os.umask(0o022)
    os.umask(old)

    def _set(value):
        os.umask(value)
    yield _set
    os.umask(old)


# --- 1. modes --------------------------------------------------------------------------------
@pytest.mark.parametrize("mask, file_bits, dir_bits", [(0o022, 0o644, 0o755), (0o077, 0o600, 0o700)],
                         ids=["umask022", "umask077"])
def test_written_files_get_the_mode_open_would_give(tmp_path, umask, mask, file_bits, dir_bits):
    umask(mask)
    assert fileio.current_umask() == mask
    exp = _model()
    for ext in ALL_EXPORTS:
        written = exporters.export(exp.model, tmp_path / f"w{ext}")
        if ext == ".csv":
            assert written.is_dir() and _mode(written) == dir_bits, oct(_mode(written))
            inside = sorted(written.iterdir())
            assert inside and all(_mode(p) == file_bits for p in inside), \
                [(p.name, oct(_mode(p))) for p in inside]
        else:
            assert _mode(written) == file_bits, (ext, oct(_mode(written)))
    session_file.save(tmp_path / "s.nnviz", exp)
    assert _mode(tmp_path / "s.nnviz") == file_bits
    csvdata.write_dataset(exp.dataset, tmp_path / "data.csv")
    assert _mode(tmp_path / "data.csv") == file_bits
    # the folder around them is untouched, and no temporary is left
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]


def test_app_writes_get_the_umask_mode(window, tmp_path, monkeypatch, umask, warnings):
    umask(0o027)
    w = window
    w.actionStepEpoch.trigger()
    for name, action in [("run.nnviz", w.actionSaveSessionAs), ("h.csv", w.actionExportHistory),
                         ("d.csv", w.actionExportDataSplit), ("data.csv", w.actionSaveData),
                         ("w.npz", w.actionExportWeights),
                         ("plot.png", w.actionExportBoundaryImage)]:
        answer_paths(monkeypatch, tmp_path / name)
        action.trigger()
        assert not warnings, warnings
        assert _mode(tmp_path / name) == 0o640, (name, oct(_mode(tmp_path / name)))


def test_file_written_over_keeps_its_own_mode(tmp_path, umask):
    """As with open(path, "w"): a file the user made private (or shared) stays so."""
    umask(0o022)
    exp = _model()
    path = tmp_path / "w.json"
    exporters.export(exp.model, path)
    os.chmod(path, 0o640)
    exporters.export(_model(seed=4).model, path)
    assert _mode(path) == 0o640
    assert exporters.load(path).network.params.tolist() == _model(seed=4).model.network.params.tolist()


def test_umask_read_without_proc(monkeypatch, umask):
    umask(0o037)
    real_open = open

    def no_proc(file, *a, **k):
        if str(file).startswith("/proc/"):
            raise FileNotFoundError(2, "No such file or directory")
        return real_open(file, *a, **k)
    monkeypatch.setattr("builtins.open", no_proc)
    assert fileio.current_umask() == 0o037
    assert fileio.file_mode() == 0o640 and fileio.folder_mode() == 0o740
    monkeypatch.undo()
    assert fileio.current_umask() == 0o037          # and unchanged by reading it


# --- 2. the save dialog's filter extension ------------------------------------------------
class FakeDialog:
    """QFileDialog.getSaveFileName as a user who types a bare name with a filter selected."""
    answer = ("", "")

    @staticmethod
    def getSaveFileName(parent, title, default, filters):
        FakeDialog.filters = filters
        return FakeDialog.answer


def _typed(monkeypatch, path, selected):
    FakeDialog.answer = (str(path), selected)
    monkeypatch.setattr(dialogs, "QFileDialog", FakeDialog)


def test_bare_name_gets_the_selected_filters_extension(window, tmp_path, monkeypatch, warnings):
    import onnx
    w = window
    w.actionStepEpoch.trigger()
    _typed(monkeypatch, tmp_path / "mynet", "ONNX model (*.onnx)")
    w.actionExportWeights.trigger()
    assert not warnings, warnings
    assert (tmp_path / "mynet.onnx").is_file() and not (tmp_path / "mynet").exists()
    assert len(onnx.load(str(tmp_path / "mynet.onnx")).graph.node) > 0
    # every export filter as the dialog really offers it (with its long description)
    for ext, selected in zip(ALL_EXPORTS, file_actions.export_filter().split(";;")):
        _typed(monkeypatch, tmp_path / f"net_{ext[1:]}", selected)
        w.actionExportWeights.trigger()
        assert not warnings, (ext, warnings)
        want = tmp_path / (f"net_{ext[1:]}" if ext == ".csv" else f"net_{ext[1:]}{ext}")
        assert want.exists(), (ext, sorted(p.name for p in tmp_path.iterdir()))
    assert FakeDialog.filters == file_actions.export_filter()
    # a picture: "plot" with the SVG filter is an SVG drawing
    _typed(monkeypatch, tmp_path / "plot", "SVG drawing (*.svg)")
    w.actionExportBoundaryImage.trigger()
    assert not warnings and (tmp_path / "plot.svg").read_bytes().lstrip().startswith(b"<?xml")
    # data: "table" with the CSV filter
    _typed(monkeypatch, tmp_path / "table", "CSV tables (*.csv)")
    w.actionSaveData.trigger()
    assert not warnings and (tmp_path / "table.csv").read_text().startswith("x1,x2,")


def test_typed_extension_is_kept(window, tmp_path, monkeypatch, warnings):
    w = window
    # a known extension of another filter wins over the selected filter (case too)
    _typed(monkeypatch, tmp_path / "net.NPZ", "ONNX model (*.onnx)")
    w.actionExportWeights.trigger()
    assert not warnings and (tmp_path / "net.NPZ").is_file()
    assert exporters.load(tmp_path / "net.NPZ").network.params.tolist() == \
        w.session.model.network.params.tolist()
    # an unknown dot in the name is not an extension
    _typed(monkeypatch, tmp_path / "v1.2", "nnviz weights JSON (*.json)")
    w.actionExportWeights.trigger()
    assert not warnings and (tmp_path / "v1.2.json").is_file()
    # cancel stays cancel
    _typed(monkeypatch, "", "")
    assert dialogs.ask_save_path(w, "t", "x.json", file_actions.export_filter()) == ""


def test_filter_extensions_parsing():
    assert dialogs.filter_extensions("ONNX model (inputs → features → output) (*.onnx) — needs "
                                     "pip install onnx") == [".onnx"]
    assert dialogs.filter_extensions("Weights (*.json *.NPZ)") == [".json", ".npz"]
    assert dialogs.filter_extensions("All files (*)") == []
    assert dialogs.with_extension("/a/x", "A (*.a);;All files (*)", "All files (*)") == "/a/x"
    assert dialogs.with_extension("/a/x", "A (*.a);;B (*.b)", "") == "/a/x.a"


# --- 3. tooltips ------------------------------------------------------------------------------
def test_tooltips_name_every_format(window):
    w = window
    for ext in exporters.EXPORT_FORMATS:
        assert ext in w.actionExportWeights.toolTip() and ext in w.actionExportWeights.statusTip()
    for ext in [*exporters.LOAD_FORMATS, ".nnviz"]:
        assert ext in w.actionImportWeights.toolTip() and ext in w.actionImportWeights.statusTip()
        assert f"*{ext}" in file_actions.import_filter()
    assert "(.json or .npz)" not in w.actionExportWeights.toolTip()
    assert w.actionExportWeights.toolTip().endswith("(Ctrl+E)")


def test_tooltips_follow_the_format_tables(qtbot, monkeypatch):
    """A format added to the tables appears in the tooltips and the import filter."""
    from ui.main_window import MainWindow
    monkeypatch.setattr(exporters, "EXPORT_FORMATS", {**exporters.EXPORT_FORMATS, ".h5": "HDF5 weights"})
    monkeypatch.setattr(exporters, "LOAD_FORMATS", (*exporters.LOAD_FORMATS, ".h5"))
    w = MainWindow()
    qtbot.addWidget(w)
    try:
        assert ".h5" in w.actionExportWeights.toolTip() and ".h5" in w.actionExportWeights.statusTip()
        assert ".h5" in w.actionImportWeights.toolTip() and ".h5" in w.actionImportWeights.statusTip()
        assert "HDF5 weights (*.h5)" in file_actions.import_filter()
        assert "(*.h5)" in file_actions.export_filter()
    finally:
        w.session.shutdown()
        w.close()


# --- 4. folder names with spaces and non-ASCII letters -------------------------------------
def test_odd_folder_names_every_read_and_write(tmp_path):
    import onnx
    folder = tmp_path.joinpath(*ODD_FOLDER)
    folder.mkdir(parents=True)
    exp = _model()
    X = np.random.default_rng(1).uniform(-3, 3, size=(20, 2))
    for ext in ALL_EXPORTS:
        written = exporters.export(exp.model, folder / f"wé ights{ext}")
        if ext in exporters.LOAD_FORMATS:
            np.testing.assert_array_equal(exporters.load(written).predict(X), exp.model.predict(X))
        elif ext == ".onnx":
            assert len(onnx.load(str(written)).graph.node) > 0
        elif ext == ".py":
            code = ("import importlib.util, sys\n"
                    "spec = importlib.util.spec_from_file_location('n', sys.argv[1])\n"
                    "m = importlib.util.module_from_spec(spec); spec.loader.exec_module(m)\n"
                    "print(m.predict([[0.5, -1.0]])[0])")
            run = subprocess.run([sys.executable, "-I", "-B", "-c", code, str(written)],
                                 capture_output=True, text=True, timeout=60)
            assert run.returncode == 0, run.stderr
            assert float(run.stdout) == exp.model.predict(np.array([[0.5, -1.0]]))[0]
        else:
            assert written == folder / "wé ights" and (written / "W1.csv").is_file()
    session_file.save(folder / "sé ssion.nnviz", exp)
    back = session_file.load(folder / "sé ssion.nnviz")
    np.testing.assert_array_equal(back.experiment.network.params, exp.network.params)
    np.testing.assert_array_equal(exporters.load(folder / "sé ssion.nnviz").predict(X),
                                  exp.model.predict(X))
    csvdata.write_dataset(exp.dataset, folder / "dâta set.csv")
    ds = csvdata.load_dataset(folder / "dâta set.csv", "y")
    np.testing.assert_array_equal(ds.X, exp.dataset.X)
    np.testing.assert_array_equal(ds.y, exp.dataset.y)
    assert sorted(p.name for p in folder.iterdir()) == sorted(
        ["dâta set.csv", "sé ssion.nnviz", "wé ights", *(f"wé ights{e}" for e in ALL_EXPORTS if e != ".csv")])


def test_odd_folder_names_in_the_app(window, tmp_path, monkeypatch, qtbot, warnings):
    from ui.main_window import MainWindow
    folder = tmp_path.joinpath(*ODD_FOLDER)
    folder.mkdir(parents=True)
    w = window
    w.actionStepEpoch.trigger()
    for name, action in [("rün 1.nnviz", w.actionSaveSessionAs), ("w ü.safetensors", w.actionExportWeights),
                         ("dâta.csv", w.actionSaveData), ("hïst.csv", w.actionExportHistory),
                         ("plöt.svg", w.actionExportLossImage)]:
        answer_paths(monkeypatch, folder / name)
        action.trigger()
        assert not warnings, (name, warnings)
        assert (folder / name).is_file() and (folder / name).stat().st_size > 0, name
    w2 = MainWindow()
    qtbot.addWidget(w2)
    try:
        answer_paths(monkeypatch, folder / "rün 1.nnviz")
        w2.actionOpenSession.trigger()
        answer_paths(monkeypatch, folder / "w ü.safetensors")
        w2.actionImportWeights.trigger()
        assert not warnings, warnings
        np.testing.assert_array_equal(w2.session.network.params, w.session.network.params)
        assert w2.windowTitle().startswith("rün 1.nnviz")
    finally:
        w2.session.shutdown()
        w2.close()


def test_odd_folder_names_on_the_command_line(tmp_path, capsys):
    folder = tmp_path.joinpath(*ODD_FOLDER)
    folder.mkdir(parents=True)
    exp = _model()
    csvdata.write_dataset(exp.dataset, folder / "dâta.csv")
    for ext in ALL_EXPORTS:
        assert cli_main(["train", "--data", str(folder / "dâta.csv"), "--target", "y", "--epochs", "1",
                         "--export", str(folder / f"ñet{ext}")]) == 0, capsys.readouterr().err
    (folder / "ïn.csv").write_text("x1,x2\n0.5,-1\n", encoding="utf-8")
    assert cli_main(["predict", "--weights", str(folder / "ñet.safetensors"), "--input",
                     str(folder / "ïn.csv"), "--output", str(folder / "öut.csv")]) == 0
    assert (folder / "öut.csv").read_text().splitlines()[0] == "probability"
    assert cli_main(["info", str(folder / "ñet.npz")]) == 0
    assert str(folder / "ñet.npz") in capsys.readouterr().out


# --- 5. a folder that cannot be written --------------------------------------------------------
def _chmod_works(tmp_path) -> bool:
    """False where a read-only folder can still be written (running as root)."""
    probe = tmp_path / "probe"
    probe.mkdir()
    probe.chmod(0o500)
    try:
        (probe / "x").write_bytes(b"")
    except PermissionError:
        return True
    finally:
        probe.chmod(0o700)
    return False


@pytest.fixture(params=["read-only", "disk full at rename"])
def unwritable(request, tmp_path, monkeypatch):
    """Make ``tmp_path/"out"`` unwritable: chmod 0o500 where that works, else (as root) the
    errors the system would give; returns (folder, undo)."""
    folder = tmp_path / "out"
    folder.mkdir()

    def break_it():
        if request.param == "read-only":
            if _chmod_works(tmp_path):
                folder.chmod(0o500)
                return
            def denied(*a, **k):
                raise PermissionError(errno.EACCES, "Permission denied")
            monkeypatch.setattr(tempfile, "mkstemp", denied)
            monkeypatch.setattr(tempfile, "mkdtemp", denied)
        else:
            def full(*a, **k):
                raise OSError(errno.ENOSPC, "No space left on device")
            monkeypatch.setattr(os, "replace", full)

    def undo():
        monkeypatch.undo()
        folder.chmod(0o700)
    return folder, break_it, undo, request.param


def _snapshot(folder):
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


def _one_sentence(text, folder, why):
    assert "\n" not in text and "Traceback" not in text, text
    assert text.count(". ") == 0 and text.count("; ") <= 1, text
    assert text.startswith("cannot write ") and str(folder) in text, text
    assert why in text and text.endswith("nothing was changed"), text


def test_unwritable_folder_engine_keeps_old_files(tmp_path, unwritable):
    folder, break_it, undo, kind = unwritable
    old, new = _model(3), _model(4, hidden=(3, 2))
    for ext in ALL_EXPORTS:
        exporters.export(old.model, folder / f"w{ext}")
    session_file.save(folder / "s.nnviz", old)
    csvdata.write_dataset(old.dataset, folder / "d.csv")
    before = _snapshot(folder)
    break_it()
    why = "Permission denied" if kind == "read-only" else "disk is full"
    for write in [*(lambda e=e: exporters.export(new.model, folder / f"w{e}") for e in ALL_EXPORTS),
                  lambda: session_file.save(folder / "s.nnviz", new),
                  lambda: csvdata.write_dataset(new.dataset, folder / "d.csv")]:
        with pytest.raises(NnvizError) as info:
            write()
        _one_sentence(str(info.value), folder, why)
    undo()
    assert _snapshot(folder) == before
    assert sorted(p.name for p in folder.iterdir()) == sorted(
        ["s.nnviz", "d.csv", "w", *(f"w{e}" for e in ALL_EXPORTS if e != ".csv")])


def test_unwritable_folder_app_one_message(window, tmp_path, monkeypatch, unwritable, warnings):
    folder, break_it, undo, kind = unwritable
    w = window
    w.actionStepEpoch.trigger()
    actions = [("run.nnviz", w.actionSaveSessionAs), ("w.json", w.actionExportWeights),
               ("w.csv", w.actionExportWeights), ("data.csv", w.actionSaveData),
               ("h.csv", w.actionExportHistory), ("plot.png", w.actionExportBoundaryImage)]
    for name, action in actions:
        answer_paths(monkeypatch, folder / name)
        action.trigger()
    assert not warnings, warnings
    w.actionStepEpoch.trigger()
    before = _snapshot(folder)
    break_it()
    why = "Permission denied" if kind == "read-only" else "disk is full"
    for name, action in actions:
        answer_paths(monkeypatch, folder / name)
        action.trigger()
        assert len(warnings) == 1, (name, warnings)
        _one_sentence(warnings.pop(), folder, why)
    undo()
    assert _snapshot(folder) == before


def test_unwritable_folder_cli_error(tmp_path, capsys, unwritable):
    folder, break_it, undo, kind = unwritable
    old = _model()
    exporters.export(old.model, folder / "w.json")
    exporters.export(old.model, folder / "w.csv")
    (tmp_path / "in.csv").write_text("x1,x2\n0.5,-1\n")
    assert cli_main(["predict", "--weights", str(folder / "w.json"), "--input",
                     str(tmp_path / "in.csv"), "--output", str(folder / "p.csv")]) == 0
    capsys.readouterr()
    before = _snapshot(folder)
    break_it()
    why = "Permission denied" if kind == "read-only" else "disk is full"
    for argv in (["train", "--epochs", "1", "--export", str(folder / "w.json")],
                 ["convert", str(folder / "w.json"), str(folder / "w.csv")],
                 ["predict", "--weights", str(folder / "w.json"), "--input",
                  str(tmp_path / "in.csv"), "--output", str(folder / "p.csv")]):
        assert cli_main(argv) == 2, argv
        out, err = capsys.readouterr()
        lines = err.splitlines()
        assert len(lines) == 1 and lines[0].startswith("nnviz: error: "), err
        _one_sentence(lines[0][len("nnviz: error: "):], folder, why)
    undo()
    assert _snapshot(folder) == before


@pytest.mark.parametrize("ext", [".json", ".py", ".onnx"])
def test_a_link_is_written_through_and_stays_a_link(tmp_path, ext):
    """Writing to a symbolic link replaces the file it names (the rename over the path had
    made the link a plain file, and the file it named kept its old contents)."""
    if exporters.missing_package(ext):
        pytest.skip(f"{ext} export needs an optional package")
    real = tmp_path / "real"
    real.mkdir()
    target = real / f"w{ext}"
    target.write_bytes(b"old")
    link = tmp_path / f"link{ext}"
    link.symlink_to(target)
    exporters.export(_model().model, link)
    assert link.is_symlink() and os.readlink(link) == str(target)
    assert target.read_bytes() != b"old" and link.read_bytes() == target.read_bytes()
    assert sorted(p.name for p in real.iterdir()) == [target.name]      # no temporary left


def test_a_pipe_is_written_as_it_is(tmp_path):
    """A FIFO (as /dev/stdout can be) is written into, not replaced by a file beside it."""
    import threading

    fifo = tmp_path / "out.csv"
    os.mkfifo(fifo)
    got = []

    def read():
        with open(fifo, "rb") as fh:
            got.append(fh.read())
    reader = threading.Thread(target=read)
    reader.start()
    fileio.atomic_write(fifo, b"probability\n0.5\n")
    reader.join(5)
    assert got == [b"probability\n0.5\n"] and stat.S_ISFIFO(os.stat(fifo).st_mode)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.csv"]


def test_a_folder_is_not_written_over(tmp_path):
    (tmp_path / "out.csv").mkdir()
    with pytest.raises(NnvizError, match="out.csv: it is a folder; nothing was changed"):
        fileio.atomic_write(tmp_path / "out.csv", b"x")
