"""The Classes panel: a confusion matrix for the training rows and one for the test rows.

Row i, column j counts the rows of true class i the network puts in class j (the class with the
largest probability; with one sigmoid output, class 1 when p > 0.5). The diagonal is what it
gets right; each row ends with that class's accuracy (its diagonal over its row), and the
caption gives the accuracy over every row and the epoch it was counted at. A cell's shade is its
share of its row. Redrawn at each epoch's end and after every change of the run; a regression
shows a note instead.
"""
from __future__ import annotations

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QColor, QFont, QFontMetrics
from PySide6.QtWidgets import (QBoxLayout, QHBoxLayout, QHeaderView, QLabel, QStyle,
                               QTableWidget, QTableWidgetItem, QVBoxLayout, QWidget)

from . import classes
from .plot_base import ShownGate

MIN_COLUMN = 22     # px: a column's least width (more when a count needs it)


def confusion(true: np.ndarray, predicted: np.ndarray, K: int) -> np.ndarray:
    """(K, K) int counts: row = true class, column = predicted class."""
    out = np.zeros((K, K), dtype=np.int64)
    np.add.at(out, (np.asarray(true, np.intp), np.asarray(predicted, np.intp)), 1)
    return out


def predicted_classes(network, F: np.ndarray) -> np.ndarray:
    """The class the network picks for each row of features ``F``."""
    if len(F) == 0:
        return np.zeros(0, dtype=np.intp)
    p = network.layer_outputs(F)[-1][1]
    if p.shape[1] == 1:
        return (p[:, 0] > 0.5).astype(np.intp)
    return p.argmax(axis=1)


class _Matrix(QWidget):
    """One split's confusion matrix with its caption."""

    def __init__(self, split: str, parent=None):
        super().__init__(parent)
        self.split = split
        box = QVBoxLayout(self)
        box.setContentsMargins(0, 0, 0, 0)
        self.caption = QLabel(self)
        self.caption.setObjectName(f"{split}ConfusionCaption")
        self.caption.setWordWrap(True)    # (a one-line caption would set the dock's width)
        self.table = QTableWidget(self)
        self.table.setObjectName(f"{split}Confusion")
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.setSelectionMode(QTableWidget.SelectionMode.NoSelection)
        self.table.setTabKeyNavigation(False)   # Tab leaves the table (it walked its 30 cells)
        self.table.setToolTip("Rows: the true class; columns: the class the network picks. The "
                              "diagonal is right; the last column (%) is each class's accuracy.")
        for header in (self.table.horizontalHeader(), self.table.verticalHeader()):
            header.setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
            header.setMinimumSectionSize(MIN_COLUMN)   # three-digit counts fit at a few classes
        box.addWidget(self.caption)
        box.addWidget(self.table, 1)
        self.counts: np.ndarray | None = None
        self._heads: list[str] = []       # the columns' names
        # A column too narrow for its name shows it elided (whole in its tooltip), not cut.
        self.table.horizontalHeader().setTextElideMode(Qt.TextElideMode.ElideRight)

    def least_width(self) -> int:
        """The width at which every count, column name and the "100%" column show whole (with
        the row names and a frame): narrower, counts read "…" (the diagonal too) and names
        are cut."""
        t = self.table
        fm = t.horizontalHeader().fontMetrics()
        columns = 0
        for text in self._heads:
            columns += max(t.horizontalHeader().minimumSectionSize(),
                           fm.horizontalAdvance("100%") + 12, fm.horizontalAdvance(text) + 16)
        return t.verticalHeader().sizeHint().width() + columns + 2 * t.frameWidth() + 2

    def show_counts(self, counts: np.ndarray, names: list[str], epoch: int = 0):
        self.counts = counts
        K = len(names)
        t = self.table
        if t.rowCount() != K or t.columnCount() != K + 1:
            t.setRowCount(K)
            t.setColumnCount(K + 1)
        self._heads = [f"→ {n}" for n in names] + ["%"]
        t.setHorizontalHeaderLabels(self._heads)
        for j, n in enumerate(names):      # (a narrow column shows its name elided)
            t.horizontalHeaderItem(j).setToolTip(f"Rows the network puts in class {n}")
        t.horizontalHeaderItem(K).setToolTip("% right: the share of this class's rows the "
                                             "network picks correctly")
        # The accuracy column as wide as "100%", the counts share the rest: in a narrow dock
        # equal columns cut "100%" to "1…".
        header = t.horizontalHeader()
        # A count never reads "…": every column is at least as wide as the widest count in
        # bold (the diagonal's) with the cell's margins; many classes in a narrow dock scroll
        # sideways instead.
        bold = QFont(t.font())
        bold.setBold(True)
        margin = 2 * (t.style().pixelMetric(QStyle.PixelMetric.PM_FocusFrameHMargin, None, t) + 1)
        widest = max(QFontMetrics(bold).horizontalAdvance(str(int(c))) for c in counts.flat)
        header.setMinimumSectionSize(max(MIN_COLUMN, widest + margin + 2))
        header.setSectionResizeMode(QHeaderView.ResizeMode.Stretch)   # K may have changed
        header.setSectionResizeMode(K, QHeaderView.ResizeMode.ResizeToContents)
        t.setVerticalHeaderLabels([str(n) for n in names])
        rows = counts.sum(axis=1)
        for i in range(K):
            for j in range(K):
                share = counts[i, j] / rows[i] if rows[i] else 0.0
                item = QTableWidgetItem(str(int(counts[i, j])))
                item.setTextAlignment(Qt.AlignmentFlag.AlignCenter)
                r, g, b = classes.class_rgb(j) if K > 2 else ((214, 39, 40) if j else (31, 119, 180))
                alpha = int(round(40 + 160 * share)) if counts[i, j] else 0
                item.setBackground(QBrush(QColor(r, g, b, alpha)))
                if i == j:
                    font = item.font()
                    font.setBold(True)
                    item.setFont(font)
                t.setItem(i, j, item)
            acc = QTableWidgetItem(f"{counts[i, i] / rows[i]:.0%}" if rows[i] else "–")
            acc.setTextAlignment(Qt.AlignmentFlag.AlignCenter)
            t.setItem(i, K, acc)
        n = int(counts.sum())
        right = int(np.trace(counts))
        # The epoch says when they were counted: a mini-batch step changes the weights and
        # not the counts (as it changes not the Loss panel's accuracy, counted with them).
        self.caption.setText(f"<b>{self.split}</b>, epoch {epoch}: {right} of {n} rows right "
                             f"({right / n:.1%})" if n else f"<b>{self.split}</b>: no rows")
        self.caption.setToolTip(
            f"Counted with the weights at the end of epoch {epoch}, as the Loss panel's "
            "accuracy is: they are counted again at the end of each epoch, not after every "
            "mini-batch step.")


class ConfusionPanel(QWidget):
    """Training and test confusion matrices side by side, or one above the other when side by
    side their counts would not show whole (see the module docstring)."""

    def __init__(self, session, parent=None):
        super().__init__(parent)
        self.setObjectName("confusionPanel")
        self.session = session
        self._row = row = QHBoxLayout(self)
        self.note = QLabel("A regression has no classes: see the Loss panel's R².", self)
        self.note.setWordWrap(True)
        self.train = _Matrix("train", self)
        self.test = _Matrix("test", self)
        row.addWidget(self.note)
        row.addWidget(self.train, 1)
        row.addWidget(self.test, 1)
        self._gate = ShownGate(self, self._update)
        session.structureChanged.connect(self._on_changed)
        session.historyChanged.connect(self._on_changed)
        self._update()

    def _on_changed(self):
        if self._gate.skip():       # behind another tab: updated when shown
            return
        self._update()

    def _update(self):
        self._gate.stale = False
        s = self.session
        K = s.dataset.n_classes if s.task == "classification" else None
        self.note.setVisible(K is None)
        for m in (self.train, self.test):
            m.setVisible(K is not None)
        if K is None:
            return
        names = [str(c) for c in (s.model.classes or s.dataset.class_names or range(K))]
        exp = s.exp
        history = s.trainer.history
        epoch = int(history.epoch[-1]) if len(history) else 0
        for m, F, idx in ((self.train, exp.F_train, exp.train_idx),
                          (self.test, exp.F_test, exp.test_idx)):
            true = np.asarray(s.dataset.y[idx], dtype=np.intp)
            m.show_counts(confusion(true, predicted_classes(s.network, F), K), names, epoch)
        self._arrange()

    def resizeEvent(self, event):
        super().resizeEvent(event)
        self._arrange()

    def _arrange(self):
        if not self.train.isVisibleTo(self):
            return
        m = self._row.contentsMargins()
        need = 2 * self.train.least_width() + self._row.spacing() + m.left() + m.right()
        wanted = (QBoxLayout.Direction.LeftToRight if self.width() >= need
                  else QBoxLayout.Direction.TopToBottom)
        if self._row.direction() != wanted:
            self._row.setDirection(wanted)
