"""Feature expansion and standardisation: what the first layer sees.

New variables make polynomial models linear: with the features x1, x2, x1^2,
x2^2, x1*x2 a circle is a *linear* boundary. A feature is one of

    NAME          a raw input column as it is (``x1``, or any CSV column name)
    NAME^2        its square
    NAME1*NAME2   the product of two inputs
    sin(NAME)     its sine

where NAME is an input name exactly as given (it may contain spaces and most characters;
spaces around an operand are ignored). Parsing is a small strict matcher against the known
input names: no eval. An expression that is itself an input name is that input, so a CSV
column literally called ``a*b`` stays a plain column.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import NamedTuple

import numpy as np

from nnviz.errors import NnvizError

TOY_FEATURES = ("x1", "x2", "x1^2", "x2^2", "x1*x2", "sin(x1)", "sin(x2)")


class Feature(NamedTuple):
    """One parsed feature: ``kind`` (input, square, product or sin) over input columns ``i`` and ``j`` (``j == i``
    except for a product); ``text`` is the canonical expression."""
    kind: str
    i: int
    j: int
    text: str


def parse_feature(expr: str, inputs) -> Feature:
    """Parse one expression over the input names ``inputs`` (a sequence of str)."""
    inputs = list(inputs)
    return _parse(expr, {name: k for k, name in enumerate(inputs)}, inputs)


def _parse(expr: str, index: dict, inputs: list) -> Feature:
    """:func:`parse_feature` with ``index`` (input name → column) made once for a list."""
    if not isinstance(expr, str):
        raise NnvizError(f"a feature must be text like 'x1^2', not {expr!r}")
    s = expr.strip()
    for candidate in (expr, s):
        if candidate in index:
            k = index[candidate]
            return Feature("input", k, k, candidate)
    if s.startswith("sin(") and s.endswith(")"):
        name = s[4:-1].strip()
        if name in index:
            k = index[name]
            return Feature("sin", k, k, f"sin({name})")
    if s.endswith("^2"):
        name = s[:-2].strip()
        if name in index:
            k = index[name]
            return Feature("square", k, k, f"{name}^2")
    matches = []
    start = s.find("*")
    while start != -1:
        a, b = s[:start].strip(), s[start + 1:].strip()
        if a in index and b in index:
            matches.append((a, b))
        start = s.find("*", start + 1)
    if len(matches) > 1:
        raise NnvizError(f"feature {expr!r} is ambiguous: it can be read as "
                         + " or ".join(f"'{a}' * '{b}'" for a, b in matches))
    if matches:
        a, b = matches[0]
        if a == b:
            return Feature("square", index[a], index[a], f"{a}^2")
        return Feature("product", index[a], index[b], f"{a}*{b}")
    raise NnvizError(f"unknown feature {expr!r}: inputs are {', '.join(inputs)}")


def parse_features(features, inputs) -> list[Feature]:
    """Parse a list of expressions; at least one, no two with the same value (``x1*x2`` and
    ``x2*x1`` or ``x1*x1`` and ``x1^2`` are duplicates)."""
    if isinstance(features, str) or not hasattr(features, "__iter__"):
        raise NnvizError(f"features must be a list of expressions, not {features!r}")
    inputs = list(inputs)
    index = {name: k for k, name in enumerate(inputs)}
    parsed, seen = [], {}
    for expr in features:
        f = _parse(expr, index, inputs)
        key = (f.kind, f.i) if f.kind in ("input", "sin") else ("mul", min(f.i, f.j), max(f.i, f.j))
        if key in seen:
            raise NnvizError(f"feature {expr!r} duplicates {seen[key]!r}")
        seen[key] = expr
        parsed.append(f)
    if not parsed:
        raise NnvizError("at least one feature is needed")
    return parsed


def check_features(features, inputs) -> list[str]:
    """Validate feature expressions against the input names; return their canonical texts."""
    return [f.text for f in parse_features(features, inputs)]


def expand(X: np.ndarray, inputs, features, dtype=np.float64) -> np.ndarray:
    """Raw inputs X (n, len(inputs)) → features F (n, len(features)), C-contiguous ``dtype``.

    Column c of F is feature ``features[c]`` evaluated on every row; each column is computed
    with one vectorised operation straight into a preallocated array.
    """
    inputs = list(inputs)
    feats = parse_features(features, inputs)
    X = np.asarray(X)
    if X.ndim != 2 or X.shape[1] != len(inputs):
        raise ValueError(f"X must have shape (n, {len(inputs)}), got {X.shape}")
    F = np.empty((X.shape[0], len(feats)), dtype=dtype)
    for c, f in enumerate(feats):
        out = F[:, c]
        if f.kind == "input":
            out[...] = X[:, f.i]
        elif f.kind == "sin":
            np.sin(X[:, f.i], out=out, casting="same_kind")
        else:
            # A square or product of huge inputs (1e200²) overflows: one sentence naming the
            # feature instead of a NumPy warning and a column of inf.
            with np.errstate(over="ignore"):
                np.multiply(X[:, f.i], X[:, f.j], out=out, casting="same_kind")
            if not np.isfinite(out).all():
                _too_large(f, X, out)
    return F


def _too_large(f: Feature, X: np.ndarray, out: np.ndarray) -> None:
    """Raise for the first row where a product of finite inputs is not finite."""
    bad = ~np.isfinite(out) & np.isfinite(X[:, f.i]) & np.isfinite(X[:, f.j])
    if bad.any():
        r = int(np.argmax(bad))
        raise NnvizError(f"feature {f.text!r} is too large for a number in row {r + 1} "
                         f"({X[r, f.i]:g} × {X[r, f.j]:g}); rescale the input or choose other features")


# Columns whose largest |value| lies in [2^-400, 2^400] (about 4e-121 to 3e120) get NumPy's
# mean and std as they are: no square overflows or loses precision to underflow there, and
# ordinary data keeps the very same bits it always had. Other columns are first scaled by a
# power of two (exact), so their mean and std are those of a column with values below 1.
_PLAIN_EXPONENT = 400
# A column is constant when its std is at most this fraction of its largest |value|.
_CONSTANT = 1e-12


@dataclass
class Scaler:
    """Standardisation F → (F − mean) / std, column by column.

    mean, std: (n_features,) float64 with std > 0, fitted on the training rows, in the units
    of the features (what weights files store and exports compute with). A constant column
    keeps std 1, so its training values standardize to 0.
    names: the features' names for messages (not stored), or None.
    notices: what :meth:`fit` has to tell a user (a constant column kept), one sentence each.
    """

    mean: np.ndarray
    std: np.ndarray
    names: list | None = field(default=None, repr=False, compare=False)
    notices: list = field(default_factory=list, repr=False, compare=False)

    def __post_init__(self):
        self.mean = np.array(self.mean, dtype=np.float64).reshape(-1)
        self.std = np.array(self.std, dtype=np.float64).reshape(-1)
        if self.mean.shape != self.std.shape:
            raise NnvizError(f"scaler has {self.mean.size} means but {self.std.size} standard deviations")

    @property
    def n_features(self) -> int:
        return self.mean.size

    def columns(self, cols) -> "Scaler":
        """The scaler of features ``cols`` alone (their means, standard deviations and names)."""
        cols = list(cols)
        names = None if self.names is None else [self._name(c) for c in cols]
        return Scaler(self.mean[cols], self.std[cols], names=names)

    def _name(self, c: int) -> str:
        names = self.names
        return names[c] if names is not None and c < len(names) else f"column {c + 1}"

    @classmethod
    def fit(cls, F: np.ndarray, names=None) -> "Scaler":
        """Mean and (population) standard deviation of each column of F (n, k), safe for
        columns of any finite magnitude (1e-300 or 1e300 alike).

        A constant column (all values equal, or std ≤ 1e-12 · its largest |value|) is kept
        with std 1, so it standardizes to 0 (its weights then learn nothing from it), and a
        sentence about it goes into ``notices``.

        Raises NnvizError, naming the column by ``names[c]`` when given, for a value that is
        not a finite number, and for values too large or too close to zero for
        (F − mean) / std to be computed in float64.
        """
        F = np.asarray(F, dtype=np.float64)
        if F.ndim != 2 or F.shape[0] == 0:
            raise NnvizError(f"cannot standardize features of shape {F.shape}: need at least one row")
        scaler = cls(np.zeros(F.shape[1]), np.ones(F.shape[1]), names=names)
        hi, lo = F.max(axis=0), F.min(axis=0)
        if not (np.isfinite(hi).all() and np.isfinite(lo).all()):
            c = int(np.flatnonzero(~(np.isfinite(hi) & np.isfinite(lo)))[0])
            raise NnvizError(f"feature {scaler._name(c)!r} has a value that is not a finite number "
                             "and cannot be standardized")
        amax = np.maximum(hi, -lo)
        with np.errstate(all="ignore"):       # columns outside the plain range are redone below
            mean = F.mean(axis=0)
            std = F.std(axis=0)
        exponent = np.frexp(amax)[1]           # amax < 2**exponent
        for c in np.flatnonzero((amax > 0) & (np.abs(exponent) > _PLAIN_EXPONENT)):
            e = int(exponent[c])
            G = np.ldexp(F[:, c], -e)          # |G| < 1, exact (bits below 2^-1074 · amax aside)
            mean[c] = np.ldexp(G.mean(), e)
            std[c] = np.ldexp(G.std(), e)
        constant = (hi == lo) | (std <= _CONSTANT * amax)
        for c in np.flatnonzero(constant):
            what = (f"every row is {hi[c]:g}" if hi[c] == lo[c]
                    else f"every row is within {hi[c] - lo[c]:g} of {mean[c]:g}")
            scaler.notices.append(f"feature {scaler._name(c)!r} is constant ({what}); "
                                  "it is kept and standardizes to 0")
        std[constant] = 1.0
        exact = hi == lo
        mean[exact] = hi[exact]        # the value itself: its rows standardize to exactly 0
        small = std < np.finfo(np.float64).tiny
        if small.any():
            c = int(np.flatnonzero(small)[0])
            raise NnvizError(f"feature {scaler._name(c)!r} has values too close to zero to standardize "
                             f"(at most {amax[c]:g} in size); multiply the column by a large factor "
                             "or turn standardization off")
        # |x − mean| ≤ 2·amax overflows only for values beyond 2^1022 (about 4.5e307)
        for c in np.flatnonzero(amax >= 2.0 ** 1022):
            with np.errstate(over="ignore"):
                finite = np.isfinite(F[:, c] - mean[c]).all()
            if not finite:
                raise NnvizError(f"feature {scaler._name(c)!r} has values too large to standardize "
                                 f"(up to {amax[c]:g} in size, of both signs); divide the column by a "
                                 "large factor or turn standardization off")
        scaler.mean, scaler.std = mean, std
        return scaler

    def _check(self, F):
        F = np.asarray(F)
        if F.ndim != 2 or F.shape[1] != self.n_features:
            raise ValueError(f"expected features of shape (n, {self.n_features}), got {F.shape}")
        dtype = F.dtype if F.dtype in (np.float32, np.float64) else np.float64
        return F, dtype

    def transform(self, F: np.ndarray) -> np.ndarray:
        """(n, k) → new (n, k) array (F − mean) / std; float32 input stays float32, else float64.

        Raises NnvizError when a finite value is so far from the training values that its
        standardized value is not a finite number (a NaN stays NaN).
        """
        F, dtype = self._check(F)
        mean, std = self.mean.astype(dtype), self.std.astype(dtype)
        if dtype == np.float32 and not (np.isfinite(mean).all() and (std >= np.finfo(dtype).tiny).all()
                                        and np.isfinite(std).all()):
            # mean or std beyond float32 (a 1e-160 column): compute in float64, then round
            mean, std = self.mean, self.std
        with np.errstate(over="ignore", invalid="ignore"):
            Z = (F - mean) / std
            if Z.dtype != dtype:
                Z = Z.astype(dtype)
        if not np.isfinite(Z).all():
            bad = ~np.isfinite(Z) & np.isfinite(F)
            if bad.any():
                r, c = (int(v) for v in np.argwhere(bad)[0])
                raise NnvizError(f"feature {self._name(c)!r} in row {r + 1} ({float(F[r, c]):g}) is too far "
                                 f"from the training values (mean {self.mean[c]:g}, std {self.std[c]:g}) "
                                 "to standardize")
        return Z

    def inverse_transform(self, S: np.ndarray) -> np.ndarray:
        """(n, k) standardized → new (n, k) array S · std + mean."""
        S, dtype = self._check(S)
        return S * self.std.astype(dtype) + self.mean.astype(dtype)

    def to_dict(self) -> dict:
        """``{"mean": [...], "std": [...]}`` with plain floats (JSON-ready)."""
        return {"mean": [float(v) for v in self.mean], "std": [float(v) for v in self.std]}

    @classmethod
    def from_dict(cls, d, n_features: int) -> "Scaler":
        """Inverse of :meth:`to_dict`, checking there are ``n_features`` finite numbers each
        and every std is > 0."""
        if not isinstance(d, dict):
            raise NnvizError("feature scaling must be an object with 'mean' and 'std'")
        arrays = []
        for key in ("mean", "std"):
            values = d.get(key)
            if isinstance(values, (str, bytes)) or not hasattr(values, "__len__"):
                raise NnvizError(f"feature scaling '{key}' must be a list of {n_features} numbers")
            if len(values) != n_features:
                raise NnvizError(f"feature scaling '{key}' has {len(values)} numbers, "
                                 f"expected {n_features} (one per feature)")
            try:
                arr = np.array([float(v) if not isinstance(v, (bool, str)) else np.nan for v in values],
                               dtype=np.float64)
            except (TypeError, ValueError):
                arr = np.array([np.nan])
            if not np.isfinite(arr).all():
                raise NnvizError(f"feature scaling '{key}' must hold finite numbers only")
            arrays.append(arr)
        mean, std = arrays
        if (std <= 0).any():
            c = int(np.flatnonzero(std <= 0)[0])
            raise NnvizError(f"feature scaling 'std' must be > 0 (number {c + 1} is {std[c]:g})")
        return cls(mean, std)
