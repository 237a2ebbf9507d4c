"""A regression target in standard units: the network learns (y − μ_y) / σ_y.

μ_y and σ_y are the mean and (population) standard deviation of the training rows' targets.
Everything a user sees or exports is turned back into the target's own units with
ŷ = ŷ_s · σ_y + μ_y; the loss is the one exception, shown in the standardized units the
network trains on (so it starts near 1 whatever the target's scale).

:mod:`nnviz.io.exporters.folding` writes the scalings into the weights of the first and last
layer, so an exported network maps raw inputs to the target's own units with no scaling code
of its own.
"""
from __future__ import annotations

import numpy as np

from nnviz.data.features import Scaler
from nnviz.errors import NnvizError


def fit(y_train: np.ndarray, name: str = "y") -> Scaler:
    """A one-column :class:`Scaler` for the training rows' targets ``y_train`` (n,).

    A constant target keeps σ_y = 1 (a note says so in ``notices``)."""
    y = np.asarray(y_train, dtype=np.float64).reshape(-1, 1)
    try:
        scaler = Scaler.fit(y, [name])
    except NnvizError as exc:
        raise NnvizError(str(exc).replace("feature ", "target ", 1)
                         .replace("turn standardization off", "turn target standardization off")) from None
    scaler.notices = [n.replace("feature ", "target ", 1) for n in scaler.notices]
    return scaler


def scale(y: np.ndarray, scaler: Scaler | None) -> np.ndarray:
    """(n,) targets → (n,) standardized targets (y − μ_y) / σ_y; ``y`` itself when no scaler."""
    if scaler is None:
        return y
    return np.ascontiguousarray(scaler.transform(np.asarray(y, dtype=np.float64).reshape(-1, 1))[:, 0])


def unscale(p: np.ndarray, scaler: Scaler | None) -> np.ndarray:
    """Outputs in standardized units → the target's units: p · σ_y + μ_y (any shape; float32
    stays float32). ``p`` itself when no scaler."""
    if scaler is None:
        return p
    p = np.asarray(p)
    dtype = p.dtype if p.dtype in (np.float32, np.float64) else np.float64
    return p * scaler.std[0].astype(dtype) + scaler.mean[0].astype(dtype)


def unscale_rmse(value: float, scaler: Scaler | None) -> float:
    """An RMSE in standardized units → in the target's units (σ_y · RMSE)."""
    return value if scaler is None else float(value * scaler.std[0])
