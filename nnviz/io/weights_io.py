"""Weights files, version 1: JSON and NPZ (no pickle), written atomically, read with validation.

The JSON form::

    {"format": "nnviz-weights", "version": 1,
     "task": "classification",
     "inputs": ["x1", "x2"],                      # raw columns a user supplies
     "features": ["x1", "x2", "x1^2"],            # what the first layer sees, in order
     "input_scaling": {"mean": [...], "std": [...]},   # applied to the features; null when off
     "layers": [{"weights": [[...fan_out numbers] ...fan_in rows], "biases": [...fan_out],
                 "activation": "tanh"}, ...],
     "loss": "log_loss", "parameter_count": 17}

A regression trained on a standardized target adds ``"target_scaling": {"mean": [μ_y], "std":
[σ_y]}``: the last layer outputs (y − μ_y)/σ_y, and a prediction is that output · σ_y + μ_y.

A K-class network's last layer has K units and ``"activation": "softmax"``, its loss is
``"cross_entropy"``, and the file adds ``"classes": ["setosa", "versicolor", "virginica"]``,
the label of each output unit in order (still version 1: files without softmax are written and
read exactly as before).

Weights run "from-to": row i of a layer's ``weights`` holds the weights from input i, so each
layer computes activation(x·weights + biases) for a row vector x. The NPZ form holds the same
header as a JSON string under ``header`` and each layer's arrays as ``layer{k}_weights`` and
``layer{k}_biases`` (k from 0).
"""
from __future__ import annotations

import io
import json
import tokenize
import zipfile
import zlib
from pathlib import Path

import numpy as np

from nnviz.core import activations, losses
from nnviz.errors import NnvizError
from nnviz.data.features import Scaler
from nnviz.io.fileio import atomic_write, read_bytes
from nnviz.core.model import Model
from nnviz.core.network import MAX_INPUTS, Network
from nnviz.settings import MAX_LAYERS, MAX_UNITS, TASKS

FORMAT = "nnviz-weights"
VERSION = 1
MAX_NAME = 200
FORMATS = (".json", ".npz")


# --- model <-> dict ----------------------------------------------------------------------
def to_dict(model: Model) -> dict:
    net = model.network
    return {
        "format": FORMAT, "version": VERSION, "task": model.task,
        "inputs": list(model.inputs), "features": list(model.features),
        "input_scaling": model.scaler.to_dict() if model.scaler is not None else None,
        "layers": [{"weights": d.W.tolist(), "biases": d.b.tolist(), "activation": name}
                   for d, name in zip(net.dense, net.activations)],
        "loss": model.loss, "parameter_count": net.parameter_count(),
        **({"classes": _classes_of(model)} if net.n_outputs > 1 else {}),
        **({"target_scaling": model.target_scaler.to_dict()} if model.target_scaler is not None else {}),
    }


def _classes_of(model: Model) -> list[str]:
    """The labels of a K-output model, one per unit ("0", "1", … when it has none)."""
    K = model.network.n_outputs
    classes = model.classes
    return list(classes) if classes is not None and len(classes) == K else [str(k) for k in range(K)]


def _fail(source: str, problem: str):
    raise NnvizError(f"{source}: {problem}")


def _names(value, what: str, source: str, limit: int) -> list[str]:
    if not isinstance(value, list) or not value or not all(isinstance(v, str) and 0 < len(v) <= MAX_NAME for v in value):
        _fail(source, f"'{what}' must be a non-empty list of names")
    if len(value) > limit:
        _fail(source, f"'{what}' has {len(value)} entries, over the limit of {limit}")
    return list(value)


def _array(value, what: str, source: str, ndim: int) -> np.ndarray:
    """A finite float64 array from nested lists of numbers (or an ndarray from NPZ)."""
    if isinstance(value, np.ndarray):
        if value.dtype.kind not in "fiu" or value.ndim != ndim:
            _fail(source, f"{what} must be a {ndim}-D array of numbers")
        arr = value.astype(np.float64)
    else:
        rows = value if ndim == 2 else [value]
        if not isinstance(value, list) or not all(isinstance(r, list) for r in rows):
            _fail(source, f"{what} must be a {'list of lists' if ndim == 2 else 'list'} of numbers")
        if any(not isinstance(v, (int, float)) or isinstance(v, bool) for r in rows for v in r):
            _fail(source, f"{what} must hold only numbers")
        if ndim == 2 and len({len(r) for r in rows}) > 1:
            _fail(source, f"{what} has rows of different lengths")
        try:
            arr = np.array(value, dtype=np.float64)
        except (ValueError, OverflowError):
            _fail(source, f"{what} must hold only numbers")
    if arr.ndim != ndim or arr.size == 0:
        _fail(source, f"{what} must be a non-empty {ndim}-D array of numbers")
    if not np.all(np.isfinite(arr)):
        _fail(source, f"{what} holds a NaN or infinite number")
    return arr


def from_dict(d, source: str = "weights") -> Model:
    """Validate a decoded weights document and build the :class:`Model` it describes."""
    if not isinstance(d, dict):
        _fail(source, "not an nnviz weights file (expected a JSON object)")
    if d.get("format") != FORMAT:
        _fail(source, f"not an nnviz weights file (format is {d.get('format')!r}, expected {FORMAT!r})")
    version = d.get("version")
    if version != VERSION or isinstance(version, bool):
        _fail(source, f"unsupported weights version {version!r} (this nnviz reads version {VERSION})")
    task = d.get("task")
    if task not in TASKS:
        _fail(source, f"unknown task {task!r} (expected classification or regression)")
    inputs = _names(d.get("inputs"), "inputs", source, MAX_INPUTS)
    feats = _names(d.get("features"), "features", source, MAX_INPUTS)
    layers = d.get("layers")
    if not isinstance(layers, list) or not layers:
        _fail(source, "'layers' must be a non-empty list")
    if len(layers) > MAX_LAYERS:
        _fail(source, f"{len(layers)} layers, over the limit of {MAX_LAYERS}")
    weights, names = [], []
    fan_in = len(feats)
    for k, layer in enumerate(layers, 1):
        if not isinstance(layer, dict):
            _fail(source, f"layer {k} must be an object with weights, biases and activation")
        W = _array(layer.get("weights"), f"layer {k} weights", source, 2)
        b = _array(layer.get("biases"), f"layer {k} biases", source, 1)
        if W.shape[0] != fan_in:
            _fail(source, f"layer {k} weights have {W.shape[0]} rows but its input has {fan_in} values")
        if W.shape[1] > MAX_UNITS:
            _fail(source, f"layer {k} has {W.shape[1]} units, over the limit of {MAX_UNITS}")
        if b.shape != (W.shape[1],):
            _fail(source, f"layer {k} has {b.size} biases for {W.shape[1]} units")
        act = layer.get("activation")
        if not isinstance(act, str) or act not in activations.ACTIVATIONS:
            _fail(source, f"layer {k} has unknown activation {act!r} (known: {', '.join(activations.NAMES)})")
        weights.append((W, b))
        names.append(act)
        fan_in = W.shape[1]
    if fan_in != 1 and names[-1] != "softmax":
        _fail(source, f"the last layer has {fan_in} units; nnviz networks have one output "
                      "(or one per class with a softmax)")
    if names[-1] == "softmax" and task != "classification":
        _fail(source, "a softmax output layer is for classification")
    loss = d.get("loss")
    if not isinstance(loss, str) or loss not in losses.LOSSES:
        _fail(source, f"unknown loss {loss!r} (known: {', '.join(losses.NAMES)})")
    if loss == "log_loss" and names[-1] != "sigmoid":
        _fail(source, "log_loss needs a sigmoid output layer")
    if loss == "log_loss" and task != "classification":    # (as nnviz train refuses it)
        _fail(source, "log_loss is for classification; a regression uses squared_error")
    if (loss == "cross_entropy") != (names[-1] == "softmax"):
        _fail(source, "cross_entropy goes with a softmax output layer, and only with it")
    classes = None
    if names[-1] == "softmax":
        classes = d.get("classes", [str(k) for k in range(fan_in)])
        classes = _names(classes, "classes", source, fan_in)
        if len(classes) != fan_in or len(set(classes)) != fan_in:
            _fail(source, f"'classes' must name each of the {fan_in} output units once")
    sizes = [len(feats)] + [W.shape[1] for W, _ in weights]
    try:
        net = Network(sizes, names[:-1], names[-1])
    except NnvizError as exc:
        _fail(source, str(exc))
    net.set_weights(weights)
    count = d.get("parameter_count")
    if count is not None and count != net.parameter_count():
        _fail(source, f"parameter_count says {count} but the layers hold {net.parameter_count()}")
    scaling = d.get("input_scaling")
    scaler = None
    if scaling is not None:
        if not isinstance(scaling, dict):
            _fail(source, "'input_scaling' must be null or an object with mean and std")
        try:
            scaler = Scaler.from_dict({"mean": list(_array(scaling.get("mean"), "input_scaling mean", source, 1)),
                                       "std": list(_array(scaling.get("std"), "input_scaling std", source, 1))},
                                      len(feats))
        except NnvizError as exc:
            _fail(source, str(exc))
    target_scaler = None
    scaling = d.get("target_scaling")
    if scaling is not None:
        if not isinstance(scaling, dict) or task != "regression" or fan_in != 1:
            _fail(source, "'target_scaling' must be an object with mean and std, for a regression only")
        try:
            target_scaler = Scaler.from_dict(
                {"mean": list(_array(scaling.get("mean"), "target_scaling mean", source, 1)),
                 "std": list(_array(scaling.get("std"), "target_scaling std", source, 1))}, 1)
        except NnvizError as exc:
            _fail(source, str(exc).replace("feature scaling", "target scaling"))
    try:
        return Model(net, inputs, feats, scaler, task, loss, classes, target_scaler)
    except NnvizError as exc:
        _fail(source, str(exc))


# --- files ---------------------------------------------------------------------------------
def dumps(model: Model) -> str:
    return json.dumps(to_dict(model), indent=1)


def loads(text: str, source: str = "weights") -> Model:
    try:
        doc = json.loads(text)
    except RecursionError:
        _fail(source, "the JSON is nested too deeply")
    except ValueError as exc:
        _fail(source, f"not valid JSON ({exc})")
    return from_dict(doc, source)


def _npz_bytes(model: Model) -> bytes:
    header = to_dict(model)
    arrays = {}
    for k, layer in enumerate(header["layers"]):
        arrays[f"layer{k}_weights"] = np.asarray(layer.pop("weights"))
        arrays[f"layer{k}_biases"] = np.asarray(layer.pop("biases"))
    arrays["header"] = np.array(json.dumps(header))
    buf = io.BytesIO()
    np.savez(buf, **arrays)
    return buf.getvalue()


def _npz_model(data: bytes, source: str) -> Model:
    try:
        with np.load(io.BytesIO(data), allow_pickle=False) as npz:
            if "header" not in npz.files:
                _fail(source, "not an nnviz NPZ weights file (no 'header' entry)")
            header = npz["header"]
            if header.dtype.kind != "U" or header.ndim != 0:
                _fail(source, "the NPZ 'header' entry must be a JSON string")
            doc = json.loads(str(header))
            if not isinstance(doc, dict) or not isinstance(doc.get("layers"), list):
                _fail(source, "the NPZ header has no 'layers' list")
            if len(doc["layers"]) > MAX_LAYERS:
                _fail(source, f"{len(doc['layers'])} layers, over the limit of {MAX_LAYERS}")
            for k, layer in enumerate(doc["layers"]):
                if not isinstance(layer, dict):
                    _fail(source, f"layer {k + 1} must be an object")
                for part in ("weights", "biases"):
                    key = f"layer{k}_{part}"
                    if key not in npz.files:
                        _fail(source, f"missing array '{key}'")
                    layer[part] = npz[key]
    except NnvizError:
        raise
    except RecursionError:
        _fail(source, "the header JSON is nested too deeply")
    except (ValueError, OSError, EOFError, KeyError, zipfile.BadZipFile, UnicodeDecodeError,
            NotImplementedError, OverflowError, SyntaxError, tokenize.TokenError, zlib.error) as exc:
        if "pickle" in str(exc):     # NumPy's advice to load it unsafely is not ours to give
            _fail(source, "not an nnviz weights file: it holds Python objects (pickled data), "
                          "which nnviz never loads")
        _fail(source, f"not a readable NPZ file ({exc.__class__.__name__}: {exc})")
    return from_dict(doc, source)


def save(model: Model, path) -> None:
    """Write ``model`` to ``path``; the format follows the extension (.json or .npz)."""
    path = Path(path)
    ext = path.suffix.lower()
    if ext == ".json":
        atomic_write(path, dumps(model).encode("utf-8"))
    elif ext == ".npz":
        atomic_write(path, _npz_bytes(model))
    else:
        raise NnvizError(f"unknown weights format {ext or path.name!r} (use {', '.join(FORMATS)})")


def load(path) -> Model:
    """Read a weights file (.json or .npz), validating everything; raises :class:`NnvizError`."""
    path = Path(path)
    ext = path.suffix.lower()
    if ext not in FORMATS:
        raise NnvizError(f"unknown weights format {ext or path.name!r} (use {', '.join(FORMATS)})")
    data = read_bytes(path)
    if ext == ".npz":
        return _npz_model(data, path.name)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        _fail(path.name, "not a text file (invalid UTF-8)")
    return loads(text, path.name)
