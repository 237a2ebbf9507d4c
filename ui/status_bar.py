"""The main window's status bar: the running readout, and a message in its place for a while.

QStatusBar shows a message (``showMessage``) by hiding its other widgets and drawing the text
over their room, cut off where the room ends ("… as its inpu" beside a deep network's
parameter formula), and hiding the readout lays out the bar and the whole window again. Here
the message is written in the readout's own line: elided ("…") with its whole text in the
tooltip when it is too long, and nothing is hidden or laid out. ``showMessage``,
``clearMessage`` and ``currentMessage`` keep QStatusBar's meaning (a timeout in ms; 0: until
the next message). A menu's status tip still uses QStatusBar's own message, for as long as the
pointer is on the menu item.
"""
from __future__ import annotations

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QStatusBar

from .plot_base import RunsLabel


class StatusLine(RunsLabel):
    """The readout (``setText``; ``text()`` is always the readout), or a message over it
    (``show_message``) until the message is cleared."""

    def __init__(self, parent=None):
        super().__init__(parent, left=True)
        self._readout = ""
        self._message = ""

    def setText(self, text: str) -> None:
        self._readout = text
        if not self._message:
            super().setText(text)

    def text(self) -> str:
        return self._readout

    def message(self) -> str:
        return self._message

    def shown(self) -> str:
        """What the line shows: the message, or else the readout."""
        return super().text()

    def show_message(self, text: str) -> None:
        self._message = text
        super().setText(text or self._readout)


class StatusBar(QStatusBar):
    """A status bar whose messages are written in ``line`` (a :class:`StatusLine`)."""

    def __init__(self, line: StatusLine, parent=None):
        super().__init__(parent)
        self.line = line
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self.clearMessage)
        self.addWidget(line, 1)

    def showMessage(self, text: str, timeout: int = 0) -> None:
        self._timer.stop()
        self.line.show_message(text or "")
        if text and timeout > 0:
            self._timer.start(timeout)

    def clearMessage(self) -> None:
        self.showMessage("")

    def currentMessage(self) -> str:
        return self.line.message()
