"""Where everything goes on the network canvas, for given layer sizes and viewport size.

Plain functions and data (no Qt, no painting): :func:`canvas_layout` returns every column's
x, every node's centre and side, where the names, biases and captions go, which texts fit,
each edge's end points and width gain, and the grid step of each column's maps.
:class:`~ui.network_view.NetworkView` calls it and only moves its items there.

Pixels of the viewport (the view never scales): text keeps its size while nodes and gaps grow
and shrink with the widget; past a minimum spacing the scene grows and scrolls.
"""
from __future__ import annotations

from dataclasses import dataclass

NODE_MAX = 56.0      # largest node side (px)
NODE_SPARSE = 40.0   # a column with few units keeps at least this when others are crowded
ROW_MIN = 9.0        # smallest vertical pitch before the scene scrolls
GAP_MIN = 56.0       # smallest horizontal room for the edges between two columns
STEP_MAX = 300.0     # widest column spacing (wide windows centre the diagram)
WIDE_EDGES_MAX = 64  # a layer with more weights draws its edges one pixel wide
MIN_WIDTH, MIN_HEIGHT = 240.0, 160.0   # smaller viewports are laid out as this and scroll
TOP = 12.0


Point = tuple[float, float]


def ring_width(column: int, side: float) -> float:
    """The width of a node's ring: an input's is thin; a unit's grows with its side."""
    return max(1.5, min(3.0, side / 15)) if column > 0 else 1.0


def label_pixels(n_inputs: int, height: float, caption_h: float, top: float = 13.0) -> float:
    """The input labels' font size: ``top`` px (13, larger in presentation mode), shrinking a
    little when there are many inputs."""
    avail = max(height, MIN_HEIGHT) - TOP - (caption_h + 16.0)
    return max(8.0, min(top, avail / n_inputs - 3))


@dataclass
class CanvasLayout:
    """The canvas's geometry; columns c = 0 (the inputs), 1… (dense layer c − 1)."""
    scene_size: tuple[float, float]
    xs: list[float]                 # column centres
    step: float                     # distance between two column centres
    sides: list[float]              # node side per column
    levels: list[int]               # texts per column: 2 = name and bias, 1 = bias, 0 = none
    pitches: list[float]            # vertical distance between two nodes of a column
    centers: list[list[Point]]      # [c][j] node centre
    label_inside: list[bool]        # a unit's name drawn inside its node (no maps, room)
    name_visible: list[bool]        # the name above the node
    name_anchor: list[list[Point]]  # [c][j] (centre x, top y) of the name above a node
    bias_anchor: list[list[Point]]  # [c][j] (centre x, top y) of the bias text (c ≥ 1)
    feature_anchor: list[Point]     # per input: (right x, centre y) of its label
    edges: list[list[list[tuple[Point, Point]]]]   # [k][i][j] (start, end) of weight W[i, j]
    width_gain: list[float]         # per dense layer: pen width = base + gain·|w|/vmax
    map_steps: list[int]            # per column: a map samples every step-th grid point
    caption_y: float                # top of the captions under the columns


def canvas_layout(sizes: list[int], width: float, height: float, *, label_width: float,
                  name_h: float, bias_h: float, caption_h: float, has_maps: bool,
                  resolution: int = 100, dpr: float = 1.0) -> CanvasLayout:
    """The canvas for layers of ``sizes`` units (inputs first) in a ``width`` × ``height``
    viewport. ``label_width``: the widest input label; ``name_h``, ``bias_h``, ``caption_h``:
    the texts' heights; ``has_maps``: nodes show maps of ``resolution``² grid points (drawn at
    ``dpr`` device pixels per pixel)."""
    cols = len(sizes)
    W, H = max(width, MIN_WIDTH), max(height, MIN_HEIGHT)
    top, bottom = TOP, caption_h + 16.0
    avail = H - top - bottom
    left, right = 8.0 + label_width + 12.0, 12.0 + 18.0

    # Node side: what the densest column leaves, capped by the width.
    t_width = (W - left - right - (cols - 1) * GAP_MIN) / cols

    def fit(c: int) -> tuple[float, int]:
        """(side, text level) for column c: 2 = name + bias, 1 = bias, 0 = none."""
        row = max(ROW_MIN, avail / sizes[c])
        if c == 0:
            return max(4.0, min(NODE_MAX, t_width, row - 8.0)), 0
        for level, extra, least in ((2, name_h + bias_h + 16.0, 30.0), (1, bias_h + 9.0, 18.0)):
            side = min(NODE_MAX, t_width, row - extra - 4.0)
            if side >= least:
                return side, level
        return max(4.0, min(t_width, 0.72 * row)), 0

    fitted = [fit(c) for c in range(cols)]
    common = min(side for side, _ in fitted)
    sides, levels = [], []
    for c, (side, level) in enumerate(fitted):
        side = common if common >= 20 else min(side, max(common, NODE_SPARSE))
        sides.append(side)
        row = avail / sizes[c]
        if c > 0:  # re-derive the text level for the side actually used
            level = 2 if row >= side + name_h + bias_h + 16 and side >= 26 else \
                1 if row >= side + bias_h + 9 else 0
        levels.append(level)
    # A unit's map samples every step-th grid point when its square has fewer pixels than
    # half the grid: what a smooth downscale of the whole grid would show, at a fraction of
    # the work per frame (a 100×100 map in a 20 px square draws 1 point in 25).
    steps = [max(1, int(resolution // max(1.0, side * dpr))) for side in sides]
    shared = min(levels[1:-1] or levels[-1:])  # one text style for the hidden columns
    levels = [levels[0]] + [shared] * (cols - 2) + [levels[-1]]
    dense_c = max(range(cols), key=lambda c: sizes[c])
    extra = [(name_h + bias_h + 16 if lv == 2 else bias_h + 9 if lv == 1 else 4) for lv in levels]
    dense_pitch = max(ROW_MIN, avail / sizes[dense_c])
    pitches = []
    for c in range(cols):
        row = max(ROW_MIN, avail / sizes[c])
        pitches.append(min(row, max(dense_pitch, sides[c] + extra[c] + 26)))
    content_h = max(p * n for p, n in zip(pitches, sizes))
    scene_h = max(H, top + content_h + bottom)
    span = max(avail, content_h)

    # Column centres: equal steps, capped; centred when the window is wide.
    need = [(sides[c] + sides[c + 1]) / 2 + GAP_MIN for c in range(cols - 1)]
    free = W - left - right - sides[0] / 2 - sides[-1] / 2
    step = min(STEP_MAX, free / max(1, cols - 1))
    step = max([step] + need)
    total_w = left + sides[0] / 2 + step * (cols - 1) + sides[-1] / 2 + right
    shift = max(0.0, (W - total_w) / 2)
    xs = [shift + left + sides[0] / 2 + c * step for c in range(cols)]
    scene_w = max(W, total_w)

    centers = []
    for c, n in enumerate(sizes):
        y0 = top + (span - pitches[c] * n) / 2
        centers.append([(xs[c], y0 + (j + 0.5) * pitches[c]) for j in range(n)])
    label_inside = [c > 0 and not has_maps and sides[c] >= 16 for c in range(cols)]
    name_visible = [c > 0 and levels[c] == 2 and (has_maps or sides[c] < 16) for c in range(cols)]
    name_anchor = [[(x, y - sides[c] / 2 - 7 - name_h) for x, y in centers[c]] for c in range(cols)]
    bias_anchor = [[(x, y + sides[c] / 2 + 5) for x, y in centers[c]] if c else []
                   for c in range(cols)]
    feature_anchor = [(xs[0] - sides[0] / 2 - 9, y) for _, y in centers[0]]

    # Crowded columns get thinner edges (4 px of |w| range when there is room); a layer of
    # more weights than Playground's largest (8×8) draws them one pixel wide, its colour
    # alone showing w: Qt strokes a wider antialiased curve ~4× slower (75 against 18 µs),
    # 14 ms a frame for the 240 weights of 30 inputs, and that many thick lines are a blur.
    gain = [0.0 if sizes[k] * sizes[k + 1] > WIDE_EDGES_MAX
            else max(1.5, min(4.0, 0.25 * min(pitches[k], pitches[k + 1])))
            for k in range(cols - 1)]
    # An edge runs from the right of its source's ring to the left of its target's.
    edges = []
    for k in range(cols - 1):
        x0 = xs[k] + sides[k] / 2 + ring_width(k, sides[k]) + 1.5
        x1 = xs[k + 1] - sides[k + 1] / 2 - ring_width(k + 1, sides[k + 1]) - 1.5
        edges.append([[((x0, yi), (x1, yj)) for _, yj in centers[k + 1]] for _, yi in centers[k]])
    return CanvasLayout((scene_w, scene_h), xs, step, sides, levels, pitches, centers,
                        label_inside, name_visible, name_anchor, bias_anchor, feature_anchor,
                        edges, gain, steps, scene_h - bottom + 6)
