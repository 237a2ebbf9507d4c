"""The recovery file for real: two apps open at once keep separate recovery files."""
import os
import subprocess
import sys
import time

import pytest

from nnviz.io import session_file
from ui import dialogs, recovery


@pytest.fixture
def empty_recovery_folder():
    def clear():
        for f in recovery.folder().glob("recovery*.nnviz"):
            f.unlink()
    clear()
    yield
    clear()


def test_two_apps_keep_separate_recovery_files_and_a_running_ones_is_not_offered(
        window, monkeypatch, qtbot, empty_recovery_folder):
    from ui.main_window import MainWindow

    live = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait(timeout=30)
    try:
        w = window
        w.actionStepBatch.trigger()
        monkeypatch.setattr(os, "getpid", lambda: live.pid)      # the app still open
        a = recovery.write(w.session)
        w.actionStepEpoch.trigger()
        monkeypatch.setattr(os, "getpid", lambda: dead.pid)      # the app that crashed
        b = recovery.write(w.session)
        monkeypatch.undo()
        assert a != b and a.parent == b.parent
        assert sorted(p.name for p in a.parent.glob("recovery*.nnviz")) == sorted(
            [f"recovery-{live.pid}.nnviz", f"recovery-{dead.pid}.nnviz"])
        steps_a = session_file.load(a).experiment.trainer.step_count
        steps_b = session_file.load(b).experiment.trainer.step_count
        assert 0 < steps_a < steps_b
        later = time.time() + 10
        os.utime(a, (later, later))      # the running app's file is the newest: still skipped

        questions = []
        monkeypatch.setattr(dialogs, "ask_yes_no", lambda p, t, text: questions.append(t) or True)
        w2 = MainWindow()
        qtbot.addWidget(w2)
        assert recovery.offer(w2) is True
        assert questions == ["Recover unsaved training"]
        assert w2.session.trainer.step_count == steps_b
        assert not b.exists() and a.exists() and recovery.path().is_file()
        w2.session.shutdown()
        w2.close()                       # a clean exit deletes the recovered run's file
        assert not recovery.path().exists() and a.exists()

        w3 = MainWindow()                # the next start: only a running app's file is left
        qtbot.addWidget(w3)
        assert recovery.offer(w3) is False and len(questions) == 1 and a.exists()
        live.kill()
        live.wait(timeout=30)
        monkeypatch.setattr(dialogs, "ask_yes_no", lambda p, t, text: questions.append(t) or False)
        assert recovery.offer(w3) is False and len(questions) == 2   # now offered; declined
        assert not a.exists() and list(a.parent.glob("recovery*.nnviz")) == []
    finally:
        if live.poll() is None:
            live.kill()
            live.wait()
