"""The network canvas's header, in the view's top margin: the depth row (``[−] 2 hidden layers
[+]``, centred over the columns) and under it a ``[−] 4 neurons [+]`` above each hidden layer,
with "features" and "output" over the first and last columns. A mixin of
:class:`~ui.network_view.NetworkView` (it reads the view's column positions)."""
from __future__ import annotations

from PySide6.QtCore import QPointF
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QLabel, QWidget

from nnviz.errors import NnvizError

from .model import MAX_CANVAS_LAYERS
from .network_items import DEPTH_ROW, HEADER_ROW, _LayerControls


class LayerHeader:
    """The header's widgets and where they go (see the module docstring)."""

    def _init_header(self):
        self._add_action: QAction | None = None      # the first layer's buttons use these
        self._remove_action: QAction | None = None
        self._pool: list[_LayerControls] = []        # one per hidden layer there has been
        self._controls: list[_LayerControls] = []     # the shown ones: one per hidden layer
        self._depth = _LayerControls(self)      # [−] 2 hidden layers [+], above the unit controls
        self._depth.setObjectName("depthControls")
        self._depth.use_actions(None, None)
        self._depth.add.setToolTip("Add a hidden layer before the output (as wide as the last one)")
        self._depth.remove.setToolTip("Remove the last hidden layer (with none left, the network "
                                      "is the linear model ŷ = σ(X·W + b))")
        self._depth.add.clicked.connect(lambda: self._guarded(self.session.add_layer))
        self._depth.remove.clicked.connect(lambda: self._guarded(self.session.remove_layer))
        self._input_header = QLabel("features", self)
        self._output_header = QLabel("output", self)
        for label in (self._input_header, self._output_header):
            label.setStyleSheet("color: rgb(105, 111, 122); font-weight: 600;")

    def set_depth_actions(self, add: QAction, remove: QAction):
        """Use the main window's add/remove-layer actions for the depth row's buttons."""
        self._depth.add.clicked.disconnect()
        self._depth.remove.clicked.disconnect()
        self._depth.use_actions(add, remove)
        self._update_controls()

    def set_layer_actions(self, add: QAction, remove: QAction):
        """Use the main window's add/remove-neuron actions for the first hidden layer's buttons."""
        self._add_action, self._remove_action = add, remove
        if self._pool:
            old = self._pool[0]
            old.hide()
            old.deleteLater()
            self._pool[0] = self._make_controls(0)
            self._rebuild_header()

    def _make_controls(self, layer: int) -> _LayerControls:
        controls = _LayerControls(self)
        if layer == 0 and self._add_action is not None:
            controls.use_actions(self._add_action, self._remove_action)
        else:
            controls.use_actions(None, None)
            controls.add.clicked.connect(lambda _=False, l=layer: self._add_neuron(l))
            controls.remove.clicked.connect(lambda _=False, l=layer: self._remove_neuron(l))
            controls.add.setToolTip(f"Add a neuron to hidden layer {layer + 1}")
            controls.remove.setToolTip(f"Remove a neuron from hidden layer {layer + 1}")
        controls.show()
        return controls

    def _rebuild_header(self):
        # A removed layer's controls are hidden, not deleted: adding the layer again shows them
        # (new widgets cost a style pass and a first paint each).
        n = len(self.session.network.hidden_sizes)
        while len(self._pool) < n:
            self._pool.append(self._make_controls(len(self._pool)))
        for i, controls in enumerate(self._pool):
            if controls.isVisibleTo(self) != (i < n):
                controls.setVisible(i < n)
        self._controls = self._pool[:n]
        self._update_controls()

    def _update_controls(self):
        for layer, (controls, m) in enumerate(zip(self._controls, self.session.network.hidden_sizes)):
            controls.label.setToolTip(f"hidden layer {layer + 1}: {m} units")
            if not (layer == 0 and self._add_action is not None):
                controls.remove.setEnabled(m > 1)
        n = len(self.session.network.hidden_sizes)
        self._depth.label.setText("no hidden layer" if n == 0 else
                                  "1 hidden layer" if n == 1 else f"{n} hidden layers")
        self._depth.label.setToolTip(f"{n} hidden layer{'s' if n != 1 else ''} "
                                     f"(0 to {MAX_CANVAS_LAYERS} here)")
        if self._depth.add.defaultAction() is None:     # the main window's actions say it there
            self._depth.add.setEnabled(n < MAX_CANVAS_LAYERS)
            self._depth.remove.setEnabled(n > 0)
        self._place_header()

    def _guarded(self, change):
        try:
            change()
        except NnvizError:
            pass  # the session has reported it through ``message``

    def _add_neuron(self, layer: int):
        try:
            self.session.add_neuron(layer)
        except NnvizError:
            pass  # the session has reported it through ``message``

    def _remove_neuron(self, layer: int):
        try:
            self.session.remove_neuron(layer)
        except NnvizError:
            pass

    def _place_header(self, *_):
        if len(self._column_x) != len(self.session.network.sizes):
            return          # not laid out for this network yet: the layout places the header
        offset = self.viewport().geometry().topLeft()
        step = self._column_x[1] - self._column_x[0] if len(self._column_x) > 1 else 200.0

        def place(widget: QWidget, c: int):
            widget.adjustSize()
            x = self.mapFromScene(QPointF(self._column_x[c], 0)).x() + offset.x()
            w, h = widget.width(), widget.height()
            left = max(2, min(int(round(x - w / 2)), self.width() - w - 2))
            widget.move(left, DEPTH_ROW + max(0, (HEADER_ROW - h) // 2))

        place(self._input_header, 0)
        place(self._output_header, len(self._column_x) - 1)
        # The depth row: centred over the columns between the inputs and the output.
        depth = self._depth
        depth.adjustSize()
        mid = (self.mapFromScene(QPointF(self._column_x[0], 0)).x()
               + self.mapFromScene(QPointF(self._column_x[-1], 0)).x()) / 2 + offset.x()
        w = depth.width()
        depth.move(max(2, min(int(round(mid - w / 2)), self.width() - w - 2)),
                   max(0, (DEPTH_ROW - depth.height()) // 2 + 2))
        for layer, controls in enumerate(self._controls):
            m = self.session.network.hidden_sizes[layer]
            controls.set_compact(False)
            controls.label.setText(f"{m} neuron" if m == 1 else f"{m} neurons")
            controls.adjustSize()
            if controls.sizeHint().width() > step - 8:
                controls.label.setText(str(m))
                if controls.sizeHint().width() > step - 8:
                    controls.set_compact(True)
            place(controls, layer + 1)
