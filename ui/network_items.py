"""The network canvas's pieces: what it draws — a unit's node, a weight's edge, a text — as
plain records, the one scene item that paints them all, the header's add/remove buttons, their
colours and sizes, and the units' maps as images. :class:`~ui.network_view.NetworkView` makes,
places and updates the records and finds which one is under the pointer; :class:`CanvasItem`
paints them. One item instead of one or more per node, edge and text: a 30-input table drew
about 450 scene items, each made, placed and moved on every change of shape."""
from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import (QAction, QBrush, QColor, QFont, QImage, QPainter, QPainterPath,
                           QPainterPathStroker, QPen, QTextLayout)
from PySide6.QtWidgets import QGraphicsItem, QHBoxLayout, QLabel, QToolButton, QWidget

from nnviz.core.stages import sup
from nnviz.errors import NnvizError

from . import colors, dialogs
from .canvas_layout import ring_width

if TYPE_CHECKING:
    from .network_view import NetworkView

BACKGROUND = QColor(252, 252, 253)
INK = QColor(40, 44, 52)
MUTED = QColor(105, 111, 122)
FAINT = QColor(150, 155, 165)
OUTLINE = QColor(160, 164, 172)
HOVER = QColor(25, 30, 40, 100)
FORWARD_GLOW = QColor(255, 166, 0, 150)    # amber: the forward pass
BACKWARD_GLOW = QColor(145, 75, 215, 140)  # violet: the backward pass
GRADIENT_INK = QColor(115, 50, 180)        # a caption naming a gradient, in the glow's violet
HEADER_ROW = 34                 # the row of per-layer unit controls
DEPTH_ROW = 30                  # the row above it: the number of hidden layers
HEADER_HEIGHT = DEPTH_ROW + HEADER_ROW
EDGE_HIT_WIDTH = 8.0
NODE_FILL = QBrush(QColor(242, 243, 246))


def _font(pixels: float, bold: bool = False) -> QFont:
    f = QFont()
    f.setPixelSize(max(1, int(round(pixels))))
    f.setBold(bold)
    return f


def _finite_max(a) -> float:
    """max |a| over finite values, or 0."""
    a = np.abs(np.asarray(a, dtype=np.float64))
    a = a[np.isfinite(a)]
    return float(a.max()) if a.size else 0.0


def _num(x: float) -> str:
    """Two decimals, without the "-0.00" of a tiny negative; e-notation from 10⁵ on (weights
    restored after a divergence can be 1e100: a label stays short)."""
    if abs(x) >= 1e5:
        return f"{x:.2e}"
    text = f"{x:.2f}"
    return "0.00" if text == "-0.00" else text


LUT32 = colors.LUT32
WIDTH_STEPS = 4  # edge widths are quantised to 1/4 px so unchanged pens can be skipped


def map_images(values: np.ndarray, vmax) -> list[QImage]:
    """(res_y, res_x, units) values → one QImage per unit on the symmetric scale ±vmax.

    ``vmax`` is a scalar or one value per unit. Row i of ``values`` is y = ys[i]; the images are
    flipped so +y is up. Vectorised: one pass of :func:`colors.lut_index` and one lookup in a
    32-bit LUT for all units.
    """
    idx = colors.lut_index(values, vmax)
    argb = LUT32[np.ascontiguousarray(idx[::-1].transpose(2, 0, 1))]  # (units, h, w) uint32
    _, h, w = argb.shape
    return [QImage(argb[u].data, w, h, 4 * w, QImage.Format.Format_RGB32).copy()
            for u in range(argb.shape[0])]


# --- what the canvas draws ------------------------------------------------------------------
# Laid-out texts by (text, font key), shared by every record that shows the same text in the
# same font (a layout is only drawn, never changed): a table's column names, the toy data's
# x1 and x2 again, a bias value seen before.
_LAYOUTS: dict[tuple[str, str], tuple[QTextLayout, tuple[float, float]]] = {}
_LAYOUTS_MAX = 2048


class Text:
    """A line of text whose top-left corner is ``pos`` (scene pixels), drawn as a
    QGraphicsSimpleTextItem draws it (one QTextLayout line), laid out once per text and font."""

    __slots__ = ("_text", "font", "color", "pos", "visible", "anchor", "_layout", "_size")

    def __init__(self, text: str, font: QFont, color: QColor):
        self._text, self.font, self.color = text, font, color
        self.pos = QPointF()
        self.visible = True
        self.anchor: tuple[float, float, str] | None = None   # where place() put it
        self._layout: QTextLayout | None = None
        self._size = (0.0, 0.0)

    def text(self) -> str:
        return self._text

    def set_text(self, text: str):
        """A new text keeps the place it was given (its anchor)."""
        if text != self._text:
            self._text = text
            self._layout = None
            if self.anchor is not None:
                self.place(*self.anchor)

    def set_font(self, font: QFont):
        self.font = font
        self._layout = None
        if self.anchor is not None:
            self.place(*self.anchor)

    def _laid_out(self) -> QTextLayout:
        if self._layout is None:
            key = (self._text, self.font.key())
            laid = _LAYOUTS.get(key)
            if laid is None:
                layout = QTextLayout(self._text, self.font)
                layout.setCacheEnabled(True)
                layout.beginLayout()
                line = layout.createLine()
                while layout.createLine().isValid():
                    pass
                layout.endLayout()
                line.setPosition(QPointF(0.0, 0.0))
                if len(_LAYOUTS) >= _LAYOUTS_MAX:    # names of tables long closed, old biases
                    _LAYOUTS.clear()
                laid = _LAYOUTS[key] = (layout, (line.naturalTextWidth(), line.height()))
            self._layout, self._size = laid
        return self._layout

    def size(self) -> tuple[float, float]:
        self._laid_out()
        return self._size

    def place(self, x: float, y: float, align: str = "center"):
        """Top at y, the centre (or the right edge, align="right") at x."""
        self.anchor = (x, y, align)
        w = self.size()[0]
        self.pos = QPointF(x - w if align == "right" else x - w / 2, y)

    def scene_rect(self) -> QRectF:
        w, h = self.size()
        return QRectF(self.pos.x(), self.pos.y(), w, h)

    def draw(self, painter: QPainter):
        """In its colour (the painter has no brush)."""
        painter.setFont(self.font)
        painter.setPen(QPen(self.color))
        self._laid_out().draw(painter, self.pos)


class Node:
    """One unit: a square (its map, when there is one) in a ring coloured by its bias, with a
    halo while it is hovered or its layer is being computed. ``k`` = -1 for an input."""

    __slots__ = ("k", "j", "center", "size", "ring", "image", "flat", "ring_color", "hovered",
                 "stage_color", "label", "label_visible")

    def __init__(self, k: int, j: int):
        self.k, self.j = k, j
        self.center = QPointF()
        self.size = 1.0
        self.ring = 1.0
        self.image: QImage | None = None
        self.flat: QColor | None = None   # the colour of a 1 × 1 map (a held input's)
        self.ring_color = OUTLINE
        self.hovered = False
        self.stage_color: QColor | None = None
        self.label = Text("", _font(13), MUTED)    # the unit's name, when there is no map
        self.label_visible = False

    def set_geometry(self, center: QPointF, size: float):
        self.center, self.size = center, size
        self.ring = ring_width(self.k + 1, size)
        pixels = max(1, int(round(min(13.0, 0.36 * size))))
        if self.label.font.pixelSize() != pixels:
            self.label.set_font(_font(pixels))
        self._place_label()

    def _place_label(self):
        w, h = self.label.size()
        x0, y0 = self.center.x() - self.size / 2, self.center.y() - self.size / 2
        self.label.pos = QPointF(x0 + (self.size - w) / 2, y0 + (self.size - h) / 2)

    def set_label(self, text: str, visible: bool):
        if text != self.label.text():
            self.label.set_text(text)
            self._place_label()
        self.label_visible = visible

    def set_image(self, image: QImage | None):
        """Show ``image`` as the unit's map (None: no map). Drawn as it is: a raster paint
        engine draws a QImage as fast as a QPixmap, which would be one more copy."""
        self.image = image
        flat = image is not None and image.width() == 1 == image.height()
        self.flat = QColor(image.pixel(0, 0)) if flat else None

    @property
    def halo_color(self) -> QColor | None:
        return HOVER if self.hovered else self.stage_color

    def _halo_margin(self) -> float:
        return self.ring + max(2.0, min(4.0, 0.09 * self.size))

    def scene_rect(self) -> QRectF:
        """The square (without its ring)."""
        s = self.size
        return QRectF(self.center.x() - s / 2, self.center.y() - s / 2, s, s)

    def contains(self, p: QPointF) -> bool:
        """Under the pointer: the square, its ring, and its halo while that shows."""
        grow = self._halo_margin() if self.halo_color is not None else self.ring + 0.5
        return self.scene_rect().adjusted(-grow, -grow, grow, grow).contains(p)

    def draw(self, painter: QPainter):
        s = self.size
        x0, y0 = self.center.x() - s / 2, self.center.y() - s / 2
        halo = self.halo_color
        if halo is not None:
            m = self._halo_margin()
            path = QPainterPath()
            path.addRoundedRect(QRectF(x0 - m, y0 - m, s + 2 * m, s + 2 * m), m * 0.8, m * 0.8)
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(QBrush(halo))
            painter.drawPath(path)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(NODE_FILL)
        painter.drawRect(QRectF(x0, y0, s, s))
        if self.flat is not None:
            painter.fillRect(QRectF(x0, y0, s, s), self.flat)
        elif self.image is not None:
            painter.save()
            painter.translate(x0, y0)
            scale = s / max(1, self.image.width())
            painter.scale(scale, scale)
            painter.drawImage(QPointF(0.0, 0.0), self.image)
            painter.restore()
        r = self.ring / 2 + 0.5
        painter.setPen(QPen(self.ring_color, self.ring))
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawRect(QRectF(x0 - r, y0 - r, s + 2 * r, s + 2 * r))
        if self.label_visible:
            self.label.draw(painter)


_NO_PATH, _NO_RECT, _NO_PEN = QPainterPath(), QRectF(), QPen()


class Edge:
    """Weight ``dense[k].W[i, j]``: a curve from unit i of layer k to unit j of layer k+1, its
    pen the weight's colour and width, glowing while hovered or its layer is being computed."""

    __slots__ = ("k", "i", "j", "_path", "_bounds", "_shape", "pen", "key", "hovered",
                 "stage_color", "opacity")

    def __init__(self, k: int, i: int, j: int):
        # No Qt object of its own until it is laid out and coloured (they are replaced, never
        # changed in place): opening a 30-input table makes 112 edges, going back drops them.
        self.k, self.i, self.j = k, i, j
        self._path = _NO_PATH
        self._bounds = _NO_RECT
        self._shape: QPainterPath | None = None
        self.pen = _NO_PEN
        self.key = -1  # colour row and width step of the current pen
        self.hovered = False
        self.stage_color: QColor | None = None
        self.opacity = 1.0

    def set_curve(self, x0: float, y0: float, x1: float, y1: float):
        """The curve from (x0, y0) to (x1, y1), leaving and arriving level. Numbers, not
        QPointF: a 30-input table lays out 124 edges, and every Qt object made here costs."""
        mid = (x0 + x1) / 2
        path = QPainterPath()
        path.moveTo(x0, y0)
        path.cubicTo(mid, y0, mid, y1, x1, y1)
        half = EDGE_HIT_WIDTH / 2
        self._path, self._shape = path, None
        # (The control points lie in the box of the two ends.)
        self._bounds = QRectF(min(x0, x1) - half, min(y0, y1) - half,
                              abs(x1 - x0) + 2 * half, abs(y1 - y0) + 2 * half)

    def path(self) -> QPainterPath:
        return self._path

    @property
    def glow_color(self) -> QColor | None:
        return HOVER if self.hovered else self.stage_color

    def contains(self, p: QPointF) -> bool:
        """A constant hit width (the pen can be 0.5 px)."""
        if not self._bounds.contains(p):        # (most edges, at a glance)
            return False
        if self._shape is None:
            stroker = QPainterPathStroker()
            stroker.setWidth(EDGE_HIT_WIDTH)
            self._shape = stroker.createStroke(self._path)
        return self._shape.contains(p)

    def draw(self, painter: QPainter):
        """Its glow and its curve (the painter has no brush and the edge's opacity)."""
        glow = self.glow_color
        if glow is not None:
            pen = QPen(glow, self.pen.widthF() + 4.0)
            pen.setCapStyle(Qt.PenCapStyle.RoundCap)
            painter.setPen(pen)
            painter.drawPath(self._path)
        painter.setPen(self.pen)
        painter.drawPath(self._path)


class CanvasItem(QGraphicsItem):
    """The one scene item of the canvas: it paints the view's edges, nodes and texts in the
    order separate items would stack — edges, the hovered edge over the others, nodes, texts."""

    def __init__(self, view: "NetworkView"):
        super().__init__()
        self.view = view
        self._rect = QRectF()
        self.setAcceptedMouseButtons(Qt.MouseButton.NoButton)

    def set_rect(self, rect: QRectF):
        if rect != self._rect:
            self.prepareGeometryChange()
            self._rect = rect

    def boundingRect(self) -> QRectF:
        return self._rect

    def paint(self, painter: QPainter, option=None, widget=None):
        view = self.view
        hovered = None
        painter.setBrush(Qt.BrushStyle.NoBrush)
        opacity = 1.0
        for layer in view._flat_edges:
            for edge in layer:
                if edge.hovered:
                    hovered = edge
                    continue
                if edge.opacity != opacity:
                    opacity = edge.opacity
                    painter.setOpacity(opacity)
                edge.draw(painter)
        if hovered is not None:
            painter.setOpacity(hovered.opacity)
            hovered.draw(painter)
        painter.setOpacity(1.0)
        for column in view._nodes:
            for node in column:
                node.draw(painter)
        painter.setBrush(Qt.BrushStyle.NoBrush)
        for text in view._texts():
            if text.visible:
                text.draw(painter)


# --- header row (lives in the view's top margin) --------------------------------------------
class _LayerControls(QWidget):
    """``[−] 4 neurons [+]`` above one hidden layer."""

    def __init__(self, parent: QWidget):
        super().__init__(parent)
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(5)
        self.remove = QToolButton(self)
        self.add = QToolButton(self)
        self.label = QLabel(self)
        self.label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.label.setStyleSheet("color: rgb(40, 44, 52);")
        self.compact = None
        self.set_compact(False)
        row.addWidget(self.remove)
        row.addWidget(self.label)
        row.addWidget(self.add)

    def set_compact(self, compact: bool):
        """Smaller buttons, closer together: a deep network's columns in a narrow window are
        too close for the full size, and one column's + ran into the next one's −."""
        if compact == self.compact:
            return
        self.compact = compact
        side = 18 if compact else 24
        for button in (self.remove, self.add):
            button.setFixedSize(side, side)
        self.layout().setSpacing(2 if compact else 5)

    def use_actions(self, add: QAction | None, remove: QAction | None):
        for button, action in ((self.add, add), (self.remove, remove)):
            if action is None:
                continue
            button.setDefaultAction(action)
            if action.icon().isNull():
                # The button copies the action's text again whenever the action changes.
                action.changed.connect(self._show_signs)
            else:
                button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonIconOnly)
        self._show_signs()

    def _show_signs(self):
        for button, sign in ((self.add, "+"), (self.remove, "−")):
            action = button.defaultAction()
            if action is None or action.icon().isNull():
                button.setText(sign)


class ParameterEdits:
    """The canvas's edits: a click on an edge or a bias text asks for the new value and hands
    it to the session (a mixin of :class:`~ui.network_view.NetworkView`)."""

    def _ask_weight(self, k: int, i: int, j: int, current: float) -> float | None:
        """Ask the user for a new value of ``dense[k].W[i, j]``; None when cancelled."""
        label = (f"Weight W{sup(k + 1)}[{i + 1},{j + 1}] from {self.unit_name(k - 1, i)} "
                 f"to {self.unit_name(k, j)}:")
        return dialogs.ask_number(self, "Edit weight", label, current, -1e6, 1e6, 3)

    def _ask_bias(self, k: int, j: int, current: float) -> float | None:
        """Ask the user for a new value of ``dense[k].b[j]``; None when cancelled."""
        label = f"Bias b{sup(k + 1)}[{j + 1}] of {self.unit_name(k, j)}:"
        return dialogs.ask_number(self, "Edit bias", label, current, -1e6, 1e6, 3)

    def _edit_weight(self, k: int, i: int, j: int):
        current = float(self.session.network.dense[k].W[i, j])
        value = self._ask_weight(k, i, j, current)
        if value is None or value == current:     # (cancelled, or OK on the same number)
            return
        try:
            self.session.set_weight(k, i, j, value)
        except NnvizError as exc:
            self.session.report(str(exc))

    def _edit_bias(self, k: int, j: int):
        current = float(self.session.network.dense[k].b[j])
        value = self._ask_bias(k, j, current)
        if value is None or value == current:
            return
        try:
            self.session.set_bias(k, j, value)
        except NnvizError as exc:
            self.session.report(str(exc))
