"""The network canvas: every unit a node, every weight an edge (TensorFlow Playground's diagram).

Left to right: one node per input feature, the hidden layers' units, the output ŷ. An edge from
unit i of layer k to unit j of layer k+1 is the weight ``network.dense[k].W[i, j]`` (weights run
"from-to": W is fan_in × fan_out): its colour is the sign and size of w on the shared diverging
scale (±max|W| over the network), its width grows with |w| (in a layer of at most 64 weights;
a denser layer draws every edge one pixel wide). Every non-input node shows its bias
(text under it, and the colour of its ring). With two inputs or more every node carries a small
map of its own output over the Output plot's plane (the grid of :meth:`Session.grid_outputs`: the
two inputs on the plot's axes vary, any others are held at their training mean).

The scene holds one item (:class:`~ui.network_items.CanvasItem`) that paints plain records:
a :class:`~ui.network_items.Node` per unit, an :class:`~ui.network_items.Edge` per weight and a
:class:`~ui.network_items.Text` per label. Records are made only on ``structureChanged``;
``paramsChanged`` (up to 60 Hz while training) only updates pens, texts and pixmaps; a resize
only moves them. The view finds the record under the pointer itself
(:mod:`ui.network_pointer`). The layout is computed in viewport pixels (no view scaling), so
text stays at its size while nodes and gaps grow and shrink with the widget; past a minimum
spacing the scene scrolls. Hovering a node emits
``session.unitHovered``; clicking an edge or a bias text edits that parameter. During
step-through the layer being computed glows.

Index conventions of the public helpers: ``node_item(k, j)`` and ``thumbnail_image(k, j)`` take
k = -1 for the inputs and k = 0… for dense layer k's units; ``edge_item(k, i, j)`` is weight
``dense[k].W[i, j]``. ``session.unitHovered`` uses k = -2 for an input feature.
"""
from __future__ import annotations

import numpy as np
from PySide6.QtCore import QEvent, QPointF, QRectF, Qt
from PySide6.QtGui import QBrush, QFontMetricsF, QImage, QPainter, QPalette, QPen
from PySide6.QtWidgets import QFrame, QGraphicsScene, QGraphicsView

from nnviz.core.stages import StageKind, Symbols

from . import colors
from .canvas_layout import canvas_layout, label_pixels
from .network_captions import CanvasCaptions
from .network_header import LayerHeader
from .network_pointer import CanvasPointer
from .network_items import (BACKGROUND, BACKWARD_GLOW, FAINT, FORWARD_GLOW, HEADER_HEIGHT, INK,
                            MUTED, WIDTH_STEPS, CanvasItem, Edge, Node, ParameterEdits, Text,
                            _finite_max, _font, _num, map_images)


# The texts' pixel sizes at the application's usual font (presentation mode scales them).
LABEL_PX, NAME_PX, BIAS_PX, CAPTION_PX = 13.0, 11.0, 11.0, 12.0


class NetworkView(CanvasPointer, ParameterEdits, LayerHeader, CanvasCaptions,
                  QGraphicsView):
    """The p→M→1 network as a diagram; see the module docstring."""

    def __init__(self, session, parent=None):
        super().__init__(parent)
        self.setObjectName("networkView")
        self.session = session
        self._map_steps: list[int] = []
        self._built_maps = False
        self._scene = QGraphicsScene(self)
        self._scene.setItemIndexMethod(QGraphicsScene.ItemIndexMethod.NoIndex)
        self._scene.setBackgroundBrush(QBrush(BACKGROUND))
        self.setScene(self._scene)
        self._canvas = CanvasItem(self)
        self._scene.addItem(self._canvas)
        self.setRenderHints(QPainter.RenderHint.Antialiasing
                            | QPainter.RenderHint.SmoothPixmapTransform
                            | QPainter.RenderHint.TextAntialiasing)
        self.setViewportUpdateMode(QGraphicsView.ViewportUpdateMode.FullViewportUpdate)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAsNeeded)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAsNeeded)
        self.setMinimumSize(360, 260)
        palette = self.palette()
        palette.setColor(QPalette.ColorRole.Window, BACKGROUND)
        self.setPalette(palette)
        self.setAutoFillBackground(True)
        self.setViewportMargins(0, HEADER_HEIGHT, 0, 0)

        # Pixel sizes, scaled with the application's font (presentation mode makes it 1.5×).
        self._base_point = self.font().pointSizeF()
        self._text_scale = 1.0
        self._label_font = _font(LABEL_PX)        # (shrunk by the layout for many inputs)
        self._scale_fonts(1.0)
        self._nodes: list[list[Node]] = []            # column c: inputs (c=0), dense layer c-1
        self._shape = None                            # (layer sizes, features) the records show
        self._maps_for = (None, (), 0)                # (grid, features, step) of the inputs' maps
        self._edges: list[list[list[Edge]]] = []      # [k][i][j]
        self._bias: list[list[Text]] = []             # [k][j]: b=…, a click edits it
        self._names: list[list[Text]] = []            # column c ≥ 1: h1…, ŷ
        self._features: list[Text] = []               # the inputs' labels
        self._column_captions: list[Text] = []
        self._caption_texts: list[tuple[str, str]] = []   # per column: (whole, short)
        self._matrix_captions: list[Text] = []
        self._flat_edges: list[list[Edge]] = []       # [k], row-major like W.ravel()
        self._colors = colors.qcolors()
        self._pens: dict[int, QPen] = {}
        self._column_x: list[float] = []
        self._column_step = 0.0           # the distance between two columns' centres
        self._width_gain: list[float] = []  # per dense layer: width = 0.5 + gain·|w|/vmax px
        self._stage = None
        self._grad: np.ndarray | None = None  # ∂E/∂W shown during a dense backward stage
        self._hover = None        # the record under the pointer (a Node, an Edge or a bias Text)
        self._pressed = None      # the Edge or bias Text a left press began on
        self.viewport().setMouseTracking(True)
        self._init_header()
        self.horizontalScrollBar().valueChanged.connect(self._place_header)
        session.structureChanged.connect(self._on_structure_changed)
        session.paramsChanged.connect(self._on_params_changed)
        session.stageChanged.connect(self._on_stage_signal)
        session.axesChanged.connect(self._on_axes_changed)
        self._on_structure_changed()
        if 0 <= session.stage_index < len(session.stages):  # a step-through already under way
            self._on_stage_changed(session.stages[session.stage_index])

    # --- public helpers ------------------------------------------------------------------
    def node_item(self, k: int, j: int) -> Node:
        """k = -1: input feature j; k ≥ 0: unit j of dense layer k (the last is the output)."""
        return self._nodes[k + 1][j]

    def edge_item(self, k: int, i: int, j: int) -> Edge:
        """The edge of weight ``dense[k].W[i, j]`` (its ``pen`` has the colour and width)."""
        return self._edges[k][i][j]

    def bias_item(self, k: int, j: int) -> Text:
        """The ``b=…`` text of unit j of dense layer k."""
        return self._bias[k][j]

    def thumbnail_image(self, k: int, j: int) -> QImage | None:
        """The map drawn in node (k, j) (res × res, +y up; a node drawn smaller than res/2
        pixels: every step-th grid point; an input held at one value over the plane: 1 × 1,
        its one colour), or None when the data is not 2-D."""
        return self.node_item(k, j).image

    def unit_name(self, k: int, j: int) -> str:
        """x1… for inputs (k = -1), then the name every view gives the unit: h3 (h1.3 with
        several hidden layers), ŷ (ŷ1…ŷK with K classes)."""
        net = self.session.network
        if k < 0:
            return self.session.model.features[j]
        return Symbols(net.n_layers).unit(k, j, net.n_outputs)

    def edge_tooltip(self, k: int, i: int, j: int) -> str:
        """``w = 0.53 · x1 → h2``: the weight times what it multiplies, and where it goes."""
        w = float(self.session.network.dense[k].W[i, j])
        return f"w = {w:.2f} · {self.unit_name(k - 1, i)} → {self.unit_name(k, j)}"

    def node_tooltip(self, k: int, j: int) -> str:
        net = self.session.network
        name = self.unit_name(k, j)
        if k < 0:
            scaled = ", standardised" if self.session.model.scaler is not None else ""
            return f"{name}\ninput feature {j + 1} of {net.n_inputs}{scaled}"
        title = name
        if k == net.n_layers - 1:
            classes = self.session.model.classes
            title = f"output {name}" + (f" = P({classes[j]})" if net.n_outputs > 1 and classes
                                        and j < len(classes) else "")
        b = float(net.dense[k].b[j])
        return f"{title}\nbias b = {b:.4g}\nactivation: {net.activations[k]}"

    # --- building (structure changes only) ---------------------------------------------
    def _has_maps(self) -> bool:
        """Maps need a plane: two inputs, or two of more (the Output plot's slice, the others
        held at their training mean). One input has none."""
        return len(self.session.model.inputs) >= 2

    def _on_structure_changed(self):
        self._set_hover(None)       # (a hovered unit may be gone: the Output plot shows ŷ)
        self._pressed = None
        self._stage, self._grad = None, None
        net = self.session.network
        features = tuple(self.session.model.features)
        shape = (tuple(net.sizes), features)
        if shape != self._shape:
            self._fit_items(net, features)
            self._shape = shape
        sym = Symbols(net.n_layers)      # (the activations can change without the shape)
        self._caption_texts = [(sym.a(0), sym.a(0))] + [
            (f"{sym.a(c)} = {act}", sym.a(c)) for c, act in enumerate(net.activations, 1)]
        self._rebuild_header()
        self._layout(refresh=False)      # the colours and maps are redrawn once, below
        if not self._input_maps_current():
            self._input_maps()           # the inputs' maps change only with the data and axes
        self._on_stage_changed(None)     # no stage highlighted; colours and maps redrawn

    def _fit_items(self, net, features):
        """Make the records fit layers of ``net.sizes`` over ``features``, keeping every record
        whose place still exists (adding a unit adds its node, texts and edges; the rest stay,
        the inputs' maps with them), so a change of shape costs what it changes. A record is
        named by its place only (column, unit; layer, row, column), which is why it can stay."""
        sizes = net.sizes

        def fit(items: list, n: int, make) -> list:
            del items[n:]
            while len(items) < n:
                items.append(make(len(items)))
            return items

        fit(self._nodes, len(sizes), lambda c: [])
        for c, column in enumerate(self._nodes):
            fit(column, sizes[c], lambda j, c=c: Node(c - 1, j))
        fit(self._features, len(features), lambda i: Text(features[i], self._label_font, INK))
        for text, name in zip(self._features, features):
            text.set_text(name)
        fit(self._names, len(sizes), lambda c: [])
        for c, names in enumerate(self._names):
            fit(names, sizes[c] if c else 0, lambda j: Text("", self._name_font, FAINT))
            for j, text in enumerate(names):
                text.set_text(self.unit_name(c - 1, j))
        fit(self._bias, net.n_layers, lambda k: [])
        fit(self._edges, net.n_layers, lambda k: [])
        for k, d in enumerate(net.dense):
            fit(self._bias[k], d.fan_out, lambda j: Text("", self._bias_font, MUTED))
            fit(self._edges[k], d.fan_in, lambda i: [])
            for i, row in enumerate(self._edges[k]):
                fit(row, d.fan_out, lambda j, k=k, i=i: Edge(k, i, j))
        self._flat_edges = [[edge for row in layer for edge in row] for layer in self._edges]
        fit(self._column_captions, len(sizes), lambda c: Text("", self._caption_font, INK))
        fit(self._matrix_captions, len(sizes) - 1, lambda k: Text("", self._caption_font, FAINT))
        if not self._has_maps():          # (kept nodes drop the maps they had)
            for column in self._nodes:
                for node in column:
                    if node.image is not None:
                        node.set_image(None)
        self._width_gain = []             # every pen is set again by the next layout
        self._map_steps = []              # per column: the grid step of its units' maps
        self._built_maps = False          # whether the units' maps have been drawn yet

    def _texts(self):
        """Every text the canvas draws (over the nodes and edges)."""
        for layer in self._bias:
            yield from layer
        for names in self._names:
            yield from names
        yield from self._features
        yield from self._column_captions
        yield from self._matrix_captions

    def _on_axes_changed(self):
        """The Output plot shows another slice: every map shows it too."""
        self._input_maps()
        self._unit_maps()

    def _input_maps(self):
        """The input nodes' maps: each scaled feature over the grid (changes only with the data
        and the plot's axes). A feature held constant over the slice is drawn on the scale of
        the features that vary (so one held near its mean is near white, not a saturated noise
        of its last digits)."""
        if not self._has_maps():
            return
        grid = self.session.grid()
        res = grid.resolution
        moving = grid.moving
        M = grid.moving_features().reshape(res, res, len(moving))
        step = self._map_steps[0] if self._map_steps else 1
        if step > 1:                     # a small node shows every step-th grid point
            M = M[step // 2::step, step // 2::step]
        # Per feature: its largest |finite value| (or 0) and whether it varies over the plane;
        # a held one (not in grid.moving) is its one value. (The moving ones reduced row by row
        # of the transpose: NumPy reduces a tall array's columns slowly.)
        rows = np.ascontiguousarray(M.reshape(M.shape[0] * M.shape[1], M.shape[2]).T)
        first = grid.held.astype(np.float32)     # each feature's value at the plane's corner
        hi, lo = first.copy(), first.copy()
        if moving:
            first[moving] = M[0, 0]
            hi[moving], lo[moving] = rows.max(axis=1), rows.min(axis=1)
        with np.errstate(invalid="ignore"):
            varies = hi - lo > 0                 # (NaN: False, as np.ptp)
        vmax = np.maximum(np.abs(hi), np.abs(lo)).astype(np.float64)
        row = np.full(len(first), -1)            # feature → its row of ``rows`` (-1: held)
        row[moving] = np.arange(len(moving))
        for i in np.flatnonzero(~(np.isfinite(hi) & np.isfinite(lo))):
            vmax[i] = _finite_max(rows[row[i]] if row[i] >= 0 else first[i])
        shared = (vmax[varies].max() if varies.any() else 0.0) or vmax.max()
        vmax[~varies] = shared
        # A held feature is one colour over the plane: its map is that colour, 1 × 1. (Only
        # moving features vary.)
        images = [None] * len(first)
        vary, flat = np.flatnonzero(varies), np.flatnonzero(~varies)
        for cols, values in ((vary, M[:, :, row[vary]]), (flat, first[flat].reshape(1, 1, -1))):
            if cols.size:
                for i, image in zip(cols, map_images(values, vmax[cols])):
                    images[i] = image
        for node, image in zip(self._nodes[0], images):
            node.set_image(image)
        self._maps_for = (grid, tuple(self.session.model.features), step)
        self._canvas.update()

    def _input_maps_current(self) -> bool:
        grid, features, step = self._maps_for
        return (grid is self.session.grid() and features == tuple(self.session.model.features)
                and step == (self._map_steps[0] if self._map_steps else 1))

    # --- geometry (structure changes and resizes) ----------------------------------------
    def _layout(self, refresh: bool = True):
        """Place every record for the current viewport size (:func:`canvas_layout`); with
        ``refresh``, redraw the edges and maps when their widths or map sizes changed."""
        if not self._nodes:
            return
        vp = self.viewport().size()
        cap_h = QFontMetricsF(self._caption_font).height()
        label_px = label_pixels(self.session.network.sizes[0], vp.height(), cap_h,
                                LABEL_PX * self._text_scale)
        if self._label_font.pixelSize() != int(round(label_px)):
            self._label_font = _font(label_px)
            for text in self._features:
                text.set_font(self._label_font)
        name_h = QFontMetricsF(self._name_font).height()
        g = canvas_layout(
            self.session.network.sizes, vp.width(), vp.height(),
            label_width=max(text.size()[0] for text in self._features),
            name_h=name_h, bias_h=QFontMetricsF(self._bias_font).height(), caption_h=cap_h,
            has_maps=self._has_maps(), resolution=self.session.grid().resolution,
            dpr=self.devicePixelRatioF())
        steps_changed = g.map_steps != self._map_steps
        self._map_steps = g.map_steps
        self._column_x = g.xs
        for c, column in enumerate(self._nodes):
            for j, node in enumerate(column):
                node.set_geometry(QPointF(*g.centers[c][j]), g.sides[c])
                node.set_label(self.unit_name(c - 1, j), g.label_inside[c])
        for text, (x, y) in zip(self._features, g.feature_anchor):
            text.place(x, y - text.size()[1] / 2, "right")
        for c in range(1, len(self._nodes)):
            for name, (x, y) in zip(self._names[c], g.name_anchor[c]):
                name.visible = g.name_visible[c]
                name.place(x, y)
            for bias, (x, y) in zip(self._bias[c - 1], g.bias_anchor[c]):
                bias.visible = g.levels[c] >= 1
                bias.place(x, y)
        if g.width_gain != self._width_gain:
            self._width_gain = g.width_gain
            for layer in self._flat_edges:
                for edge in layer:
                    edge.key = -1
            if refresh:
                self._update_edges()
        if refresh and steps_changed and self._maps_for[0] is not None \
                and not self._input_maps_current():
            self._input_maps()
        if refresh and steps_changed and self._built_maps:
            self._unit_maps()
        for layer, ends in zip(self._edges, g.edges):
            for row, row_ends in zip(layer, ends):
                for edge, (p0, p1) in zip(row, row_ends):
                    edge.set_curve(*p0, *p1)
        xs = g.xs
        self._fit_captions(xs, g.scene_size[0], g.caption_y)
        self._column_step = g.step
        for k, text in enumerate(self._matrix_captions):
            text.place((xs[k] + xs[k + 1]) / 2, g.caption_y)
        self._fit_matrix_captions()
        rect = QRectF(0, 0, *g.scene_size)
        self._canvas.set_rect(rect)
        self._scene.setSceneRect(rect)
        self._canvas.update()
        self._place_header()

    def resizeEvent(self, event):
        super().resizeEvent(event)
        self._layout()

    def _scale_fonts(self, scale: float):
        """The units' names, the biases and the captions at ``scale`` times their pixel sizes."""
        self._name_font, self._bias_font = _font(NAME_PX * scale), _font(BIAS_PX * scale)
        self._caption_font = _font(CAPTION_PX * scale)

    def changeEvent(self, event):
        """The application's font changed (presentation mode): the canvas's texts follow."""
        super().changeEvent(event)
        if event.type() == QEvent.Type.FontChange and self._base_point > 0:
            scale = self.font().pointSizeF() / self._base_point
            if scale > 0 and abs(scale - self._text_scale) > 1e-6:
                self._text_scale = scale
                self._scale_fonts(scale)
                for texts, font in ((self._names, self._name_font), (self._bias, self._bias_font)):
                    for text in (t for column in texts for t in column):
                        text.set_font(font)
                for text in self._column_captions + self._matrix_captions:
                    text.set_font(self._caption_font)
                self._layout()

    # --- parameters (every paramsChanged: pens, texts, pixmaps only) ----------------------
    def _on_params_changed(self):
        self._update_edges()
        self._unit_maps()

    def _update_edges(self):
        """Edge pens (weight or, during a dense backward stage, gradient), bias texts and rings."""
        net = self.session.network
        vmax = max(_finite_max(d.W) for d in net.dense) or 1.0
        focus = self._focus_layer()
        for k, d in enumerate(net.dense):
            if focus == k and self._grad is not None:
                values, scale = self._grad, _finite_max(self._grad) or 1.0
            else:
                values, scale = d.W, vmax
            idx = colors.lut_index(values, scale)
            with np.errstate(all="ignore"):
                rel = np.nan_to_num(np.minimum(1.0, np.abs(values) / scale), nan=0.0)
            gain = self._width_gain[k]
            base = 0.5 if gain else 1.0
            steps = np.rint((base + gain * rel) * WIDTH_STEPS).astype(np.intp)
            keys = (idx * 64 + steps).ravel().tolist()
            for edge, key in zip(self._flat_edges[k], keys):
                if edge.key != key:  # most pens stay the same from one frame to the next
                    edge.key = key
                    edge.pen = self._pen(key)
            for bias, node, b, ci in zip(self._bias[k], self._nodes[k + 1], d.b.tolist(),
                                         colors.lut_index(d.b, vmax).tolist()):
                bias.set_text(f"b={_num(b)}")
                node.ring_color = self._colors[ci]
        self._canvas.update()

    def _pen(self, key: int) -> QPen:
        pen = self._pens.get(key)
        if pen is None:
            pen = QPen(self._colors[key // 64], (key % 64) / WIDTH_STEPS)
            pen.setCapStyle(Qt.PenCapStyle.RoundCap)
            self._pens[key] = pen
        return pen

    def _unit_maps(self):
        if not self._has_maps():
            return
        net = self.session.network
        for k, A in enumerate(self.session.grid_outputs()):
            name = net.activations[k]
            output = k == net.n_layers - 1
            if (output and self.session.task == "classification") or name == "sigmoid":
                values, vmax = 2.0 * A.astype(np.float64) - 1.0, 1.0  # probability p at 2p − 1
            elif name == "tanh":
                values, vmax = A, 1.0
            else:  # unbounded: symmetric levels over the layer
                values, vmax = A, _finite_max(A) or 1.0
            step = self._map_steps[k + 1] if k + 1 < len(self._map_steps) else 1
            if step > 1:
                values = values[step // 2::step, step // 2::step]
            for node, image in zip(self._nodes[k + 1], map_images(values, vmax)):
                node.set_image(image)
        self._built_maps = True
        self._canvas.update()

    # --- step-through highlight ------------------------------------------------------------
    def _focus_layer(self) -> int | None:
        """The dense layer (0-based) the current stage works on, or None."""
        st = self._stage
        if st is None or st.phase not in ("forward", "backward") or not st.layer:
            return None
        return st.layer - 1

    def _on_stage_signal(self, stage):
        # No stage before and none now (the operations a change of network dropped, after
        # structureChanged has drawn the new network): nothing to draw again.
        if stage is None and self._stage is None:
            return
        self._on_stage_changed(stage)

    def _on_stage_changed(self, stage):
        net = self.session.network
        self._stage, self._grad = stage, None
        focus = self._focus_layer()
        if focus is not None and focus >= net.n_layers:  # not this network's stage
            self._stage, focus = None, None
        phase = None if self._stage is None else self._stage.phase
        if focus is not None and phase == "backward" and stage.kind is StageKind.DENSE_BACKWARD:
            # ∂E/∂W⁽ᵏ⁾ of this step: the stage's own copy (right when walking back through it too).
            grad = np.asarray(stage.result) if stage.results else None
            if grad is None or grad.shape != net.dense[focus].W.shape:
                grad = net.dense[focus].dW.copy()
            self._grad = grad
        self._fit_matrix_captions()
        glow = BACKWARD_GLOW if phase == "backward" else FORWARD_GLOW
        dim = phase in ("forward", "backward", "loss")  # the other layers fade while one works
        for k, layer in enumerate(self._flat_edges):
            color, opacity = (glow if k == focus else None), (0.2 if dim and k != focus else 1.0)
            for edge in layer:
                edge.stage_color, edge.opacity = color, opacity
        out_layer = net.n_layers - 1
        for c, column in enumerate(self._nodes):
            k = c - 1
            lit = (focus is not None and k == focus) or (phase == "loss" and k == out_layer)
            for node in column:
                node.stage_color = glow if lit else None
        self._on_params_changed()
