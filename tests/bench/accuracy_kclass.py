"""K-class accuracy against scikit-learn's MLPClassifier with the same hidden size.

    python tests/bench/accuracy_kclass.py

Two real tables: the bundled iris.csv (150 × 4, 3 classes) and scikit-learn's digits
(1,797 × 64, 10 classes; written to a temporary CSV, so it goes through nnviz's CSV loader, and
no test names it). Both sides train on the same rows (nnviz's seeded 70/30 split) with the
features standardized on the training rows; scikit-learn's MLPClassifier uses its defaults
(ReLU, Adam 1e-3, L2 1e-4, Glorot init) with the same hidden layer; nnviz trains about 2,000
steps of Adam 1e-3 on batches of 32 (500 epochs of iris, 100 of digits) with Xavier (tanh) or He (ReLU) initial weights (its default
uniform [−1, 1] is too large for 64 inputs and costs digits about 3 points). Needs scikit-learn (not a test
dependency).
"""
from __future__ import annotations

import csv
import subprocess
import sys
import tempfile
import json
from importlib.resources import files
from pathlib import Path

import numpy as np

from nnviz.data import csvdata
from nnviz.experiment import Config, build

HIDDEN = 32
EPOCHS = {"iris": 500, "digits": 100}   # about 2,000 Adam steps each


def nnviz_run(name, path, target, seed, **cfg):
    ds = csvdata.load_dataset(path, target)
    config = Config(hidden=[HIDDEN], test_ratio=0.3, seed=seed, features=list(ds.inputs), **cfg)
    exp = build(config, dataset=ds)
    exp.trainer.steps(EPOCHS[name] * exp.trainer.steps_per_epoch)
    return exp, exp.trainer.history.test_metric[-1]


def sklearn_run(exp, seed):
    from sklearn.neural_network import MLPClassifier
    from sklearn.preprocessing import StandardScaler
    ds = exp.dataset
    Xtr, Xte = ds.X[exp.train_idx], ds.X[exp.test_idx]
    ytr, yte = ds.y[exp.train_idx], ds.y[exp.test_idx]
    sc = StandardScaler().fit(Xtr)
    clf = MLPClassifier(hidden_layer_sizes=(HIDDEN,), max_iter=1000, random_state=seed)
    import warnings
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        clf.fit(sc.transform(Xtr), ytr)
    return clf.score(sc.transform(Xte), yte)


def digits_csv(folder: Path) -> Path:
    from sklearn.datasets import load_digits
    d = load_digits()
    path = folder / "digits.csv"
    with open(path, "w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow([f"px{i}" for i in range(64)] + ["digit"])
        for row, label in zip(d.data, d.target):
            w.writerow([f"{v:g}" for v in row] + [f"d{label}"])   # text labels: K classes
    return path


def main() -> int:
    iris = Path(str(files("nnviz.data") / "samples" / "iris.csv"))
    with tempfile.TemporaryDirectory() as tmp:
        digits = digits_csv(Path(tmp))
        # the command line on the digits table, as a user would run it
        out = subprocess.run([sys.executable, "-c", "import sys; from nnviz.cli.main import main; "
                              "sys.exit(main(sys.argv[1:]))", "train", "--data", str(digits),
                              "--target", "digit", "--hidden", str(HIDDEN), "--optimizer", "adam",
                              "--lr", "0.001", "--batch-size", "32", "--epochs", "100", "--json"],
                             capture_output=True, text=True, check=True)
        cli = json.loads(out.stdout)
        print(f"nnviz train --json on digits.csv: test_accuracy {cli['test_accuracy']:.4f}, "
              f"{len(cli['classes'])} classes, notices: {len(cli.get('notices', []))} constant "
              f"pixel columns kept")
        for name, path, target in (("iris", iris, "species"), ("digits", digits, "digit")):
            for seed in (0, 1, 2):
                runs = {}
                for act, init in (("tanh", "xavier"), ("relu", "he")):
                    exp, acc = nnviz_run(name, path, target, seed, activation=act, init=init,
                                         optimizer="adam", lr=0.001, batch_size=32)
                    runs[act] = acc
                sk = sklearn_run(exp, seed)
                print(f"{name:7s} seed {seed}: nnviz {HIDDEN} tanh {runs['tanh']:.4f}, relu "
                      f"{runs['relu']:.4f}; MLPClassifier({HIDDEN},) {sk:.4f}  "
                      f"(test rows {len(exp.test_idx)})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
