"""The optional packages some formats need, found without importing them, imported on demand."""
from __future__ import annotations

import importlib
import importlib.util

from nnviz.errors import NnvizError

#: extension -> (Python module, pip package) an export needs beyond NumPy
REQUIRES = {".safetensors": ("safetensors", "safetensors"), ".onnx": ("onnx", "onnx")}
INSTALL_HINT = "pip install 'nnviz[export]'"


def missing_package(ext: str) -> str | None:
    """The pip package ``ext`` needs that is not installed, or None (nothing is imported)."""
    need = REQUIRES.get(ext.lower())
    if need is None:
        return None
    try:
        found = importlib.util.find_spec(need[0]) is not None
    except (ImportError, ValueError):
        found = False
    return None if found else need[1]


def require(module: str, fmt: str):
    """Import ``module`` for the ``fmt`` format, or raise the install hint."""
    try:
        return importlib.import_module(module)
    except ImportError:
        package = module.split(".")[0]
        raise NnvizError(f"{fmt} needs the {package!r} package: {INSTALL_HINT} "
                         f"(or pip install {package})") from None
