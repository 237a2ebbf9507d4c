"""Live heatmaps of the matrices in the equations: W⁽ᵏ⁾, b⁽ᵏ⁾, the hidden activations H of the
last batch and the last step's gradients ∂E/∂W⁽ᵏ⁾.

Each matrix is drawn as it reads: row i from the top, column j left to right, one cell per
entry. Rows and columns are labelled with the feature names and the unit names (h1…hM), every
2nd, 3rd, … of them when the cells are too small for all; when the cells are large enough the
numbers are printed in them (light text on strong colours).

Layout (:mod:`ui.heatmap_layout`, plain numbers; matrices in :mod:`ui.heatmap_matrices`, texts
in :mod:`ui.heatmap_text`): per dense layer k, W⁽ᵏ⁾ with b⁽ᵏ⁾ right under it (same columns, as
in Z = X·W + b), the layer's activations on the batch (H⁽ᵏ⁾ for hidden layers, ŷ for the
output) and ∂E/∂W⁽ᵏ⁾; one colour bar per group. A tall panel stacks the groups, a wide one (a
bottom dock) puts them side by side. Colours are CET-D1 with symmetric levels ±max|·| taken
over the group (parameters W and b; activations; gradients), rounded up to two significant
digits, so cells of different matrices in a group compare directly and a 1×1 b⁽²⁾ does not
always show full colour.

Drawing: one widget (``HeatmapCanvas``) paints everything with QPainter. The layout
(:func:`~ui.heatmap_layout.heatmap_layout`) is computed when the size, the arrangement or a
matrix's shape or names change, not per frame, and what it alone decides (frames, names,
titles, the colour bars) is painted once into a background pixmap. An update copies every
matrix into one float64 buffer (the arrays shown: the cursor readout and
:meth:`HeatmapPanel.current_array` give the engine's exact numbers) and maps it through
``colors.LUT`` in one pass into the pixels of one small ARGB32 image per matrix (made when its
shape changes, rewritten in place), drawn scaled into its rectangle without smoothing. Texts
are laid out once (``QStaticText``; cell numbers recur from frame to frame).
"""
from __future__ import annotations

import math

import numpy as np
from PySide6.QtCore import QCoreApplication, QEvent, QLineF, QPointF, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFont, QImage, QPainter, QPalette, QPixmap
from PySide6.QtWidgets import (QCheckBox, QFrame, QHBoxLayout, QLabel, QScrollArea, QSizePolicy,
                               QVBoxLayout, QWidget)

from . import colors
from .heatmap_layout import (BAR_AXIS, GROUPS, act_key, bar_axis_width, heatmap_layout,
                             heatmap_min_width, min_height, wanted_mode)
from .heatmap_matrices import ColorBar, Matrix
from .heatmap_paint import HeatmapPainting
from .heatmap_text import CellValues, TextCache, nice_max
from .plot_base import HoverReadout, ShownGate

MIN_CANVAS_WIDTH = 120

TICK_FONT_PT = 8
CELL_FONT_PT = 7.5
TITLE_FONT_PT = 9

_ARGB = QImage.Format.Format_ARGB32_Premultiplied


class HeatmapCanvas(QWidget):
    """The panel's drawing area: paints every matrix and reports the mouse."""

    def __init__(self, panel: "HeatmapPanel"):
        super().__init__(panel)
        self._panel = panel
        self.setObjectName("heatmapView")
        self.setMouseTracking(True)
        self.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent)
        self.setMinimumSize(MIN_CANVAS_WIDTH, 80)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)

    def sizeHint(self) -> QSize:
        return QSize(640, 260)

    def paintEvent(self, ev):
        p = QPainter(self)
        self._panel._paint(p)
        p.end()

    def resizeEvent(self, ev):
        super().resizeEvent(ev)
        self._panel._layout_dirty = True

    def mouseMoveEvent(self, ev):
        self._panel._on_mouse_moved(ev.position())
        super().mouseMoveEvent(ev)

    def leaveEvent(self, ev):
        self._panel._on_mouse_moved(None)
        super().leaveEvent(ev)


class HeatmapPanel(HeatmapPainting, HoverReadout, QWidget):
    """Heatmaps of every dense layer's W and b, the batch's activations and ∂E/∂W.

    Public: ``images`` (dict key → the matrix shown: ``.image`` the float64 array, ``.levels``
    (low, high); keys "W1", "b1", "W2", "b2", …; "H" (act[0].a, B×M; "H2", … with several
    hidden layers) and "yhat" (the batch's outputs, B×1); "dW1", "dW2", …),
    :meth:`current_array`, ``colorbars`` (group "params", "act", "grads" → an object whose
    ``levels()`` is (low, high)), ``valuesCheck`` (numbers in the cells), ``readout`` (value
    under the cursor), ``mode`` and, for a matrix's geometry in ``view`` coordinates,
    :meth:`image_rect`, :meth:`cell_center`, :meth:`colorbar_rect`, :meth:`labels` and
    :meth:`cell_texts`.
    """

    def __init__(self, session, parent=None):
        super().__init__(parent)
        self.setObjectName("heatmapPanel")
        # Opaque: a repaint of the panel does not paint the dock and window beneath it first.
        self.setAutoFillBackground(True)
        self.session = session
        pal = QPalette()
        self._bg = pal.color(QPalette.ColorRole.Base)
        self._fg = pal.color(QPalette.ColorRole.Text)
        self._light = QColor("white")
        self._axis_color = QColor(self._fg.red(), self._fg.green(), self._fg.blue(), 60)
        tick_font = QFont(self.font())
        tick_font.setPointSizeF(TICK_FONT_PT)
        title_font = QFont(self.font())
        title_font.setPointSizeF(TITLE_FONT_PT)
        cell_font = QFont(self.font())
        cell_font.setPointSizeF(CELL_FONT_PT)
        self._labels = TextCache(tick_font)     # row and column names, colour-bar levels
        self._titles = TextCache(title_font)
        self._values = CellValues(cell_font)
        self._label_metrics = self._labels.layout_metrics()
        self._title_metrics = self._titles.layout_metrics()
        self._geom = None                    # the last HeatmapLayout
        # The colour bars' gradient: the whole table, +max at the top.
        self._bar_pixels = colors.LUT32[::-1].reshape(-1, 1).copy()
        self._bar_image = QImage(self._bar_pixels.data, 1, len(colors.LUT32), 4, _ARGB)

        self.images: dict[str, Matrix] = {}
        self.colorbars: dict[str, ColorBar] = {}
        self._matrices = self.images
        self._arrays: dict[str, np.ndarray] = {}
        self._levels: dict[str, tuple[float, float]] = {}
        self._built_for: int | None = None  # number of dense layers the matrices were made for
        self._shapes: tuple | None = None    # the matrices' shapes (and notes) the buffers fit
        self._notes: dict[str, str] = {}
        self._mode: str | None = None        # "tall" or "wide": how the groups are placed
        self._layout_dirty = True
        self._bar_axis = float(BAR_AXIS)     # room right of each colour bar (its widest label)
        self._lines: list[QLineF] = []       # the faint frames round the images
        self._bar_lines: list[QLineF] = []   # colour-bar axes and ticks
        self._texts: list = []               # (top-left, QStaticText) in the label font
        self._title_texts: list = []         # (top-left, QStaticText) in the title font
        self._background: QPixmap | None = None   # what changes only with the layout
        self._mouse: QPointF | None = None
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
        self._header = header
        self.view = HeatmapCanvas(self)
        # Sideways scrolling only when a deep network's columns do not fit at their smallest.
        self.scroll = QScrollArea(self)
        self.scroll.setObjectName("heatmapScroll")
        self.scroll.setFrameShape(QFrame.Shape.NoFrame)
        self.scroll.setWidgetResizable(True)
        self.scroll.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.scroll.setWidget(self.view)
        top.addWidget(self.scroll, 1)

        self.valuesCheck.toggled.connect(self._on_values_toggled)
        session.structureChanged.connect(self._on_structure_changed)
        session.paramsChanged.connect(self._on_params_changed)
        self._on_structure_changed()

    # --- public ------------------------------------------------------------------------
    @property
    def mode(self) -> str | None:
        """``"tall"`` (groups stacked) or ``"wide"`` (groups side by side, a bottom dock)."""
        return self._mode

    def current_array(self, key: str) -> np.ndarray:
        """The array ``images[key]`` shows (a float64 copy of the engine's)."""
        if self._gate.stale:
            self._update()
        return self._arrays[key]

    def image_rect(self, key: str) -> QRectF:
        """Where matrix ``key`` is drawn, in ``view`` coordinates."""
        self._ensure_layout()
        return QRectF(self._matrices[key].rect)

    def cell_center(self, key: str, i: int, j: int) -> QPointF:
        """The centre of cell (i, j) of matrix ``key``, in ``view`` coordinates."""
        m = self._matrices[key]
        r = self.image_rect(key)
        rows, cols = m.shape
        return QPointF(r.left() + (j + 0.5) * r.width() / cols,
                       r.top() + (i + 0.5) * r.height() / rows)

    def colorbar_rect(self, group: str) -> QRectF:
        """Where the colour bar of ``group`` is drawn, in ``view`` coordinates."""
        self._ensure_layout()
        return QRectF(self.colorbars[group].rect)

    def labels(self, key: str) -> tuple[list[str], list[str]]:
        """(column labels, row labels) shown on matrix ``key`` (thinned when cells are small)."""
        self._ensure_layout()
        m = self._matrices[key]
        return list(m.col_labels), list(m.row_labels)

    def cell_texts(self, key: str) -> list[list[str]] | None:
        """The numbers printed in matrix ``key``'s cells, row by row (None: none printed)."""
        self._ensure_layout()
        m = self._matrices[key]
        numbers = self._numbers(m)
        if numbers is None:
            return None
        cols = m.shape[1]
        texts = [st.text() for _, _, st, _ in numbers]
        return [texts[i:i + cols] for i in range(0, len(texts), cols)]

    # --- building (once per number of layers) ------------------------------------------
    def _on_structure_changed(self):
        n_dense = self.session.network.n_layers
        if n_dense != self._built_for:
            self._build(n_dense)
        for m in self._matrices.values():
            m.shape = None  # names may have changed (features, units): relabel on the update
        self._shapes = None
        self._layout_dirty = True
        self._bar_axis = float(BAR_AXIS)     # (measured again from this run's levels)
        self._update()
        self._settle_layout()

    def _settle_layout(self):
        """Lay out now, not in the next paint: when the canvas needs a new minimum width (a
        deeper net scrolls sideways), the scroll area resizes it before it paints, and one
        paint shows the new network instead of one at the old width and one after."""
        if self._built_for is None or any(m.shape is None for m in self._matrices.values()):
            return
        self._mode = self._wanted_mode()    # the shapes set the least height for stacking
        need = max(MIN_CANVAS_WIDTH, math.ceil(heatmap_min_width(
            self._mode, self._built_for, self.session.network.sizes, self._matrices,
            labels=self._label_metrics, titles=self._title_metrics, bar_axis=self._bar_axis)))
        if need != self.view.minimumWidth():
            self.view.setMinimumWidth(need)      # wider than the dock: the panel scrolls
            QCoreApplication.sendPostedEvents(None, QEvent.Type.LayoutRequest)   # resized now
        self._ensure_layout()

    def _build(self, n_dense: int):
        """The matrices and colour bars for this many layers."""
        self._matrices.clear()
        self.colorbars.clear()
        self._arrays.clear()
        self._levels.clear()
        for k in range(n_dense):
            self._add(f"W{k + 1}", "params", k)
            self._add(f"b{k + 1}", "params", k)
            self._add(act_key(k, n_dense), "act", k)
            self._add(f"dW{k + 1}", "grads", k)
        for group in GROUPS:
            self.colorbars[group] = ColorBar(group)
        self._group_keys = {g: [key for key, m in self._matrices.items() if m.group == g]
                            for g in GROUPS}
        self._act_keys = [act_key(k, n_dense) for k in range(n_dense)]
        # The order _update gathers the engine's arrays in.
        self._source_keys = [key for k in range(n_dense)
                             for key in (f"W{k + 1}", f"b{k + 1}", f"dW{k + 1}")]
        self._source_keys += self._act_keys
        self._shapes = None
        self._built_for = n_dense
        self._mode = self._wanted_mode()
        self._layout_dirty = True

    def _add(self, key, group, column):
        self._matrices[key] = Matrix(key, group, column)

    # --- placing: a tall panel stacks the groups, a wide one puts them side by side -------
    def resizeEvent(self, ev):
        super().resizeEvent(ev)
        mode = self._wanted_mode() if self._built_for is not None else self._mode
        if mode != self._mode:
            self._mode = mode
            self._layout_dirty = True
            self.view.update()

    def _wanted_mode(self) -> str:
        """Side by side in a wide panel, and in one too low for the stacked groups to fit
        (their least height, once the matrices' shapes are known, and the row above them)."""
        tall = 0.0
        if self._matrices and all(m.shape is not None for m in self._matrices.values()):
            tall = min_height("tall", self._built_for, self._matrices,
                              labels=self._label_metrics, titles=self._title_metrics)
            tall += self._header.sizeHint().height()
        return wanted_mode(self.width(), self.height(), tall)

    def _ensure_layout(self):
        if self._layout_dirty:
            self._layout()

    def _layout(self):
        """Every rectangle, label and title for the view's size (not per frame): see
        :func:`~ui.heatmap_layout.heatmap_layout`; kept as what the painting needs."""
        self._layout_dirty = False
        if self._built_for is None or any(m.shape is None for m in self._matrices.values()):
            self._layout_dirty = True
            return
        g = self._geom = heatmap_layout(
            self._mode, self._built_for, self.session.network.sizes, self._matrices,
            self.view.width(), self.view.height(), labels=self._label_metrics,
            titles=self._title_metrics, bar_axis=self._bar_axis)
        need = max(MIN_CANVAS_WIDTH, math.ceil(g.min_width))
        if need != self.view.minimumWidth():
            self.view.setMinimumWidth(need)      # wider than the dock: the panel scrolls
        for key, place in g.matrices.items():
            m = self._matrices[key]
            m.rect = QRectF(*place.rect)
            m.col_labels, m.row_labels = place.col_labels, place.row_labels
            m.grid = self._values.grid(m.rect, m.shape)
            m.numbers = None
        for group, place in g.bars.items():
            bar = self.colorbars[group]
            bar.box, bar.rect, bar.placed = place.rect, QRectF(*place.rect), None
        self._lines = [QLineF(*line) for line in g.frame_lines()]
        self._bar_lines = [QLineF(*line) for line in g.bar_lines()]
        self._texts = [(QPointF(x, y), self._labels(t)) for x, y, t in g.label_texts()]
        self._title_texts = [(QPointF(x, y), self._titles(t)) for x, y, t in g.title_texts()]
        self._background = None

    # --- updating ----------------------------------------------------------------------
    def _on_params_changed(self):
        if self._gate.skip():   # behind another dock tab: updated when shown
            return
        self._update()

    def _on_values_toggled(self, on: bool):
        self.view.update()

    def _update(self):
        self._gate.stale = False
        net = self.session.network
        sources: list[np.ndarray] = []
        notes: dict[str, str] = {}
        for k, d in enumerate(net.dense):
            sources += [d.W, d.b.reshape(1, -1), d.dW]
        batch = self.session.trainer.last_activations()
        for k, key in enumerate(self._act_keys):
            a = None if batch is None else batch[k]
            if a is None or a.ndim != 2 or a.shape[1] != net.sizes[k + 1]:
                sources.append(np.zeros((1, net.sizes[k + 1])))
                notes[key] = "no batch"
            else:
                sources.append(a)
        shapes = tuple(a.shape for a in sources)
        if shapes != self._shapes or notes != self._notes:
            self._reshape(shapes, notes)
        # One float64 copy of every matrix, group after group: each matrix is a view of it, and
        # the groups' levels and all colours take one pass over it.
        buf = np.empty(self._size)
        arrays = {}
        for key, src, (start, end), shape in zip(self._source_keys, sources, self._slices, shapes):
            a = arrays[key] = buf[start:end].reshape(shape)
            a[...] = src
        starts = self._group_starts
        his = np.maximum.reduceat(buf, starts).tolist()
        los = np.minimum.reduceat(buf, starts).tolist()
        finite = True
        tops = []
        relabelled = False
        for group, hi, lo in zip(GROUPS, his, los):
            m = max(hi, -lo)
            if not math.isfinite(m):      # NaN or ±inf: levels as colors.symmetric_levels
                finite = False
                g0, g1 = self._group_slices[len(tops)]
                m = colors.symmetric_levels(buf[g0:g1])[1]
            top = nice_max(m)
            tops.append(top)
            levels = (-top, top)
            if self._levels.get(group) != levels:
                self._levels[group] = levels
                self.colorbars[group].set_levels(levels)
                relabelled = True
            for key in self._group_keys[group]:
                mat = self._matrices[key]
                mat.image, mat.levels, mat.numbers = arrays[key], levels, None
        counts = self._group_counts
        n = len(colors.LUT32)
        scale = [n / 2 / t for t in tops]      # (n / (2t): 2t overflows for t near float64's max)
        colors.argb_pixels(buf, np.repeat([-t for t in tops], counts), None, out=self._pixels,
                           finite=finite, scale=np.repeat(scale, counts))
        self._arrays = arrays
        if relabelled:
            self._fit_bar_labels()
        self.view.update()
        self._update_readout()

    def _fit_bar_labels(self):
        """Widen the room right of the colour bars when a level label needs more (a new layout,
        once: the room only grows, until the next change of network or data)."""
        need = bar_axis_width([t for bar in self.colorbars.values() for t in bar.labels],
                              self._label_metrics)
        if need > self._bar_axis:
            self._bar_axis = need
            self._layout_dirty = True

    def _reshape(self, shapes: tuple, notes: dict[str, str]):
        """Where each matrix sits in the update's buffer, its pixels and image (made when a
        shape or note changes, not per frame), and its title and names."""
        self._shapes, self._notes = shapes, notes
        where = dict(zip(self._source_keys, shapes))
        offset = {}
        start = 0
        self._group_slices = []
        for group in GROUPS:
            g0 = start
            for key in self._group_keys[group]:
                rows, cols = where[key]
                offset[key] = start
                start += rows * cols
            self._group_slices.append((g0, start))
        self._size = start
        self._group_starts = [g0 for g0, _ in self._group_slices]
        self._group_counts = [g1 - g0 for g0, g1 in self._group_slices]
        self._slices = [(offset[key], offset[key] + r * c)
                        for key, (r, c) in zip(self._source_keys, shapes)]
        self._pixels = np.zeros(start, dtype=np.uint32)
        for key, (rows, cols) in where.items():
            m = self._matrices[key]
            o = offset[key]
            m._pixels = self._pixels[o:o + rows * cols].reshape(rows, cols)
            m.qimage = QImage(m._pixels.data, cols, rows, 4 * cols, _ARGB)
            note = notes.get(key, "")
            if (rows, cols) != m.shape or note != m.note:   # new title and names
                m.configure(self.session.network, self.session.model.features, (rows, cols), note)
                self._layout_dirty = True

    # --- the value under the cursor ----------------------------------------------------
    def _on_mouse_moved(self, pos):
        self._mouse = pos
        self._update_readout()

    def _hit(self, pos) -> tuple[Matrix, int, int] | None:
        """The matrix and cell (i, j) under ``pos`` (``view`` coordinates), if any."""
        self._ensure_layout()
        if self._layout_dirty:
            return None
        for m in self._matrices.values():
            r = m.rect
            if m.shape is None or not r.contains(pos):
                continue
            rows, cols = m.shape
            i = int((pos.y() - r.top()) * rows / r.height())
            j = int((pos.x() - r.left()) * cols / r.width())
            if 0 <= i < rows and 0 <= j < cols:
                return m, i, j
        return None

    def _update_readout(self):
        text = ""
        if self._mouse is not None:
            hit = self._hit(self._mouse)
            if hit is not None and not hit[0].note:
                m, i, j = hit
                arr = self._arrays.get(m.key)
                if arr is not None and arr.shape == m.shape:
                    where = m.col_names[j] if m.key.startswith("b") else \
                        f"{m.row_names[i]}, {m.col_names[j]}"
                    v = float(arr[i, j])
                    text = f"{m.name}[{where}] = {v:.4g}"
                    ts = self.session.model.target_scaler
                    if m.key == "yhat" and ts is not None:    # what the Output plot shows
                        text += f" (standardized; ŷ·σ_y + μ_y = {v * ts.std[j] + ts.mean[j]:.4g})"
        self.readout.setText(text)
