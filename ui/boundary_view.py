"""The decision boundary: the model's output over the plane of its first two inputs, with the data.

One :class:`~pyqtgraph.ImageItem` (res×res float32, row-major: row i is y = ys[i], column j is
x = xs[j]) placed with ``setRect`` over the grid's extent, two scatter items (training points
filled, test points outlined) and one colour bar, all created once. Each ``paramsChanged`` costs
one ``setImage`` of the session's cached grid pass; the points change only with the structure.

What the image shows
- classification: p = P(class 1) drawn at 2p − 1 on the diverging colormap, levels (−1, 1), so
  p = 0.5 is white; "Discretize output" draws p > 0.5 as +1 and the rest as −1;
- regression: ŷ with levels ±max|y| of the targets (targets all of one sign: centred on the
  middle of their range, so all-positive targets still span the colormap);
- K classes (three or more): the class the network picks, in its colour, lighter where it is
  less sure (``ui.classes``); the colour bar is the key;
- while the network canvas hovers a unit (``session.unitHovered(k, j)``): that unit's own map,
  ``grid_outputs()[k][:, :, j]`` (tanh: levels (−1, 1); sigmoid: 2a − 1 like the output; other
  activations ±max|a|), or for k = −2 the scaled input feature j. (−1, −1) returns to the output.

The colormap is CET-D1 mixed a little toward the background so the points read on top.
"""
from __future__ import annotations

import math

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QAction, QColor, QFontMetricsF

from nnviz.core.stages import Symbols

from . import classes, colors
from .paint_cache import ArgbImageItem, cache_pixmaps, cache_plot_frame, set_axis_label, settle_now
from .boundary_controls import PlotControls
from .plot_base import ElidedTitle, HeaderPlotWidget
from .points_item import PointsItem

LIGHTEN = 0.45          # how far the background image is mixed toward the background colour
POINT_SIZE = 7
MAX_POINTS = 5000       # a bigger table shows a fixed sample of its rows (drawing stays fast)
BAR_AXIS_WIDTH = 44     # px: the colour bar's axis (its values' labels)
KEY_MAX_WIDTH = 110     # px: … at most (K classes' names)


def _lightened_cmap(background: QColor, amount: float) -> pg.ColorMap:
    bg = np.array([background.red(), background.green(), background.blue()], dtype=float)
    lut = colors.LUT.astype(float) * (1 - amount) + bg * amount
    return pg.ColorMap(np.linspace(0.0, 1.0, len(lut)), np.round(lut).astype(np.uint8))


def _bar_ticks(levels, probability: bool):
    """Colour-bar ticks: p = 0, 0.5, 1 for a probability drawn at 2p − 1, else five values."""
    lo, hi = levels
    e = (hi - lo) * 1e-6  # just inside the range, or the axis drops the end labels
    if probability:
        return [[(lo + e, "0"), (0.0, "0.5"), (hi - e, "1")]]
    vals = np.linspace(lo, hi, 5)
    step = abs(vals[1] - vals[0])
    decimals = max(0, min(4, 1 - int(np.floor(np.log10(step))))) if step > 0 else 1
    pos = [lo + e, vals[1], vals[2], vals[3], hi - e]
    text = [f"{v:.{decimals}f}".replace("-", "−") for v in vals]
    text[2] = "0" if abs(vals[2]) < step * 1e-9 else text[2]
    return [list(zip(pos, text))]


def _target_scale(y) -> tuple[float, float]:
    """(centre, half-width) of the regression colour scale: 0 and max|y| when the targets
    straddle 0, else the middle of their range (all-positive prices stay readable)."""
    lo, hi = float(np.min(y)), float(np.max(y))
    if lo < 0 < hi or not (np.isfinite(lo) and np.isfinite(hi)):
        return 0.0, colors.symmetric_levels(y)[1]
    mid = 0.5 * (lo + hi)
    return mid, max(0.5 * (hi - lo), 1e-12)


TEST_TIP = "Show the test rows (rings): held out of training, they show how the model generalises."
NO_TEST_TIP = "No test rows: the test ratio is 0 (Data panel), so every row trains."


class BoundaryPlot(PlotControls, HeaderPlotWidget):
    """The model's output over the input plane, with training (filled) and test (outlined) points.

    Public: ``image_item``, ``train_scatter``, ``test_scatter``, ``colorbar``, ``showTestAction``,
    ``discretizeAction`` and :meth:`current_image` (the array last passed to ``setImage``).
    """

    def __init__(self, session, parent=None):
        super().__init__("boundary", parent, readout_stretch=3, gap=True)
        self.session = session
        self._hover = (-1, -1)
        self._frame = None   # (grid extent, resolution, one input, axis names) laid out for
        self._points = None  # (dataset, axes, task, training rows) the points show
        self._current: np.ndarray | None = None   # what the image shows (after 2p−1 etc.)
        self._source: np.ndarray | None = None    # the engine's values at each pixel (p, a, …)
        self._source_name = "p"
        self._levels = (-1.0, 1.0)
        self._mouse: tuple[float, float] | None = None
        self._pending_rect: QRectF | None = None
        self._bar_prob = None

        # --- toggles in the header row above the plot, left of the readout ----------------
        self.showTestAction = QAction("Show test data", self, checkable=True, checked=True)
        self.discretizeAction = QAction("Discretize output", self, checkable=True, checked=False)
        self.discretizeAction.setToolTip("Colour the plane by the class the network picks (p > 0.5 "
                                         "or not) instead of by its probability")
        self._test_box = self.add_header_toggle(self.showTestAction)
        self.add_header_toggle(self.discretizeAction)
        self._make_axis_controls()

        # --- items, created once ---------------------------------------------------------
        plot = self.getPlotItem()
        plot.setMenuEnabled(False)
        plot.hideButtons()
        vb = plot.getViewBox()
        vb.setMouseEnabled(False, False)
        vb.setDefaultPadding(0.0)
        for name in ("left", "bottom"):
            axis = plot.getAxis(name)
            axis.setPen(pg.mkPen(self._fg, width=1))
            axis.setTextPen(pg.mkPen(self._fg))
            # The ticks in the input's own numbers, as the readout and the table give them: an
            # input from 0 to 0.3 read 0 to 300 with "(x0.001)" after its name.
            axis.enableAutoSIPrefix(False)
        self._cmap = _lightened_cmap(self._bg, LIGHTEN)
        self.image_item = ArgbImageItem(axisOrder="row-major")
        self.image_item.setColorMap(self._cmap)
        self.image_item.setZValue(-10)
        plot.addItem(self.image_item)
        self.train_scatter = PointsItem(POINT_SIZE)
        self.test_scatter = PointsItem(POINT_SIZE)
        self.train_scatter.setZValue(10)
        self.test_scatter.setZValue(11)
        plot.addItem(self.train_scatter)
        plot.addItem(self.test_scatter)
        self.curve = pg.PlotDataItem(pen=pg.mkPen(self._fg, width=2.5), name="prediction")
        self.curve.setZValue(12)
        self.curve.setVisible(False)
        plot.addItem(self.curve)
        self.colorbar = pg.ColorBarItem(values=(-1, 1), colorMap=self._cmap, width=12,
                                        interactive=False, colorMapMenu=False)
        self.colorbar.axis.setTextPen(pg.mkPen(self._fg))
        self.colorbar.axis.setWidth(BAR_AXIS_WIDTH)
        plot.layout.addItem(self.colorbar, 2, 5)
        plot.layout.setColumnFixedWidth(4, 6)
        # While training plays only the image changes: the points, axes and colour bar over and
        # around it are painted from pixmaps.
        cache_plot_frame(plot)
        self.title = ElidedTitle(plot, self._fg.name())
        cache_pixmaps(self.train_scatter, self.test_scatter, self.colorbar.axis, self.colorbar.bar)

        self.showTestAction.toggled.connect(self._on_show_test)
        self.discretizeAction.toggled.connect(self._on_discretize)
        self.scene().sigMouseMoved.connect(self._on_mouse_moved)
        session.structureChanged.connect(self._on_structure_changed)
        session.paramsChanged.connect(self._on_params_changed)
        session.unitHovered.connect(self._on_unit_hovered)
        session.axesChanged.connect(self._on_structure_changed)
        self.scene().sigMouseClicked.connect(self._on_click)
        self._on_structure_changed()

    # --- public ------------------------------------------------------------------------
    def current_image(self) -> np.ndarray:
        """The array last passed to ``image_item.setImage`` (res×res float32)."""
        return self._current

    # --- session signals ---------------------------------------------------------------
    def _on_structure_changed(self):
        s = self.session
        self._hover = (-1, -1)
        inputs = s.model.inputs
        self._one_input = len(inputs) == 1
        ax = s.plot_axes()
        self._names = (inputs[ax[0]], inputs[ax[1]] if len(inputs) > 1 else s.dataset.target)
        self._sync_axis_controls()
        # What stands from the last change is not done again: the same plane (another
        # activation, unit count or feature) keeps the labels and range; the same rows, split,
        # axes and task keep the points. Only the image changes every time.
        g = s.grid()
        frame = (g.xlim, g.ylim, g.resolution, self._one_input, self._names)
        points = (s.dataset, (tuple(ax), s.task, self._names, self._one_input),
                  (s.exp.train_idx, s.exp.test_idx))
        changed = False
        if frame != self._frame:
            self._frame = frame
            plot = self.getPlotItem()
            set_axis_label(plot, "bottom", self._names[0], self._fg.name())
            set_axis_label(plot, "left", self._names[1], self._fg.name())
            self._place_image()
            changed = True
        last = self._points
        if (last is None or points[0] is not last[0] or points[1] != last[1]
                or not all(np.array_equal(a, b) for a, b in zip(points[2], last[2]))):
            self._points = points
            self._set_points()
            changed = True
        self._refresh()                      # (its title, before the layout settles)
        if changed:
            settle_now(self.getPlotItem())   # one paint shows the new scene

    def _on_params_changed(self):
        self._refresh()

    def _on_unit_hovered(self, k: int, j: int):
        self._hover = (int(k), int(j))
        self._refresh()

    def _on_show_test(self, checked: bool):
        self.test_scatter.setVisible(checked)

    def _on_discretize(self, _checked: bool):
        self._refresh()

    # --- drawing -----------------------------------------------------------------------
    def _place_image(self):
        s = self.session
        if self._one_input:
            # One input: a line of the prediction over x with the data as points.
            self.image_item.setVisible(False)
            self.curve.setVisible(True)
            g = s.grid()
            self._extent = (g.xlim[0], g.xlim[1], g.ylim[0], g.ylim[1])
        else:
            g = s.grid()
            dx = (g.xlim[1] - g.xlim[0]) / max(g.resolution - 1, 1)
            dy = (g.ylim[1] - g.ylim[0]) / max(g.resolution - 1, 1)
            # Pixel centres sit on the grid's sample points.
            rect = QRectF(g.xlim[0] - dx / 2, g.ylim[0] - dy / 2,
                          g.resolution * dx, g.resolution * dy)
            self._pending_rect = rect  # applied with the next setImage (needs the image's shape)
            self.image_item.setVisible(True)
            self.curve.setVisible(False)
            self._extent = (rect.left(), rect.right(), rect.top(), rect.bottom())
        x0, x1, y0, y1 = self._extent
        # The grid fills the view (no aspect lock: a short dock would shrink it to a stamp).
        self.getPlotItem().getViewBox().setRange(xRange=(x0, x1), yRange=(y0, y1), padding=0)

    def _set_points(self):
        s = self.session
        X = s.dataset.X
        y = s.dataset.y
        if self._one_input:
            pts = np.column_stack([X[:, 0], y])
        else:
            pts = X[:, list(s.plot_axes())]
        classification = s.task == "classification"
        outline = QColor(self._bg)
        outline.setAlpha(230)
        # A colour code per point and the colour of each code: the class (one sigmoid output:
        # blue 0, red 1), or a regression target's row of the colour scale.
        if classification and (s.dataset.n_classes or 2) > 2:
            codes = np.asarray(y, dtype=np.intp)
            palette = [classes.class_color(k) for k in range(int(codes.max(initial=0)) + 1)]
        elif classification:
            codes = (np.asarray(y) > 0.5).astype(np.intp)
            palette = [colors.CLASS0, colors.CLASS1]
        else:
            mid, vmax = _target_scale(y)
            codes = colors.lut_index(np.asarray(y, dtype=np.float64) - mid, vmax).astype(np.intp)
            palette = colors.qcolors()

        tr, te = s.exp.train_idx, s.exp.test_idx
        self._test_box.setEnabled(len(te) > 0)
        self._test_box.setToolTip(TEST_TIP if len(te) else NO_TEST_TIP)
        n = len(tr) + len(te)
        self._sample_note = ""
        if n > MAX_POINTS:   # the split is shuffled, so its first rows are a random sample
            k = max(1, round(MAX_POINTS * len(tr) / n))
            tr, te = tr[:k], te[:MAX_POINTS - k]
            self._sample_note = f" ({MAX_POINTS:,} of {n:,} points)"
        if not classification:  # targets near 0 are near-white: a faint dark ring instead
            outline = QColor(self._fg)
            outline.setAlpha(110)
        pen = pg.mkPen(outline, width=1.0)
        hollow = pg.mkBrush(None)
        for item, idx, style in (
                (self.train_scatter, tr, lambda c: (pen, pg.mkBrush(c))),
                (self.test_scatter, te, lambda c: (pg.mkPen(c.darker(135), width=1.8), hollow))):
            used, local = np.unique(codes[idx], return_inverse=True)
            item.set_points(pts[idx, 0], pts[idx, 1], local.reshape(-1),
                            [style(palette[c]) for c in used])
        self.test_scatter.setVisible(self.showTestAction.isChecked())

    def _refresh(self):
        """Draw what the state asks for: the output, or the hovered unit's/feature's map."""
        s = self.session
        if self._one_input:
            g = s.grid()
            out = s.grid_outputs()[-1][0]            # (res, output units) along x
            if s.network.n_outputs > 1:   # K classes: the class picked, on the targets' 0…K−1
                yhat = out.argmax(axis=1).astype(np.float64)
                what = "Predicted class"
            else:
                yhat = np.array(out[:, 0], dtype=np.float64)
                what = "P(class 1)" if s.task == "classification" else "ŷ"
            self.curve.setData(g.xs, yhat)
            self._current = None
            self._source = None
            self._line = (g.xs, yhat)
            self._set_title(f"{what} and {s.dataset.target} over {self._names[0]}")
            levels, kind = self._output_bar()    # (the points' key, as in the plane)
            if levels != self._levels or kind != self._bar_prob:
                self._set_colorbar(levels, kind)
            self._update_readout()
            return
        outs = s.grid_outputs()
        k, j = self._hover
        net = s.network
        cls = s.task == "classification"
        colorbar_prob = False
        if k == -2 and 0 <= j < len(s.model.features):
            res = s.grid().resolution
            src = s.grid().features[:, j].reshape(res, res)
            img = np.array(src, dtype=np.float32)  # a copy: setImage keeps a view
            levels = colors.symmetric_levels(img)
            name = f"{s.model.features[j]} (scaled)"
            title = f"{name} over {self._axes_text()}"
        elif 0 <= k < net.n_layers - 1 and 0 <= j < net.sizes[k + 1]:
            src = outs[k][:, :, j]
            act = net.activations[k]
            name = Symbols(net.n_layers).unit(k, j)      # a hidden unit: h3, h2.3
            if act == "tanh":
                img, levels = np.array(src, dtype=np.float32), (-1.0, 1.0)
            elif act == "sigmoid":
                img, levels = (2.0 * src - 1.0).astype(np.float32), (-1.0, 1.0)
            else:
                img = np.array(src, dtype=np.float32)
                levels = colors.symmetric_levels(img)
            title = f"{name}: {act}(z) over {self._axes_text()}"
        elif net.n_outputs > 1:      # K classes: the winner's colour, lighter where unsure
            src = outs[-1]
            P = np.asarray(src, dtype=np.float64)
            img = classes.class_pixels(P, self._bg.getRgb(), LIGHTEN,
                                       self.discretizeAction.isChecked())
            levels, colorbar_prob = self._output_bar()
            name = "class"
            title = f"Predicted class over {self._axes_text()}"
        else:
            src = outs[-1][:, :, 0]
            name = "p" if cls else "ŷ"
            if cls:
                if self.discretizeAction.isChecked():
                    img = np.where(src > 0.5, np.float32(1.0), np.float32(-1.0))
                else:
                    img = (2.0 * src - 1.0).astype(np.float32)
                levels, colorbar_prob = self._output_bar()
                names = s.dataset.class_names
                title = f"P({names[1] if names else 'class 1'}) over {self._axes_text()}"
            else:
                img = np.array(src, dtype=np.float32)
                levels, colorbar_prob = self._output_bar()
                title = f"ŷ over {self._axes_text()}"
        if img.ndim == 3:            # RGB: the class picture; the array kept is the winners
            self._current = np.asarray(src).argmax(axis=-1).astype(np.float32)
        else:
            img = np.ascontiguousarray(img, dtype=np.float32)
            self._current = img
        self._source = src
        self._source_name = name
        if self._pending_rect is not None:
            self.image_item.setImage(img, levels=levels, autoLevels=False, rect=self._pending_rect)
            self._pending_rect = None
        else:
            self.image_item.setImage(img, levels=levels, autoLevels=False)
        if levels != self._levels or colorbar_prob != self._bar_prob:
            self._set_colorbar(levels, colorbar_prob)
        self._set_title(title)
        self._update_readout()

    def _output_bar(self):
        """(levels, kind) of the colour bar for the network's output, the key of the points too:
        the class key (K outputs), a probability, or the target's scale."""
        s = self.session
        if s.network.n_outputs > 1:
            return None, ("classes", tuple(s.model.classes or range(s.network.n_outputs)))
        if s.task == "classification":
            return (-1.0, 1.0), True
        mid, r = _target_scale(s.dataset.y)
        return (mid - r, mid + r), False

    def _set_colorbar(self, levels, kind):
        """The colour bar's scale: a probability or a value (the diverging map), or with K
        classes the key (a band per class, named)."""
        was_classes = isinstance(self._bar_prob, tuple)
        self._levels, self._bar_prob = levels, kind
        if isinstance(kind, tuple):
            names = kind[1]
            self.colorbar.setColorMap(classes.class_colormap(len(names), self._bg.getRgb(), LIGHTEN))
            self.colorbar.setLevels((0.0, float(len(names))), update_items=False)
            self._set_bar_ticks(classes.class_ticks(names))
            return
        if was_classes:
            self.colorbar.setColorMap(self._cmap)
        self.colorbar.setLevels(levels, update_items=False)
        self._set_bar_ticks(_bar_ticks(levels, kind))

    def _set_bar_ticks(self, ticks):
        """The colour bar's labels, the axis as wide as the widest needs (at least
        BAR_AXIS_WIDTH, at most KEY_MAX_WIDTH, a longer label elided to that). pyqtgraph leaves
        out every label that would stick out of its axis: a fixed 44 px named no iris class
        ("setosa" needs 47) and no end of a target up to 500,000."""
        axis = self.colorbar.axis
        fm = QFontMetricsF(axis.font())
        pad = max(0, axis.style["tickLength"]) + axis.style["tickTextOffset"][0] + 3
        ticks = [[(v, fm.elidedText(str(t), Qt.TextElideMode.ElideRight, KEY_MAX_WIDTH - pad))
                  for v, t in level] for level in ticks]
        widest = max((fm.horizontalAdvance(t) for level in ticks for _, t in level), default=0.0)
        width = max(BAR_AXIS_WIDTH, math.ceil(widest + pad))
        if width != axis.fixedWidth:      # (a hovered unit's levels change every frame)
            axis.setWidth(width)
        axis.setTicks(ticks)

    def _axes_text(self) -> str:
        return f"({self._names[0]}, {self._names[1]})"

    def _set_title(self, title: str):
        self.title.set(title + getattr(self, "_sample_note", ""))

    # --- the value under the cursor ----------------------------------------------------
    def _on_mouse_moved(self, scene_pos):
        vb = self.getPlotItem().getViewBox()
        if not vb.sceneBoundingRect().contains(scene_pos):
            self._mouse = None
        else:
            p = vb.mapSceneToView(scene_pos)
            self._mouse = (p.x(), p.y())
        self._update_readout()

    def _update_readout(self):
        """What is under the cursor: the value shown there first (an elided readout keeps it),
        then where, on the axes' inputs as labelled: "p = 0.827 at (0.5, -1.2)"."""
        if self._mouse is None:
            self.readout.setText("")
            return
        x, y = self._mouse
        where = f"({x:.3g}, {y:.3g})"
        value = ""
        if self._one_input and getattr(self, "_line", None) is not None:
            xs, yhat = self._line
            if xs[0] <= x <= xs[-1] and self.session.network.n_outputs > 1:
                k = int(yhat[int(np.abs(xs - x).argmin())])
                names = self.session.model.classes or list(range(self.session.network.n_outputs))
                value = f"class {names[k]}"
            elif xs[0] <= x <= xs[-1]:
                value = f"ŷ = {float(np.interp(x, xs, yhat)):.3f}"
        elif self._source is not None:
            g = self.session.grid()
            res = g.resolution
            j = int(round((x - g.xlim[0]) / (g.xlim[1] - g.xlim[0]) * (res - 1)))
            i = int(round((y - g.ylim[0]) / (g.ylim[1] - g.ylim[0]) * (res - 1)))
            if 0 <= i < res and 0 <= j < res and self._source.ndim == 3:    # K classes
                p = np.asarray(self._source[i, j], dtype=np.float64)
                names = self.session.model.classes or list(range(len(p)))
                k = int(p.argmax())
                value = f"class {names[k]} (P = {p[k]:.3f})"
            elif 0 <= i < res and 0 <= j < res:
                value = f"{self._source_name} = {float(self._source[i, j]):.3f}"
        self.readout.setText(f"{value} at {where}" if value else where)
