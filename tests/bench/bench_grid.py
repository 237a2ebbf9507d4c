"""The output plot's grid: the output and every hidden unit's map in one float32 pass.

    python tests/bench/bench_grid.py [--quick]

``Grid.evaluate`` (what the boundary plot and the per-unit thumbnails draw) for a 2→8→1 tanh
network on the default circle data, at 100×100 and 200×200, timed as the median of many calls;
the float64 forward pass of the same points (``Network.layer_outputs``) is shown for scale.
Targets: 100×100 ≤ 1 ms, 200×200 ≤ 3 ms.
"""
from __future__ import annotations

import dataclasses
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import _common as C  # noqa: E402  (first: it sets the BLAS threads before NumPy loads)

import numpy as np  # noqa: E402

from nnviz.experiment import build  # noqa: E402
from nnviz.core.grid import Grid  # noqa: E402

TARGETS_MS = {100: 1.0, 200: 3.0}


def _median_seconds(fn, repeats: int, number: int) -> float:
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        for _ in range(number):
            fn()
        times.append((time.perf_counter() - t0) / number)
    return C.median(times)


def measure(quick: bool = False) -> list[C.Row]:
    from ui.session import default_config  # the app's default session (Qt is not started)

    exp = build(dataclasses.replace(default_config(), hidden=[8]))
    exp.trainer.steps(500)
    net = exp.model.network
    X = exp.dataset.X
    lims = [(float(X[:, j].min()), float(X[:, j].max())) for j in (0, 1)]
    rows = []
    for res, target in TARGETS_MS.items():
        grid = Grid(exp.model, lims[0], lims[1], res)
        outs = grid.evaluate(net)
        shapes = " + ".join(f"{o.shape[2]}" for o in outs)
        t32 = _median_seconds(lambda: grid.evaluate(net), 5 if quick else 15, 20)
        f64 = grid.features.astype(np.float64)
        t64 = _median_seconds(lambda: net.layer_outputs(f64), 3 if quick else 7, 5)
        rows.append(C.Row("boundary + unit maps", f"{res}×{res}, 2→8→1 tanh ({shapes} maps)",
                          f"{C.fmt_ms(t32)} float32 (float64: {C.fmt_ms(t64)})",
                          f"≤ {target:g} ms", t32 * 1e3 <= target))
    return rows


def main(argv=None):
    C.run_script(measure, __doc__, argv)


if __name__ == "__main__":
    main()
