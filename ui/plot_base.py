"""What the boundary and loss plots share: a header row above the plot and a hover readout.

:class:`HoverReadout` clears the cursor position (``self._mouse``) and redraws the readout
(``self._update_readout()``) when the mouse leaves the widget; it mixes into any QWidget.

:class:`HeaderPlotWidget` is a :class:`~pyqtgraph.PlotWidget` in the palette's Base/Text
colours (``_bg``, ``_fg``) with a header row in its top viewport margin: checkboxes mirroring
checkable actions (:meth:`add_header_toggle`), then ``readout``, a label on the right.

:class:`ShownGate` lets a docked view skip its updates while nobody can see it.

:class:`RunsLabel` is a one-line, right-aligned label of coloured runs of plain text that can
change every frame: no rich-text document is laid out and the header is not laid out again.
Like :class:`ElidingComboBox`, a drop-down, it ends a text too long for it in "…" with the
whole text in its tooltip. :class:`SteadyLabel` changes its text without a new layout.
"""
from __future__ import annotations

import pyqtgraph as pg
from PySide6.QtCore import QEvent, QPointF, QRectF, QSize, Qt
from PySide6.QtGui import QAction, QFont, QFontMetricsF, QPainter, QPalette
from PySide6.QtWidgets import (QAbstractScrollArea, QCheckBox, QComboBox, QDockWidget,
                               QHBoxLayout, QLabel, QSizePolicy, QStyle, QStyleOptionComboBox,
                               QStylePainter, QVBoxLayout, QWidget)

from .paint_cache import steady_axes


def on_screen(widget) -> bool:
    """Whether any of ``widget`` shows (not hidden, not all covered: a dock tabbed behind
    another). A scroll area's own region can be all covered by its viewport and a header, so
    its viewport's says."""
    seen = widget.viewport() if isinstance(widget, QAbstractScrollArea) else widget
    return widget.isVisible() and not seen.visibleRegion().isEmpty()


class ShownGate:
    """Defers a docked view's per-frame update while nobody can see it (its dock is a tab behind
    another, or closed) and calls ``catch_up`` when the dock is shown again.

    ``skip()`` says whether to skip an update now (and remembers that one was skipped). A view
    whose window is not shown (built for a test or an export) or that is not in a dock always
    updates.
    """

    def __init__(self, widget, catch_up):
        self._widget, self._catch_up = widget, catch_up
        self._dock = None
        self.stale = False

    def skip(self) -> bool:
        w = self._widget
        if not w.window().isVisible() or self._find_dock() is None:
            return False
        if on_screen(w):
            return False
        self.stale = True
        return True

    def _find_dock(self):
        if self._dock is None:
            p = self._widget.parentWidget()
            while p is not None and not isinstance(p, QDockWidget):
                p = p.parentWidget()
            if p is not None:
                p.visibilityChanged.connect(self._on_dock_visibility)
                self._dock = p
        return self._dock

    def _on_dock_visibility(self, visible: bool):
        if visible and self.stale:
            self.stale = False
            self._catch_up()


class WholeTextTip:
    """Mixin for a QWidget that elides its text (``_whole_text()``; ``is_elided()``): while the
    text is elided the tooltip starts with the whole of it, above the tooltip set with
    ``setToolTip`` (``TIP_SEP`` between them). Call ``_sync_tip()`` when the text changes; a
    resize calls it."""

    TIP_SEP = "\n"
    _tip = ""

    def _whole_text(self) -> str:
        raise NotImplementedError

    def is_elided(self) -> bool:
        raise NotImplementedError

    def setToolTip(self, tip: str) -> None:
        self._tip = tip
        self._sync_tip()

    def _sync_tip(self, *_) -> None:
        whole = self._whole_text() if self.is_elided() else ""
        tip = self.TIP_SEP.join(t for t in (whole, self._tip) if t)
        if tip != self.toolTip():
            super().setToolTip(tip)

    def resizeEvent(self, event):
        super().resizeEvent(event)
        self._sync_tip()


class RunsLabel(WholeTextTip, QWidget):
    """One line of plain-text runs, each in its own colour (None: the palette's text colour),
    right-aligned like the header's readout (``left=True``: left-aligned); ``text()`` is the
    runs joined, ``setText`` sets a single run. A new text only repaints the label: unlike a
    QLabel it asks no layout to be redone.

    A text wider than the label is elided at its end ("…", never clipped at either edge), and
    then the tooltip holds the whole text above the tooltip set with ``setToolTip``;
    ``is_elided()`` says whether it is."""

    def __init__(self, parent=None, left: bool = False):
        super().__init__(parent)
        self._left = left
        # Opaque (it fills its own background), so a new text repaints this label and not
        # the widgets under it up to the main window.
        self.setAutoFillBackground(True)
        self._runs: list[tuple[str, object]] = []
        self._text = ""
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)

    def set_runs(self, runs) -> None:
        runs = [(t, c) for t, c in runs if t]
        if runs != self._runs:
            self._runs = runs
            self._text = "".join(t for t, _ in runs)
            self._sync_tip()
            self.update()

    def is_elided(self) -> bool:
        return self.fontMetrics().horizontalAdvance(self._text) > self.width()

    def _whole_text(self) -> str:
        return self._text

    def text(self) -> str:
        return self._text

    def setText(self, text: str) -> None:
        self.set_runs([(text, None)])

    def sizeHint(self) -> QSize:
        fm = self.fontMetrics()
        return QSize(fm.horizontalAdvance(self._text), fm.height())

    def minimumSizeHint(self) -> QSize:
        return QSize(0, self.fontMetrics().height())

    def paintEvent(self, ev):
        if not self._runs:
            return
        fm = self.fontMetrics()
        runs = self._runs
        if self.is_elided():   # the runs cut to the elided text's length, then "…"
            shown = fm.elidedText(self._text, Qt.TextElideMode.ElideRight, self.width())
            keep = len(shown) - 1 if shown.endswith("…") else len(shown)
            runs = []
            for t, c in self._runs:
                if keep <= 0:
                    break
                runs.append((t[:keep], c))
                keep -= len(t)
            runs.append(("…", None))
        widths = [fm.horizontalAdvance(t) for t, _ in runs]
        x = 0.0 if self._left else float(self.width() - sum(widths))
        y = (self.height() + fm.ascent() - fm.descent()) / 2
        text_color = self.palette().color(QPalette.ColorRole.WindowText)
        p = QPainter(self)
        for (t, c), w in zip(runs, widths):
            p.setPen(text_color if c is None else c)
            p.drawText(QPointF(x, y), t)
            x += w
        p.end()


class ElidingComboBox(WholeTextTip, QComboBox):
    """A QComboBox whose current text, when wider than the box, ends in "…" (a QComboBox cuts
    it off mid-letter: "petal width (c"); the tooltip then starts with the whole text, above
    the one set with ``setToolTip``."""

    TIP_SEP = "\n\n"

    def __init__(self, parent=None):
        super().__init__(parent)
        self._wide: QSize | None = None     # the size that shows the widest item whole
        self.currentTextChanged.connect(self._sync_tip)
        self._watch(self.model())

    def setModel(self, model) -> None:
        super().setModel(model)
        self._watch(model)
        self._items_changed()

    def _watch(self, model) -> None:
        for signal in (model.rowsInserted, model.rowsRemoved, model.modelReset, model.dataChanged):
            signal.connect(self._items_changed)

    def _items_changed(self, *_):
        self._wide = None
        self.updateGeometry()

    def setCurrentIndex(self, index: int) -> None:
        super().setCurrentIndex(index)
        self._sync_tip()     # (also while the box's signals are blocked, as it is refilled)

    def sizeHint(self) -> QSize:
        """Wide enough for the widest item (the minimum stays the box's own, so a narrow dock
        elides instead of growing): where there is room the names show whole."""
        hint = super().sizeHint()
        if self._wide is None:
            opt = QStyleOptionComboBox()
            self.initStyleOption(opt)
            fm = self.fontMetrics()
            text = max((fm.horizontalAdvance(self.itemText(i)) for i in range(self.count())),
                       default=0)
            self._wide = self.style().sizeFromContents(
                QStyle.ContentsType.CT_ComboBox, opt, QSize(text + 4, fm.height()), self)
        return QSize(max(hint.width(), self._wide.width()), hint.height())

    def changeEvent(self, event):
        super().changeEvent(event)
        if event.type() in (QEvent.Type.FontChange, QEvent.Type.StyleChange):
            self._items_changed()

    def _edit_rect(self, opt: QStyleOptionComboBox):
        return self.style().subControlRect(QStyle.ComplexControl.CC_ComboBox, opt,
                                           QStyle.SubControl.SC_ComboBoxEditField, self)

    def is_elided(self) -> bool:
        opt = QStyleOptionComboBox()
        self.initStyleOption(opt)
        return self.fontMetrics().horizontalAdvance(opt.currentText) > self._edit_rect(opt).width()

    def _whole_text(self) -> str:
        return self.currentText()

    def paintEvent(self, event):
        # QComboBox.paintEvent, with the label's text elided to the edit field.
        painter = QStylePainter(self)
        opt = QStyleOptionComboBox()
        self.initStyleOption(opt)
        painter.drawComplexControl(QStyle.ComplexControl.CC_ComboBox, opt)
        opt.currentText = self.fontMetrics().elidedText(
            opt.currentText, Qt.TextElideMode.ElideRight, self._edit_rect(opt).width())
        painter.drawControl(QStyle.ControlElement.CE_ComboBoxLabel, opt)


class ElidedTitle:
    """A plot's title elided at its end to the room over the plot, its whole text in the title's
    tooltip then (``text``). The title never sets the plot's width: a long one (a table's
    feature names) made the plot wider than its dock, and what stood beside it was cut off."""

    def __init__(self, plot: pg.PlotItem, color: str | None = None, size: str = "10pt"):
        self._plot, self._size = plot, size
        self._style = {"size": size} | ({"color": color} if color is not None else {})
        self.text: str | None = None        # the whole title
        self._shown: str | None = None      # what the plot shows of it
        plot.titleLabel.geometryChanged.connect(self.fit)   # elided anew to its room

    def set(self, text: str) -> None:
        if text != self.text:
            self.text = text
            self.fit()

    def fit(self, *_) -> None:
        if self.text is None:
            return
        label = self._plot.titleLabel
        room = label.geometry().width()
        font = QFont(label.item.font())
        font.setPointSizeF(float(self._size.removesuffix("pt")))
        text = self.text
        if room > 0:   # (the text item's document keeps a margin each side)
            room -= 2 * label.item.document().documentMargin()
            text = QFontMetricsF(font).elidedText(self.text, Qt.TextElideMode.ElideRight, room)
        if text != self._shown:
            self._shown = text
            self._plot.setTitle(text, **self._style)
            label.setToolTip(self.text if text != self.text else "")
        if label.minimumWidth():
            # pyqtgraph sets the label's minimum to its text's width at every resize: then the
            # title widened the plot past its view instead of being elided.
            label.setMinimumWidth(0)


class SteadyLabel(QLabel):
    """A QLabel whose new text lays out nothing else: its size is fixed to what the text needs
    (Qt relays no layout request from a widget of fixed size), so the parameter formula in
    the status bar changes without the main window laying out its docks again (it did, at
    every change of the network). The width grows with a longer text and stays with a shorter
    one, so the readout beside it does not move with every unit added; it shrinks once the
    text needs less than three quarters of it."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        # A QLabel's size hint never goes below its minimum size: a hidden twin with the same
        # text (and, as a child, the same style sheet) measures what the text needs.
        self._twin = QLabel(self)
        self._twin.hide()

    def setText(self, text: str) -> None:
        super().setText(text)
        self._twin.setText(text)
        self._fit()

    def setStyleSheet(self, sheet: str) -> None:
        super().setStyleSheet(sheet)
        self._fit()

    def width_for(self, text: str) -> int:
        """The width the label would take to show ``text``."""
        self._twin.setText(text)
        return self._twin.sizeHint().width()

    def _fit(self) -> None:
        need = self._twin.sizeHint()
        width = self.minimumWidth()
        if need.height() != self.minimumHeight() or not 0.75 * width <= need.width() <= width:
            self.setFixedSize(need)


class HoverReadout:
    """Mixin: on leave, ``_mouse = None`` and ``_update_readout()``."""

    _mouse = None

    def leaveEvent(self, ev):
        self._mouse = None
        self._update_readout()
        super().leaveEvent(ev)

    def _update_readout(self):
        raise NotImplementedError


class HeaderPlotWidget(HoverReadout, pg.PlotWidget):
    """A PlotWidget with a header row (toggles, then the ``readout``, a right-aligned
    :class:`RunsLabel`) above the plot.

    ``name`` gives the object names: ``<name>Plot``, ``<name>Header``, ``<name>Readout``.
    ``gap`` puts a stretch between the toggles and the readout; ``readout_stretch`` is the
    readout's stretch factor; ``axes`` are the sides with an axis (a :class:`SteadyAxis`).
    """

    def __init__(self, name: str, parent=None, *, readout_stretch: int = 1, gap: bool = False,
                 axes=("left", "bottom")):
        self._header = None  # resizeEvent runs inside PlotWidget.__init__
        pal = QPalette()
        self._bg = pal.color(QPalette.ColorRole.Base)
        self._fg = pal.color(QPalette.ColorRole.Text)
        super().__init__(parent, background=self._bg, axisItems=steady_axes(axes))
        self.setObjectName(f"{name}Plot")
        self._header = QWidget(self)
        self._header.setObjectName(f"{name}Header")
        # Opaque, in the colour that shows behind it anyway: a control of the header that
        # changes repaints the header, not the plot and the dock under it.
        self._header.setAutoFillBackground(True)
        self._header_rows = QVBoxLayout(self._header)
        self._header_rows.setContentsMargins(6, 2, 6, 2)
        self._header_rows.setSpacing(2)
        self._header_row = QHBoxLayout()
        self._header_row.setSpacing(10)
        self._header_rows.addLayout(self._header_row)
        self._header_height = -1
        self._n_toggles = 0
        if gap:
            self._header_row.addStretch(1)
        # The readout may change with every frame or mouse move: a RunsLabel repaints itself
        # only, where a QLabel would have the header laid out again.
        self.readout = RunsLabel(self._header)
        self.readout.setObjectName(f"{name}Readout")
        self._header_row.addWidget(self.readout, readout_stretch)
        self._fit_header()

    def add_header_toggle(self, action: QAction) -> QCheckBox:
        """Add ``action`` to the widget and a checkbox for it (kept in sync both ways) after the
        header's other toggles."""
        self.addAction(action)
        box = QCheckBox(action.text(), self._header)
        tip = action.toolTip()             # (Qt makes one of the text when none is set)
        box.setToolTip(tip if tip != action.text().replace("&", "") else "")
        box.setChecked(action.isChecked())
        box.toggled.connect(action.setChecked)
        action.toggled.connect(box.setChecked)
        self._header_row.insertWidget(self._n_toggles, box)
        self._n_toggles += 1
        self._fit_header()
        return box

    def add_header_row(self) -> QWidget:
        """A second header row, under the toggles, for controls that come and go with the data
        (beside the toggles a narrow dock cut them off) and, at its right, the readout. Its
        height stays the same whatever it shows, so the plot below does not move."""
        row = QWidget(self._header)
        layout = QHBoxLayout(row)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(10)
        self._header_row.removeWidget(self.readout)
        self.readout.setParent(row)
        layout.addStretch(1)
        layout.addWidget(self.readout, 8)   # most of the room the row's controls leave
        self._header_rows.addWidget(row)
        return row

    def add_header_widget(self, widget) -> None:
        """Put ``widget`` (a button, say) after the header's toggles, before the readout."""
        widget.setParent(self._header)
        self._header_row.insertWidget(self._n_toggles, widget)
        self._n_toggles += 1
        self._fit_header()

    def _fit_header(self):
        h = self._header.sizeHint().height()
        if h == self._header_height:
            return
        self._header_height = h
        self.setViewportMargins(0, h, 0, 0)
        if not getattr(self, "closed", False):
            self._header.setGeometry(0, 0, self.width(), h)

    # --- layout: the header row sits in the top viewport margin --------------------------
    def resizeEvent(self, ev):
        super().resizeEvent(ev)
        if self._header is None or self.closed:
            return
        self._header.setGeometry(0, 0, self.width(), self._header_height)
        self._header_resized()
        if self.autoPixelRange:  # GraphicsView sizes the scene to the widget, not the viewport
            vp = self.viewport().size()
            pg.GraphicsView.setRange(self, QRectF(0, 0, vp.width(), vp.height()), padding=0,
                                     disableAutoPixel=False)
            self.updateMatrix()

    def _header_resized(self):
        """Called on resize after the header is placed, before the scene is fitted."""
