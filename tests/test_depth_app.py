"""Depth in the app: the add-layer and remove-layer actions reach 0 and 6 hidden layers from the
default, the parameter formula follows at every step, the kept layers keep their weights, and
every view draws and steps through at 0, 1 and 3 hidden layers."""
import numpy as np
import pytest

from conftest import check_parameter_formula
from ui.model import MAX_CANVAS_LAYERS


def _formula_matches(w):
    check_parameter_formula(w)


def test_layer_actions_reach_zero_and_six_hidden_layers(window):
    s = window.session
    assert s.network.sizes == [2, 4, 1] and window.actionAddLayer.shortcut().toString() == "Ctrl+Shift+="
    assert window.actionRemoveLayer.shortcut().toString() == "Ctrl+Shift+-"
    _formula_matches(window)
    for n in range(2, MAX_CANVAS_LAYERS + 1):
        window.actionAddLayer.trigger()
        assert s.network.hidden_sizes == [4] * n       # a new layer is as wide as the last
        _formula_matches(window)
        assert window.network_view._depth.label.text() == f"{n} hidden layers"
    assert not window.actionAddLayer.isEnabled()
    window.actionAddLayer.trigger()                     # (a shortcut when disabled does nothing)
    assert len(s.network.hidden_sizes) == MAX_CANVAS_LAYERS
    for n in range(MAX_CANVAS_LAYERS - 1, -1, -1):
        window.actionRemoveLayer.trigger()
        assert len(s.network.hidden_sizes) == n
        _formula_matches(window)
    assert s.network.sizes == [2, 1]
    assert window.param_count_label.text() == "(p+1)·1 = (2+1)·1 = 3"
    assert window.network_view._depth.label.text() == "no hidden layer"
    assert not window.actionRemoveLayer.isEnabled() and not window.actionAddNeuron.isEnabled()
    window.actionAddLayer.trigger()
    assert s.network.sizes == [2, 4, 1] and window.actionAddNeuron.isEnabled()


def test_a_new_layer_keeps_the_weights_before_it(window):
    s = window.session
    s.set_hidden([5])
    s.step_epoch()
    W1, b1 = s.network.dense[0].W.copy(), s.network.dense[0].b.copy()
    Wout = s.network.dense[1].W.copy()
    window.actionAddLayer.trigger()
    assert s.network.sizes == [2, 5, 5, 1]
    np.testing.assert_array_equal(s.network.dense[0].W, W1)
    np.testing.assert_array_equal(s.network.dense[0].b, b1)
    np.testing.assert_array_equal(s.network.dense[2].W, Wout)   # same shape: kept
    window.actionRemoveLayer.trigger()
    np.testing.assert_array_equal(s.network.dense[0].W, W1)


def test_units_and_layers_keep_their_limits_with_a_message(window, qtbot):
    s = window.session
    s.set_hidden([])
    with qtbot.waitSignal(s.message) as got:
        s.add_neuron()
    assert "no hidden layer" in got.args[0] and s.network.sizes == [2, 1]
    with qtbot.waitSignal(s.message) as got:
        s.remove_layer()
    assert got.args[0] == "there is no hidden layer to remove"


@pytest.mark.parametrize("hidden", [[], [4], [5, 3, 2]], ids=["0 layers", "1 layer", "3 layers"])
def test_every_view_draws_and_steps_through_at_any_depth(window, qtbot, hidden):
    s = window.session
    s.set_hidden(hidden)
    net = s.network
    L = net.n_layers
    # Canvas: a node per unit, an edge per weight.
    view = window.network_view
    assert [len(column) for column in view._nodes] == net.sizes
    assert sum(len(row) for layer in view._edges for row in layer) == sum(
        a * b for a, b in zip(net.sizes[:-1], net.sizes[1:]))
    # Heatmaps: W, b, activations and gradients of every layer, at the network's shapes.
    hm = window.heatmap_panel
    for k, d in enumerate(net.dense):
        np.testing.assert_array_equal(hm.current_array(f"W{k + 1}"), d.W)
        assert hm.current_array(f"dW{k + 1}").shape == d.W.shape
    # One whole step, operation by operation: every stage shown, the last is the update.
    n_stages = 0
    while True:
        s.step_operation()
        qtbot.wait(1)
        n_stages += 1
        assert window.step_panel.isEnabled()
        if not s.step_in_progress:
            break
        assert n_stages < 10 * L + 10
    names = [st.name for st in s.stages]
    assert names[0] == "dense1.forward" and names[-1] == "update"
    assert sum(st.startswith("dense") and st.endswith(".forward") for st in names) == L
    assert sum(st.startswith("dense") and st.endswith(".backward") for st in names) == L
    # Insights: every tab draws for this network.
    ins = window.insights_panel
    for i in range(ins.count()):
        ins.setCurrentIndex(i)
        qtbot.wait(1)
    # The Output plot shows the network's output over the plane.
    img = window.boundary_plot.current_image()
    assert img.shape == (100, 100) and np.isfinite(img).all() and np.ptp(img) > 0
    window.grab()                      # every view paints without an exception


def test_importing_more_layers_than_the_app_draws_is_one_sentence(window, tmp_path, monkeypatch,
                                                                   warnings):
    from conftest import answer_paths
    from nnviz.experiment import Config, build
    from nnviz.io import exporters

    exp = build(Config(seed=3, hidden=[3] * 7))
    path = tmp_path / "deep.json"
    exporters.export(exp.model, path)
    before = window.session.network.params.copy()
    answer_paths(monkeypatch, path)
    window.actionImportWeights.trigger()
    assert len(warnings) == 1
    assert "7 hidden layers; the app draws at most 6" in warnings[0]
    np.testing.assert_array_equal(window.session.network.params, before)


def test_a_unit_for_a_layer_that_is_gone_is_one_message(window, qtbot):
    """A layer's −/+ buttons outlive it until Qt deletes them: a click then changes nothing."""
    s = window.session
    s.set_hidden([3, 2])
    for change in (s.add_neuron, s.remove_neuron):
        with qtbot.waitSignal(s.message) as got:
            change(4)
        assert got.args[0] == "there is no hidden layer 5"
    assert s.network.sizes == [2, 3, 2, 1]


def test_with_no_hidden_layer_the_activation_box_is_greyed_and_says_why(window):
    """The activation is the hidden units'. With none left, choosing another changed nothing
    a learner could see (and rebuilt the run): the box is greyed, its tooltip says why, and it
    comes back with a hidden layer, still showing the activation the new layer gets."""
    box = window.hyper_panel.activation
    tip = box.toolTip()
    assert box.isEnabled()
    window.actionRemoveLayer.trigger()
    assert window.session.config.hidden == []
    assert not box.isEnabled()
    assert box.toolTip().startswith("No hidden layer: ")
    window.actionAddLayer.trigger()
    assert box.isEnabled() and box.toolTip() == tip
    assert box.currentText() == window.session.network.activations[0]
