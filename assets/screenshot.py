"""Make the README screenshot: the app mid-training in a real window.

    xvfb-run -a -s "-screen 0 1600x1000x24" python assets/screenshot.py [OUT.png]

Plays the default session for a few seconds, steps a few operations so the step-through
panel shows the backward pass, and saves the window.
"""
import sys
import time
from pathlib import Path

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from ui.main_window import MainWindow, app_icon  # noqa: E402


def main(out: str) -> int:
    app = QApplication(sys.argv[:1])
    app.setWindowIcon(app_icon())
    w = MainWindow()
    w.resize(1400, 900)
    w.show()
    w.session.set_data(noise=0.1)
    w.session.add_neuron()
    w.session.add_neuron()
    start = time.perf_counter()
    w.session.set_speed(3)
    w.actionPlay.trigger()

    def finish():
        w.actionPlay.trigger()
        for _ in range(7):
            w.actionStepOperation.trigger()
        w.docks["Heatmaps"].raise_()
        app.processEvents()
        w.grab().save(out)
        print(f"saved {out} after {time.perf_counter() - start:.1f} s, "
              f"epoch {w.session.trainer.epoch_count}")
        w.close()
        app.quit()

    QTimer.singleShot(6000, finish)
    return app.exec()


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1] if len(sys.argv) > 1 else str(Path(__file__).parent / "screenshot.png")))
