"""CSV tables: format detection, a memory-lean reader, and turning a table into a Dataset.

Used by ``nnviz train --data FILE --target COL``, ``nnviz predict`` and the app's import dialog
(which previews with ``read_table(path, max_rows=…)``).

* :func:`sniff` looks at the first 64 KiB: delimiter ``,`` ``;`` or tab, decimal mark ``.`` or
  ``,`` (``1,5`` in a ``;`` file), whether the first row is a header, UTF-8 with or without BOM.
  Every loader takes an optional :class:`CsvFormat` to override the guess.
* :func:`read_table` parses the file block by block (256 K characters) into one float64 array
  reserved once (NaN where a cell is empty or not a number) and keeps the raw strings only of
  columns holding a non-numeric cell (class labels such as ``M``/``B``). A block whose every
  cell is a number is read by NumPy's C reader without a string per cell; other blocks are
  split with ``str`` methods when their quotes
  (if any) only wrap whole fields like ``"M"``; from the first block where quotes hide a
  delimiter, a newline or another quote, the :mod:`csv` module reads the rest.
* :func:`load_dataset` picks the target and feature columns, checks every cell, builds X in the
  table's own memory (so loading holds about one copy of the values, never two) and proposes the
  task: a target with exactly two distinct values is a classification (mapped to 0/1 in sorted
  order, numbers numerically), a numeric target with more values a regression.

Row numbers in messages are the file's line numbers, 1-based, so the header line is row 1.
Every problem a user can cause raises :class:`~nnviz.errors.NnvizError` with one sentence.
"""
from __future__ import annotations

import codecs
import csv
import io
import itertools
import os
import re
from dataclasses import asdict, dataclass, fields

import numpy as np

from nnviz.data.dataset import TASKS, Dataset
from nnviz.errors import NnvizError

DELIMITERS = (",", ";", "\t")
SNIFF_BYTES = 64 * 1024
MAX_BYTES = 200 * 1024 ** 2
# Cells that mark a missing value (compared stripped and lower-cased); "inf" cells count too.
MISSING = frozenset({"", "na", "n/a", "nan", "null", "?"})
_BLOCK_CHARS = 1 << 18     # characters per block (a block's strings are held at once)
_CSV_ROWS = 50_000         # rows per block in the csv-module path
_SNIFF_ROWS = 500


@dataclass(frozen=True)
class CsvFormat:
    """How a CSV file is written. ``encoding`` is ``"utf-8"`` or ``"utf-8-sig"`` (with a BOM)."""

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
        return "" if np.isnan(v) else _fmt_num(v)


# --- format detection ------------------------------------------------------------------------

_DOT_NUMBER = re.compile(r"\s*[-+]?(\d+\.\d*|\.\d+)([eE][-+]?\d+)?\s*$")
_COMMA_NUMBER = re.compile(r"\s*[-+]?(\d+,\d*|,\d+)([eE][-+]?\d+)?\s*$")


def sniff(path_or_bytes, max_bytes: int = SNIFF_BYTES) -> CsvFormat:
    """Guess the :class:`CsvFormat` from the first ``max_bytes`` of a file (a path or bytes)."""
    if isinstance(path_or_bytes, (bytes, bytearray, memoryview)):
        data = bytes(path_or_bytes[:max_bytes + 1])
        name = "the data"
    else:
        path = os.fspath(path_or_bytes)
        name = os.path.basename(path) or path
        _file_size(path, name)
        try:
            with open(path, "rb") as fh:
                data = fh.read(max_bytes + 1)
        except OSError as exc:
            raise NnvizError(f"cannot read {path}: {exc.strerror or exc}") from None
    truncated = len(data) > max_bytes
    data = data[:max_bytes]
    encoding = "utf-8-sig" if data.startswith(codecs.BOM_UTF8) else "utf-8"
    try:
        text = codecs.getincrementaldecoder(encoding)().decode(data, final=not truncated)
    except UnicodeDecodeError as exc:
        row = data.count(b"\n", 0, exc.start) + 1
        raise NnvizError(f"{name} is not valid UTF-8 text (a bad byte in row {row}); "
                         "save it as UTF-8") from None
    if truncated and "\n" in text:
        text = text[:text.rindex("\n") + 1]        # drop the cut-off last line
    if not text.strip():
        raise NnvizError(f"{name} is empty")

    best, best_rows = None, None
    for order, delim in enumerate(DELIMITERS):
        rows = _sample_rows(text, delim)
        if not rows:
            continue
        counts = {}
        for r in rows:
            counts[len(r)] = counts.get(len(r), 0) + 1
        width, freq = max(counts.items(), key=lambda kv: (kv[1], kv[0]))
        cells = [c for r in rows[1:] if len(r) == width for c in r]
        numeric = (sum(1 for c in cells if _DOT_NUMBER.match(c) or _COMMA_NUMBER.match(c)
                       or c.strip().lstrip("+-").isdigit()) / len(cells)) if cells else 0.0
        score = (width > 1, round(freq / len(rows), 3), numeric, width, -order)
        if best is None or score > best[0]:
            best, best_rows = (score, delim), rows
    delim = best[1] if best and best[0][0] else ","
    rows = best_rows if best and best[0][0] else _sample_rows(text, ",")

    decimal = "."
    if delim != ",":
        cells = [c for r in rows[1:] for c in r]
        n_comma = sum(1 for c in cells if _COMMA_NUMBER.match(c))
        n_dot = sum(1 for c in cells if _DOT_NUMBER.match(c))
        decimal = "," if n_comma > n_dot else "."
    return CsvFormat(delim, decimal, _guess_header(rows, decimal), encoding)


def _sample_rows(text: str, delim: str) -> list[list[str]]:
    rows = []
    try:
        for row in csv.reader(io.StringIO(text, newline=""), delimiter=delim):
            if not _blank(row):
                rows.append(row)
                if len(rows) >= _SNIFF_ROWS:
                    break
    except csv.Error:
        pass
    return rows


def _guess_header(rows, decimal) -> bool:
    """Header when some column has a non-number on top of numbers; no header when the first
    row is all numbers or repeats values found below it; a header when undecided."""
    first, rest = rows[0], rows[1:]
    kinds = [_number_kind(c, decimal) for c in first]
    if all(k is not False for k in kinds):
        return False
    header_vote = data_vote = False
    for j, cell in enumerate(first):
        below = [r[j] for r in rest if j < len(r) and r[j].strip()]
        if not below:
            continue
        numeric_below = sum(_number_kind(c, decimal) is True for c in below) * 2 >= len(below)
        if kinds[j] is False and numeric_below:
            header_vote = True
        elif kinds[j] is True and numeric_below:
            data_vote = True
        elif kinds[j] is False and cell.strip() in {c.strip() for c in below}:
            data_vote = True
    return header_vote or not data_vote


def _number_kind(cell: str, decimal: str):
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

def read_table(path, fmt: CsvFormat | None = None, max_bytes: int = MAX_BYTES,
               max_rows: int | None = None) -> Table:
    """Read a whole CSV file (or its first ``max_rows`` data rows, for a preview) into a Table.

    Raises NnvizError for a missing or unreadable file, a file over ``max_bytes``, an empty
    file, a header without data rows, a row with the wrong number of fields, or text that is
    not valid UTF-8.
    """
    if max_rows is not None and (isinstance(max_rows, bool) or int(max_rows) != max_rows or max_rows < 1):
        raise ValueError(f"max_rows must be None or a whole number ≥ 1, not {max_rows!r}")
    path = os.fspath(path)
    name = os.path.basename(path) or path
    size = _file_size(path, name)
    if size > max_bytes:
        raise NnvizError(f"{name} is {_human(size)}, over the {_human(max_bytes)} limit; "
                         "raise the limit to load it")
    if size == 0:
        raise NnvizError(f"{name} is empty")
    if fmt is None:
        fmt = sniff(path)
    elif not isinstance(fmt, CsvFormat):
        raise TypeError("fmt must be a CsvFormat")
    try:
        with open(path, encoding=fmt.encoding, newline="") as fh:
            return _parse(fh, fmt, name, path, max_rows, size)
    except UnicodeDecodeError:
        codec = codecs.lookup(fmt.encoding).name
        label = "UTF-8" if codec.startswith("utf-8") else fmt.encoding
        raise NnvizError(f"{name} is not valid {label} text (a bad byte in row "
                         f"{_bad_byte_row(path, codec)}); save it as UTF-8") from None
    except OSError as exc:
        raise NnvizError(f"cannot read {path}: {exc.strerror or exc}") from None


def _parse(fh, fmt: CsvFormat, name: str, path: str, max_rows, size: int = 0) -> Table:
    delim = fmt.delimiter
    reader = csv.reader(fh, delimiter=delim, strict=True)   # the first record may be quoted
    first, first_line = None, 0
    try:
        for row in reader:
            if not _blank(row):
                first = row
                break
            first_line = reader.line_num
    except csv.Error as exc:
        raise _csv_problem(name, first_line + 1, exc) from None
    if first is None:
        raise NnvizError(f"{name} is empty")
    first_line += 1
    line_no = reader.line_num
    k = len(first)
    collect = _Collector(k, fmt.decimal)
    if fmt.has_header:
        columns = _column_names(first)
    else:
        columns = [f"c{j + 1}" for j in range(k)]
        collect.add(first, [first_line])
    if max_rows is None or collect.n < max_rows:
        for cells, block, numbers, nbytes in _blocks(fh, delim, k, line_no, name, fmt.decimal):
            m = len(numbers)
            if nbytes and collect.capacity == collect.n:
                # The first block tells the bytes per row: room for the whole file at once.
                rows = collect.n + int(size * m / nbytes * 1.02) + 16
                collect.reserve(rows if max_rows is None else min(rows, max_rows))
            if max_rows is not None and collect.n + m >= max_rows:
                m = max_rows - collect.n
                if block is None:
                    collect.add(cells[:m * k], numbers[:m])
                else:
                    collect.add_values(block.head(m), numbers[:m])
                break
            if block is None:
                collect.add(cells, numbers)
            else:
                collect.add_values(block, numbers)
            del cells, block
    if collect.n == 0:
        raise NnvizError(f"{name} has a header row but no data rows")
    values, text, rows = collect.finish()
    return Table(columns, values, text, rows, fmt, name, path)


def _blocks(fh, delim, k, line_no, name, decimal="."):
    """Yield (cells, values, row_numbers, n_bytes) for each block of rows: either cells, a flat
    row-major list of m·k strings (values None), or values, the (m, k) float64 block when every
    cell is a number (cells None). n_bytes: the block's size in the file, or 0 if unknown."""
    km1 = k - 1
    fast = k > 1 and ord(delim) < 128
    while True:
        lines = fh.readlines(_BLOCK_CHARS)
        if not lines:
            return
        block = "".join(lines)
        quoted = '"' in block
        if quoted and not _simple_quotes(block, delim):
            # Quotes hiding delimiters or newlines: the csv module reads the rest of the file.
            yield from _csv_blocks(itertools.chain(lines, fh), delim, k, line_no, name)
            return
        if fast:
            values, nbytes = _numeric_block(block, quoted, delim, k, len(lines), decimal)
            if values is not None:
                del block, lines
                m = values.values.shape[0]
                yield None, values, np.arange(line_no + 1, line_no + m + 1, dtype=np.int64), nbytes
                line_no += m
                continue
        else:
            nbytes = 0
        del block
        good, numbers = [], []
        for s in lines:
            line_no += 1
            s = s.rstrip("\r\n")
            if quoted:
                s = s.replace('"', "")
            if s.count(delim) == km1 and (km1 or s.strip()):
                good.append(s)
                numbers.append(line_no)
            elif s.strip():
                raise _ragged(name, line_no, s.count(delim) + 1, k)
        del lines
        if good:
            yield (delim.join(good).split(delim) if km1 else good), None, numbers, nbytes


class _Values:
    """A block read by NumPy's C reader: ``values`` (m, k) float64 and, for a first or last
    column holding text (class labels), its m strings in ``texts`` (column → list); those
    columns' values are filled from the strings by :meth:`_Collector.add_values`."""

    def __init__(self, values: np.ndarray, texts: dict):
        self.values, self.texts = values, texts

    def head(self, m: int) -> "_Values":
        return _Values(self.values[:m], {j: col[:m] for j, col in self.texts.items()})


def _numeric_block(block: str, quoted: bool, delim: str, k: int, m: int, decimal: str):
    """(values, n_bytes): ``m`` lines of text as a :class:`_Values` when every line has exactly
    k fields and every field is a number that ``_to_float`` reads the same way — except,
    possibly, the first or the last column (a label such as ``M``/``B``, taken apart with
    ``str.partition``) — parsed by NumPy's C reader without a string per numeric cell; None
    otherwise (then the cells are split and converted column by column, which also finds the
    problems to report). n_bytes: the block's size in UTF-8."""
    if quoted:                                  # only quotes around whole fields (checked)
        block = block.replace('"', "")
    if "\r" in block:
        if block.count("\r") != block.count("\r\n"):
            return None, len(block)
        block = block.replace("\r\n", "\n")
    raw = block.encode("utf-8")
    b = np.frombuffer(raw, dtype=np.uint8)
    seps = np.flatnonzero((b == ord(delim)) | (b == 10))
    is_newline = b[seps] == 10
    del b
    open_end = not block.endswith("\n")       # the file's last line may have no newline
    if (seps.size != m * k - open_end or int(np.count_nonzero(is_newline)) != m - open_end
            or not is_newline[k - 1::k].all()):
        return None, len(raw)                   # a blank line or a row with another field count
    del seps, is_newline
    numbers = block.replace(",", ".") if decimal == "," else block
    try:
        values = np.loadtxt(io.StringIO(numbers), dtype=np.float64, delimiter=delim,
                            comments=None, quotechar=None, ndmin=2)
        return (_Values(values, {}) if values.shape == (m, k) else None), len(raw)
    except ValueError:
        pass                                    # a cell that is not a number: a label column?
    first = block[:block.find("\n")].split(delim)
    text_cols = [j for j in (0, k - 1) if not _is_number(first[j], decimal)]
    if not text_cols or any(not _is_number(f, decimal) for j, f in enumerate(first)
                            if j not in text_cols):
        return None, len(raw)
    keep = [j for j in range(k) if j not in text_cols]
    try:
        part = np.loadtxt(io.StringIO(numbers), dtype=np.float64, delimiter=delim, comments=None,
                          quotechar=None, ndmin=2, usecols=keep)
    except ValueError:
        return None, len(raw)
    if part.shape != (m, len(keep)):
        return None, len(raw)
    del numbers
    lines = block.split("\n", m - 1) if open_end else block[:-1].split("\n")
    values = np.empty((m, k))
    values[:, keep] = part
    texts = {}
    if 0 in text_cols:
        texts[0] = [line.partition(delim)[0] for line in lines]
    if k - 1 in text_cols:
        texts[k - 1] = [line.rpartition(delim)[2] for line in lines]
    return _Values(values, texts), len(raw)


def _is_number(cell: str, decimal: str) -> bool:
    try:
        float(cell.replace(",", ".") if decimal == "," else cell)
        return True
    except ValueError:
        return False


def _simple_quotes(block: str, delim: str) -> bool:
    """True when every ``"`` in ``block`` is one of a pair wrapping a whole field that holds no
    delimiter, newline or quote (``1,"M",2``): then deleting the quotes is exactly what the
    csv module would do. Checked on the UTF-8 bytes with NumPy, in a few passes."""
    if ord(delim) > 127:
        return False
    b = np.frombuffer(block.encode("utf-8"), dtype=np.uint8)
    q = np.flatnonzero(b == 34)
    if q.size % 2:
        return False
    opens, closes = q[0::2], q[1::2]
    sep = (b == ord(delim)) | (b == 10) | (b == 13)
    last = b.size - 1
    if not ((opens == 0) | sep[np.maximum(opens - 1, 0)]).all():
        return False
    if not ((closes == last) | sep[np.minimum(closes + 1, last)]).all():
        return False
    seps_before = np.cumsum(sep, dtype=np.int32)
    return bool((seps_before[closes] == seps_before[opens]).all())


def _csv_blocks(lines, delim, k, line_no, name):
    reader = csv.reader(lines, delimiter=delim, strict=True)
    rows, numbers = [], []
    previous = 0
    try:
        for row in reader:
            start, previous = line_no + previous + 1, reader.line_num
            if len(row) != k or k == 1:
                if _blank(row):
                    continue
                if len(row) != k:
                    raise _ragged(name, start, len(row), k)
            rows.append(row)
            numbers.append(start)
            if len(rows) == _CSV_ROWS:
                yield list(itertools.chain.from_iterable(rows)), None, numbers, 0
                rows, numbers = [], []
    except csv.Error as exc:
        raise _csv_problem(name, line_no + previous + 1, exc) from None
    if rows:
        yield list(itertools.chain.from_iterable(rows)), None, numbers, 0


class _Collector:
    """Turns blocks of rows into one float64 array filled in place, keeping text only where
    needed. The array is reserved once its size can be estimated (from the first block's bytes
    per row), grows by a quarter when the estimate is short and is cut to size at the end, so
    the values are held once, never as blocks plus their concatenation."""

    def __init__(self, k, decimal):
        self.k, self.decimal, self.n = k, decimal, 0
        self.values = np.empty((0, k))
        self.numbers = []
        self.texts = [[] for _ in range(k)]       # per column, per block: list of str or None

    @property
    def capacity(self) -> int:
        return self.values.shape[0]

    def reserve(self, rows: int) -> None:
        if rows > self.capacity:
            self.values.resize((rows, self.k), refcheck=False)   # realloc: no second copy

    def _room(self, m):
        if self.n + m > self.capacity:
            self.reserve(max(self.n + m, self.capacity + self.capacity // 4 + 1024))
        return self.values[self.n:self.n + m]

    def add(self, cells, numbers):
        m, k = len(numbers), self.k
        out = self._room(m)
        for j in range(k):
            col = cells[j::k]
            out[:, j], numeric = _to_float(col, self.decimal)
            self.texts[j].append(None if numeric else col)
        del out
        self.numbers.append(np.asarray(numbers, dtype=np.int64))
        self.n += m

    def add_values(self, block: "_Values", numbers):
        m = block.values.shape[0]
        out = self._room(m)
        out[...] = block.values
        for j, parts in enumerate(self.texts):
            col = block.texts.get(j)
            if col is None:
                parts.append(None)
            else:   # a label column: read as the cell path reads it
                out[:, j], numeric = _to_float(col, self.decimal)
                parts.append(None if numeric else col)
        del out
        self.numbers.append(np.asarray(numbers, dtype=np.int64))
        self.n += m

    def finish(self):
        values = self.values
        self.values = None
        if values.shape[0] != self.n:
            values.resize((self.n, self.k), refcheck=False)
        rows = np.concatenate(self.numbers) if self.numbers else np.empty(0, np.int64)
        text = {}
        for j, parts in enumerate(self.texts):
            if all(p is None for p in parts):
                continue
            if len(parts) == 1:
                text[j] = parts[0]
                continue
            full, start = [], 0
            for p, nums in zip(parts, self.numbers):
                m = len(nums)
                if p is None:        # a numeric block of a column with a non-number further on
                    p = ["" if np.isnan(v) else _fmt_num(v) for v in values[start:start + m, j]]
                full.extend(p)
                start += m
            text[j] = full
        return values, text, rows


def _to_float(col: list[str], decimal: str):
    """(len(col),) float64 values and whether every non-empty cell was a number."""
    src = col
    if decimal == ",":
        src = "\n".join(col).replace(",", ".").split("\n")
        if len(src) != len(col):
            src = [s.replace(",", ".") for s in col]
    try:
        return np.array(src, dtype=np.float64), True
    except (ValueError, TypeError):
        pass
    # Some cell is not a number: parse each distinct string once (label columns have few).
    lookup = {}
    numeric = True
    for cell in set(src):
        try:
            lookup[cell] = float(cell)
        except ValueError:
            lookup[cell] = np.nan
            if numeric and cell.strip():
                numeric = False
    return np.fromiter(map(lookup.__getitem__, src), np.float64, len(src)), numeric


def _blank(row) -> bool:
    return not row or (len(row) == 1 and not row[0].strip())


def _column_names(row) -> list[str]:
    names, seen = [], set()
    for j, raw in enumerate(row):
        s = raw.strip()
        if j == 0:
            s = s.lstrip("\ufeff").strip()
        s = s or f"c{j + 1}"
        base, n = s, 1
        while s in seen:
            s = f"{base}.{n}"
            n += 1
        seen.add(s)
        names.append(s)
    return names


def _csv_problem(name, row, exc):
    why = str(exc)
    if "unexpected end of data" in why:
        why = "a quoted field is never closed"
    elif "expected after" in why:
        why = "a closing quote is followed by more text (write a quote inside a quoted field as \"\")"
    return NnvizError(f"{name} row {row} cannot be read as CSV: {why}")


def _ragged(name, row, got, expected):
    return NnvizError(f"{name} row {row} has {got} field{'s' * (got != 1)}, expected {expected}")


def _file_size(path: str, name: str) -> int:
    try:
        st = os.stat(path)
    except FileNotFoundError:
        raise NnvizError(f"cannot read {path}: file not found") from None
    except OSError as exc:
        raise NnvizError(f"cannot read {path}: {exc.strerror or exc}") from None
    if os.path.isdir(path):
        raise NnvizError(f"cannot read {path}: it is a folder, not a file")
    return st.st_size


def _bad_byte_row(path: str, codec: str) -> int:
    with open(path, "rb") as fh:
        data = fh.read()
    try:
        data.decode("utf-8" if codec.startswith("utf-8") else codec)
    except UnicodeDecodeError as exc:
        return data.count(b"\n", 0, exc.start) + 1
    return 1


def _human(n: int) -> str:
    if n >= 1024 ** 2:
        return f"{n / 1024 ** 2:.0f} MB"
    if n >= 1024:
        return f"{n / 1024:.0f} KB"
    return f"{n} bytes"


def _fmt_num(v: float) -> str:
    v = float(v)
    if v.is_integer() and abs(v) < 1e15:
        return str(int(v))
    return repr(v)


# --- from table to dataset -------------------------------------------------------------------

def _cell_state(table: Table, j: int):
    """(missing, bad) boolean masks (n_rows,) of column j: missing = empty, NA-like or a
    non-finite number; bad = other text that is not a number."""
    v = table.values[:, j]
    missing = ~np.isfinite(v)
    bad = np.zeros(v.shape, dtype=bool)
    if j in table.text:
        strings = table.text[j]
        rows = np.flatnonzero(missing)
        cells = [strings[i] for i in rows]
        decimal = table.fmt.decimal
        is_bad = {c: c.strip().lower() not in MISSING and _number_kind(c, decimal) is not True
                  for c in set(cells)}
        bad[rows] = np.fromiter(map(is_bad.__getitem__, cells), bool, len(cells))
        missing &= ~bad
    return missing, bad


def _missing_problem(table: Table, i: int, j: int) -> str:
    where = f"{table.name} row {table.row_numbers[i]}, column {table.columns[j]!r}"
    fix = "drop rows with missing values to skip it"
    v = table.values[i, j]
    if j in table.text:
        s = table.text[j][i].strip()
        if not s:
            return f"{where} is empty; {fix}"
        if np.isinf(v):
            return f"{where}: {s!r} is not a finite number; {fix}"
        return f"{where}: {s!r} marks a missing value; {fix}"
    if np.isinf(v):
        return f"{where}: {_fmt_num(v)} is not a finite number; {fix}"
    return f"{where} is empty or NaN (a missing value); {fix}"


def _check_cells(table: Table, idx: list[int], drop_missing: bool, numeric: list[bool]):
    """Raise for the first problem (lowest row, then leftmost chosen column) in columns ``idx``;
    return the (n_rows,) mask of rows without missing values and the (missing, bad) masks of
    the columns holding text (only those: a numeric column has no bad cells)."""
    states = {}
    problems = []                                  # (row index, column order, message)
    keep = np.ones(table.n_rows, dtype=bool)
    for order, (j, must_be_number) in enumerate(zip(idx, numeric)):
        missing, bad = _cell_state(table, j)
        if j in table.text:
            states[j] = (missing, bad)
        if must_be_number and bad.any():
            i = int(np.argmax(bad))
            problems.append((i, order, f"{table.name} row {table.row_numbers[i]}, column "
                                       f"{table.columns[j]!r}: {table.text[j][i].strip()!r} is not a number"))
        if not drop_missing and missing.any():
            i = int(np.argmax(missing))
            problems.append((i, order, _missing_problem(table, i, j)))
        keep &= ~missing
        del missing, bad
    if problems:
        raise NnvizError(min(problems)[2])
    return keep, states


def load_dataset(path, target: str, features=None, task: str | None = None,
                 fmt: CsvFormat | None = None, drop_missing: bool = False,
                 max_bytes: int = MAX_BYTES, positive_class: str | None = None) -> Dataset:
    """A Dataset from a CSV file: X (n, len(features)) from the feature columns, y (n,) from
    the target column.

    features: column names (default: every other column that is not entirely empty).
    task: None to propose it from the target (two distinct values → classification, a
        numeric target with more → regression), or "classification" / "regression".
    drop_missing: drop rows with a missing value in a chosen column instead of raising; the
        count is in ``dataset.source["dropped_rows"]``.
    positive_class: one-vs-rest classification: the target label (as written in the file)
        that becomes class 1; every other label is class 0.
    """
    if task is not None and task not in TASKS:
        raise NnvizError(f"unknown task {task!r} (choose from: {', '.join(TASKS)})")
    table = read_table(path, fmt, max_bytes=max_bytes)
    return _dataset(table, target, features, task, drop_missing, positive_class, consume=True)


def target_labels(table: Table, target: str) -> list[str]:
    """The distinct non-missing labels of a target column, sorted (numbers numerically),
    written as in the file: what a classification would map to 0/1 (or one-vs-rest picks from)."""
    t = table.index(target)
    missing, bad = _cell_state(table, t)
    if bad.any():
        strings = table.text[t]
        return sorted({strings[i].strip() for i in np.flatnonzero(~missing)})
    return [_fmt_num(v) for v in np.unique(table.values[~missing, t])]


def dataset_from_table(table: Table, target: str, features=None, task: str | None = None,
                       drop_missing: bool = False, positive_class: str | None = None) -> Dataset:
    """:func:`load_dataset` on a table already read (the import dialog reads the file once)."""
    return _dataset(table, target, features, task, drop_missing, positive_class, consume=False)


def _dataset(table: Table, target, features, task, drop_missing, positive_class,
             consume: bool) -> Dataset:
    """consume: X may be built in the memory of ``table.values`` (the table is not used again),
    so that loading holds the values once instead of twice."""
    if task is not None and task not in TASKS:
        raise NnvizError(f"unknown task {task!r} (choose from: {', '.join(TASKS)})")
    if positive_class is not None:
        if task == "regression":
            raise NnvizError("one-vs-rest needs a classification task, not regression")
        task = "classification"
    name = table.name
    if not isinstance(target, str):
        raise NnvizError(f"the target must be a column name, not {target!r}")
    t = table.index(target)
    if features is None:
        feat_idx = [j for j in range(table.n_columns) if j != t and
                    not (j not in table.text and np.isnan(table.values[:, j]).all())]
    else:
        if isinstance(features, str) or not hasattr(features, "__iter__"):
            raise NnvizError(f"features must be a list of column names, not {features!r}")
        feat_idx = []
        for col in features:
            if not isinstance(col, str):
                raise NnvizError(f"an input column must be named by text, not {col!r}")
            j = table.index(col)
            if j == t:
                raise NnvizError(f"the target column {target!r} cannot also be an input")
            if j in feat_idx:
                raise NnvizError(f"column {col!r} is listed twice in the inputs")
            feat_idx.append(j)
    if not feat_idx:
        raise NnvizError(f"{name} has no input columns besides the target {target!r}")

    keep, states = _check_cells(table, feat_idx + [t], drop_missing,
                                [True] * len(feat_idx) + [task == "regression"])
    n_keep = int(keep.sum())
    dropped = table.n_rows - n_keep
    if n_keep < 2:
        after = f" after dropping {dropped} rows with missing values" if dropped else ""
        raise NnvizError(f"{name} has {n_keep} usable data row{'s' * (n_keep != 1)}{after}; "
                         "at least 2 are needed")

    where = f"target column {target!r} in {name}"
    bad_t = states[t][1] if t in states else np.zeros(table.n_rows, dtype=bool)
    class_names = None
    if positive_class is not None:                # one label against the rest
        positive_class = str(positive_class).strip()
        if bad_t.any():
            strings = table.text[t]
            labels = [strings[i].strip() for i in np.flatnonzero(keep)]
        else:
            labels = [_fmt_num(v) for v in table.values[keep, t]]
        distinct = sorted(set(labels))
        if positive_class not in distinct:
            shown = ", ".join(distinct[:6]) + (", …" if len(distinct) > 6 else "")
            raise NnvizError(f"{where} has no label {positive_class!r} (labels: {shown})")
        if len(distinct) < 2:
            raise NnvizError(_classes_problem(where, distinct))
        y = np.fromiter((s == positive_class for s in labels), dtype=np.float64, count=len(labels))
        class_names = (f"not {positive_class}", positive_class)
    elif bad_t.any():                             # text labels
        strings = table.text[t]
        labels = [strings[i].strip() for i in np.flatnonzero(keep)]
        distinct = sorted(set(labels))
        if len(distinct) != 2:
            raise NnvizError(_classes_problem(where, distinct))
        y = np.fromiter((s == distinct[1] for s in labels), dtype=np.float64, count=len(labels))
        class_names, task = (distinct[0], distinct[1]), "classification"
    else:
        yv = table.values[keep, t]
        distinct = np.unique(yv)
        if task is None:
            if len(distinct) < 2:
                raise NnvizError(f"{where} has the same value ({_fmt_num(distinct[0])}) in every row; "
                                 "there is nothing to learn")
            task = "classification" if len(distinct) == 2 else "regression"
        if task == "classification":
            if len(distinct) != 2:
                raise NnvizError(f"{where} has {len(distinct)} distinct value{'s' * (len(distinct) != 1)}"
                                 "; classification needs exactly 2 (a numeric target with more "
                                 "values is a regression)")
            y = (yv == distinct[1]).astype(np.float64)
            class_names = (_fmt_num(distinct[0]), _fmt_num(distinct[1]))
        else:
            y = yv
    X = _take(table, keep if dropped else None, feat_idx, consume)
    inputs = [table.columns[j] for j in feat_idx]
    source = {"csv": os.path.abspath(table.path), "target": target, "features": inputs,
              "task": task, "format": table.fmt.to_dict(), "drop_missing": bool(drop_missing),
              "dropped_rows": dropped}
    if positive_class is not None:
        source["positive_class"] = positive_class
    return Dataset(np.ascontiguousarray(X), y, inputs, task, name=name, target=target,
                   class_names=class_names, source=source)


def _take(table: Table, keep, cols: list[int], consume: bool) -> np.ndarray:
    """``table.values[keep][:, cols]`` as a C-contiguous array. With ``consume``, written over
    ``table.values`` itself a few thousand rows at a time and cut to size, which leaves the
    table unusable; a copy when its values are not an array of their own."""
    values = table.values
    if not (consume and values.flags.owndata and values.flags.c_contiguous
            and values.flags.writeable and values.dtype == np.float64):
        return np.ascontiguousarray(values[np.ix_(keep, cols)] if keep is not None
                                    else values[:, cols])
    table.values = None
    n, p = values.shape[0], len(cols)
    flat = values.reshape(-1)
    out = 0
    step = 4096
    for r0 in range(0, n, step):
        # Rows r0… of the result start at or before row r0 of the table and end before the
        # rows still to be read, so each chunk is copied out first, then written back.
        part = values[r0:r0 + step]
        if keep is not None:
            part = part[keep[r0:r0 + step]]
        part = part[:, cols].ravel()
        flat[out:out + part.size] = part
        out += part.size
    del flat, part
    values.resize((out // p, p), refcheck=False)
    return values


def _classes_problem(where: str, distinct: list[str]) -> str:
    if len(distinct) < 2:
        return f"{where} has only one class ({distinct[0]!r}); classification needs two"
    shown = ", ".join(distinct[:6]) + (", …" if len(distinct) > 6 else "")
    return (f"{where} has {len(distinct)} classes ({shown}); only binary classification "
            "(2 classes) or regression (a numeric target) is supported: choose one class "
            "against the rest, or regression")


def write_dataset(dataset: Dataset, path) -> None:
    """Save a Dataset as a comma-separated file with a header: its input columns, then the
    target (class labels as ``dataset.class_names`` when it has them and they sort in their 0/1
    order, so that reading the file maps them the same way; else 0/1 or the values).
    Numbers are written exactly (``repr``), so :func:`load_dataset` reads the same arrays."""
    from nnviz.io.fileio import atomic_write

    def field(text: str) -> str:
        return '"' + text.replace('"', '""') + '"' if any(c in text for c in ',"\r\n') else text

    names = list(dataset.inputs) + [dataset.target or "y"]
    lines = [",".join(field(n) for n in names)]
    y = dataset.y
    names_kept = (dataset.class_names is not None
                  and sorted(dataset.class_names) == list(dataset.class_names))
    if dataset.task == "classification" and names_kept:   # read back in the same 0/1 order
        labels = [field(dataset.class_names[int(v)]) for v in y]
    else:
        labels = [_fmt_num(v) for v in y]
    for row, label in zip(dataset.X.tolist(), labels):
        lines.append(",".join(_fmt_num(v) for v in row) + "," + label)
    atomic_write(path, ("\n".join(lines) + "\n").encode("utf-8"))


def read_columns(path, columns, fmt: CsvFormat | None = None,
                 max_bytes: int = MAX_BYTES) -> np.ndarray:
    """The named numeric columns of a CSV file as X (n_rows, len(columns)) float64, C-contiguous
    (for ``nnviz predict``). Every cell must be a finite number."""
    table = read_table(path, fmt, max_bytes=max_bytes)
    idx = [table.index(c) for c in columns]
    _check_cells(table, idx, False, [True] * len(idx))
    return np.ascontiguousarray(table.values[:, idx])
