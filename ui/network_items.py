"""The network canvas's pieces: its scene items (a unit's node, a weight's edge, a bias's
text), the header's add/remove buttons, their colours and sizes, and the units' maps as images.
:class:`~ui.network_view.NetworkView` creates, places and updates them."""
from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import (QAction, QBrush, QColor, QFont, QImage, QPainterPath,
                           QPainterPathStroker, QPen, QPixmap)
from PySide6.QtWidgets import (QGraphicsItem, QGraphicsPathItem, QGraphicsPixmapItem,
                               QGraphicsRectItem, QGraphicsScene, QGraphicsSimpleTextItem,
                               QHBoxLayout, QLabel, QToolButton, QWidget)

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
HEADER_ROW = 34                 # the row of per-layer unit controls
DEPTH_ROW = 30                  # the row above it: the number of hidden layers
HEADER_HEIGHT = DEPTH_ROW + HEADER_ROW
EDGE_HIT_WIDTH = 8.0


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


# --- scene items ---------------------------------------------------------------------------
class _Hovered:
    """Tells the view when the pointer enters or leaves the item (``_hover_slot`` names the
    view's handler)."""
    _hover_slot = ""

    def hoverEnterEvent(self, event):
        getattr(self.view, self._hover_slot)(self, True)
        super().hoverEnterEvent(event)

    def hoverLeaveEvent(self, event):
        getattr(self.view, self._hover_slot)(self, False)
        super().hoverLeaveEvent(event)


class _ClickToEdit:
    """A left click (press and release on the item, ``_hit``) opens the item's edit (``_edit``)."""

    def mousePressEvent(self, event):
        if event.button() == Qt.MouseButton.LeftButton:
            event.accept()
        else:
            event.ignore()

    def mouseReleaseEvent(self, event):
        if event.button() == Qt.MouseButton.LeftButton and self._hit(event.pos()):
            self._edit()


class NodeItem(_Hovered, QGraphicsRectItem):
    """One unit: a square (its map, when there is one) in a ring coloured by its bias.

    ``border`` is the ring (its pen colour is the bias colour); ``map`` holds the thumbnail.
    """

    _hover_slot = "_node_hovered"

    def __init__(self, view: "NetworkView", k: int, j: int):
        super().__init__()
        self.view, self.k, self.j = view, k, j
        self.size = 1.0
        self.setAcceptHoverEvents(True)
        self.setPen(QPen(Qt.PenStyle.NoPen))
        self.setBrush(QBrush(QColor(242, 243, 246)))
        self.setZValue(2)
        self.halo = QGraphicsPathItem(self)
        self.halo.setFlag(QGraphicsItem.GraphicsItemFlag.ItemStacksBehindParent)
        self.halo.setPen(QPen(Qt.PenStyle.NoPen))
        self.halo.setVisible(False)
        self.halo.setAcceptedMouseButtons(Qt.MouseButton.NoButton)
        self.map = QGraphicsPixmapItem(self)
        self.map.setTransformationMode(Qt.TransformationMode.SmoothTransformation)
        self.map.setVisible(False)
        self.map.setAcceptedMouseButtons(Qt.MouseButton.NoButton)
        self.border = QGraphicsRectItem(self)
        self.border.setBrush(QBrush(Qt.BrushStyle.NoBrush))
        self.border.setPen(QPen(OUTLINE, 1.0))
        self.border.setAcceptedMouseButtons(Qt.MouseButton.NoButton)
        self.inner = QGraphicsSimpleTextItem(self)  # the unit's name, when there is no map
        self.inner.setBrush(QBrush(MUTED))
        self.inner.setVisible(False)
        self.inner.setAcceptedMouseButtons(Qt.MouseButton.NoButton)
        self.ring = 1.0
        self.image: QImage | None = None
        self.hovered = False
        self.stage_color: QColor | None = None

    def set_geometry(self, center: QPointF, size: float):
        self.size = size
        self.setPos(center.x() - size / 2, center.y() - size / 2)
        self.setRect(0, 0, size, size)
        self.ring = ring_width(self.k + 1, size)
        r = self.ring / 2 + 0.5
        self.border.setRect(-r, -r, size + 2 * r, size + 2 * r)
        pen = self.border.pen()
        pen.setWidthF(self.ring)
        self.border.setPen(pen)
        m = self.ring + max(2.0, min(4.0, 0.09 * size))
        path = QPainterPath()
        path.addRoundedRect(QRectF(-m, -m, size + 2 * m, size + 2 * m), m * 0.8, m * 0.8)
        self.halo.setPath(path)
        if self.image is not None:
            self.map.setScale(size / max(1, self.image.width()))
        pixels = max(1, int(round(min(13.0, 0.36 * size))))
        if self.inner.font().pixelSize() != pixels:      # (setFont lays the text out again)
            self.inner.setFont(_font(pixels))
        r = self.inner.boundingRect()
        self.inner.setPos((size - r.width()) / 2, (size - r.height()) / 2)

    def set_bias_color(self, color: QColor):
        self.border.setPen(QPen(color, self.ring))

    def set_label(self, text: str, visible: bool):
        if self.inner.text() != text:
            self.inner.setText(text)
        self.inner.setVisible(visible)

    def set_image(self, image: QImage | None):
        """Show ``image`` as the unit's map (None: no map)."""
        self.image = image
        if image is None:
            self.map.setVisible(False)
            self.map.setPixmap(QPixmap())
            return
        self.map.setPixmap(QPixmap.fromImage(image))
        self.map.setScale(self.size / max(1, image.width()))
        self.map.setVisible(True)

    def set_state(self, hovered: bool | None = None, stage_color: QColor | None | bool = False):
        if hovered is not None:
            self.hovered = hovered
        if stage_color is not False:
            self.stage_color = stage_color
        color = HOVER if self.hovered else self.stage_color
        self.halo.setVisible(color is not None)
        if color is not None:
            self.halo.setBrush(QBrush(color))

    def tooltip_text(self) -> str:
        return self.view.node_tooltip(self.k, self.j)

    def mousePressEvent(self, event):
        event.ignore()

    def mouseDoubleClickEvent(self, event):
        if self.k >= 0 and event.button() == Qt.MouseButton.LeftButton:
            self.view._edit_bias(self.k, self.j)  # works when the bias text is hidden too
        else:
            event.ignore()


class EdgeItem(_ClickToEdit, _Hovered, QGraphicsPathItem):
    """Weight ``dense[k].W[i, j]``: a curve from unit i of layer k to unit j of layer k+1."""

    _hover_slot = "_edge_hovered"

    def __init__(self, view: "NetworkView", k: int, i: int, j: int):
        super().__init__()
        self.view, self.k, self.i, self.j = view, k, i, j
        self._shape: QPainterPath | None = None
        self.key = -1  # colour row and width step of the current pen
        self.setAcceptHoverEvents(True)
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.setZValue(0)
        self.glow = QGraphicsPathItem(self)
        self.glow.setFlag(QGraphicsItem.GraphicsItemFlag.ItemStacksBehindParent)
        self.glow.setAcceptedMouseButtons(Qt.MouseButton.NoButton)
        self.glow.setVisible(False)
        self.hovered = False
        self.stage_color: QColor | None = None

    def set_curve(self, p0: QPointF, p1: QPointF):
        mid = (p0.x() + p1.x()) / 2
        path = QPainterPath(p0)
        path.cubicTo(QPointF(mid, p0.y()), QPointF(mid, p1.y()), p1)
        self._shape = None
        self.setPath(path)
        self.glow.setPath(path)

    def shape(self) -> QPainterPath:  # a wide, constant hit area (the pen can be 0.5 px)
        if self._shape is None:
            stroker = QPainterPathStroker()
            stroker.setWidth(EDGE_HIT_WIDTH)
            self._shape = stroker.createStroke(self.path())
        return self._shape

    def set_state(self, hovered: bool | None = None, stage_color: QColor | None | bool = False):
        if hovered is not None:
            self.hovered = hovered
        if stage_color is not False:
            self.stage_color = stage_color
        self.refresh_glow()

    def refresh_glow(self):
        color = HOVER if self.hovered else self.stage_color
        self.glow.setVisible(color is not None)
        if color is not None:
            pen = QPen(color, self.pen().widthF() + 4.0)
            pen.setCapStyle(Qt.PenCapStyle.RoundCap)
            self.glow.setPen(pen)
        self.setZValue(1 if self.hovered else 0)

    def tooltip_text(self) -> str:
        return self.view._edge_tooltip_shown(self.k, self.i, self.j)

    def _hit(self, pos) -> bool:
        return self.shape().contains(pos)

    def _edit(self):
        self.view._edit_weight(self.k, self.i, self.j)


class BiasText(_ClickToEdit, QGraphicsSimpleTextItem):
    """``b=0.12`` under a node; a click edits the bias."""

    def __init__(self, view: "NetworkView", k: int, j: int, font: QFont):
        super().__init__()
        self.view, self.k, self.j = view, k, j
        self.setFont(font)
        self.setBrush(QBrush(MUTED))
        self.setAcceptHoverEvents(True)
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.setZValue(3)
        self.anchor = QPointF()  # top centre

    def set_anchor(self, anchor: QPointF):
        self.anchor = anchor
        self._place()

    def _place(self):
        r = self.boundingRect()
        self.setPos(self.anchor.x() - r.width() / 2, self.anchor.y())

    def set_value(self, b: float):
        text = f"b={_num(b)}"
        if text != self.text():
            self.setText(text)
            self._place()

    def tooltip_text(self) -> str:
        b = float(self.view.session.network.dense[self.k].b[self.j])
        return f"bias of {self.view.unit_name(self.k, self.j)}: b = {b:.4g}\nclick to edit"

    def hoverEnterEvent(self, event):
        self.setBrush(QBrush(INK))
        super().hoverEnterEvent(event)

    def hoverLeaveEvent(self, event):
        self.setBrush(QBrush(MUTED))
        super().hoverLeaveEvent(event)

    def _hit(self, pos) -> bool:
        return self.contains(pos)

    def _edit(self):
        self.view._edit_bias(self.k, self.j)


def _text(scene: QGraphicsScene, text: str, font: QFont, color: QColor) -> QGraphicsSimpleTextItem:
    item = scene.addSimpleText(text, font)
    item.setBrush(QBrush(color))
    item.setAcceptedMouseButtons(Qt.MouseButton.NoButton)
    item.setZValue(3)  # above a node's glow
    return item


def _place_text(item: QGraphicsSimpleTextItem, x: float, y: float, align: str = "center"):
    """Put ``item`` with its top at y, its centre (or right edge, align="right") at x."""
    r = item.boundingRect()
    left = x - r.width() if align == "right" else x - r.width() / 2
    item.setPos(left, y)


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
        for button in (self.remove, self.add):
            button.setFixedSize(24, 24)
        row.addWidget(self.remove)
        row.addWidget(self.label)
        row.addWidget(self.add)

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
        value = self._ask_weight(k, i, j, float(self.session.network.dense[k].W[i, j]))
        if value is None:
            return
        try:
            self.session.set_weight(k, i, j, value)
        except NnvizError as exc:
            self.session.report(str(exc))

    def _edit_bias(self, k: int, j: int):
        value = self._ask_bias(k, j, float(self.session.network.dense[k].b[j]))
        if value is None:
            return
        try:
            self.session.set_bias(k, j, value)
        except NnvizError as exc:
            self.session.report(str(exc))
