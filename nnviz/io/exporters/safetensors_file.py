"""``.safetensors`` in PyTorch's ``nn.Sequential`` layout, with the rest of the model in the metadata.

Tensors (float64, so a round trip through nnviz is exact; PyTorch copies them into its float32
parameters)::

    0.weight  (M, p)  = W⁽¹⁾ᵀ      0.bias  (M,)       Linear(p, M)
    2.weight  (1, M)  = W⁽²⁾ᵀ      2.bias  (1,)       Linear(M, 1)
    4.weight …                                          (deeper nets: Linear layers at even indices)

so ``nn.Sequential(nn.Linear(p, M), nn.Tanh(), nn.Linear(M, 1)).load_state_dict(load_file(path),
strict=True)`` works (activations have no parameters and sit at the odd indices). nnviz keeps
W as (fan_in, fan_out); PyTorch's ``Linear.weight`` is (fan_out, fan_in), hence the transpose.

Metadata (string → string): ``format`` = ``nnviz-weights``, ``version`` = ``1``, ``nnviz`` = the
JSON header of :mod:`nnviz.io.weights_io` without the arrays (task, inputs, features,
input_scaling, each layer's activation, loss, parameter_count), ``pytorch`` = the matching
``nn.Sequential(...)`` as text, ``layout`` = a one-line reminder of the transpose.

The tensors are what ``nn.Sequential`` needs to run on its own: when the features are the raw
inputs their standardization is folded into the first layer, and a standardized regression
target into the last (:mod:`.folding`; ``scaling`` in the metadata says which). A folded
layer's unfolded weights stay in the ``nnviz`` header (exact JSON numbers), so nnviz reads the
file back bit for bit, with its scalings.
"""
from __future__ import annotations

import json
import struct

import numpy as np

from nnviz.io import weights_io
from nnviz.errors import NnvizError
from nnviz.io.fileio import atomic_write, read_bytes
from nnviz.core import activations
from nnviz.core.model import Model
from nnviz.io.exporters import folding
from nnviz.io.exporters.optional import require

MAX_HEADER = 16 * 1024 * 1024


def sequential_text(model: Model) -> str:
    """``nn.Sequential(nn.Linear(2, 4), nn.Tanh(), nn.Linear(4, 1), nn.Sigmoid())`` for this
    network: Python that builds it with ``from torch import nn``."""
    parts = []
    for d, act in zip(model.network.dense, model.network.activations):
        parts.append(f"nn.Linear({d.W.shape[0]}, {d.W.shape[1]})")
        parts.append(f"nn.{activations.get(act).torch_module}")
    return f"nn.Sequential({', '.join(parts)})"


def to_bytes(model: Model) -> bytes:
    st = require("safetensors.numpy", "safetensors export")
    header = weights_io.to_dict(model)
    layers, fold_in, fold_out = folding.export_layers(model)
    tensors = {}
    for k, (layer, (W, b)) in enumerate(zip(header["layers"], layers)):
        tensors[f"{2 * k}.weight"] = np.ascontiguousarray(W.T, dtype=np.float64)
        tensors[f"{2 * k}.bias"] = np.ascontiguousarray(b, dtype=np.float64)
        if not ((k == 0 and fold_in) or (k == len(layers) - 1 and fold_out)):
            del layer["weights"], layer["biases"]   # a folded layer keeps nnviz's own in the header
    metadata = {"format": weights_io.FORMAT, "version": str(weights_io.VERSION),
                "nnviz": json.dumps(header), "pytorch": sequential_text(model),
                "layout": "Linear layers at even indices; k.weight is (fan_out, fan_in) = nnviz W.T"}
    if fold_in or fold_out:
        metadata["scaling"] = folding.description(fold_in, fold_out)
    return st.save(tensors, metadata=metadata)


def save(model: Model, path) -> None:
    atomic_write(path, to_bytes(model))


def _fail(source, problem):
    raise NnvizError(f"{source}: {problem}")


def _metadata(data: bytes, source: str) -> dict:
    """The ``__metadata__`` of a safetensors file, read from its JSON header."""
    if len(data) < 8:
        _fail(source, "not a safetensors file (too short)")
    (n,) = struct.unpack("<Q", data[:8])
    if n > min(MAX_HEADER, len(data) - 8) or n < 2:
        _fail(source, "not a safetensors file (bad header length)")
    try:
        header = json.loads(data[8:8 + n].decode("utf-8"))
    except RecursionError:
        _fail(source, "the safetensors header is nested too deeply")
    except (UnicodeDecodeError, ValueError):
        _fail(source, "not a safetensors file (its header is not JSON)")
    if not isinstance(header, dict):
        _fail(source, "not a safetensors file (its header is not a JSON object)")
    meta = header.get("__metadata__")
    if meta is None:
        _fail(source, "this safetensors file has no nnviz metadata (architecture, features and "
                      "scaling); nnviz reads the safetensors files it wrote")
    if not isinstance(meta, dict) or not all(isinstance(v, str) for v in meta.values()):
        _fail(source, "the safetensors metadata must map names to strings")
    return meta


def from_bytes(data: bytes, source: str = "weights") -> Model:
    meta = _metadata(data, source)
    if meta.get("format") != weights_io.FORMAT:
        _fail(source, f"not an nnviz safetensors file (format is {meta.get('format')!r})")
    if meta.get("version") != str(weights_io.VERSION):
        _fail(source, f"unsupported weights version {meta.get('version')!r} "
                      f"(this nnviz reads version {weights_io.VERSION})")
    try:
        doc = json.loads(meta.get("nnviz", ""))
    except RecursionError:
        _fail(source, "the nnviz metadata is nested too deeply")
    except ValueError:
        _fail(source, "the 'nnviz' metadata entry is not valid JSON")
    if not isinstance(doc, dict) or not isinstance(doc.get("layers"), list):
        _fail(source, "the 'nnviz' metadata has no 'layers' list")
    layers = doc["layers"]
    if len(layers) > weights_io.MAX_LAYERS:
        _fail(source, f"{len(layers)} layers, over the limit of {weights_io.MAX_LAYERS}")
    st = require("safetensors.numpy", "reading .safetensors")
    try:
        tensors = st.load(data)
    except Exception as exc:  # the Rust parser's own error types: all mean "bad file"
        _fail(source, f"not a readable safetensors file ({str(exc).splitlines()[0][:200]})")
    expected = {f"{2 * k}.{part}" for k in range(len(layers)) for part in ("weight", "bias")}
    extra = sorted(set(tensors) - expected)
    if extra:
        _fail(source, f"unexpected tensor {extra[0]!r} (expected {len(layers)} Linear layers "
                      "at indices 0, 2, 4, …)")
    folded = []
    for k, layer in enumerate(layers):
        if not isinstance(layer, dict):
            _fail(source, f"layer {k + 1} must be an object")
        if "weights" in layer or "biases" in layer:   # a folded layer: nnviz's own weights
            folded.append(k)
            continue
        for part, key in (("weight", "weights"), ("bias", "biases")):
            name = f"{2 * k}.{part}"
            if name not in tensors:
                _fail(source, f"missing tensor {name!r}")
            arr = tensors[name]
            if arr.dtype.kind != "f":
                _fail(source, f"tensor {name!r} must hold floating-point numbers, not {arr.dtype}")
            if part == "weight":
                if arr.ndim != 2:
                    _fail(source, f"tensor {name!r} must be 2-D (fan_out, fan_in), not {arr.shape}")
                arr = arr.T
            layer[key] = np.ascontiguousarray(arr, dtype=np.float64)
    model = weights_io.from_dict(doc, source)
    if folded:
        _check_folded(model, tensors, folded, source)
    return model


def _check_folded(model: Model, tensors: dict, folded: list[int], source: str) -> None:
    """A folded layer is read from nnviz's weights in the metadata: its tensors must still be
    those weights with the scaling folded in. Tensors changed elsewhere (trained on in
    PyTorch) would otherwise be read for the other layers only, a network no one trained."""
    layers, _, _ = folding.export_layers(model)
    for k in folded:
        W, b = layers[k]
        for name, want in ((f"{2 * k}.weight", W.T), (f"{2 * k}.bias", b)):
            got = tensors.get(name)
            if (got is None or np.shape(got) != np.shape(want)
                    or not np.allclose(got, want, rtol=1e-9, atol=1e-12)):
                _fail(source, f"tensor {name!r} is not the weights in the file's nnviz "
                              f"metadata with the input or target scaling folded in (changed "
                              f"outside nnviz?); nnviz reads back only the .safetensors files it "
                              f"wrote as they were")


def load(path) -> Model:
    from pathlib import Path
    path = Path(path)
    return from_bytes(read_bytes(path), path.name)
