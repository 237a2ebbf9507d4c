"""Compared runs: a pinned run keeps its curves (and settings) through Reset and a save/open
round trip; at most five; the legend and the runs table say what differed; the runs table and a
run's history export as CSV (``nnviz train --history`` too)."""
import csv
import io
import json

import numpy as np
import pytest

from nnviz.cli.main import main
from nnviz.core import runs
from nnviz.errors import NnvizError
from nnviz.experiment import Config, build
from nnviz.io import session_file
from ui.model import AppModel
from ui.model.runs import FULL

from conftest import answer_paths


def _rows(path):
    return list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"))))


def _trained(lr=0.3, epochs=3):
    m = AppModel()
    m.set_lr(lr)
    for _ in range(epochs):
        m.step_epoch()
    return m


def _same(a, b):
    assert (a.label, a.settings, a.task, a.best_epoch, a.steps, a.seconds, a.stopped) == \
           (b.label, b.settings, b.task, b.best_epoch, b.steps, b.seconds, b.stopped)
    for name in runs.HISTORY_FIELDS:
        np.testing.assert_array_equal(a.history[name], b.history[name])


def test_a_pinned_run_survives_reset_and_a_save_open_round_trip():
    m = _trained(0.3)
    record = m.pin_run()
    assert record.label == "run 1" and record.settings["lr"] == 0.3
    assert record.history["train_loss"] == m.trainer.history.train_loss
    m.reset()
    assert len(m.trainer.history) == 1 and m.pinned == [record]     # the run restarted; the pin stays
    m.set_lr(0.03)
    m.step_epoch()
    data = session_file.to_bytes(m.exp, pinned=m.pinned)
    state = session_file.from_bytes(data, "s.nnviz")
    other = AppModel()
    other.set_pinned(state.pinned)
    assert len(other.pinned) == 1
    _same(other.pinned[0], record)
    assert other.differences(other.pinned[0]) == ["lr 0.3 → 0.03"]
    other.step_epoch()
    assert other.pin_run().label == "run 2"                       # labels go on from the file's


def test_the_app_saves_and_opens_pinned_runs(window, tmp_path, monkeypatch):
    s = window.session
    s.set_lr(0.3)
    s.step_epoch()
    s.step_epoch()
    window.actionPinRun.trigger()
    window.actionReset.trigger()
    assert [r.label for r in s.pinned] == ["run 1"]
    pinned = s.pinned[0]
    path = tmp_path / "pins.nnviz"
    answer_paths(monkeypatch, path)
    assert window.file_actions.write(path)
    s.unpin(0)
    assert s.pinned == []
    assert window.file_actions.open_session(path)
    assert len(s.pinned) == 1
    _same(s.pinned[0], pinned)
    curve, test = window.loss_plot.pinned.curves[0]
    assert curve.isVisible() and test.isVisible()
    x, y = curve.getOriginalDataset()
    np.testing.assert_array_equal(y, pinned.history["train_loss"])
    label = window.loss_plot.pinned.legend.items[0][1]
    assert label.text.startswith("run 1: ")             # cut to the chart's width if need be
    assert label.toolTip() == "run 1: same settings"


def test_an_older_session_has_no_pinned_runs():
    data = session_file.to_bytes(build(Config()))
    with np.load(io.BytesIO(data), allow_pickle=False) as npz:
        arrays = {k: npz[k] for k in npz.files}
    header = json.loads(str(arrays.pop("header")))
    header.pop("pinned")
    buf = io.BytesIO()
    np.savez(buf, header=np.array(json.dumps(header)), **arrays)
    assert session_file.from_bytes(buf.getvalue(), "old.nnviz").pinned == []


def test_a_bad_pinned_run_in_a_file_is_refused():
    m = _trained()
    m.pin_run()
    data = session_file.to_bytes(m.exp, pinned=m.pinned)
    with np.load(io.BytesIO(data), allow_pickle=False) as npz:
        arrays = {k: npz[k] for k in npz.files}
    header = json.loads(str(arrays.pop("header")))
    del arrays["pinned0_test_loss"]
    buf = io.BytesIO()
    np.savez(buf, header=np.array(json.dumps(header)), **arrays)
    with pytest.raises(NnvizError, match="s.nnviz: the array 'pinned0_test_loss' is missing"):
        session_file.from_bytes(buf.getvalue(), "s.nnviz")


def test_at_most_five_runs_the_sixth_refuses_or_drops_the_oldest():
    m = _trained()
    for _ in range(5):
        m.pin_run()
    with pytest.raises(NnvizError) as info:
        m.pin_run()
    assert str(info.value) == FULL and "\n" not in FULL
    assert [r.label for r in m.pinned] == [f"run {k}" for k in range(1, 6)]
    m.pin_run(drop_oldest=True)
    assert [r.label for r in m.pinned] == [f"run {k}" for k in range(2, 7)]


def test_the_sixth_pin_in_the_app_asks_to_drop_the_oldest(window, monkeypatch):
    from ui import dialogs

    s = window.session
    s.step_epoch()
    for _ in range(5):
        window.actionPinRun.trigger()
    asked = []
    monkeypatch.setattr(dialogs, "ask_yes_no", lambda parent, title, text: asked.append(text) or False)
    window.actionPinRun.trigger()
    assert len(asked) == 1 and "Unpin the oldest (run 1)" in asked[0]
    assert [r.label for r in s.pinned] == [f"run {k}" for k in range(1, 6)]      # refused
    monkeypatch.setattr(dialogs, "ask_yes_no", lambda parent, title, text: True)
    window.actionPinRun.trigger()
    assert [r.label for r in s.pinned] == [f"run {k}" for k in range(2, 7)]
    assert window.actionPinRun.shortcut().toString() == "Ctrl+P"
    assert window.pin_button.defaultAction() is window.actionPinRun
    assert window.actionPinRun.toolTip() and window.actionPinRun.statusTip()


def test_pinning_before_an_epoch_says_so():
    with pytest.raises(NnvizError, match="train at least one epoch before pinning the run"):
        AppModel().pin_run()


def test_the_differences_read_old_to_new():
    a = runs.settings_of(Config(lr=0.3, hidden=[4], batch_size=10, shuffle=True))
    b = runs.settings_of(Config(lr=0.03, hidden=[8, 4], batch_size=None, shuffle=False))
    assert runs.differences(a, b) == ["hidden 4 → 8,4", "lr 0.3 → 0.03", "batch size 10 → full",
                                      "shuffle on → off"]
    assert runs.differences(a, a) == []


def test_the_runs_table_csv_has_every_run_with_its_final_figures(window, monkeypatch, tmp_path):
    from ui import runs_actions

    s = window.session
    s.step_epoch()
    s.pin_run()
    s.set_lr(0.1)
    s.step_epoch()
    s.step_epoch()
    dlg = runs_actions.show_runs(window)
    assert dlg.table.rowCount() == 2
    assert dlg.table.item(0, 1).text() == "lr 0.03 → 0.1"
    assert dlg.table.item(1, 0).text() == "current" and dlg.table.item(1, 7).text() == "3"
    path = tmp_path / "runs.csv"
    answer_paths(monkeypatch, path)
    assert runs_actions.export_runs(window)
    rows = _rows(path)
    assert [r["run"] for r in rows] == ["run 1", "current"]
    h = s.trainer.history
    assert float(rows[1]["train_loss"]) == h.train_loss[-1]
    assert float(rows[1]["test_metric"]) == h.test_metric[-1]
    assert rows[0]["lr"] == "0.03" and rows[1]["lr"] == "0.1" and rows[1]["epochs"] == "3"
    assert rows[1]["steps"] == str(s.trainer.step_count) and float(rows[1]["seconds"]) > 0
    dlg.table.selectRow(0)
    dlg._unpin()
    assert s.pinned == [] and dlg.table.rowCount() == 1
    dlg.close()


def test_the_runs_tables_numbers_line_up(window):
    """Every figure has four significant digits, trailing zeros kept ("0.3180" under
    "0.6878", not "0.318"), and the number columns are right-aligned, so a column reads down."""
    from PySide6.QtCore import Qt

    from ui import runs_actions

    assert runs_actions._num(0.318) == "0.3180" and runs_actions._num(0.6878123) == "0.6878"
    assert runs_actions._num(1234.0) == "1234" and runs_actions._num(12345.6) == "1.235e+04"
    assert runs_actions._num(float("nan")) == "–" and runs_actions._num(5) == "5"
    s = window.session
    s.step_epoch()
    s.pin_run()
    s.step_epoch()
    dlg = runs_actions.show_runs(window)
    for row in range(dlg.table.rowCount()):
        for col in range(2, dlg.table.columnCount()):
            item = dlg.table.item(row, col)
            assert item.textAlignment() & Qt.AlignmentFlag.AlignRight, (row, col)
        for col in range(2, 6):           # the losses and the metrics
            text = dlg.table.item(row, col).text()
            assert len(text.lstrip("-0.").replace(".", "")) == 4, text
    dlg.close()


def test_the_history_csv_from_the_app_and_the_cli(window, monkeypatch, tmp_path, capsys):
    s = window.session
    s.step_epoch()
    s.step_epoch()
    path = tmp_path / "h.csv"
    answer_paths(monkeypatch, path)
    assert window.file_actions.export_history()           # File › Export loss history
    rows = _rows(path)
    assert [int(r["epoch"]) for r in rows] == [0, 1, 2]
    assert [float(r["test_loss"]) for r in rows] == s.trainer.history.test_loss
    cli_path = tmp_path / "cli.csv"
    assert main(["train", "--epochs", "4", "--seed", "2", "--history", str(cli_path),
                 "--json"]) == 0
    res = json.loads(capsys.readouterr().out)
    rows = _rows(cli_path)
    assert list(rows[0]) == ["epoch", "step", "train_loss", "test_loss", "train_accuracy",
                             "test_accuracy"]
    assert len(rows) == 5 and float(rows[-1]["train_loss"]) == res["train_loss"]
    assert float(rows[-1]["test_accuracy"]) == res["test_accuracy"]
    assert main(["train", "--epochs", "1", "--history", str(tmp_path / "no" / "h.csv")]) == 2
    assert "there is no folder" in capsys.readouterr().err


def test_return_in_the_runs_table_closes_it_and_unpins_nothing(window, qtbot):
    """Unpin was the table's default button: Return unpinned the selected run, which Undo does
    not bring back. Close is the default; Unpin waits for a pinned run's row."""
    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest

    from ui import runs_actions

    s = window.session
    s.step_epoch()
    s.pin_run()
    dlg = runs_actions.show_runs(window)
    qtbot.waitExposed(dlg)
    assert not dlg.unpin.isEnabled()
    dlg.table.selectRow(1)                       # the current run: nothing to unpin
    assert not dlg.unpin.isEnabled()
    dlg.table.selectRow(0)
    assert dlg.unpin.isEnabled()
    QTest.keyClick(dlg.table, Qt.Key.Key_Return)
    assert len(s.pinned) == 1 and not dlg.isVisible()
