"""An axis's ticks and labels worked out with fewer Python objects than pyqtgraph makes.

pyqtgraph lays an axis out in ``AxisItem.generateDrawSpecs``: the tick values of each level,
a line per tick, the tick texts, which of them fit. It is general (log axes, grids, fixed
ticks, tick alphas) and makes several Python objects per tick; laying out one axis of the loss
or Output plot took about 0.8 ms, and a new dataset lays out four axes. :func:`draw_specs`
does the plain case — a linear axis with computed ticks, no grid, values shown, the default
tick alphas — to the same result: the same tick values (:func:`tick_values`), the same tick
lines and pens, the same texts in the same rectangles, the same text space asked for
(``tests/test_axis_specs.py`` compares the two on many ranges and sizes). Anything else
returns ``NotImplemented`` and pyqtgraph does it.
"""
from __future__ import annotations

from math import ceil, hypot

import numpy as np
from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QPen

_CENTRE = QRectF(0, 0, 100, 100)
_ALIGN = {"left": Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
          "right": Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
          "top": Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignBottom,
          "bottom": Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop}
_FLAGS = {side: flags | Qt.TextFlag.TextDontClip for side, flags in _ALIGN.items()}
_SIZES: dict[tuple[str, str], tuple[float, float]] = {}   # (font key, text) → (width, 0.8·height)
_SIZES_MAX = 4096


def tick_values(axis, lo: float, hi: float, size: float) -> list[tuple[float, list[float]]]:
    """``AxisItem.tickValues`` for a linear axis: the same levels and values. A value is
    dropped from a level when a coarser level has one within spacing/100 (pyqtgraph's rule,
    there with ``np.isclose``, which costs more than the comparison itself)."""
    lo, hi = sorted((lo, hi))
    scale = axis.scale
    lo *= scale
    hi *= scale
    ticks = []
    seen = np.empty(0)
    for spacing, offset in axis.tickSpacing(lo, hi, size):
        start = (ceil((lo - offset) / spacing) * spacing) + offset
        num = int((hi - start) / spacing) + 1
        values = (np.arange(num) * spacing + start) / scale
        if seen.size and values.size:
            near = np.abs(seen - values[:, np.newaxis]) <= spacing / scale * 0.01
            values = values[~near.any(axis=-1)]
        seen = np.concatenate([seen, values])
        ticks.append((spacing / scale, values.tolist()))
    return ticks


def _text_size(painter, key: str, text: str) -> tuple[float, float]:
    size = _SIZES.get((key, text))
    if size is None:
        if len(_SIZES) >= _SIZES_MAX:    # tick labels of ranges long gone
            _SIZES.clear()
        br = painter.boundingRect(_CENTRE, Qt.AlignmentFlag.AlignCenter, text)
        size = _SIZES[(key, text)] = (br.width(), br.height() * 0.8)
    return size


def is_plain(axis) -> bool:
    style = axis.style
    return (not axis.logMode and axis._tickLevels is None and axis.grid is False
            and style["showValues"] and style["tickAlpha"] is None
            and tuple(style["stopAxisAtTick"]) == (False, False)
            and axis.orientation in _ALIGN)


def _frozen(value):
    """A style value as a key: lists as tuples, a font as its key."""
    if isinstance(value, (list, tuple)):
        return tuple(_frozen(v) for v in value)
    if isinstance(value, QFont):
        return value.key()
    return value


def _pen_key(pen: QPen) -> tuple:
    return pen.color().rgba(), pen.widthF(), int(pen.style().value), pen.isCosmetic()


def layout_key(axis) -> tuple | None:
    """Everything :func:`draw_specs` and the drawing of its specs read from the axis, as a key:
    two plain axes with equal keys get the same picture. None when the axis is not plain or is
    not in a view."""
    if not is_plain(axis):
        return None
    t = axis.deviceTransform_()
    if t is None:
        return None
    g = axis.mapRectFromParent(axis.geometry())
    font = axis.style["tickFont"] or QFont()
    return (axis.orientation, tuple(axis.range), axis.scale, axis.autoSIPrefixScale,
            axis._tickDensity, _frozen(axis._tickSpacing), g.getRect(),
            (t.m11(), t.m12(), t.m21(), t.m22()), axis.textWidth, axis.textHeight,
            tuple(sorted((k, _frozen(v)) for k, v in axis.style.items())), font.key(),
            _pen_key(axis.pen()), _pen_key(axis.tickPen()), _pen_key(axis.textPen()))


def draw_specs(axis, p):
    """``(axisSpec, tickSpecs, textSpecs)`` as ``AxisItem.generateDrawSpecs`` makes them, or
    None when there is nothing to draw, or ``NotImplemented`` when the axis is not plain."""
    if not is_plain(axis):
        return NotImplemented
    style = axis.style
    if style["tickFont"] is not None:
        p.setFont(style["tickFont"])
    bounds = axis.mapRectFromParent(axis.geometry())
    side = axis.orientation
    if side == "left":
        span = (bounds.topRight() + QPointF(-1.0, -1.0), bounds.bottomRight() + QPointF(-1.0, 1.0))
        tick_start, tick_stop, direction, along = bounds.right(), bounds.right(), -1, 0
    elif side == "right":
        span = (bounds.topLeft() + QPointF(1.0, -1.0), bounds.bottomLeft() + QPointF(1.0, 1.0))
        tick_start, tick_stop, direction, along = bounds.left(), bounds.left(), 1, 0
    elif side == "top":
        span = (bounds.bottomLeft() + QPointF(-1.0, -1.0), bounds.bottomRight() + QPointF(1.0, -1.0))
        tick_start, tick_stop, direction, along = bounds.bottom(), bounds.bottom(), -1, 1
    else:
        span = (bounds.topLeft() + QPointF(-1.0, 1.0), bounds.topRight() + QPointF(1.0, 1.0))
        tick_start, tick_stop, direction, along = bounds.top(), bounds.top(), 1, 1
    points = [axis.mapToDevice(q) for q in span]
    if None in points:
        return None
    d = points[1] - points[0]
    length = hypot(d.x(), d.y())
    if length == 0:
        return None
    levels = axis.tickValues(axis.range[0], axis.range[1], length)

    r0, r1 = axis.range
    dif = r1 - r0
    if dif == 0:
        x_scale, offset = 1, 0
    elif along == 0:
        x_scale = -bounds.height() / dif
        offset = r0 * x_scale - bounds.height()
    else:
        x_scale = bounds.width() / dif
        offset = r0 * x_scale
    x_range = [x * x_scale - offset for x in axis.range]
    x_min, x_max = min(x_range), max(x_range)

    positions: list[list[float | None]] = []
    tick_specs = []
    base_pen = axis.tickPen()
    solid = base_pen.brush().style() == Qt.BrushStyle.SolidPattern
    for i, (_, values) in enumerate(levels):
        tick_length = style["tickLength"] / ((i * 0.5) + 1.0)
        pen = base_pen
        if solid:
            pen = QPen(base_pen)
            color = QColor(pen.color())
            color.setAlpha(int(255 / (i + 1)))
            pen.setColor(color)
        end = tick_stop + tick_length * direction
        row = []
        for v in values:
            x = (v * x_scale) - offset
            if x < x_min or x > x_max:
                row.append(None)
                continue
            row.append(x)
            if along == 0:     # a vertical axis: a tick runs along x at height x
                tick_specs.append((pen, QPointF(tick_start, x), QPointF(end, x)))
            else:
                tick_specs.append((pen, QPointF(x, tick_start), QPointF(x, end)))
        positions.append(row)
    axis_spec = (axis.pen(), span[0], span[1])

    text_offset = style["tickTextOffset"][along]
    gap = max(0, style["tickLength"]) + text_offset
    flags = _FLAGS[side]
    limits = style["textFillLimits"]
    font_key = p.font().key()
    room = axis.boundingRect()
    sizes: list[tuple[float, float]] = []        # every level's texts so far
    text_specs = []
    last_size2 = 0
    si_scale = axis.autoSIPrefixScale * axis.scale
    for i in range(min(len(levels), style["maxTextLevel"] + 1)):
        spacing, values = levels[i]
        strings = axis.tickStrings(values, si_scale, spacing)
        if len(strings) == 0:
            continue
        row = positions[i]
        level_sizes = [None if row[j] is None else _text_size(p, font_key, s)
                       for j, s in enumerate(strings)]
        sizes.extend(s for s in level_sizes if s is not None)
        if sizes:
            if along == 0:
                text_size = np.sum([h for _, h in sizes])
                text_size2 = np.max([w for w, _ in sizes])
            else:
                text_size = np.sum([w for w, _ in sizes])
                text_size2 = np.max([h for _, h in sizes])
        else:
            text_size = text_size2 = 0
        if i > 0:    # the first level always shows; a finer one only while the texts fit
            ratio = float(text_size) / length
            if any(len(text_specs) >= n and ratio >= limit for n, limit in limits):
                break
        last_size2 = text_size2
        for j, text in enumerate(strings):
            x = row[j]
            if x is None:
                continue
            width, height = level_sizes[j]
            if side == "left":
                rect = QRectF(tick_stop - gap - width, x - (height / 2), width, height)
            elif side == "right":
                rect = QRectF(tick_stop + gap, x - (height / 2), width, height)
            elif side == "top":
                rect = QRectF(x - width / 2., tick_stop - gap - height, width, height)
            else:
                rect = QRectF(x - width / 2., tick_stop + gap, width, height)
            if room & rect != rect:
                continue
            text_specs.append((rect, flags, text))
    axis._updateMaxTextSize(last_size2)
    return axis_spec, tick_specs, text_specs
