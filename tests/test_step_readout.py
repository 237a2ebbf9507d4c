"""Numbers that move: the batch loss and the epoch mean in the status bar and the loss readout,
at every step and at once after a weight is edited by hand; the update's before and after."""
import math
import re

import numpy as np

from nnviz.explain.readout import LossReadout, batch_loss, mean_loss
from nnviz.experiment import Config, build


def _status(window) -> str:
    return window.status_label.text()


def _number(text: str, label: str) -> float:
    return float(re.search(re.escape(label) + r" ([−\-0-9.]+)", text).group(1).replace("−", "-"))


def test_readout_is_the_batch_loss_and_the_epoch_mean():
    exp = build(Config(seed=1, hidden=[4], batch_size=10))
    tr, readout = exp.trainer, LossReadout()
    first = readout.read(tr)
    assert math.isnan(first.batch) and not first.edited
    E = tr.step()
    r = readout.read(tr)
    assert r.batch == E and r.epoch_mean == tr.history.train_loss[-1] and not r.edited
    tr.network.dense[0].W[0, 0] += 1.0          # an edit by hand
    r = readout.read(tr)
    X, y = tr.last_batch
    assert r.edited and r.batch == batch_loss(tr.network, tr.loss, X, y) != E
    assert r.epoch_mean == mean_loss(tr.network, tr.loss, tr.X, tr.y)
    tr.step()
    assert not readout.read(tr).edited


def test_status_and_loss_readout_move_with_every_step_and_edit(window, qtbot):
    s = window.session
    s.step_batch()
    text = _status(window)
    assert "batch loss" in text and "epoch mean loss train" in text
    first = _number(text, "batch loss")
    assert first == round(s.trainer.last_loss, 4)
    readout = window.loss_plot.readout
    assert readout.text().startswith("batch loss ")
    plot_first = readout.text()
    s.step_batch()
    assert _status(window) != text and readout.text() != plot_first
    assert _number(_status(window), "batch loss") == round(s.trainer.last_loss, 4)
    # An edit of one weight (what the canvas's click-to-edit calls): recomputed at once.
    before = _status(window)
    s.set_weight(0, 0, 0, float(s.network.dense[0].W[0, 0]) + 2.0)
    after = _status(window)
    assert after != before and "(edited weights)" in after
    X, y = s.trainer.last_batch
    expect = batch_loss(s.network, s.trainer.loss, X, y)
    assert _number(after, "batch loss") == float(f"{expect:.4f}")
    assert _number(after, "training-set loss") == float(
        f"{mean_loss(s.network, s.trainer.loss, s.trainer.X, s.trainer.y):.4f}")
    assert "(edited weights)" in readout.text()
    s.set_bias(1, 0, 0.5)
    assert _status(window) != after


def test_update_shows_before_change_and_after_with_digits_that_differ(qtbot):
    from ui.session import Session
    from ui.step_panel import StepPanel

    # A tiny learning rate: before and after differ in the fifth digit or later.
    s = Session(Config(seed=3, hidden=[3], batch_size=10, lr=1e-5))
    panel = StepPanel(s)
    qtbot.addWidget(panel)
    try:
        while not s.stages or s.stages[-1].name != "update":
            s.step_operation()
        views = {v.name: v for v in panel.matrix_views}
        assert list(views)[:3] == ["W⁽¹⁾", "−η·∂E/∂W⁽¹⁾", "new W⁽¹⁾"]
        stage = s.stages[-1]
        np.testing.assert_allclose(views["−η·∂E/∂W⁽¹⁾"].values,
                                   -1e-5 * stage.operands["∂E/∂W⁽¹⁾"], rtol=1e-6, atol=1e-20)
        differing = 0
        for key in ("W⁽¹⁾", "b⁽¹⁾", "W⁽²⁾", "b⁽²⁾"):
            old, new = views[key], views[f"new {key}"]
            for i, j in np.ndindex(old.values.shape):
                if old.values[i, j] != new.values[i, j]:
                    differing += 1
                    assert old.cell_text(i, j) != new.cell_text(i, j), (key, i, j)
        assert differing > 0
        # The index form too: w ← w − η·∂E/∂w = before − … = after, written differently.
        line = next(x for x in panel.text().splitlines() if x.startswith("w₁₁⁽¹⁾ ←"))
        before, after = line.split(" = ")[1].split(" − ")[0], line.split(" = ")[-1]
        assert before != after
    finally:
        s.shutdown()


def test_before_the_first_step_the_batch_loss_reads_as_a_dash_not_nan(window):
    """No batch has run yet (a new network, or a step begun operation by operation): the loss
    readout and the status bar say "–", never "nan"."""
    s = window.session
    s.add_neuron()                  # a new run: no batch yet
    s.step_operation()              # a step begun: still no batch loss
    for text in (window.loss_plot.readout.text(), _status(window)):
        assert "batch loss –" in text and "nan" not in text.lower()
