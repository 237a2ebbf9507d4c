"""A 100,000-row × 30-column CSV: load time, memory while loading, and Play on the table.

    python tests/bench/bench_csv.py [--quick]
    python tests/bench/bench_csv.py --rows N --cols K [--label] [--play SECONDS]   (one file, by hand)

The file: 29 feature columns of ``standard_normal × 100`` written with 6 decimals and a 0/1
target column ``label`` (``--label``: M/B text labels), about 30 MB.

- **Load time**: ``csvdata.load_dataset(path, "label")`` (sniff, parse, checks, X and y), the
  median of several runs in this process. Target: under 2 s.
- **Memory while loading**: one copy of the table is its n × k cells as float64, n·k·8 bytes
  (24.0 MB for 100,000 × 30; the file's text is larger, about 31 MB). "Loading never keeps more
  than two copies of the table" is read as: at no moment during ``load_dataset`` does the
  memory it has allocated, the returned Dataset included, exceed 2 copies. Measured in a fresh
  Python process, twice: the peak of ``tracemalloc`` (every Python and NumPy allocation) over
  the call, and the growth of the resident set's high-water mark (``VmHWM`` in
  /proc/self/status) over the call without tracemalloc (what the operating system sees,
  including memory the allocator has not yet returned). Target: both ≤ 2 copies.
- **Play on the table**: the main window offscreen at 1400×900 with every view showing (as in
  bench_ui.py, temporary XDG folders), the table set as the session's data (30 % test, seed 0,
  M = 8), then Play: redraws per second of wall-clock time (``paramsChanged`` emissions),
  counted after a warm-up. Target: at least 20. The CPU milliseconds per frame and the
  session's own estimate of a redraw are shown with it: Play keeps 20 frames a second when a
  redraw (the views' updates and their painting) takes at most 25 ms.
- **Per view** (information): each view's repaint and the views' ``paramsChanged`` updates,
  median over frames, on the table and on the default two-input session in the same window.
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import _common as C  # noqa: E402  (first: it sets the BLAS threads before NumPy loads)

import numpy as np  # noqa: E402

from nnviz.data import csvdata  # noqa: E402

ROWS, COLS = 100_000, 30
LOAD_LIMIT_S = 2.0
COPIES_LIMIT = 2.0
PLAY_TARGET_HZ = 20.0
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def write_file(path, rows=ROWS, cols=COLS, label=False, quoted=False):
    rng = np.random.default_rng(0)
    data = rng.standard_normal((rows, cols - 1)) * 100
    target = rng.integers(0, 2, rows)
    with open(path, "w", encoding="utf-8", newline="") as fh:
        names = [f"f{j}" for j in range(cols - 1)] + ["label"]
        fh.write(",".join(f'"{n}"' if quoted else n for n in names) + "\n")
        lab = np.where(target == 1, "M", "B") if label else target.astype(str)
        for row, t in zip(data, lab):
            fh.write(",".join(f"{v:.6f}" for v in row) + f",{t}\n")


def table_bytes(rows: int, cols: int) -> int:
    """One copy of the table: its cells as float64."""
    return rows * cols * 8


def load_times(path, repeats: int) -> list[float]:
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        csvdata.load_dataset(path, "label")
        times.append(time.perf_counter() - t0)
    return times


# --- memory, measured in a fresh process --------------------------------------------------

_CHILD = r"""
import json, sys, time, tracemalloc
from nnviz.data import csvdata

def status(key):
    with open("/proc/self/status", encoding="ascii") as fh:
        for line in fh:
            if line.startswith(key + ":"):
                return int(line.split()[1]) * 1024
    return 0

path, mode = sys.argv[1], sys.argv[2]
csvdata.sniff(path)                         # modules and caches the call needs, loaded first
if mode == "trace":
    tracemalloc.start()
    ds = csvdata.load_dataset(path, "label")
    kept, peak = tracemalloc.get_traced_memory()
    print(json.dumps({"peak": peak, "kept": kept, "x": ds.X.nbytes + ds.y.nbytes}))
else:
    rss, hwm = status("VmRSS"), status("VmHWM")
    ds = csvdata.load_dataset(path, "label")
    print(json.dumps({"rss_before": rss, "hwm_before": hwm, "hwm": status("VmHWM"),
                      "rss_after": status("VmRSS")}))
"""


def load_memory(path) -> dict:
    """tracemalloc peak and VmHWM growth of ``load_dataset(path)``, each in a fresh process."""
    env = dict(os.environ, PYTHONPATH=ROOT + os.pathsep + os.environ.get("PYTHONPATH", ""))
    out = {}
    for mode in ("trace", "rss"):
        r = subprocess.run([sys.executable, "-c", _CHILD, path, mode], capture_output=True,
                           text=True, env=env, cwd=ROOT, timeout=600)
        if r.returncode:
            raise RuntimeError(f"memory child failed: {r.stderr.strip()}")
        out.update(json.loads(r.stdout))
    return out


# --- the app on the table -----------------------------------------------------------------

def _painters(widget):
    from PySide6.QtWidgets import QAbstractScrollArea, QWidget

    views = [w.viewport() for w in [widget] + widget.findChildren(QWidget)
             if isinstance(w, QAbstractScrollArea)]
    return views or [widget]


def view_costs(app, win, session, frames: int) -> dict:
    """Median seconds per frame: the views' ``paramsChanged`` updates ("updates") and each
    view's repaint (by dock title; the network canvas as "Network"), with Play paused."""
    import bench_ui

    views = {name: dock.widget() for name, dock in win.docks.items()}
    views["Network"] = win.centralWidget()
    costs = {name: [] for name in ["updates", *views]}
    for _ in range(frames):
        session.trainer.steps(10)
        t0 = time.perf_counter()
        session.app_model._params_changed()
        costs["updates"].append(time.perf_counter() - t0)
        bench_ui.pump(app)
        for name, w in views.items():
            t0 = time.perf_counter()
            for vp in _painters(w):
                vp.repaint()
            costs[name].append(time.perf_counter() - t0)
    return {name: C.median(v) for name, v in costs.items()}


def play_rate(app, session, seconds: float, warmup: float = 1.0) -> dict:
    """Redraws per wall-clock second of Play, CPU ms per frame, the session's redraw estimate."""
    import bench_ui

    session.play()
    t0 = time.perf_counter()
    while time.perf_counter() - t0 < warmup:
        bench_ui.pump(app)
    frames, estimates = [], []

    def on_frame():
        frames.append(time.perf_counter())
        estimates.append(session._redraw_seconds)

    session.paramsChanged.connect(on_frame)
    steps0 = session.trainer.step_count
    cpu0, t0 = time.process_time(), time.perf_counter()
    while time.perf_counter() - t0 < seconds and session.playing:
        bench_ui.pump(app)
    session.pause()
    wall, cpu = time.perf_counter() - t0, time.process_time() - cpu0
    session.paramsChanged.disconnect(on_frame)
    bench_ui.pump(app)
    n = max(1, len(frames))
    gaps = np.diff(frames) if len(frames) > 1 else np.zeros(1)
    return {"hz": len(frames) / wall, "cpu_ms": 1e3 * cpu / n, "cpu_share": cpu / wall,
            "redraw_ms": 1e3 * C.median(estimates or [0.0]), "longest_gap_ms": 1e3 * gaps.max(),
            "steps": session.trainer.step_count - steps0, "frames": len(frames)}


def app_on_table(ds, seconds: float, frames: int):
    """(per-view costs on the default session, per-view costs on ``ds``, Play figures on ``ds``,
    seconds for set_dataset) in one window."""
    import bench_ui   # sets temporary XDG folders before Qt starts

    app, win, session = bench_ui.open_window(8)
    try:
        base = view_costs(app, win, session, frames)
        t0 = time.perf_counter()
        session.set_dataset(ds, test_ratio=0.3, seed=0)
        bench_ui.pump(app)
        set_s = time.perf_counter() - t0
        play = play_rate(app, session, seconds)
        table = view_costs(app, win, session, frames)
        return base, table, play, set_s
    finally:
        bench_ui.close_window(app, win)


# --- the table ----------------------------------------------------------------------------

def measure(quick: bool = False) -> list[C.Row]:
    rows = []
    with tempfile.TemporaryDirectory(prefix="nnviz-bench-csv-") as tmp:
        path = os.path.join(tmp, "bench.csv")
        write_file(path)
        mb = os.path.getsize(path) / 1e6
        copy = table_bytes(ROWS, COLS)
        what = f"{ROWS:,} × {COLS} ({mb:.1f} MB file; one copy = {copy / 1e6:.1f} MB of float64)"

        times = load_times(path, 3 if quick else 7)
        med = C.median(times)
        rows.append(C.Row("csv load", f"load_dataset {what}, {len(times)} runs",
                          f"median {med:.2f} s (max {max(times):.2f} s; {C.load_average()})",
                          f"< {LOAD_LIMIT_S:g} s", med < LOAD_LIMIT_S))

        m = load_memory(path)
        peak = m["peak"] / copy
        hwm = (max(m["hwm"], m["hwm_before"]) - m["rss_before"]) / copy
        rows.append(C.Row("csv memory", f"peak during load_dataset, {ROWS:,} × {COLS}",
                          f"tracemalloc {peak:.2f} copies ({m['peak'] / 1e6:.1f} MB, result "
                          f"{m['x'] / 1e6:.1f} MB); RSS high-water +{hwm:.2f} copies",
                          f"≤ {COPIES_LIMIT:g} copies", peak <= COPIES_LIMIT and hwm <= COPIES_LIMIT))

        ds = csvdata.load_dataset(path, "label")
    base, table, play, set_s = app_on_table(ds, 4.0 if quick else 10.0, 15 if quick else 40)
    rows.append(C.Row("csv Play", f"1400×900, all views, M=8, {ROWS:,} × {COLS - 1} inputs, "
                      f"{play['frames']} frames",
                      f"{play['hz']:.1f} redraws/s ({play['cpu_ms']:.0f} ms CPU/frame, redraw "
                      f"≈ {play['redraw_ms']:.0f} ms, longest gap {play['longest_gap_ms']:.0f} ms, "
                      f"CPU {play['cpu_share']:.0%}); set_dataset {set_s:.2f} s",
                      f"≥ {PLAY_TARGET_HZ:g}/s", play["hz"] >= PLAY_TARGET_HZ))
    for name in table:
        label = "paramsChanged updates" if name == "updates" else f"{name} repaint"
        rows.append(C.Row("csv per view", label,
                          f"{table[name] * 1e3:.2f} ms (default 2-input session "
                          f"{base[name] * 1e3:.2f} ms)"))
    return rows


def by_hand(args):
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "bench.csv")
        write_file(path, args.rows, args.cols, args.label, args.quoted)
        size = os.path.getsize(path) / 1024 ** 2
        t0 = time.perf_counter()
        table = csvdata.read_table(path)
        t1 = time.perf_counter()
        ds = csvdata.load_dataset(path, "label")
        t2 = time.perf_counter()
        print(f"{args.rows} rows × {args.cols} columns, {size:.1f} MB")
        print(f"read_table    {t1 - t0:.3f} s  ({table.n_rows} rows)")
        print(f"load_dataset  {t2 - t1:.3f} s  (X {ds.X.shape}, task {ds.task}, classes {ds.class_names})")
        del table
        m = load_memory(path)
        copy = table_bytes(args.rows, args.cols)
        print(f"memory        tracemalloc peak {m['peak'] / copy:.2f} copies, RSS high-water "
              f"+{(max(m['hwm'], m['hwm_before']) - m['rss_before']) / copy:.2f} copies "
              f"(one copy {copy / 1e6:.1f} MB)")
    if args.play:
        base, table, play, set_s = app_on_table(ds, args.play, 20)
        print(f"set_dataset   {set_s:.3f} s  (split, scale, build, first draw)")
        print(f"play          {play['hz']:.1f} redraws/s, {play['cpu_ms']:.0f} ms CPU per frame, "
              f"redraw ≈ {play['redraw_ms']:.0f} ms, longest gap {play['longest_gap_ms']:.0f} ms, "
              f"{play['steps']} steps")
        for name in table:
            print(f"  {name:16s} {table[name] * 1e3:6.2f} ms   (default session {base[name] * 1e3:6.2f} ms)")


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--quick", action="store_true", help="fewer runs, shorter Play")
    p.add_argument("--rows", type=int, help="by hand: this many rows (default 100,000)")
    p.add_argument("--cols", type=int, default=COLS)
    p.add_argument("--label", action="store_true", help="by hand: text labels M/B in the target")
    p.add_argument("--quoted", action="store_true", help="by hand: quote the header")
    p.add_argument("--play", type=float, default=0, help="by hand: seconds of Play in the app")
    args = p.parse_args(argv)
    if args.rows or args.label or args.quoted or args.play or args.cols != COLS:
        args.rows = args.rows or ROWS
        print(C.machine())
        by_hand(args)
        return
    print(C.machine())
    C.print_table(measure(args.quick))


if __name__ == "__main__":
    main()
