"""Make a dataset again from the ``source`` it records: a toy generator's settings or a CSV
file's path, target and format. Typed rows (``{"typed": true}``, a worked example) are
stored in the session file itself."""
from __future__ import annotations

from nnviz.data import csvdata, datasets
from nnviz.data.dataset import Dataset
from nnviz.errors import NnvizError


def regenerate(source: dict) -> Dataset:
    """The data again, from a ``source`` dict recorded by a generator or the CSV loader."""
    if not isinstance(source, dict):
        raise NnvizError("a dataset source must be an object")
    if "generator" in source:
        return datasets.generate(source["generator"], source.get("samples", 500),
                                 source.get("noise", 0.0), source.get("seed", 0))
    if "csv" in source:
        fmt = source.get("format")
        return csvdata.load_dataset(
            source["csv"], source.get("target", "y"), features=source.get("features"),
            task=source.get("task"), fmt=csvdata.CsvFormat.from_dict(fmt) if fmt else None,
            drop_missing=bool(source.get("drop_missing", False)))
    if source.get("typed"):
        raise NnvizError("typed data is kept with its session (a worked example's rows); "
                         "there is nothing to make it again from")
    raise NnvizError("a dataset source needs a 'generator' or a 'csv' entry")
