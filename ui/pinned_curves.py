"""The pinned runs in the loss chart: each run's train and test loss as faded lines in a colour
of its own (train solid, test dotted), and a legend below the plot (never over a curve) of
what differed from the current run's settings ("run 2: lr 0.3 → 0.03").

Items are made once for :data:`~nnviz.core.runs.MAX_PINNED` runs and reused; a slot without a
run is hidden. The views only draw: the runs and their differences come from the session.
"""
from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor

from nnviz.core.runs import MAX_PINNED

# One hue per pinned slot, none of them the current run's grey or orange; drawn faded.
COLORS = ("#7b4fb8", "#1f9e89", "#c2187a", "#7a6a00", "#3b6fd4")
FADE = 120          # alpha of a pinned run's lines (of 255)
LEGEND_ROW = 4      # the plot layout's row under the bottom axis
CHAR_PX = 6         # about the width of a character of the legend's 8 pt text


def legend_text(label: str, changes: list[str], chars: int = 1000) -> str:
    """"run 2: lr 0.3 → 0.03, hidden 4 → 8", cut to ``chars`` characters with an ellipsis."""
    text = f"{label}: " + (", ".join(changes) if changes else "same settings")
    return text if len(text) <= chars else text[:max(chars, len(label) + 3) - 1] + "…"


class PinnedCurves:
    """The pinned runs' lines in ``plot`` (a pyqtgraph PlotItem) and their legend."""

    def __init__(self, plot, fg: QColor):
        from .history_curve import HistoryCurve

        self.curves = []
        for k in range(MAX_PINNED):
            color = QColor(COLORS[k])
            color.setAlpha(FADE)
            train = HistoryCurve(pg.mkPen(color, width=1), "")
            test = HistoryCurve(pg.mkPen(color, width=1, style=Qt.PenStyle.DotLine), "")
            for c in (train, test):
                c.setZValue(-1)             # under the current run's lines
                c.setVisible(False)
                plot.addItem(c)
            self.curves.append((train, test))
        self.legend = pg.LegendItem(labelTextColor=fg, labelTextSize="8pt", verSpacing=-6)
        self.legend.layout.setContentsMargins(0, 0, 0, 0)
        self.plot = plot
        plot.layout.addItem(self.legend, LEGEND_ROW, 1, alignment=Qt.AlignmentFlag.AlignLeft)
        self.legend.setVisible(False)
        self.width = 200            # pixels the legend may take (the chart sets it on resize)
        self._texts: list[str] = []
        self.bounds = (0.0, np.empty(0))   # (last epoch, loss values): the chart's range takes them in

    def update(self, session) -> None:
        """Show ``session.pinned``, each with how its settings became the current run's."""
        texts, full = [], []
        for k, (train, test) in enumerate(self.curves):
            run = session.pinned[k] if k < len(session.pinned) else None
            if run is None:
                train.setVisible(False)
                test.setVisible(False)
                continue
            h = run.history
            x = np.asarray(h["epoch"], np.float64)
            train.setData(x, np.asarray(h["train_loss"], np.float64))
            test.setData(x, np.asarray(h["test_loss"], np.float64))
            train.setVisible(True)
            test.setVisible(not np.isnan(h["test_loss"][-1]))
            changes = session.differences(run)
            texts.append(legend_text(run.label, changes, max(10, int(self.width - 40) // CHAR_PX)))
            full.append(legend_text(run.label, changes))
        if texts != self._texts:
            self._texts = texts
            self.legend.clear()
            for (train, _), text, whole in zip(self.curves, texts, full):
                self.legend.addItem(train, text)
                self.legend.items[-1][1].setToolTip(whole)   # the whole line when it is cut
            self.legend.setVisible(bool(texts))
            height = self.legend.layout.minimumHeight() + 2 if texts else 0
            self.plot.layout.setRowFixedHeight(LEGEND_ROW, height)
        self.bounds = self._bounds()

    def _bounds(self) -> tuple[float, np.ndarray]:
        """(last epoch, finite loss values) over the shown runs."""
        x_hi, values = 0.0, [np.empty(0)]
        for train, test in self.curves:
            for c in (train, test):
                if c.isVisible():
                    x, y = c.getOriginalDataset()
                    x_hi = max(x_hi, float(x[-1]))
                    values.append(y[np.isfinite(y)])
        return x_hi, np.concatenate(values)
