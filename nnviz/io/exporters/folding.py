"""The scalings written into the weights: what ``nn.Sequential`` (``.safetensors``) and ONNX hold.

A network trained on standardized features and a standardized regression target computes
ŷ = f((x − μ_x)/σ_x) · σ_y + μ_y. Both scalings are affine, so they fold exactly into the
layers next to them:

- the last layer (identity output): W ← W · σ_y, b ← b · σ_y + μ_y;
- the first layer, when the features are the raw inputs: row i of W is divided by σ_i and
  b ← b − (μ/σ)·W, because ((x − μ)/σ)·W + b = x·(W/σ) + (b − (μ/σ)·W).

The folded network takes the raw inputs and gives the target's own units, so whoever loads it
needs no scaling code. With feature expressions (x1², sin x2) the features must be computed
anyway: the input standardization then stays a step of its own.
"""
from __future__ import annotations

import numpy as np

from nnviz.core.model import Model
from nnviz.data.features import Scaler, parse_features


def features_are_inputs(model: Model) -> bool:
    """True when the first layer sees the raw input columns, in their order."""
    feats = parse_features(model.features, model.inputs)
    return [(f.kind, f.i) for f in feats] == [("input", k) for k in range(len(model.inputs))]


def fold_output(W: np.ndarray, b: np.ndarray, scaler: Scaler) -> tuple[np.ndarray, np.ndarray]:
    """W (k, 1), b (1,) → new arrays W · σ_y, b · σ_y + μ_y."""
    s, m = float(scaler.std[0]), float(scaler.mean[0])
    return np.asarray(W, np.float64) * s, np.asarray(b, np.float64) * s + m


def fold_input(W: np.ndarray, b: np.ndarray, scaler: Scaler) -> tuple[np.ndarray, np.ndarray]:
    """W (p, k), b (k,) → new arrays W / σ (row by row), b − (μ/σ)·W."""
    W, b = np.asarray(W, np.float64), np.asarray(b, np.float64)
    return W / scaler.std[:, None], b - (scaler.mean / scaler.std) @ W


def export_layers(model: Model) -> tuple[list[tuple[np.ndarray, np.ndarray]], bool, bool]:
    """([(W, b) per layer] with the scalings folded in, input folded?, target folded?).

    The input standardization is folded when the features are the raw inputs; a regression's
    target scaling always. The model itself is not changed."""
    layers = [(d.W.copy(), d.b.copy()) for d in model.network.dense]
    fold_in = model.scaler is not None and features_are_inputs(model)
    if fold_in:
        layers[0] = fold_input(*layers[0], model.scaler)
    fold_out = model.target_scaler is not None
    if fold_out:
        layers[-1] = fold_output(*layers[-1], model.target_scaler)
    return layers, fold_in, fold_out


def description(fold_in: bool, fold_out: bool) -> str:
    """One sentence on what was folded ("" when nothing was)."""
    parts = (["the input standardization into the first layer (it takes the raw inputs)"] if fold_in else []) \
        + (["the target's scaling into the last layer (it outputs the target's own units)"] if fold_out else [])
    return ("folded " + " and ".join(parts) + "; no scaling code is needed") if parts else ""
