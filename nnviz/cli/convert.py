"""``nnviz convert IN OUT``: weights from one format to another, by extension.

IN is .json, .npz, .safetensors or a .nnviz session (its current weights); OUT is any export
format (:data:`nnviz.io.exporters.EXPORT_FORMATS`): .json, .npz, .safetensors, .onnx, .py, or .csv
(a folder). ``nnviz train --export`` writes the same formats through :func:`export`.
"""
from __future__ import annotations

from nnviz.io import exporters


def add_parser(sub) -> None:
    c = sub.add_parser("convert", help="convert weights between formats (by extension)",
                       description="Read weights (.json, .npz, .safetensors, or a .nnviz "
                                   "session) and write them as .json, .npz, .safetensors, .onnx, "
                                   ".py or .csv (a folder of CSV files).")
    c.add_argument("input", metavar="IN")
    c.add_argument("output", metavar="OUT")


def check_target(path) -> None:
    """Raise NnvizError now (before a long run) if ``path`` names no known format or its
    package is missing."""
    exporters.export_target(path)


def export(model, path) -> str:
    """Write ``model`` to ``path``; returns what was written (a folder for .csv)."""
    return str(exporters.export(model, path))


def load(path):
    """Weights from .json, .npz, .safetensors or a .nnviz session, validated."""
    return exporters.load(path)


def run(args) -> int:
    exporters.export_target(args.output)
    model = exporters.load(args.input)
    written = exporters.export(model, args.output)
    net = model.network
    print(f"wrote {written}  ({' → '.join(map(str, net.sizes))}, {', '.join(net.activations)})")
    return 0
