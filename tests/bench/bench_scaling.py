"""How an epoch's cost grows with the rows n and the hidden units M, and what memory it holds.

    python tests/bench/bench_scaling.py [--quick]

- **Rows**: one epoch of ``Trainer.epoch`` for n = 1,000, 10,000 and 100,000 rows of p = 30
  features, M = 32 tanh units, log-loss, batch 32 and full batch. The cost per row (epoch time / n)
  must stay flat once n × M arrays no longer fit the CPU's caches: from 10,000 to 100,000 rows
  it may grow at most 1.5× (a linear cost in n; the per-epoch shuffle and history pass are O(n)
  too). The 1,000 → 100,000 ratio is shown as well: there the small case runs in cache.
- **Units**: one epoch on n = 10,000 rows, p = 30, batch 32, for M = 4 … 256: information (the
  cost per step is a fixed Python part plus a part linear in M).
- **Memory**: the peak of NumPy's allocations (``tracemalloc``) while a trainer is built and
  runs its first epoch, in units of the data X (n × p float64), at n = 10,000 and 100,000. The
  trainer keeps one shuffled copy of X, and arrays of n rows × M units for the full batch and
  the per-epoch history pass; so the peak is a constant number of X's sizes: the target is
  that the number at 100,000 rows is within 10 % of the number at 10,000.
"""
from __future__ import annotations

import os
import sys
import time
import tracemalloc

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import _common as C  # noqa: E402  (first: it sets the BLAS threads before NumPy loads)

import numpy as np  # noqa: E402

from nnviz.core import losses  # noqa: E402
from nnviz.core.network import Network  # noqa: E402
from nnviz.core.trainer import Trainer  # noqa: E402

P = 30
LINEAR_LIMIT = 1.5
COPIES_GROWTH = 1.1


def make(n: int, M: int, B: int | None, p: int = P) -> Trainer:
    rng = np.random.default_rng(0)
    X = rng.standard_normal((n, p))
    y = (X[:, 0] * X[:, 1] > 0).astype(np.float64)
    net = Network([p, M, 1], "tanh", "sigmoid")
    init = np.random.default_rng(1)
    for d in net.dense:
        d.W[...] = init.uniform(-0.3, 0.3, d.W.shape)
    return Trainer(net, losses.make("log_loss", "sigmoid"), X, y, lr=0.03, batch_size=B,
                   rng=np.random.default_rng(2))


def epoch_seconds(tr: Trainer, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        tr.epoch()
        times.append(time.perf_counter() - t0)
    return C.median(times)


def data_copies(n: int, M: int, B: int | None) -> float:
    """Peak traced bytes of building a trainer and one epoch, in units of X's size."""
    rng = np.random.default_rng(0)
    X = rng.standard_normal((n, P))
    y = (X[:, 0] > 0).astype(np.float64)
    tracemalloc.start()
    tracemalloc.reset_peak()
    base = tracemalloc.get_traced_memory()[0]
    net = Network([P, M, 1], "tanh", "sigmoid")
    tr = Trainer(net, losses.make("log_loss", "sigmoid"), X, y, batch_size=B,
                 rng=np.random.default_rng(2))
    tr.epoch()
    peak = tracemalloc.get_traced_memory()[1] - base
    tracemalloc.stop()
    return peak / X.nbytes


def measure(quick: bool = False) -> list[C.Row]:
    rows = []
    sizes = (1_000, 10_000, 100_000)
    repeats = 3 if quick else 5
    for B, label in ((32, "B=32"), (None, "full batch")):
        per_row = {}
        for n in sizes:
            tr = make(n, 32, B)
            tr.epoch()         # the first epoch makes the workspace: not timed
            t = epoch_seconds(tr, repeats if n < 100_000 or B is None else 2)
            per_row[n] = t / n
            rows.append(C.Row("scaling n", f"n={n:,} p={P} M=32 {label}",
                              f"epoch {C.fmt_ms(t)} ({per_row[n] * 1e6:.2f} µs/row)"))
        growth = per_row[sizes[-1]] / per_row[sizes[1]]
        rows.append(C.Row("scaling n", f"{label}: per-row cost n={sizes[-1]:,} / n={sizes[1]:,}",
                          f"{growth:.2f}× (n={sizes[-1]:,} / n={sizes[0]:,}: "
                          f"{per_row[sizes[-1]] / per_row[sizes[0]]:.2f}×)",
                          f"≤ {LINEAR_LIMIT}× (linear in n)", growth <= LINEAR_LIMIT))
    units = (4, 8, 16, 32, 64, 128, 256)
    for M in units:
        tr = make(10_000, M, 32)
        t = epoch_seconds(tr, 1 if quick else 3)
        rows.append(C.Row("scaling M", f"n=10,000 p={P} B=32 M={M}",
                          f"epoch {C.fmt_ms(t)} ({t / tr.steps_per_epoch * 1e6:.0f} µs/step)"))
    for B, label in ((32, "B=32"), (None, "full batch")):
        small, large = data_copies(10_000, 32, B), data_copies(100_000, 32, B)
        rows.append(C.Row("scaling memory", f"peak, p={P} M=32 {label}, in sizes of X",
                          f"n=10k: {small:.2f}, n=100k: {large:.2f}",
                          f"constant (within {COPIES_GROWTH - 1:.0%})",
                          large <= small * COPIES_GROWTH))
    return rows


def main(argv=None):
    C.run_script(measure, __doc__, argv)


if __name__ == "__main__":
    main()
