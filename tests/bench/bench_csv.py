"""Time reading a 100,000-row × 30-column CSV (not collected by pytest; run it by hand).

    PYTHONPATH=. python tests/bench/bench_csv.py [--rows N] [--label]

Writes the file to a temporary folder, then times sniff + read_table + load_dataset.
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


if __name__ == "__main__":
    main()
