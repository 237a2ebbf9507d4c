"""The step-through panel: the operation the engine just ran, its equation and every number.

It shows the session's current :class:`~nnviz.core.stages.Stage` (``session.stageChanged``):

- a clickable list of the stages of the current step, Previous / Next (Previous only shows a
  recorded stage again; nothing is recomputed), and a sample selector;
- the equation(s) in matrix form with the shapes under them;
- the selected sample's numbers in index form (``z₂ = w₁₂·x₁ + w₂₂·x₂ + b₂ = … = 0.642``);
- every operand and result as a small heatmap with its numbers, the selected sample's row (or
  column, in the column notation) outlined; a large batch shows the first rows, the rows around
  the selected sample and the last row;
- four toggles: Hadamard form, Outer products, Row by row and Column notation.

All the text comes from :mod:`nnviz.explain.equations`; this module only lays it out.
"""
from __future__ import annotations

import html
import re

import numpy as np
from PySide6.QtCore import QPoint, QRect, QSize, Qt
from PySide6.QtGui import QColor, QFont, QFontMetrics, QPainter, QPen
from PySide6.QtWidgets import (QBoxLayout, QCheckBox, QFrame, QGridLayout, QHBoxLayout, QLabel,
                               QLayout, QListView, QListWidget, QListWidgetItem, QPushButton,
                               QScrollArea, QSizePolicy, QSpinBox, QVBoxLayout, QWidget)

from nnviz.explain import equations as explain

from . import colors
from .heatmaps import decimals_for, fmt

MAX_ROWS = 10        # a matrix with more rows shows a selection of them
MAX_COLS = 8
CELL_W, CELL_H = 46, 18
LABEL_W = 22
CONTROLS_W = 330          # px: the stage list, buttons and toggles in a column (a low dock)
TEXT_BESIDE_WIDTH = 720   # px of content: the words go beside the matrices, not above them
START_TEXT = ("Press Next ▶ (or the Right arrow key) to run the first operation of a training "
              "step: the forward pass of layer 1.")


def shown_rows(n: int, selected: int, limit: int = MAX_ROWS) -> list[int | None]:
    """Indices to draw of n rows (or columns; None marks a gap): all when n ≤ limit, else the
    first three, the selected one with its neighbours, and the last."""
    if n <= limit:
        return list(range(n))
    keep = sorted({0, 1, 2, n - 1} | {i for i in (selected - 1, selected, selected + 1) if 0 <= i < n})
    out: list[int | None] = []
    for i in keep:
        if out and out[-1] is not None and i != out[-1] + 1:
            out.append(None)
        out.append(i)
    return out


class MatrixView(QWidget):
    """One array as a heatmap with its numbers in the cells, headed by its name and shape."""

    def __init__(self, name: str, values: np.ndarray, sample_axis: int | None, sample: int,
                 role: str, parent=None):
        super().__init__(parent)
        a = np.asarray(values, dtype=float)
        self.values = a.reshape(1, -1) if a.ndim < 2 else a
        self.name, self.sample_axis, self.role = name, sample_axis, role
        self.sample = sample
        r, c = self.values.shape
        self.rows = shown_rows(r, sample if sample_axis == 0 else -1)
        self.cols = shown_rows(c, sample if sample_axis == 1 else -1, MAX_COLS)
        self._vmax = float(np.nanmax(np.abs(self.values))) if self.values.size else 1.0
        if not np.isfinite(self._vmax) or self._vmax == 0:
            self._vmax = 1.0
        self._dec = decimals_for(self.values[np.isfinite(self.values)]) if self.values.size else 2
        self.setToolTip(f"{name}: {r}×{c}" + (" (rows are samples)" if sample_axis == 0 else
                                              " (columns are samples)" if sample_axis == 1 else ""))
        self.setSizePolicy(QSizePolicy.Fixed, QSizePolicy.Fixed)

    def header(self) -> str:
        r, c = self.values.shape
        return f"{self.name}  [{r}×{c}]"

    def sizeHint(self) -> QSize:
        fm = QFontMetrics(self.font())
        bold = QFont(self.font())
        bold.setBold(True)
        w = LABEL_W + CELL_W * len(self.cols) + 4
        w = max(w, QFontMetrics(bold).horizontalAdvance(self.header()) + 8)
        h = fm.height() + 4 + CELL_H * len(self.rows) + (CELL_H if self.sample_axis == 1 else 0) + 4
        return QSize(w, h)

    def minimumSizeHint(self) -> QSize:
        return self.sizeHint()

    def paintEvent(self, event):
        p = QPainter(self)
        p.setRenderHint(QPainter.Antialiasing, False)
        fm = QFontMetrics(self.font())
        head = QFont(self.font())
        head.setBold(True)
        p.setFont(head)
        p.setPen(self.palette().windowText().color())
        p.drawText(QRect(0, 0, self.width(), fm.height() + 2), Qt.AlignLeft | Qt.AlignVCenter, self.header())
        small = QFont(self.font())
        small.setPointSizeF(max(7.0, self.font().pointSizeF() - 1.0))
        p.setFont(small)
        top = fm.height() + 4
        grey = QColor(120, 120, 120)
        if self.sample_axis == 1:   # column numbers: columns are samples
            for cj, j in enumerate(self.cols):
                rect = QRect(LABEL_W + cj * CELL_W, top, CELL_W, CELL_H)
                p.setPen(grey)
                p.drawText(rect, Qt.AlignCenter, "⋯" if j is None else str(j + 1))
            top += CELL_H
        for ri, i in enumerate(self.rows):
            y = top + ri * CELL_H
            p.setPen(grey)
            p.drawText(QRect(0, y, LABEL_W - 3, CELL_H), Qt.AlignRight | Qt.AlignVCenter,
                       "⋮" if i is None else (str(i + 1) if self.sample_axis == 0 else ""))
            for cj, j in enumerate(self.cols):
                rect = QRect(LABEL_W + cj * CELL_W, y, CELL_W, CELL_H)
                if i is None or j is None:
                    p.setPen(grey)
                    p.drawText(rect, Qt.AlignCenter, "⋮" if i is None else "⋯")
                    continue
                v = float(self.values[i, j])
                col = colors.color(v, self._vmax)
                p.fillRect(rect, col)
                p.setPen(QColor(255, 255, 255) if abs(v) > 0.6 * self._vmax else QColor(20, 20, 20))
                p.drawText(rect, Qt.AlignCenter, fmt(v, self._dec))
        # Outline the selected sample.
        pen = QPen(QColor(255, 170, 0), 3)
        p.setPen(pen)
        p.setBrush(Qt.NoBrush)
        if self.sample_axis == 0 and self.sample in self.rows:
            ri = self.rows.index(self.sample)
            p.drawRect(QRect(LABEL_W - 1, top + ri * CELL_H, CELL_W * len(self.cols) + 1, CELL_H))
        elif self.sample_axis == 1 and self.sample in self.cols:
            cj = self.cols.index(self.sample)
            p.drawRect(QRect(LABEL_W + cj * CELL_W, top, CELL_W, CELL_H * len(self.rows)))
        p.end()


class FlowLayout(QLayout):
    """Children left to right, wrapping to the next line (the Qt flow-layout example)."""

    def __init__(self, parent=None, spacing: int = 10):
        super().__init__(parent)
        self._items = []
        self._spacing = spacing

    def addItem(self, item):
        self._items.append(item)

    def count(self):
        return len(self._items)

    def itemAt(self, i):
        return self._items[i] if 0 <= i < len(self._items) else None

    def takeAt(self, i):
        return self._items.pop(i) if 0 <= i < len(self._items) else None

    def hasHeightForWidth(self):
        return True

    def heightForWidth(self, width):
        return self._place(QRect(0, 0, width, 0), False)

    def setGeometry(self, rect):
        super().setGeometry(rect)
        self._place(rect, True)

    def sizeHint(self):
        return self.minimumSize()

    def minimumSize(self):
        size = QSize()
        for item in self._items:
            size = size.expandedTo(item.minimumSize())
        m = self.contentsMargins()
        return size + QSize(m.left() + m.right(), m.top() + m.bottom())

    def _place(self, rect, apply: bool) -> int:
        x, y, line = rect.x(), rect.y(), 0
        for item in self._items:
            hint = item.sizeHint()
            if x + hint.width() > rect.right() and line > 0:
                x, y, line = rect.x(), y + line + self._spacing, 0
            if apply:
                item.setGeometry(QRect(QPoint(x, y), hint))
            x += hint.width() + self._spacing
            line = max(line, hint.height())
        return y + line - rect.y()


def _label(object_name: str, selectable: bool = True) -> QLabel:
    w = QLabel()
    w.setObjectName(object_name)
    w.setWordWrap(True)
    w.setTextFormat(Qt.RichText)
    w.setAlignment(Qt.AlignTop | Qt.AlignLeft)
    if selectable:
        w.setTextInteractionFlags(Qt.TextSelectableByMouse)
    return w


def _lines_html(lines, mono: bool = False) -> str:
    style = "font-family:monospace; white-space:pre-wrap;" if mono else ""
    return "".join(f"<div style='{style}margin:1px 0'>{html.escape(line)}</div>" for line in lines)


class StepPanel(QWidget):
    TOGGLES = (("hadamard", "Ha&damard form",
                "Write a piecewise-linear activation as σ(z) = a ⊙ z with the slope vector a "
                "(activation stages; Alt+D)"),
               ("outer", "&Outer products",
                "∂E/∂W as the sum over the batch of per-sample outer products, and why it "
                "is not a Hadamard product (dense backward stages; Alt+O)"),
               ("rows", "Row &by row",
                "Compute the gradient one row at a time, accumulating, and compare "
                "with the vectorised product (dense backward stages; Alt+B)"),
               ("column", "&Column notation",
                "Every sample a column, {Z} = [Wᵀ]{X} ⊕ {B}; off: every sample a row, "
                "Z = X·W + b (Alt+C)"))

    def __init__(self, session, parent=None):
        super().__init__(parent)
        self.setObjectName("stepPanel")
        self.session = session
        self.sample = 0
        self._stage = None
        self._syncing = False

        self.stage_list = QListWidget()
        self.stage_list.setObjectName("stageList")
        self.stage_list.setToolTip("The operations of the current training step, in order; click "
                                   "one to show it again (nothing is recomputed).")
        self.stage_list.setFlow(QListView.LeftToRight)
        self.stage_list.setWrapping(True)
        self.stage_list.setResizeMode(QListView.Adjust)
        self.stage_list.setSpacing(1)
        self.stage_list.setFocusPolicy(Qt.NoFocus)   # Left/Right stay the window's step keys

        self.prev_button = QPushButton("◀ Previous")
        self.prev_button.setObjectName("previousOperationButton")
        self.prev_button.setToolTip("Show the previous operation again; nothing is recomputed (Left arrow)")
        self.next_button = QPushButton("Next ▶")
        self.next_button.setObjectName("nextOperationButton")
        self.next_button.setToolTip("Run the next operation of the training step (Right arrow)")
        self.counter = QLabel()
        self.counter.setObjectName("stageCounter")
        self.sample_spin = QSpinBox()
        self.sample_spin.setObjectName("sampleSpin")
        self.sample_spin.setPrefix("sample ")
        self.sample_spin.setRange(1, 1)
        self.sample_spin.setToolTip("The sample (row of the batch) written out in index form and "
                                    "outlined in the matrices")
        nav = QHBoxLayout()
        nav.addWidget(self.prev_button)
        nav.addWidget(self.next_button)
        nav.addWidget(self.counter)
        nav.addStretch(1)
        nav.addWidget(self.sample_spin)

        self.toggles: dict[str, QCheckBox] = {}
        tl = QGridLayout()
        tl.setContentsMargins(0, 0, 0, 0)
        for n, (key, text, tip) in enumerate(self.TOGGLES):
            box = QCheckBox(text)
            box.setObjectName(f"{key}Toggle")
            box.setToolTip(tip)
            box.toggled.connect(self._refresh)
            self.toggles[key] = box
            tl.addWidget(box, n // 2, n % 2)
        tl.setColumnStretch(2, 1)

        self.title = _label("stageTitle", selectable=False)
        self.title.setStyleSheet("font-weight: bold; font-size: 11pt")
        self.equations = _label("stageEquations")
        self.notes = _label("stageNotes")
        self.notes.setStyleSheet("color: #555")
        self.index_label = _label("indexForm")
        self.seed_label = _label("seedViews")
        self.matrices = QWidget()
        self.matrices.setObjectName("stageMatrices")
        self._flow = FlowLayout(self.matrices)
        self._flow.setContentsMargins(0, 4, 0, 4)
        self.matrix_views: list[MatrixView] = []

        # The words (the equations, then the toggles' views of them, the notes and the index
        # form) beside the matrices when there is room, else above them: never below a scroll.
        self.text_column = QWidget()
        self.text_column.setObjectName("stageText")
        tc = QVBoxLayout(self.text_column)
        tc.setContentsMargins(0, 0, 0, 0)
        for w in (self.title, self.equations, self.seed_label, self.notes, self.index_label):
            tc.addWidget(w)
        tc.addStretch(1)
        body = QWidget()
        self._body = QBoxLayout(QBoxLayout.TopToBottom, body)
        self._body.setContentsMargins(2, 2, 6, 2)
        self._body.addWidget(self.text_column)
        self._body.addWidget(self.matrices, 0, Qt.AlignTop)
        self._body.addStretch(1)
        self._beside = None
        self.scroll = QScrollArea()
        self.scroll.setWidgetResizable(True)
        self.scroll.setFrameShape(QFrame.NoFrame)
        self.scroll.setWidget(body)

        # Controls above the content in a tall dock, in a column beside it in a wide, low one.
        self.controls = QWidget()
        cl = QVBoxLayout(self.controls)
        cl.setContentsMargins(0, 0, 0, 0)
        cl.addWidget(self.stage_list, 1)
        cl.addLayout(nav)
        cl.addLayout(tl)
        self._layout = QBoxLayout(QBoxLayout.TopToBottom, self)
        self._layout.setContentsMargins(4, 4, 4, 4)
        self._layout.addWidget(self.controls)
        self._layout.addWidget(self.scroll, 1)
        self._wide = None
        self._arrange(False)

        self.prev_button.clicked.connect(session.previous_operation)
        self.next_button.clicked.connect(session.step_operation)
        self.stage_list.currentRowChanged.connect(self._on_row)
        self.sample_spin.valueChanged.connect(self._on_sample)
        session.stageChanged.connect(self._on_stage)
        self._on_stage(session.stages[session.stage_index]
                       if 0 <= session.stage_index < len(session.stages) else None)

    def _arrange(self, wide: bool):
        if wide == self._wide:
            return
        self._wide = wide
        self._layout.setDirection(QBoxLayout.LeftToRight if wide else QBoxLayout.TopToBottom)
        self.stage_list.setFlow(QListView.TopToBottom if wide else QListView.LeftToRight)
        self.stage_list.setWrapping(not wide)
        if wide:
            self.controls.setFixedWidth(CONTROLS_W)
            self.stage_list.setMinimumHeight(40)
            self.stage_list.setMaximumHeight(16777215)
        else:
            self.controls.setMinimumWidth(0)
            self.controls.setMaximumWidth(16777215)
            self.stage_list.setFixedHeight(66)

    def _place_text(self, beside: bool):
        if beside == self._beside:
            return
        self._beside = beside
        self._body.setDirection(QBoxLayout.LeftToRight if beside else QBoxLayout.TopToBottom)
        self._body.setStretch(0, 2 if beside else 0)
        self._body.setStretch(1, 3 if beside else 0)
        self._body.setStretch(2, 0 if beside else 1)

    def resizeEvent(self, event):
        size = event.size()
        wide = size.width() > 560 and size.width() > 1.8 * size.height()
        self._arrange(wide)
        self._place_text(size.width() - (CONTROLS_W if wide else 0) >= TEXT_BESIDE_WIDTH)
        super().resizeEvent(event)

    # --- state -----------------------------------------------------------------------------
    @property
    def notation(self) -> str:
        return explain.COLUMN if self.toggles["column"].isChecked() else explain.ROW

    def views(self) -> tuple[str, ...]:
        return tuple(k for k in ("hadamard", "outer", "rows") if self.toggles[k].isChecked())

    def shown_arrays(self) -> dict[str, np.ndarray]:
        """Display name → the array each heatmap shows (as oriented on screen)."""
        return {v.name: v.values for v in self.matrix_views}

    def text(self) -> str:
        """Everything the panel writes, as plain text (title, equations, notes, index form, views)."""
        parts = [w.text() for w in (self.title, self.equations, self.notes, self.index_label, self.seed_label)]
        doc = "\n".join(parts)
        doc = re.sub(r"</div>", "\n", doc)
        return html.unescape(re.sub(r"<[^>]+>", "", doc))

    # --- handlers --------------------------------------------------------------------------
    def _on_row(self, row: int):
        if not self._syncing and row != self.session.stage_index:
            self.session.show_stage(row)

    def _on_sample(self, value: int):
        if not self._syncing:
            self.sample = value - 1
            self._refresh()

    def _on_stage(self, stage):
        self._stage = stage
        self._syncing = True
        try:
            names = [f"{i + 1}. {s.name}" for i, s in enumerate(self.session.stages)]
            if [self.stage_list.item(i).text() for i in range(self.stage_list.count())] != names:
                self.stage_list.clear()
                for name, s in zip(names, self.session.stages):
                    item = QListWidgetItem(name)
                    item.setToolTip(s.title)
                    self.stage_list.addItem(item)
            self.stage_list.setCurrentRow(self.session.stage_index)
            m = explain.batch_size(stage) if stage is not None and stage.phase != "update" else 0
            if m:
                self.sample_spin.setRange(1, m)
                self.sample = min(self.sample, m - 1)
                self.sample_spin.setValue(self.sample + 1)
            self.sample_spin.setEnabled(bool(m))
        finally:
            self._syncing = False
        self.prev_button.setEnabled(self.session.stage_index > 0)
        n = len(self.session.stages)
        self.counter.setText(f"operation {self.session.stage_index + 1}" if n else "")
        self._refresh()

    def _refresh(self):
        stage = self._stage
        self.matrix_views = []
        while self._flow.count():
            item = self._flow.takeAt(0)
            if item.widget():
                item.widget().hide()
                item.widget().deleteLater()
        if stage is None:
            self.title.setText(html.escape(START_TEXT))
            for w in (self.equations, self.notes, self.index_label, self.seed_label):
                w.setText("")
            return
        notation = self.notation
        self.title.setText(html.escape(stage.title))
        eqs = "".join(
            f"<div style='font-size:13pt; margin-top:4px'>{html.escape(e)}</div>"
            + (f"<div style='color:#666; font-family:monospace'>{html.escape(s)}</div>" if s else "")
            for e, s in explain.equations(stage, notation))
        self.equations.setText(eqs)
        self.notes.setText(_lines_html(explain.notes(stage, notation)
                                       + explain.notation_note(stage, notation, self.sample)))
        idx = explain.index_form(stage, self.sample, notation)
        self.index_label.setText("<b>Index form</b>" + _lines_html(idx, mono=True) if idx else "")
        blocks = []
        for key in self.views():
            if key == "hadamard":
                view = explain.hadamard_form(stage, self.sample)
            elif key == "outer":
                view = explain.outer_products(stage, notation=notation)
            else:
                upto = self.session.stages[:self.session.stage_index + 1] or [stage]
                view = explain.row_by_row(upto, stage, notation)
            colour = "#1a6e1a" if view.applies else "#777"
            blocks.append(f"<div style='margin-top:6px'><b style='color:{colour}'>{html.escape(view.title)}</b></div>"
                          + _lines_html(view.lines, mono=view.applies))
        self.seed_label.setText("".join(blocks))
        role = None
        for shown in explain.arrays(stage, notation):
            if role is not None and shown.role != role:
                arrow = QLabel("→" if shown.role == "result" else "state:")
                arrow.setStyleSheet("font-size: 16pt; color: #555" if shown.role == "result" else "color:#555")
                self._flow.addWidget(arrow)
            role = shown.role
            view = MatrixView(shown.name, shown.values, shown.sample_axis, self.sample, shown.role)
            self._flow.addWidget(view)
            self.matrix_views.append(view)
        self.matrices.updateGeometry()
