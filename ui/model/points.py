"""Points added and removed by hand on data with two inputs; the run goes on with the same
weights on the new rows."""
from __future__ import annotations

import numpy as np

from nnviz.data import csvdata, target
from nnviz.data.dataset import Dataset
from nnviz.errors import NnvizError

from .undo import undoable


class PointsMixin:
    """Part of :class:`ui.model.AppModel`. Owns ``_added``, (n,) bool: the rows of the
    dataset added by hand."""

    def _forget_points(self, n_samples: int):
        self._added = np.zeros(n_samples, dtype=bool)

    @property
    def added_rows(self) -> np.ndarray:
        """(n,) bool: the rows of ``dataset`` added by hand."""
        return self._added

    def can_edit_points(self) -> bool:
        return self.dataset.n_inputs == 2

    @undoable("Add a point", in_place=True)
    def add_point(self, x: float, y: float, target: float):
        """Add a training row (x, y) → target (0 or 1 for classification) and go on training
        with the same weights."""
        if not self.can_edit_points():
            raise NnvizError("points can be added by hand only to data with two inputs")
        x, y, target = float(x), float(y), float(target)
        if not all(np.isfinite(v) for v in (x, y, target)):
            raise NnvizError("a point needs finite coordinates and target")
        K = self.dataset.n_classes if self.task == "classification" else None
        if K is not None and not (target.is_integer() and 0 <= target < K):
            raise NnvizError(f"a class is a whole number from 0 to {K - 1}, not {target:g}")
        ds, n = self.dataset, self.dataset.n_samples
        row = np.empty((1, 2))
        row[0, list(self.plot_axes())] = (x, y)     # (x, y) as on the plot's axes
        self._edit_data(np.vstack([ds.X, row]), np.append(ds.y, target),
                        np.append(self.exp.train_idx, n), self.exp.test_idx,
                        np.append(self._added, True))

    @undoable("Remove a point", in_place=True)
    def remove_nearest(self, x: float, y: float) -> bool:
        """Remove the point nearest (x, y) on the plot (distances relative to the plot's
        extent); False when it cannot go (too few rows would be left)."""
        if not self.can_edit_points():
            raise NnvizError("points can be removed by hand only from data with two inputs")
        ax = self.plot_axes()
        g = self.grid()
        span = np.array([g.xlim[1] - g.xlim[0], g.ylim[1] - g.ylim[0]])
        P = self.dataset.X[:, list(ax)]
        i = int(np.argmin((((P - [x, y]) / span) ** 2).sum(axis=1)))
        keep = np.ones(self.dataset.n_samples, dtype=bool)
        keep[i] = False
        return self._remove_rows(keep)

    @undoable("Clear the points", in_place=True)
    def clear_points(self) -> int:
        """Remove every point added by hand; returns how many went."""
        count = int(self._added.sum())
        if count and not self._remove_rows(~self._added):
            return 0
        if not count:
            self.report("there are no points added by hand to clear")
        return count

    def _remove_rows(self, keep: np.ndarray) -> bool:
        new_index = np.cumsum(keep) - 1
        train = new_index[self.exp.train_idx[keep[self.exp.train_idx]]]
        test = new_index[self.exp.test_idx[keep[self.exp.test_idx]]]
        if len(train) < 2 or (len(self.exp.test_idx) and len(test) < 2):
            self.report("that point stays: at least 2 training and 2 test points are needed")
            return False
        ds = self.dataset
        self._edit_data(ds.X[keep], ds.y[keep], train, test, self._added[keep])
        return True

    def _edit_data(self, X, y, train_idx, test_idx, added):
        """The same run on edited rows: same features, scaling and weights; the split of the
        old rows kept, new rows train; a new trainer (step 0) with the same settings."""
        ds, exp = self.dataset, self.exp
        data = Dataset(X, y, ds.inputs, ds.task, name=ds.name, target=ds.target,
                       class_names=ds.class_names, source={**ds.source, "edited": True})
        self._keep_extent_if_inside(X)
        F = exp.model.transform(X)
        exp.dataset, exp.train_idx, exp.test_idx = data, np.asarray(train_idx, np.int64), \
            np.asarray(test_idx, np.int64)
        exp.F_train, exp.F_test = F[exp.train_idx], F[exp.test_idx]
        if exp.y is not None:   # the same target scaling (μ_y, σ_y) as the features keep theirs
            exp.y = target.scale(y, exp.model.target_scaler)
        exp.restart()
        self._added = np.asarray(added, dtype=bool)
        self._after_structure_change()

    def save_data(self, path):
        """Write the current data (with points added by hand) as a CSV file."""
        csvdata.write_dataset(self.dataset, path)
