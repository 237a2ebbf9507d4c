"""Help › Guide: a dock of short lessons (:mod:`ui.lessons`), each with a "Show me" button that
sets the app up and points at what to look at.

:func:`install` adds to a main window the dock (objectName ``Guide``, tabbed with the Data
panel and hidden until asked for), the actions ``actionGuide`` (F1) and ``actionPresentation``
(View › Presentation mode, F11; see :mod:`ui.presentation`) and returns the :class:`Guide`.
"""
from __future__ import annotations

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import (QComboBox, QDockWidget, QHBoxLayout, QPushButton, QStyle,
                               QTextBrowser, QVBoxLayout, QWidget)

from nnviz.errors import NnvizError

from . import dialogs
from .actions import make_action
from .lessons import LESSONS, Lesson
from .presentation import Presentation

_ACROSS = {Qt.LeftDockWidgetArea: Qt.RightDockWidgetArea,
           Qt.RightDockWidgetArea: Qt.LeftDockWidgetArea}
GUIDE_WIDTH = 400        # px: the dock's width when opened (a lesson reads in about 50 columns)
GUIDE_SHARE = 0.7       # of its column's height, beside the settings below it
FLASH_MS = 1600          # how long a dock's title (or the parameter count) stays highlighted
FLASH_STYLE = "background: #ffe27a"
LOOK_MS = 12000          # how long the "Look at …" hint stays in the status bar


class GuidePanel(QWidget):
    """The selector, the lesson's text and the buttons ◀ Show me ▶."""

    def __init__(self, window, parent=None):
        super().__init__(parent)
        self.setObjectName("guidePanel")
        self.window_ = window
        self._flashing: dict[int, tuple[QWidget, str]] = {}
        self.combo = QComboBox()
        self.combo.setObjectName("lessonCombo")
        self.combo.setToolTip("Choose a lesson")
        for item in LESSONS:
            self.combo.addItem(item.title, item.key)
        self.text = QTextBrowser()
        self.text.setObjectName("lessonText")
        self.text.setOpenLinks(False)
        self.prev_button = QPushButton("◀")
        self.prev_button.setObjectName("previousLessonButton")
        self.prev_button.setToolTip("The previous lesson")
        self.next_button = QPushButton("▶")
        self.next_button.setObjectName("nextLessonButton")
        self.next_button.setToolTip("The next lesson")
        self.show_button = QPushButton("Show me")
        self.show_button.setObjectName("showMeButton")
        self.show_button.setToolTip("Set the app up for this lesson (data, network, activation, "
                                    "operation shown) and point at what to look at")
        buttons = QHBoxLayout()
        buttons.addWidget(self.prev_button)
        buttons.addWidget(self.show_button, 1)
        buttons.addWidget(self.next_button)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(4, 4, 4, 4)
        lay.addWidget(self.combo)
        lay.addWidget(self.text, 1)
        lay.addLayout(buttons)
        self.combo.currentIndexChanged.connect(self._on_lesson)
        self.prev_button.clicked.connect(lambda: self.open_lesson(self.combo.currentIndex() - 1))
        self.next_button.clicked.connect(lambda: self.open_lesson(self.combo.currentIndex() + 1))
        self.show_button.clicked.connect(lambda: self.show_me())
        self._on_lesson(0)

    @property
    def lesson(self) -> Lesson:
        return LESSONS[max(0, self.combo.currentIndex())]

    def open_lesson(self, index_or_key):
        """Show a lesson's page (by index in :data:`LESSONS` or by key); nothing is set up."""
        if isinstance(index_or_key, str):
            index_or_key = [x.key for x in LESSONS].index(index_or_key)
        if 0 <= index_or_key < len(LESSONS):
            self.combo.setCurrentIndex(index_or_key)

    def _on_lesson(self, index: int):
        item = LESSONS[max(0, index)]
        self.text.setHtml(item.body)
        self.show_button.setVisible(item.setup is not None)
        self.prev_button.setEnabled(index > 0)
        self.next_button.setEnabled(index < len(LESSONS) - 1)

    def show_me(self) -> bool:
        """Run the lesson's set-up, raise its dock, flash it and say what to look at. A set-up
        that fails leaves a warning, never a traceback; returns True if it ran."""
        item, win = self.lesson, self.window_
        if item.setup is None:
            return False
        try:
            item.setup(win)
        except NnvizError as exc:
            dialogs.warn(win, "Show me", f"This lesson could not set the app up: {exc}")
            return False
        except Exception as exc:   # a lesson's set-up must never end the app
            dialogs.warn(win, "Show me", f"This lesson could not set the app up "
                                         f"({type(exc).__name__}: {exc}).")
            return False
        if item.dock in win.docks:
            dock = win.docks[item.dock]
            dock.show()
            dock.raise_()
            self.flash(dock, "QDockWidget::title { %s; }" % FLASH_STYLE)
        else:
            self.flash(win.param_count_label, FLASH_STYLE)
        if item.look:
            win.statusBar().showMessage(item.look, LOOK_MS)
        return True

    def flash(self, widget: QWidget, style: str):
        """Add ``style`` to the widget's style sheet for FLASH_MS, then put the old one back."""
        key = id(widget)
        if key not in self._flashing:
            self._flashing[key] = (widget, widget.styleSheet())
        old = self._flashing[key][1]
        widget.setStyleSheet(f"{old}; {style}" if old and "{" not in style else
                             f"{old}\n{style}" if old else style)
        QTimer.singleShot(FLASH_MS, self, lambda: self._unflash(key))

    def _unflash(self, key: int):
        entry = self._flashing.pop(key, None)
        if entry is not None:
            entry[0].setStyleSheet(entry[1])

    def flashing(self) -> bool:
        return bool(self._flashing)


class Guide:
    """The guide's dock, panel and presentation mode of one main window."""

    def __init__(self, window, view_menu, help_menu):
        self.window = window
        self.panel = GuidePanel(window)
        self.dock = QDockWidget("Guide", window)
        self.dock.setObjectName("Guide")
        self.dock.setWidget(self.panel)
        window.addDockWidget(Qt.LeftDockWidgetArea, self.dock)
        window.tabifyDockWidget(window.docks["Data"], self.dock)
        self.dock.hide()
        self.presentation = Presentation(window)
        make_action(window, "actionGuide", "Guide", lambda _checked=False: self.open(), "F1",
                    "Short lessons on the network's equations, each with a Show me button")
        make_action(window, "actionPresentation", "Presentation mode", self.presentation.set_on,
                    "F11", "Larger text and only the panels a lesson needs; again to go back",
                    checkable=True)
        view_menu.addSeparator()
        view_menu.addAction(window.actionPresentation)
        help_menu.addAction(window.actionGuide)
        help_menu.addSeparator()

    def open(self, lesson=None):
        """Show and raise the guide (at ``lesson``, an index or key, when given)."""
        was_hidden = self.dock.isHidden()
        self.dock.show()
        self.dock.raise_()
        if lesson is not None:
            self.panel.open_lesson(lesson)
        if was_hidden and not self.dock.isFloating():
            self.make_room()
        self.panel.text.setFocus()


    def make_room(self):
        """Give the guide GUIDE_WIDTH and GUIDE_SHARE of its column's height (the rest to
        the dock below it, the settings): a lesson reads without scrolling much."""
        win = self.window
        area = win.dockWidgetArea(self.dock)
        win.resizeDocks([self.dock], [max(self.dock.width(), self._room(area))], Qt.Horizontal)
        below = [d for d in win.docks.values() if d is not self.dock and not d.isHidden()
                 and not d.isFloating() and win.dockWidgetArea(d) == area
                 and d not in win.tabifiedDockWidgets(self.dock)]
        if below:
            room = self.dock.height() + sum(d.height() for d in below)
            share = round(GUIDE_SHARE * room)
            win.resizeDocks([self.dock, *below],
                            [share] + [max(60, (room - share) // len(below))] * len(below),
                            Qt.Vertical)

    def _room(self, area) -> int:
        """GUIDE_WIDTH, or less when the window is narrow: what the canvas and the docks
        under it can give up, the column across keeping its width (given more, a 1024-px
        window narrowed the plots' column below the loss plot's right axis and label)."""
        win = self.window
        shown = [d for d in win.docks.values() if not d.isHidden() and not d.isFloating()]
        across = [d.width() for d in shown if win.dockWidgetArea(d) == _ACROSS.get(area)]
        middle = [win.centralWidget()] + [d for d in shown if win.dockWidgetArea(d) in
                                           (Qt.BottomDockWidgetArea, Qt.TopDockWidgetArea)]
        sep = win.style().pixelMetric(QStyle.PixelMetric.PM_DockWidgetSeparatorExtent, None, win)
        room = (win.width() - max(across, default=0)
                - max(w.minimumSizeHint().width() for w in middle) - 2 * sep)
        return max(self.dock.minimumSizeHint().width(), min(GUIDE_WIDTH, room))


def install(window, view_menu, help_menu) -> Guide:
    return Guide(window, view_menu, help_menu)
