"""The app while playing: frame time, training throughput during Play, and memory over a long Play.

    python tests/bench/bench_ui.py [--quick]

The main window runs offscreen at 1400×900 with every view showing: the two docks that share a
tab with another (Insights, Step through) are split off into the bottom row so that nothing is
hidden behind a tab.
The session is the default one (circle data, x1 x2, tanh, lr 0.03, batch 10) with M hidden units,
and Play's speed is "as fast as possible" (the default, 40 steps a second for watching, would
time the clock's pacing, not the app).

- **Frame time**: the real Play loop (``Session.play``, its own timer), timed between two
  training runs: the views' updates, their painting and whatever else the event loop does,
  less the timer's wait. Median and 90th percentile.
- **Play throughput**: steps per second of the real Play loop (``Session.play`` driven by its
  own timer) against ``Trainer.steps`` headless on the same settings, measured alternately.
- **Memory**: resident set size before and after 50,000 steps of Play with every view on.
"""
from __future__ import annotations

import dataclasses
import os
import sys
import tempfile
import time

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# The benchmark must neither read nor change the user's remembered window layout or data.
os.environ["XDG_CONFIG_HOME"] = tempfile.mkdtemp(prefix="nnviz-bench-config-")
os.environ["XDG_DATA_HOME"] = tempfile.mkdtemp(prefix="nnviz-bench-data-")
os.environ.setdefault("XDG_RUNTIME_DIR", tempfile.mkdtemp(prefix="nnviz-bench-runtime-"))

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import _common as C  # noqa: E402

FRAME_TARGETS = {8: (16.0, 25.0), 32: (25.0, None)}   # M → (median ms, p90 ms) targets
SOAK_STEPS = 50_000
SOAK_LIMIT_MB = 20.0


def _app():
    import pyqtgraph as pg
    from PySide6.QtWidgets import QApplication

    from ui.app import prepare_qt

    prepare_qt()                                    # as ui.app.start
    app = QApplication.instance() or QApplication([])
    pg.setConfigOptions(antialias=True, background="w", foreground="k")  # as ui.app.start
    return app


def pump(app) -> None:
    """One pass of the event loop as ``app.exec()`` makes it: pending events, then the
    deferred deletes (``deleteLater``), which ``processEvents`` alone leaves for the loop to
    run; without them, widgets the app has let go (Qt's old dock tab bars) would still be
    painted with every frame."""
    from PySide6.QtCore import QEvent

    app.processEvents()
    app.sendPostedEvents(None, QEvent.Type.DeferredDelete)


def open_window(hidden: int):
    """The main window on a default session with ``hidden`` units, shown, every view visible."""
    from PySide6.QtCore import Qt

    from ui import dialogs
    from ui.main_window import MainWindow
    from ui.session import SPEEDS, Session, default_config

    app = _app()
    dialogs.ask_save_discard_cancel = lambda *a, **k: dialogs.DISCARD  # closing asks otherwise
    session = Session(dataclasses.replace(default_config(), hidden=[hidden]))
    session.set_speed(SPEEDS.index(0))      # as fast as possible: Play is not paced
    win = MainWindow(session)
    for name, area, orientation in (("Insights", Qt.BottomDockWidgetArea, Qt.Horizontal),
                                    ("Step through", Qt.BottomDockWidgetArea, Qt.Horizontal)):
        dock = win.docks[name]
        win.removeDockWidget(dock)
        win.addDockWidget(area, dock, orientation)
    for dock in win.docks.values():
        dock.show()
    win.resize(1400, 900)
    win.show()
    # Every view gets room to draw: Output and Loss share the right column, the bottom row holds
    # Heatmaps, Step through and Insights side by side.
    win.resizeDocks([win.docks["Heatmaps"]], [270], Qt.Vertical)
    win.resizeDocks([win.docks[n] for n in ("Output", "Loss")], [300, 220], Qt.Vertical)
    win.resizeDocks([win.docks[n] for n in ("Heatmaps", "Step through", "Insights")],
                    [700, 350, 350], Qt.Horizontal)
    for _ in range(5):
        pump(app)
    return app, win, session


def close_window(app, win):
    win.session.pause()
    win.close()
    win.deleteLater()
    pump(app)


def frame_times(hidden: int, frames: int) -> list[float]:
    """Seconds of one full redraw for ``frames`` frames of the real Play loop.

    A frame's redraw is everything the GUI thread does between two training runs except the
    timer's wait: the views' updates after a run and the painting and events that follow, up to
    the start of the next run (``run_for`` is wrapped to timestamp it).
    """
    app, win, s = open_window(hidden)
    tr = s.trainer
    run_for = tr.run_for
    marks = []   # (start of a run, end of it, the wait the session then asked its timer for)

    def timed_run_for(seconds, max_steps=1 << 30):
        t0 = time.perf_counter()
        if marks:
            marks[-1][2] = s._tick_wait       # the wait asked for after the previous run
        done = run_for(seconds, max_steps)
        marks.append([t0, time.perf_counter(), 0.0])
        return done

    tr.run_for = timed_run_for
    try:
        s.play()
        while len(marks) < frames + 11 and s.playing:
            pump(app)
        s.pause()
    finally:
        del tr.run_for
        close_window(app, win)
    redraws = [nxt[0] - cur[1] - cur[2] for cur, nxt in zip(marks, marks[1:])]
    return redraws[10:]    # the first frames build caches


def play_throughput(hidden: int, rounds: int, seconds: float) -> tuple[float, float, list]:
    """(median Play steps/s, median headless steps/s, per-round ratios), alternating."""
    from nnviz.experiment import build
    from ui.session import default_config

    app, win, s = open_window(hidden)
    headless = build(dataclasses.replace(default_config(), hidden=[hidden])).trainer
    play_rates, head_rates = [], []
    try:
        for _ in range(rounds):
            start_steps = s.trainer.step_count
            s.play()
            t0 = time.perf_counter()
            while time.perf_counter() - t0 < seconds:
                pump(app)
            s.pause()
            play_rates.append((s.trainer.step_count - start_steps) / (time.perf_counter() - t0))
            pump(app)
            k = max(1, int(play_rates[-1] * seconds))
            t0 = time.perf_counter()
            headless.steps(k)
            head_rates.append(k / (time.perf_counter() - t0))
    finally:
        close_window(app, win)
    ratios = [p / h for p, h in zip(play_rates, head_rates)]
    return C.median(play_rates), C.median(head_rates), ratios


def play_memory(hidden: int, steps: int) -> tuple[float, int, float]:
    """(RSS growth in MB, steps played, seconds) over ``steps`` steps of Play."""
    app, win, s = open_window(hidden)
    try:
        s.play()                         # warm up: caches, first epochs, every view drawn
        t0 = time.perf_counter()
        while time.perf_counter() - t0 < 1.0:
            pump(app)
        s.pause()
        pump(app)
        before = C.rss_bytes()
        start = s.trainer.step_count
        s.play()
        t0 = time.perf_counter()
        while s.trainer.step_count - start < steps and s.playing:
            pump(app)
        s.pause()
        pump(app)
        grown = (C.rss_bytes() - before) / 2 ** 20
        return grown, s.trainer.step_count - start, time.perf_counter() - t0
    finally:
        close_window(app, win)


def measure(quick: bool = False) -> list[C.Row]:
    rows = []
    frames = 30 if quick else 120
    for hidden, (t_med, t_p90) in FRAME_TARGETS.items():
        ft = frame_times(hidden, frames)
        med, p90 = C.median(ft) * 1e3, C.percentile(ft, 90) * 1e3
        target = f"median ≤ {t_med:.0f} ms" + (f", p90 ≤ {t_p90:.0f} ms" if t_p90 else "")
        ok = med <= t_med and (t_p90 is None or p90 <= t_p90)
        rows.append(C.Row("frame time", f"1400×900, all views, M={hidden}, {len(ft)} frames",
                          f"median {med:.1f} ms, p90 {p90:.1f} ms", target, ok))
    for hidden in FRAME_TARGETS:
        play, head, ratios = play_throughput(hidden, 3 if quick else 5, 1.0 if quick else 2.0)
        r = C.median(ratios)
        rows.append(C.Row("Play throughput", f"default session, M={hidden}",
                          f"Play {C.fmt_rate(play)} vs headless {C.fmt_rate(head)}: {r:.0%}",
                          "≥ 50% of headless", r >= 0.5))
    steps = SOAK_STEPS // 10 if quick else SOAK_STEPS
    grown, done, secs = play_memory(8, steps)
    rows.append(C.Row("memory", f"Play {done:,} steps, all views, M=8 ({secs:.0f} s)",
                      f"RSS grew {grown:+.1f} MB", f"≤ {SOAK_LIMIT_MB:.0f} MB",
                      grown <= SOAK_LIMIT_MB and done >= steps))
    return rows


def main(argv=None):
    C.run_script(measure, __doc__, argv, quick_help="fewer frames, shorter runs")


if __name__ == "__main__":
    main()
