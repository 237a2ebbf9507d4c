"""``.csv``: a folder with one CSV file per matrix, for spreadsheets.

    W1.csv       fan_in rows × fan_out columns (weights from-to); the first column names the
                 row's input (a feature for layer 1, a hidden unit ``h1``… after that), the
                 header names the units the columns feed
    b1.csv       one row: the biases of layer 1's units
    W2.csv, b2.csv, …
    scaling.csv  one row per feature: feature, mean, std   (only when scaling is on)
    README.txt   what the files are and how a row runs through them

Numbers are written with ``repr`` so they are exact. The folder is written beside the target
under a temporary name, then renamed into place; an existing folder is replaced only when it
holds nothing but files of a previous nnviz CSV export.
"""
from __future__ import annotations

import os
import re
import shutil
import tempfile
from pathlib import Path

from nnviz.errors import NnvizError
from nnviz.core.model import Model
from nnviz.io import weights_io
from nnviz.io.fileio import folder_mode, write_problem

OWN_FILE = re.compile(r"^(W\d+\.csv|b\d+\.csv|scaling\.csv|README\.txt)$")


def _field(text: str) -> str:
    return '"' + text.replace('"', '""') + '"' if any(c in text for c in ',"\r\n') else text


def _row(cells) -> str:
    return ",".join(_field(c) if isinstance(c, str) else repr(float(c)) for c in cells)


def files(model: Model) -> dict[str, str]:
    """File name → text of every file in the folder."""
    net = model.network
    out = {}
    rows_names = list(model.features)
    K = net.n_outputs
    out_cols = ["output"] if K == 1 else [f"P({c})" for c in weights_io.to_dict(model)["classes"]]
    for k, (d, act) in enumerate(zip(net.dense, net.activations), 1):
        last = k == net.n_layers
        cols = out_cols if last else [f"h{j + 1}" if net.n_layers == 2 else f"h{k}_{j + 1}"
                                        for j in range(d.W.shape[1])]
        lines = [_row([f"W{k} (from\\to)", *cols])]
        lines += [_row([name, *d.W[i]]) for i, name in enumerate(rows_names)]
        out[f"W{k}.csv"] = "\n".join(lines) + "\n"
        out[f"b{k}.csv"] = _row(cols) + "\n" + _row(list(d.b)) + "\n"
        rows_names = cols
    if model.scaler is not None:
        lines = [_row(["feature", "mean", "std"])]
        lines += [_row([f, m, s]) for f, m, s in zip(model.features, model.scaler.mean, model.scaler.std)]
        out["scaling.csv"] = "\n".join(lines) + "\n"
    ts = model.target_scaler
    if ts is not None:
        out["target_scaling.csv"] = _row(["target", "mean", "std"]) + "\n" + _row(["y", ts.mean[0], ts.std[0]]) + "\n"
    what = "P(class 1)" if model.task == "classification" else "the predicted value"
    if ts is not None:
        what = "the standardized predicted value: multiply it by std and add mean (target_scaling.csv)"
    if K > 1:
        what = (f"one probability per class (softmax over the {K} output units, columns "
                f"{', '.join(out_cols)}); the label is the class with the largest")
    out["README.txt"] = (
        f"nnviz network {' -> '.join(map(str, net.sizes))}, activations "
        f"{', '.join(net.activations)}; the output is {what}.\n"
        f"Inputs (raw columns): {', '.join(model.inputs)}\n"
        f"Features (what layer 1 sees): {', '.join(model.features)}\n"
        + ("Scaling: each feature f becomes (f - mean) / std, see scaling.csv.\n"
           if model.scaler is not None else "Scaling: none.\n")
        + "Each layer k computes a = activation_k(a · Wk + bk) for a row vector a: Wk has one "
          "row per input of the layer and one column per unit (weights run from-to).\n")
    return out


def save(model: Model, folder) -> None:
    """Write the folder ``folder`` (replacing a previous nnviz CSV export there)."""
    folder = Path(folder)
    if folder.exists():
        if not folder.is_dir():
            raise NnvizError(f"cannot write the CSV folder {folder}: a file of that name exists")
        foreign = [p.name for p in folder.iterdir() if not (p.is_file() and OWN_FILE.match(p.name))]
        if foreign:
            raise NnvizError(f"the folder {folder} holds other files ({foreign[0]!r}); "
                             "choose an empty folder or a new name")
    parent = folder.parent if str(folder.parent) else Path(".")
    dir_mode = folder_mode()   # what a plain mkdir would give (mkdtemp makes it 0700)
    try:
        parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=f".{folder.name}.", suffix=".tmp", dir=parent))
    except OSError as exc:
        raise NnvizError(write_problem(folder, exc)) from None
    old = None
    try:
        for name, text in files(model).items():
            with open(tmp / name, "wb") as fh:   # open() applies the umask itself
                fh.write(text.encode("utf-8"))
                fh.flush()
                os.fsync(fh.fileno())
        try:
            os.chmod(tmp, dir_mode)
        except OSError:                    # a file system without modes
            pass
        if folder.exists():
            old = parent / f".{folder.name}.{os.getpid()}.old"
            shutil.rmtree(old, ignore_errors=True)
            os.replace(folder, old)
        os.replace(tmp, folder)
    except OSError as exc:
        if old is not None and old.exists() and not folder.exists():
            os.replace(old, folder)
        shutil.rmtree(tmp, ignore_errors=True)
        raise NnvizError(write_problem(folder, exc)) from None
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)
