"""The block-by-block CSV parser behind :func:`nnviz.data.csvread.read_table`: whole numeric
blocks read at once by NumPy's reader, others split with ``str`` methods or the :mod:`csv`
module."""
from __future__ import annotations

import csv
import io
import itertools

import numpy as np

from nnviz.errors import NnvizError
from nnviz.data.csvtable import CsvFormat, Table, blank_row, format_number

_BLOCK_CHARS = 1 << 18     # characters per block (a block's strings are held at once)
_CSV_ROWS = 50_000         # rows per block in the csv-module path


def parse(fh, fmt: CsvFormat, name: str, path: str, max_rows, size: int = 0) -> Table:
    delim = fmt.delimiter
    reader = csv.reader(fh, delimiter=delim, strict=True)   # the first record may be quoted
    first, first_line = None, 0
    try:
        for row in reader:
            if not blank_row(row):
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
            if not s.replace(delim, "").strip():
                continue        # blank, or only delimiters: a spreadsheet's empty row (;;;)
            if s.count(delim) == km1:
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
    ``str.partition``) — read without a string per numeric cell, by NumPy's C reader (which
    reads a number as ``float`` does, to the last bit); None otherwise (then the cells are split
    and converted column by column, which also finds the problems to report). n_bytes: the
    block's size in UTF-8."""
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
    open_end = not block.endswith("\n")       # the file's last line may have no newline
    if (seps.size != m * k - open_end or int(np.count_nonzero(is_newline)) != m - open_end
            or not is_newline[k - 1::k].all()):
        return None, len(raw)                   # a blank line or a row with another field count
    del is_newline, b, seps
    numbers = block.replace(",", ".") if decimal == "," else block
    # A label such as M/B in the first or the last column? (What float() cannot read, NumPy's
    # reader cannot either: then reading the block whole would fail on its first line.)
    first = block[:block.find("\n")].split(delim)
    text_cols = [j for j in (0, k - 1) if not _is_number(first[j], decimal)]
    if text_cols and any(not _is_number(f, decimal) for j, f in enumerate(first)
                         if j not in text_cols):
        return None, len(raw)
    keep = [j for j in range(k) if j not in text_cols]
    try:
        part = np.loadtxt(io.StringIO(numbers), dtype=np.float64, delimiter=delim,
                          comments=None, quotechar=None, ndmin=2,
                          usecols=keep if text_cols else None)
    except ValueError:
        return None, len(raw)                   # a cell that is not a number
    if part.shape != (m, len(keep)):
        return None, len(raw)
    if not text_cols:
        return _Values(part, {}), len(raw)
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
            if blank_row(row):      # blank, or only delimiters (a spreadsheet's empty row)
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
                    p = ["" if np.isnan(v) else format_number(v) for v in values[start:start + m, j]]
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


