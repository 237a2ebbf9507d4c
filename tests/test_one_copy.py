"""One copy of the math: every path that computes a layer calls the same forward and backward.

The training step (fast and recorded), the per-epoch evaluation, predictions, the
decision-boundary grid and the row-by-row explanation each run ``Dense.forward`` /
``Dense.backward`` and ``Activation.forward`` / ``Activation.backward``; a spy on those four
methods counts the calls each path makes, and a broken layer method changes every path's
numbers."""
import numpy as np
import pytest

from nnviz.core import layers, losses
from nnviz.core.grid import Grid
from nnviz.core.network import Network
from nnviz.core.trainer import Trainer
from nnviz.explain import views

METHODS = [(layers.Dense, "forward"), (layers.Dense, "backward"),
           (layers.Activation, "forward"), (layers.Activation, "backward")]


@pytest.fixture
def calls(monkeypatch):
    """Counts of calls to each layer method, reset by ``calls.clear()``."""
    counts = {}

    def spy(cls, name):
        real = getattr(cls, name)

        def wrapper(self, *args, **kwargs):
            key = f"{cls.__name__}.{name}"
            counts[key] = counts.get(key, 0) + 1
            return real(self, *args, **kwargs)
        return wrapper

    for cls, name in METHODS:
        monkeypatch.setattr(cls, name, spy(cls, name))
    return counts


def make_trainer(**kw):
    rng = np.random.default_rng(0)
    X = rng.standard_normal((12, 2))
    y = (X[:, 0] * X[:, 1] > 0).astype(float)
    net = Network([2, 3, 2, 1], "tanh", "sigmoid")
    net.params[...] = rng.uniform(-1, 1, net.params.size)
    return Trainer(net, losses.make("squared_error", "sigmoid"), X, y, X[:4], y[:4],
                   batch_size=4, rng=np.random.default_rng(1), **kw)


ALL = {"Dense.forward", "Dense.backward", "Activation.forward", "Activation.backward"}


def test_the_fast_step_runs_the_layer_methods(calls):
    tr = make_trainer()
    calls.clear()
    tr.step()
    # 3 dense layers; the output's activation backward too (squared error on a sigmoid is
    # not fused): 3 of each.
    assert calls == {name: 3 for name in ALL}


def test_the_recorded_step_runs_the_same_methods(calls):
    tr = make_trainer()
    calls.clear()
    stages = list(tr.stage_step())
    assert calls == {name: 3 for name in ALL}
    assert len(stages) == 3 * 4 + 2 + 1   # per layer 4 stages, the loss twice, the update


def test_evaluation_predictions_and_the_grid_run_the_forward_methods(calls):
    tr = make_trainer()
    calls.clear()
    tr.record_history()
    assert calls == {"Dense.forward": 6, "Activation.forward": 6}   # train and test sets
    calls.clear()
    tr.network.predict(np.zeros((5, 2)))
    assert calls == {"Dense.forward": 3, "Activation.forward": 3}

    from nnviz.core.model import Model

    calls.clear()
    Grid(Model(tr.network, ["x1", "x2"], ["x1", "x2"], None), (-1, 1), (-1, 1),
         resolution=8).evaluate(tr.network)
    assert calls == {"Dense.forward": 3, "Activation.forward": 3}


def test_the_row_by_row_view_runs_the_layer_methods_per_row(calls):
    tr = make_trainer()
    stages = list(tr.stage_step())
    calls.clear()
    views.row_by_row_gradients(stages)
    assert calls == {name: 4 * 3 for name in ALL}   # 4 rows, 3 layers


def test_a_broken_layer_changes_every_path(monkeypatch):
    """The paths share the one method: break Dense.forward and all of them see it."""
    tr = make_trainer()
    X = np.random.default_rng(2).standard_normal((6, 2))
    before = tr.network.predict(X).copy()
    real = layers.Dense.forward

    def off_by_one(self, x, out=None):
        z = real(self, x, out)
        z += 1.0
        return z
    monkeypatch.setattr(layers.Dense, "forward", off_by_one)
    assert not np.allclose(tr.network.predict(X), before)
    fresh = make_trainer()
    E_broken = fresh.step()
    monkeypatch.undo()
    assert E_broken != make_trainer().step()
