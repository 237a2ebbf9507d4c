"""Weights out of nnviz and back in: one :func:`export` and one :func:`load`, by extension.

===============  =====================================================  ==============  =======
extension        what is written                                        needs           loads
===============  =====================================================  ==============  =======
``.json``        nnviz weights, version 1 (:mod:`nnviz.io.weights_io`)     NumPy           yes
``.npz``         the same as NumPy arrays + a JSON header               NumPy           yes
``.safetensors`` PyTorch ``nn.Sequential`` state dict (Linear layers    ``safetensors`` yes
                 at even indices, ``k.weight`` = Wᵀ), the rest in the
                 metadata (:mod:`.safetensors_file`)
``.onnx``        the whole inference pipeline as an ONNX graph          ``onnx``        no
                 (:mod:`.onnx_file`)
``.py``          a standalone NumPy script with ``predict(X)``          NumPy           no
                 (:mod:`.python_file`); never imported by nnviz
``.csv``         a *folder*: one CSV per matrix (:mod:`.csv_folder`)    NumPy           no
===============  =====================================================  ==============  =======

The CSV export is a folder. ``export(model, "out/weights.csv")`` writes the folder
``out/weights/`` (W1.csv, b1.csv, …); a path ending in ``/`` or naming an existing folder is
used as the folder itself. An existing folder is only replaced if it holds nothing but a
previous nnviz CSV export.

Every export is atomic: a temporary file (or folder) beside the target, renamed into place; a
failure leaves the previous file as it was. Heavy libraries are imported only inside the
function that needs them; when one is missing, :class:`~nnviz.errors.NnvizError` says which
package to install (:func:`missing_package` asks without importing anything).

``load`` also reads the model inside an ``.nnviz`` session file (:mod:`nnviz.io.session_file`).
"""
from __future__ import annotations

import os
from pathlib import Path

from nnviz.io import weights_io
from nnviz.errors import NnvizError
from nnviz.core.model import Model

#: extension -> short description (the app's file-dialog filters use these, in this order)
EXPORT_FORMATS = {
    ".json": "nnviz weights JSON",
    ".npz": "nnviz weights NumPy archive",
    ".safetensors": "PyTorch nn.Sequential weights (safetensors)",
    ".onnx": "ONNX model (inputs → features → scaling → network → output)",
    ".py": "standalone Python/NumPy script",
    ".csv": "folder of CSV files, one per matrix",
}
LOAD_FORMATS = (".json", ".npz", ".safetensors")
from nnviz.io.exporters.optional import INSTALL_HINT, REQUIRES, missing_package, require  # noqa: F401


def _is_folder_target(path: Path, raw) -> bool:
    text = os.fspath(raw)
    return text.endswith(("/", os.sep)) or path.is_dir()


def export_target(path) -> tuple[str, Path]:
    """(format extension, path actually written) for an export to ``path``; raises
    :class:`NnvizError` for an unknown format or a missing optional package, so a caller can
    check before a long training run."""
    raw = path
    if not os.fspath(raw).strip():
        raise NnvizError("the export path is empty")
    path = Path(path)
    if _is_folder_target(path, raw):
        ext, target = ".csv", path
    else:
        ext = path.suffix.lower()
        if ext not in EXPORT_FORMATS:
            raise NnvizError(f"unknown export format {ext or path.name!r} (use "
                             f"{', '.join(EXPORT_FORMATS)}, or a folder path ending in '/')")
        target = path.with_suffix("") if ext == ".csv" else path
    package = missing_package(ext)
    if package:
        raise NnvizError(f"{ext} export needs the {package!r} package: {INSTALL_HINT} "
                         f"(or pip install {package})")
    folder = target.parent
    if not folder.is_dir():      # (said before a long run, as for every format)
        raise NnvizError(f"cannot write {os.fspath(raw)}: there is no folder {folder}")
    return ext, target


def export(model: Model, path) -> Path:
    """Write ``model`` to ``path`` in the format its extension names; returns what was written
    (for ``.csv``, the folder). Raises :class:`NnvizError` and leaves any old file intact."""
    ext, target = export_target(path)
    if ext in (".json", ".npz"):
        weights_io.save(model, target)
    elif ext == ".safetensors":
        from nnviz.io.exporters import safetensors_file
        safetensors_file.save(model, target)
    elif ext == ".onnx":
        from nnviz.io.exporters import onnx_file
        onnx_file.save(model, target)
    elif ext == ".py":
        from nnviz.io.exporters import python_file
        python_file.save(model, target)
    else:
        from nnviz.io.exporters import csv_folder
        csv_folder.save(model, target)
    return target


def load(path) -> Model:
    """Read weights (.json, .npz, .safetensors, or the model in a .nnviz session), validating
    everything; raises :class:`NnvizError` naming the problem."""
    path = Path(path)
    ext = path.suffix.lower()
    if ext in (".json", ".npz"):
        return weights_io.load(path)
    if ext == ".safetensors":
        from nnviz.io.exporters import safetensors_file
        return safetensors_file.load(path)
    if ext == ".nnviz":
        from nnviz.io import session_file
        return session_file.load(path).experiment.model
    hint = " (ONNX, .py and CSV exports are for other tools; nnviz reads its weights back " \
           "from .json, .npz or .safetensors)" if ext in EXPORT_FORMATS else ""
    raise NnvizError(f"cannot read weights from {ext or path.name!r} files: use "
                     f"{', '.join(LOAD_FORMATS)} or .nnviz{hint}")
