"""The recovery file for real: the app is killed (SIGKILL) while training, the next start offers
what it last wrote; and two apps open at once keep separate recovery files."""
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from nnviz.io import session_file
from ui import dialogs, recovery

ROOT = Path(__file__).resolve().parents[1]
INTERVAL = 0.5   # NNVIZ_RECOVERY_SECONDS for the killed app


def read_log(log: Path):
    """[(event, step count, time)] from NNVIZ_RECOVERY_LOG."""
    if not log.exists():
        return []
    rows = []
    for line in log.read_text(encoding="utf-8").splitlines():
        parts = line.split()
        if len(parts) == 3:      # a line being written may be cut short
            rows.append((parts[0], int(parts[1]), float(parts[2])))
    return rows


def wait_for(condition, timeout, proc=None, what=""):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if condition():
            return
        if proc is not None and proc.poll() is not None:
            pytest.fail(f"the app exited early ({proc.returncode}) while waiting for {what}")
        time.sleep(0.05)
    pytest.fail(f"timed out after {timeout} s waiting for {what}")


def app_environment(tmp_path, **extra):
    env = dict(os.environ)
    for name in ("XDG_DATA_HOME", "XDG_CONFIG_HOME", "XDG_RUNTIME_DIR"):
        folder = tmp_path / name.lower()
        folder.mkdir(mode=0o700, exist_ok=True)
        env[name] = str(folder)
    env["QT_QPA_PLATFORM"] = "offscreen"
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT)] + ([env["PYTHONPATH"]] if env.get("PYTHONPATH") else []))
    env.pop("NNVIZ_RECOVERY_LOG", None)
    env.update({k: str(v) for k, v in extra.items()})
    return env


def launch(tmp_path, log: Path, name: str):
    env = app_environment(tmp_path, NNVIZ_PLAY_AT_START=1, NNVIZ_RECOVERY_SECONDS=INTERVAL,
                          NNVIZ_RECOVERY_LOG=log)
    out = open(tmp_path / f"{name}.out", "wb")
    try:
        return subprocess.Popen([sys.executable, "-m", "ui.entry"], env=env, cwd=tmp_path,
                                stdout=out, stderr=subprocess.STDOUT)
    finally:
        out.close()


def test_killed_while_training_the_next_start_offers_the_last_recovery_write(
        tmp_path, monkeypatch, started_in_process):
    log = tmp_path / "recovery.log"
    proc = launch(tmp_path, log, "killed")
    try:
        def rewritten():
            done = [r for r in read_log(log) if r[0] == "written"]
            return len(done) >= 2 and 0 < done[0][1] < done[-1][1]
        wait_for(rewritten, 15, proc, "the recovery file to be written, then rewritten after more training")
        killed_at = time.time()
        os.kill(proc.pid, signal.SIGKILL)
        assert proc.wait(timeout=10) == -signal.SIGKILL
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    env = app_environment(tmp_path)
    left = Path(env["XDG_DATA_HOME"]) / "nnviz" / "nnviz" / f"recovery-{proc.pid}.nnviz"
    assert left.is_file()
    rows = read_log(log)
    written = [r for r in rows if r[0] == "written"]
    step, at = written[-1][1], written[-1][2]
    # a write begun after the last finished one (the kill came during it) may have replaced
    # the file or not; otherwise the file holds exactly the last finished write
    begun_later = [r[1] for r in rows[rows.index(written[-1]) + 1:] if r[0] == "begun"]
    allowed = {step, *begun_later}
    assert step > 0
    assert killed_at - at < INTERVAL + 5.0   # it was still writing every interval when killed
    assert session_file.load(left).experiment.trainer.step_count in allowed

    questions = []
    monkeypatch.setattr(dialogs, "ask_yes_no", lambda p, t, text: questions.append((t, text)) or True)
    w = started_in_process(env)
    assert [t for t, _ in questions] == ["Recover unsaved training"]
    assert "did not close normally" in questions[0][1]
    assert w.session.trainer.step_count in allowed and w.session.trainer.step_count > 0
    if not begun_later:
        assert w.session.trainer.step_count == step
    assert w.isWindowModified()
    # the recovered run is now this app's recovery file, deleted at a clean exit
    assert not left.exists() and recovery.path().is_file()
    assert recovery.path().parent == left.parent
    w.session.shutdown()
    w.close()                            # unsaved: the test's answer is Discard
    assert not recovery.path().exists()


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


@pytest.mark.parametrize("value, seconds", [(None, 60.0), ("0.5", 0.5), ("0", 0.0), ("", 60.0),
                                            ("soon", 60.0), ("-1", 60.0), ("nan", 60.0), ("inf", 60.0)])
def test_recovery_interval_is_60_s_unless_the_test_hook_sets_it(monkeypatch, value, seconds):
    if value is None:
        monkeypatch.delenv("NNVIZ_RECOVERY_SECONDS", raising=False)
    else:
        monkeypatch.setenv("NNVIZ_RECOVERY_SECONDS", value)
    assert recovery._interval_from_environment() == seconds
