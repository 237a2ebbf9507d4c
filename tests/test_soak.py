"""A long run: the default session plays 20,000 steps in the main window with every view on.

Afterwards: no exception and no Qt warning (``qt_log_level_fail = WARNING``), memory grown by
at most 20 MB, and Pause (the Space key) taking effect within one frame.
"""
import gc
import os
import time

import numpy as np
import psutil
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QDockWidget

from ui.session import SPEEDS

STEPS = 20_000
STEPS_PER_SECOND = 1200    # 20 steps a frame at 60 frames a second
MAX_GROWTH_MB = 20.0


def rss_mb() -> float:
    gc.collect()
    QApplication.processEvents()
    return psutil.Process(os.getpid()).memory_info().rss / 1024 ** 2


@pytest.mark.slow
def test_soak_20000_steps_every_view_on(qtbot, kept_layout, window):
    w, s = window, window.session
    # Every view on: no dock hidden or sharing a tab with another (kept_layout puts the
    # remembered layout back afterwards).
    for dock in w.findChildren(QDockWidget):
        dock.setFloating(False)
        w.addDockWidget(w.dockWidgetArea(dock), dock)   # out of any tab group
        dock.show()
    QApplication.processEvents()
    hidden = [d.windowTitle() for d in w.findChildren(QDockWidget) if not d.widget().isVisible()]
    assert hidden == []
    w.speed_combo.setCurrentIndex(SPEEDS.index(STEPS_PER_SECOND))
    assert s.speed == SPEEDS.index(STEPS_PER_SECOND)

    # Warm up (first frames allocate caches), then measure from there.
    w.actionPlay.trigger()
    qtbot.waitUntil(lambda: s.trainer.step_count >= 1000, timeout=60_000)
    w.actionPlay.trigger()
    base = rss_mb()
    w.actionPlay.trigger()
    start, t0 = s.trainer.step_count, time.perf_counter()
    qtbot.waitUntil(lambda: s.trainer.step_count >= STEPS, timeout=120_000)
    frames_s = time.perf_counter() - t0
    assert s.playing and s.trainer.diverged is None

    # Pause by keyboard: the key is handled before at most one more frame of training.
    steps_at_key = s.trainer.step_count
    qtbot.keyClick(w, Qt.Key_Space)
    QApplication.processEvents()
    assert not s.playing and not w.actionPlay.isChecked()
    paused_at = s.trainer.step_count
    assert paused_at - steps_at_key <= STEPS_PER_SECOND // 60 + 1   # at most one frame's steps
    qtbot.wait(100)
    assert s.trainer.step_count == paused_at

    growth = rss_mb() - base
    assert np.all(np.isfinite(s.network.params))
    assert s.trainer.history.step[-1] <= paused_at
    print(f"\nsoak: {paused_at} steps ({paused_at - start} measured) in {frames_s:.1f} s, "
          f"RSS {base:.0f} MB → {base + growth:.0f} MB (growth {growth:+.1f} MB)")
    assert growth <= MAX_GROWTH_MB, f"memory grew by {growth:.1f} MB"
