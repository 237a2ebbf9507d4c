"""A focused control keeps the keys it uses, over the window's shortcuts.

The main window's shortcuts are single keys: Space plays and pauses, → and ← step. Before a
shortcut fires, Qt asks the widget with the keyboard focus whether it wants the key (a
``ShortcutOverride`` event); a line edit says yes to Space, but a check box, a button, a list, a
slider or a tab bar says nothing, so Space ticked no check box and pressed no button (it
started Play), and → moved no slider. :func:`install` claims those keys for such a widget,
from the first time it takes the focus: one filter per widget, set up once (an
application-wide filter would see every event of every frame).
"""
from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtWidgets import (QAbstractButton, QAbstractItemView, QAbstractSlider, QApplication,
                               QComboBox, QPlainTextEdit, QTabBar, QTextEdit)

_SPACE, _LEFT, _RIGHT = Qt.Key.Key_Space, Qt.Key.Key_Left, Qt.Key.Key_Right
# What each kind of control does with the keys the window also uses, without a modifier.
_CLAIMS = ((QAbstractButton, {_SPACE}), (QComboBox, {_SPACE}),
           (QAbstractItemView, {_SPACE, _LEFT, _RIGHT}), (QAbstractSlider, {_LEFT, _RIGHT}),
           (QTabBar, {_LEFT, _RIGHT}), (QTextEdit, {_SPACE}), (QPlainTextEdit, {_SPACE}))
_PROPERTY = "nnvizControlKeys"


def claimed(widget) -> frozenset:
    """The window's shortcut keys ``widget`` uses itself (a read-only text pages down with
    Space and has no cursor for ← and →; the guide's text is one)."""
    keys = set()
    for kind, ks in _CLAIMS:
        if isinstance(widget, kind):
            keys |= ks
    if isinstance(widget, (QTextEdit, QPlainTextEdit)) and not widget.isReadOnly():
        keys |= {_LEFT, _RIGHT}
    return frozenset(keys)


class _ControlKeys(QObject):
    def on_focus(self, _old, new):
        if new is None or new.property(_PROPERTY):
            return
        new.setProperty(_PROPERTY, True)
        if claimed(new):
            new.installEventFilter(self)

    def eventFilter(self, obj, event):
        if (event.type() == QEvent.Type.ShortcutOverride
                and event.modifiers() in (Qt.KeyboardModifier.NoModifier,
                                          Qt.KeyboardModifier.KeypadModifier)
                and event.key() in claimed(obj)):
            event.accept()          # the key goes to the control, not to the shortcut
            return True
        return False


_installed: _ControlKeys | None = None


def install(app: QApplication) -> None:
    """Once per application: watch the focus and claim the keys for each control it reaches."""
    global _installed
    if _installed is None:
        _installed = _ControlKeys(app)
        app.focusChanged.connect(_installed.on_focus)
        focus = app.focusWidget()
        if focus is not None:
            _installed.on_focus(None, focus)
