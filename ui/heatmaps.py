"""Live heatmaps of the matrices in the equations: W⁽ᵏ⁾, b⁽ᵏ⁾, the hidden activations H of the
last batch and the last step's gradients ∂E/∂W⁽ᵏ⁾.

Each matrix is drawn as it reads: row i from the top (the ViewBox's y axis is inverted),
column j left to right, one cell per entry (``ImageItem(axisOrder="row-major")``, cell (i, j)
covers [j, j+1]×[i, i+1]). Rows and columns are labelled with the feature names and the unit
names (h1…hM), and when the cells are large enough the numbers are printed in them.

Layout: per dense layer k, W⁽ᵏ⁾ with b⁽ᵏ⁾ right under it (same columns, as in Z = X·W + b),
the layer's activations on the batch (H⁽ᵏ⁾ for hidden layers, ŷ for the output) and ∂E/∂W⁽ᵏ⁾;
one colour bar per group. A tall panel stacks the groups (rows: parameters, activations,
gradients; a column per layer), a wide one (a bottom dock) puts them side by side; the same
items move, none is created. Colours are CET-D1 with symmetric levels ±max|·| taken over the
group (parameters W and b; activations; gradients), rounded up to two significant digits, so
cells of different matrices in a group compare directly and a 1×1 b⁽²⁾ does not always show
full colour. The colour bars' level labels are text items beside fixed tick marks, so a
changed level (the gradients' changes with every batch) does not lay an axis out again.

Every item is made once per network shape; an update copies the engine arrays (``setImage``
keeps a view) and calls ``setImage(..., autoLevels=False)``. Images hold float64 copies so the
cursor readout and :meth:`HeatmapPanel.current_array` show the engine's exact numbers.
"""
from __future__ import annotations

import math

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QPalette, QStaticText, QTransform
from PySide6.QtWidgets import (QCheckBox, QGraphicsSimpleTextItem, QHBoxLayout, QLabel,
                               QSizePolicy, QVBoxLayout, QWidget)

from nnviz.stages import sup

from . import colors
from .paint_cache import ArgbImageItem, cache_pixmaps
from .plot_base import HoverReadout, ShownGate

TICK_FONT_PT = 8
CELL_FONT_PT = 7.5
LABEL_AT = 1 - 1e-6    # colour-bar end ticks: just inside ±1, or the axis drops them
STATIC_TEXTS = 4096   # laid-out cell texts kept per matrix (numbers recur from frame to frame)
TITLE_SIZE = "9pt"


def decimals_for(arr: np.ndarray) -> int:
    """Decimals for a matrix's numbers, from its largest entry: 2 for 0.1…9.99 (0.53, 1.95),
    one more per decade below (0.086, 0.0012) and fewer above (12.3, 123)."""
    m = float(np.max(np.abs(arr))) if arr.size else 0.0
    if not math.isfinite(m) or m == 0:
        return 2
    e = math.floor(math.log10(m))
    if e in (-1, 0):
        return 2
    return max(0, min(5, (1 - e) if e < 0 else (2 - e)))


def fmt(v: float, decimals: int = 2) -> str:
    """A cell's number with the matrix's decimals and a real minus sign: −0.53, 0.0012."""
    if not math.isfinite(v):
        return str(v)
    if v == 0:
        return "0"
    s = f"{v:.{decimals}f}"
    if float(s) == 0:
        s = s.lstrip("-")
    return s.replace("-", "−")


def nice_max(m: float) -> float:
    """``m`` rounded up to two significant digits (level changes stay rare and readable)."""
    if not math.isfinite(m) or m <= 0:
        return 1.0
    e = math.floor(math.log10(m)) - 1
    return math.ceil(m / 10.0 ** e - 1e-9) * 10.0 ** e


def _fmt_fast(v: float, decimals: int) -> str:
    """:func:`fmt` (the same text) for the many cells a heatmap paints every frame."""
    if v == 0 or not math.isfinite(v):
        return fmt(v, decimals)
    s = f"{v:.{decimals}f}"
    if s[0] != "-":
        return s
    return s[1:] if float(s) == 0 else "−" + s[1:]   # −0.00 → 0.00


class CellValues(pg.GraphicsObject):
    """The numbers of a matrix, drawn in its cells when they fit (one item per matrix)."""

    def __init__(self, font: QFont, dark: QColor, light: QColor):
        super().__init__()
        self._font = font
        self._metrics = QFontMetricsF(font)
        self._dark, self._light = dark, light
        self._arr: np.ndarray | None = None
        self._vmax = 1.0
        self._shape = (0, 0)
        self._char_width: dict[str, float] = {}
        self._static: dict[str, QStaticText] = {}   # each text laid out once

    def _static_text(self, text: str) -> QStaticText:
        st = self._static.get(text)
        if st is None:
            if len(self._static) >= STATIC_TEXTS:
                self._static.clear()
            st = self._static[text] = QStaticText(text)
            st.setTextFormat(Qt.TextFormat.PlainText)
            st.prepare(QTransform(), self._font)
        return st

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

    def set_values(self, arr: np.ndarray | None, vmax: float):
        shape = (0, 0) if arr is None else arr.shape
        if shape != self._shape:
            self.prepareGeometryChange()
            self._shape = shape
        self._arr, self._vmax = arr, vmax
        self.update()

    def boundingRect(self) -> QRectF:
        return QRectF(0, 0, self._shape[1], self._shape[0])

    def paint(self, p, *args):
        arr = self._arr
        if arr is None or arr.size == 0:
            return
        t = p.transform()
        o, u = t.map(QPointF(0, 0)), t.map(QPointF(1, 1))
        cw, ch = abs(u.x() - o.x()), abs(u.y() - o.y())
        if ch < self._metrics.height() or cw < 18:
            return
        d = decimals_for(arr)
        # The largest entry's text is one of the widest: when even it does not fit, no other
        # text needs to be made (the activations of a batch are often too small to print).
        i = int(np.argmax(np.abs(arr)))
        if self._text_width(_fmt_fast(float(arr.flat[i]), d)) > cw - 3:
            return
        values = arr.tolist()
        texts = [[_fmt_fast(v, d) for v in row] for row in values]
        width = self._text_width
        widths = [[width(s) for s in row] for row in texts]
        if max(max(row) for row in widths) > cw - 3:
            return
        # Cell centres (the view's transform is a scale and a shift); the text is centred on
        # them from its measured width and the font's ascent and descent.
        xs = [t.map(QPointF(j + 0.5, 0.5)).x() for j in range(len(texts[0]))]
        ys = [t.map(QPointF(0.5, i + 0.5)).y() for i in range(len(texts))]
        # A static text's position is its top left: the baseline is one ascent below it.
        rise = (self._metrics.ascent() - self._metrics.descent()) / 2 - self._metrics.ascent()
        strong_above = 0.6 * self._vmax
        static = self._static_text
        p.save()
        p.resetTransform()
        p.setFont(self._font)
        pen = None
        for y, row, wrow, vrow in zip(ys, texts, widths, values):
            for x, s, w, v in zip(xs, row, wrow, vrow):
                want = self._light if abs(v) > strong_above else self._dark
                if want is not pen:
                    p.setPen(want)
                    pen = want
                p.drawStaticText(QPointF(x - w / 2, y + rise), static(s))
        p.restore()


class _Matrix:
    """One heatmap: its plot, image, numbers and how to name its rows and columns."""

    def __init__(self, key, plot, image, values, group, column):
        self.key, self.plot, self.image, self.values = key, plot, image, values
        self.group, self.column = group, column
        self.shape: tuple[int, int] | None = None
        self.name = key
        self.row_names: list[str] = []
        self.col_names: list[str] = []
        self.note = ""


def unit_names(net, k: int) -> list[str]:
    """Names of dense layer k's outputs: h1…hM (h2.1… for the 2nd of several hidden layers), ŷ."""
    n = net.sizes[k + 1]
    if k == len(net.dense) - 1:
        return ["ŷ"] if n == 1 else [f"ŷ{j + 1}" for j in range(n)]
    if len(net.dense) == 2:
        return [f"h{j + 1}" for j in range(n)]
    return [f"h{k + 1}.{j + 1}" for j in range(n)]


class HeatmapPanel(HoverReadout, QWidget):
    """Heatmaps of every dense layer's W and b, the batch's activations and ∂E/∂W.

    Public: ``images`` (dict key → ImageItem; keys "W1", "b1", "W2", "b2", …; "H" (act[0].a,
    B×M; "H2", … with several hidden layers) and "yhat" (the batch's outputs, B×1); "dW1",
    "dW2", …), :meth:`current_array`, ``colorbars`` (group "params", "act", "grads" →
    ColorBarItem), ``valuesCheck`` (numbers in the cells) and ``readout`` (value under the
    cursor).
    """

    def __init__(self, session, parent=None):
        super().__init__(parent)
        self.setObjectName("heatmapPanel")
        self.session = session
        pal = QPalette()
        self._bg = pal.color(QPalette.ColorRole.Base)
        self._fg = pal.color(QPalette.ColorRole.Text)
        self._axis_pen = pg.mkPen(QColor(self._fg.red(), self._fg.green(), self._fg.blue(), 60))
        self._tick_font = QFont(self.font())
        self._tick_font.setPointSizeF(TICK_FONT_PT)
        self._cell_font = QFont(self.font())
        self._cell_font.setPointSizeF(CELL_FONT_PT)
        self._metrics = QFontMetricsF(self._tick_font)

        self.images: dict[str, pg.ImageItem] = {}
        self.colorbars: dict[str, pg.ColorBarItem] = {}
        self._matrices: dict[str, _Matrix] = {}
        self._arrays: dict[str, np.ndarray] = {}
        self._levels: dict[str, tuple[float, float]] = {}
        self._built_for: int | None = None  # number of dense layers the items were made for
        self._mode: str | None = None        # "tall" or "wide": how the groups are placed
        self._places: dict = {}               # item → (row, column, rowspan)
        self._mouse = None
        self._gate = ShownGate(self, lambda: self._update())

        top = QVBoxLayout(self)
        top.setContentsMargins(0, 0, 0, 0)
        top.setSpacing(0)
        header = QWidget(self)
        row = QHBoxLayout(header)
        row.setContentsMargins(6, 2, 6, 2)
        row.setSpacing(10)
        self.valuesCheck = QCheckBox("Numbers", header)
        self.valuesCheck.setChecked(True)
        self.valuesCheck.setToolTip("Print each entry in its cell when the cell is large enough")
        row.addWidget(self.valuesCheck)
        self.readout = QLabel(header)
        self.readout.setObjectName("heatmapReadout")
        self.readout.setTextFormat(Qt.TextFormat.PlainText)
        self.readout.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self.readout.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        row.addWidget(self.readout, 1)
        top.addWidget(header)
        self.view = pg.GraphicsLayoutWidget(self)
        self.view.setBackground(self._bg)
        self.view.setObjectName("heatmapView")
        self.view.ci.layout.setContentsMargins(4, 2, 4, 4)
        self.view.ci.layout.setHorizontalSpacing(4)
        self.view.ci.layout.setVerticalSpacing(2)
        top.addWidget(self.view, 1)

        self.valuesCheck.toggled.connect(self._on_values_toggled)
        self.view.scene().sigMouseMoved.connect(self._on_mouse_moved)
        session.structureChanged.connect(self._on_structure_changed)
        session.paramsChanged.connect(self._on_params_changed)
        self._on_structure_changed()

    # --- public ------------------------------------------------------------------------
    @property
    def mode(self) -> str | None:
        """``"tall"`` (groups stacked) or ``"wide"`` (groups side by side, a bottom dock)."""
        return self._mode

    def current_array(self, key: str) -> np.ndarray:
        """The array last passed to ``images[key].setImage`` (a float64 copy of the engine's)."""
        if self._gate.stale:
            self._update()
        return self._arrays[key]

    # --- building (once per number of layers) ------------------------------------------
    def _on_structure_changed(self):
        n_dense = self.session.network.n_layers
        if n_dense != self._built_for:
            self._build(n_dense)
        for m in self._matrices.values():
            m.shape = None  # names may have changed (features, units): relabel on the update
        self._set_stretch()
        self._update()

    def _build(self, n_dense: int):
        """Create every plot, image, number overlay and colour bar for this many layers."""
        self.view.clear()
        self.images.clear()
        self.colorbars.clear()
        self._matrices.clear()
        self._arrays.clear()
        self._levels.clear()
        self._places = {}
        for k in range(n_dense):
            self._add(f"W{k + 1}", "params", k)
            self._add(f"b{k + 1}", "params", k)
            self._add("yhat" if k == n_dense - 1 else ("H" if k == 0 else f"H{k + 1}"), "act", k)
            self._add(f"dW{k + 1}", "grads", k)
        for group in ("params", "act", "grads"):
            bar = pg.ColorBarItem(values=(-1, 1), colorMap=colors.CMAP, width=9,
                                  interactive=False, colorMapMenu=False)
            bar.axis.setStyle(tickFont=self._tick_font, tickLength=3)
            bar.axis.setTextPen(pg.mkPen(self._fg))
            bar.axis.setWidth(38)
            # Room above and below so the end labels of stacked bars do not collide.
            bar.layout.setContentsMargins(0, 7, 0, 7)
            # The axis draws the tick marks (fixed: the bar's picture is the whole colormap
            # whatever the levels); the level labels are three text items next to them, which
            # can change with every frame without the axis being laid out again.
            bar.axis.setStyle(showValues=False)
            bar.axis.setTicks([[(-LABEL_AT, ""), (0.0, ""), (LABEL_AT, "")],
                               [(-0.5, ""), (0.5, "")]])
            bar._nnviz_labels = []
            for _ in range(3):
                label = QGraphicsSimpleTextItem(bar.axis)
                label.setFont(self._tick_font)
                label.setBrush(self._fg)
                bar._nnviz_labels.append(label)
            bar.axis.geometryChanged.connect(lambda bar=bar: self._place_bar_labels(bar))
            cache_pixmaps(bar.axis, bar.bar)   # the images change every frame, not these
            self.colorbars[group] = bar
        self._built_for = n_dense
        self._mode = None
        self._arrange()

    # --- placing: a tall panel stacks the groups, a wide one puts them side by side -------
    def _wanted_mode(self) -> str:
        w, h = self.width(), max(self.height(), 1)
        return "wide" if w >= 1.6 * h and w >= 640 else "tall"

    def _positions(self, mode: str) -> dict:
        """item → (row, column, rowspan) for every matrix plot and colour bar."""
        L = self._built_for
        pos = {}
        act_keys = ["H" if k == 0 else f"H{k + 1}" for k in range(L - 1)] + ["yhat"]
        if mode == "tall":   # rows: W, b, activations, gradients; a column per layer
            for k in range(L):
                pos[f"W{k + 1}"] = (0, k, 1)
                pos[f"b{k + 1}"] = (1, k, 1)
                pos[act_keys[k]] = (2, k, 1)
                pos[f"dW{k + 1}"] = (3, k, 1)
            bars = {"params": (0, L, 2), "act": (2, L, 1), "grads": (3, L, 1)}
        else:                # blocks side by side: [W over b] bar [H ŷ] bar [∂E/∂W] bar
            for k in range(L):
                pos[f"W{k + 1}"] = (0, k, 1)
                pos[f"b{k + 1}"] = (1, k, 1)
                pos[act_keys[k]] = (0, L + 1 + k, 2)
                pos[f"dW{k + 1}"] = (0, 2 * L + 2 + k, 2)
            bars = {"params": (0, L, 2), "act": (0, 2 * L + 1, 2), "grads": (0, 3 * L + 2, 2)}
        placed = {self._matrices[key].plot: p for key, p in pos.items()}
        placed.update({self.colorbars[g]: p for g, p in bars.items()})
        return placed

    def _arrange(self):
        """Put the items where the panel's shape wants them (moves items; creates none)."""
        if self._built_for is None:
            return
        mode = self._wanted_mode()
        lay = self.view.ci.layout
        if mode != self._mode:
            places = self._positions(mode)
            for item in places:
                if item in self._places:
                    lay.removeItem(item)
            for item, (r, c, span) in places.items():
                if item in self._places:
                    lay.addItem(item, r, c, span, 1)
                else:
                    self.view.ci.addItem(item, row=r, col=c, rowspan=span)
            self._places = places
            self._mode = mode
            # The view may have sized the layout while it still had the old shape's minimum.
            pg.GraphicsView.setRange(self.view, QRectF(self.view.viewport().rect()), padding=0,
                                     disableAutoPixel=False)
        self._set_stretch()

    def _set_stretch(self):
        """Columns share the width by number of units; rows by number of matrix rows."""
        lay = self.view.ci.layout
        sizes = self.session.network.sizes
        for c in range(lay.columnCount()):
            lay.setColumnStretchFactor(c, 0)
        for r in range(lay.rowCount()):
            lay.setRowStretchFactor(r, 0)
        for key, m in self._matrices.items():
            r, c, _ = self._places[m.plot]
            lay.setColumnStretchFactor(c, max(1, sizes[m.column + 1]))
        fan_in = max(sizes[:-1])
        if self._mode == "tall":
            for r, f in ((0, fan_in), (1, 1), (2, 3), (3, fan_in)):
                lay.setRowStretchFactor(r, f)
        else:
            lay.setRowStretchFactor(0, fan_in)
            lay.setRowStretchFactor(1, 1)

    def resizeEvent(self, ev):
        super().resizeEvent(ev)
        if self._built_for is not None and self._wanted_mode() != self._mode:
            self._arrange()

    def _add(self, key, group, column):
        plot = pg.PlotItem()
        plot.setMenuEnabled(False)
        plot.hideButtons()
        plot.setMouseEnabled(False, False)
        vb = plot.getViewBox()
        vb.invertY(True)
        vb.setDefaultPadding(0.0)
        vb.disableAutoRange()
        plot.hideAxis("bottom")
        plot.showAxis("top")
        for name in ("left", "top"):
            axis = plot.getAxis(name)
            axis.setStyle(tickFont=self._tick_font, tickLength=0, autoExpandTextSpace=False,
                          tickTextOffset=3)
            axis.setPen(self._axis_pen)
            axis.setTextPen(pg.mkPen(self._fg))
        cache_pixmaps(plot.getAxis("left"), plot.getAxis("top"), plot.titleLabel.item)
        if key.startswith("b"):  # its columns line up with W's right above
            plot.getAxis("top").setStyle(showValues=False)
            plot.getAxis("top").setHeight(1)
        else:
            plot.getAxis("top").setHeight(int(self._metrics.height()) + 4)
        image = ArgbImageItem(axisOrder="row-major")
        image.setColorMap(colors.CMAP)
        plot.addItem(image)
        values = CellValues(self._cell_font, self._fg, QColor("white"))
        values.setVisible(self.valuesCheck.isChecked())
        plot.addItem(values)
        m = _Matrix(key, plot, image, values, group, column)
        vb.sigResized.connect(lambda _vb, m=m: self._retick(m))
        self.images[key] = image
        self._matrices[key] = m

    # --- updating ----------------------------------------------------------------------
    def _on_params_changed(self):
        if self._gate.skip():   # behind another dock tab: updated when shown
            return
        self._update()

    def _on_values_toggled(self, on: bool):
        for m in self._matrices.values():
            m.values.setVisible(on)

    def _update(self):
        self._gate.stale = False
        net = self.session.network
        n_dense = net.n_layers
        arrays: dict[str, np.ndarray] = {}
        notes: dict[str, str] = {}
        for k, d in enumerate(net.dense):
            arrays[f"W{k + 1}"] = np.array(d.W, dtype=np.float64, order="C")
            arrays[f"b{k + 1}"] = np.array(d.b, dtype=np.float64).reshape(1, -1)
            arrays[f"dW{k + 1}"] = np.array(d.dW, dtype=np.float64, order="C")
        for k in range(n_dense):
            key = "yhat" if k == n_dense - 1 else ("H" if k == 0 else f"H{k + 1}")
            a = net.act[k].a
            if a is None or a.ndim != 2 or a.shape[1] != net.sizes[k + 1]:
                arrays[key] = np.zeros((1, net.sizes[k + 1]))
                notes[key] = "no batch"
            else:
                arrays[key] = np.array(a, dtype=np.float64, order="C")
        levels = {}
        for group in ("params", "act", "grads"):
            m = colors.symmetric_levels(*(a for key, a in arrays.items()
                                          if self._matrices[key].group == group))[1]
            top = nice_max(m)
            levels[group] = (-top, top)
            if self._levels.get(group) != levels[group]:
                self._levels[group] = levels[group]
                self._label_bar(self.colorbars[group], levels[group])
        for key, arr in arrays.items():
            m = self._matrices[key]
            note = notes.get(key, "")
            if arr.shape != m.shape or note != m.note:
                self._configure(m, arr.shape, note)
            lv = levels[m.group]
            m.image.setImage(arr, levels=lv, autoLevels=False)
            m.values.set_values(None if note else arr, lv[1])
            self._arrays[key] = arr
        self._update_readout()

    def _label_bar(self, bar: pg.ColorBarItem, levels: tuple[float, float]):
        """Name ``levels`` at the ends of a colour bar (and 0 in the middle)."""
        v = levels[1]
        bar.values = bar.lo_prv, bar.hi_prv = levels   # what bar.levels() reports
        d = max(decimals_for(np.array([v])) - 1, 0)
        top, mid, bottom = bar._nnviz_labels
        for label, text in ((top, fmt(v, d)), (mid, "0"), (bottom, fmt(-v, d))):
            if label.text() != text:
                label.setText(text)
        self._place_bar_labels(bar)

    @staticmethod
    def _place_bar_labels(bar: pg.ColorBarItem):
        """Each label left of its tick mark's end, centred on it (as the axis places values)."""
        axis = bar.axis
        h = axis.geometry().height()
        x = max(0, axis.style["tickLength"]) + axis.style["tickTextOffset"][0]
        for label, at in zip(bar._nnviz_labels, (LABEL_AT, 0.0, -LABEL_AT)):
            y = (1.0 - (at + 1.0) / 2.0) * h
            label.setPos(x, y - label.boundingRect().height() / 2)

    def _configure(self, m: _Matrix, shape: tuple[int, int], note: str):
        """Title, names, range and column share of a matrix whose shape (or names) changed."""
        s = self.session
        net = s.network
        rows, cols = shape
        key = m.key
        k = m.column                      # dense layer index (0-based)
        several = len(net.dense) > 2
        in_names = list(s.model.features) if k == 0 else unit_names(net, k - 1)
        out_names = unit_names(net, k)
        if key.startswith("W"):
            m.name = f"W{sup(k + 1)}"
            m.row_names, m.col_names = in_names, out_names
        elif key.startswith("b"):
            m.name = f"b{sup(k + 1)}"
            m.row_names, m.col_names = ["1"], out_names
        elif key.startswith("dW"):
            m.name = f"∂E/∂W{sup(k + 1)}"
            m.row_names, m.col_names = in_names, out_names
        elif key == "yhat":
            m.name = "ŷ"
            m.row_names, m.col_names = [str(i + 1) for i in range(rows)], out_names
        else:
            m.name = f"H{sup(k + 1)}" if several else "H"
            m.row_names, m.col_names = [str(i + 1) for i in range(rows)], out_names
        m.shape, m.note = shape, note
        title = f"{m.name}  ({note})" if note else f"{m.name}  {rows}×{cols}"
        m.plot.setTitle(title, color=self._fg.name(), size=TITLE_SIZE)
        m.plot.getViewBox().setRange(xRange=(0, cols), yRange=(0, rows), padding=0)
        self._retick(m)
        self._align_left_axes(k)  # W⁽ᵏ⁾ and b⁽ᵏ⁾ (and the others of layer k) line up

    def _retick(self, m: _Matrix):
        """Label every row and column that has room (every 2nd, 3rd, … when cells are small)."""
        if m.shape is None:
            return
        rows, cols = m.shape
        vb = m.plot.getViewBox()
        cell_w = vb.width() / max(cols, 1)
        cell_h = vb.height() / max(rows, 1)
        widest = max((self._metrics.horizontalAdvance(n) for n in m.col_names), default=0.0)
        col_step = max(1, math.ceil((widest + 4) / max(cell_w, 1e-6)))
        row_step = max(1, math.ceil(self._metrics.height() / max(cell_h, 1e-6)))
        ticks = ([(j + 0.5, n) for j, n in enumerate(m.col_names) if j % col_step == 0],
                 [(i + 0.5, n) for i, n in enumerate(m.row_names) if i % row_step == 0])
        if m.key.startswith("b") or m.note:
            ticks = (ticks[0], [])
        if getattr(m, "ticks", None) != ticks:
            m.ticks = ticks
            m.plot.getAxis("top").setTicks([ticks[0]])
            m.plot.getAxis("left").setTicks([ticks[1]])

    def _align_left_axes(self, k: int):
        col = [m for m in self._matrices.values() if m.column == k and m.shape is not None]
        width = max((self._metrics.horizontalAdvance(n) for m in col if not m.key.startswith("b")
                     for n in m.row_names), default=0.0)
        for m in self._matrices.values():
            if m.column == k:
                m.plot.getAxis("left").setWidth(int(width) + 8)
                # A column of few units should not take the room of a wide one.
                m.plot.setMaximumWidth(max(int(width) + 8 + 64 * self.session.network.sizes[k + 1],
                                           130))

    # --- the value under the cursor ----------------------------------------------------
    def _on_mouse_moved(self, scene_pos):
        self._mouse = scene_pos
        self._update_readout()

    def _update_readout(self):
        text = ""
        pos = self._mouse
        if pos is not None:
            for key, m in self._matrices.items():
                vb = m.plot.getViewBox()
                if not vb.sceneBoundingRect().contains(pos) or m.note or m.shape is None:
                    continue
                p = vb.mapSceneToView(pos)
                i, j = int(math.floor(p.y())), int(math.floor(p.x()))
                arr = self._arrays.get(key)
                if arr is not None and 0 <= i < arr.shape[0] and 0 <= j < arr.shape[1]:
                    where = m.col_names[j] if key.startswith("b") else \
                        f"{m.row_names[i]}, {m.col_names[j]}"
                    text = f"{m.name}[{where}] = {float(arr[i, j]):.4g}"
                break
        self.readout.setText(text)
