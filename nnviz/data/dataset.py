"""The table a network learns from: raw inputs X (rows are samples) and one target column y.

A :class:`Dataset` holds the *raw* input columns; feature expressions (``x1^2``, ``sin(x2)``)
and standardisation are applied later (see :mod:`nnviz.data.features`). Datasets come from the toy
generators (:func:`nnviz.data.datasets.generate`) or from a CSV file (:func:`nnviz.data.csvdata.load_dataset`);
``source`` records how to make the same data again (:func:`nnviz.data.sources.regenerate`).
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from nnviz.errors import NnvizError
from nnviz.settings import TASKS
from nnviz.settings import check_number

from nnviz.settings import MAX_CLASSES  # noqa: E402 (the most classes a target may have)


@dataclass
class Dataset:
    """Raw inputs and targets.

    X: (n, n_inputs) float64, C-contiguous; row i is sample i, column j is input ``inputs[j]``.
    y: (n,) float64; a class index 0.0, 1.0, … K−1 when ``task == "classification"`` (0 or 1
    for two classes).
    class_names: the original labels mapped to 0, 1, … K−1 in that order (CSV data, K-class
    toy data), else None (then two classes are 0/1).
    notices: remarks on the data a user should see (a constant input column, say).
    source: how to regenerate the data, e.g. ``{"generator": "circle", "samples": 500,
    "noise": 0.0, "seed": 0}`` or ``{"csv": path, "target": ..., ...}``.
    """

    X: np.ndarray
    y: np.ndarray
    inputs: list[str]
    task: str
    name: str = ""
    target: str = "y"
    class_names: tuple[str, ...] | None = None
    source: dict = field(default_factory=dict)
    notices: list = field(default_factory=list)

    def __post_init__(self):
        X = np.ascontiguousarray(self.X, dtype=np.float64)
        y = np.ascontiguousarray(self.y, dtype=np.float64)
        if X.ndim != 2:
            raise NnvizError(f"inputs must be a 2-D table (rows × columns), got shape {X.shape}")
        if y.ndim != 1:
            raise NnvizError(f"targets must be one column, got shape {y.shape}")
        if X.shape[0] != y.shape[0]:
            raise NnvizError(f"{X.shape[0]} input rows but {y.shape[0]} targets")
        inputs = list(self.inputs)
        if len(inputs) != X.shape[1] or not all(isinstance(s, str) for s in inputs):
            raise NnvizError(f"{X.shape[1]} input columns need {X.shape[1]} names, got {inputs!r}")
        if len(set(inputs)) != len(inputs):
            raise NnvizError(f"input names must be distinct, got {', '.join(inputs)}")
        if self.task not in TASKS:
            raise NnvizError(f"unknown task {self.task!r} (choose from: {', '.join(TASKS)})")
        if not np.isfinite(X).all():
            r, c = np.argwhere(~np.isfinite(X))[0]
            raise NnvizError(f"input {inputs[c]!r} in row {r + 1} is not a finite number ({X[r, c]})")
        if not np.isfinite(y).all():
            r = int(np.flatnonzero(~np.isfinite(y))[0])
            raise NnvizError(f"target in row {r + 1} is not a finite number ({y[r]})")
        if self.class_names is not None:
            names = tuple(self.class_names)
            if (not 2 <= len(names) <= MAX_CLASSES or not all(isinstance(s, str) for s in names)
                    or len(set(names)) != len(names)):
                raise NnvizError(f"class_names must be two strings (or one per class, up to "
                                 f"{MAX_CLASSES}), got {self.class_names!r}")
            self.class_names = names
        if self.task == "classification":
            K = 2 if self.class_names is None else len(self.class_names)
            labels = np.arange(K, dtype=np.float64)
            if not np.isin(y, labels).all():
                r = int(np.flatnonzero(~np.isin(y, labels))[0])
                which = "0 or 1" if K == 2 else f"a class index 0…{K - 1}"
                raise NnvizError(f"classification targets must be {which}; row {r + 1} has {y[r]:g}")
        self.X, self.y, self.inputs = X, y, inputs

    @property
    def n_samples(self) -> int:
        """Number of rows n."""
        return self.X.shape[0]

    @property
    def n_classes(self) -> int | None:
        """K, the number of classes (2 for a binary target), or None for regression."""
        if self.task != "classification":
            return None
        return 2 if self.class_names is None else len(self.class_names)

    @property
    def classes(self) -> list[str] | None:
        """The class labels in index order (``classes[k]`` is class k), or None for
        regression; ``["0", "1"]`` for a binary target without names."""
        if self.task != "classification":
            return None
        return list(self.class_names) if self.class_names is not None else ["0", "1"]

    def class_description(self, most: int | None = None) -> str:
        """One line for a dialog: ``"barbera → 0, barolo → 1, grignolino → 2"`` ("" for
        regression); past ``most`` classes the first four, the last and how many in all."""
        classes = self.classes
        if not classes:
            return ""
        if most is None or len(classes) <= most:
            return ", ".join(f"{c} → {k}" for k, c in enumerate(classes))
        first = ", ".join(f"{c} → {k}" for k, c in enumerate(classes[:4]))
        return f"{first}, … {classes[-1]} → {len(classes) - 1} ({len(classes)} classes)"

    def class_counts(self, most: int | None = None) -> str:
        """The rows per class for a dialog: ``"50 / 50 / 50 rows"`` ("" for regression); past
        ``most`` classes ``"26 classes, 3–9 rows each"``."""
        if self.task != "classification":
            return ""
        per = np.bincount(self.y.astype(np.int64), minlength=self.n_classes).tolist()
        if most is None or len(per) <= most:
            return " / ".join(map(str, per)) + " rows"
        each = f"{min(per)}–{max(per)}" if min(per) != max(per) else f"{per[0]}"
        return f"{len(per)} classes, {each} rows each"

    @property
    def n_inputs(self) -> int:
        """Number of raw input columns."""
        return self.X.shape[1]

    def split(self, test_ratio: float, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
        """Shuffled (train, test) row indices, int64 arrays of lengths n − n_test and n_test.

        ``n_test = round(n · test_ratio)``; a ratio of 0 gives an empty test array. Draws one
        permutation from ``rng``. Raises NnvizError when a non-zero ratio leaves either side
        with fewer than 2 rows.
        """
        ratio = check_number("test ratio", test_ratio)
        if not isinstance(rng, np.random.Generator):
            raise TypeError("rng must be a numpy.random.Generator")
        n = self.n_samples
        n_test = int(round(n * ratio))
        if ratio > 0 and (n_test < 2 or n - n_test < 2):
            raise NnvizError(f"a test ratio of {ratio:g} leaves fewer than 2 rows on one side "
                             f"({n - n_test} training, {n_test} test of {n} rows)")
        order = rng.permutation(n).astype(np.int64, copy=False)
        return order[n_test:].copy(), order[:n_test].copy()
