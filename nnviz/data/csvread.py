"""Reading a CSV file into a :class:`Table`: format detection and a memory-lean parser.

Used by the CSV datasets (:mod:`nnviz.data.csvdata`) and the app's import dialog (which
previews with ``read_table(path, max_rows=…)``).

* :func:`sniff` looks at the first 64 KiB: delimiter ``,`` ``;`` or tab, decimal mark ``.`` or
  ``,`` (``1,5`` in a ``;`` file), whether the first row is a header, and the encoding: UTF-8
  with or without BOM, UTF-16 with a BOM, else Windows' cp1252 (a workbook saved as .csv is
  refused by name).
  Every loader takes an optional :class:`CsvFormat` to override the guess.
* :func:`read_table` parses the file block by block (256 K characters) into one float64 array
  reserved once (NaN where a cell is empty or not a number) and keeps the raw strings only of
  columns holding a non-numeric cell (class labels such as ``M``/``B``). A block whose every
  cell is a number is read by NumPy's C reader without a string per cell; other blocks are
  split with ``str`` methods when their quotes
  (if any) only wrap whole fields like ``"M"``; from the first block where quotes hide a
  delimiter, a newline or another quote, the :mod:`csv` module reads the rest.

Row numbers in messages are the file's line numbers, 1-based, so the header line is row 1.
Every problem a user can cause raises :class:`~nnviz.errors.NnvizError` with one sentence.
"""
from __future__ import annotations

import codecs
import csv
import io
import os
import re

from nnviz.errors import NnvizError
from nnviz.data.csvparse import parse
from nnviz.data.csvtable import (DELIMITERS, MAX_BYTES, SNIFF_BYTES, CsvFormat, Table, blank_row,
                                 human_size, number_kind)

_SNIFF_ROWS = 500
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
    _not_text(data, name)
    encoding = _encoding(data, not truncated)
    try:
        text = codecs.getincrementaldecoder(encoding)().decode(data, final=not truncated)
    except UnicodeDecodeError as exc:      # (a UTF-8 byte-order mark over bytes that are not)
        start = exc.start + (len(codecs.BOM_UTF8) if encoding == "utf-8-sig" else 0)
        row = data.count(b"\n", 0, start) + 1
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


# A workbook saved with a .csv name: what its first bytes say it is.
_NOT_TEXT = ((b"PK\x03\x04", "an Excel workbook (.xlsx) or another zip archive"),
             (b"\xd0\xcf\x11\xe0", "an old Excel workbook (.xls)"))


def _not_text(data: bytes, name: str) -> None:
    for magic, what in _NOT_TEXT:
        if data.startswith(magic):
            raise NnvizError(f"{name} is {what}, not CSV text: open it in its program and save "
                             "it as CSV")


def _encoding(data: bytes, final: bool) -> str:
    """``data``'s encoding (``final``: it is the whole file, not its first bytes): UTF-8 (with
    or without its byte-order mark), UTF-16 when a byte-order mark says so,
    else Windows' Western encoding cp1252: a file that is not UTF-8 (a bad byte in a name such
    as "catégorie") is what Excel writes as "CSV" on a European Windows. The guess is shown
    and can be changed in the import dialog."""
    if data.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    try:
        codecs.getincrementaldecoder("utf-8")().decode(data, final=final)
        return "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        data.decode("cp1252")
        return "cp1252"
    except UnicodeDecodeError:
        return "latin-1"        # (every byte is a character)


def _sample_rows(text: str, delim: str) -> list[list[str]]:
    rows = []
    try:
        for row in csv.reader(io.StringIO(text, newline=""), delimiter=delim):
            if not blank_row(row):
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
    kinds = [number_kind(c, decimal) for c in first]
    if all(k is not False for k in kinds):
        return False
    header_vote = data_vote = False
    for j, cell in enumerate(first):
        below = [r[j] for r in rest if j < len(r) and r[j].strip()]
        if not below:
            continue
        numeric_below = sum(number_kind(c, decimal) is True for c in below) * 2 >= len(below)
        if kinds[j] is False and numeric_below:
            header_vote = True
        elif kinds[j] is True and numeric_below:
            data_vote = True
        elif kinds[j] is False and cell.strip() in {c.strip() for c in below}:
            data_vote = True
    return header_vote or not data_vote


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
        raise NnvizError(f"{name} is {human_size(size)}, over the {human_size(max_bytes)} limit; "
                         "raise the limit to load it")
    if size == 0:
        raise NnvizError(f"{name} is empty")
    if fmt is None:
        fmt = sniff(path)
    elif not isinstance(fmt, CsvFormat):
        raise TypeError("fmt must be a CsvFormat")
    try:
        with open(path, encoding=fmt.encoding, newline="") as fh:
            return parse(fh, fmt, name, path, max_rows, size)
    except UnicodeDecodeError:
        codec = codecs.lookup(fmt.encoding).name
        label = "UTF-8" if codec.startswith("utf-8") else fmt.encoding
        raise NnvizError(f"{name} is not valid {label} text (a bad byte in row "
                         f"{_bad_byte_row(path, codec)}); choose its encoding, or save it as "
                         f"UTF-8") from None
    except OSError as exc:
        raise NnvizError(f"cannot read {path}: {exc.strerror or exc}") from None


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


