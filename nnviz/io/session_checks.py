"""The checks a session file's reader makes: each value's type, range and shape, with one
sentence naming the file and the entry when one is wrong (see :mod:`nnviz.io.session_file`)."""
from __future__ import annotations

import math

import numpy as np

from nnviz.core.network import MAX_INPUTS
from nnviz.errors import NnvizError

MAX_DEPTH = 8                         # nesting of the header's JSON


class Reader:
    def __init__(self, source: str):
        self.source = source

    def fail(self, problem: str):
        raise NnvizError(f"{self.source}: {problem}")

    def obj(self, value, what: str) -> dict:
        if not isinstance(value, dict):
            self.fail(f"'{what}' must be an object")
        return value

    def string(self, value, what: str, choices=None, empty=False) -> str:
        if not isinstance(value, str) or (not value and not empty) or len(value) > 1000:
            self.fail(f"'{what}' must be a short text")
        if choices is not None and value not in choices:
            self.fail(f"'{what}' is {value!r}; expected one of: {', '.join(choices)}")
        return value

    def integer(self, value, what: str, low=0, high=2**62) -> int:
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            self.fail(f"'{what}' must be a whole number from {low} to {high}")
        return value

    def number(self, value, what: str, allow_none=False) -> float | None:
        if value is None and allow_none:
            return None
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
            self.fail(f"'{what}' must be a finite number")
        return float(value)

    def names(self, value, what: str, limit=MAX_INPUTS) -> list[str]:
        if (not isinstance(value, list) or not value or len(value) > limit
                or not all(isinstance(v, str) and 0 < len(v) <= 200 for v in value)):
            self.fail(f"'{what}' must be a list of 1 to {limit} names")
        return list(value)

    def depth(self, value, level=0):
        if level > MAX_DEPTH:
            self.fail("the header is nested too deeply")
        if isinstance(value, dict):
            for v in value.values():
                self.depth(v, level + 1)
        elif isinstance(value, list):
            for v in value:
                self.depth(v, level + 1)

    def array(self, arrays, key: str, shape, kind="f", finite=True) -> np.ndarray:
        if key not in arrays:
            self.fail(f"the array '{key}' is missing")
        a = arrays[key]
        if a.dtype.kind not in kind or (kind == "f" and a.dtype.itemsize != 8) or a.ndim != len(shape):
            self.fail(f"the array '{key}' has the wrong type or number of dimensions")
        for got, want in zip(a.shape, shape):
            if want is not None and got != want:
                self.fail(f"the array '{key}' has shape {a.shape}, expected "
                          f"({', '.join('n' if w is None else str(w) for w in shape)})")
        if finite and a.dtype.kind == "f" and not np.isfinite(a).all():
            self.fail(f"the array '{key}' holds a NaN or infinite number")
        return a
