"""UI abuse: every action of the main window and every control, in a seeded random order, a few
thousand times while Play is on. Every modal question is answered "cancel"; afterwards the
network, the displayed parameter count and the views still agree.

Actions and controls are enumerated from the live window (and again as the window changes), so
new ones are abused too.
"""
import inspect
import os
import random
import time

import numpy as np
import pytest
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (QAbstractButton, QApplication, QCheckBox, QComboBox, QDialog,
                               QDoubleSpinBox, QFileDialog, QInputDialog, QLabel, QMenu,
                               QMessageBox, QSpinBox, QToolButton)
from pyqtgraph.GraphicsScene import GraphicsScene

from conftest import check_parameter_formula
from ui import dialogs

SEED = 20261123
EVENTS = int(os.environ.get("NNVIZ_ABUSE_EVENTS", 2000))


def _cancel_answer(fn):
    """What "cancel" means for a dialogs.* function, from its return annotation."""
    ann = str(inspect.signature(fn).return_annotation)
    if fn.__name__ == "ask_save_discard_cancel":
        return dialogs.CANCEL
    if "bool" in ann:
        return False
    if "str" in ann:
        return ""
    if "tuple" in ann:
        return None
    return None


@pytest.fixture
def answered(monkeypatch):
    """Every dialogs.* function answers "cancel"; a modal loop opened any other way is recorded
    (and answered "cancel") so the test can name it."""
    calls, direct = [], []
    for name, fn in inspect.getmembers(dialogs, inspect.isfunction):
        if fn.__module__ != dialogs.__name__ or name.startswith("_"):
            continue
        answer = _cancel_answer(fn)
        monkeypatch.setattr(dialogs, name,
                            lambda *a, _n=name, _ans=answer, **k: calls.append(_n) or _ans)

    def recorder(what, value):
        def f(*args, **kwargs):
            direct.append(what)
            return value
        return f

    for cls, name, value in [(QDialog, "exec", QDialog.Rejected), (QMessageBox, "exec", QMessageBox.Cancel),
                             (QMessageBox, "about", None), (QMessageBox, "warning", QMessageBox.Cancel),
                             (QMessageBox, "question", QMessageBox.No),
                             (QMessageBox, "information", QMessageBox.Ok),
                             (QMessageBox, "critical", QMessageBox.Ok),
                             (QFileDialog, "getOpenFileName", ("", "")),
                             (QFileDialog, "getSaveFileName", ("", "")),
                             (QFileDialog, "getExistingDirectory", ""),
                             (QInputDialog, "getDouble", (0.0, False)),
                             (QInputDialog, "getInt", (0, False)),
                             (QInputDialog, "getText", ("", False)),
                             (QInputDialog, "getItem", ("", False)),
                             (QMenu, "exec", None)]:
        monkeypatch.setattr(cls, name, recorder(f"{cls.__name__}.{name}", value))
    return calls, direct


@pytest.fixture
def window(kept_layout, answered, window, top_level_widgets):
    """The main window (conftest); the abuse floats and closes panels, so the remembered
    layout is put back, and boxes and floating panels it opened close with the test."""
    app = QApplication.instance()
    # Held until the end: a wrapper freed at once would let a dialog the abuse opens reuse its
    # id() and be taken for one that was there before (then it stayed open).
    existing = top_level_widgets()
    before = set(map(id, existing))
    window.answered = answered
    yield window
    # Boxes and floating panels the abuse opened (non-modal, so allowed) close with the test.
    for other in top_level_widgets():
        if id(other) not in before and other.isVisible():
            other.close()
    app.processEvents()


def _targets(w):
    """(kind, object) for every action and control of the window, as it is now.

    Left out: a plot's own "Export..." (pyqtgraph's scene action; a user reaches it only from
    the right-click menu, which first sets the item to export) and buttons that only pop up a
    menu (the menu's actions are in the list themselves)."""
    out = [("action", a) for a in w.findChildren(QAction)
           if a.menu() is None and not isinstance(a.parent(), GraphicsScene)]
    for c in w.findChildren(QComboBox):
        out.append(("combo", c))
    for b in w.findChildren(QSpinBox) + w.findChildren(QDoubleSpinBox):
        out.append(("spin", b))
    for b in w.findChildren(QAbstractButton):
        if isinstance(b, QToolButton) and (b.menu() is not None or
                                           b.objectName() == "qt_toolbar_ext_button"):
            continue
        out.append(("check" if isinstance(b, QCheckBox) else "button", b))
    return out


def _poke(kind, obj, rng: random.Random, w):
    if kind == "action":
        if obj is w.actionPlay and obj.isChecked() and rng.random() < 0.8:
            return  # mostly keep playing
        obj.trigger()
    elif kind == "combo":
        if obj.count():
            obj.setCurrentIndex(rng.randrange(obj.count()))
            obj.activated.emit(obj.currentIndex())
        if obj.isEditable() and rng.random() < 0.3:
            obj.lineEdit().setText(rng.choice(["0.1", "1e-3", "abc", "-5", "1e99", "", "nan", "10"]))
            obj.lineEdit().editingFinished.emit()
    elif kind == "spin":
        lo, hi = obj.minimum(), obj.maximum()
        r = rng.random()
        if r < 0.1:
            value = lo
        elif r < 0.13:
            value = hi
        else:  # mostly small values: a big sample count is slow to draw, not wrong
            span = min(hi - lo, 1000)
            value = lo + rng.random() ** 2 * span
        obj.setValue(round(value) if isinstance(obj, QSpinBox) else value)
    else:
        obj.click()


def _check_consistent(w):
    s = w.session
    net, tr = s.network, s.trainer
    assert w.findChild(QLabel, "paramCountLabel") is w.param_count_label
    check_parameter_formula(w)
    k = s.dataset.n_classes if s.task == "classification" else 1
    # K classes: a softmax unit each; two classes: one sigmoid unit, or a softmax pair when a
    # worked example chose that output.
    outputs = k if k and (k > 2 or net.activations[-1] == "softmax") else 1
    assert net.sizes == [len(s.model.features), *s.config.hidden, outputs]
    assert net.parameter_count() == sum((a + 1) * b for a, b in zip(net.sizes, net.sizes[1:]))
    assert [len(column) for column in w.network_view._nodes] == net.sizes
    assert np.all(np.isfinite(net.params))
    assert tr.lr == s.config.lr and 0 <= tr.lr <= 10
    if s.generated:
        chosen = [n for n, cb in w.data_panel.feature_boxes.items() if cb.isChecked()]
        assert chosen == list(s.model.features)


@pytest.mark.parametrize("events", [pytest.param(300, id="quick"),
                                    pytest.param(EVENTS, id="long", marks=pytest.mark.slow)])
def test_abuse_every_action_and_control_while_playing(window, qtbot, events):
    w, app = window, QApplication.instance()
    calls, direct = w.answered
    rng = random.Random(SEED)
    w.actionPlay.trigger()
    assert w.session.playing
    targets = _targets(w)
    kinds_used, played = set(), 0
    start = time.perf_counter()
    for event in range(events):
        if event % 100 == 0:
            targets = _targets(w)   # buttons and actions come and go with the structure
        kind, obj = rng.choice(targets)
        try:
            valid = obj.isWidgetType() is False or obj.isVisible() or True
        except RuntimeError:        # a C++ object rebuilt since the list was made
            continue
        if valid:
            _poke(kind, obj, rng, w)
            kinds_used.add(kind)
        if not w.isVisible():       # File › Quit with nothing to save closes the window
            w.show()
        if not w.session.playing and rng.random() < 0.5:
            w.actionPlay.setChecked(True)
        played += w.session.playing
        if event % 10 == 0:
            app.processEvents()     # a frame: Play's timer ticks, the views redraw
        if event % 250 == 0:
            _check_consistent(w)
    elapsed = time.perf_counter() - start
    w.actionPlay.setChecked(False)
    qtbot.wait(50)
    _check_consistent(w)
    s = w.session
    assert f"step {s.trainer.step_count}" in w.status_label.text()
    for k, d in enumerate(s.network.dense, 1):
        if f"W{k}" in w.heatmap_panel.images:
            np.testing.assert_array_equal(w.heatmap_panel.current_array(f"W{k}"), d.W)
    assert direct == [], f"modal loops opened outside ui/dialogs.py: {sorted(set(direct))}"
    assert kinds_used == {"action", "combo", "spin", "check", "button"}
    assert played > events // 2, "Play was on for most of the events"
    print(f"\nabuse: {events} events over {len(targets)} actions and controls in {elapsed:.1f} s; "
          f"{len(calls)} dialogs answered, step {s.trainer.step_count}")
