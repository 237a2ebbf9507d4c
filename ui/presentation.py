"""View › Presentation mode: larger text for a projector, and only the panels a lesson needs.

On: the application font grows by :data:`SCALE`; the settings docks (Data, Hyperparameters) and
the toolbar's speed control are hidden. Off: exactly what was there before comes back — the
same font object and each hidden thing's own visibility (a dock the user had closed stays
closed). Lessons' "Show me" still changes the settings through the session.
"""
from __future__ import annotations

from PySide6.QtGui import QFont
from PySide6.QtWidgets import QApplication, QToolBar

SCALE = 1.5
HIDDEN_DOCKS = ("Data", "Hyperparameters")


class Presentation:
    def __init__(self, window):
        self.window = window
        self._saved = None       # (font, {dock: hidden}, {toolbar action: visible}) while on

    @property
    def on(self) -> bool:
        return self._saved is not None

    def _toolbar_extras(self) -> list:
        """The toolbar's actions after the training buttons: the separator and the speed
        label and box."""
        out = []
        for tb in self.window.findChildren(QToolBar):
            acts = tb.actions()
            seps = [i for i, a in enumerate(acts) if a.isSeparator()]
            if seps:
                out += acts[seps[0]:]
        return out

    def set_on(self, on: bool):
        app = QApplication.instance()
        win = self.window
        if on and self._saved is None:
            font = QFont(app.font())
            docks = {name: win.docks[name].isHidden() for name in HIDDEN_DOCKS if name in win.docks}
            extras = {a: a.isVisible() for a in self._toolbar_extras()}
            self._saved = (font, docks, extras)
            big = QFont(font)
            if font.pointSizeF() > 0:
                big.setPointSizeF(font.pointSizeF() * SCALE)
            else:
                big.setPixelSize(round(font.pixelSize() * SCALE))
            app.setFont(big)
            for name in docks:
                win.docks[name].hide()
            for a in extras:
                a.setVisible(False)
        elif not on and self._saved is not None:
            font, docks, extras = self._saved
            self._saved = None
            app.setFont(font)
            for name, hidden in docks.items():
                win.docks[name].setHidden(hidden)
            for a, visible in extras.items():
                a.setVisible(visible)
        action = getattr(win, "actionPresentation", None)
        if action is not None and action.isChecked() != self.on:
            action.setChecked(self.on)
