"""Edit › Undo / Redo: every change that could throw away trained or imported weights can be
taken back, whole: the network, its weights, the optimizer's state, the random sequence and
the history, bit for bit; training on after an undo is the run that never had the change."""
import numpy as np
import pytest

from nnviz.data import csvdata
from ui import data_actions
from ui.model import AppModel
from ui.model.undo import UNDO_LIMIT


def _state(m: AppModel):
    tr = m.trainer
    return (list(m.network.sizes), m.network.activations, m.network.params.tobytes(),
            m.dataset.X.tobytes(), m.dataset.y.tobytes(), m.exp.train_idx.tobytes(),
            tr.step_count, tr.epoch_count, tr.pos, tr.history.to_dict(),
            m.initial_state[0].tobytes(), list(m.model.features), m.config.to_dict(),
            m.added_rows.tobytes())


def _table():
    target = next(t for f, t, _ in data_actions.SAMPLES if f == "diabetes.csv")
    return csvdata.load_dataset(data_actions.DATASETS / "diabetes.csv", target)


CHANGES = {
    "add a unit": lambda m: m.add_neuron(),
    "remove a unit": lambda m: m.remove_neuron(),
    "add a layer": lambda m: m.add_layer(),
    "remove a layer": lambda m: m.remove_layer(),
    "activation": lambda m: m.set_activation("relu"),
    "features": lambda m: m.set_features(["x1", "x2", "x1^2"]),
    "initialisation": lambda m: m.set_init("xavier"),
    "dataset": lambda m: m.set_data(dataset="xor"),
    "noise": lambda m: m.set_data(noise=0.3),
    "regenerate": lambda m: m.regenerate(),
    "a table": lambda m: m.set_dataset(_table(), test_ratio=0.3, seed=1),
    "reset": lambda m: m.reset(),
    "re-initialize": lambda m: m.reinitialize(),
    "a weight": lambda m: m.set_weight(0, 1, 2, 2.5),
    "a bias": lambda m: m.set_bias(1, 0, -1.25),
    "a point": lambda m: m.add_point(0.5, -0.5, 1.0),
}


@pytest.mark.parametrize("change", CHANGES)
def test_undo_takes_a_change_back_whole_and_redo_makes_it_again(change):
    m = AppModel()
    m.step_epoch()
    m.step_batch()
    before = _state(m)
    CHANGES[change](m)
    after = _state(m)
    assert after != before
    assert m.undo_text() is not None and m.redo_text() is None
    assert m.undo()
    assert _state(m) == before
    assert m.redo_text() == m.redo_text() and m.undo_text() is None
    assert m.redo()
    assert _state(m) == after


@pytest.mark.parametrize("change", ["a weight", "add a unit", "a point", "reset"])
def test_training_on_after_an_undo_is_the_run_without_the_change(change):
    edited, plain = AppModel(), AppModel()
    for m in (edited, plain):
        m.step_epoch()
        m.step_batch()
        m.step_batch()
    CHANGES[change](edited)
    edited.step_epoch()                 # training after the change is not an edit …
    edited.undo()                       # … so Undo goes back to before the change
    for m in (edited, plain):
        for _ in range(37):
            m.step_batch()
    assert _state(edited) == _state(plain)


def test_a_refused_change_leaves_nothing_to_undo():
    m = AppModel()
    m.set_hidden([1])
    m.undo()                            # (the set_hidden itself)
    m.set_hidden([1])
    count = len(m._undo)
    m.remove_neuron()                   # refused: a layer keeps one unit
    with pytest.raises(Exception):
        m.set_features([])              # an error: nothing changed
    assert len(m._undo) == count


def test_the_stacks_are_bounded_and_a_new_change_clears_redo():
    m = AppModel()
    for _ in range(UNDO_LIMIT + 5):
        m.add_neuron() if m.network.sizes[1] < 20 else m.remove_neuron()
    assert len(m._undo) == UNDO_LIMIT
    m.undo()
    assert m.redo_text() is not None
    m.set_activation("relu")
    assert m.redo_text() is None
    while m._undo:
        m.undo()
    assert not m.undo() and len(m._redo) == UNDO_LIMIT


def test_edit_menu_undo_and_redo(window):
    s = window.session
    assert window.actionUndo.shortcut().toString() == "Ctrl+Z"
    assert window.actionRedo.shortcut().toString() == "Ctrl+Shift+Z"
    assert not window.actionUndo.isEnabled() and window.actionUndo.text() == "Undo"
    window.actionAddNeuron.trigger()
    assert window.actionUndo.isEnabled() and window.actionUndo.text() == "Undo add a unit"
    window.actionUndo.trigger()
    assert s.network.sizes == [2, 4, 1]
    assert window.actionRedo.text() == "Redo add a unit" and not window.actionUndo.isEnabled()
    window.actionRedo.trigger()
    assert s.network.sizes == [2, 5, 1]
    menu = next(a.menu() for a in window.menuBar().actions() if a.text() == "&Edit")
    assert [a.objectName() for a in menu.actions()] == ["actionUndo", "actionRedo"]


def _trained():
    m = AppModel()
    for _ in range(40):
        m.step_batch()
    return m


def _params(m):
    return [a.copy() for d in m.network.dense for a in (d.W, d.b)]


@pytest.mark.parametrize("change", ["dataset", "noise", "regenerate", "a point"])
def test_new_data_that_the_weights_fit_keeps_the_trained_weights(change):
    """Other data for the same network (same features, same shape): the trained weights stay,
    bit for bit, and the run goes on from them; nothing trained is thrown away silently."""
    m = _trained()
    before = _params(m)
    CHANGES[change](m)
    assert all(np.array_equal(a, b) for a, b in zip(before, _params(m)))
    assert m.trainer.step_count == 0       # a new run on the new data, from those weights


def test_data_the_weights_do_not_fit_draws_new_ones_and_undo_brings_them_back():
    m = _trained()
    before = _params(m)
    CHANGES["a table"](m)                    # 10 inputs: the first layer cannot take them
    assert m.network.sizes[0] == 10
    m.undo()
    assert all(np.array_equal(a, b) for a, b in zip(before, _params(m)))
    m.set_data(dataset="blobs3")             # three classes: three output units
    assert m.network.sizes[-1] == 3


def test_undo_names_the_data_setting_that_changed(window):
    """Edit › Undo after a new seed read "Undo change the data"; it names the setting."""
    panel = window.data_panel
    window.hyper_panel.seed.setValue(7)
    assert window.actionUndo.text() == "Undo change the seed"
    panel.noise.setValue(0.2)
    panel.noise.editingFinished.emit()
    assert window.actionUndo.text() == "Undo change the noise"
    panel.dataset.setCurrentText("xor")
    assert window.actionUndo.text() == "Undo change the dataset"
    window.session.set_data(noise=0.1, samples=300)            # two at once: the data
    assert window.actionUndo.text() == "Undo change the data"
