"""The network canvas: its nodes and edges match the network, colours and widths follow the
weights, edits and hovers reach the session, and the step-through highlight shows the gradient."""
import numpy as np
import pytest
from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QAction, QColor

from nnviz.core.stages import sup
from ui import colors
from ui.network_view import NetworkView


@pytest.fixture
def view(qtbot, session):
    v = NetworkView(session)
    qtbot.addWidget(v)
    v.resize(640, 420)
    v.show()
    qtbot.waitExposed(v)
    return v


def _nodes(view, k):
    return list(view._nodes[k + 1]) if k + 1 < len(view._nodes) else []


def _edges(view):
    return [edge for layer in view._flat_edges for edge in layer]


def _viewport_point(view, scene_point: QPointF):
    return view.mapFromScene(scene_point)


def _edge_point(view, edge):
    """A viewport point on ``edge`` where no other item is on top."""
    for t in np.linspace(0.3, 0.7, 21):
        p = _viewport_point(view, edge.path().pointAtPercent(float(t)))
        if view.item_at(p) is edge:
            return p
    raise AssertionError("no clickable point found on the edge")


def test_node_counts_match_the_network(view, session):
    assert session.network.sizes == [2, 4, 1]
    assert len(_nodes(view, -1)) == 2
    assert len(_nodes(view, 0)) == 4
    assert len(_nodes(view, 1)) == 1
    assert len(_edges(view)) == 2 * 4 + 4
    assert view.objectName() == "networkView"


def test_add_neuron_rebuilds_items(view, session):
    session.add_neuron()
    assert len(_nodes(view, 0)) == 5
    assert len(_edges(view)) == 2 * 5 + 5
    assert view.node_item(0, 4) is not None
    assert view.edge_item(1, 4, 0).pen.widthF() > 0
    session.remove_neuron()
    assert len(_nodes(view, 0)) == 4


def test_edge_colour_follows_sign_and_width_follows_size(view, session):
    session.set_weight(0, 0, 0, 0.9)
    session.set_weight(0, 1, 0, -0.9)
    session.set_weight(0, 0, 1, 0.1)
    pos, neg, small = view.edge_item(0, 0, 0).pen, view.edge_item(0, 1, 0).pen, view.edge_item(0, 0, 1).pen
    assert pos.color().red() > pos.color().blue() + 60      # positive: red
    assert neg.color().blue() > neg.color().red() + 60      # negative: blue
    assert pos.widthF() > small.widthF()
    vmax = max(np.abs(d.W).max() for d in session.network.dense)
    assert pos.color() == colors.color(0.9, vmax)


def test_a_dense_layer_draws_one_pixel_edges(view, session):
    """Past 64 weights a layer's edges are one pixel wide (colour alone shows w); the other
    layer keeps widths that grow with |w|."""
    from nnviz.data import csvdata
    from ui import data_actions
    ds = csvdata.load_dataset(data_actions.DATASETS / "breast_cancer.csv", "diagnosis")
    session.set_dataset(ds, test_ratio=0.3, seed=0)
    net = session.network
    assert net.dense[0].W.size == 30 * 4 > 64 and net.dense[1].W.size == 4
    first = {view.edge_item(0, i, j).pen.widthF() for i in range(30) for j in range(4)}
    assert first == {1.0}
    vmax = max(np.abs(d.W).max() for d in net.dense)
    for i in range(30):                      # colours still follow the weights
        assert view.edge_item(0, i, 0).pen.color() == colors.color(net.dense[0].W[i, 0], vmax)
    session.set_weight(1, 0, 0, 0.05)
    session.set_weight(1, 1, 0, -float(vmax))
    assert view.edge_item(1, 1, 0).pen.widthF() > view.edge_item(1, 0, 0).pen.widthF() + 1


def test_edge_tooltip_format(view, session):
    w = float(session.network.dense[0].W[0, 1])
    assert view.edge_tooltip(0, 0, 1) == f"w = {w:.2f} · x1 → h2"
    session.set_weight(0, 0, 1, 0.534)
    assert view.edge_tooltip(0, 0, 1) == "w = 0.53 · x1 → h2"
    session.set_weight(1, 2, 0, -1.257)
    assert view.edge_tooltip(1, 2, 0) == "w = -1.26 · h3 → ŷ"


def test_clicking_an_edge_edits_the_weight(view, session, qtbot, monkeypatch):
    asked = []

    def ask(k, i, j, current):
        asked.append((k, i, j, current))
        return 0.25

    monkeypatch.setattr(view, "_ask_weight", ask)
    edge = view.edge_item(0, 1, 2)
    before = float(session.network.dense[0].W[1, 2])
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=_edge_point(view, edge))
    assert asked == [(0, 1, 2, before)]
    assert session.network.dense[0].W[1, 2] == 0.25


def test_cancelled_edit_changes_nothing(view, session, qtbot, monkeypatch):
    monkeypatch.setattr(view, "_ask_weight", lambda *a: None)
    params = session.network.params.copy()
    edge = view.edge_item(1, 0, 0)
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=_edge_point(view, edge))
    np.testing.assert_array_equal(session.network.params, params)


@pytest.mark.parametrize("edit", ["weight", "bias"])
def test_accepting_an_edit_unchanged_changes_nothing(view, session, qtbot, monkeypatch, edit):
    """The dialog shows three decimals. OK on the number as shown gave the weight its rounded
    value (0.12345 became 0.123, a small weight 0) and an undo step: it now changes nothing."""
    from PySide6.QtWidgets import QInputDialog

    from ui import dialogs

    def accept_as_shown(parent, title, label, value, lo, hi, decimals):
        return round(value, decimals), True          # what Qt returns for OK on the field

    monkeypatch.setattr(QInputDialog, "getDouble", staticmethod(accept_as_shown))
    assert dialogs.ask_number(None, "t", "l", 0.12345, -1e6, 1e6, 3) == 0.12345
    if edit == "weight":
        session.set_weight(0, 1, 2, 0.000123)
        record = view.edge_item(0, 1, 2)
        p = _edge_point(view, record)
    else:
        session.set_bias(0, 3, 0.000123)
        p = _viewport_point(view, view.bias_item(0, 3).scene_rect().center())
    params = session.network.params.copy()
    undo = session.undo_text()
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=p)
    np.testing.assert_array_equal(session.network.params, params)
    assert session.undo_text() == undo


def test_clicking_a_bias_edits_the_bias(view, session, qtbot, monkeypatch):
    monkeypatch.setattr(view, "_ask_bias", lambda k, j, current: -0.5)
    text = view.bias_item(0, 3)
    p = _viewport_point(view, text.scene_rect().center())
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=p)
    assert session.network.dense[0].b[3] == -0.5
    assert text.text() == "b=-0.50"
    assert view.node_item(0, 3).ring_color == colors.color(
        -0.5, max(np.abs(d.W).max() for d in session.network.dense))


def _grid_step(img, res):
    """The grid step a thumbnail samples (every step-th point from step // 2 on)."""
    step = next(st for st in range(1, res + 1) if len(range(st // 2, res, st)) == img.width())
    assert img.height() == img.width()
    return step


def test_output_thumbnail_matches_the_grid(view, session):
    out = session.grid_outputs()[-1][:, :, 0]
    img = view.thumbnail_image(1, 0)
    res = out.shape[0]
    step = _grid_step(img, res)
    # At least one grid point per pixel of the square it is drawn in.
    assert img.width() >= int(view.node_item(1, 0).size * view.devicePixelRatioF())
    n = img.width()
    for r, c in ((0, 0), (3, n - 5), (n - 1, n // 2)):
        p = float(out[step // 2 + (n - 1 - r) * step, step // 2 + c * step])  # row 0: top
        expected = colors.LUT[colors.lut_index(2.0 * p - 1.0, 1.0)]
        got = QColor(img.pixel(c, r))
        assert (got.red(), got.green(), got.blue()) == tuple(int(e) for e in expected)


def test_thumbnails_follow_the_weights(view, session):
    before = view.thumbnail_image(0, 0).copy()
    session.set_weight(0, 0, 0, 5.0)
    after = view.thumbnail_image(0, 0)
    assert before != after
    h = session.grid_outputs()[0][:, :, 0]
    res = h.shape[0]
    step, n = _grid_step(after, res), after.width()
    top_left = float(h[step // 2 + (n - 1) * step, step // 2])
    expected = colors.LUT[colors.lut_index(top_left, 1.0)]  # tanh: ±1
    got = QColor(after.pixel(0, 0))
    assert (got.red(), got.green(), got.blue()) == tuple(int(e) for e in expected)


def test_input_thumbnail_is_the_feature(view, session):
    img = view.thumbnail_image(-1, 0)  # x1 grows to the right
    mid = img.height() // 2
    left, right = QColor(img.pixel(0, mid)), QColor(img.pixel(img.width() - 1, mid))
    assert left.blue() > left.red() and right.red() > right.blue()
    img = view.thumbnail_image(-1, 1)  # x2 grows upwards
    mid = img.width() // 2
    top, bottom = QColor(img.pixel(mid, 0)), QColor(img.pixel(mid, img.height() - 1))
    assert top.red() > top.blue() and bottom.blue() > bottom.red()


def test_params_changed_does_not_create_items(view, session):
    assert len(view.scene().items()) == 1          # the canvas paints everything itself
    first, node = view.edge_item(0, 0, 0), view.node_item(0, 1)
    for _ in range(5):
        session.step_batch()
    assert len(view.scene().items()) == 1
    assert view.edge_item(0, 0, 0) is first and view.node_item(0, 1) is node


def _hover_unit_0_2(view, session, qtbot) -> list:
    """Move the pointer onto unit 3 of the hidden layer; the unitHovered signals seen so far."""
    seen = []
    session.unitHovered.connect(lambda k, j: seen.append((k, j)))
    qtbot.mouseMove(view.viewport(), _viewport_point(view, view.node_item(0, 2).scene_rect().center()))
    qtbot.waitUntil(lambda: (0, 2) in seen, timeout=2000)
    assert view.node_item(0, 2).halo_color is not None
    return seen


def test_hover_emits_unit_hovered(view, session, qtbot):
    seen = _hover_unit_0_2(view, session, qtbot)
    node = view.node_item(0, 2)
    qtbot.mouseMove(view.viewport(), _viewport_point(view, view.node_item(-1, 1).scene_rect().center()))
    qtbot.waitUntil(lambda: (-2, 1) in seen, timeout=2000)
    assert (-1, -1) in seen[seen.index((0, 2)):]
    assert node.halo_color is None
    qtbot.mouseMove(view.viewport(), _viewport_point(view, view.node_item(1, 0).scene_rect().center()))
    qtbot.waitUntil(lambda: seen[-1] == (1, 0), timeout=2000)


def test_backward_stage_colours_edges_by_gradient(view, session):
    for _ in range(7):
        session.step_operation()
    stage = session.stages[session.stage_index]
    assert stage.phase == "backward" and stage.layer == 2 and stage.name == "dense2.backward"
    dW = session.network.dense[1].dW
    gmax = np.abs(dW).max()
    assert gmax > 0
    for i in range(4):
        edge = view.edge_item(1, i, 0)
        assert edge.pen.color() == colors.color(float(dW[i, 0]), gmax)
        assert edge.glow_color is not None
    W = session.network.dense[1].W
    vmax = max(np.abs(d.W).max() for d in session.network.dense)
    assert any(view.edge_item(1, i, 0).pen.color() != colors.color(float(W[i, 0]), vmax) for i in range(4))
    assert view.edge_item(0, 0, 0).opacity < 1  # the other layer fades
    # The caption between the columns names what the edges show (it said W⁽²⁾ over ∂E/∂W⁽²⁾).
    assert [t.text() for t in view._matrix_captions] == ["W⁽¹⁾  2×4", "∂E/∂W⁽²⁾  4×1"]
    assert view._matrix_captions[1].visible
    # The update ends the step: back to weights, no glow.
    while session.stages[session.stage_index].phase != "update":
        session.step_operation()
    W = session.network.dense[1].W
    vmax = max(np.abs(d.W).max() for d in session.network.dense)
    assert view.edge_item(1, 0, 0).pen.color() == colors.color(float(W[0, 0]), vmax)
    assert view.edge_item(1, 0, 0).glow_color is None
    assert view.edge_item(0, 0, 0).opacity == 1
    assert [t.text() for t in view._matrix_captions] == ["W⁽¹⁾  2×4", "W⁽²⁾  4×1"]


@pytest.mark.parametrize("width, caption", [(480, "∂E/∂W⁽²⁾"), (640, "∂E/∂W⁽²⁾  4×1")])
def test_a_narrow_canvas_keeps_the_gradients_name(qtbot, session, width, caption):
    """Where "∂E/∂W⁽²⁾  4×1" does not fit between its columns' captions, its name does (the
    whole caption went, and the edges' gradient colours had no name at 1024x700)."""
    v = NetworkView(session)
    qtbot.addWidget(v)
    v.resize(width, 420)
    v.show()
    qtbot.waitExposed(v)
    for _ in range(7):
        session.step_operation()
    text = v._matrix_captions[1]
    assert text.text() == caption and text.visible


def test_forward_and_loss_stages_highlight(view, session):
    session.step_operation()  # dense1.forward
    assert view.node_item(0, 0).halo_color is not None
    assert view.edge_item(0, 1, 3).glow_color is not None
    assert view.edge_item(1, 0, 0).glow_color is None
    assert view.node_item(1, 0).halo_color is None
    while session.stages[session.stage_index].phase != "loss":
        session.step_operation()
    assert view.node_item(1, 0).halo_color is not None
    assert view.node_item(0, 0).halo_color is None


def test_layer_buttons_use_given_actions(view, session):
    from ui.network_items import _LayerControls

    add, remove = QAction("Add neuron", view), QAction("Remove neuron", view)
    add.triggered.connect(lambda: session.add_neuron(0))
    remove.triggered.connect(lambda: session.remove_neuron(0))
    view.set_layer_actions(add, remove)
    controls = [w for w in view.findChildren(_LayerControls)
                if w.isVisibleTo(view) and w.objectName() != "depthControls"]
    assert len(controls) == 1
    assert controls[0].add.defaultAction() is add
    assert controls[0].remove.defaultAction() is remove
    controls[0].add.click()
    assert session.network.sizes == [2, 5, 1]
    assert "5 neurons" in controls[0].label.text()
    controls[0].remove.click()
    assert session.network.sizes == [2, 4, 1]


def test_own_buttons_call_the_session(view, session, qtbot):
    from ui.network_items import _LayerControls

    controls = [w for w in view.findChildren(_LayerControls)
                if w.isVisibleTo(view) and w.objectName() != "depthControls"]
    qtbot.mouseClick(controls[0].add, Qt.MouseButton.LeftButton)
    assert session.network.sizes == [2, 5, 1]
    qtbot.mouseClick(controls[0].remove, Qt.MouseButton.LeftButton)
    assert session.network.sizes == [2, 4, 1]


def test_deep_and_wide_networks_fit(qtbot, session):
    session.set_features(["x1", "x2", "x1^2", "x2^2", "x1*x2", "sin(x1)", "sin(x2)", "x1"][:7])
    session.set_hidden([32])
    v = NetworkView(session)
    qtbot.addWidget(v)
    v.resize(640, 480)
    v.show()
    qtbot.waitExposed(v)
    assert not v.verticalScrollBar().isVisible() and not v.horizontalScrollBar().isVisible()
    assert len(_edges(v)) == 7 * 32 + 32
    session.set_hidden([3, 2])
    # The names the heatmaps, the Output plot and the step-through give the units.
    assert v.edge_tooltip(1, 2, 1) == f"w = {session.network.dense[1].W[2, 1]:.2f} · h1.3 → h2.2"
    assert v.edge_tooltip(2, 1, 0).endswith("h2.2 → ŷ")
    rects = [v.node_item(k, j).scene_rect() for k in range(-1, 3)
             for j in range(session.network.sizes[k + 1])]
    for a in range(len(rects)):
        for b in range(a + 1, len(rects)):
            assert not rects[a].intersects(rects[b])


@pytest.mark.parametrize("width, compact", [(500, True), (1400, False)])
def test_the_layer_controls_never_run_into_each_other(qtbot, session, width, compact):
    """Six hidden layers on a 500 px canvas (a 1024 px window): the columns' − n + controls
    are smaller, with a gap between one column's + and the next one's − (they touched and
    read as − 6 + − 5 + − 5 …); a wide canvas keeps the full size."""
    session.set_hidden([6, 5, 5, 4, 4, 3])
    v = NetworkView(session)
    qtbot.addWidget(v)
    v.resize(width, 500)
    v.show()
    qtbot.waitExposed(v)
    controls = v._controls
    assert len(controls) == 6 and all(c.compact == compact for c in controls)
    boxes = [c.geometry() for c in controls]
    for a, b in zip(boxes, boxes[1:]):
        assert b.left() - a.right() >= 3, (a, b)
    assert all(c.label.text() in ("6", "5", "4", "3") for c in controls) or not compact


def test_minimum_size_stays_inside(qtbot, session):
    v = NetworkView(session)
    qtbot.addWidget(v)
    v.resize(v.minimumSize())
    v.show()
    qtbot.waitExposed(v)
    visible = v.mapToScene(v.viewport().rect()).boundingRect()
    for k in range(-1, 2):
        for j in range(session.network.sizes[k + 1]):
            assert visible.contains(v.node_item(k, j).scene_rect())


def test_hover_tooltips_show_the_current_values(view, session, qtbot, top_level_widgets):
    from PySide6.QtCore import QEvent
    from PySide6.QtGui import QHelpEvent
    from PySide6.QtWidgets import QToolTip

    session.set_weight(0, 1, 3, -0.4)
    edge = view.edge_item(0, 1, 3)
    p = _edge_point(view, edge)
    view.viewportEvent(QHelpEvent(QEvent.Type.ToolTip, p, view.viewport().mapToGlobal(p)))
    try:
        assert QToolTip.text().splitlines()[0] == "w = -0.40 · x2 → h4"
        node = view.node_item(0, 1)
        p = view.mapFromScene(node.scene_rect().center())
        view.viewportEvent(QHelpEvent(QEvent.Type.ToolTip, p, view.viewport().mapToGlobal(p)))
        text = QToolTip.text()
        assert text.startswith("h2") and "tanh" in text
        assert f"{session.network.dense[0].b[1]:.4g}" in text
    finally:
        QToolTip.hideText()
        for w in top_level_widgets():
            if type(w).__name__ == "QTipLabel":
                w.close()


def _picture(view) -> dict:
    """Everything the canvas shows, item by item: places, pens, texts, maps."""
    def img(image):
        return None if image is None else bytes(image.constBits())

    def pt(p):
        return p.toTuple()

    out = {"scene": view.scene().sceneRect().getRect(),
           "records": (len(view._nodes), sum(len(layer) for layer in view._flat_edges))}
    for c, column in enumerate(view._nodes):
        for j, node in enumerate(column):
            out[("node", c, j)] = (node.scene_rect().getRect(), node.label.text(),
                                   node.label_visible, pt(node.label.pos), node.image is not None,
                                   img(node.image), node.ring_color.rgb(),
                                   node.halo_color is not None)
    for k, layer in enumerate(view._edges):
        for i, row in enumerate(layer):
            for j, edge in enumerate(row):
                path = edge.path()
                out[("edge", k, i, j)] = (edge.pen.color().rgb(), edge.pen.widthF(),
                                          pt(path.pointAtPercent(0)),
                                          pt(path.pointAtPercent(1)), edge.opacity,
                                          edge.glow_color is not None)
    for k, layer in enumerate(view._bias):
        for j, bias in enumerate(layer):
            out[("bias", k, j)] = (bias.text(), pt(bias.pos), bias.visible)
    texts = view._features + [t for names in view._names for t in names]
    texts += view._column_captions + view._matrix_captions
    out["texts"] = [(t.text(), pt(t.pos), t.visible) for t in texts]
    return out


def _same_picture(a, b, where, path=()):
    """Equal, positions to a millionth of a pixel (the last bit of a sum may differ)."""
    if isinstance(a, float) and isinstance(b, float):
        assert abs(a - b) <= 1e-6, f"{where}: {path}: {a} != {b}"
    elif isinstance(a, (tuple, list)) and isinstance(b, (tuple, list)):
        assert len(a) == len(b), f"{where}: {path}: {len(a)} items != {len(b)}"
        for i, (x, y) in enumerate(zip(a, b)):
            _same_picture(x, y, where, path + (i,))
    elif isinstance(a, dict) and isinstance(b, dict):
        assert a.keys() == b.keys(), f"{where}: {sorted(set(a) ^ set(b), key=str)}"
        for key in a:
            _same_picture(a[key], b[key], where, path + (key,))
    else:
        assert a == b, f"{where}: {path}"


def test_a_canvas_that_keeps_its_items_draws_what_a_new_canvas_draws(qtbot, session):
    """Changes of shape keep the records whose place still exists; after every change the canvas
    must be record for record what a canvas built from scratch on the same run shows."""
    from nnviz.data import csvdata
    from ui import data_actions

    view = NetworkView(session)
    qtbot.addWidget(view)
    view.resize(640, 420)
    target = next(t for f, t, _ in data_actions.SAMPLES if f == "diabetes.csv")
    table = csvdata.load_dataset(data_actions.DATASETS / "diabetes.csv", target)
    one_input = csvdata.load_dataset(data_actions.DATASETS / "diabetes.csv", target,
                                     features=["bmi"])
    changes = [
        lambda: session.add_neuron(),
        lambda: session.set_hidden([3, 2]),             # a layer more
        lambda: session.add_neuron(1),
        lambda: session.set_hidden([6]),                # a layer less
        lambda: session.step_operation(),               # a stage highlighted …
        lambda: session.set_features(["x1", "x2", "x1^2"]),   # … dropped by a new input
        lambda: session.set_dataset(table, test_ratio=0.3, seed=1),
        lambda: session.remove_neuron(),
        lambda: session.set_dataset(one_input, test_ratio=0.3, seed=1),   # no maps
        lambda: session.set_data(dataset="xor"),        # maps again
    ]
    for n, change in enumerate(changes):
        change()
        fresh = NetworkView(session)
        qtbot.addWidget(fresh)
        fresh.resize(640, 420)
        if session.stage_index >= 0:
            fresh._on_stage_changed(session.stages[session.stage_index])
        _same_picture(_picture(view), _picture(fresh), f"after change {n}")
        fresh.close()
        fresh.deleteLater()
    # And the records did stay: the first input's node survived every change that kept inputs.
    kept = view.node_item(-1, 0)
    session.add_neuron()
    assert view.node_item(-1, 0) is kept


def test_a_change_of_network_mid_step_draws_the_canvas_once(view, session, monkeypatch):
    """Adding a layer in the middle of a step drops its operations: the canvas draws the new
    network once (not again for the dropped step), with nothing highlighted."""
    for _ in range(3):
        session.step_operation()
    assert view.edge_item(0, 0, 0).opacity < 1          # a stage is shown: the rest fades
    calls = []
    original = NetworkView._on_params_changed
    monkeypatch.setattr(NetworkView, "_on_params_changed",
                        lambda self: (calls.append(1), original(self)))
    session.add_layer()
    assert session.stage_index < 0 and len(calls) == 1
    assert all(edge.opacity == 1 and edge.glow_color is None
               for layer in view._flat_edges for edge in layer)
    assert not any(node.halo_color is not None for column in view._nodes for node in column)


def test_leaving_the_drawing_ends_the_hover(view, session, qtbot):
    """The pointer going from a node up into the header row (or out of the window) ends the
    node's hover: its halo goes and the Output plot is told to show the output again."""
    from PySide6.QtCore import QEvent
    from PySide6.QtWidgets import QApplication

    seen = _hover_unit_0_2(view, session, qtbot)
    node = view.node_item(0, 2)
    QApplication.sendEvent(view.viewport(), QEvent(QEvent.Type.Leave))
    assert seen[-1] == (-1, -1) and node.halo_color is None


def test_texts_with_the_same_words_and_font_share_one_layout(qapp):
    """A text is laid out once per font: records showing it again (the toy data's x1 after a
    table, a bias value seen before) take that layout, and its size."""
    from PySide6.QtGui import QColor, QFont
    from ui.network_items import Text

    font, bigger = QFont(), QFont()
    font.setPixelSize(12)
    bigger.setPixelSize(19)
    a, b = Text("mean radius", font, QColor("black")), Text("x", font, QColor("black"))
    b.set_text("mean radius")
    assert a._laid_out() is b._laid_out() and a.size() == b.size()
    c = Text("mean radius", bigger, QColor("black"))
    assert c._laid_out() is not a._laid_out() and c.size()[0] > a.size()[0] > 0


def test_column_captions_shorten_rather_than_run_into_each_other(qtbot, session):
    """Six hidden layers in the canvas of a 1024×700 window: "H⁽¹⁾ = tanh" under every column
    ran into the next one and "ŷ = sigmoid" past the edge; then every caption is its symbol."""
    session.set_hidden([4] * 6)
    v = NetworkView(session)
    qtbot.addWidget(v)
    v.show()
    qtbot.waitExposed(v)

    def captions():
        width = v.scene().sceneRect().width()
        boxes = [t.scene_rect() for t in v._column_captions]
        assert all(t.visible for t in v._column_captions)
        assert boxes[0].left() >= 0 and boxes[-1].right() <= width
        for a, b in zip(boxes, boxes[1:]):
            assert a.right() < b.left(), (a, b)
        return [t.text() for t in v._column_captions]

    v.resize(490, 420)
    qtbot.wait(5)
    assert captions() == ["X"] + [f"H{sup(k)}" for k in range(1, 7)] + ["ŷ"]
    v.resize(1300, 420)
    qtbot.wait(5)
    assert captions() == ["X"] + [f"H{sup(k)} = tanh" for k in range(1, 7)] + ["ŷ = sigmoid"]


def test_the_canvas_texts_grow_with_the_application_font(qtbot, session, qapp):
    """Presentation mode makes the application's font 1.5× for a projector; the canvas's names,
    biases and captions stayed at 11–12 px."""
    from PySide6.QtGui import QFont

    v = NetworkView(session)
    qtbot.addWidget(v)
    v.resize(900, 600)
    v.show()
    qtbot.waitExposed(v)
    before = (v._caption_font.pixelSize(), v._bias_font.pixelSize(), v._label_font.pixelSize())
    assert before == (12, 11, 13)
    font = QFont(qapp.font())
    big = QFont(font)
    big.setPointSizeF(font.pointSizeF() * 1.5)
    try:
        qapp.setFont(big)
        qtbot.waitUntil(lambda: v._caption_font.pixelSize() == 18)
        assert v._bias_font.pixelSize() == 16 and v._label_font.pixelSize() > 13
        assert v._column_captions[0].font.pixelSize() == 18
        assert v._bias[0][0].font.pixelSize() == 16
    finally:
        qapp.setFont(font)
    qtbot.waitUntil(lambda: v._caption_font.pixelSize() == 12)
    assert (v._caption_font.pixelSize(), v._bias_font.pixelSize(), v._label_font.pixelSize()) == before
