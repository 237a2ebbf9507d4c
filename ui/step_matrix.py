"""The step-through's matrices: one array as a heatmap with its numbers (:class:`MatrixView`),
and the area that fits every matrix of an operation into the room it has (:class:`MatrixArea`).

The fit is pure geometry (:func:`pack` and :func:`choose`, testable without painting): try the
roomiest cell size first, then smaller cells and fewer shown rows, each packed in consecutive
columns (matrices stacked where they are low) or in consecutive rows, whichever fits; when no
size fits every matrix, the results alone (what the operation computed) are shown.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from PySide6.QtCore import QRect, QSize, Qt
from PySide6.QtGui import QColor, QFont, QFontMetrics, QPainter, QPen
from PySide6.QtWidgets import QLabel, QSizePolicy, QWidget

from nnviz.explain.operations import panel_arrays, panel_decimals

from . import colors
from .heatmap_text import decimals_for, fmt
from .plot_base import RunsLabel

_GREY, _WHITE, _DARK = QColor(120, 120, 120), QColor(255, 255, 255), QColor(20, 20, 20)
_CENTER, _RIGHT = Qt.AlignCenter, Qt.AlignRight | Qt.AlignVCenter
MAX_ROWS = 10        # a matrix with more rows shows a selection of them
MAX_COLS = 8
LABEL_W = 22
SPACING = 6
ARROW_W = 12
NOTE_COLOR = QColor(0x66, 0x66, 0x66)   # the line naming the operands left out
ALONE, HEAD = "alone", "head"          # how a sign may share a column (see pack)


@dataclass(frozen=True)
class Cells:
    """A cell size, the most rows (and columns) a matrix shows, and the numbers' point size."""

    w: int
    h: int
    rows: int
    cols: int
    point: float


#: Roomiest first.
SIZES = (Cells(46, 18, MAX_ROWS, MAX_COLS, 8.0), Cells(40, 16, MAX_ROWS, MAX_COLS, 7.5),
         Cells(36, 15, 8, MAX_COLS, 7.0), Cells(32, 14, 6, 7, 6.5), Cells(29, 13, 5, 6, 6.0),
         Cells(29, 13, 5, 5, 6.0), Cells(28, 13, 4, 4, 6.0))


def shown_rows(n: int, selected: int, limit: int = MAX_ROWS) -> list[int | None]:
    """Indices to draw of n rows (or columns; None marks a gap): all when n ≤ limit, else the
    first three, the selected one with its neighbours, and the last (with a limit below 7: the
    first rows, the selected one and the last)."""
    if n <= limit:
        return list(range(n))
    if limit >= 7:
        keep = sorted({0, 1, 2, n - 1} | {i for i in (selected - 1, selected, selected + 1) if 0 <= i < n})
    else:
        keep = sorted(set(range(max(1, limit - 3))) | {n - 1} | ({selected} if 0 <= selected < n else set()))
    out: list[int | None] = []
    for i in keep:
        if out and out[-1] is not None and i != out[-1] + 1:
            out.append(None)
        out.append(i)
    return out


def matrix_size(shape: tuple[int, int], sample_axis, sample: int, cells: Cells, header_w: int,
                line_h: int, cell_w: int | None = None) -> tuple[int, int]:
    """(width, height) of a :class:`MatrixView` of an array of ``shape`` drawn with ``cells``
    (``cell_w``: a cell width wider than the size's, for numbers that need it)."""
    r, c = shape
    rows = len(shown_rows(r, sample if sample_axis == 0 else -1, cells.rows))
    cols = len(shown_rows(c, sample if sample_axis == 1 else -1, cells.cols))
    w = max(LABEL_W + (cell_w or cells.w) * cols + 4, header_w + 8)
    h = line_h + 4 + cells.h * rows + (cells.h if sample_axis == 1 else 0) + 4
    return w, h


def pack(sizes: list[tuple[int, int]], height: int, spacing: int = SPACING, kinds=None):
    """Consecutive items in columns no taller than ``height``, the narrowest way (a dynamic
    programme over where each column starts). Returns (total width, [(x, y) per item]) or None
    when an item alone is taller than ``height``.

    ``kinds`` (one per item, or None): ``ALONE`` for an item that stands in a column of its own
    (the arrow from the operands to the results: under a matrix it pointed at nothing), ``HEAD``
    for one that can only head its column (a heading such as "state:", never left at the foot
    of the column before the matrices it names)."""
    n = len(sizes)
    if n == 0:
        return 0, []
    kinds = kinds or [None] * n
    best = [0.0] + [float("inf")] * n
    cut = [0] * (n + 1)
    for j in range(1, n + 1):
        h = w = 0
        for i in range(j - 1, -1, -1):     # column i..j-1
            if i < j - 1 and (kinds[i] == ALONE or kinds[i + 1] in (ALONE, HEAD)):
                break                      # (a longer column holds the same pair)
            h += sizes[i][1] + (spacing if i < j - 1 else 0)
            w = max(w, sizes[i][0])
            if h > height:
                break
            cost = best[i] + w + (spacing if i else 0)
            if cost < best[j]:
                best[j], cut[j] = cost, i
    if best[n] == float("inf"):
        return None
    columns, j = [], n
    while j > 0:
        columns.append((cut[j], j))
        j = cut[j]
    pos, x = [None] * n, 0
    for i, j in reversed(columns):
        y = 0
        for k in range(i, j):
            pos[k] = (x, y)
            y += sizes[k][1] + spacing
        x += max(s[0] for s in sizes[i:j]) + spacing
    return int(best[n]), pos


def pack_rows(sizes: list[tuple[int, int]], width: int, spacing: int = SPACING, kinds=None):
    """:func:`pack` across: consecutive items in rows no wider than ``width``, the lowest way.
    Returns (total height, positions) or None."""
    flipped = pack([(h, w) for w, h in sizes], width, spacing, kinds)
    if flipped is None:
        return None
    total, pos = flipped
    return total, [(y, x) for x, y in pos]


def number_font(font: QFont, cells: Cells) -> QFont:
    """The font of a matrix's numbers at ``cells``."""
    small = QFont(font)
    small.setPointSizeF(min(cells.point, max(6.0, font.pointSizeF() - 1.0)))
    return small


def cell_width(values: np.ndarray, decimals: int, cells: Cells, font: QFont) -> int:
    """The size's cell width, or wider when the array's widest number needs it (its largest
    and smallest values are the longest written)."""
    finite = np.asarray(values, dtype=float)
    finite = finite[np.isfinite(finite)]
    if not finite.size:
        return cells.w
    fm = QFontMetrics(number_font(font, cells))
    widest = max(fm.horizontalAdvance(fmt(float(v), decimals)) for v in (finite.max(), finite.min()))
    return max(cells.w, widest + 4)


def fits(sizes, width: int, height: int, kinds=None):
    """Positions that fit every item in width × height (columns tried first), or None."""
    col = pack(sizes, height, kinds=kinds)
    if col is not None and col[0] <= width:
        return col[1]
    row = pack_rows(sizes, width, kinds=kinds)
    if row is not None and row[0] <= height:
        return row[1]
    return None


class MatrixView(QWidget):
    """One array as a heatmap with its numbers in the cells, headed by its name and shape.
    ``decimals``: fixed decimals for the numbers (None: from the array's largest entry)."""

    def __init__(self, name: str, values: np.ndarray, sample_axis: int | None, sample: int,
                 role: str, parent=None, cells: Cells = SIZES[0], decimals: int | None = None):
        super().__init__(parent)
        a = np.asarray(values, dtype=float)
        self.values = a.reshape(1, -1) if a.ndim < 2 else a
        self.name, self.sample_axis, self.role = name, sample_axis, role
        self.sample = sample
        self.cells = cells
        r, c = self.values.shape
        self.rows = shown_rows(r, sample if sample_axis == 0 else -1, cells.rows)
        self.cols = shown_rows(c, sample if sample_axis == 1 else -1, cells.cols)
        self._vmax = float(np.nanmax(np.abs(self.values))) if self.values.size else 1.0
        if not np.isfinite(self._vmax) or self._vmax == 0:
            self._vmax = 1.0
        finite = self.values[np.isfinite(self.values)]
        self.decimals = decimals if decimals is not None else (decimals_for(finite) if finite.size else 2)
        self.cell_w = cell_width(self.values, self.decimals, cells, self.font())
        # Every cell's colour row at once (the one colour rule, as colors.color gives it per
        # value) and whether its number is written in white: a paint then only draws.
        self._rows = colors.lut_index(self.values, self._vmax)
        with np.errstate(invalid="ignore"):
            self._light = np.abs(self.values) > 0.6 * self._vmax
        self._drawn = None      # (top, cells) of the last paint
        tip = f"{name}: {r}×{c}" + (" (rows are samples)" if sample_axis == 0 else
                                    " (columns are samples)" if sample_axis == 1 else "")
        if len(self.rows) < r or len(self.cols) < c:
            tip += "; ⋮ and ⋯ mark rows or columns left out for room"
        self.setToolTip(tip)
        self.setSizePolicy(QSizePolicy.Fixed, QSizePolicy.Fixed)

    def header(self) -> str:
        r, c = self.values.shape
        return f"{self.name}  [{r}×{c}]"

    def cell_text(self, i: int, j: int) -> str:
        """The number drawn in cell (i, j) of the array."""
        return fmt(float(self.values[i, j]), self.decimals)

    def sizeHint(self) -> QSize:
        bold = QFont(self.font())
        bold.setBold(True)
        w, h = matrix_size(self.values.shape, self.sample_axis, self.sample, self.cells,
                           QFontMetrics(bold).horizontalAdvance(self.header()),
                           QFontMetrics(self.font()).height(), self.cell_w)
        return QSize(w, h)

    def minimumSizeHint(self) -> QSize:
        return self.sizeHint()

    def _cells(self, top: int) -> list:
        """What the grid draws, worked out once: (rect, fill colour or None, pen, alignment,
        text) per cell, the row and column numbers and the ⋮/⋯ gaps included."""
        if self._drawn is not None and self._drawn[0] == top:
            return self._drawn[1]
        cw, ch = self.cell_w, self.cells.h
        table = colors.qcolors()
        rows, light = self._rows.tolist(), self._light.tolist()
        out = []
        y0 = top
        if self.sample_axis == 1:   # column numbers: columns are samples
            for cj, j in enumerate(self.cols):
                out.append((QRect(LABEL_W + cj * cw, y0, cw, ch), None, _GREY, _CENTER,
                            "⋯" if j is None else str(j + 1)))
            y0 += ch
        for ri, i in enumerate(self.rows):
            y = y0 + ri * ch
            out.append((QRect(0, y, LABEL_W - 3, ch), None, _GREY, _RIGHT,
                        "⋮" if i is None else (str(i + 1) if self.sample_axis == 0 else "")))
            for cj, j in enumerate(self.cols):
                rect = QRect(LABEL_W + cj * cw, y, cw, ch)
                if i is None or j is None:
                    out.append((rect, None, _GREY, _CENTER, "⋮" if i is None else "⋯"))
                else:
                    out.append((rect, table[rows[i][j]], _WHITE if light[i][j] else _DARK,
                                _CENTER, self.cell_text(i, j)))
        self._drawn = (top, out)
        return out

    def paintEvent(self, event):
        cw, ch = self.cell_w, self.cells.h
        p = QPainter(self)
        p.setRenderHint(QPainter.Antialiasing, False)
        fm = QFontMetrics(self.font())
        head = QFont(self.font())
        head.setBold(True)
        p.setFont(head)
        p.setPen(self.palette().windowText().color())
        p.drawText(QRect(0, 0, self.width(), fm.height() + 2), Qt.AlignLeft | Qt.AlignVCenter, self.header())
        p.setFont(number_font(self.font(), self.cells))
        top = fm.height() + 4
        for rect, fill, pen, align, text in self._cells(top):
            if fill is not None:
                p.fillRect(rect, fill)
            p.setPen(pen)
            p.drawText(rect, align, text)
        if self.sample_axis == 1:
            top += ch
        p.setPen(QPen(QColor(255, 170, 0), 3))   # outline the selected sample
        p.setBrush(Qt.NoBrush)
        if self.sample_axis == 0 and self.sample in self.rows:
            ri = self.rows.index(self.sample)
            p.drawRect(QRect(LABEL_W - 1, top + ri * ch, cw * len(self.cols) + 1, ch))
        elif self.sample_axis == 1 and self.sample in self.cols:
            cj = self.cols.index(self.sample)
            p.drawRect(QRect(LABEL_W + cj * cw, top, cw, ch * len(self.rows)))
        p.end()


@dataclass
class Item:
    """One thing the area shows: a matrix (``shown`` from :mod:`nnviz.explain`) or a sign."""

    shown: object = None
    sign: str = ""
    decimals: int | None = None
    group: int | None = None     # consecutive items of one group stay side by side

    @property
    def kind(self) -> str | None:
        """How it may share a column (:func:`pack`): the arrow alone, another sign at its head."""
        return None if self.shown is not None else ALONE if self.sign == "→" else HEAD


class MatrixArea(QWidget):
    """Every matrix of an operation, fitted into the area's size (see the module's notes).

    ``views`` are the matrices shown now; ``cells`` the size chosen; ``results_only`` is True
    when only the results fit (the operands are named in a line at the top)."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setObjectName("stageMatrices")
        self.setSizePolicy(QSizePolicy.Expanding, QSizePolicy.Expanding)
        self.items: list[Item] = []
        self.sample = 0
        self.views: list[MatrixView] = []
        self._widgets: list[QWidget] = []
        self.cells = SIZES[0]
        self.results_only = False
        self._fitted = None
        # The line naming the operands left out: elided at the panel's edge, not clipped (the
        # whole line is then in its tooltip).
        self.note = RunsLabel(self, left=True)
        self.note.setObjectName("operandsNote")
        self.note.setToolTip("The operands are drawn too when the panel is wider or taller")
        self.note.hide()

    def set_items(self, items: list[Item], sample: int):
        self.items, self.sample = items, sample
        self._fitted = None
        self._fit()

    def minimumSizeHint(self) -> QSize:
        return QSize(120, 60)

    def sizeHint(self) -> QSize:
        return QSize(500, 220)

    def resizeEvent(self, event):
        super().resizeEvent(event)
        self._fit()

    def showEvent(self, event):
        super().showEvent(event)
        self._fit()

    def _sizes(self, items, cells: Cells):
        bold = QFont(self.font())
        bold.setBold(True)
        fb, line = QFontMetrics(bold), QFontMetrics(self.font()).height()
        out = []
        for it in items:
            if it.shown is None:
                wide = len(it.sign) > 1
                out.append((QFontMetrics(self.font()).horizontalAdvance(it.sign) + 6 if wide
                            else ARROW_W, line + 8))
                continue
            s = it.shown
            v = np.asarray(s.values, dtype=float)
            shape = v.shape if v.ndim == 2 else (1, v.size)
            r, c = shape
            finite = v[np.isfinite(v)]
            dec = it.decimals if it.decimals is not None else (decimals_for(finite) if finite.size else 2)
            out.append(matrix_size(shape, s.sample_axis, self.sample, cells,
                                   fb.horizontalAdvance(f"{s.name}  [{r}×{c}]"), line,
                                   cell_width(v, dec, cells, self.font())))
        return out

    def _fits(self, items, cells: Cells, width: int, height: int):
        """:func:`fits` with each group's items packed as one unit, side by side."""
        sizes = self._sizes(items, cells)
        units, members, kinds = [], [], []
        for i, it in enumerate(items):
            if members and it.group is not None and items[members[-1][-1]].group == it.group:
                members[-1].append(i)
                w, h = units[-1]
                units[-1] = (w + SPACING + sizes[i][0], max(h, sizes[i][1]))
                kinds[-1] = None
            else:
                members.append([i])
                units.append(sizes[i])
                kinds.append(it.kind)
        pos = fits(units, width, height, kinds)
        if pos is None:
            return None
        out = [None] * len(items)
        for (x, y), idx in zip(pos, members):
            for i in idx:
                out[i] = (x, y)
                x += sizes[i][0] + SPACING
        return out

    def fits_all(self, width: int, height: int) -> bool:
        """Whether every item (operands too) fits width × height at some cell size."""
        return not self.items or any(self._fits(self.items, cells, width, height) is not None
                                     for cells in SIZES)

    def choose(self, width: int, height: int):
        """(cells, items, positions, results_only) for an area of width × height."""
        results = [it for it in self.items
                   if it.shown is not None and it.shown.role in ("result",)]
        note_h = QFontMetrics(self.font()).height() + 2
        for subset, room, only in ((self.items, height, False), (results, height - note_h, True)):
            if only and (not results or len(results) == len(self.items)):
                continue
            for cells in SIZES:
                pos = self._fits(subset, cells, width, room)
                if pos is not None:
                    return cells, subset, pos, only
        subset = results or self.items
        cells = SIZES[-1]
        col = pack(self._sizes(subset, cells), 1 << 20)
        return cells, subset, col[1], bool(results)

    def _fit(self):
        key = (self.width(), self.height(), self.isVisible(), id(self.items), self.sample)
        if key == self._fitted or not self.items and not self._widgets:
            return
        self._fitted = key
        for w in self._widgets:
            w.hide()
            w.deleteLater()
        self._widgets, self.views = [], []
        if not self.items:
            self.note.hide()
            return
        # Not shown yet (a panel made off screen): as if there were room for everything.
        width, height = (self.width(), self.height()) if self.isVisible() else (1 << 14, 1 << 14)
        cells, subset, pos, only = self.choose(width, height)
        self.cells, self.results_only = cells, only
        top = 0
        if only:
            names = ", ".join(it.shown.name for it in self.items
                              if it.shown is not None and it.shown.role != "result")
            self.note.set_runs([(f"Results only, for room (operands {names}: widen the panel "
                                 "or see the equation)", NOTE_COLOR)])
            self.note.setGeometry(0, 0, self.width(), QFontMetrics(self.font()).height())
            self.note.show()
            top = QFontMetrics(self.font()).height() + 2
        else:
            self.note.hide()
        for it, (x, y) in zip(subset, pos):
            if it.shown is None:
                w = QLabel(it.sign, self)
                w.setStyleSheet("color: #555" if len(it.sign) > 1 else "font-size: 14pt; color: #555")
                w.setToolTip("the operands on the left give the results on the right"
                             if it.sign == "→" else "the optimizer's state" if len(it.sign) > 1
                             else "before + change = after")
            else:
                s = it.shown
                w = MatrixView(s.name, s.values, s.sample_axis, self.sample, s.role, self,
                               cells, it.decimals)
                self.views.append(w)
            hint = w.sizeHint()
            if it.shown is None:
                hint = QSize(max(hint.width(), ARROW_W), hint.height())
            w.setGeometry(QRect(x, y + top, hint.width(), hint.height()))
            w.show()
            self._widgets.append(w)


def panel_items(stage, notation) -> list[Item]:
    """The matrices of an operation (:func:`panel_arrays`) in order with the signs between
    them; the update's before and after with the decimals that tell them apart."""
    shown = panel_arrays(stage, notation)
    items: list[Item] = []
    if stage.phase == "update":
        decimals = dict(enumerate(panel_decimals(shown)))
        group = -1
        for i, s in enumerate(shown):   # each parameter's three on one line
            if s.role == "change":
                items += [Item(sign="+", group=group), Item(s, group=group),
                          Item(sign="=", group=group)]
                continue
            if s.role == "state" and items and items[-1].shown is not None and \
                    items[-1].shown.role != "state":
                items.append(Item(sign="state:"))
            if s.role == "operand":
                group += 1
            items.append(Item(s, decimals=decimals.get(i),
                              group=group if s.role != "state" else None))
        return items
    role = None
    for s in shown:
        if role is not None and s.role != role:
            items.append(Item(sign="→" if s.role == "result" else "state:"))
        role = s.role
        items.append(Item(s))
    return items
