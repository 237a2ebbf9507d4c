"""Plain decimals read from a CSV block's bytes: bit for bit what ``float`` reads, or not read."""
from __future__ import annotations

import numpy as np
import pytest

from nnviz.data import csvnumbers, csvparse
from nnviz.data.csvnumbers import MAX_DIGITS, read_decimals
from nnviz.data.csvread import read_table


def _read(rows: list[list[str]], newline_at_end: bool = True):
    text = "\n".join(",".join(r) for r in rows) + ("\n" if newline_at_end else "")
    b = np.frombuffer(text.encode("utf-8"), dtype=np.uint8)
    seps = np.flatnonzero((b == ord(",")) | (b == 10))
    return read_decimals(b, seps, len(rows), len(rows[0]))


def _random_decimals(rng, n: int) -> list[str]:
    """Signs, leading zeros, a dot anywhere (first, last, none), 1 to 15 digits."""
    out = []
    for _ in range(n):
        digits = "".join(rng.choice(list("0123456789"), rng.integers(1, MAX_DIGITS + 1)))
        if rng.random() < 0.8:
            at = int(rng.integers(0, len(digits) + 1))
            digits = digits[:at] + "." + digits[at:]
        out.append(str(rng.choice(["", "", "-", "+"])) + digits)
    return out


def test_every_plain_decimal_is_read_bit_for_bit_as_float_reads_it():
    rng = np.random.default_rng(11)
    cells = _random_decimals(rng, 60_000) + [
        "0", "-0", "+0", "-0.0", ".5", "5.", "-.5", "+5.", "007", "0.1", "0.2", "0.3",
        "999999999999999", "-99999999999999.9", ".000000000000001", "123456789.012345",
        "9007199254740.99", "0.30000000000000"]
    k = 4
    cells += ["1"] * (-len(cells) % k)
    rows = [cells[i:i + k] for i in range(0, len(cells), k)]
    for newline_at_end in (True, False):
        values, read = _read(rows, newline_at_end)
        assert read.all()
        want = np.array([[float(c) for c in r] for r in rows])
        assert values.tobytes() == want.tobytes()      # -0.0 and every last bit included


@pytest.mark.parametrize("cell", [
    "1e5", "1E-5", " 1", "1 ", "1.2.3", "", "-", ".", "+", "-.", "+-1", "--1", "1-", "nan",
    "inf", "-inf", "1_000", "0x10", "١", "M", "1" * (MAX_DIGITS + 1), "0." + "0" * MAX_DIGITS,
    "12x"])
def test_a_column_with_any_other_cell_is_not_read(cell):
    rows = [["1.5", "2", "3"], ["4", cell, "6"], ["7", "8", "-9.25"]]
    values, read = _read(rows)
    assert read.tolist() == [True, False, True]
    assert values[:, 0].tolist() == [1.5, 4.0, 7.0] and values[:, 2].tolist() == [3.0, 6.0, -9.25]


@pytest.mark.parametrize("chunk", [1, 40, 1000])
def test_runs_of_lines_read_what_the_whole_block_reads(monkeypatch, chunk):
    rng = np.random.default_rng(chunk)
    cells = _random_decimals(rng, 3 * 200)
    rows = [cells[i:i + 3] for i in range(0, len(cells), 3)]
    rows[137][1] = "1e5"                      # one cell of one run spoils its column
    for newline_at_end in (True, False):
        whole = _read(rows, newline_at_end)
        monkeypatch.setattr(csvnumbers, "CHUNK_BYTES", chunk)
        runs = _read(rows, newline_at_end)
        monkeypatch.undo()
        assert runs[1].tolist() == whole[1].tolist() == [True, False, True]
        assert runs[0][:, [0, 2]].tobytes() == whole[0][:, [0, 2]].tobytes()
        want = np.array([[float(r[0]), float(r[2])] for r in rows])
        assert runs[0][:, [0, 2]].tobytes() == want.tobytes()


def test_a_last_line_without_its_newline_and_one_column():
    values, read = _read([["3.25"], ["-1"], ["10."]], newline_at_end=False)
    assert read.tolist() == [True] and values[:, 0].tolist() == [3.25, -1.0, 10.0]


def test_a_file_of_plain_decimals_never_reaches_numpys_text_reader(write, monkeypatch):
    """The bundled tables and most CSV files: read from their bytes, as float() reads them."""
    rng = np.random.default_rng(3)
    v = (rng.standard_normal((500, 4)) * 100).round(6)
    path = write("a,b,c,label\n" + "".join(
        f"{a!r},{b!r},{c!r},{['benign', 'malignant'][int(d > 0)]}\n" for a, b, c, d in v.tolist()))

    def refuse(*a, **kw):
        raise AssertionError("np.loadtxt was called")
    monkeypatch.setattr(csvparse.np, "loadtxt", refuse)
    t = read_table(path)
    assert t.values[:, :3].tobytes() == v[:, :3].tobytes()
    assert t.text[3][:3] == [["benign", "malignant"][int(d > 0)] for d in v[:3, 3]]
