"""Start the desktop app."""
from __future__ import annotations

import sys


def run(argv=None) -> int:
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
    return app.exec()
