"""One way to make a window action: object name (a contract tests rely on), shortcut, tooltip
with the shortcut in it, status tip, and the window attribute of the same name."""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence


def make_action(window, name: str, text: str, slot, shortcut=None, tip: str = "",
                checkable: bool = False) -> QAction:
    a = QAction(text, window)
    a.setObjectName(name)
    a.setCheckable(checkable)
    if shortcut:
        a.setShortcut(QKeySequence(shortcut))
        a.setShortcutContext(Qt.WindowShortcut)
    tip = tip or text
    a.setToolTip(f"{tip} ({QKeySequence(shortcut).toString()})" if shortcut else tip)
    a.setStatusTip(tip)
    (a.toggled if checkable else a.triggered).connect(slot)
    setattr(window, name, a)
    window.addAction(a)
    return a


def open_kept(window, dialog, attribute: str):
    """Open ``dialog`` window-modal without blocking, kept as ``window.<attribute>`` while it is
    open (tests and a second click find it there) and deleted when it closes."""
    dialog.setAttribute(Qt.WA_DeleteOnClose)
    setattr(window, attribute, dialog)
    dialog.finished.connect(lambda _r: setattr(window, attribute, None))
    dialog.open()
    return dialog
