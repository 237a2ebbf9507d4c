"""``.py``: the network as code — a standalone script that needs only NumPy (playground #39).

The script holds the weights as literals (``repr`` of each float64, so they are exact) and a
``predict(X)`` that runs the same pipeline as the engine, operation for operation: raw inputs
→ features → scaling → layers → output. Run as a program it reads a CSV file whose header
names the inputs and prints one prediction per line.

Every name that came from a user (input and feature names, which may hold any character) is
written with ``repr`` or ``json.dumps``, never pasted raw, so no name can break out of a string
or a comment. nnviz writes these scripts; it never imports or runs one.
"""
from __future__ import annotations

import json

import numpy as np

from nnviz import __version__
from nnviz.data.features import parse_features
from nnviz.io.fileio import atomic_write
from nnviz.core import activations
from nnviz.core.model import Model

TEMPLATE = '''\
"""A trained nnviz network as a standalone NumPy script (nnviz {version}).

    {sizes} network, activations {activations}; {what}.

predict(X): X is (n, {n_inputs}) raw inputs, columns in the order of INPUTS; returns {returns}.
As a program: python {{this file}} input.csv  — the CSV header names the inputs; prints one
prediction per line.

Weights run from-to: W has shape (fan_in, fan_out) and each layer computes a = act(a @ W + b).
"""
import csv
import sys

import numpy as np

TASK = {task}
INPUTS = {inputs}
FEATURES = {features}
MEAN = {mean}
STD = {std}{classes}
LAYERS = [  # (W (fan_in, fan_out), b (fan_out,), activation)
{layers}
]


{helpers}def _activation(name, z):
{activation_code}
    raise ValueError("unknown activation " + repr(name))


def features(X):
    """Raw inputs (n, {n_inputs}) -> features (n, {n_features})."""
    X = np.asarray(X, dtype=np.float64)
    if X.ndim != 2 or X.shape[1] != {n_inputs}:
        raise ValueError("expected X of shape (n, {n_inputs}), got " + repr(X.shape))
    F = np.empty((X.shape[0], {n_features}))
{feature_code}
    return F


def predict(X):
    """{what_cap} for each row of raw inputs X (n, {n_inputs})."""
    a = features(X)
    if MEAN is not None:
        a = (a - MEAN) / STD
    for W, b, name in LAYERS:
        z = a @ W
        z += b
        a = _activation(name, z)
{predict_return}


def main(argv):
    if len(argv) != 2:
        sys.exit("usage: python " + argv[0] + " input.csv  (a header row naming the inputs)")
    with open(argv[1], newline="", encoding="utf-8-sig") as fh:
        rows = list(csv.reader(fh))
    header = [h.strip() for h in rows[0]]
    missing = [name for name in INPUTS if name not in header]
    if missing:
        sys.exit("missing input column(s): " + ", ".join(map(repr, missing)))
    cols = [header.index(name) for name in INPUTS]
    X = np.array([[float(r[c]) for c in cols] for r in rows[1:] if r], dtype=np.float64)
{main_output}


if __name__ == "__main__":
    main(sys.argv)
'''


_RETURN = "    return a[:, 0]"
_MAIN = """\
    for value in predict(X.reshape(-1, len(INPUTS))):
        print(repr(float(value)))"""
# K classes: the probabilities and each row's label (the first class on a tie, like np.argmax).
_K_RETURN = "    return a, [CLASSES[k] for k in np.argmax(a, axis=1)]"
_K_MAIN = """\
    P, labels = predict(X.reshape(-1, len(INPUTS)))
    out = csv.writer(sys.stdout, lineterminator="\\n")   # a label with a comma is quoted
    for label, row in zip(labels, P):
        out.writerow([label] + [repr(float(v)) for v in row])"""


def _array_code(a: np.ndarray, indent: str) -> str:
    if a.ndim == 1:
        return "np.array([" + ", ".join(repr(float(v)) for v in a) + "])"
    rows = (indent + "    [" + ", ".join(repr(float(v)) for v in row) + "]," for row in a)
    return "np.array([\n" + "\n".join(rows) + "\n" + indent + "])"


def source(model: Model) -> str:
    """The script's text."""
    net = model.network
    feats = parse_features(model.features, model.inputs)
    feature_code = []
    for c, f in enumerate(feats):
        if f.kind == "input":
            expr = f"X[:, {f.i}]"
        elif f.kind == "sin":
            expr = f"np.sin(X[:, {f.i}])"
        else:
            expr = f"np.multiply(X[:, {f.i}], X[:, {f.j}])"
        feature_code.append(f"    F[:, {c}] = {expr}  # {json.dumps(f.text)}")
    layers = []
    for d, act in zip(net.dense, net.activations):
        layers.append(f"    ({_array_code(d.W, '    ')},\n     {_array_code(d.b, '    ')},"
                      f" {act!r}),")
    used = [activations.get(name) for name in sorted(set(net.activations))]
    activation_code = "\n".join(f"    if name == {fn.name!r}:\n        return {fn.numpy_expr}"
                                for fn in used)
    # each helper a used activation calls, in table order, two blank lines after each
    helpers = "".join(fn.numpy_helper + "\n\n" for fn in activations.ACTIVATIONS.values()
                      if fn.numpy_helper and fn.name in net.activations)
    what = ("the output is P(class 1)" if model.task == "classification"
            else "the output is the predicted value")
    what_cap = "P(class 1)" if model.task == "classification" else "The predicted value"
    K = net.n_outputs
    if K > 1:
        from nnviz.io.weights_io import to_dict
        what = f"the output is the {K} class probabilities (softmax) and the label"
        what_cap = "(probabilities (n, K), labels (n,) from CLASSES)"
        fill = dict(returns=f"(P (n, {K}), labels)", classes="\nCLASSES = " + repr(to_dict(model)["classes"]),
                    predict_return=_K_RETURN, main_output=_K_MAIN)
    else:
        fill = dict(returns="(n,)", classes="", predict_return=_RETURN, main_output=_MAIN)
    ts = model.target_scaler
    if ts is not None:   # the network outputs the standardized target: back to its own units
        fill["classes"] = f"\nY_MEAN = {float(ts.mean[0])!r}  # the target's mean and std\nY_STD = {float(ts.std[0])!r}"
        fill["predict_return"] = "    return a[:, 0] * Y_STD + Y_MEAN"
    return TEMPLATE.format(**fill,
        version=__version__, sizes=" → ".join(map(str, net.sizes)),
        activations=", ".join(net.activations), what=what,
        what_cap=what_cap,
        n_inputs=len(model.inputs), n_features=len(feats), task=repr(model.task),
        inputs=repr(list(model.inputs)), features=repr([f.text for f in feats]),
        mean=_array_code(model.scaler.mean, "") if model.scaler is not None else "None",
        std=_array_code(model.scaler.std, "") if model.scaler is not None else "None",
        layers="\n".join(layers), activation_code=activation_code, helpers=helpers,
        feature_code="\n".join(feature_code))


def save(model: Model, path) -> None:
    atomic_write(path, source(model).encode("utf-8"))
