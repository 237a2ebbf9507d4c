"""The engine benchmark's hand-written loops run the job nnviz runs.

``tests/bench/bench_engine.py`` times nnviz against a tuned and an idiomatic NumPy loop; the
ratios mean something only if all three compute the same thing. From the same initial
parameters on the same batches (the same shuffles), after 250 steps the tuned loop's parameters
equal the idiomatic loop's and nnviz's to 1e-12, and so do the last batch loss and the per-epoch
loss and accuracy. 250 steps cross epoch ends (shuffle, evaluation) in every case, and at B=32
the epoch's shorter last batch.
"""
import os
import sys

import numpy as np
import pytest

_BENCH = os.path.join(os.path.dirname(os.path.abspath(__file__)), "bench")
_BLAS_VARS = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")
_unset = [v for v in _BLAS_VARS if v not in os.environ]
sys.path.insert(0, _BENCH)
try:
    import bench_engine as bench  # noqa: E402
finally:
    sys.path.remove(_BENCH)
    for _var in _unset:   # _common sets these for the benchmarks; leave this process as it was
        os.environ.pop(_var, None)

STEPS = bench.CHECK_STEPS
CASES = [(p, M, B, act) for p, M, B in bench.CASES for act in bench.ACTIVATIONS]


def run_three(p, M, B, act, steps=STEPS):
    X, y = bench.make_data(p)
    tuned = bench.TunedLoop(X, y, M, B, act)
    idiomatic = bench.IdiomaticLoop(X, y, M, B, act)
    trainer = bench.nnviz_trainer(X, y, M, B, act)
    tuned.run(steps)
    idiomatic.run(steps)
    trainer.steps(steps)
    return tuned, idiomatic, trainer


@pytest.mark.parametrize("p, M, B, act", CASES, ids=[f"p{p}-M{M}-B{B}-{a}" for p, M, B, a in CASES])
def test_tuned_loop_equals_idiomatic_loop_and_nnviz(p, M, B, act):
    tuned, idiomatic, trainer = run_three(p, M, B, act)
    start = np.concatenate([a.ravel() for a in bench.initial_params(p, M)])
    assert np.abs(tuned.params - start).max() > 1e-3          # it did train
    np.testing.assert_allclose(tuned.params, idiomatic.params(), rtol=0, atol=1e-12)
    np.testing.assert_allclose(tuned.params, trainer.network.params, rtol=0, atol=1e-12)
    assert abs(tuned.loss - idiomatic.loss) <= 1e-12
    assert abs(tuned.loss - trainer.last_loss) <= 1e-12
    epochs = STEPS // -(-bench.N_ROWS // B)   # whole epochs in 250 steps
    assert len(tuned.history) == len(idiomatic.history) == epochs >= 2
    np.testing.assert_allclose(tuned.history, idiomatic.history, rtol=0, atol=1e-12)
    nnviz_history = list(zip(trainer.history.train_loss[1:], trainer.history.train_metric[1:]))
    np.testing.assert_allclose(tuned.history, nnviz_history, rtol=0, atol=1e-12)


def test_tuned_loop_resumes_where_it_stopped():
    """The benchmark times run(k) in pieces: 250 steps in uneven pieces are 250 steps."""
    X, y = bench.make_data(2)
    whole = bench.TunedLoop(X, y, 64, 32, "tanh")
    whole.run(STEPS)
    pieces = bench.TunedLoop(X, y, 64, 32, "tanh")
    for k in (1, 30, 2, 100, 117):
        pieces.run(k)
    np.testing.assert_array_equal(pieces.params, whole.params)
    assert pieces.history == whole.history


def test_tuned_loop_makes_its_buffers_once_per_batch_size():
    X, y = bench.make_data(2)
    tuned = bench.TunedLoop(X, y, 64, 32, "relu")
    tuned.run(STEPS)
    bufs = {m: [id(a) for a in b] for m, b in tuned.bufs.items()}
    assert sorted(bufs) == [8, 32, bench.N_ROWS]   # a batch, the epoch's last, the evaluation
    tuned.run(STEPS)
    assert {m: [id(a) for a in b] for m, b in tuned.bufs.items()} == bufs


def test_benchmark_self_check_row():
    row = bench.check_same_math(steps=40)
    assert row.ok is True and row.target == "≤ 1e-12"


def test_the_step_without_recording_hooks_computes_the_same_bits():
    """The 'recording hooks, off' row compares the step with the same source minus every
    ``if record:`` block; that comparison means something only if both train alike."""
    X, y = bench.make_data(2)
    real, bare = (bench.nnviz_trainer(X, y, 8, 10, "tanh") for _ in range(2))
    bare_step = bench._step_without_recording_hooks()
    real.steps(230)
    with np.errstate(all="ignore"):
        for _ in range(230):
            for _ in bare_step(bare, False):
                pass
    assert real.network.params.tobytes() == bare.network.params.tobytes()
    assert real.history.to_dict() == bare.history.to_dict()
