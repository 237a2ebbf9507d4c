"""Make the README screenshot: the app mid-training in a real window.

    xvfb-run -a -s "-screen 0 1920x1080x24" python assets/screenshot.py [OUT.png] [WxH] [--step]
        [--guide N] [--present]

Plays the default session for a few seconds, steps a few operations so the step-through
panel shows the backward pass, and saves the window (1400×900 unless WxH is given). The
heatmaps are in front, or with ``--step`` the step-through panel. The remembered layout is
not read: the window is laid out as at a first launch at that size. ``--guide N`` opens the
guide at page N (0: the notation card, 1–10: the lessons) and presses its Show me;
``--present`` turns presentation mode on.
"""
import os
import sys
import tempfile
import time
from pathlib import Path

os.environ["XDG_CONFIG_HOME"] = tempfile.mkdtemp(prefix="nnviz-screenshot-")

from PySide6.QtCore import QTimer  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from ui.main_window import MainWindow, app_icon  # noqa: E402


def main(out: str, size: tuple[int, int] = (1400, 900), step: bool = False,
         guide: int | None = None, present: bool = False) -> int:
    app = QApplication(sys.argv[:1])
    app.setWindowIcon(app_icon())
    w = MainWindow()
    w.resize(*size)
    w.show()
    w.session.set_data(noise=0.1)
    w.session.add_neuron()
    w.session.add_neuron()
    start = time.perf_counter()
    w.session.set_speed(3)
    w.actionPlay.trigger()

    def finish():
        w.actionPlay.trigger()
        w.statusBar().clearMessage()    # the first launch's pointer to the guide: the readout
        for _ in range(7):
            w.actionStepOperation.trigger()
        w.docks["Step through" if step else "Heatmaps"].raise_()
        if present:
            w.actionPresentation.trigger()
        if guide is not None:
            w.guide.open(guide)
            w.guide.panel.show_me()
        QTimer.singleShot(500, save)

    def save():
        app.processEvents()
        w.grab().save(out)
        print(f"saved {out} ({w.width()}×{w.height()}) after {time.perf_counter() - start:.1f} s, "
              f"epoch {w.session.trainer.epoch_count}")
        if present:
            w.actionPresentation.trigger()
        w.session.shutdown()
        w.close()
        app.quit()

    QTimer.singleShot(6000, finish)
    return app.exec()


if __name__ == "__main__":
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    out = args[0] if args else str(Path(__file__).parent / "screenshot.png")
    size = tuple(int(v) for v in args[1].split("x")) if len(args) > 1 else (1400, 900)
    page = sys.argv[sys.argv.index("--guide") + 1] if "--guide" in sys.argv else None
    if page is not None:
        args.remove(page)
    raise SystemExit(main(out, size, "--step" in sys.argv,
                          int(page) if page is not None else None, "--present" in sys.argv))
