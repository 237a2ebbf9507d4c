"""A CSV file's format and its parsed :class:`Table`, with the number rules readers share."""
from __future__ import annotations

import codecs
from dataclasses import asdict, dataclass, fields

import numpy as np

from nnviz.errors import NnvizError

DELIMITERS = (",", ";", "\t")
SNIFF_BYTES = 64 * 1024
MAX_BYTES = 200 * 1024 ** 2
# Cells that mark a missing value (compared stripped and lower-cased); "inf" cells count too.
MISSING = frozenset({"", "na", "n/a", "nan", "null", "?"})


@dataclass(frozen=True)
class CsvFormat:
    """How a CSV file is written. ``encoding``: ``"utf-8"``, ``"utf-8-sig"`` (with a BOM),
    ``"utf-16"`` (with a BOM) or ``"cp1252"`` (Windows' Western encoding), or any Python codec."""

    delimiter: str = ","
    decimal: str = "."
    has_header: bool = True
    encoding: str = "utf-8"

    def __post_init__(self):
        if not isinstance(self.delimiter, str) or len(self.delimiter) != 1 or self.delimiter in '"\r\n':
            raise NnvizError(f"the CSV delimiter must be one character such as ',' ';' or a tab, "
                             f"not {self.delimiter!r}")
        if self.decimal not in (".", ","):
            raise NnvizError(f"the decimal mark must be '.' or ',', not {self.decimal!r}")
        if self.decimal == self.delimiter:
            raise NnvizError("the decimal mark and the delimiter cannot both be ','")
        if not isinstance(self.has_header, bool):
            raise NnvizError(f"has_header must be true or false, not {self.has_header!r}")
        try:
            codecs.lookup(self.encoding)
        except (LookupError, TypeError):
            raise NnvizError(f"unknown text encoding {self.encoding!r}") from None

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict) -> "CsvFormat":
        if not isinstance(d, dict):
            raise NnvizError("a CSV format must be an object")
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(d) - known)
        if unknown:
            raise NnvizError(f"unknown CSV format setting {unknown[0]!r} (known: {', '.join(sorted(known))})")
        return cls(**d)


@dataclass
class Table:
    """A parsed CSV file.

    columns: the n_columns column names (header cells, or ``c1, c2, …`` without a header;
        empty names become ``cJ`` and repeated names get ``.1``, ``.2``).
    values: (n_rows, n_columns) float64; NaN where a cell is empty or not a number
        (``inf`` cells give ±inf).
    text: column index → its n_rows raw cell strings, only for columns holding at least one
        non-empty cell that is not a number (class labels, "NA", typos). Numeric cells of such a
        column read before the first non-number are re-formatted from their value.
    row_numbers: (n_rows,) int64, the file row of each data row (the header is row 1).
    """

    columns: list[str]
    values: np.ndarray
    text: dict
    row_numbers: np.ndarray
    fmt: CsvFormat
    name: str = ""
    path: str = ""

    @property
    def n_rows(self) -> int:
        return self.values.shape[0]

    @property
    def n_columns(self) -> int:
        return len(self.columns)

    def index(self, column: str) -> int:
        """Position of a column by name; NnvizError listing the columns if there is none."""
        try:
            return self.columns.index(column)
        except ValueError:
            raise NnvizError(f"no column {column!r} in {self.name}: columns are "
                             f"{', '.join(self.columns)}") from None

    def is_numeric(self, j: int) -> bool:
        """True when every non-empty cell of column j is a number."""
        return j not in self.text

    def cell(self, i: int, j: int) -> str:
        """Cell (data row i, column j) as text, for previews."""
        if j in self.text:
            return self.text[j][i]
        v = self.values[i, j]
        return "" if np.isnan(v) else format_number(v)


# --- format detection ------------------------------------------------------------------------

def number_kind(cell: str, decimal: str):
    """True for a number, False for other text, None for an empty cell."""
    s = cell.strip()
    if not s:
        return None
    try:
        float(s.replace(",", ".") if decimal == "," else s)
        return True
    except ValueError:
        return False


# --- reading ---------------------------------------------------------------------------------

def human_size(n: int) -> str:
    if n >= 1024 ** 2:
        return f"{n / 1024 ** 2:.0f} MB"
    if n >= 1024:
        return f"{n / 1024:.0f} KB"
    return f"{n} bytes"


def format_number(v: float) -> str:
    v = float(v)
    if v.is_integer() and abs(v) < 1e15:
        return str(int(v))
    return repr(v)


# --- from table to dataset -------------------------------------------------------------------


def blank_row(row) -> bool:
    """No field holds anything: a blank line, or a row of delimiters only (;;; is how a
    spreadsheet writes an empty row)."""
    return all(not cell.strip() for cell in row)
