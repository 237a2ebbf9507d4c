"""A small grid of numbers a learner types or pastes: a matrix of a worked example (X and y,
a layer's W or b).

Ctrl+V pastes a block copied from a spreadsheet (cells separated by tabs, rows by new lines;
text without tabs may use commas, semicolons or spaces) with its top-left corner at the current
cell. A grid made with ``grow=True`` (the data table) adds the rows the block needs, up to its
``max_rows``; a block that does not fit is refused whole with one sentence, and nothing changes.
"""
from __future__ import annotations

import re

import numpy as np
from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QGuiApplication, QKeySequence
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableWidget, QTableWidgetItem

from nnviz.errors import NnvizError

MAX_ABS = 1e6             # the largest number a cell takes (as a weight edit on the canvas)
CELL_WIDTH = 64           # px: "-0.123456" fits
ROW_HEIGHT = 24


def parse_number(text: str) -> float:
    """A cell's number: "0.5", "−0.5" (a typographic minus), "1e-3", or "0,5" (a decimal comma,
    as some spreadsheets copy it). Raises ValueError for anything else."""
    t = text.strip().replace("\u2212", "-")
    if not t:
        raise ValueError("empty")
    try:
        v = float(t)
    except ValueError:
        if t.count(",") == 1 and "." not in t:
            v = float(t.replace(",", "."))
        else:
            raise
    if not np.isfinite(v):
        raise ValueError("not finite")
    return v


def parse_block(text: str) -> list[list[str]]:
    """Clipboard text → rows of cell texts. Tabs separate cells when there are any (a
    spreadsheet's copy); otherwise commas, semicolons or runs of spaces do. Blank lines at the
    end are dropped."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    while lines and not lines[-1].strip():
        lines.pop()
    if "\t" in text:
        return [line.split("\t") for line in lines]
    return [re.split(r"\s*[,;]\s*|\s+", line.strip()) for line in lines]


class MatrixGrid(QTableWidget):
    """An editable matrix. ``values()`` reads it (raising :class:`NnvizError` naming the
    first bad cell), ``set_values`` fills it, ``set_shape`` resizes it keeping what fits.
    ``edited`` fires after a paste or a typed change; ``problem(str)`` when a paste is refused."""

    edited = Signal()
    problem = Signal(str)

    def __init__(self, name: str, rows: int, cols: int, *, grow: bool = False,
                 max_rows: int = 8, parent=None):
        super().__init__(rows, cols, parent)
        self.name = name
        self.grow = grow
        self.max_rows = max_rows
        self.header_width: int | None = None     # px of the row labels; None: as they need
        self.setObjectName(name)
        self.setSelectionMode(QAbstractItemView.ContiguousSelection)
        self.horizontalHeader().setSectionResizeMode(QHeaderView.Fixed)
        self.horizontalHeader().setDefaultSectionSize(CELL_WIDTH)
        self.verticalHeader().setSectionResizeMode(QHeaderView.Fixed)
        self.verticalHeader().setDefaultSectionSize(ROW_HEIGHT)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarAlwaysOff)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarAlwaysOff)
        self._fill_empty()
        self.itemChanged.connect(lambda _item: self.edited.emit())
        self.fit()

    # --- shape -------------------------------------------------------------------------
    def _fill_empty(self):
        self.blockSignals(True)
        for i in range(self.rowCount()):
            for j in range(self.columnCount()):
                if self.item(i, j) is None:
                    item = QTableWidgetItem("0")
                    item.setTextAlignment(Qt.AlignRight | Qt.AlignVCenter)
                    self.setItem(i, j, item)
        self.blockSignals(False)

    def set_shape(self, rows: int, cols: int):
        """Resize to rows × cols: the cells that stay keep their numbers, new ones hold 0."""
        self.setRowCount(rows)
        self.setColumnCount(cols)
        self._fill_empty()
        self.fit()

    def set_labels(self, rows: list[str], cols: list[str]):
        self.setVerticalHeaderLabels(rows)
        self.setHorizontalHeaderLabels(cols)
        self.fit()

    def fit(self):
        """Size the widget to its cells (a grid never scrolls inside itself)."""
        self.resizeColumnsToContents()
        for j in range(self.columnCount()):
            self.setColumnWidth(j, max(CELL_WIDTH, self.columnWidth(j)))
        self.fix_size()

    def fix_size(self):
        """The widget's size from its column widths, row count and headers."""
        vh, hh = self.verticalHeader(), self.horizontalHeader()
        if self.header_width is not None:
            vh.setFixedWidth(self.header_width)
        w = (self.header_width or vh.sizeHint().width()) + sum(
            self.columnWidth(j) for j in range(self.columnCount())) + 2 * self.frameWidth()
        h = (0 if hh.isHidden() else hh.sizeHint().height()) + ROW_HEIGHT * self.rowCount() \
            + 2 * self.frameWidth()
        self.setFixedSize(w, h)

    # --- values ------------------------------------------------------------------------
    def values(self) -> np.ndarray:
        """The numbers, (rows, cols) float64; raises NnvizError naming the first bad cell
        (which becomes the current cell and takes the focus, so the learner sees which one)."""
        out = np.zeros((self.rowCount(), self.columnCount()))
        for i in range(self.rowCount()):
            for j in range(self.columnCount()):
                text = self.item(i, j).text()
                try:
                    v = parse_number(text)
                    problem = f"is {v:g}; numbers here lie between −1e6 and 1e6" \
                        if abs(v) > MAX_ABS else None
                except ValueError:
                    problem = f"holds {text.strip()!r}, not a number"
                if problem:
                    self.setCurrentCell(i, j)
                    self.setFocus()
                    raise NnvizError(f"{self.name}: the cell in row {i + 1}, column {j + 1} "
                                     f"{problem}")
                out[i, j] = v
        return out

    def set_values(self, values):
        """Fill from an array of this grid's shape (its text shows up to 6 digits; ``values``
        of the dialog reads the typed text, so give numbers that print exactly)."""
        a = np.asarray(values, dtype=np.float64).reshape(self.rowCount(), self.columnCount())
        self.blockSignals(True)
        for i in range(a.shape[0]):
            for j in range(a.shape[1]):
                self.item(i, j).setText(_exact_text(a[i, j]))
        self.blockSignals(False)
        self.fit()
        self.edited.emit()

    # --- paste -------------------------------------------------------------------------
    def paste_text(self, text: str) -> str | None:
        """Paste a block at the current cell (or the top-left one); the message of a refused
        paste, or None."""
        block = parse_block(text)
        if not block:
            return f"{self.name}: the clipboard holds no numbers"
        r0 = max(self.currentRow(), 0)
        c0 = max(self.currentColumn(), 0)
        rows, cols = len(block), max(len(r) for r in block)
        numbers = []
        for i, row in enumerate(block):
            out = []
            for j, cell in enumerate(row):
                try:
                    out.append(parse_number(cell))
                except ValueError:
                    return (f"{self.name}: the pasted cell in row {i + 1}, column {j + 1} is "
                            f"{cell.strip()!r}, not a number")
            numbers.append(out)
        if c0 + cols > self.columnCount():
            return (f"{self.name}: the pasted block is {cols} columns wide; from column "
                    f"{c0 + 1} there is room for {self.columnCount() - c0}")
        need = r0 + rows
        room = self.max_rows if self.grow else self.rowCount()
        if need > room:
            return (f"{self.name}: the pasted block is {rows} rows high; from row {r0 + 1} "
                    f"there is room for {room - r0}")
        if need > self.rowCount():
            self.set_shape(need, self.columnCount())
        self.blockSignals(True)
        for i, row in enumerate(numbers):
            for j, v in enumerate(row):
                self.item(r0 + i, c0 + j).setText(_exact_text(v))
        self.blockSignals(False)
        self.fit()
        self.edited.emit()
        return None

    def keyPressEvent(self, event):
        if event.matches(QKeySequence.Paste):
            problem = self.paste_text(QGuiApplication.clipboard().text())
            if problem:
                self.problem.emit(problem)
            event.accept()
            return
        super().keyPressEvent(event)


def _exact_text(v: float) -> str:
    """The shortest text that reads back as exactly ``v`` (Python's repr of a float)."""
    text = repr(float(v))
    if text.endswith(".0"):
        text = text[:-2]
    return "0" if text == "-0" else text
