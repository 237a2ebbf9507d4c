"""A CSV file's numbers are read bit for bit as ``float`` reads them, whatever their form."""
from __future__ import annotations

import numpy as np
import pytest

from nnviz.data.csvread import read_table

DIGITS = 15   # the random decimals have 1 to 15 digits


def _random_decimals(rng, n: int) -> list[str]:
    """Signs, leading zeros, a dot anywhere (first, last, none), 1 to 15 digits."""
    out = []
    for _ in range(n):
        digits = "".join(rng.choice(list("0123456789"), rng.integers(1, DIGITS + 1)))
        if rng.random() < 0.8:
            at = int(rng.integers(0, len(digits) + 1))
            digits = digits[:at] + "." + digits[at:]
        out.append(str(rng.choice(["", "", "-", "+"])) + digits)
    return out


def _table(write, rows: list[list[str]], newline_at_end: bool = True):
    header = ",".join(f"c{j}" for j in range(len(rows[0])))
    text = header + "\n" + "\n".join(",".join(r) for r in rows) + ("\n" if newline_at_end else "")
    return read_table(write(text))


@pytest.mark.parametrize("newline_at_end", [True, False])
def test_every_decimal_is_read_bit_for_bit_as_float_reads_it(write, newline_at_end):
    rng = np.random.default_rng(11)
    cells = _random_decimals(rng, 60_000) + [
        "0", "-0", "+0", "-0.0", ".5", "5.", "-.5", "+5.", "007", "0.1", "0.2", "0.3",
        "999999999999999", "-99999999999999.9", ".000000000000001", "123456789.012345",
        "9007199254740.99", "0.30000000000000", "1e5", "-2.5E-3", "12345678901234567890.5",
        "0.1000000000000000055511151231257827", "4.9e-324", "1.7976931348623157e308"]
    k = 4
    cells += ["1"] * (-len(cells) % k)
    rows = [cells[i:i + k] for i in range(0, len(cells), k)]
    t = _table(write, rows, newline_at_end)
    want = np.array([[float(c) for c in r] for r in rows])
    assert t.values.tobytes() == want.tobytes()      # -0.0 and every last bit included


def test_a_label_column_beside_decimals(write):
    """The bundled tables' shape: numbers, then a text label."""
    rng = np.random.default_rng(3)
    v = (rng.standard_normal((500, 4)) * 100).round(6)
    labels = [["benign", "malignant"][int(d > 0)] for d in v[:, 3]]
    path = write("a,b,c,label\n" + "".join(
        f"{a!r},{b!r},{c!r},{lab}\n" for (a, b, c, _), lab in zip(v.tolist(), labels)))
    t = read_table(path)
    assert t.values[:, :3].tobytes() == v[:, :3].tobytes()
    assert t.text[3] == labels


def test_a_last_line_without_its_newline_and_one_column(write):
    t = _table(write, [["3.25"], ["-1"], ["10."]], newline_at_end=False)
    assert t.values[:, 0].tolist() == [3.25, -1.0, 10.0]


@pytest.mark.parametrize("cell", [
    "1e5", "1E-5", " 1", "1 ", "nan", "inf", "-inf", "1_000", "١", "1" * 16, "0." + "0" * 15 + "1",
    "1.2.3", "-", ".", "0x10", "M", "12x"])
def test_a_cell_of_another_form_is_read_as_float_reads_it_or_kept_as_text(write, cell):
    t = _table(write, [["1.5", "2", "3"], ["4", cell, "6"], ["7", "8", "-9.25"]])
    assert t.values[:, 0].tolist() == [1.5, 4.0, 7.0] and t.values[:, 2].tolist() == [3.0, 6.0, -9.25]
    try:
        want = float(cell)
    except ValueError:
        assert t.text[1] == ["2", cell, "8"] and np.isnan(t.values[1, 1])
    else:
        assert 1 not in t.text
        assert np.array([2.0, want, 8.0]).tobytes() == t.values[:, 1].tobytes()
