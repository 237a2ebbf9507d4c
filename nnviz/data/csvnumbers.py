"""Plain decimal numbers read from a CSV block's bytes with array operations, exactly.

A field such as ``-12.375`` is read as its digits taken as one integer, ``m = 12375``, over a
power of ten, ``10³``. When the field has at most 15 digits both are whole numbers that a
float64 holds exactly (m < 10¹⁵ < 2⁵³, 10ᵉ for e ≤ 22), so the one division ``m / 10ᵉ`` is
rounded once, to the float nearest the decimal: the value ``float("-12.375")`` gives, bit for
bit. (This is the first case of Clinger's algorithm, the one every correct decimal reader
tries first.) Each step works on all the block's bytes or digits at once, so a column of
numbers costs a few passes of NumPy instead of one text-to-float call per cell.

Only that plain form is read here — an optional sign, then digits with at most one ``.``
among them, nothing else, at most 15 digits. A column with any other cell (an exponent, a
space, an empty cell, a label, a longer number) is reported as not read, and the caller reads
it its own way.
"""
from __future__ import annotations

import numpy as np

MAX_DIGITS = 15                              # m < 10¹⁵ < 2⁵³: every partial sum of m is exact
_POW10 = 10.0 ** np.arange(MAX_DIGITS + 1)   # exact: 10ᵉ = 2ᵉ·5ᵉ with 5ᵉ < 2⁵³
_ZERO, _NINE, _DOT, _MINUS, _PLUS = 48, 57, 46, 45, 43
# Text read per pass. Its temporaries, about 40 bytes per byte of text, then stay in the cache
# and mostly under glibc's 128 KB threshold for memory mapped afresh on every allocation (in
# runs of 64 KB, a load of the 569-row sample table faulted in about 1,100 new pages).
CHUNK_BYTES = 1 << 14


def read_decimals(b: np.ndarray, seps: np.ndarray, m: int, k: int):
    """(values, read): ``values`` (m, k) float64 and ``read`` (k,) bool, whether every cell of
    column j is a plain decimal (then ``values[:, j]`` holds them, bit for bit what
    ``float(cell)`` gives; the other columns hold garbage). ``b``: the block's bytes (uint8),
    m lines of k fields; ``seps``: the positions in ``b`` of the delimiter or newline after
    each field, in order (the last field's may be missing: the block ends there). Read in
    runs of whole lines of about ``CHUNK_BYTES``."""
    rows = max(1, CHUNK_BYTES * m // max(1, b.size))
    if rows >= m:
        return _read(b, seps, m, k)
    values = np.empty((m, k))
    read = np.ones(k, dtype=bool)
    for r0 in range(0, m, rows):
        r1 = min(m, r0 + rows)
        lo = 0 if r0 == 0 else int(seps[r0 * k - 1]) + 1
        hi = b.size if r1 == m else int(seps[r1 * k - 1]) + 1
        values[r0:r1], ok = _read(b[lo:hi], seps[r0 * k:r1 * k] - lo, r1 - r0, k)
        read &= ok
    return values, read


def _read(b: np.ndarray, seps: np.ndarray, m: int, k: int):
    """:func:`read_decimals` of one run of lines."""
    n = m * k
    end = np.empty(n, dtype=np.intp)            # field f is b[start[f]:end[f]]
    end[:min(seps.size, n)] = seps[:n]
    if seps.size < n:
        end[n - 1] = b.size
    start = np.empty(n, dtype=np.intp)
    start[0] = 0
    start[1:] = end[:-1] + 1
    sep = np.zeros(b.size, dtype=bool)
    sep[seps[:n]] = True
    field_of = np.cumsum(sep, dtype=np.intp)     # byte i, not a separator, is in field field_of[i]
    is_digit = (b >= _ZERO) & (b <= _NINE)
    is_dot = b == _DOT
    # The one dot of each field (dot_at = -1 when none); a second dot spoils its column.
    dots = np.flatnonzero(is_dot)
    dot_field = field_of[dots]
    dot_at = np.full(n, -1, dtype=np.intp)
    dot_at[dot_field] = dots
    has_dot = dot_at >= 0
    # A sign may open a field; any other byte that is no digit, dot or separator spoils it.
    first = b[np.minimum(start, b.size - 1)]
    length = end - start
    minus = (first == _MINUS) & (length > 0)
    signed = minus | ((first == _PLUS) & (length > 0))
    other = ~(is_digit | is_dot | sep)
    other[start[signed]] = False
    n_digits = length - signed - has_dot
    bad = (n_digits < 1) | (n_digits > MAX_DIGITS)
    bad[field_of[np.flatnonzero(other)]] = True
    bad[dot_field[np.bincount(dot_field, minlength=n)[dot_field] > 1]] = True
    read = ~bad.reshape(m, k).any(axis=0)
    # m = Σ digit · 10^(digits after it in its field): every product and partial sum exact.
    where = np.flatnonzero(is_digit)
    field = field_of[where]
    after = end[field] - where - 1
    after -= where < dot_at[field]
    np.clip(after, 0, MAX_DIGITS, out=after)    # (a field read here has at most 15 digits)
    weights = (b[where] - _ZERO) * _POW10[after]
    mantissa = np.bincount(field, weights=weights, minlength=n)
    frac = np.where(has_dot, end - dot_at - 1, 0)
    np.clip(frac, 0, MAX_DIGITS, out=frac)
    values = mantissa / _POW10[frac]
    np.negative(values, out=values, where=minus)
    return values.reshape(m, k), read
