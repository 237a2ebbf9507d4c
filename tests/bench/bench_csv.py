"""Time reading a 100,000-row × 30-column CSV (not collected by pytest; run it by hand).

    PYTHONPATH=. python tests/bench/bench_csv.py [--rows N] [--label] [--play SECONDS]

Writes the file to a temporary folder, then times read_table and load_dataset (target: under
2 s for 100,000 × 30). With --play, opens the main window offscreen on that table, presses
Play and counts the redraws (target: at least 20 per second).
"""
from __future__ import annotations

import argparse
import os
import tempfile
import time

import numpy as np

from nnviz import csvdata


def write_file(path, rows, cols, label, quoted):
    rng = np.random.default_rng(0)
    data = rng.standard_normal((rows, cols - 1)) * 100
    target = rng.integers(0, 2, rows)
    with open(path, "w", encoding="utf-8", newline="") as fh:
        names = [f"f{j}" for j in range(cols - 1)] + ["label"]
        fh.write(",".join(f'"{n}"' if quoted else n for n in names) + "\n")
        lab = np.where(target == 1, "M", "B") if label else target.astype(str)
        for row, t in zip(data, lab):
            fh.write(",".join(f"{v:.6f}" for v in row) + f",{t}\n")


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--rows", type=int, default=100_000)
    p.add_argument("--cols", type=int, default=30)
    p.add_argument("--label", action="store_true", help="text labels M/B in the target column")
    p.add_argument("--quoted", action="store_true", help="quote the header (forces no fast path "
                   "only for the header line)")
    p.add_argument("--play", type=float, default=0, help="seconds of Play in the app")
    args = p.parse_args()
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
        if args.play:
            play(ds, args.play)


def play(ds, seconds):
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    os.environ["XDG_CONFIG_HOME"] = tempfile.mkdtemp()
    from PySide6.QtWidgets import QApplication
    from ui.main_window import MainWindow

    app = QApplication.instance() or QApplication([])
    w = MainWindow()
    w.show()
    t0 = time.perf_counter()
    w.session.set_dataset(ds, test_ratio=0.3, seed=0)
    app.processEvents()
    print(f"set_dataset   {time.perf_counter() - t0:.3f} s  (split, scale, build, first draw)")
    frames = []
    w.session.paramsChanged.connect(lambda: frames.append(time.perf_counter()))
    w.session.play()
    cpu0 = time.process_time()
    end = time.perf_counter() + seconds
    while time.perf_counter() < end:
        app.processEvents()
    w.session.pause()
    cpu = time.process_time() - cpu0
    gaps = np.diff(frames)
    # CPU time per frame is what the app costs; on a machine shared with other work the
    # wall-clock rate is lower than 1 / (CPU per frame).
    print(f"play          {len(frames) / seconds:.1f} redraws/s, longest gap {gaps.max() * 1000:.0f} ms, "
          f"{w.session.trainer.step_count} steps, {1000 * cpu / max(1, len(frames)):.0f} ms CPU "
          f"per frame (→ {len(frames) / max(cpu, 1e-9):.0f} frames per CPU second)")
    w.close()


if __name__ == "__main__":
    main()
