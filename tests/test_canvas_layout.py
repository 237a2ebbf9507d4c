"""The network canvas's geometry as plain numbers (no Qt): nodes inside the scene, evenly spaced
per column, not overlapping, edges from ring to ring at the nodes' heights."""
import itertools

import pytest

from ui.canvas_layout import (GAP_MIN, NODE_MAX, STEP_MAX, canvas_layout, label_pixels,
                              ring_width)

TEXT = dict(label_width=60.0, name_h=14.0, bias_h=14.0, caption_h=15.0)
CASES = [([2, 4, 1], 640, 420), ([2, 4, 1], 1400, 900), ([30, 4, 1], 500, 700),
         ([6, 8, 8, 8, 1], 900, 600), ([2, 32, 1], 360, 260), ([30, 32, 1], 240, 160)]


@pytest.mark.parametrize("sizes, w, h", CASES)
@pytest.mark.parametrize("maps", [True, False])
def test_nodes_inside_evenly_spaced_and_apart(sizes, w, h, maps):
    g = canvas_layout(sizes, w, h, has_maps=maps, **TEXT)
    sw, sh = g.scene_size
    assert sw >= w and sh >= h
    for c, n in enumerate(sizes):
        side = g.sides[c]
        assert 4.0 <= side <= NODE_MAX
        pts = g.centers[c]
        assert len(pts) == n and all(x == g.xs[c] for x, _ in pts)
        for x, y in pts:                       # the node's square inside the scene
            assert 0 <= x - side / 2 and x + side / 2 <= sw
            assert 0 <= y - side / 2 and y + side / 2 <= sh
        gaps = [b[1] - a[1] for a, b in zip(pts, pts[1:])]
        assert all(gap == pytest.approx(g.pitches[c], abs=1e-9) for gap in gaps)
        assert all(gap >= side for gap in gaps)  # squares of a column do not overlap
        mid = sum(y for _, y in pts) / n       # columns are centred on one line
        assert mid == pytest.approx(sum(y for _, y in g.centers[0]) / sizes[0]) or \
            sh > max(h, 160)
    # Columns: equal steps, at least the room for edges, at most STEP_MAX unless forced.
    steps = [b - a for a, b in zip(g.xs, g.xs[1:])]
    assert all(s == pytest.approx(g.step) for s in steps)
    for c in range(len(sizes) - 1):
        assert g.step >= (g.sides[c] + g.sides[c + 1]) / 2 + GAP_MIN - 1e-9
    assert g.step <= STEP_MAX or g.step == pytest.approx(
        max((g.sides[c] + g.sides[c + 1]) / 2 + GAP_MIN for c in range(len(sizes) - 1)))
    # Input labels end left of the input nodes, inside the scene.
    for (x, y), (cx, cy) in zip(g.feature_anchor, g.centers[0]):
        assert y == cy and x < cx - g.sides[0] / 2 and x >= TEXT["label_width"]


@pytest.mark.parametrize("sizes, w, h", CASES)
def test_edges_run_from_ring_to_ring_at_the_node_centres(sizes, w, h):
    g = canvas_layout(sizes, w, h, has_maps=True, **TEXT)
    assert len(g.edges) == len(sizes) - 1
    for k, layer in enumerate(g.edges):
        assert len(layer) == sizes[k] and all(len(row) == sizes[k + 1] for row in layer)
        for i, j in itertools.product(range(sizes[k]), range(sizes[k + 1])):
            (x0, y0), (x1, y1) = layer[i][j]
            assert y0 == g.centers[k][i][1] and y1 == g.centers[k + 1][j][1]
            assert x0 == g.xs[k] + g.sides[k] / 2 + ring_width(k, g.sides[k]) + 1.5
            assert x1 == g.xs[k + 1] - g.sides[k + 1] / 2 - ring_width(k + 1, g.sides[k + 1]) - 1.5
            assert x1 - x0 >= GAP_MIN - 2 * (3.0 + 1.5) - 1e-9


def test_texts_sit_above_and_below_their_node_without_touching_the_next():
    g = canvas_layout([2, 4, 1], 640, 420, has_maps=True, **TEXT)
    assert g.levels[1:] == [2, 2]
    for c in (1, 2):
        for (x, y), (nx, ny), (bx, by) in zip(g.centers[c], g.name_anchor[c], g.bias_anchor[c]):
            assert nx == bx == x
            assert ny + TEXT["name_h"] <= y - g.sides[c] / 2      # the name ends above the node
            assert by >= y + g.sides[c] / 2                       # the bias starts below it
            assert by + TEXT["bias_h"] <= y + g.pitches[c] - g.sides[c] / 2 - TEXT["name_h"]
    assert g.name_visible == [False, True, True] and g.label_inside == [False, False, False]
    plain = canvas_layout([2, 4, 1], 640, 420, has_maps=False, **TEXT)
    assert plain.label_inside == [False, True, True] and plain.name_visible == [False] * 3


def test_crowded_columns_scroll_and_dense_layers_draw_thin_edges():
    g = canvas_layout([30, 32, 1], 360, 260, has_maps=True, **TEXT)
    assert g.scene_size[1] > 260                  # 32 units do not fit 260 px: it scrolls
    assert g.width_gain[0] == 0.0                 # 960 weights: one pixel wide
    assert 1.5 <= g.width_gain[1] <= 4.0          # 32 weights: widths grow with |w|
    assert canvas_layout([2, 4, 1], 640, 420, has_maps=True, **TEXT).width_gain == [4.0, 4.0]


def test_map_steps_sample_at_least_one_grid_point_per_device_pixel():
    for dpr in (1.0, 2.0):
        g = canvas_layout([2, 8, 1], 900, 600, has_maps=True, resolution=100, dpr=dpr, **TEXT)
        for side, step in zip(g.sides, g.map_steps):
            assert len(range(step // 2, 100, step)) >= int(side * dpr)
            assert step == max(1, int(100 // (side * dpr)))


def test_input_labels_shrink_for_many_inputs():
    assert label_pixels(2, 420, 15.0) == 13.0
    assert label_pixels(30, 420, 15.0) == pytest.approx((420 - 12 - 31) / 30 - 3)
    assert label_pixels(300, 420, 15.0) == 8.0


def test_a_wide_viewport_centres_the_diagram():
    g = canvas_layout([2, 4, 1], 2400, 900, has_maps=True, **TEXT)
    assert g.step == STEP_MAX
    left_room = g.xs[0] - g.sides[0] / 2
    right_room = g.scene_size[0] - (g.xs[-1] + g.sides[-1] / 2)
    assert left_room - (8 + TEXT["label_width"] + 12) == pytest.approx(right_room - 30)
