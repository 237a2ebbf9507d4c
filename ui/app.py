"""Start the desktop app.

Test hook (an environment variable, unset for users): ``NNVIZ_PLAY_AT_START=1`` starts training
as soon as the window is up (after any recovery offer).
"""
from __future__ import annotations

import os
import sys


def prepare_qt() -> None:
    """What Qt reads from the environment once, before the application paints anything.

    Qt's raster engine hands every fill of 96 scan lines or more to a pool of threads and
    waits for them. For the shapes this app draws (nodes, curves, scroll bars, plot frames)
    the hand-off costs more than the fill: painting on the one thread, a full repaint of the
    window at 1400×900 takes about half as long (under X and offscreen), and a 424-pixel-tall
    scroll bar paints in 0.1 ms instead of 2 ms. The pixels are the same."""
    os.environ.setdefault("QT_NO_GUI_THREADPOOL", "1")


def use_light_colours(app) -> None:
    """The views are drawn for a light window: the plots, the network canvas and the heatmaps
    are white, and their colour maps fade to white at 0. A desktop in dark mode would darken
    the docks around them (and the network's header, written dark, would stand on a dark
    ground). Ask for the light scheme, which macOS, Windows and GNOME honour; where the
    platform still hands over a dark palette (a Qt theme set to dark), take the light one of
    Qt's Fusion style."""
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QPalette
    from PySide6.QtWidgets import QStyleFactory

    app.styleHints().setColorScheme(Qt.ColorScheme.Light)
    if app.palette().color(QPalette.ColorRole.Window).lightness() < 128:
        app.setPalette(QStyleFactory.create("Fusion").standardPalette())


def check_display() -> None:
    """Raise NnvizError when the app cannot open a window, where Qt would abort the process
    with a page of platform-plugin messages: on Linux with neither DISPLAY nor WAYLAND_DISPLAY
    set (an ssh session) and no Qt platform chosen, or under X11 without libxcb-cursor0."""
    if not sys.platform.startswith("linux"):
        return
    from nnviz.errors import NnvizError

    env = os.environ.get
    if not (env("DISPLAY") or env("WAYLAND_DISPLAY") or env("QT_QPA_PLATFORM")):
        raise NnvizError("there is no display to open the app on (neither DISPLAY nor "
                         "WAYLAND_DISPLAY is set): start it in a desktop session, or train "
                         "from the command line (nnviz train --help)")
    if not env("DISPLAY") or env("WAYLAND_DISPLAY") or env("QT_QPA_PLATFORM", "xcb") != "xcb":
        return                                       # (not X11)
    # Qt 6's X11 plugin loads libxcb-cursor, which a fresh desktop may lack; without it Qt
    # aborts among a page of messages. Loading it here is what the plugin will do (also where
    # an environment keeps its own libraries, as conda does, beside Python).
    import ctypes
    for where in ("libxcb-cursor.so.0", os.path.join(sys.prefix, "lib", "libxcb-cursor.so.0")):
        try:
            ctypes.CDLL(where)
            return
        except OSError:
            pass
    raise NnvizError("the window needs the X11 library libxcb-cursor0, which is not installed "
                     "(on Debian or Ubuntu: sudo apt install libxcb-cursor0)")


def start(argv=None):
    """Everything of a start but the event loop: the application (set up), the main window
    (shown), the recovery offer. Returns (application, window)."""
    check_display()
    prepare_qt()
    import pyqtgraph as pg
    from PySide6.QtWidgets import QApplication

    from .main_window import MainWindow, app_icon

    app = QApplication.instance() or QApplication(sys.argv if argv is None else argv)
    app.setApplicationName("nnviz")
    app.setOrganizationName("nnviz")
    app.setWindowIcon(app_icon())
    use_light_colours(app)
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
