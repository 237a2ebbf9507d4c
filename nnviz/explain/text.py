"""How explanations write numbers, names and indices: the shared vocabulary of the stage texts."""
from __future__ import annotations

import math

import numpy as np

from nnviz.core.stages import Stage, StageKind


ROW = "row"


COLUMN = "column"


NOTATIONS = (ROW, COLUMN)


MAX_LINES = 6      # index-form lines per block before "… more"


MAX_TERMS = 8      # terms of a sum written out before eliding the middle


OUTER_TERMS = 3    # outer products written out


_SUB = str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉")


# --- formatting ------------------------------------------------------------------------------
def fmt(v: float, digits: int = 4) -> str:
    """``v`` with ``digits`` significant digits and a real minus sign: 0.6106, −0.1947, 1e−08."""
    v = float(v)
    if not math.isfinite(v):
        return "NaN" if math.isnan(v) else ("∞" if v > 0 else "−∞")
    if v == 0:
        return "0"
    s = f"{v:.{digits}g}"
    if "e" in s:
        mant, exp = s.split("e")
        s = f"{mant}e{int(exp)}"
    return s.replace("-", "−")


SCIENTIFIC = 1e9   # a cell's number from this magnitude up is written as fmt does: 1.23e9


def cell_text(v: float, decimals: int = 2) -> str:
    """A matrix cell's number with the matrix's decimals and a real minus sign: −0.53, 0.0012
    (the heatmaps, the step-through and the worksheets write every cell with it)."""
    v = float(v)
    if not math.isfinite(v):
        return str(v)
    if v == 0:
        return "0"
    if abs(v) >= SCIENTIFIC:    # (in fixed point 1e308 is 309 digits wide)
        return fmt(v, 3)
    s = f"{v:.{decimals}f}"
    if float(s) == 0:
        s = s.lstrip("-")
    return s.replace("-", "−")


def cell_decimals(arr) -> int:
    """Decimals for a matrix's numbers, from its largest entry: 2 for 0.1…9.99 (0.53, 1.95),
    one more per decade below (0.086, 0.0012) and fewer above (12.3, 123)."""
    arr = np.asarray(arr, dtype=float)
    return magnitude_decimals(float(np.max(np.abs(arr))) if arr.size else 0.0)


def magnitude_decimals(m: float) -> int:
    """:func:`cell_decimals` from a matrix's largest magnitude ``m``."""
    if not math.isfinite(m) or m == 0:
        return 2
    e = math.floor(math.log10(m))
    if e in (-1, 0):
        return 2
    return max(0, min(5, (1 - e) if e < 0 else (2 - e)))


def par(v: float) -> str:
    """A factor in a product: negative numbers in parentheses, ``(−0.11)``."""
    s = fmt(v)
    return f"({s})" if s.startswith("−") else s


def sub(*idx: int) -> str:
    """Subscript of 1-based indices: ``sub(1, 2)`` → ``₁₂``; ``₁,₁₂`` once an index has two digits."""
    parts = [str(i).translate(_SUB) for i in idx]
    return ("," if any(i >= 10 for i in idx) else "").join(parts)


def vec(values) -> str:
    """``[0.7, 0.1]``."""
    return "[" + ", ".join(fmt(v) for v in np.ravel(values)) + "]"


def mat(a) -> str:
    """A small matrix on one line, rows separated by ``;``: ``[0.1, −0.2; 0.3, 0.4]``."""
    a = np.atleast_2d(np.asarray(a, dtype=float))
    return "[" + "; ".join(", ".join(fmt(v) for v in row) for row in a) + "]"


def sum_terms(terms: list[str]) -> str:
    if len(terms) > MAX_TERMS:
        terms = terms[:3] + [f"… ({len(terms) - 4} more terms)"] + terms[-1:]
    return " + ".join(terms)


def letter(name: str) -> str:
    """The element letter of an array's display name: X → x, H⁽¹⁾ → h, ŷ → ŷ (the stage's
    title says which layer)."""
    if name == "ŷ":
        return "ŷ"
    return name[:1].lower()


def elem(name: str, j: int, n: int) -> str:
    """Element j (0-based) of a row of n: ``h₂``; a single column has no subscript (``ŷ``)."""
    return letter(name) if n == 1 else letter(name) + sub(j + 1)


# --- kinds ---------------------------------------------------------------------------------
def kind(stage: Stage) -> StageKind:
    """The stage's :class:`~nnviz.core.stages.StageKind` (equal to its string value, e.g.
    ``"dense_backward"``)."""
    return stage.kind


def keys(d: dict) -> list[str]:
    return list(d.keys())


def scale_text(stage: Stage) -> str:
    return "(1/m)·" if stage.info.get("reduction", "mean") == "mean" else ""


# --- index form ------------------------------------------------------------------------------
def cap(lines: list[str], total: int, what: str) -> list[str]:
    if total > len(lines):
        lines.append(f"… and {total - len(lines)} more {what}")
    return lines


def batch_size(stage: Stage) -> int:
    """m, the rows of the stage's batch (0 when it has none)."""
    if "m" in stage.info:
        return int(stage.info["m"])
    for v in stage.operands.values():
        if np.ndim(v) == 2:
            return int(np.shape(v)[0])
    return 0


MAX_DIGITS = 12


def distinct_decimals(before, after, start: int = 2, most: int = MAX_DIGITS) -> int:
    """Decimals (fixed point, at least ``start``) with which every element of ``before`` and
    ``after`` that differs is written differently; ``most`` at the worst."""
    a = np.asarray(before, dtype=float).reshape(-1)
    b = np.asarray(after, dtype=float).reshape(-1)
    ok = np.isfinite(a) & np.isfinite(b) & (a != b)
    if not ok.any():
        return start
    a, b = a[ok], b[ok]
    for d in range(start, most + 1):
        if np.all(np.round(a, d) != np.round(b, d)):
            return d
    return most


def distinct_digits(before: float, after: float, start: int = 4, most: int = MAX_DIGITS) -> int:
    """Significant digits (at least ``start``) that write ``before`` and ``after`` differently
    when they differ."""
    before, after = float(before), float(after)
    if before == after or not (math.isfinite(before) and math.isfinite(after)):
        return start
    for d in range(start, most + 1):
        if f"{before:.{d}g}" != f"{after:.{d}g}":
            return d
    return most
