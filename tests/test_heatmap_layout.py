"""The heatmap panel's geometry as plain numbers (no Qt, no painting): images apart and inside
the panel, at least their minimum size or reported as not fitting, labels beside their
matrix, groups in order, colour bars beside their group."""
import itertools
import math
import os
import subprocess
import sys

import numpy as np
import pytest

from ui.heatmap_layout import (BAR_AXIS, BAR_TICK, BAR_WIDTH, MIN_IMAGE_WIDTH, MIN_LABEL_WIDTH,
                               TEXT_OFFSET, V_SPACING, MatrixSpec, TextMetrics, act_key,
                               bar_axis_width, bar_y, heatmap_layout, heatmap_min_width,
                               min_height, positions, share, wanted_mode)

CHAR_W, TITLE_CHAR_W = 6.0, 7.0


def _metrics(char_w: float, height: float) -> TextMetrics:
    """A monospaced font: every character ``char_w`` wide."""
    def elide(text, width):
        while text and len(text) * char_w > width:
            text = text[:-2] + "…" if len(text) > 1 else ""
        return text
    return TextMetrics(height, lambda t: len(t) * char_w, elide,
                       lambda t: (len(t) * char_w, height))


LABELS, TITLES = _metrics(CHAR_W, 13.0), _metrics(TITLE_CHAR_W, 15.0)


def specs(sizes, features=None, batch=10):
    """The panel's matrices for a network of ``sizes`` (inputs first), as it names them."""
    L = len(sizes) - 1
    features = features or [f"x{i + 1}" for i in range(sizes[0])]

    def units(k):
        n = sizes[k + 1]
        if k == L - 1:
            return ["ŷ"] if n == 1 else [f"ŷ{j + 1}" for j in range(n)]
        return [f"h{k + 1}.{j + 1}" for j in range(n)]

    out = {}
    for k in range(L):
        rows_in = features if k == 0 else units(k - 1)
        n_in, n_out = sizes[k], sizes[k + 1]
        out[f"W{k + 1}"] = MatrixSpec((n_in, n_out), k, f"W{k + 1}", f"W{k + 1} {n_in}×{n_out}",
                                      rows_in, units(k))
        out[f"b{k + 1}"] = MatrixSpec((1, n_out), k, f"b{k + 1}", f"b{k + 1} 1×{n_out}", ["1"],
                                      units(k))
        shape = (batch or 1, n_out)
        note = "" if batch else "no batch"
        out[act_key(k, L)] = MatrixSpec(shape, k, "H", f"H {shape[0]}×{n_out}" if batch else
                                        "H (no batch)", [str(i + 1) for i in range(shape[0])],
                                        units(k), note)
        out[f"dW{k + 1}"] = MatrixSpec((n_in, n_out), k, f"dW{k + 1}",
                                       f"∂E/∂W{k + 1} {n_in}×{n_out}", rows_in, units(k))
    return out


def layout(sizes, w, h, mode=None, **kw):
    mats = specs(sizes, **kw)
    return heatmap_layout(mode or wanted_mode(w, h), len(sizes) - 1, sizes, mats, w, h,
                          labels=LABELS, titles=TITLES), mats


def _overlap(a, b) -> bool:
    return a[0] < b[0] + b[2] and b[0] < a[0] + a[2] and a[1] < b[1] + b[3] and b[1] < a[1] + a[3]


def _inside(box, w, h) -> bool:
    x, y, bw, bh = box
    return 0 <= x and 0 <= y and x + bw <= w and y + bh <= h


LONG = ["petal length (cm)", "sepal width (cm)", "x1", "x2", "mean concave points"]
# (sizes, width, height, features, fits): the panel's usual docks and some crowded ones.
CASES = [
    ([2, 4, 1], 1384, 262, None, True),           # the bottom dock of a 1400×900 window
    ([2, 4, 1], 420, 700, None, True),            # a side dock
    ([2, 8, 6, 1], 1600, 420, None, True),
    ([7, 6, 5, 3, 1], 420, 700, None, True),
    ([5, 32, 1], 900, 500, LONG, True),
    ([5, 4, 1], 300, 700, LONG, True),            # long names elided
    ([2, 32, 1], 300, 260, None, False),          # minima shrink: reported
    ([2, 4, 1], 130, 100, None, False),
    ([7, 8, 8, 8, 1], 640, 400, None, False),
]


@pytest.mark.parametrize("sizes, w, h, features, fits", CASES)
@pytest.mark.parametrize("batch", [10, None])
def test_images_apart_inside_and_large_enough_or_reported(sizes, w, h, features, fits, batch):
    g, mats = layout(sizes, w, h, features=features, batch=batch)
    assert g.fits is fits
    boxes = [m.rect for m in g.matrices.values()] + [b.rect for b in g.bars.values()]
    assert len(boxes) == 4 * (len(sizes) - 1) + 3
    for a, b in itertools.combinations(boxes, 2):
        assert not _overlap(a, b), (a, b)
    if not fits:
        return
    for key, m in g.matrices.items():
        assert _inside(m.rect, w, h), key
        x, y, mw, mh = m.rect
        rows, cols = mats[key].shape
        assert mw >= MIN_IMAGE_WIDTH - 1                      # a column of numbers fits
        assert mh >= min(48, max(16, 4 * rows)) - 1
        tx, ty, title = m.title
        tw, th = TITLES.size(title)
        assert _inside((tx, ty, tw, th), w, h)
        # In its column (to the whole pixel it is drawn at).
        assert m.title_box[0] - 0.5 <= tx and tx + tw <= m.title_box[1] + 0.5
        for lx, ly, text in m.col_texts + m.row_texts:
            assert _inside((lx, ly) + LABELS.size(text), w, h), (key, text)
    for group, bar in g.bars.items():
        assert _inside(bar.rect, w, h) and bar.rect[2] == BAR_WIDTH, group
    # No text over an image, and titles and labels apart.
    texts = [(t[0], t[1]) + TITLES.size(t[2]) for t in g.title_texts()]
    texts += [(t[0], t[1]) + LABELS.size(t[2]) for t in g.label_texts()]
    for t in texts:
        assert not any(_overlap(t, b) for b in boxes), t
    for a, b in itertools.combinations(texts, 2):
        assert not _overlap(a, b), (a, b)


@pytest.mark.parametrize("sizes, w, h, features, fits", CASES)
def test_labels_beside_their_matrix_and_titles_above(sizes, w, h, features, fits):
    g, mats = layout(sizes, w, h, features=features)
    for key, m in g.matrices.items():
        x, y, mw, mh = m.rect
        rows, cols = mats[key].shape
        spec = mats[key]
        tx, ty, title = m.title
        assert ty + TITLES.size(title)[1] <= y - (1 if key.startswith("b") else 13)
        if key.startswith("b"):                 # b: W's column labels serve
            assert m.col_texts == [] and m.row_texts == []
            continue
        assert m.col_labels[0] == spec.col_names[0]
        step = cols if len(m.col_texts) == 1 else \
            spec.col_names.index(m.col_labels[1])
        assert m.col_labels == spec.col_names[::step]
        for j, (lx, ly, text) in zip(range(0, cols, step), m.col_texts):
            assert ly + LABELS.height == y - TEXT_OFFSET       # right above the image
            centre = x + (j + 0.5) * mw / cols
            assert abs(lx + LABELS.advance(text) / 2 - centre) <= 0.5
        assert len(m.row_texts) >= 1
        for lx, ly, text in m.row_texts:
            assert lx + LABELS.advance(text) == x - TEXT_OFFSET   # right-aligned left of it
            assert y - LABELS.height <= ly and ly + LABELS.height <= y + mh + LABELS.height
            assert text in spec.row_names or text.endswith("…")


def test_crowded_labels_are_thinned_and_long_ones_elided():
    g, mats = layout([5, 32, 1], 900, 500, mode="tall", features=LONG)
    w1 = g.matrices["W1"]
    assert 1 < len(w1.col_labels) < 32                        # every 2nd, 3rd, …
    assert all(len(t) * CHAR_W + 4 <= w1.rect[2] / 32 * 32 / len(w1.col_labels) + 1e-9
               for t in w1.col_labels)
    g, _ = layout([5, 4, 1], 300, 700, features=LONG)
    labels = g.matrices["W1"].row_labels
    assert labels[2:4] == ["x1", "x2"]
    assert any(t.endswith("…") for t in labels)
    widths = [len(t) * CHAR_W for t in labels if t.endswith("…")]
    assert min(widths) >= MIN_LABEL_WIDTH - CHAR_W
    for label, name in zip(labels, LONG):     # as is, or its beginning and an ellipsis
        assert label == name or (label.endswith("…") and name.startswith(label[:-1]))
    # With room, nothing is elided.
    g, _ = layout([5, 4, 1], 900, 900, mode="tall", features=LONG)
    assert g.matrices["W1"].row_labels == LONG


def _top(g, key):
    return g.matrices[key].rect[1]


def _left(g, key):
    return g.matrices[key].rect[0]


@pytest.mark.parametrize("sizes", [[2, 4, 1], [7, 6, 5, 3, 1]])
def test_tall_stacks_the_groups_a_column_per_layer(sizes):
    L = len(sizes) - 1
    g, _ = layout(sizes, 420, 900, mode="tall")
    assert g.mode == "tall"
    for k in range(1, L + 1):
        w, b, a, d = f"W{k}", f"b{k}", act_key(k - 1, L), f"dW{k}"
        wr = g.matrices[w].rect
        assert wr[1] + wr[3] < _top(g, b) < _top(g, a) < _top(g, d)
        # Rows at least V_SPACING apart: an image's bottom, then the next row's title.
        for upper, lower in ((w, b), (b, a), (a, d)):
            r = g.matrices[upper].rect
            assert g.matrices[lower].title[1] - (r[1] + r[3]) >= V_SPACING
        assert _left(g, w) == _left(g, b) and g.matrices[w].rect[2] == g.matrices[b].rect[2]
        if k < L:
            assert _left(g, w) < _left(g, f"W{k + 1}")
    bars = g.bars
    assert bars["params"].rect[1] == _top(g, "W1")
    b1 = g.matrices["b1"].rect
    assert bars["params"].rect[1] + bars["params"].rect[3] == b1[1] + b1[3]
    for group, key in (("act", act_key(0, L)), ("grads", "dW1")):
        assert bars[group].rect[1] == _top(g, key)
        assert bars[group].rect[3] == g.matrices[key].rect[3]
        assert bars[group].rect[0] > _left(g, f"W{L}")


def test_wide_puts_the_groups_side_by_side():
    g, _ = layout([2, 8, 6, 1], 1600, 420)
    assert g.mode == "wide"
    keys = list(g.matrices)
    blocks = [["W1", "W2", "W3"], ["H", "H2", "yhat"], ["dW1", "dW2", "dW3"]]
    assert sorted(keys) == sorted(sum(blocks, []) + ["b1", "b2", "b3"])
    edges = []
    for block, group in zip(blocks, ("params", "act", "grads")):
        lefts = [_left(g, k) for k in block]
        assert lefts == sorted(lefts)
        right = max(g.matrices[k].rect[0] + g.matrices[k].rect[2] for k in block)
        assert g.bars[group].rect[0] > right                   # its bar right of it
        edges.append((min(lefts), g.bars[group].rect[0]))
    assert edges[0][1] < edges[1][0] and edges[1][1] < edges[2][0]
    # Activations and gradients span W's and b's rows; all groups' images start at one top.
    assert _top(g, "W1") == _top(g, "H") == _top(g, "dW1")
    b1, h = g.matrices["b1"].rect, g.matrices["H"].rect
    assert b1[1] + b1[3] == h[1] + h[3]


def test_geometry_follows_the_size():
    small, _ = layout([2, 4, 1], 420, 500, mode="tall")
    big, _ = layout([2, 4, 1], 420, 900, mode="tall")
    assert big.matrices["W1"].rect[3] > small.matrices["W1"].rect[3]
    assert big.matrices["W1"].rect[2] == small.matrices["W1"].rect[2]
    # A plot is at most 64 px per unit (or 130 px with its labels): a wide panel centres it.
    g, _ = layout([2, 1], 2000, 900, mode="tall")
    assert g.matrices["W1"].rect[2] <= 130
    assert g.matrices["W1"].rect[0] > 500


def test_colour_bar_ticks_at_the_levels():
    g, _ = layout([2, 4, 1], 420, 700)
    bar = g.bars["params"]
    x, y, bw, bh = bar.rect
    ticks = bar.lines[4:]
    assert [t[1] for t in ticks] == [bar_y(bar.rect, a) for a in (1, 0.5, 0, -0.5, -1)]
    assert ticks[0][1] == y + 0.5 and ticks[-1][1] == y + bh - 0.5
    assert all(t[0] == x + bw + 0.5 for t in ticks)


def test_positions_and_mode():
    pos, bars = positions("tall", 2)
    assert pos == {"W1": (0, 0, 1), "b1": (1, 0, 1), "H": (2, 0, 1), "dW1": (3, 0, 1),
                   "W2": (0, 1, 1), "b2": (1, 1, 1), "yhat": (2, 1, 1), "dW2": (3, 1, 1)}
    assert bars == {"params": (0, 2, 2), "act": (2, 2, 1), "grads": (3, 2, 1)}
    pos, bars = positions("wide", 2)
    assert pos["H"] == (0, 3, 2) and pos["dW2"] == (0, 7, 2) and bars["grads"] == (0, 8, 2)
    assert wanted_mode(1384, 262) == "wide" and wanted_mode(420, 700) == "tall"
    # A low bottom dock (the Heatmaps tab at 1024×700 is about 515×200): stacked, each group
    # got a strip of ~40 px with its numbers unreadable; side by side it scrolls sideways.
    assert wanted_mode(515, 200) == "wide"
    assert wanted_mode(470, 200) == "tall"                      # too narrow for side by side
    # … unless the stacked groups do not fit its height: then side by side, scrolled sideways.
    assert wanted_mode(383, 200, tall_height=232) == "wide"
    assert wanted_mode(383, 240, tall_height=232) == "tall"


@pytest.mark.parametrize("sizes", [[2, 4, 1], [30, 4, 1], [2, 8, 8, 3], [5, 32, 1]])
@pytest.mark.parametrize("mode", ["tall", "wide"])
def test_min_height_is_where_the_groups_fit(sizes, mode):
    """At min_height the groups fit (their least sizes); a pixel lower they do not."""
    mats = specs(sizes)
    h = min_height(mode, len(sizes) - 1, mats, labels=LABELS, titles=TITLES)
    wide = 100_000   # the columns always fit: only the rows are tested
    fit = heatmap_layout(mode, len(sizes) - 1, sizes, mats, wide, h, labels=LABELS, titles=TITLES)
    low = heatmap_layout(mode, len(sizes) - 1, sizes, mats, wide, h - 1, labels=LABELS,
                         titles=TITLES)
    assert fit.fits and not low.fits


def test_share():
    assert share(100, [1, 1], [10, 10], [100, 100]) == pytest.approx([50, 50])
    assert share(100, [3, 1], [10, 10], [100, 100]) == pytest.approx([75, 25])
    assert share(100, [3, 1], [10, 40], [100, 100]) == pytest.approx([60, 40])
    assert share(30, [1, 1], [20, 40], [100, 100]) == pytest.approx([10, 20])   # scaled down
    assert share(300, [1, 1], [0, 0], [50, 70]) == [50, 70]        # rest not given out
    assert share(-5, [1], [10], [20]) == [0.0] and share(10, [], [], []) == []
    assert share(101, [1, 1], [0, 0], [math.inf, math.inf]) == [50.5, 50.5]    # exactly
    assert share(100, [0, 1], [10, 10], [200, 200]) == [10, 90]      # a weightless part stays


def test_share_gives_out_exactly_the_room():
    """Between the minima and the maxima the parts add up to the room, each in proportion to
    its weight unless held at its minimum or maximum."""
    rng = np.random.default_rng(5)
    for _ in range(2000):
        n = int(rng.integers(1, 8))
        w = rng.choice([1, 2, 3, 4, 6, 10, 30], n).tolist()
        mins = rng.choice([0, 10, 24, 36], n).tolist()
        maxs = rng.choice([80, 120, 200, math.inf], n).tolist()
        total = float(rng.integers(0, 1500)) + float(rng.choice([0.0, 0.5]))
        parts = share(total, w, mins, maxs)
        if sum(mins) < total < sum(maxs):
            assert sum(parts) == pytest.approx(total, abs=1e-9)
            free = [p / wi for p, wi, mn, mx in zip(parts, w, mins, maxs) if mn < p < mx]
            assert max(free, default=0) - min(free, default=0) < 1e-9    # one λ for all
        assert all(mn - 1e-9 <= p <= mx + 1e-9 for p, mn, mx in zip(parts, mins, maxs)) \
            or sum(mins) >= total


def test_the_layout_module_does_not_import_qt():
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    code = ("import sys, ui.heatmap_layout; "
            "sys.exit(any(m.startswith(('PySide6', 'shiboken6')) for m in sys.modules))")
    assert subprocess.run([sys.executable, "-c", code], cwd=root).returncode == 0


@pytest.mark.parametrize("m, top", [(0.37, 0.37), (0.371, 0.38), (123.0, 130.0),
                                    (5e-324, 1e-300), (2.5e-310, 1e-300)])
def test_colour_levels_round_up_and_survive_subnormal_values(m, top):
    """A subnormal largest value (a weight pushed to 5e-324) made 10**e underflow to 0 and the
    heatmaps raise ZeroDivisionError; its level is now the smallest rounded one, 1e-300."""
    from ui.heatmap_text import nice_max
    assert nice_max(m) == pytest.approx(top, rel=1e-12) and nice_max(m) >= m


def test_the_room_right_of_each_colour_bar_fits_its_widest_level_label():
    """``bar_axis`` px right of every bar, the matrices of the next column after it; the room
    is at least BAR_AXIS and wide enough for the widest label with its tick and offset."""
    assert bar_axis_width(["1", "0", "−1"], LABELS) == BAR_AXIS
    wide = bar_axis_width(["0.0008", "0", "−0.0008"], LABELS)     # 7 characters of 6 px
    assert wide == math.ceil(1 + BAR_TICK + TEXT_OFFSET + 7 * CHAR_W + 1) > BAR_AXIS
    m = specs([2, 4, 1])
    narrow_g = heatmap_layout("wide", 2, [2, 4, 1], m, 900, 300, labels=LABELS, titles=TITLES)
    wide_g = heatmap_layout("wide", 2, [2, 4, 1], m, 900, 300, labels=LABELS, titles=TITLES,
                            bar_axis=wide)
    assert heatmap_min_width("wide", 2, [2, 4, 1], m, labels=LABELS, titles=TITLES,
                             bar_axis=wide) == pytest.approx(
        heatmap_min_width("wide", 2, [2, 4, 1], m, labels=LABELS, titles=TITLES)
        + 3 * (wide - BAR_AXIS))
    for g, room in ((narrow_g, BAR_AXIS), (wide_g, wide)):
        for bar in g.bars.values():
            x, _, w, _ = bar.rect
            assert w == BAR_WIDTH
            after = [p.rect[0] - max((len(t) * CHAR_W for t in p.row_labels), default=0)
                     for p in g.matrices.values() if p.rect[0] > x]
            assert all(a >= x + w + room for a in after), (room, bar.rect)
            assert x + w + room <= 900
