"""Start the desktop app.

Test hook (an environment variable, unset for users): ``NNVIZ_PLAY_AT_START=1`` starts training
as soon as the window is up (after any recovery offer).
"""
from __future__ import annotations

import os
import sys


def start(argv=None):
    """Everything of a start but the event loop: the application (set up), the main window
    (shown), the recovery offer. Returns (application, window)."""
    import pyqtgraph as pg
    from PySide6.QtWidgets import QApplication

    from .main_window import MainWindow, app_icon

    app = QApplication.instance() or QApplication(sys.argv if argv is None else argv)
    app.setApplicationName("nnviz")
    app.setOrganizationName("nnviz")
    app.setWindowIcon(app_icon())
    pg.setConfigOptions(antialias=True, background="w", foreground="k")
    window = MainWindow()
    window.show()
    from . import recovery
    recovery.offer(window)  # unsaved training kept from a run that did not close normally
    if os.environ.get("NNVIZ_PLAY_AT_START") == "1" and not window.actionPlay.isChecked():
        window.actionPlay.trigger()
    return app, window


def run(argv=None) -> int:
    app, _window = start(argv)
    return app.exec()
