"""Input limits: every field of the app has a range or a validator, and the engine checks the
same parameters itself, so a script gets the protection the GUI has."""
import math

import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QValidator
from PySide6.QtWidgets import QAbstractSpinBox, QDoubleSpinBox, QLineEdit, QSpinBox

from nnviz.data import datasets
from nnviz.errors import NnvizError
from nnviz.experiment import Config, build
from nnviz.core.grid import Grid
from nnviz.core.losses import make as make_loss
from nnviz.core.network import Network
from nnviz.core.trainer import Trainer
from nnviz.settings import LIMITS, check_number
from ui import dialogs

# Qt's ranges when a program sets none.
QT_DEFAULT_RANGES = {QSpinBox: (0, 99), QDoubleSpinBox: (0.0, 99.99)}


@pytest.fixture
def window(window, monkeypatch):
    """The main window (conftest), its warnings recorded in ``window.warnings``."""
    warnings = []
    monkeypatch.setattr(dialogs, "warn", lambda parent, title, text: warnings.append(text))
    window.warnings = warnings
    return window


def _spin_boxes(w):
    return [b for b in w.findChildren(QAbstractSpinBox) if isinstance(b, (QSpinBox, QDoubleSpinBox))]


def test_every_spin_box_has_a_range_the_engine_accepts(window, qtbot):
    boxes = _spin_boxes(window)
    assert len(boxes) >= 6, "samples, noise, test ratio, batch, rate and seed at least"
    for box in boxes:
        lo, hi = box.minimum(), box.maximum()
        assert math.isfinite(lo) and math.isfinite(hi) and lo <= hi, box.toolTip()
        assert (lo, hi) != QT_DEFAULT_RANGES[type(box)], f"no range set: {box.toolTip()!r}"
        assert box.toolTip(), "every field explains itself"
        # Both ends are values the engine takes: no warning, and the field keeps the value.
        start = box.value()
        for end in (lo, hi, start):
            window.warnings.clear()
            box.setValue(end)
            assert window.warnings == [], (box.toolTip(), end, window.warnings)
            assert box.value() == end
        # Typing past the end is refused by the field itself.
        box.setFocus()
        box.selectAll()
        qtbot.keyClicks(box, "9" * 14)
        qtbot.keyClick(box, Qt.Key_Return)
        assert box.value() <= hi
        box.setValue(start)


def test_every_text_field_has_a_validator(window):
    edits = [e for e in window.findChildren(QLineEdit)
             if not isinstance(e.parent(), QAbstractSpinBox)]  # a spin box's own edit: above
    assert edits, "the learning-rate field at least"
    for edit in edits:
        v = edit.validator()
        assert v is not None, f"{edit.parent().objectName()}: a text field with no validator"
        for bad in ("abc", "-1", "nan", "inf", "1e308", "9" * 40):
            state = v.validate(bad, 0)[0]
            assert state != QValidator.Acceptable, (edit.parent().objectName(), bad)


def test_learning_rate_field(window, qtbot):
    s = window.session
    edit = window.hyper_panel.lr.lineEdit()
    v = edit.validator()
    for good in ("0.03", "1e-05", "10", "0"):
        assert v.validate(good, 0)[0] == QValidator.Acceptable, good
    for bad in ("11", "-0.1", "abc", "1e9"):
        assert v.validate(bad, 0)[0] != QValidator.Acceptable, bad
    # Typed and confirmed, a valid value reaches the trainer; an invalid one never does.
    edit.selectAll()
    qtbot.keyClicks(edit, "0.3")
    qtbot.keyClick(edit, Qt.Key_Return)
    assert s.trainer.lr == 0.3
    edit.selectAll()
    qtbot.keyClicks(edit, "50")
    qtbot.keyClick(edit, Qt.Key_Return)
    assert s.trainer.lr == 0.3 and s.config.lr == 0.3


# --- the engine checks the same things -----------------------------------------------------
BAD_NUMBERS = [-1, math.nan, math.inf, -math.inf, "x", None, True, 1e12]


def _error(fn, *names):
    with pytest.raises(NnvizError) as info:
        fn()
    msg = str(info.value)
    assert isinstance(info.value, ValueError)
    assert any(n in msg for n in names), msg
    assert "\n" not in msg
    return msg


@pytest.mark.parametrize("value", BAD_NUMBERS + [10.5])
def test_learning_rate_is_checked_by_config_and_trainer(value):
    _error(lambda: build(Config(lr=value)), "learning rate")
    tr = build(Config()).trainer
    _error(lambda: setattr(tr, "lr", value), "learning rate")
    assert tr.lr == 0.03


@pytest.mark.parametrize("value", BAD_NUMBERS + [1.01])
def test_noise_is_checked_by_config_and_generators(value):
    _error(lambda: build(Config(noise=value)), "noise")
    for name in datasets.NAMES:
        _error(lambda: datasets.generate(name, 100, value), "noise")


@pytest.mark.parametrize("value", BAD_NUMBERS + [3, 100_001, 10.5])
def test_sample_count_is_checked(value):
    _error(lambda: build(Config(samples=value)), "samples")
    _error(lambda: datasets.generate("xor", value), "samples")


@pytest.mark.parametrize("value", [0, -3, 2.5, math.nan, math.inf, "x", True, 10 ** 7])
def test_batch_size_is_checked(value):
    _error(lambda: build(Config(batch_size=value)), "batch size")
    tr = build(Config()).trainer
    _error(lambda: setattr(tr, "batch_size", value), "batch size")
    assert tr.batch_size == 10
    net = Network([2, 3, 1])
    X, y = np.zeros((8, 2)), np.zeros(8)
    _error(lambda: Trainer(net, make_loss("log_loss", "sigmoid"), X, y, batch_size=value), "batch size")


@pytest.mark.parametrize("value", [0, -1, LIMITS["hidden units"][1] + 1, 2.5, math.nan, math.inf,
                                   "x", None, True])
def test_hidden_units_are_checked(value):
    _error(lambda: build(Config(hidden=[value])), "hidden units")
    _error(lambda: build(Config(hidden=[4, value])), "hidden units")
    _error(lambda: Network([2, value, 1]), "hidden units")


def test_hidden_layers_are_checked():
    _error(lambda: build(Config(hidden=4)), "hidden units")
    _error(lambda: build(Config(hidden=[2] * (LIMITS["hidden layers"][1] + 1))), "hidden layers")
    _error(lambda: Network([math.inf, 3, 1]), "inputs")
    _error(lambda: Network([2, 3, 2]), "output")


@pytest.mark.parametrize("value", [0, 1, LIMITS["grid resolution"][1] + 1, 2.5, math.nan,
                                   math.inf, "x", None])
def test_grid_resolution_is_checked(value):
    model = build(Config()).model
    _error(lambda: Grid(model, (-1, 1), (-1, 1), value), "grid resolution")


def test_limits_accept_their_own_ends():
    """The ends of every limit are allowed (so the spin boxes' ends are too)."""
    for name, (lo, hi) in LIMITS.items():
        integer = isinstance(lo, int) and isinstance(hi, int)
        assert check_number(name, lo, integer=integer) == lo
        assert check_number(name, hi, integer=integer) == hi
    tr = build(Config(samples=LIMITS["samples"][0], hidden=[LIMITS["hidden units"][1]],
                      lr=LIMITS["learning rate"][1], noise=LIMITS["noise"][1])).trainer
    assert tr.network.sizes == [2, LIMITS["hidden units"][1], 1] and tr.lr == 10.0


def test_out_of_range_learning_rate_is_named_and_the_field_shows_the_rate_in_use(window, qtbot):
    s = window.session
    edit = window.hyper_panel.lr.lineEdit()
    edit.selectAll()
    qtbot.keyClicks(edit, "50")
    qtbot.keyClick(edit, Qt.Key_Return)
    assert edit.text() == "0.03" and s.config.lr == 0.03
    assert "from 0 to 10, not '50'" in window.hyper_panel.rejected_text
    assert "Learning rate must be" in window.statusBar().currentMessage()
