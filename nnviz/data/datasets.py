"""Two-dimensional toy datasets in the spirit of TensorFlow Playground's ``dataset.ts``.

Every generator returns inputs ``x1, x2`` roughly in [-6, 6]:

classification (labels 0.0 / 1.0, balanced: the counts differ by at most one)
    circle  class 1: a disc of radius 2.5; class 0: a ring 3.5 ≤ r ≤ 5
    xor     class 1 where x1·x2 > 0 (quadrants I and III); |x1|, |x2| ≥ 0.5 keeps a margin
    gauss   class 1 around (2, 2), class 0 around (-2, -2); std 0.7, truncated at 2.5 std
    spiral  two interleaved Archimedean spirals, r = 0.25 + 5u, angle 3.5πu (+π for class 0)
    moons   scikit-learn's two half-moons, centred and scaled by 3

K classes (labels 0.0 … K−1, balanced: the counts differ by at most one; class names "0" … "K−1")
    spiral3         three interleaved spiral arms, r = 0.25 + 5u, angle 3πu + 2πk/3
    blobs3…blobs5   K Gaussian blobs (std 0.7, truncated at 2.5 std) centred on a circle of
                    radius 3.5, the first at the top

regression (targets roughly in [-1, 1]; x1, x2 uniform in [-6, 6])
    plane       y = 0.1·x1 + 0.05·x2 + 0.1           (a linear model recovers it exactly)
    multigauss  y = Σ ±exp(−|x − c|² / (2·1.5²)) over six centres (Playground's layout)
    sine        y = (sin x1 + sin x2) / 2            (linear in the features sin(x1), sin(x2))

``noise`` ∈ [0, 1]: classification adds N(0, (noise·s)²) to each input coordinate, with s chosen
per dataset so that 1.0 makes the classes overlap heavily (like Playground's 50 %); the labels
stay those of the clean points. Regression adds N(0, (0.5·noise)²) to y. The noise draws are
made whatever the noise level, so the same seed with another noise level moves the same points.
With noise 0 the classes are separable: points of different classes are at least 0.5 apart.

One ``numpy.random.default_rng(seed)`` drives everything: the same arguments give bit-identical
data.
"""
from __future__ import annotations

import numpy as np

from nnviz.data.dataset import Dataset
from nnviz.errors import NnvizError
from nnviz.settings import check_number

CLASSIFICATION = ("circle", "xor", "gauss", "spiral", "moons")
REGRESSION = ("plane", "multigauss", "sine")
NAMES = CLASSIFICATION + REGRESSION
MULTICLASS = ("spiral3", "blobs3", "blobs4", "blobs5")   # K classes
ALL_NAMES = NAMES + MULTICLASS   # every name ``generate`` takes (the dataset setting's choices)

# Standard deviation of the input noise at noise = 1.0, per classification dataset.
_INPUT_NOISE = {"circle": 1.5, "xor": 1.5, "gauss": 2.0, "spiral": 0.5, "moons": 1.0,
                "spiral3": 0.5, "blobs3": 2.0, "blobs4": 2.0, "blobs5": 2.0}
_TARGET_NOISE = 0.5


def generate(name: str, n_samples: int = 500, noise: float = 0.0, seed: int = 0) -> Dataset:
    """A toy dataset: X (n_samples, 2) float64 with inputs ["x1", "x2"], y (n_samples,) float64.

    Raises NnvizError for an unknown name or an argument out of range (see ``settings.LIMITS``).
    """
    if not isinstance(name, str) or name not in ALL_NAMES:
        raise NnvizError(f"unknown dataset {name!r} (choose from: {', '.join(ALL_NAMES)})")
    n = check_number("samples", n_samples, integer=True)
    noise = check_number("noise", noise)
    seed = check_number("seed", seed, integer=True)
    rng = np.random.default_rng(seed)
    class_names = None
    if name in MULTICLASS:
        K = 3 if name == "spiral3" else int(name[-1])
        counts = [n // K + (k < n % K) for k in range(K)]
        X = _MULTI[name[:-1]](counts, rng)
        y = np.repeat(np.arange(K, dtype=np.float64), counts)
        X += (noise * _INPUT_NOISE[name]) * rng.standard_normal((n, 2))
        order = rng.permutation(n)
        X, y = X[order], y[order]
        task = "classification"
        class_names = tuple(str(k) for k in range(K))
    elif name in CLASSIFICATION:
        n0 = n // 2
        n1 = n - n0
        X1, X0 = _CLASSES[name](n1, n0, rng)
        X = np.concatenate([X1, X0])
        y = np.concatenate([np.ones(n1), np.zeros(n0)])
        X += (noise * _INPUT_NOISE[name]) * rng.standard_normal((n, 2))
        order = rng.permutation(n)
        X, y = X[order], y[order]
        task = "classification"
    else:
        X = rng.uniform(-6.0, 6.0, (n, 2))
        y = _TARGETS[name](X[:, 0], X[:, 1])
        y += (noise * _TARGET_NOISE) * rng.standard_normal(n)
        task = "regression"
    return Dataset(X, y, ["x1", "x2"], task, name=name, target="y", class_names=class_names,
                   source={"generator": name, "samples": n, "noise": noise, "seed": seed})


def _polar(r, t):
    """(len(r), 2) points at radius r and angle t."""
    return np.column_stack([r * np.cos(t), r * np.sin(t)])


def _circle(n1, n0, rng):
    r = np.concatenate([rng.uniform(0.0, 2.5, n1), rng.uniform(3.5, 5.0, n0)])
    t = rng.uniform(0.0, 2 * np.pi, n1 + n0)
    X = _polar(r, t)
    return X[:n1], X[n1:]


def _xor(n1, n0, rng):
    n = n1 + n0
    mag = rng.uniform(0.5, 5.5, (n, 2))
    sign = rng.integers(0, 2, n) * 2.0 - 1.0
    same = np.concatenate([np.ones(n1), -np.ones(n0)])   # class 1: x2 has x1's sign
    X = np.column_stack([sign * mag[:, 0], sign * same * mag[:, 1]])
    return X[:n1], X[n1:]


def _gauss(n1, n0, rng):
    z = rng.standard_normal((n1 + n0, 2))
    bad = np.abs(z) > 2.5
    while bad.any():                      # truncate at 2.5 std: the blobs never touch
        z[bad] = rng.standard_normal(int(bad.sum()))
        bad = np.abs(z) > 2.5
    X = 0.7 * z
    X[:n1] += 2.0
    X[n1:] -= 2.0
    return X[:n1], X[n1:]


def _spiral(n1, n0, rng):
    u = rng.uniform(0.0, 1.0, n1 + n0)
    r = 0.25 + 5.0 * u
    t = 3.5 * np.pi * u
    t[n1:] += np.pi
    X = _polar(r, t)
    return X[:n1], X[n1:]


def _moons(n1, n0, rng):
    t = rng.uniform(0.0, np.pi, n1 + n0)
    upper = np.column_stack([np.cos(t[n1:]), np.sin(t[n1:])])            # class 0
    lower = np.column_stack([1.0 - np.cos(t[:n1]), 0.5 - np.sin(t[:n1])])  # class 1
    centre = np.array([0.5, 0.25])
    return 3.0 * (lower - centre), 3.0 * (upper - centre)


def _truncated_normal(shape, rng):
    """Standard normal draws redrawn until each is within 2.5 std."""
    z = rng.standard_normal(shape)
    bad = np.abs(z) > 2.5
    while bad.any():
        z[bad] = rng.standard_normal(int(bad.sum()))
        bad = np.abs(z) > 2.5
    return z


def _spiral_arms(counts, rng):
    """len(counts) spiral arms, arm k rotated by 2πk/K; rows grouped by arm."""
    K, n = len(counts), sum(counts)
    u = rng.uniform(0.0, 1.0, n)
    r = 0.25 + 5.0 * u
    t = 3.0 * np.pi * u + np.repeat(2 * np.pi * np.arange(K) / K, counts)
    return _polar(r, t)


def _blobs(counts, rng):
    """len(counts) blobs of std 0.7 (truncated at 2.5 std) centred 3.5 from the origin."""
    K, n = len(counts), sum(counts)
    angle = np.pi / 2 + 2 * np.pi * np.arange(K) / K
    centres = np.repeat(_polar(np.full(K, 3.5), angle), counts, axis=0)
    return centres + 0.7 * _truncated_normal((n, 2), rng)


_MULTI = {"spiral": _spiral_arms, "blobs": _blobs}

_CLASSES = {"circle": _circle, "xor": _xor, "gauss": _gauss, "spiral": _spiral, "moons": _moons}

# Playground's multigauss layout: (cx, cy, sign).
_CENTRES = ((-4.0, 2.5, 1.0), (0.0, 2.5, -1.0), (4.0, 2.5, 1.0),
            (-4.0, -2.5, -1.0), (0.0, -2.5, 1.0), (4.0, -2.5, -1.0))


def _multigauss(x1, x2):
    y = np.zeros_like(x1)
    for cx, cy, s in _CENTRES:
        y += s * np.exp(-((x1 - cx) ** 2 + (x2 - cy) ** 2) / (2 * 1.5 ** 2))
    return y


_TARGETS = {
    "plane": lambda x1, x2: 0.1 * x1 + 0.05 * x2 + 0.1,
    "multigauss": _multigauss,
    "sine": lambda x1, x2: 0.5 * (np.sin(x1) + np.sin(x2)),
}
