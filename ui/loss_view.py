"""The loss curve: train and test loss per epoch, and accuracy (or R²) on a second axis.

Four :class:`~ui.history_curve.HistoryCurve` lines made once; the history (plain lists in
``session.trainer.history``) is copied into preallocated, doubling numpy buffers, only the new
epochs each time, and the lines get views of those buffers with ``setData``. Long runs stay
cheap: a line draws only the epochs in view, at most two points per pixel column. Loss is on the left axis (optionally log), the
metric on the right axis of a second ViewBox linked in x.
"""
from __future__ import annotations

import math

import numpy as np
import pyqtgraph as pg
from pyqtgraph.graphicsItems.InfiniteLine import InfLineLabel
from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QColor, QFontMetricsF

from nnviz.explain.readout import LossReadout

from .history_curve import HistoryCurve
from .pinned_curves import PinnedCurves
from .paint_cache import cache_pixmaps, cache_plot_frame, set_axis_label, settle_now
from .plot_base import HeaderPlotWidget, ShownGate

TEST_COLOR = QColor("#e07b00")   # orange: blue and red mean the classes elsewhere
DIVERGED_COLOR = QColor("#d62728")
BEST_COLOR = QColor("#2ca02c")   # green: the epoch early stopping keeps
FIELDS = ("epoch", "train_loss", "test_loss", "train_metric", "test_metric")
_EPOCH, _TRAIN, _TEST, _TRAIN_M, _TEST_M = range(5)


class _MarkLine(pg.InfiniteLine):
    """A vertical line with a label that follows the view only while the line shows: pyqtgraph
    moves a hidden line's label at every change of the view (0.1 ms each, and the chart's two
    marks are hidden nearly always)."""

    def __init__(self, pen, text: str, **label_opts):
        super().__init__(angle=90, movable=False, pen=pen)
        self.label = _ShownLabel(self, text=text, **label_opts)

    def setVisible(self, visible: bool):
        super().setVisible(visible)
        if visible:
            self.label.viewTransformChanged()


class _ShownLabel(InfLineLabel):
    def viewTransformChanged(self):
        if self.isVisible():
            super().viewTransformChanged()

    def updatePosition(self):
        super().updatePosition()
        self._fit_side()

    def _fit_side(self):
        """Beside its line on its own side (``anchors``), or on the other where the chart's
        edge would cut it: a run that diverged in its first epoch showed "ed" at the left."""
        view = self.line.getViewBox()
        if view is None:
            return
        (x0, x1), _ = view.viewRange()
        width = self.textItem.boundingRect().width() * view.viewPixelSize()[0]
        ax, ay = self.anchors[0]
        x = self.line.value()
        room_own = x - x0 if ax >= 0.5 else x1 - x      # anchored at its right edge: the left
        room_other = x1 - x if ax >= 0.5 else x - x0
        side = ax if room_own >= width or room_other < width else 1.0 - ax
        self.setAnchor((side, ay))


class LossPlot(HeaderPlotWidget):
    """Loss and metric per epoch.

    Public: ``train_curve``, ``test_curve``, ``train_metric_curve``, ``test_metric_curve``,
    ``logAction`` (log-scale loss axis), ``cursor_line``, ``readout`` (the values under the
    cursor), ``best_line`` (the best epoch, while early stopping is on), ``pinned`` (the runs
    pinned for comparison: :mod:`ui.pinned_curves`) and :meth:`mark_divergence`.
    """

    def __init__(self, session, parent=None):
        super().__init__("loss", parent, axes=("left", "bottom", "right"))
        self.session = session
        self._history = None
        self._n = 0
        self._gate = ShownGate(self, lambda: self._redraw())
        self._buf = np.full((len(FIELDS), 256), np.nan)
        self._metric_name = "acc"   # (or R²: set with the task)
        self._mouse: float | None = None  # the epoch (x) under the cursor

        # --- header row: the log toggle and the readout (coloured runs of plain text) ------
        self.readout.setToolTip("Training values, then test values (orange)")
        self.logAction = QAction("Log scale", self, checkable=True, checked=False)
        self.logAction.setToolTip("Draw the loss on a logarithmic axis: late, small changes of a "
                                  "falling loss stay visible")
        self.add_header_toggle(self.logAction)
        self.add_header_row()   # the readout gets a row of its own: beside the toggles it was cut

        # --- items, created once ---------------------------------------------------------
        plot = self.getPlotItem()
        plot.setMenuEnabled(False)
        plot.hideButtons()
        plot.showAxis("right")
        for name in ("left", "bottom", "right"):
            axis = plot.getAxis(name)
            axis.setPen(pg.mkPen(self._fg, width=1))
            axis.setTextPen(pg.mkPen(self._fg))
            axis.enableAutoSIPrefix(False)
        # On a log axis every 2…9 × 10ᵏ gets a tick; label only 1, 2 and 5 × 10ᵏ, or the
        # labels near the top of each decade run into one another.
        plot.getAxis("left").logTickStrings = _log_tick_strings
        plot.setLabel("bottom", "epoch", color=self._fg.name())
        plot.setLabel("left", "loss", color=self._fg.name())
        self._loss_label, self._loss_tip = "loss", "Mean loss per row."
        # The label runs along the axis: elided to its height anew when that changes.
        plot.getAxis("left").geometryChanged.connect(self._fit_loss_label)
        self.metric_view = pg.ViewBox(enableMenu=False)
        self.metric_view.setMouseEnabled(False, False)
        plot.scene().addItem(self.metric_view)
        plot.getAxis("right").linkToView(self.metric_view)
        self.metric_view.setXLink(plot)
        plot.getViewBox().sigResized.connect(self._sync_views)
        vb = plot.getViewBox()
        vb.setMouseEnabled(x=True, y=False)  # the wheel zooms into epochs; double-click resets
        # The range moves in steps (see _fit_range), not with every epoch: a changed range
        # makes the axes lay out their ticks again, the largest cost of a redraw.
        vb.disableAutoRange()
        vb.sigRangeChangedManually.connect(self._on_user_range)
        self._auto_range = True
        self._range = None

        fg_line = QColor(self._fg)
        self.train_curve = HistoryCurve(pg.mkPen(fg_line, width=1), "train loss")
        self.test_curve = HistoryCurve(pg.mkPen(TEST_COLOR, width=1), "test loss")
        self.train_metric_curve = HistoryCurve(
            pg.mkPen(fg_line, width=1, style=Qt.PenStyle.DashLine), "train acc")
        self.test_metric_curve = HistoryCurve(
            pg.mkPen(TEST_COLOR, width=1, style=Qt.PenStyle.DashLine), "test acc")
        plot.addItem(self.train_curve)
        plot.addItem(self.test_curve)
        self.metric_view.addItem(self.train_metric_curve)
        self.metric_view.addItem(self.test_metric_curve)
        # The legend is one row above the plot (where a title would be), never over a curve.
        self.legend = pg.LegendItem(colCount=4, labelTextColor=self._fg, horSpacing=10,
                                    labelTextSize="8pt", verSpacing=-6)
        self.legend.layout.setContentsMargins(0, 0, 0, 0)
        plot.layout.removeItem(plot.titleLabel)
        plot.titleLabel.setVisible(False)
        plot.layout.addItem(self.legend, 0, 1, alignment=Qt.AlignmentFlag.AlignHCenter)
        self._legend_key = None
        self._fill_legend(test=True)
        # Only the curves change from one frame to the next: the axes and the legend are
        # painted from pixmaps (redrawn when the range or a label changes).
        cache_plot_frame(plot)

        self.pinned = PinnedCurves(plot, self._fg)   # runs kept for comparison, faded

        cursor_pen = pg.mkPen(self._fg, width=1, style=Qt.PenStyle.DotLine)
        self.cursor_line = pg.InfiniteLine(angle=90, movable=False, pen=cursor_pen)
        self.cursor_line.setVisible(False)
        plot.addItem(self.cursor_line, ignoreBounds=True)
        self.divergence_line = _MarkLine(pg.mkPen(DIVERGED_COLOR, width=2), "diverged",
                                         position=0.9, color=DIVERGED_COLOR,
                                         anchors=[(1, 0), (1, 0)])
        self.divergence_line.setVisible(False)
        plot.addItem(self.divergence_line, ignoreBounds=True)
        self.best_line = _MarkLine(pg.mkPen(BEST_COLOR, width=2, style=Qt.PenStyle.DashLine),
                                   "best", position=0.95, color=BEST_COLOR,
                                   anchors=[(0, 0), (0, 0)])
        self.best_line.setToolTip("The epoch with the lowest test loss: early stopping keeps "
                                  "its weights")
        self.best_line.setVisible(False)
        plot.addItem(self.best_line, ignoreBounds=True)

        self.logAction.toggled.connect(self._on_log_toggled)
        self.scene().sigMouseMoved.connect(self._on_mouse_moved)
        session.structureChanged.connect(self._on_structure_changed)
        session.historyChanged.connect(self._on_history_changed)
        session.settingsChanged.connect(self._mark_best)
        for signal in (session.runsChanged, session.settingsChanged, session.structureChanged):
            signal.connect(self._on_runs)
        # The batch loss moves at every step and with every edit of a weight.
        self._loss_readout = LossReadout()
        session.paramsChanged.connect(self._on_params_readout)
        session.stageChanged.connect(self._on_stage_readout)
        self._on_structure_changed()
        self._on_history_changed()

    # --- public ------------------------------------------------------------------------
    def mark_divergence(self, epoch: float):
        """Show a red "diverged" line at ``epoch`` (one reused item; hidden on a restart)."""
        self.divergence_line.setValue(float(epoch))
        self.divergence_line.setVisible(True)

    def history_arrays(self) -> np.ndarray:
        """(5, n) view of the buffers: epoch, train loss, test loss, train metric, test metric."""
        return self._buf[:, :self._n]

    # --- layout ------------------------------------------------------------------------
    def _header_resized(self):
        self._fit_legend()  # before sizing the plot: the legend sets its minimum width

    def _fill_legend(self, test: bool):
        """The legend's entries: the train curves, and the test curves when the run has test
        rows (a worked example of a few typed rows, or a test ratio of 0, has none: "test loss"
        named a curve that was never drawn)."""
        key = (test, self._metric_name)
        if key == self._legend_key:
            return
        self._legend_key = key
        self.legend.clear()
        for curve, split, what in ((self.train_curve, "train", "loss"),
                                   (self.test_curve, "test", "loss"),
                                   (self.train_metric_curve, "train", self._metric_name),
                                   (self.test_metric_curve, "test", self._metric_name)):
            if test or split == "train":
                self.legend.addItem(curve, f"{split} {what}")
        for sample, label in self.legend.items:
            cache_pixmaps(sample, label.item)
        self._fit_legend()

    def _fit_legend(self):
        """Four entries in one row when they fit, else two rows of two."""
        if "legend" not in self.__dict__:
            return
        plot = self.getPlotItem()
        need = sum(sample.width() + label.width() + 16 for sample, label in self.legend.items)
        room = (self.viewport().width() - plot.getAxis("left").width()
                - plot.getAxis("right").width() - 8)
        cols = 4 if need <= room else 2
        self.legend.setColumnCount(cols)
        self.legend.setMaximumWidth(self.legend.layout.minimumWidth())
        plot.layout.setRowFixedHeight(0, self.legend.layout.minimumHeight() + 2)
        if "pinned" in self.__dict__ and self.pinned.width != room:
            self.pinned.width = room        # the pinned runs' legend lines fit the width
            self.pinned.update(self.session)

    def _sync_views(self):
        self.metric_view.setGeometry(self.getPlotItem().getViewBox().sceneBoundingRect())
        self.metric_view.linkedViewChanged(self.getPlotItem().getViewBox(), self.metric_view.XAxis)

    # --- session signals ---------------------------------------------------------------
    def _on_structure_changed(self):
        classification = self.session.task == "classification"
        self._metric_name = "acc" if classification else "R²"
        set_axis_label(self.getPlotItem(), "right", "accuracy" if classification else "R²",
                       self._fg.name())
        self._set_loss_label()
        self._fill_legend(test=len(self.session.trainer.X_test) > 0)
        if classification:
            self.metric_view.enableAutoRange(y=False)
            self.metric_view.setYRange(0.0, 1.0, padding=0.02)
        self._metric_lo = None
        self._auto_range = True
        self._range = None
        self._history = None  # the history restarts
        self.divergence_line.setVisible(False)
        self._on_history_changed()

    def _on_history_changed(self):
        hist = self.session.trainer.history
        n = len(hist)
        if hist is not self._history or n < self._n:  # a new run: start over
            self._history = hist
            self._n = 0
            self.divergence_line.setVisible(False)
        if n > self._buf.shape[1]:
            grown = np.full((len(FIELDS), max(n, 2 * self._buf.shape[1])), np.nan)
            grown[:, :self._n] = self._buf[:, :self._n]
            self._buf = grown
        start = self._n
        if n > start:
            for row, name in enumerate(FIELDS):
                self._buf[row, start:n] = getattr(hist, name)[start:n]
        self._n = n
        self._mark_best()
        if self._gate.skip():   # behind the Insights tab: redrawn when shown
            return
        self._redraw()

    def _on_runs(self):
        self.pinned.update(self.session)
        self._fit_range()

    def _mark_best(self):
        """The best epoch's line, while early stopping is on (or has stopped the run)."""
        tr = self.session.trainer
        best = tr.early.best_epoch
        shown = best is not None and bool(self.session.config.early_stopping or tr.stopped)
        if shown and self.best_line.value() != best:
            self.best_line.setValue(float(best))
        if self.best_line.isVisible() != shown:
            self.best_line.setVisible(shown)

    def _redraw(self):
        self._gate.stale = False
        b = self._buf[:, :self._n]
        x = b[_EPOCH]
        has_test = self._n > 0 and not np.isnan(b[_TEST, self._n - 1])
        self.train_curve.setData(x, b[_TRAIN])
        self.train_metric_curve.setData(x, b[_TRAIN_M])
        if has_test:
            self.test_curve.setData(x, b[_TEST])
            self.test_metric_curve.setData(x, b[_TEST_M])
        else:
            self.test_curve.setData([], [])
            self.test_metric_curve.setData([], [])
        if self.session.task != "classification" and self._n:
            # R² can start far below 0; show from max(min, −1) to 1.
            metric = b[_TRAIN_M:, :]
            metric = metric[~np.isnan(metric)]
            lo = max(-1.0, float(metric.min())) if metric.size else 0.0
            lo = min(round(lo, 1) - (0.1 if lo < round(lo, 1) else 0.0), 0.0)
            if lo != self._metric_lo:
                self._metric_lo = lo
                self.metric_view.enableAutoRange(y=False)
                self.metric_view.setYRange(lo, 1.0, padding=0.02)
        self._fit_range()
        self._update_readout()

    def _fit_range(self, force: bool = False):
        """Show every epoch and every loss from 0, the top rounded up to a coarse step."""
        if not self._auto_range or self._n == 0:
            return
        b = self._buf[:, :self._n]
        pinned_x, pinned_loss = self.pinned.bounds   # (made when the pinned runs change)
        x_hi = _round_up(max(float(b[_EPOCH, -1]), pinned_x, 1.0))
        loss = b[_TRAIN:_TEST + 1]
        log = self.logAction.isChecked()
        vals = loss[np.isfinite(loss) & (loss > 0)] if log else loss[np.isfinite(loss)]
        if pinned_loss.size:
            vals = np.concatenate([vals, pinned_loss[pinned_loss > 0] if log else pinned_loss])
        if vals.size == 0:
            lo, hi = (-1.0, 0.0) if log else (0.0, 1.0)
        elif log:  # view coordinates are log10(loss): whole tenths of a decade
            lo = math.floor(10 * math.log10(float(vals.min()))) / 10
            hi = math.ceil(10 * math.log10(float(vals.max()))) / 10
        else:
            # From 0 (losses are ≥ 0): the whole descent shows, and a new run's first point
            # (0.749 or 0.702) gives the same axis, 0 to 0.8, not ticks of its own.
            lo, hi = min(0.0, float(vals.min())), float(vals.max())
            step = _step(hi - lo if hi > lo else abs(hi) or 1.0)
            lo = math.floor(lo / step) * step
            hi = math.ceil(hi / step) * step
        if hi <= lo:
            hi = lo + (0.1 if log else _step(abs(lo) or 1.0))
        rng = (x_hi, lo, hi)
        if force or rng != self._range:
            self._range = rng
            self.getPlotItem().getViewBox().setRange(xRange=(0.0, x_hi), yRange=(lo, hi),
                                                     padding=0.02)
            settle_now(self.getPlotItem(), self.metric_view)   # one paint shows it

    def _on_user_range(self, *_):
        self._auto_range = False

    def _on_log_toggled(self, on: bool):
        plot = self.getPlotItem()
        plot.setLogMode(x=False, y=on)
        plot.getAxis("right").setLogMode(False)  # the metric axis stays linear
        self._set_loss_label()
        self._fit_range(force=True)

    def _set_loss_label(self):
        """"loss", with its units when a regression's target is standardized (the loss is then
        in standardized units: it starts near 1 whatever the target's scale)."""
        scaled = self.session.model.target_scaler is not None
        notes = (["standardized target units"] if scaled else []) + (
            ["log scale"] if self.logAction.isChecked() else [])
        self._loss_label = "loss" + (f" ({', '.join(notes)})" if notes else "")
        self._loss_tip = (
            "Mean loss per row. The target is standardized with the training rows' mean and std, "
            "so the loss is in those units; R², RMSE and predictions are in the target's own units."
            if scaled else "Mean loss per row.")
        self._fit_loss_label()

    def _fit_loss_label(self, *_):
        """The left axis's label, elided to the axis's height ("loss (standardized target
        units)" was cut off at both ends in a short Loss dock), whole in the tooltip then."""
        axis = self.getPlotItem().getAxis("left")
        text, room = self._loss_label, axis.geometry().height()
        if room > 0:
            text = QFontMetricsF(axis.label.font()).elidedText(
                self._loss_label, Qt.TextElideMode.ElideRight, room - 8)
        set_axis_label(self.getPlotItem(), "left", text, self._fg.name())
        tip = self._loss_tip
        axis.setToolTip(tip if text == self._loss_label else f"{self._loss_label}\n\n{tip}")

    # --- the values under the cursor ---------------------------------------------------
    def _on_mouse_moved(self, scene_pos):
        vb = self.getPlotItem().getViewBox()
        if vb.sceneBoundingRect().contains(scene_pos):
            self._mouse = vb.mapSceneToView(scene_pos).x()
        else:
            self._mouse = None
        self._update_readout()

    def mouseDoubleClickEvent(self, ev):
        self._auto_range = True
        self._fit_range(force=True)
        super().mouseDoubleClickEvent(ev)

    def _on_stage_readout(self, _stage):
        if self.session.step_in_progress:    # its loss operation may have computed its E
            self._on_params_readout()

    def _on_params_readout(self):
        if not self._gate.skip():
            self._update_readout()

    def _update_readout(self):
        if self._n == 0:
            self.readout.set_runs([])
            self.cursor_line.setVisible(False)
            return
        b = self._buf[:, :self._n]
        if self._mouse is None:
            i = self._n - 1  # no cursor: the latest epoch
            self.cursor_line.setVisible(False)
        else:
            i = int(np.clip(np.searchsorted(b[_EPOCH], self._mouse), 0, self._n - 1))
            if i > 0 and abs(b[_EPOCH, i - 1] - self._mouse) < abs(b[_EPOCH, i] - self._mouse):
                i -= 1
            self.cursor_line.setValue(float(b[_EPOCH, i]))
            self.cursor_line.setVisible(True)
        m = self._metric_name
        test = not math.isnan(b[_TEST, i])
        r = self._loss_readout.read(self.session.trainer)
        under_way = self.session.batch_loss_under_way()   # (a step run operation by operation)
        batch = r.batch if under_way is None else under_way
        runs = [(f"batch loss {_num(batch)}" + (" (edited weights)" if r.edited else "")
                 + f" · epoch {int(b[_EPOCH, i])}", None)]

        def pair(name, train_text, test_text):
            runs.append((f" · {name} {train_text}", None))
            if test:
                runs.append((f" {test_text}", TEST_COLOR))

        pair("epoch mean", _num(b[_TRAIN, i]), _num(b[_TEST, i]))
        pair(m, _metric(b[_TRAIN_M, i], m), _metric(b[_TEST_M, i], m))
        if m == "R²" and self.session.model.loss == "squared_error":
            from nnviz.core.history import rmse
            from nnviz.data.target import unscale_rmse
            ts = self.session.model.target_scaler     # RMSE in the target's own units
            pair("RMSE", _num(unscale_rmse(rmse("squared_error", b[_TRAIN, i]), ts)),
                 _num(unscale_rmse(rmse("squared_error", b[_TEST, i]), ts)))
        self.readout.set_runs(runs)


def _log_tick_strings(values, scale, spacing) -> list[str]:
    """Labels of a log axis's ticks (values are log10): 1, 2 and 5 × 10ᵏ named, others blank."""
    out = []
    for v in values:
        x = 10.0 ** float(v) * scale
        if not math.isfinite(x) or x <= 0:
            out.append("")
            continue
        mantissa = x / 10.0 ** math.floor(math.log10(x) + 1e-9)
        out.append(f"{x:.3g}" if any(abs(mantissa - m) < 1e-6 for m in (1, 2, 5)) else "")
    return out


def _step(span: float) -> float:
    """A round step about a tenth of ``span``: 1, 2 or 5 × 10ᵏ."""
    raw = span / 10
    e = 10.0 ** math.floor(math.log10(raw))
    return next(m * e for m in (1, 2, 5, 10) if m * e >= raw)


_EPOCH_STEPS = (1.0, 1.2, 1.5, 2.0, 2.5, 3.0, 4.0, 5.0, 6.0, 8.0, 10.0)


def _round_up(x: float) -> float:
    """``x`` rounded up to 1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6 or 8 × 10ᵏ (7 → 8, 51 → 60,
    130 → 150, 914 → 1000): the epoch axis grows in steps of about a fifth, so it is laid out
    again every fifth or so of the run, not every few epochs, and the line fills at least
    three quarters of the width."""
    e = 10.0 ** math.floor(math.log10(x))
    return next(m * e for m in _EPOCH_STEPS if m * e >= x * (1 - 1e-12))


def _num(v: float) -> str:
    if math.isnan(v):
        return "–"          # no batch yet
    return f"{v:.3f}" if 1e-2 <= abs(v) < 1e3 else f"{v:.3g}"


def _metric(v: float, name: str) -> str:
    if math.isnan(v):
        return "–"
    return f"{100 * v:.1f}%" if name == "acc" else f"{v:.3f}"
