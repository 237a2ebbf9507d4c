"""What the seeds prove, live: linear collapse, linear regions, gradient check.

Three tabs over :mod:`nnviz.explain.analysis` (the engine computes; this panel only draws):
- *Linear model*: with identity hidden units, β₀ and β of the one linear model the network is
  (β = W⁽¹⁾W⁽²⁾…), next to the least-squares fit of the same training features.
- *Linear regions*: for piecewise-linear units, the input plane coloured by activation pattern
  with the borders drawn and the regions counted; click a point for its pattern a, W_eff, b_eff.
- *Gradient check*: backprop against finite differences on the current batch.
"""
from __future__ import annotations

import html

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QTextOption
from PySide6.QtWidgets import (QFrame, QLabel, QPushButton, QScrollArea, QTabWidget,
                               QTextBrowser, QVBoxLayout, QWidget)

from nnviz.explain import analysis
from nnviz.core import losses
from nnviz.core.stages import Symbols

from .plot_base import ElidedTitle


# The chart's least height: its rows (one per matrix) and their names stay apart; in a shorter
# dock the tab scrolls instead of squeezing the chart to a strip.
GRADCHECK_MIN_HEIGHT = 160
GRADCHECK_FRAME, GRADCHECK_ROW = 70, 18     # px: the title and x axis; each row with its name
GRADCHECK_INTRO = ("Backprop computes ∂E/∂θ with the chain rule; the check perturbs each "
                   "parameter and measures the change of E.")
_PALETTE = np.array([[141, 211, 199], [255, 255, 179], [190, 186, 218], [251, 128, 114],
                     [128, 177, 211], [253, 180, 98], [179, 222, 105], [252, 205, 229],
                     [217, 217, 217], [188, 128, 189], [204, 235, 197], [255, 237, 111]],
                    dtype=np.uint8)


class _ChartWidget(pg.PlotWidget):
    """The gradient check's chart: tall enough for its rows (a deep network has two a layer)
    and asking for no more, so its scrolling page fits the dock when it can and the chart
    takes the room left."""

    def __init__(self):
        super().__init__()
        self.set_rows(4)

    def set_rows(self, rows: int):
        self._least = max(GRADCHECK_MIN_HEIGHT, GRADCHECK_FRAME + GRADCHECK_ROW * rows)
        self.setMinimumHeight(self._least)
        self.updateGeometry()

    def sizeHint(self):
        return QSize(super().sizeHint().width(), self._least)


def _fmt(v: float) -> str:
    return f"{v:+.4f}".replace("-", "−")


class InsightsPanel(QTabWidget):
    def __init__(self, session, parent=None):
        super().__init__(parent)
        self.setObjectName("insightsPanel")
        self.session = session
        # Linear model
        self.linear_text = QTextBrowser()
        self._linear_html = None
        self.linear_text.setObjectName("linearText")
        # Break lines between words only: in a narrow dock the table scrolls sideways rather
        # than splitting a number or a heading in the middle ("−0.075 / 6").
        self.linear_text.setWordWrapMode(QTextOption.WrapMode.WordWrap)
        self.addTab(self.linear_text, "Linear model")
        # Linear regions
        regions = QWidget()
        lay = QVBoxLayout(regions)
        lay.setContentsMargins(2, 2, 2, 2)
        self.region_label = QLabel()
        self.region_label.setObjectName("regionCount")
        self.region_label.setStyleSheet("font-weight: bold")
        self.region_plot = pg.PlotWidget()
        self.region_plot.setToolTip("Each colour is one activation pattern: inside it the network is "
                                    "exactly linear. Click a point to see its pattern and linear model.")
        self.region_image = pg.ImageItem(axisOrder="row-major")
        self.region_plot.addItem(self.region_image)
        self.region_marker = pg.ScatterPlotItem(size=10, brush=pg.mkBrush(0, 0, 0), symbol="x")
        self.region_plot.addItem(self.region_marker)
        self.region_detail = QLabel("Click a point in the plane.")
        self.region_detail.setWordWrap(True)
        self.region_detail.setTextInteractionFlags(Qt.TextSelectableByMouse)
        lay.addWidget(self.region_label)
        lay.addWidget(self.region_plot, 1)
        lay.addWidget(self.region_detail)
        self.addTab(regions, "Linear regions")
        # Gradient check
        grad = QWidget()
        gl = QVBoxLayout(grad)
        self.gradcheck_button = QPushButton("Check gradients on the current batch")
        self.gradcheck_button.setObjectName("gradcheckButton")
        self.gradcheck_button.setToolTip("Compare every backprop gradient with a central difference "
                                         "(five-point central difference, h = 1e−4).")
        self.gradcheck_text = QLabel(GRADCHECK_INTRO)
        self.gradcheck_text.setWordWrap(True)
        self.gradcheck_text.setObjectName("gradcheckText")
        self.gradcheck_plot = _ChartWidget()
        plot = self.gradcheck_plot.getPlotItem()
        # Elided in a narrow dock (cut off at its edge before), whole in the tooltip.
        self.gradcheck_title = ElidedTitle(plot, size="11pt")
        self.gradcheck_title.set("log₁₀ relative error per parameter")
        plot.setLabel("bottom", "parameter (a matrix's entries, row by row)")
        self.gradcheck_image = pg.ImageItem(axisOrder="row-major")
        self.gradcheck_plot.addItem(self.gradcheck_image)
        self.gradcheck_plot.getViewBox().invertY(True)
        # The colours' key: −16 (as exact as float64 gets) up to 0 (wrong in every digit).
        self.gradcheck_bar = pg.ColorBarItem(values=(-16, 0), colorMap=pg.colormap.get("viridis"),
                                             width=10, interactive=False, colorMapMenu=False)
        self.gradcheck_bar.setImageItem(self.gradcheck_image, insert_in=plot)
        gl.addWidget(self.gradcheck_button)
        gl.addWidget(self.gradcheck_text)
        gl.addWidget(self.gradcheck_plot, 1)
        page = QScrollArea()
        page.setObjectName("gradcheckPage")
        page.setWidgetResizable(True)
        page.setFrameShape(QFrame.Shape.NoFrame)
        page.setWidget(grad)
        self.addTab(page, "Gradient check")
        self.last_check: analysis.GradCheck | None = None
        self._ls_cache = None
        self._was_linear = analysis.is_linear(session.network)
        self._click = None
        self.gradcheck_button.clicked.connect(self.run_gradient_check)
        self.region_plot.scene().sigMouseClicked.connect(self._on_region_click)
        self.currentChanged.connect(lambda _i: self._on_params())
        session.structureChanged.connect(self._on_structure)
        session.paramsChanged.connect(self._on_params)
        self._on_structure()

    # --- updates ---------------------------------------------------------------------------
    def _on_structure(self):
        s = self.session
        self._ls_cache = None
        self._click = None
        self.region_marker.setData([], [])
        self.region_detail.setText("Click a point in the plane.")
        linear = analysis.is_linear(s.network)
        if linear and not self._was_linear:
            s.report("No hidden layer: the network is the linear model itself — see Insights › "
                     "Linear model." if not s.network.hidden_sizes else
                     "Identity hidden units: the whole network is now one linear model, "
                     "so depth adds no expressiveness — see Insights › Linear model.")
        self._was_linear = linear
        # A check of the old network says nothing of the new one: the explanation again, and
        # no plot until the next check (empty, its axes meant nothing).
        self.gradcheck_image.clear()
        self.gradcheck_plot.hide()
        self.gradcheck_text.setText(GRADCHECK_INTRO)
        self.last_check = None
        self._on_params()

    def _on_params(self):
        if not self.isVisible():
            return
        if self.currentIndex() == 0:
            self._update_linear()
        elif self.currentIndex() == 1:
            self._update_regions()

    def showEvent(self, event):
        super().showEvent(event)
        self._on_params()

    def _update_linear(self):
        s = self.session
        net = s.network
        if not analysis.is_linear(net):
            acts = ", ".join(net.activations[:-1])
            if s.task != "classification":
                out, kind = "z", "linear regression"
            elif net.n_outputs > 1:
                out, kind = "softmax(z)", "multinomial logistic regression (linear logits)"
            else:
                out, kind = "σ(z)", "logistic regression (a linear logit)"
            self._set_linear_html(
                f"<p>The hidden units use <b>{html.escape(acts)}</b>, so the network is not one "
                "linear model.</p><p>Choose the <b>identity</b> activation: then H = X·W⁽¹⁾ + b⁽¹⁾ "
                f"and the output's z = H·W⁽²⁾ + b⁽²⁾ collapse to z = X·β + β₀ with β = W⁽¹⁾W⁽²⁾ and "
                f"β₀ = b⁽¹⁾W⁽²⁾ + b⁽²⁾ (with more layers, β = W⁽¹⁾W⁽²⁾⋯ and β₀ likewise), and ŷ = "
                f"{out}: however many hidden units or layers, it is {kind}.</p>")
            return
        self._set_linear_html(self._linear_html_for(s))

    def _linear_html_for(self, s) -> str:
        """The one linear model the network is, named in the space its coefficients live in."""
        net, model = s.network, s.model
        names = list(model.features)
        if net.n_outputs > 1:   # K classes: one column per class (nnviz analyze prints them)
            head = ("No hidden layer: the network is" if not net.hidden_sizes else
                    "Every hidden unit is identity: the network is")
            return (f"<p>{head} one linear model of the {net.n_outputs} logits, z = X·β + β₀ with "
                    "β = W⁽¹⁾W⁽²⁾… (one column per class): multinomial logistic regression, the "
                    "class with the largest z wins. <code>nnviz analyze</code> prints β.</p>")
        b0, beta = analysis.linear_equivalent(net)
        if self._ls_cache is None:
            tr = s.trainer
            fit = analysis.logistic_fit(tr.X, tr.y) if s.task == "classification" else None
            self._ls_cache = (analysis.least_squares(tr.X, tr.y), fit)
        (lb0, lbeta), logistic = self._ls_cache
        ts = model.target_scaler
        if ts is not None:   # the net learned (y − μ_y)/σ_y: both models in the target's units
            (b0, beta), (lb0, lbeta) = ((c * ts.std[0] + ts.mean[0], B * ts.std[0])
                                        for c, B in ((b0, beta), (lb0, lbeta)))
        scaled = model.scaler is not None
        in_features = analysis.features_phrase(names, model.inputs)
        target = "the logit z (ŷ = sigmoid(z))" if s.task == "classification" else "ŷ"
        kind = analysis.linear_model_name(net)
        if kind:
            head = (f"<p>No hidden layer: the network <b>is</b> {kind}, one linear model of "
                    f"{target}{html.escape(in_features)}.</p>")
        else:
            head = (f"<p>Every hidden unit is <b>identity</b>: the network is one linear model of "
                    f"{target}{html.escape(in_features)}. β = W⁽¹⁾W⁽²⁾…, β₀ = b⁽¹⁾W⁽²⁾ + b⁽²⁾….</p>")
        if in_features:
            head += (f"<p>It is linear in the features {html.escape(', '.join(names))}, not in "
                     f"the raw inputs {html.escape(', '.join(model.inputs))}: a feature such as "
                     "x1² bends the boundary in the input plane.</p>")
        # Short headings (the line under the table says in which units each column is), so
        # that a narrow dock shows more of the table before it scrolls sideways.
        cols = [("network", [b0] + list(beta))]
        if scaled:
            rb0, rbeta = analysis.raw_units(b0, beta, model.scaler.mean, model.scaler.std)
            cols.append(("network, own units", [rb0] + list(rbeta)))
        if logistic is not None:
            cols.append(("logistic fit", [logistic.intercept] + list(logistic.coefficients)))
        cols.append(("least squares", [lb0] + list(lbeta)))
        header = "".join(f"<th>{html.escape(c)}</th>" for c, _ in cols)
        rows = "".join(
            f"<tr><td>{html.escape(label)}</td>"
            + "".join(f"<td align='right'>{_fmt(v[r])}</td>" for _, v in cols) + "</tr>"
            for r, label in enumerate(["β₀"] + names))
        with np.errstate(over="ignore"):   # huge weights (a diverging run): the distance is inf
            dist = float(np.linalg.norm(np.append(beta, b0) - np.append(lbeta, lb0)))
        notes = f"<p>Distance between them (network and least squares): <b>{dist:.4g}</b></p>"
        if logistic is not None:
            if logistic.converged:
                d = float(np.linalg.norm(np.append(beta, b0) - np.append(
                    logistic.coefficients, logistic.intercept)))
                notes += (f"<p>Distance to the logistic fit: <b>{d:.4g}</b>: the lowest log-loss "
                          "any line reaches on these rows, where gradient descent heads.</p>")
            else:
                notes += ("<p style='color:#666'>A line separates the two classes in these rows, "
                          "so the logistic fit has no best weights (they grow without bound).</p>")
            caveat = analysis.least_squares_caveat()
            notes += f"<p style='color:#666'>Note: {html.escape(caveat[0].upper() + caveat[1:])}.</p>"
        where = ("standardized features (each feature minus its mean, over its standard "
                 "deviation, as the first layer sees it); 'own units' undoes that"
                 if scaled else "the features' own units")
        if ts is not None:
            where += (f". ŷ is in the target's own units: the network learns the standardized "
                      f"target (y − μ_y)/σ_y, so its β is W⁽¹⁾W⁽²⁾… times σ_y = {ts.std[0]:.4g}, "
                      f"and its β₀ is b⁽¹⁾W⁽²⁾ + b⁽²⁾… times σ_y, plus μ_y = {ts.mean[0]:.4g}")
        return (head + f"<table cellpadding='3'><tr><th></th>{header}</tr>{rows}</table>"
                + f"<p style='color:#666'>β₀ is the intercept. Coefficients on {where}; the fits "
                  "use the same training rows.</p>" + notes)

    def _set_linear_html(self, text: str):
        """Lay the text out again only when it changed (not on every frame of Play; this also
        keeps the reader's scroll position)."""
        if text != self._linear_html:
            self._linear_html = text
            self.linear_text.setHtml(text)

    def _update_regions(self):
        s = self.session
        net = s.network
        one = analysis.one_region_reason(net)
        regions = one is None and all(a in analysis.PIECEWISE for a in net.activations[:-1])
        # No regions to draw (tanh units, say): no empty plane, no "click a point" that does
        # nothing; the sentence says why.
        self.region_plot.setVisible(regions)
        self.region_detail.setVisible(regions)
        if not regions:
            self.region_label.setText(one or "Linear regions exist for piecewise-linear units "
                                      "(relu, leaky_relu); these are "
                                      f"{', '.join(net.activations[:-1])}.")
            self.region_label.setWordWrap(True)
            self.region_image.clear()
            self.region_marker.setData([], [])
            self.region_count = None
            return
        g = s.grid()
        codes = analysis.pattern_codes(net, g.features.astype(np.float64)).reshape(g.resolution, g.resolution)
        rgb = _PALETTE[codes % len(_PALETTE)].copy()
        border = np.zeros(codes.shape, bool)
        border[:, 1:] |= codes[:, 1:] != codes[:, :-1]
        border[1:, :] |= codes[1:, :] != codes[:-1, :]
        rgb[border] = (60, 60, 60)
        self.region_image.setImage(rgb, autoLevels=False)
        (x0, x1), (y0, y1) = g.xlim, g.ylim
        self.region_image.setRect(x0, y0, x1 - x0, y1 - y0)
        self.region_count = int(codes.max() + 1)
        self.region_label.setText(f"{self.region_count} linear regions in view "
                                  f"(step {s.trainer.step_count})")
        if self._click is not None:
            self.show_point(*self._click)

    # --- clicks ----------------------------------------------------------------------------
    def _on_region_click(self, ev):
        vb = self.region_plot.getViewBox()
        if not vb.sceneBoundingRect().contains(ev.scenePos()):
            return
        p = vb.mapSceneToView(ev.scenePos())
        self.show_point(p.x(), p.y())

    def show_point(self, x: float, y: float) -> str:
        """Show the pattern, W_eff and b_eff at input (x, y) and check them; returns the text."""
        s = self.session
        net = s.network
        if analysis.is_linear(net) or any(a not in analysis.PIECEWISE for a in net.activations[:-1]):
            return ""
        self._click = (x, y)
        self.region_marker.setData([x], [y])
        raw = s.dataset.X.mean(axis=0, keepdims=True).copy()
        raw[0, 0] = x
        if raw.shape[1] > 1:
            raw[0, 1] = y
        f = s.model.transform(raw)
        a = [p[0] for p in analysis.patterns(net, f)]
        w, b = analysis.effective_linear(net, a)
        lin = float(f[0] @ w + b)
        z = float(net.layer_outputs(f)[-1][0][0, 0])
        pattern = "; ".join("[" + ", ".join(f"{v:g}" for v in ak) + "]" for ak in a)
        wtext = ", ".join(f"{html.escape(n)}: {_fmt(v)}" for n, v in zip(s.model.features, w))
        ok = "equal" if abs(lin - z) <= 1e-9 * max(1.0, abs(z)) else "DIFFERENT"
        # x is what the first layer sees: the features, standardized when the run scales them
        # (by hand from the point's own numbers the sum came out another number).
        xs = ", ".join(f"{v:.4g}" for v in f[0])
        seen = (f"the features x = ({xs}), standardized as the first layer sees them"
                if s.model.scaler is not None else f"the features x = ({xs})")
        text = (f"At ({x:.3g}, {y:.3g}): pattern a = {pattern}<br>"
                f"W_eff = W⁽¹⁾ diag(a) W⁽²⁾ = ({wtext}), b_eff = {_fmt(b)}<br>"
                f"{seen}:<br>"
                f"x·W_eff + b_eff = {lin:.6f}; the network's output pre-activation z = {z:.6f}: <b>{ok}</b>")
        self.region_detail.setText(text)
        return text

    # --- gradient check --------------------------------------------------------------------
    def run_gradient_check(self) -> analysis.GradCheck:
        s = self.session
        tr = s.trainer
        X, y = tr.last_batch if tr.last_batch is not None else (tr.X[:tr.batch_size], tr.y[:tr.batch_size])
        loss = losses.make(s.model.loss, s.network.activations[-1], tr.loss.reduction)
        check = analysis.gradient_check(s.network, loss, X.copy(), y.copy())
        self.last_check = check
        words = {"passes": "Backprop agrees with finite differences: the gradients are right.",
                 "at a kink": "Backprop and finite differences differ where a pre-activation lies "
                              "at a kink of the activation (the slope jumps there): not a wrong "
                              "derivative.",
                 "FAILS": "Backprop and finite differences disagree: a derivative is wrong."}[
                     check.verdict]
        # One row per matrix, padded: log10 of each parameter's relative error. (The engine
        # names them W1, b1, … as the command line prints them; here as everywhere in the app.)
        offset, rows, names = 0, [], []
        sym = Symbols(s.network.n_layers)
        for k, d in enumerate(s.network.dense, 1):
            for name, key, size in ((sym.W(k), f"W{k}", d.W.size), (sym.b(k), f"b{k}", d.b.size)):
                rows.append(check.relative[offset:offset + size])
                names.append((name, check.per_matrix[key]))
                offset += size
        per = ", ".join(f"{name} {v:.1e}" for name, v in names)
        self.gradcheck_text.setText(f"<b>{words}</b><br>Largest error {check.max_relative:.2e} "
                                    f"(tolerance {check.tolerance:g}, relative to max(1, |gradient|)) "
                                    f"over {len(X)} rows. Per matrix: {per}.")
        self.gradcheck_plot.getPlotItem().getAxis("left").setTicks(
            [[(i + 0.5, name) for i, (name, _) in enumerate(names)]])
        self.gradcheck_plot.set_rows(len(rows))
        width = max(len(r) for r in rows)
        img = np.full((len(rows), width), np.nan, dtype=np.float32)
        for i, r in enumerate(rows):
            img[i, :len(r)] = np.log10(np.maximum(r, 1e-16))
        self.gradcheck_image.setImage(img, levels=(-16, 0), autoLevels=False)
        self.gradcheck_plot.show()
        return check
