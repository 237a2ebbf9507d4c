"""Regression accuracy with the defaults against ordinary least squares on the same split.

    python tests/bench/accuracy_regression.py [--epochs 100,300]

Two real tables:

- the bundled diabetes.csv (442 × 10, target ``progression``);
- the cars table that the ``vega_datasets`` package ships (406 cars; no test names it): miles
  per gallon from the numeric columns (cylinders, displacement, horsepower, weight,
  acceleration), rows with a missing value dropped (392 left). It is written to a temporary
  CSV with its text columns (name, year as a date, origin) and goes through ``nnviz train``'s
  own loading: the text columns are left out by the default choice of inputs.

Each run is nnviz's defaults (one hidden layer of 4 tanh units, SGD η = 0.03, batches of 10,
half the rows held out, inputs and target standardized on the training rows) for the given
epochs (100 is the command line's default), over seeds 0, 1, 2; least squares is
``np.linalg.lstsq`` with an intercept on the same training rows. The same runs with the target
left in its own units (``--no-standardize-target``) are shown beside. Needs ``vega_datasets``
for the cars table (not a dependency of nnviz; skipped with a note when absent).
"""
from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

import numpy as np

from nnviz.core.history import metric
from nnviz.data import csvdata
from nnviz.experiment import Config, build
from nnviz.explain import analysis

SEEDS = (0, 1, 2)
DIABETES = Path(__file__).resolve().parents[2] / "nnviz" / "data" / "samples" / "diabetes.csv"


def cars_csv(folder: Path) -> Path | None:
    try:
        from vega_datasets import local_data
    except ImportError:
        return None
    df = local_data.cars()
    path = folder / "cars.csv"
    df.to_csv(path, index=False)
    return path


def least_squares_r2(exp) -> float:
    X, y = exp.dataset.X, exp.dataset.y
    b0, beta = analysis.least_squares(X[exp.train_idx], y[exp.train_idx])
    return metric("regression", y[exp.test_idx], X[exp.test_idx] @ beta + b0)


def run(ds, seed: int, epochs: int, **cfg):
    exp = build(Config(features=list(ds.inputs), seed=seed, **cfg), ds)
    start = exp.trainer.history.train_loss[0]
    exp.trainer.steps(epochs * exp.trainer.steps_per_epoch)
    return exp, start, exp.trainer.history.test_metric[-1]


def report(name: str, ds, epochs_list) -> list[tuple]:
    rows = []
    print(f"\n{name}: {ds.n_samples} rows, inputs {', '.join(ds.inputs)}"
          + (f"; notes: {'; '.join(ds.notices)}" if ds.notices else ""))
    for epochs in epochs_list:
        for scaled in (True, False):
            r2s, ols, starts = [], [], []
            for seed in SEEDS:
                exp, start, r2 = run(ds, seed, epochs, standardize_target=scaled)
                r2s.append(r2)
                ols.append(least_squares_r2(exp))
                starts.append(start)
            gap = float(np.median(ols) - np.median(r2s))
            what = "standardized target" if scaled else "target as it is"
            print(f"  {epochs:>4} epochs, {what:<20} test R² {', '.join(f'{v:.3f}' for v in r2s)}"
                  f" (median {np.median(r2s):.3f});  least squares {', '.join(f'{v:.3f}' for v in ols)}"
                  f" (median {np.median(ols):.3f});  gap {gap:+.3f};  starting loss "
                  f"{', '.join(f'{v:.4g}' for v in starts)}")
            rows.append((name, epochs, scaled, r2s, ols, gap))
    return rows


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--epochs", default="100,300", help="comma-separated epoch counts")
    args = p.parse_args(argv)
    epochs_list = [int(e) for e in args.epochs.split(",")]
    rows = report("diabetes.csv", csvdata.load_dataset(DIABETES, "progression"), epochs_list)
    with tempfile.TemporaryDirectory() as tmp:
        path = cars_csv(Path(tmp))
        if path is None:
            print("\ncars: skipped (pip install vega_datasets to measure it)")
        else:
            ds = csvdata.load_dataset(path, "Miles_per_Gallon", drop_missing=True)
            rows += report("cars (vega_datasets)", ds, epochs_list)
    print("\ntargets: diabetes within 0.05 of least squares (seed 0), cars median within 0.1")
    ok = True
    for name, epochs, scaled, r2s, ols, gap in rows:
        if not scaled:
            continue
        if name.startswith("diabetes"):
            met = abs(r2s[0] - ols[0]) <= 0.05
        else:
            met = gap <= 0.1
        ok &= met or epochs != epochs_list[0]
        print(f"  {name:<22} {epochs:>4} epochs: {'met' if met else 'NOT met'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
