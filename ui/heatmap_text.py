"""Texts of the heatmaps: numbers formatted as the cells print them, and texts laid out once.

:func:`fmt` (with :func:`decimals_for`) is the one rule for a matrix entry's text, shared with
the step panel and the worksheets (it lives in :mod:`nnviz.explain.text`); :func:`nice_max` rounds a group's levels. :class:`TextCache` keeps the labels'
and titles' ``QStaticText`` with their font's metrics; :class:`CellValues` decides which
numbers fit their cells and where they go, laying out each distinct text once.
"""
from __future__ import annotations

import math

import numpy as np
from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QFont, QFontMetricsF, QStaticText, QTransform

from nnviz.explain.text import cell_decimals as decimals_for  # noqa: F401 (the one rule, shared)
from nnviz.explain.text import SCIENTIFIC, cell_text as fmt
from nnviz.explain.text import magnitude_decimals  # noqa: F401

from .heatmap_layout import TextMetrics

_ELIDE = Qt.TextElideMode.ElideRight
STATIC_TEXTS = 4096   # laid-out cell texts kept (numbers recur from frame to frame)


def nice_max(m: float) -> float:
    """``m`` rounded up to two significant digits (level changes stay rare and readable)."""
    if not math.isfinite(m) or m <= 0:
        return 1.0
    # Below 1e-300 (a subnormal weight), 10**e underflows to 0: round up to 1e-300 instead.
    e = max(math.floor(math.log10(m)) - 1, -300)
    return max(1, math.ceil(m / 10.0 ** e - 1e-9)) * 10.0 ** e


def fmt_fast(v: float, decimals: int) -> str:
    """:func:`fmt` (the same text) for the many cells a heatmap paints every frame."""
    if v == 0 or not math.isfinite(v) or abs(v) >= SCIENTIFIC:
        return fmt(v, decimals)
    s = f"{v:.{decimals}f}"
    if s[0] != "-":
        return s
    return s[1:] if float(s) == 0 else "−" + s[1:]   # −0.00 → 0.00


class TextCache:
    """Texts laid out once (``QStaticText``) for one font, with their widths."""

    def __init__(self, font: QFont, limit: int = STATIC_TEXTS):
        self.font = font
        self.metrics = QFontMetricsF(font)
        self._limit = limit
        self._texts: dict[str, QStaticText] = {}
        self._advances: dict[str, float] = {}

    def __call__(self, text: str) -> QStaticText:
        st = self._texts.get(text)
        if st is None:
            if len(self._texts) >= self._limit:
                self._texts.clear()
            st = self._texts[text] = QStaticText(text)
            st.setTextFormat(Qt.TextFormat.PlainText)
            st.prepare(QTransform(), self.font)
        return st

    def __len__(self) -> int:
        return len(self._texts)

    def layout_metrics(self) -> TextMetrics:
        """The font's measurements as :func:`~ui.heatmap_layout.heatmap_layout` takes them
        (sizes of the texts as laid out and drawn)."""
        m = self.metrics

        def size(text):
            sz = self(text).size()
            return sz.width(), sz.height()

        return TextMetrics(m.height(), self.advance,
                           lambda text, width: m.elidedText(text, _ELIDE, width), size)

    def advance(self, text: str) -> float:
        """The font's horizontal advance of ``text``, measured once (a layout asks for the
        same labels' widths again and again)."""
        w = self._advances.get(text)
        if w is None:
            if len(self._advances) >= self._limit:
                self._advances.clear()
            w = self._advances[text] = self.metrics.horizontalAdvance(text)
        return w


class CellValues:
    """Which numbers of a matrix are printed in its cells, and where (they must all fit).

    Each distinct text is laid out once (``QStaticText``) and measured once; a matrix's texts
    are made by one ``str.format`` call.
    """

    def __init__(self, font: QFont):
        self.font = font
        self._metrics = QFontMetricsF(font)
        self._height = self._metrics.height()
        # A static text's position is its top left: the baseline is one ascent below it.
        m = self._metrics
        self._rise = (m.ascent() - m.descent()) / 2 - m.ascent()
        self._char_width: dict[str, float] = {}
        self._entries: dict[str, tuple[QStaticText, float]] = {}
        self._formats: dict[tuple[int, int], str] = {}

    def _text_width(self, text: str) -> float:
        """Width of a number's text as the sum of its characters' advances (measured once per
        character: digits, sign, point), which is what a number without kerning takes."""
        cw = self._char_width
        try:
            return sum([cw[c] for c in text])
        except KeyError:
            for c in text:
                if c not in cw:
                    cw[c] = self._metrics.horizontalAdvance(c)
            return sum([cw[c] for c in text])

    def _entry(self, text: str) -> tuple[QStaticText, float]:
        """``text`` laid out, and half its width."""
        e = self._entries.get(text)
        if e is None:
            if len(self._entries) >= STATIC_TEXTS:
                self._entries.clear()
            st = QStaticText(text)
            st.setTextFormat(Qt.TextFormat.PlainText)
            st.prepare(QTransform(), self.font)
            e = self._entries[text] = (st, self._text_width(text) / 2)
        return e

    def grid(self, rect: QRectF, shape) -> tuple | None:
        """(cell width, [x of each cell's centre], [top of each cell's text]) of a matrix of
        ``shape`` drawn in ``rect``, row by row; None when its cells cannot hold a number."""
        rows, cols = shape
        cw, ch = rect.width() / cols, rect.height() / rows
        if ch < self._height or cw < 18:
            return None
        x0, y0 = rect.left() + cw / 2, rect.top() + ch / 2 + self._rise
        return (cw, [x0 + j * cw for j in range(cols)] * rows,
                [round(y0 + i * ch) for i in range(rows) for _ in range(cols)])

    def place(self, arr: np.ndarray, grid, vmax: float) -> list | None:
        """[(left, top, text, light)] for every cell of ``arr`` (on ``grid``, see :meth:`grid`),
        or None when a number does not fit its cell: then none is printed."""
        if arr is None or arr.size == 0 or grid is None:
            return None
        room = grid[0] - 3
        # The cells that fit a number are few: plain Python on the list of values is cheaper
        # than NumPy calls.
        values = arr.ravel().tolist()
        if not math.isfinite(sum(values)):
            d = decimals_for(arr)
            texts = [fmt_fast(v, d) for v in values]
        else:
            hi, lo = max(values), min(values)
            d = magnitude_decimals(max(hi, -lo))
            # The largest entry's text is one of the widest: when even it does not fit, no
            # other text needs to be made (the activations of a batch are often too small).
            if self._text_width(fmt_fast(hi if hi >= -lo else lo, d)) > room:
                return None
            texts = self._texts(values, d)
        entry = self._entry
        entries = [entry(t) for t in texts]
        if 2 * max([w for _, w in entries]) > room:
            return None
        strong = 0.6 * vmax
        return [(round(x - w), y, st, v > strong or v < -strong)
                for x, y, (st, w), v in zip(grid[1], grid[2], entries, values)]

    @staticmethod
    def by_colour(placed: list) -> tuple[list, list]:
        """``placed`` (see :meth:`place`) as ([(left, top, text)] in dark, … in light)."""
        dark = [(x, y, st) for x, y, st, light in placed if not light]
        light = [(x, y, st) for x, y, st, light in placed if light]
        return dark, light

    def _texts(self, values: list[float], d: int) -> list[str]:
        """:func:`fmt` of finite ``values`` with ``d`` decimals (one ``str.format`` call)."""
        n = len(values)
        f = self._formats.get((n, d))
        if f is None:
            if len(self._formats) > 256:
                self._formats.clear()
            f = self._formats[(n, d)] = ("\x00{:.%df}" % d) * n
        s = f.format(*values)
        if "-" in s:
            zero = f"{0:.{d}f}"
            s = s.replace("\x00-" + zero, "\x00" + zero).replace("-", "−")  # −0.00 → 0.00
        texts = s.split("\x00")[1:]
        if 0.0 in values:
            texts = ["0" if v == 0 else t for v, t in zip(values, texts)]
        return texts
