"""Run every benchmark and print one table: the measured figure, the target and whether it is met.

    python tests/bench/run_all.py [--quick] [--skip ui,latency,scaling,...]

Sections: engine steps/s (nnviz, a tuned and an idiomatic hand-written NumPy loop, PyTorch,
scikit-learn) and the step-through cost (bench_engine.py), K classes against PyTorch
(bench_kclass.py), the boundary grid (bench_grid.py),
scaling in n and M and memory (bench_scaling.py), and the app while playing: frame time, Play
throughput and memory over 50,000 steps (bench_ui.py), each interaction (step operation, add or
remove a unit, activation, dataset, feature, optimizer, learning rate, a sample table, the
step-through toggles) against one step with its redraw (bench_latency.py), and a 100,000 × 30 CSV table: load time,
memory while loading and Play on it (bench_csv.py). Every ratio is measured in the same run;
every time is the median of several repeats on the machine named in the first line. Exit
status 1 when a target is missed.
"""
from __future__ import annotations

import argparse
import importlib
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import _common as C  # noqa: E402  (first: it sets the BLAS threads before NumPy loads)

# section → (benchmark file, its function returning table rows), in the table's order
SECTIONS = {
    "engine": ("bench_engine", "measure"),
    "kclass": ("bench_kclass", "measure"),
    "stepthrough": ("bench_engine", "measure_stepthrough"),
    "grid": ("bench_grid", "measure"),
    "scaling": ("bench_scaling", "measure"),
    "ui": ("bench_ui", "measure"),
    "latency": ("bench_latency", "measure"),
    "csv": ("bench_csv", "measure"),
}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--quick", action="store_true", help="fewer, shorter repeats (a smoke run)")
    ap.add_argument("--skip", default="", help=f"comma-separated sections to skip: {', '.join(SECTIONS)}")
    args = ap.parse_args(argv)
    skip = {s.strip() for s in args.skip.split(",") if s.strip()}
    unknown = skip - set(SECTIONS)
    if unknown:
        ap.error(f"unknown section(s): {', '.join(sorted(unknown))}")
    print(C.machine())
    print(f"start: {C.load_average()}", flush=True)
    t0 = time.perf_counter()
    rows: list[C.Row] = []
    for section, (module, function) in SECTIONS.items():
        if section not in skip:
            rows += getattr(importlib.import_module(module), function)(args.quick)
    print(f"end: {C.load_average()}; {time.perf_counter() - t0:.0f} s")
    C.print_table(rows)
    missed = [r for r in rows if r.ok is False]
    print(f"{sum(r.ok is True for r in rows)} targets met, {len(missed)} missed")
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
