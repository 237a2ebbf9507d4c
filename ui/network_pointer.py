"""The network canvas under the pointer: which record a point is over (the canvas paints
plain records, so the view finds them itself), hovering (a node's halo and its unit's map on
the Output plot; an edge's glow and its two nodes), the pointing-hand cursor over what a click
edits, clicks and double clicks that edit a weight or a bias, and tooltips. A mixin of
:class:`~ui.network_view.NetworkView`."""
from __future__ import annotations

from PySide6.QtCore import QEvent, QPoint, QPointF, Qt
from PySide6.QtWidgets import QToolTip

from .network_items import INK, MUTED, Edge, Node, Text


class CanvasPointer:
    """Hover, clicks and tooltips over the canvas's records (see the module docstring)."""

    def item_at(self, pos: QPoint):
        """What a pointer at viewport ``pos`` is over, topmost first as drawn: a bias text, a
        node, the hovered edge, another edge; or a plain text over them, or None."""
        return self._record_at(self.mapToScene(pos))

    def _record_at(self, p: QPointF, *, plain_texts: bool = True):
        """The record drawn topmost at scene point ``p``: a text (a plain one only with
        ``plain_texts``: it takes no pointer events, but it hides what is under it from a
        tooltip), a node, the hovered edge, another edge; or None."""
        for layer in reversed(self._bias):
            for text in layer:
                if text.visible and text.scene_rect().contains(p):
                    return text
        if plain_texts:
            for text in self._texts():
                if text.visible and text.scene_rect().contains(p):
                    return text
        for column in reversed(self._nodes):
            for node in column:
                if node.contains(p):
                    return node
        hovered = self._hover if isinstance(self._hover, Edge) else None
        if hovered is not None and hovered.contains(p):
            return hovered
        for layer in reversed(self._flat_edges):
            for edge in reversed(layer):
                if edge.contains(p):
                    return edge
        return None

    def _bias_place(self, text) -> tuple[int, int] | None:
        """(k, j) when ``text`` is the bias text of unit j of dense layer k, else None."""
        return next(((k, j) for k, layer in enumerate(self._bias)
                     for j, t in enumerate(layer) if t is text), None)

    def _set_hover(self, record):
        """The pointer is over ``record`` (None: over nothing that answers it)."""
        old = self._hover
        if record is old:
            return
        self._hover = record
        self._hovered(old, False)
        self._hovered(record, True)
        if isinstance(record, (Edge, Text)):      # a click edits it
            self.viewport().setCursor(Qt.CursorShape.PointingHandCursor)
        else:
            self.viewport().unsetCursor()
        self._canvas.update()

    def _hovered(self, record, entered: bool):
        if isinstance(record, Node):
            self._node_hovered(record, entered)
        elif isinstance(record, Edge):
            self._edge_hovered(record, entered)
        elif isinstance(record, Text):            # a bias text darkens
            record.color = INK if entered else MUTED

    def _node_hovered(self, node: Node, entered: bool):
        node.hovered = entered
        if entered:
            self.session.hover_unit(-2 if node.k < 0 else node.k, node.j)
        else:
            self.session.hover_unit(-1, -1)

    def _edge_hovered(self, edge: Edge, entered: bool):
        edge.hovered = entered
        for node in (self.node_item(edge.k - 1, edge.i), self.node_item(edge.k, edge.j)):
            node.hovered = entered

    def _pointer_record(self, pos):
        """What answers the pointer at viewport ``pos``: a bias text, a node, an edge or None."""
        return self._record_at(self.mapToScene(pos.toPoint()), plain_texts=False)

    def mouseMoveEvent(self, event):
        self._set_hover(self._pointer_record(event.position()))
        super().mouseMoveEvent(event)

    def mousePressEvent(self, event):
        record = self._pointer_record(event.position())
        if event.button() == Qt.MouseButton.LeftButton and isinstance(record, (Edge, Text)):
            self._pressed = record
            event.accept()
            return
        super().mousePressEvent(event)

    def mouseReleaseEvent(self, event):
        pressed, self._pressed = self._pressed, None
        if event.button() == Qt.MouseButton.LeftButton and pressed is not None:
            if self._pointer_record(event.position()) is pressed:   # released where it began
                self._edit(pressed)
            event.accept()
            return
        super().mouseReleaseEvent(event)

    def mouseDoubleClickEvent(self, event):
        record = self._pointer_record(event.position())
        if event.button() == Qt.MouseButton.LeftButton and isinstance(record, Node) and record.k >= 0:
            self._edit_bias(record.k, record.j)   # works when the bias text is hidden too
            return
        if event.button() == Qt.MouseButton.LeftButton and isinstance(record, (Edge, Text)):
            self._pressed = record                # a second click of a double click
            return
        super().mouseDoubleClickEvent(event)

    def _edit(self, record):
        if isinstance(record, Edge):
            self._edit_weight(record.k, record.i, record.j)
        else:
            self._edit_bias(*self._bias_place(record))

    def _tooltip(self, record) -> str:
        if isinstance(record, Edge):
            return self._edge_tooltip_shown(record.k, record.i, record.j)
        if isinstance(record, Node):
            return self.node_tooltip(record.k, record.j)
        place = self._bias_place(record)
        if place is None:                         # nothing, or a caption or name
            return ""
        k, j = place
        b = float(self.session.network.dense[k].b[j])
        return f"bias of {self.unit_name(k, j)}: b = {b:.4g}\nclick to edit"

    def _edge_tooltip_shown(self, k: int, i: int, j: int) -> str:
        text = self.edge_tooltip(k, i, j)
        if self._grad is not None and self._focus_layer() == k:
            text += f"\n∂E/∂w = {float(self._grad[i, j]):.4g}"
        return text + "\nclick to edit"

    def viewportEvent(self, event):
        if event.type() == QEvent.Type.ToolTip:
            text = self._tooltip(self.item_at(event.pos()))
            if text:
                QToolTip.showText(event.globalPos(), text, self.viewport())
            else:
                QToolTip.hideText()
            return True
        if event.type() == QEvent.Type.Leave:   # off the drawing (the header row is not on it)
            self._set_hover(None)
        return super().viewportEvent(event)
