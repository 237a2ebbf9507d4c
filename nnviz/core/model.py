"""The whole inference pipeline: raw inputs → features → scaling → network → output.

This is what a weights file holds and what every export reproduces.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from nnviz.data import features as features_mod
from nnviz.data import target as target_mod
from nnviz.errors import NnvizError
from nnviz.core.network import Network
from nnviz.settings import TASKS


@dataclass
class Model:
    network: Network
    inputs: list[str]                # raw columns a user supplies, in order
    features: list[str]              # what the first layer sees (input names or expressions)
    scaler: "features_mod.Scaler | None"  # standardisation of the features, or None
    task: str = "classification"
    loss: str = "log_loss"
    classes: list | None = None      # class labels in index order (classification), or None
    # regression: the target's standardization (μ_y, σ_y as a one-column Scaler), or None; the
    # network outputs (y − μ_y)/σ_y and predict() turns that back into the target's units
    target_scaler: "features_mod.Scaler | None" = None

    def __post_init__(self):
        if self.task not in TASKS:
            raise NnvizError(f"unknown task {self.task!r} (choose from: {', '.join(TASKS)})")
        self.features = features_mod.check_features(list(self.features), list(self.inputs))
        if len(self.features) != self.network.n_inputs:
            raise NnvizError(f"{len(self.features)} features but the first layer takes "
                             f"{self.network.n_inputs} inputs")
        if self.target_scaler is not None and (self.task != "regression"
                                               or self.target_scaler.n_features != 1):
            raise NnvizError("target scaling is for a regression's one target only")

    def transform(self, X_raw: np.ndarray) -> np.ndarray:
        """Raw inputs (n, len(inputs)) → scaled features (n, p), float64."""
        X_raw = np.asarray(X_raw, dtype=np.float64)
        if X_raw.ndim != 2 or X_raw.shape[1] != len(self.inputs):
            raise NnvizError(f"expected {len(self.inputs)} input columns ({', '.join(self.inputs)}), "
                             f"got data of shape {X_raw.shape}")
        F = features_mod.expand(X_raw, self.inputs, self.features)
        return self.scaler.transform(F) if self.scaler is not None else F

    def features_of(self, inputs) -> list[int]:
        """Indices of the features that read any of raw input columns ``inputs`` (indices)."""
        inputs = set(inputs)
        return [c for c, f in enumerate(features_mod.parse_features(self.features, self.inputs))
                if f.i in inputs or f.j in inputs]

    def inputs_read(self, cols) -> set[int]:
        """Indices of the raw input columns that features ``cols`` (indices) read."""
        feats = features_mod.parse_features([self.features[c] for c in cols], self.inputs)
        return {k for f in feats for k in (f.i, f.j)}

    def transform_columns(self, X_raw: np.ndarray, cols) -> np.ndarray:
        """Scaled features ``cols`` only, (n, len(cols)): the same numbers as those columns of
        :meth:`transform`, without computing the others."""
        cols = list(cols)
        X_raw = np.asarray(X_raw, dtype=np.float64)
        F = features_mod.expand(X_raw, self.inputs, [self.features[c] for c in cols])
        return self.scaler.columns(cols).transform(F) if self.scaler is not None else F

    @property
    def n_classes(self) -> int | None:
        """K (2 for one sigmoid output), or None for regression."""
        return self.network.n_classes if self.task == "classification" else None

    def predict(self, X_raw: np.ndarray) -> np.ndarray:
        """(n,) probabilities of class 1 (one sigmoid output) or predicted values (regression);
        (n, K) class probabilities for a softmax output."""
        p = self.network.predict(self.transform(X_raw))
        return p if p.shape[1] > 1 else self.unscale(p[:, 0])

    def unscale(self, p: np.ndarray) -> np.ndarray:
        """The network's regression outputs (any shape) in the target's own units: p · σ_y + μ_y
        when the target was standardized, else ``p`` itself."""
        return target_mod.unscale(p, self.target_scaler)

    def predict_labels(self, X_raw: np.ndarray) -> np.ndarray:
        """(n,) int class indices (argmax, or probability > 0.5 for one sigmoid output)."""
        return self.network.predict_labels(self.transform(X_raw))
