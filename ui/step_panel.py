"""The step-through panel: the operation the engine just ran, its equation and its numbers.

It shows the session's current :class:`~nnviz.stages.Stage` (``session.stageChanged``): a
clickable list of the stages of the current step, the equation(s) in matrix form with the
shapes under them, and every operand and result as a small table of numbers.
"""
from __future__ import annotations

import html

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (QHBoxLayout, QLabel, QListWidget, QPushButton, QScrollArea,
                               QSplitter, QVBoxLayout, QWidget)

MAX_ROWS = 8
MAX_COLS = 8


def matrix_html(name: str, a: np.ndarray) -> str:
    """A small HTML table of ``a`` (first rows/columns when large) headed by name and shape."""
    a = np.asarray(a, dtype=float)
    a = a.reshape(1, -1) if a.ndim < 2 else a  # a scalar or a bias vector is one row
    rows, cols = a.shape
    head = f"<b>{html.escape(name)}</b> <span style='color:#777'>[{rows}×{cols}]</span>"
    cells = []
    for i in range(min(rows, MAX_ROWS)):
        tds = "".join(f"<td align='right' style='padding:0 6px'>{a[i, j]:.4g}</td>"
                      for j in range(min(cols, MAX_COLS)))
        if cols > MAX_COLS:
            tds += "<td>…</td>"
        cells.append(f"<tr>{tds}</tr>")
    if rows > MAX_ROWS:
        cells.append(f"<tr><td colspan='{min(cols, MAX_COLS)}' style='color:#777'>… {rows - MAX_ROWS} more rows</td></tr>")
    return f"{head}<table style='font-family:monospace'>{''.join(cells)}</table>"


class StepPanel(QWidget):
    def __init__(self, session, parent=None):
        super().__init__(parent)
        self.setObjectName("stepPanel")
        self.session = session
        self.stage_list = QListWidget()
        self.stage_list.setObjectName("stageList")
        self.stage_list.setToolTip("The operations of the current training step; click one to show it again.")
        self.stage_list.setMaximumWidth(200)
        self.title = QLabel("Press Step operation (→) to run one operation of a training step.")
        self.title.setWordWrap(True)
        self.title.setStyleSheet("font-weight: bold; font-size: 11pt")
        self.equations = QLabel()
        self.equations.setTextInteractionFlags(Qt.TextSelectableByMouse)
        self.equations.setWordWrap(True)
        self.equations.setObjectName("stageEquations")
        self.arrays = QLabel()
        self.arrays.setTextInteractionFlags(Qt.TextSelectableByMouse)
        self.arrays.setAlignment(Qt.AlignTop | Qt.AlignLeft)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(self.arrays)
        self.prev_button = QPushButton("◀ Previous")
        self.prev_button.setToolTip("Show the previous operation again (nothing is recomputed).")
        self.next_button = QPushButton("Next ▶")
        self.next_button.setToolTip("Run the next operation (Right arrow).")
        nav = QHBoxLayout()
        nav.addWidget(self.prev_button)
        nav.addWidget(self.next_button)
        nav.addStretch(1)
        right = QWidget()
        rl = QVBoxLayout(right)
        rl.setContentsMargins(0, 0, 0, 0)
        rl.addWidget(self.title)
        rl.addWidget(self.equations)
        rl.addWidget(scroll, 1)
        rl.addLayout(nav)
        split = QSplitter()
        split.addWidget(self.stage_list)
        split.addWidget(right)
        split.setStretchFactor(1, 1)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(4, 4, 4, 4)
        lay.addWidget(split)
        self.prev_button.clicked.connect(session.previous_operation)
        self.next_button.clicked.connect(session.step_operation)
        self.stage_list.currentRowChanged.connect(self._on_row)
        session.stageChanged.connect(self._on_stage)
        self._syncing = False
        self._on_stage(None)

    def _on_row(self, row: int):
        if not self._syncing and row != self.session.stage_index:
            self.session.show_stage(row)

    def _on_stage(self, stage):
        self._syncing = True
        try:
            names = [s.name for s in self.session.stages]
            if [self.stage_list.item(i).text() for i in range(self.stage_list.count())] != names:
                self.stage_list.clear()
                self.stage_list.addItems(names)
            self.stage_list.setCurrentRow(self.session.stage_index)
        finally:
            self._syncing = False
        self.prev_button.setEnabled(self.session.stage_index > 0)
        if stage is None:
            self.title.setText("Press Step operation (→) to run one operation of a training step.")
            self.equations.setText("")
            self.arrays.setText("")
            return
        self.title.setText(stage.title)
        eqs = "".join(f"<div style='font-size:13pt'>{html.escape(e)}</div>"
                      f"<div style='color:#777; margin-bottom:4px'>{html.escape(s)}</div>"
                      for e, s in zip(stage.equations, stage.shapes + [""] * len(stage.equations)))
        notes = "".join(f"<div style='color:#555'>{html.escape(n)}</div>" for n in stage.notes)
        self.equations.setText(eqs + notes)
        parts = [matrix_html(k, v) for k, v in stage.operands.items()]
        parts.append("<hr>")
        parts += [matrix_html(k, v) for k, v in stage.results.items()]
        self.arrays.setText("<br>".join(parts))
