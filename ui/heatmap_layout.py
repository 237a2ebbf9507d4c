"""Where everything goes on the heatmap panel, for given matrices and widget size.

Plain functions and data (no Qt, no painting): :func:`heatmap_layout` returns each matrix's
image rectangle, its faint frame, title and the row and column labels that have room, and each
colour bar's rectangle, axis and ticks. :class:`~ui.heatmaps.HeatmapPanel` measures texts
(:class:`TextMetrics`, numbers and callables), calls it when the size, the arrangement or a
matrix's shape or names change, and only draws what it returns.

Grid: per dense layer k, W⁽ᵏ⁾ with b⁽ᵏ⁾ right under it, the layer's activations and ∂E/∂W⁽ᵏ⁾,
one colour bar per group (:func:`positions`). Columns share the width by number of units, rows
the height by number of matrix rows (:func:`share`); the row labels of one column line up, and
labels too long for the room are elided. When even the minimum sizes do not fit, they shrink
together and :attr:`HeatmapLayout.fits` is False; :attr:`HeatmapLayout.min_width` is the
width at which they do (a deep network's panel scrolls sideways to it).
"""
from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field

from .short_labels import distinct_labels

GROUPS = ("params", "act", "grads")

# Geometry, in pixels.
MARGINS = (4, 2, 4, 4)      # left, top, right, bottom
H_SPACING, V_SPACING = 4, 2
BAR_WIDTH = 9               # a colour bar's gradient
BAR_AXIS = 38               # its tick marks and level labels (at least: the panel widens it
                            # to its widest level label, see bar_axis_width)
BAR_TICK, BAR_MINOR_TICK = 3, 2
TEXT_OFFSET = 3             # between a label and the image (or a tick's end)
MAX_PER_UNIT = 64           # a plot is at most this wide per unit …
MAX_PLOT_WIDTH = 130        # … or this wide (labels included)
MIN_IMAGE_WIDTH = 44        # room for a column of numbers (−0.69)
MIN_LABEL_WIDTH = 24        # row labels are elided to no less than this

Rect = tuple[float, float, float, float]     # left, top, width, height
Line = tuple[float, float, float, float]     # x1, y1, x2, y2
Text = tuple[float, float, str]              # left, top, text


@dataclass(frozen=True)
class TextMetrics:
    """What the layout needs to know of a font: its line height, a text's advance, a text
    elided to a width, and the size (width, height) of a text as it is drawn."""
    height: float
    advance: Callable[[str], float]
    elide: Callable[[str, float], str]
    size: Callable[[str], tuple[float, float]]


@dataclass
class MatrixSpec:
    """A matrix as the layout sees it (the panel passes its own matrices: same attributes)."""
    shape: tuple[int, int]
    column: int                     # dense layer index (0-based)
    name: str
    title: str
    row_names: list[str]
    col_names: list[str]
    note: str = ""                  # shown instead of the values: no row labels


@dataclass
class MatrixPlace:
    rect: Rect                      # the image (whole pixels)
    frame: list[Line]               # top, left, right edges just outside the image
    title: Text
    title_box: tuple[float, float]  # (left, right) of the grid column the title stays in
    col_texts: list[Text] = field(default_factory=list)   # labels above the image
    row_texts: list[Text] = field(default_factory=list)   # labels left of it

    @property
    def col_labels(self) -> list[str]:
        return [t for _, _, t in self.col_texts]

    @property
    def row_labels(self) -> list[str]:
        return [t for _, _, t in self.row_texts]


@dataclass
class BarPlace:
    rect: Rect
    lines: list[Line]               # the frame (4) and the ticks at +1, ½, 0, −½, −1


@dataclass
class HeatmapLayout:
    mode: str
    matrices: dict[str, MatrixPlace]    # in the order of the positions (the drawing order)
    bars: dict[str, BarPlace]
    fits: bool                          # every image at least its minimum size, all inside
    min_width: float = 0.0              # the narrowest width at which every column fits

    def frame_lines(self) -> list[Line]:
        return [line for m in self.matrices.values() for line in m.frame]

    def bar_lines(self) -> list[Line]:
        return [line for b in self.bars.values() for line in b.lines]

    def label_texts(self) -> list[Text]:
        return [t for m in self.matrices.values() for t in m.col_texts + m.row_texts]

    def title_texts(self) -> list[Text]:
        return [m.title for m in self.matrices.values()]


def wanted_mode(width: float, height: float, tall_height: float = 0.0) -> str:
    """``"wide"`` (groups side by side: a bottom dock) or ``"tall"`` (groups stacked).
    ``tall_height``: the least height at which the stacked groups fit (:func:`min_height`);
    lower, they are side by side and the panel scrolls sideways, as stacked they were strips
    too thin to read, their colour bars' labels on top of one another."""
    w, h = width, max(height, 1)
    return "wide" if (w >= 1.6 * h and w >= 480) or h < tall_height else "tall"


def act_key(k: int, n_dense: int) -> str:
    """The key of dense layer k's activations: H, H2, …, yhat for the output."""
    return "yhat" if k == n_dense - 1 else ("H" if k == 0 else f"H{k + 1}")


def positions(mode: str, n_dense: int) -> tuple[dict, dict]:
    """(matrix key → (row, column, rowspan), group → (row, column, rowspan) of its bar)."""
    L = n_dense
    pos = {}
    act_keys = [act_key(k, L) for k in range(L)]
    if mode == "tall":   # rows: W, b, activations, gradients; a column per layer
        for k in range(L):
            pos[f"W{k + 1}"] = (0, k, 1)
            pos[f"b{k + 1}"] = (1, k, 1)
            pos[act_keys[k]] = (2, k, 1)
            pos[f"dW{k + 1}"] = (3, k, 1)
        bars = {"params": (0, L, 2), "act": (2, L, 1), "grads": (3, L, 1)}
    else:                # blocks side by side: [W over b] bar [H ŷ] bar [∂E/∂W] bar
        for k in range(L):
            pos[f"W{k + 1}"] = (0, k, 1)
            pos[f"b{k + 1}"] = (1, k, 1)
            pos[act_keys[k]] = (0, L + 1 + k, 2)
            pos[f"dW{k + 1}"] = (0, 2 * L + 2 + k, 2)
        bars = {"params": (0, L, 2), "act": (0, 2 * L + 1, 2), "grads": (0, 3 * L + 2, 2)}
    return pos, bars


def share(total: float, weights, mins, maxs) -> list[float]:
    """Split ``total`` in proportion to ``weights``, each part kept within [min, max].

    When even the minima do not fit they are scaled down together; when every part is at its
    maximum the rest is not given out (the sum is then less than ``total``).
    """
    n = len(weights)
    if n == 0:
        return []
    total = max(float(total), 0.0)
    low = sum(mins)
    if low >= total:
        f = total / low if low > 0 else 0.0
        return [m * f for m in mins]
    if sum(maxs) <= total:
        return list(maxs)

    # Part i is clip(λ·wᵢ, minᵢ, maxᵢ): the sum is piecewise linear in λ and never falls. Walk
    # its corners in order (a part starts growing at minᵢ/wᵢ, stops at maxᵢ/wᵢ) to the piece
    # that reaches ``total``, and solve that piece for λ.
    corners = []
    for w, mn, mx in zip(weights, mins, maxs):
        if w > 0 and mx > mn:
            corners.append((mn / w, w))
            corners.append((mx / w, -w))
    corners.sort()
    lam, slope = 0.0, 0.0
    reached = sum(min(mx, max(mn, 0.0)) for mn, mx in zip(mins, maxs))
    for at, dw in corners:
        if reached + slope * (at - lam) >= total:
            break
        reached += slope * (at - lam)
        lam, slope = at, slope + dw
    if slope > 0:
        lam += (total - reached) / slope
    return [min(mx, max(mn, lam * w)) for w, mn, mx in zip(weights, mins, maxs)]


def bar_y(rect: Rect, at: float) -> float:
    """The pixel row of ``at`` (−1 … 1 of the levels) on a colour bar in ``rect``."""
    return round(rect[1] + (1.0 - (at + 1.0) / 2.0) * (rect[3] - 1)) + 0.5


def is_bias(key: str) -> bool:
    return key.startswith("b")


@dataclass
class _Columns:
    x: dict[int, float]        # grid column → left
    width: dict[int, float]    # grid column → width
    left: dict[int, int]       # matrix column → room for the row labels (image starts there)
    fits: bool
    min_width: float           # the width at which the minimum sizes fit


@dataclass
class _Rows:
    y: list[float]             # grid row → top (of the title)
    axis: list[float]          # grid row → room for the column labels
    image_h: list[float]
    title_h: float
    fits: bool

    def image_top(self, r: int) -> int:
        return round(self.y[r] + self.title_h + self.axis[r])

    def image_bottom(self, r: int) -> int:
        return round(self.y[r] + self.title_h + self.axis[r] + self.image_h[r])


def _columns(mode, pos, bars, matrices, sizes, width, labels, titles, bar_axis) -> _Columns:
    """Grid columns: the matrices of one column share its row-label width; widths by units."""
    ml, _, mr, _ = MARGINS
    n_cols = max(c for _, c, _ in list(pos.values()) + list(bars.values())) + 1
    bar_cols = {c for _, c, _ in bars.values()}
    col_keys: dict[int, list[str]] = {}
    for key, (_, c, _) in pos.items():
        col_keys.setdefault(c, []).append(key)
    mat_cols = sorted(col_keys)
    label_w = {c: max((labels.advance(n) for key in col_keys[c] if not is_bias(key)
                       for n in matrices[key].row_names), default=0.0) for c in mat_cols}
    units = {c: max(1, sizes[matrices[col_keys[c][0]].column + 1]) for c in mat_cols}
    # A column is wide enough for its titles when there is room.
    title_w = {c: max(titles.advance(matrices[key].title) for key in col_keys[c]) + 2
               for c in mat_cols}
    fixed = ml + mr + H_SPACING * (n_cols - 1) + len(bar_cols) * (BAR_WIDTH + bar_axis)
    room = width - fixed

    cap = _label_cap(label_w, title_w, room)
    left = {c: int(min(label_w[c], cap)) + 8 for c in mat_cols}
    min_w = [max(MIN_IMAGE_WIDTH, title_w[c] - left[c]) for c in mat_cols]
    img_room = room - sum(left.values())
    img_w = share(img_room, [units[c] for c in mat_cols], min_w,
                  [max(MAX_PER_UNIT * units[c], MAX_PLOT_WIDTH - left[c], mn)
                   for c, mn in zip(mat_cols, min_w)])
    col_w = {c: left[c] + w for c, w in zip(mat_cols, img_w)}
    for c in bar_cols:
        col_w[c] = BAR_WIDTH + bar_axis
    spare = max(0.0, width - fixed - sum(col_w[c] for c in mat_cols))
    col_x = _column_x(mode, n_cols, col_w, bar_cols, spare)
    return _Columns(col_x, col_w, left, fits=sum(min_w) <= img_room,
                    min_width=_narrowest(fixed, label_w, title_w))


def _narrowest(fixed: float, label_w: dict, title_w: dict) -> float:
    """The width at which every column's minimum (label, image, title) fits."""
    return fixed + sum(max(min(label_w[c], MIN_LABEL_WIDTH) + 8 + MIN_IMAGE_WIDTH, title_w[c])
                       for c in label_w)


def _label_cap(label_w: dict, title_w: dict, room: float) -> float:
    """The width row labels are elided to: all of them when they fit the room, else one
    width for all, never below MIN_LABEL_WIDTH."""
    def need(cap):
        return sum(max(min(label_w[c], cap) + 8 + MIN_IMAGE_WIDTH, title_w[c]) for c in label_w)

    cap = max(label_w.values(), default=0.0)
    if need(cap) > room and cap > MIN_LABEL_WIDTH:
        lo, hi = float(MIN_LABEL_WIDTH), cap
        for _ in range(30):
            mid = (lo + hi) / 2
            if need(mid) > room:
                hi = mid
            else:
                lo = mid
        cap = lo
    return cap


def _column_x(mode: str, n_cols: int, col_w: dict, bar_cols: set, spare: float) -> dict:
    """Each grid column's left; spare width goes between the blocks of a wide panel, either
    side of a tall one."""
    x = float(MARGINS[0])
    if mode == "tall":
        x += spare / 2
        gaps = {}
    else:
        gaps = {c + 1: spare / 2 for c in sorted(bar_cols)[:2]}
    col_x = {}
    for c in range(n_cols):
        x += gaps.get(c, 0.0)
        col_x[c] = x
        x += col_w[c] + H_SPACING
    return col_x


def _row_sizes(mode, pos, matrices, labels, titles):
    """(title height, column-label room per grid row, minimum image height per grid row,
    height taken by everything but the images)."""
    _, mt, _, mb = MARGINS
    title_h = math.ceil(titles.height) + 6
    axis_h = math.ceil(labels.height) + 4
    n_rows = 4 if mode == "tall" else 2
    row_axis = [axis_h] * n_rows
    row_axis[1] = 1                                  # b: its columns are W's right above
    row_rows = {}
    for key, (r, _, span) in pos.items():
        if span == 1:
            row_rows[r] = max(row_rows.get(r, 1), matrices[key].shape[0])
    mins = [float(min(48, max(16, 4 * row_rows.get(r, 1)))) for r in range(n_rows)]
    fixed = mt + mb + V_SPACING * (n_rows - 1) + n_rows * title_h + sum(row_axis)
    return title_h, row_axis, mins, fixed


def min_height(mode: str, n_dense: int, matrices: dict, *, labels: TextMetrics,
               titles: TextMetrics) -> float:
    """The least height at which the groups fit in ``mode`` (below it they shrink together)."""
    pos, _ = positions(mode, n_dense)
    _, _, mins, fixed = _row_sizes(mode, pos, matrices, labels, titles)
    return fixed + sum(mins)


def _rows(mode, pos, matrices, sizes, height, labels, titles) -> _Rows:
    """Grid rows: matrix rows share the height by number of rows (fan-in, 1 for b, 3 for a
    batch), each at least a minimum."""
    _, mt, _, _ = MARGINS
    title_h, row_axis, mins, fixed = _row_sizes(mode, pos, matrices, labels, titles)
    n_rows = len(mins)
    fan_in = max(sizes[:-1])
    weights = [fan_in, 1, 3, fan_in] if mode == "tall" else [fan_in, 1]
    room = height - fixed
    img_h = share(room, weights, mins, [math.inf] * n_rows)
    row_y, y = [], float(mt)
    for r in range(n_rows):
        row_y.append(y)
        y += title_h + row_axis[r] + img_h[r] + V_SPACING
    return _Rows(row_y, row_axis, img_h, title_h, fits=sum(mins) <= room)


def _place_matrix(key, m, r, c, span, cols_, rows_, labels, titles) -> MatrixPlace:
    """A matrix's image, frame, title and the labels that have room."""
    col_x, col_w, left = cols_.x, cols_.width, cols_.left
    rows, cols = m.shape
    x0 = round(col_x[c] + left[c])
    x1 = round(col_x[c] + col_w[c])
    top = round(rows_.y[r] + rows_.title_h + (1 if is_bias(key) else rows_.axis[0]))
    bottom = rows_.image_bottom(r + span - 1)
    rect = (x0, top, max(1, x1 - x0), max(1, bottom - top))
    # A faint frame, just outside the image.
    frame = [(x0 - 0.5, top - 0.5, x1 + 0.5, top - 0.5),
             (x0 - 0.5, top - 0.5, x0 - 0.5, bottom + 0.5),
             (x1 + 0.5, top - 0.5, x1 + 0.5, bottom + 0.5)]
    # Title: centred on the image, inside the column.
    box_l, box_r = col_x[c], col_x[c] + col_w[c]
    title = m.title
    if titles.advance(title) > box_r - box_l:   # the name before its shape
        title = titles.elide(m.name, box_r - box_l)
    tw, th = titles.size(title)
    tx = min(max(rect[0] + rect[2] / 2 - tw / 2, box_l), box_r - tw)
    ty = rows_.y[r] + (rows_.title_h - th) / 2
    place = MatrixPlace(rect, frame, (round(tx), round(ty), title), (box_l, box_r))
    # Labels of every row and column that has room (every 2nd, 3rd, … when cells are small);
    # none on a bias's row or a matrix that shows a note.
    cell_w, cell_h = rect[2] / cols, rect[3] / rows
    if not is_bias(key):
        widest = max((labels.advance(n) for n in m.col_names), default=0.0)
        col_step = max(1, math.ceil((widest + 4) / max(cell_w, 1e-6)))
        for j in range(0, cols, col_step):
            name = m.col_names[j]
            w, h = labels.size(name)
            place.col_texts.append((round(x0 + (j + 0.5) * cell_w - w / 2),
                                    top - TEXT_OFFSET - h, name))
    if not is_bias(key) and not m.note:
        row_step = max(1, math.ceil(labels.height / max(cell_h, 1e-6)))
        room_w = left[c] - TEXT_OFFSET - 2
        shown = distinct_labels(m.row_names, room_w, labels.advance, labels.elide)
        for i in range(0, rows, row_step):
            name = shown[i]
            w, h = labels.size(name)
            place.row_texts.append((x0 - TEXT_OFFSET - w,
                                    round(top + (i + 0.5) * cell_h - h / 2), name))
    return place


def _place_bar(r, c, span, cols_, rows_) -> BarPlace:
    """A colour bar as tall as the images beside it; ticks at ±max and 0 (±½ minor)."""
    x0 = round(cols_.x[c])
    top, bottom = rows_.image_top(r), rows_.image_bottom(r + span - 1)
    rect = (x0, top, BAR_WIDTH, max(1, bottom - top))
    xr = x0 + BAR_WIDTH + 0.5
    lines = [(x0 - 0.5, top - 0.5, xr, top - 0.5),
             (x0 - 0.5, bottom + 0.5, xr, bottom + 0.5),
             (x0 - 0.5, top - 0.5, x0 - 0.5, bottom + 0.5),
             (xr, top - 0.5, xr, bottom + 0.5)]
    for at, length in ((1.0, BAR_TICK), (0.5, BAR_MINOR_TICK), (0.0, BAR_TICK),
                       (-0.5, BAR_MINOR_TICK), (-1.0, BAR_TICK)):
        yy = bar_y(rect, at)
        lines.append((xr, yy, xr + length, yy))
    return BarPlace(rect, lines)


def heatmap_layout(mode: str, n_dense: int, sizes: list[int], matrices: dict, width: float,
                   height: float, *, labels: TextMetrics, titles: TextMetrics,
                   bar_axis: float = BAR_AXIS) -> HeatmapLayout:
    """The panel's geometry in ``mode`` ("tall" or "wide") for ``n_dense`` dense layers of a
    network of layer ``sizes`` (inputs first), ``matrices`` (key → :class:`MatrixSpec` or
    anything with its attributes), a ``width`` × ``height`` drawing area, the label and
    title fonts' ``labels`` and ``titles`` metrics, and ``bar_axis`` px right of each colour
    bar for its ticks and level labels (:func:`bar_axis_width`)."""
    pos, bars = positions(mode, n_dense)
    cols_ = _columns(mode, pos, bars, matrices, sizes, width, labels, titles, bar_axis)
    rows_ = _rows(mode, pos, matrices, sizes, height, labels, titles)
    placed = {key: _place_matrix(key, matrices[key], r, c, span, cols_, rows_, labels, titles)
              for key, (r, c, span) in pos.items()}
    bar_places = {group: _place_bar(r, c, span, cols_, rows_)
                  for group, (r, c, span) in bars.items()}
    return HeatmapLayout(mode, placed, bar_places, fits=cols_.fits and rows_.fits,
                         min_width=cols_.min_width)


def heatmap_min_width(mode: str, n_dense: int, sizes: list[int], matrices: dict, *,
                      labels: TextMetrics, titles: TextMetrics,
                      bar_axis: float = BAR_AXIS) -> float:
    """:attr:`HeatmapLayout.min_width` without the rest of the layout (it does not depend on
    the width): the panel sizes its canvas first, then lays it out once at its final width."""
    pos, bars = positions(mode, n_dense)
    return _columns(mode, pos, bars, matrices, sizes, 1e6, labels, titles, bar_axis).min_width


def bar_axis_width(level_labels, labels: TextMetrics) -> float:
    """The room right of a colour bar for its tick marks and its widest level label ("−0.008"
    is 41 px at the panel's 8 pt: the fixed 38 px cut it off at the panel's edge), and no less
    than :data:`BAR_AXIS`."""
    widest = max((labels.advance(t) for t in level_labels), default=0.0)
    return max(float(BAR_AXIS), math.ceil(1 + BAR_TICK + TEXT_OFFSET + widest + 1))
