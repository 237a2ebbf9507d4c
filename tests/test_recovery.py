"""Nothing lost: Save / Discard / Cancel before unsaved work goes, and a recovery file that
survives a crash."""
import os

import numpy as np
import pytest
from PySide6.QtGui import QCloseEvent

from nnviz.io import session_file
from ui import dialogs, recovery
from ui.main_window import MainWindow
from conftest import answer_paths


@pytest.fixture(autouse=True)
def no_recovery_file():
    recovery.remove()
    yield
    recovery.remove()


def answer(monkeypatch, reply, path=None):
    asked = []

    def ask(parent, title, text):
        asked.append((title, text))
        return reply
    monkeypatch.setattr(dialogs, "ask_save_discard_cancel", ask)
    if path is not None:
        monkeypatch.setattr(dialogs, "ask_save_path", lambda *a, **k: str(path))
    return asked


def test_recovery_file_lives_in_the_test_data_folder():
    assert str(recovery.path()).startswith(os.environ["XDG_DATA_HOME"])


def quit_action(w):
    menu = w.menuBar().actions()[0].menu()
    return next(a for a in menu.actions() if a.text() == "Quit")


class WindowSystemClose(QCloseEvent):
    """The close event the window system sends (the title bar's close button)."""

    def spontaneous(self):
        return True


def test_quit_with_unsaved_training_asks(window, monkeypatch, tmp_path):
    w = window
    asked = answer(monkeypatch, dialogs.CANCEL)
    w.actionStepEpoch.trigger()
    w.actionPlay.trigger()
    assert w.isWindowModified()
    quit_action(w).trigger()             # Cancel: the window stays, the run too
    assert asked[0][0] == "Quit nnviz" and "unsaved changes" in asked[0][1]
    assert w.isVisible() and w.session.trainer.epoch_count >= 1 and not w.session.playing
    path = tmp_path / "kept.nnviz"
    answer(monkeypatch, dialogs.SAVE, path)
    steps = w.session.trainer.step_count
    quit_action(w).trigger()             # Save: written, then closed
    assert not w.isVisible()
    assert session_file.load(path).experiment.trainer.step_count == steps


def test_window_system_close_asks(window, monkeypatch, tmp_path):
    w = window
    asked = answer(monkeypatch, dialogs.CANCEL)
    event = WindowSystemClose()
    w.closeEvent(event)                  # nothing unsaved: no question
    assert asked == [] and event.isAccepted()
    w.show()
    w.actionStepBatch.trigger()
    event = WindowSystemClose()
    w.closeEvent(event)
    assert len(asked) == 1 and not event.isAccepted()
    warned = []
    monkeypatch.setattr(dialogs, "warn", lambda p, t, text: warned.append(text))
    answer(monkeypatch, dialogs.SAVE, tmp_path / "no_such_folder" / "x.nnviz")
    event = WindowSystemClose()
    w.closeEvent(event)                  # the save fails: the window stays
    assert not event.isAccepted() and warned and "cannot write" in warned[0]
    answer(monkeypatch, dialogs.DISCARD)
    event = WindowSystemClose()
    w.closeEvent(event)
    assert event.isAccepted()


def test_opening_another_session_or_data_asks_first(window, monkeypatch, tmp_path):
    w = window
    other = tmp_path / "other.nnviz"
    w.actionStepBatch.trigger()
    w.file_actions.write(other)
    w.actionStepEpoch.trigger()
    steps = w.session.trainer.step_count
    asked = answer(monkeypatch, dialogs.CANCEL)
    opened = []
    monkeypatch.setattr(dialogs, "ask_open_path", lambda *a, **k: opened.append(1) or str(other))
    w.actionOpenSession.trigger()
    w.actionOpenData.trigger()
    w.findChild(type(w.actionOpenData), "actionSample_iris_petals").trigger()
    assert [t for t, _ in asked] == ["Open session", "Open data", "Open data"]
    assert opened == [] and w.session.trainer.step_count == steps
    answer(monkeypatch, dialogs.DISCARD)
    w.actionOpenSession.trigger()
    assert w.session.trainer.step_count == 1 and not w.isWindowModified()


def test_recovery_written_while_training_and_offered_after_a_crash(window, monkeypatch, qtbot):
    w = window
    monkeypatch.setattr(recovery, "RECOVERY_SECONDS", 0.0)
    w.actionPlay.trigger()
    qtbot.waitUntil(lambda: recovery.path().exists(), timeout=5000)
    w.actionPlay.trigger()
    assert not w.session.playing
    saved = session_file.load(recovery.path()).experiment
    assert saved.trainer.step_count > 0
    # the app "crashes": the file stays; the next start offers it
    questions = []
    monkeypatch.setattr(dialogs, "ask_yes_no", lambda p, t, text: questions.append(text) or True)
    w2 = MainWindow()
    qtbot.addWidget(w2)
    assert recovery.offer(w2) is True
    assert "did not close normally" in questions[0]
    np.testing.assert_array_equal(w2.session.network.params, saved.network.params)
    assert w2.session.trainer.step_count == saved.trainer.step_count
    assert w2.isWindowModified() and w2.windowTitle().startswith("untitled")
    # a clean exit deletes it
    answer(monkeypatch, dialogs.DISCARD)
    quit_action(w2).trigger()
    assert not w2.isVisible() and not recovery.path().exists()


def test_declined_or_unreadable_recovery_is_deleted(window, monkeypatch):
    w = window
    recovery.write(w.session)
    monkeypatch.setattr(dialogs, "ask_yes_no", lambda *a: False)
    params = w.session.network.params.copy()
    assert recovery.offer(w) is False and not recovery.path().exists()
    recovery.path().write_bytes(b"PK\x03\x04 broken")
    warned = []
    monkeypatch.setattr(dialogs, "ask_yes_no", lambda *a: True)
    monkeypatch.setattr(dialogs, "warn", lambda p, t, text: warned.append(text))
    assert recovery.offer(w) is False
    assert len(warned) == 1 and recovery.path().name in warned[0] and not recovery.path().exists()
    np.testing.assert_array_equal(w.session.network.params, params)
    assert recovery.offer(w) is False    # nothing to offer: no question asked


def test_interrupted_recovery_write_keeps_the_previous_one(window, monkeypatch):
    w = window
    w.actionStepBatch.trigger()
    recovery.write(w.session)
    before = recovery.path().read_bytes()
    w.actionStepEpoch.trigger()
    monkeypatch.setattr(recovery, "RECOVERY_SECONDS", 0.0)
    with monkeypatch.context() as m:
        m.setattr(os, "replace", lambda *a: (_ for _ in ()).throw(OSError(28, "No space left on device")))
        w.session.play()
        w.session._tick()                # one frame of training: a recovery write is due
        w.session.pause()
    assert "Recovery file not written" in w.statusBar().currentMessage()
    assert recovery.path().read_bytes() == before
    assert [p.name for p in recovery.path().parent.iterdir()] == [recovery.path().name]


def test_recovery_is_written_without_play_and_deleted_by_a_save(window, monkeypatch, tmp_path):
    """Work stepped by hand was never written (only Play wrote the file), and a save left the
    older recovery file, which a later crash offered in place of the saved work."""
    w = window
    monkeypatch.setattr(recovery, "RECOVERY_SECONDS", 0.0)
    w.actionStepEpoch.trigger()
    assert recovery.path().exists() and not w.session.playing
    assert session_file.load(recovery.path()).experiment.trainer.step_count == \
        w.session.trainer.step_count
    for _ in range(3):                     # mid-step: not written (a file holds whole steps)
        w.actionStepOperation.trigger()
    answer_paths(monkeypatch, tmp_path / "run.nnviz")
    w.actionSaveSession.trigger()
    assert (tmp_path / "run.nnviz").exists() and not recovery.path().exists()
