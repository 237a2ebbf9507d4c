"""The fast training path: same numbers as the recorded one, no stages, no per-step allocations.

(The timings themselves are in ``tests/bench/``; these tests pin down the properties the
timings rely on, deterministically.)
"""
import tracemalloc

import numpy as np
import pytest

from nnviz.core import losses, stages
from nnviz.core.grid import Grid
from nnviz.core.network import Network
from nnviz.core.trainer import Trainer

CASES = [  # sizes, hidden, output, loss, reduction, optimizer, l1, l2, batch
    ([2, 8, 1], "tanh", "sigmoid", "log_loss", "mean", "sgd", 0.0, 0.0, 10),
    ([3, 5, 4, 1], "relu", "identity", "squared_error", "sum", "adam", 0.01, 0.02, 7),
    ([2, 6, 1], "leaky_relu", "sigmoid", "squared_error", "mean", "momentum", 0.0, 0.01, 64),
    ([2, 3, 1], "sigmoid", "sigmoid", "log_loss", "mean", "sgd", 0.0, 0.0, None),
]


def make(sizes, hidden, output, loss, reduction, optimizer, l1, l2, batch, n=64):
    rng = np.random.default_rng(4)
    X = rng.standard_normal((n, sizes[0]))
    y = (X[:, 0] * X[:, -1] > 0).astype(float)
    net = Network(sizes, hidden, output)
    init = np.random.default_rng(5)
    for d in net.dense:
        d.W[...] = init.uniform(-1, 1, d.W.shape)
        d.b[...] = init.uniform(-0.5, 0.5, d.b.shape)
    task = "classification" if loss == "log_loss" else "regression"
    return Trainer(net, losses.make(loss, output, reduction), X, y, X[:9], y[:9], task=task,
                   lr=0.05, batch_size=batch, optimizer=optimizer, l1=l1, l2=l2,
                   rng=np.random.default_rng(6))


@pytest.mark.parametrize("case", CASES, ids=lambda c: f"{c[1]}-{c[3]}-{c[5]}")
def test_fast_path_equals_recorded_path_bit_for_bit(case):
    fast, recorded = make(*case), make(*case)
    for _ in range(23):   # crosses epoch ends and the shorter last batch of an epoch
        E = fast.step()
        names = [s.name for s in recorded.stage_step()]
        assert names[-1] == "update"
        assert E == recorded.last_loss
        assert fast.network.params.tobytes() == recorded.network.params.tobytes()
        assert fast.network.grads.tobytes() == recorded.network.grads.tobytes()
        for a, b in zip(fast.last_activations(), recorded.last_activations()):
            assert a.tobytes() == b.tobytes()
    assert fast.history.to_dict() == recorded.history.to_dict()
    assert (fast.step_count, fast.epoch_count, fast.pos) == (23, recorded.epoch_count, recorded.pos)


def test_fast_path_records_no_stage(monkeypatch):
    tr = make(*CASES[0])

    def refuse(*args, **kwargs):
        raise AssertionError("the fast path recorded a stage")

    for name in ("dense_forward", "activation_forward", "loss_forward", "loss_backward",
                 "activation_backward", "dense_backward", "update", "Symbols"):
        monkeypatch.setattr(stages, name, refuse)
    assert tr.steps(30) == 30
    assert tr.run_for(0.0, 5) == 1
    tr.epoch()
    tr.step()
    with pytest.raises(AssertionError, match="recorded a stage"):
        next(tr.stage_step())


def test_fast_path_writes_into_the_same_arrays_every_step():
    # 400 steps an epoch: the measured steps stay inside one epoch (the per-epoch history pass
    # over every row allocates, once an epoch).
    tr = make([2, 64, 1], "tanh", "sigmoid", "log_loss", "mean", "sgd", 0.0, 0.0, 32, n=12_800)
    tr.steps(10)   # builds the workspace

    def addresses():
        return [a.__array_interface__["data"][0] for a in tr.last_activations()]

    before = addresses()
    assert len(before) == 2   # A for both layers
    tracemalloc.start()
    try:
        tr.steps(2)
        base = tracemalloc.get_traced_memory()[0]
        tr.steps(300)
        current = tracemalloc.get_traced_memory()[0]
    finally:
        tracemalloc.stop()
    assert tr.epoch_count == 0
    assert addresses() == before          # the same buffers, step after step
    assert current - base < 2_000         # and nothing accumulates


def test_grid_forward_matches_the_network_in_float32():
    net = Network([2, 8, 1], "tanh", "sigmoid")
    rng = np.random.default_rng(0)
    for d in net.dense:
        d.W[...] = rng.uniform(-2, 2, d.W.shape)
        d.b[...] = rng.uniform(-1, 1, d.b.shape)

    from nnviz.core.model import Model

    grid = Grid(Model(net, ["x1", "x2"], ["x1", "x2"], None), (-3, 3), (-2, 2), resolution=40)
    outs = grid.evaluate(net)
    ref = net.layer_outputs(grid.features.astype(np.float64))
    assert [o.shape for o in outs] == [(40, 40, 8), (40, 40, 1)]
    for o, (_, a) in zip(outs, ref):
        assert o.dtype == np.float32
        np.testing.assert_allclose(o.reshape(a.shape), a, atol=2e-6)


@pytest.mark.parametrize("axes", [(0, 1), (3, 2), (4, 4)])
def test_grid_adds_the_held_features_to_the_first_bias(axes):
    """Over the grid the first layer multiplies the moving features only; the held ones'
    share, the same for every point, is added to its bias once. The outputs equal the network
    run in float64 on every feature, to float32's precision."""
    from nnviz.core.model import Model
    from nnviz.data.features import Scaler

    rng = np.random.default_rng(1)
    inputs = ["a", "b", "c", "d", "e"]
    feats = ["a", "b", "c", "a^2", "a*d", "sin(e)", "b*c", "d"]
    scaler = Scaler(rng.normal(size=len(feats)), rng.uniform(0.5, 2, len(feats)), names=feats)
    net = Network([len(feats), 6, 3, 1], "tanh", "sigmoid")
    for d in net.dense:
        d.W[...] = rng.uniform(-1, 1, d.W.shape)
        d.b[...] = rng.uniform(-1, 1, d.b.shape)
    model = Model(net, inputs, feats, scaler)
    res = 30
    grid = Grid(model, (-2, 3), (-1, 1.5), res, *axes, rng.normal(size=5))
    moving = {(0, 1): [0, 1, 3, 4, 6], (3, 2): [2, 4, 6, 7], (4, 4): [5]}[axes]
    assert grid.moving == moving
    assert grid.moving_features().shape == (res * res, len(moving))
    np.testing.assert_array_equal(grid.moving_features(), grid.features[:, moving])
    outs = grid.evaluate(net)
    ref = net.layer_outputs(grid.features.astype(np.float64))
    for o, (_, a) in zip(outs, ref):
        np.testing.assert_allclose(o.reshape(a.shape), a, atol=5e-6)


@pytest.mark.parametrize("axes", [(0, 1), (3, 2), (4, 4)])
def test_grid_computes_only_the_moving_features_and_gets_the_same_bits(axes, monkeypatch):
    """The grid transforms res² rows only for the features that read an axis's input; every
    feature, moving or held, equals the whole transform of the res² raw rows bit for bit."""
    from nnviz.core.model import Model
    from nnviz.data.features import Scaler

    rng = np.random.default_rng(0)
    inputs = ["a", "b", "c", "d", "e"]
    feats = ["a", "b", "c", "a^2", "a*d", "sin(e)", "b*c", "d"]
    scaler = Scaler(rng.normal(size=len(feats)), rng.uniform(0.5, 2, len(feats)), names=feats)
    model = Model(Network([len(feats), 3, 1], "tanh", "sigmoid"), inputs, feats, scaler)
    xi, yi = axes
    fixed, res = rng.normal(size=5), 40
    gx, gy = np.meshgrid(np.linspace(-2, 3, res), np.linspace(-1, 1.5, res))
    raw = np.repeat(fixed[None], res * res, axis=0)
    raw[:, xi] = gx.ravel()
    if yi != xi:
        raw[:, yi] = gy.ravel()
    expected = np.asarray(model.transform(raw), dtype=np.float32)
    rows = []
    real = Model.transform_columns
    monkeypatch.setattr(Model, "transform_columns",
                        lambda self, X, cols: rows.append((len(X), list(cols))) or real(self, X, cols))
    grid = Grid(model, (-2, 3), (-1, 1.5), res, xi, yi, fixed)
    np.testing.assert_array_equal(grid.features, expected)
    moving = {(0, 1): [0, 1, 3, 4, 6], (3, 2): [2, 4, 6, 7], (4, 4): [5]}[axes]
    assert rows == [(res * res, moving)]
