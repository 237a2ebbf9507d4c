"""Painting the heatmap panel: a background pixmap of what only the layout decides (frames,
names, titles, colour bars), then each matrix's image, the colour bars' level labels and the
cell numbers over it. A mixin of :class:`~ui.heatmaps.HeatmapPanel`, which owns the layout,
the matrices and the text caches these read."""
from __future__ import annotations

from PySide6.QtCore import QPointF
from PySide6.QtGui import QPainter, QPen, QPixmap

from .heatmap_layout import BAR_TICK, TEXT_OFFSET, bar_y
from .heatmap_matrices import ColorBar, Matrix
from .heatmap_text import CellValues


class HeatmapPainting:
    """What the heatmap canvas paints (see the module docstring)."""

    def _numbers(self, m: Matrix):
        """The numbers printed in ``m`` this frame (computed once per update and layout)."""
        if m.numbers is None:
            m.numbers = False
            if m.image is not None and not m.note:
                placed = self._values.place(m.image, m.grid, m.levels[1])
                if placed is not None:
                    m.numbers = placed
                    m.coloured = CellValues.by_colour(placed)
        return m.numbers or None

    def _paint(self, p: QPainter):
        self._ensure_layout()
        if self._layout_dirty:
            p.fillRect(self.view.rect(), self._bg)
            return
        # What changes only with the layout (frames, names, titles, the colour bars' gradients
        # and ticks) is one pixmap; the images, the numbers and the levels are drawn over it.
        dpr = self.view.devicePixelRatioF()
        if self._background is None or self._background.devicePixelRatio() != dpr:
            self._background = self._paint_background(dpr)
        p.drawPixmap(0, 0, self._background)
        matrices = self._matrices.values()
        for m in matrices:
            if m.qimage is not None:
                p.drawImage(m.rect, m.qimage)
        p.setFont(self._labels.font)
        p.setPen(self._fg)
        for bar in self.colorbars.values():
            if bar.placed is None:
                self._place_bar_labels(bar)
            for at, st in bar.placed:
                p.drawStaticText(at, st)
        if self.valuesCheck.isChecked():
            shown = [m.coloured for m in matrices if self._numbers(m) is not None]
            if shown:
                p.setFont(self._values.font)
                draw = p.drawStaticText
                for pen, side in ((self._fg, 0), (self._light, 1)):
                    p.setPen(pen)
                    for coloured in shown:
                        for x, y, st in coloured[side]:
                            draw(x, y, st)

    def _place_bar_labels(self, bar: ColorBar):
        """Each level label right of its tick mark's end, centred on it."""
        x = bar.rect.right() + 1 + BAR_TICK + TEXT_OFFSET
        bar.placed = []
        for text, at in ((bar.labels[0], 1.0), (bar.labels[2], -1.0)):   # "0": background
            st = self._labels(text)
            bar.placed.append((QPointF(x, round(bar_y(bar.box, at) - st.size().height() / 2)),
                               st))

    def _paint_background(self, dpr: float) -> QPixmap:
        size = self.view.size()
        pix = QPixmap(max(1, round(size.width() * dpr)), max(1, round(size.height() * dpr)))
        pix.setDevicePixelRatio(dpr)
        pix.fill(self._bg)
        p = QPainter(pix)
        for bar in self.colorbars.values():
            p.drawImage(bar.rect, self._bar_image)
        p.setPen(QPen(self._axis_color, 0))
        p.drawLines(self._lines)
        p.setPen(QPen(self._fg, 0))
        p.drawLines(self._bar_lines)
        p.setFont(self._labels.font)
        for at, st in self._texts:
            p.drawStaticText(at, st)
        zero = self._labels("0")
        for bar in self.colorbars.values():
            p.drawStaticText(QPointF(bar.rect.right() + 1 + BAR_TICK + TEXT_OFFSET,
                                     round(bar_y(bar.box, 0.0) - zero.size().height() / 2)),
                             zero)
        p.setFont(self._titles.font)
        for at, st in self._title_texts:
            p.drawStaticText(at, st)
        p.end()
        return pix
