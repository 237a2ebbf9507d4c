"""The step-through panel: navigation, the arrays it shows, the toggles and the hand-worked text."""
import re

import numpy as np
import pytest
from PySide6.QtCore import QObject, Qt, Signal

from nnviz.explain import equations as explain
from nnviz.explain.operations import panel_arrays, stage_title
from nnviz.core import losses
from nnviz.experiment import Config
from nnviz.core.network import Network
from nnviz.core.trainer import Trainer
from ui.session import Session
from ui.step_panel import MAX_ROWS, StepPanel, shown_rows

ORDER = ["dense1.forward", "activation1.forward", "dense2.forward", "activation2.forward",
         "loss.forward", "loss.backward", "dense2.backward", "activation1.backward",
         "dense1.backward", "update"]


def settle(qtbot):
    qtbot.wait(1)  # let the panel lay out its heatmaps


def check_panel_shows(panel, stage, notation):
    shown = panel.shown_arrays()
    expected = panel_arrays(stage, notation)
    if panel.matrices.results_only:   # a panel too small for every matrix shows the results
        expected = [a for a in expected if a.role == "result"]
    assert list(shown) == [a.name for a in expected]
    engine = dict(stage.operands, **stage.results)
    for a in expected:
        np.testing.assert_array_equal(shown[a.name], a.values.reshape(shown[a.name].shape))
        if a.key in engine:
            e = np.asarray(engine[a.key], dtype=float)
            e = e if notation == explain.ROW else (e.reshape(-1, 1) if e.ndim == 1 else e.T)
            np.testing.assert_array_equal(shown[a.name], e.reshape(shown[a.name].shape))


def test_right_arrow_walks_one_full_step_from_a_fresh_window(window, qtbot):
    s, panel = window.session, window.step_panel
    params = s.network.params.copy()
    window.activateWindow()
    window.setFocus()
    for i, name in enumerate(ORDER):
        qtbot.keyClick(window, Qt.Key_Right)
        settle(qtbot)
        assert s.stage_index == i and s.stages[i].name == name
        assert panel.stage_list.currentRow() == i and panel.stage_list.count() == len(ORDER)
        assert panel.counter.text() == f"{i + 1} of {len(ORDER)}"
        assert panel.title.text() == stage_title(s.stages[i], s.network.n_layers)
        check_panel_shows(panel, s.stages[i], explain.ROW)
        assert panel.index_label.text().startswith("<b>Index form</b>")
        if name != "update":
            np.testing.assert_array_equal(s.network.params, params)   # not changed until the update
    assert not np.array_equal(s.network.params, params)
    assert window.docks["Step through"].isVisible()
    # The toggles have keyboard mnemonics (Alt+D, Alt+O, Alt+B, Alt+C) that the menus do not use.
    for key, letter in (("hadamard", Qt.Key_D), ("outer", Qt.Key_O), ("rows", Qt.Key_B), ("column", Qt.Key_C)):
        qtbot.keyClick(window, letter, Qt.AltModifier)
        qtbot.waitUntil(panel.toggles[key].isChecked, timeout=2000)   # a mnemonic animates a click
    assert "[W⁽¹⁾ᵀ] = (1/m)" not in panel.text() and "{b⁽¹⁾} ← {b⁽¹⁾}" not in panel.text()
    assert "[Wᵀ] ← [Wᵀ] ⊖ η·[∂E/∂Wᵀ]" in panel.text()


@pytest.mark.parametrize("config", [
    Config(seed=2, hidden=[3], activation="relu", batch_size=4),
    Config(seed=3, hidden=[5, 2], activation="tanh", batch_size=25, optimizer="adam"),
    Config(dataset="plane", seed=4, hidden=[2], activation="leaky_relu", batch_size=7,
           reduction="sum"),
], ids=["relu-4", "tanh-2-layers-25", "plane-leaky-sum"])
def test_every_stage_shows_the_engines_arrays_in_both_notations(qtbot, config):
    s = Session(config)
    panel = StepPanel(s)
    qtbot.addWidget(panel)
    try:
        while True:
            s.step_operation()
            stage = s.stages[s.stage_index]
            for col in (False, True):
                panel.toggles["column"].setChecked(col)
                check_panel_shows(panel, stage, explain.COLUMN if col else explain.ROW)
            if stage.name == "update":
                break
    finally:
        s.shutdown()


def test_previous_and_list_round_trip_without_changing_anything(session, qtbot):
    panel = StepPanel(session)
    qtbot.addWidget(panel)
    for _ in range(7):
        panel.next_button.click()
    params = session.network.params.copy()
    stages = list(session.stages)
    texts = {}
    for i in range(6, -1, -1):
        texts[i] = panel.text()
        assert session.stage_index == i
        panel.prev_button.click() if i else None
    assert not panel.prev_button.isEnabled()
    panel.stage_list.setCurrentRow(4)   # a click on the list
    assert session.stage_index == 4 and panel.text() == texts[4]
    for i in range(5, 7):
        panel.next_button.click()
        assert panel.text() == texts[i]
    assert session.stages == stages and all(a is b for a, b in zip(session.stages, stages))
    np.testing.assert_array_equal(session.network.params, params)
    assert session.trainer.step_count == 0


def test_toggles_answer_the_seeds(qtbot):
    s = Session(Config(seed=2, hidden=[3], activation="relu", batch_size=30))
    panel = StepPanel(s)
    qtbot.addWidget(panel)
    try:
        s.step_operation()
        s.step_operation()   # activation1.forward
        for key in ("hadamard", "outer", "rows"):
            assert not panel.toggles[key].isChecked()
        assert "Hadamard form" not in panel.text()
        panel.toggles["hadamard"].setChecked(True)
        assert "σ(z) = a ⊙ z" in panel.text() and "largest |a ⊙ z − σ(z)| over the whole batch = 0" in panel.text()
        while s.stages[s.stage_index].name != "dense1.backward":
            s.step_operation()
        panel.toggles["outer"].setChecked(True)
        panel.toggles["rows"].setChecked(True)
        text = panel.text()
        assert "Why not a Hadamard product" in text and "sum of all 30" in text
        diff = float(text.split("largest |row-by-row − vectorised| (W and b) = ")[1].split()[0]
                     .replace("−", "-"))
        assert diff <= 1e-12
        # Column notation switches equations and orientation.
        assert "∂E/∂W⁽¹⁾ = (1/m) Xᵀ · δ⁽¹⁾" in text
        panel.toggles["column"].setChecked(True)
        text = panel.text()
        assert "[∂E/∂W⁽¹⁾ᵀ] = (1/m)·{δ⁽¹⁾}·{X}ᵀ" in text and "∂E/∂W⁽¹⁾ = (1/m) Xᵀ" not in text
        assert panel.shown_arrays()["{X}"].shape == (2, 30)
        s.show_stage(0)
        assert "the 30 samples side by side as columns give {Z⁽¹⁾} = [W⁽¹⁾ᵀ]·{X} ⊕ {b⁽¹⁾}" in panel.text()
        panel.toggles["column"].setChecked(False)
        assert "the 30 rows stacked give Z⁽¹⁾ = X·W⁽¹⁾ + b⁽¹⁾: b⁽¹⁾ is added to every row" in panel.text()
    finally:
        s.shutdown()


def test_sample_selector_and_large_batches(qtbot):
    s = Session(Config(seed=2, hidden=[3], activation="tanh", batch_size=40))
    panel = StepPanel(s)
    qtbot.addWidget(panel)
    try:
        s.step_operation()
        assert panel.sample_spin.maximum() == 40
        panel.sample_spin.setValue(17)
        x = s.stages[0].operands["X"]
        assert f"sample 17: X row 17 = {explain.vec(x[16])}" in panel.text()
        view = next(v for v in panel.matrix_views if v.name == "X")
        assert len(x) > MAX_ROWS and view.rows == [0, 1, 2, None, 15, 16, 17, None, 39]
        assert view.sample == 16 and view.sample_axis == 0
        w = next(v for v in panel.matrix_views if v.name == "W⁽¹⁾")
        assert w.sample_axis is None   # weights have no sample row
    finally:
        s.shutdown()


def test_shown_rows():
    assert shown_rows(5, 2) == [0, 1, 2, 3, 4]
    assert shown_rows(20, 0) == [0, 1, 2, None, 19]
    assert shown_rows(20, 3) == [0, 1, 2, 3, 4, None, 19]
    assert shown_rows(20, 19) == [0, 1, 2, None, 18, 19]
    assert shown_rows(10, 5, 8) == [0, 1, 2, None, 4, 5, 6, None, 9]


class FixedSession(QObject):
    """Just what the panel uses of a Session, holding the recorded stages of one fixed step."""

    stageChanged = Signal(object)

    def __init__(self, stages):
        super().__init__()
        self._all, self.stages, self.stage_index = stages, [], -1

    def step_operation(self):
        if len(self.stages) < len(self._all):
            self.stages.append(self._all[len(self.stages)])
        self.stage_index = len(self.stages) - 1
        self.stageChanged.emit(self.stages[-1])

    def previous_operation(self):
        self.show_stage(self.stage_index - 1)

    def show_stage(self, i):
        if 0 <= i < len(self.stages):
            self.stage_index = i
            self.stageChanged.emit(self.stages[i])


def test_hand_worked_2_2_1_panel_text(qtbot):
    # X = [[1, 2], [−1, 0.5]], y = [1, 0]; W⁽¹⁾ = [[0.1, −0.2], [0.3, 0.4]], b⁽¹⁾ = [0, −0.5];
    # W⁽²⁾ = [[0.5], [−1]], b⁽²⁾ = [0.2]; relu, sigmoid output, log-loss, mean, SGD η = 0.5.
    net = Network([2, 2, 1], "relu", "sigmoid")
    net.set_weights([(np.array([[0.1, -0.2], [0.3, 0.4]]), np.array([0.0, -0.5])),
                     (np.array([[0.5], [-1.0]]), np.array([0.2]))])
    tr = Trainer(net, losses.make("log_loss", "sigmoid"), np.array([[1.0, 2.0], [-1.0, 0.5]]),
                 np.array([1.0, 0.0]), lr=0.5, batch_size=2, shuffle=False)
    fs = FixedSession(list(tr.stage_step()))
    panel = StepPanel(fs)
    qtbot.addWidget(panel)
    panel.next_button.click()
    text = panel.text()
    assert "Z⁽¹⁾ = X · W⁽¹⁾ + b⁽¹⁾\n[2×2]·[2×2] + [1×2] → [2×2]" in text
    # Sample 1: z₁ = 0.1·1 + 0.3·2 + 0 = 0.7 and z₂ = −0.2·1 + 0.4·2 − 0.5 = 0.1.
    assert "z₁ = w₁₁·x₁ + w₂₁·x₂ + b₁ = 0.1·1 + 0.3·2 + 0 = 0.7" in text
    assert "z₂ = w₁₂·x₁ + w₂₂·x₂ + b₂ = (−0.2)·1 + 0.4·2 + (−0.5) = 0.1" in text
    np.testing.assert_allclose(panel.shown_arrays()["Z⁽¹⁾"], [[0.7, 0.1], [0.05, -0.1]], atol=1e-15)
    # Sample 2 selected: relu(0.05) = 0.05, relu(−0.1) = 0; the slope vector a = [1, 0].
    panel.next_button.click()
    panel.sample_spin.setValue(2)
    panel.toggles["hadamard"].setChecked(True)
    text = panel.text()
    assert "h₂ = max(0, z₂) = max(0, −0.1) = 0" in text
    assert "a ⊙ z = [1·0.05, 0·(−0.1)] = [0.05, 0]" in text
    # Loss, sample 2: e₂ = −log(1 − σ(0.225)) = −log(0.444) = 0.812; E = ½(0.4932 + 0.812) = 0.6526.
    for _ in range(3):
        panel.next_button.click()
    text = panel.text()
    assert "e₂ = −[y₂·log ŷ₂ + (1 − y₂)·log(1 − ŷ₂)] = −[0·log(0.556) + 1·log(0.444)] = 0.812" in text
    assert "E = (1/m)·Σᵢ eᵢ = (1/2)·(0.4932 + 0.812) = 0.6526" in text
    # δ⁽²⁾ for sample 2 = ŷ − y = 0.556 − 0 = 0.556.
    panel.next_button.click()
    assert "sample 2: δ = ŷ − y = 0.556 − 0 = 0.556" in panel.text()
    # ∂E/∂W⁽²⁾: ½(0.7·(−0.3894) + 0.05·0.556) = −0.1224; as outer products h₁ᵀδ₁ + h₂ᵀδ₂.
    panel.next_button.click()
    panel.toggles["outer"].setChecked(True)
    text = panel.text()
    assert "∂E/∂w₁₁ = (1/2)·Σᵢ hᵢ₁·δᵢ₁ = (1/2)·(0.7·(−0.3894) + 0.05·0.556) = −0.1224" in text
    assert "sample 1: hᵀ·δ = column [0.7, 0.1] times row [−0.3894] = [−0.2726; −0.03894]" in text
    # Update: w₁₁⁽¹⁾ ← 0.1 − 0.5·(−0.2363) = 0.2182 (∂E/∂w₁₁⁽¹⁾ = ½(1·(−0.1947) + (−1)·0.278)).
    for _ in range(3):
        panel.next_button.click()
    assert "w₁₁⁽¹⁾ ← w₁₁⁽¹⁾ − η·∂E/∂w₁₁⁽¹⁾ = 0.1 − 0.5·(−0.2363) = 0.2182" in panel.text()
    assert not panel.sample_spin.isEnabled()   # the update is the same for every sample


def _list_items(panel):
    items = panel.stage_list
    return [(items.item(i).text(), int(items.item(i).flags().value), items.item(i).toolTip())
            for i in range(items.count())]


def test_the_list_of_operations_is_what_a_new_panel_lists_after_every_change(session, qtbot):
    """The list keeps its items and changes only what differs; after each step, change of
    network or optimizer it must read exactly as a panel built on the same run."""
    panel = StepPanel(session)
    qtbot.addWidget(panel)
    changes = [session.step_operation, session.step_operation, session.add_layer,
               session.step_operation, lambda: session.set_optimizer("adam"),
               session.remove_layer, session.remove_layer, session.step_operation,
               session.add_layer, session.step_batch]
    seen = set()
    for n, change in enumerate(changes):
        change()
        fresh = StepPanel(session)
        qtbot.addWidget(fresh)
        if 0 <= session.stage_index < len(session.stages):
            fresh._on_stage(session.stages[session.stage_index])
        assert _list_items(panel) == _list_items(fresh), f"after change {n}"
        assert panel.stage_list.currentRow() == fresh.stage_list.currentRow()
        seen.add(len(_list_items(panel)))
        fresh.close()
    assert len(seen) >= 3        # lists of several lengths were compared


def test_a_change_of_network_after_a_step_shows_the_start_once(session, qtbot, monkeypatch):
    """Adding a layer when the panel shows an operation drops the step: the panel goes back to
    its start text and the new list once, not again when the session says the step is gone."""
    panel = StepPanel(session)
    qtbot.addWidget(panel)
    for _ in range(10):
        session.step_operation()
    assert panel._stage is not None
    shown = []
    original = StepPanel._refresh
    monkeypatch.setattr(StepPanel, "_refresh", lambda self: (shown.append(self._stage), original(self)))
    session.add_layer()
    assert shown == [None] and panel._stage is None
    assert "Next" in panel.title.text()          # the start text
    assert [panel.stage_list.item(i).text() for i in range(panel.stage_list.count())][-1].endswith("Update")
    assert panel.stage_list.count() == 14 and panel.counter.text() == "0 of 14"


def test_adams_hatted_moments_are_drawn(qtbot):
    """Adam's update reads θ ← θ − η·m̂ / (√v̂ + ε): the hat is a combining mark, which the upright
    face of DejaVu Sans (Linux's usual sans-serif) drew one line too high, out of the label, so
    the learner saw m and v. The panel writes a letter with a mark in italics (a variable is
    italic anyway), where the mark sits on its letter: the hats are drawn."""
    from dataclasses import replace

    from PySide6.QtGui import QImage
    from PySide6.QtWidgets import QLabel

    from ui.session import default_config

    s = Session(replace(default_config(), optimizer="adam"))
    panel = StepPanel(s)
    qtbot.addWidget(panel)
    try:
        s.step_operation()
        while s.stages[s.stage_index].name != "update":
            s.step_operation()
        equations = panel.equations.text()
        hatted = [m.start() for m in re.finditer("\\w\u0302", equations)]
        assert len(hatted) >= 2          # m̂ and v̂

        def picture(fragment: str) -> QImage:
            label = QLabel(panel)        # (the panel's font and style)
            label.setTextFormat(Qt.TextFormat.RichText)
            label.setText(f"<div style='font-size:11.5pt'>η·{fragment}</div>")
            label.adjustSize()
            image = QImage(label.size(), QImage.Format.Format_ARGB32_Premultiplied)
            image.fill(Qt.GlobalColor.white)
            label.render(image)
            return image

        for i in hatted:                 # each as written, with the tags around it
            start = i - 3 if equations[i - 3:i] == "<i>" else i
            end = i + 6 if equations[i + 2:i + 6] == "</i>" else i + 2
            written = equations[start:end]
            assert picture(written) != picture(written.replace("\u0302", "")), written
    finally:
        s.shutdown()
