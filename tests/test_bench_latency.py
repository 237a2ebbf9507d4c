"""The latency benchmark's code runs: ``tests/bench/bench_latency.py`` drives the window as a user
does and turns the times into table rows. One round of two interactions (no timing targets
here: this guards the benchmark code, not the app's speed)."""
import math
import os
import sys

import pytest

_BENCH = os.path.join(os.path.dirname(os.path.abspath(__file__)), "bench")
_KEEP = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS", "XDG_CONFIG_HOME",
         "XDG_DATA_HOME", "XDG_RUNTIME_DIR")


@pytest.fixture
def bench(kept_layout, qapp):
    """bench_latency imported as the scripts import it; the environment variables its imports
    set (BLAS threads, XDG folders), pyqtgraph's global options and the remembered window
    layout (the benchmark's window closes with Insights and Step through split off their tabs,
    which closing saves) put back afterwards."""
    import pyqtgraph as pg

    env = {k: os.environ.get(k) for k in _KEEP}
    options = dict(pg.CONFIG_OPTIONS)
    sys.path.insert(0, _BENCH)
    try:
        import bench_latency
        yield bench_latency
    finally:
        sys.path.remove(_BENCH)
        for k, v in env.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
        pg.setConfigOptions(**options)


def test_latency_rows_have_finite_positive_times(bench):
    only = ("add a hidden unit", "remove a hidden unit", "toggle outer products")
    base, times, painted, repaint = bench.measure_latency(repeats=1, only=only)
    assert set(times) == set(only)
    for values in [base, repaint, *times.values()]:
        assert values and all(math.isfinite(t) and t > 0 for t in values)
    assert "network" in painted["add a hidden unit"]     # the probe saw the views paint
    assert painted["toggle outer products"] <= {"step", "chrome"}
    rows = bench.rows_from(base, times, painted, repaint)
    results = [r for r in rows if r.ok is not None]
    assert [r.result.split(":")[0] for r in results] == list(only)
    for r in results:
        assert "× one step with redraw" in r.result and r.target == "≤ 3×"
