"""Activation functions: one table row per activation, holding all nnviz knows about it.

A table in the style of scikit-learn's ``neural_network/_base.py``. A row holds the function,
its derivative and (for piecewise-linear ones) its slope vector; the formula texts the
explanations print; and how each exporter writes it (ONNX operator, ``torch.nn`` module,
NumPy source). Exporters and explanations read the row, so a constant such as
:data:`LEAKY_SLOPE` is written once, here. Every function works element-wise on an array of
any shape and keeps its dtype (float64 for training, float32 for pixels).

A piecewise-linear activation is a Hadamard product, σ(z) = a ⊙ z, where ``a`` holds the
slope of the piece each element ``z_i`` falls on; the row's ``slope(z)`` returns that ``a``.
"""
from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Callable

import numpy as np

from nnviz.errors import NnvizError

LEAKY_SLOPE = 0.01


# Every function takes an optional ``out`` buffer of z's shape and dtype (the training loop's
# preallocated arrays); without it a new array is returned. Both give the same bits.

def _identity(z, out=None):
    if out is None:
        return z.copy()
    np.copyto(out, z)
    return out


def _relu(z, out=None):
    zero = _ZEROS.get(z.dtype)
    return np.maximum(z, 0 if zero is None else zero, out=out)


def _leaky_relu(z, out=None):
    a = np.where(z > 0, z, z * z.dtype.type(LEAKY_SLOPE))
    if out is None:
        return a
    np.copyto(out, a)
    return out


# Constants as 0-d arrays of each float type: NumPy converts a Python or NumPy scalar operand
# on every call, and on arrays of a few hundred values that conversion is a visible share.
_ONES = {np.dtype(t): np.array(1.0, dtype=t) for t in (np.float32, np.float64)}
_UNITS = {d: (one, -one) for d, one in _ONES.items()}   # (1, −1) per float type
_ZEROS = {d: np.zeros((), d) for d in _ONES}
_F32 = np.dtype(np.float32)


def _sigmoid(z, out=None):
    """σ(z) = 1/(1 + e⁻ᶻ) for z ≥ 0 and eᶻ/(1 + eᶻ) for z < 0, both as num/(1 + t) with
    t = e^(−|z|) ∈ [0, 1] and num = max(t, sign z) (1 where z > 0, t where z < 0, and at
    z = ±0 both are 1): one ``exp`` of a value ≤ 0, so nothing overflows and the tail keeps
    its relative precision (σ(−700) = e⁻⁷⁰⁰/(1 + e⁻⁷⁰⁰) to about 1 ulp; the form
    0.5·(1 + tanh(z/2)) cancels there and gives 0 from z ≈ −38).

    Error: ``exp`` is within 1 ulp and the add and the divide round once each, so the
    relative error is ≤ 2 eps ≈ 4.4e-16 to first order (tested against an exact reference
    on [−700, 700]); below z ≈ −708 the result is subnormal and stays within one step
    2⁻¹⁰⁷⁴ of the exact value. ±inf → 1/0, NaN → NaN, ±1000 → 1/0; no floating-point
    warning (e^(−1000) underflows to 0, which NumPy does not report by default).

    Six passes, none a type conversion (``sign`` rather than a boolean mask), so small
    arrays stay cheap: on a (10, 1) output column it costs about twice the tanh form (two
    microseconds more per call). ``out`` may be z: z is read only by the first two passes.
    """
    if not isinstance(z, np.ndarray):   # a scalar: work on a 0-d array
        z = np.asarray(z)
    units = _UNITS.get(z.dtype)
    one, minus_one = units if units is not None else (z.dtype.type(1), z.dtype.type(-1))
    t = np.copysign(z, minus_one, out=np.empty_like(z))     # −|z|, exactly
    out = np.sign(z, out=np.empty_like(z) if out is None else out)
    np.exp(t, out=t)
    np.maximum(t, out, out=out)
    np.add(t, one, out=t)
    return np.divide(out, t, out=out)


# float32: a [13/6] rational function of z clamped to ±7.905, odd numerator over even
# denominator, both Horner in z² (the approximation Eigen uses for float; at the clamp it
# gives exactly 1).
# (0-d float32 arrays: cheaper per call than scalars, and they keep the arithmetic in float32.)
def _f32(c):
    return np.array(c, dtype=np.float32)


_TANH32_CLAMP = _f32(7.90531110763549805)
_TANH32_MINUS_CLAMP = -_TANH32_CLAMP
_TANH32_NUM = tuple(_f32(c) for c in (
    -2.76076847742355e-16, 2.00018790482477e-13, -8.60467152213735e-11, 5.12229709037114e-08,
    1.48572235717979e-05, 6.37261928875436e-04, 4.89352455891786e-03))
_TANH32_DEN = tuple(_f32(c) for c in (
    1.19825839466702e-06, 1.18534705686654e-04, 2.26843463243900e-03, 4.89352518554385e-03))


def _tanh_float32(z, out=None):
    """tanh(z) in float32 as z·P(z²)/Q(z²) on z clamped to ±7.905 (where tanh rounds to ±1).

    NumPy's float32 ``tanh`` is scalar on CPUs without AVX-512 (about 7 ns an element); these
    23 multiply/add passes cost about 4.5 ns on large arrays (the decision-boundary grid).
    The clamp is symmetric, P odd and Q even, so the function is exactly odd; ±inf → ±1,
    NaN → NaN, no floating-point warning. Accuracy against float64 ``np.tanh`` of the same
    input, checked on every float32 in [0, 9] (odd symmetry covers the negatives; beyond 9
    the result is 1, within 3e-8): absolute error ≤ 4.2e-7 (NumPy's own float32 tanh: 6e-8),
    relative error ≤ 4.2e-7 for |z| ≥ 1e-35; below that z·P(0) is subnormal and the absolute
    error is < 1.5e-42.
    """
    x = np.clip(z, _TANH32_MINUS_CLAMP, _TANH32_CLAMP,
                out=np.empty_like(z) if out is None else out)
    x2, num = _scratch(x, 2)
    mul, add = np.multiply, np.add
    mul(x, x, x2)
    mul(x2, _TANH32_NUM[0], num)
    for c in _TANH32_NUM[1:-1]:
        add(num, c, num)
        mul(num, x2, num)
    add(num, _TANH32_NUM[-1], num)
    mul(num, x, num)
    den = mul(x2, _TANH32_DEN[0], x)
    for c in _TANH32_DEN[1:-1]:
        add(den, c, den)
        mul(den, x2, den)
    add(den, _TANH32_DEN[-1], den)
    return np.divide(num, den, den)


_SCRATCH = threading.local()
_SCRATCH_MAX = 1 << 18


def _scratch(x, count: int):
    """``count`` arrays of x's shape and dtype for intermediate values: views of buffers this
    thread keeps between calls (for up to 2¹⁸ values), so repeated calls (the grid, every
    frame) neither allocate nor fault in fresh pages."""
    n = x.size
    if n > _SCRATCH_MAX:
        return [np.empty_like(x) for _ in range(count)]
    key = (x.dtype, count)
    pool = getattr(_SCRATCH, "pool", None)
    if pool is None:
        pool = _SCRATCH.pool = {}
    bufs = pool.get(key)
    if bufs is None or bufs[0].size < n:
        bufs = pool[key] = [np.empty(max(n, 1 << 12), x.dtype) for _ in range(count)]
    return [b[:n].reshape(x.shape) for b in bufs]


def _tanh(z, out=None):
    """tanh(z): NumPy's in float64 (within about 1 ulp everywhere, tanh(z) = z for tiny z,
    and vectorised on current CPUs); in float32 the rational form above (the grid's pixels)."""
    if not isinstance(z, np.ndarray):   # a scalar: work on a 0-d array
        z = np.asarray(z)
    if z.dtype is _F32:
        return _tanh_float32(z, out)
    return np.tanh(z, out=out)


def _ones(z, a, out=None):
    if out is None:
        return np.ones_like(z)
    out.fill(1)
    return out


def _relu_slope(z, a=None, out=None):
    if out is None:
        return (z > 0).astype(z.dtype)
    zero = _ZEROS.get(z.dtype)
    return np.greater(z, 0 if zero is None else zero, out=out)


def _leaky_slope(z, a=None, out=None):
    s = np.where(z > 0, z.dtype.type(1), z.dtype.type(LEAKY_SLOPE))
    if out is None:
        return s
    np.copyto(out, s)
    return out


def _tanh_derivative(z, a, out=None):
    out = np.multiply(a, a, out)
    return np.subtract(_ONES.get(out.dtype, 1), out, out)


def _sigmoid_derivative(z, a, out=None):
    out = np.subtract(1, a, out=out)
    out *= a
    return out


# Source text of the helper the ``.py`` export writes into its script: it computes what
# ``_sigmoid`` above computes, operation for operation, so a script predicts nnviz's bits.
_SIGMOID_NUMPY_HELPER = """\
def _sigmoid(z):
    # 1/(1 + e^-z) for z >= 0 and e^z/(1 + e^z) for z < 0, with t = e^-|z| <= 1: no overflow
    t = np.exp(-np.abs(z))
    return np.maximum(t, np.sign(z)) / (t + 1.0)
"""


def _softmax(z, out=None):
    """Softmax over the last axis (each row of a batch): e^(z − c) / Σ e^(z − c), c = max z.

    Shifting by the row's largest value changes nothing mathematically and keeps every ``exp``
    at or below e⁰ = 1, so logits of ±1000 neither overflow nor give 0/0; the row sums are one
    product with a vector of ones (one BLAS call, cheaper than a NumPy reduction on a batch).
    ``out`` may be z."""
    if not isinstance(z, np.ndarray):
        z = np.asarray(z)
    c = z.max(axis=-1)
    out = np.subtract(z, c[..., None] if z.ndim > 1 else c, out=out)
    np.exp(out, out=out)
    s = out.dot(_row_ones(out.shape[-1], out.dtype))
    return np.divide(out, s[..., None] if out.ndim > 1 else s, out=out)


_ROW_ONES: dict = {}


def _row_ones(k: int, dtype) -> np.ndarray:
    """A read-only vector of k ones of ``dtype``, made once per (k, dtype)."""
    v = _ROW_ONES.get((k, dtype))
    if v is None:
        if len(_ROW_ONES) >= 16:
            _ROW_ONES.clear()
        v = _ROW_ONES[(k, dtype)] = np.ones(k, dtype)
        v.flags.writeable = False
    return v


def _softmax_diagonal(z, a, out=None):
    """The diagonal of each row's Jacobian, ŷ_k(1 − ŷ_k): what an element-wise view shows.
    The whole Jacobian is :func:`softmax_jacobian`; :class:`~nnviz.core.layers.Activation`
    multiplies by all of it, not by this diagonal."""
    out = np.subtract(_ONES.get(a.dtype, 1), a, out=out)
    out *= a
    return out


def softmax_jacobian(a_row) -> np.ndarray:
    """∂ŷ/∂z for one row ŷ = softmax(z) of K values: the (K, K) matrix diag(ŷ) − ŷ·ŷᵀ, entry
    (i, j) = ŷ_i([i = j] − ŷ_j). Each row of it sums to 0 (the outputs always sum to 1)."""
    a = np.asarray(a_row, dtype=float).reshape(-1)
    return np.diag(a) - np.outer(a, a)


def softmax_vjp(grad_a, a, out=None):
    """∂e/∂Z = (∂e/∂ŷ)·J row by row, J = diag(ŷ) − ŷŷᵀ: ŷ ⊙ (g − Σ_k g_k ŷ_k), (m, K)."""
    s = np.sum(np.multiply(grad_a, a), axis=-1, keepdims=True)
    out = np.subtract(grad_a, s, out=out)
    return np.multiply(out, a, out=out)


_SOFTMAX_NUMPY_HELPER = """\
def _softmax(z):
    # each row: e^(z - max z) / sum e^(z - max z); the shift keeps every exp <= 1
    e = np.exp(z - (z.max(axis=-1)[..., None] if z.ndim > 1 else z.max(axis=-1)))
    s = e.dot(np.ones(e.shape[-1], e.dtype))
    return e / (s[..., None] if e.ndim > 1 else s)
"""


def _leaky_numeric(z: float) -> str:
    """The numeric middle of ``a = … = value`` for one leaky-relu unit: the piece z is on."""
    return "{zv}" if z > 0 else f"{LEAKY_SLOPE}·{{zvp}}"


@dataclass(frozen=True)
class ActivationFunction:
    """One row of the table: everything nnviz knows about one activation.

    Engine: ``value(z, out=None)`` is σ(z); ``derivative(z, a, out=None)`` is σ′(z) given z
    and a = σ(z) (whichever is cheaper); both write into ``out`` when given and return it;
    ``slope(z)`` is the slope vector of the Hadamard form σ(z) = a ⊙ z for piecewise-linear
    functions, or None.

    Text: ``formula`` and ``derivative_formula`` are how the step-through panel writes them.
    ``element_formula`` is one unit of one sample with ``{a}`` and ``{z}`` for the names, and
    ``element_numeric`` the same with the number in (``{zv}``, or ``{zvp}`` parenthesised when
    negative); a callable of z gives the template for that z (the piece z is on).
    ``slope_rule`` says in words what the slope vector holds.

    Export: ``onnx_op`` and ``onnx_attrs`` are the ONNX operator and its attributes (as
    (name, value) pairs); ``torch_module`` is the ``torch.nn`` constructor as text;
    ``numpy_expr`` is a NumPy expression in ``z`` for the ``.py`` export, calling the function
    defined in ``numpy_helper`` when it needs one.

    The fields after ``derivative_formula`` have defaults so a test can build a row from the
    first six alone; every row of :data:`ACTIVATIONS` fills them all.

    ``rowwise`` marks softmax, the one function that is not element-wise: each output depends
    on the whole row, its ``derivative`` is only the Jacobian's diagonal, and it serves only as
    the output of a K-class network (:data:`NAMES` lists the element-wise ones, the choices for
    a hidden layer).
    """

    name: str
    value: Callable[[np.ndarray], np.ndarray]
    derivative: Callable[[np.ndarray, np.ndarray], np.ndarray]
    slope: Callable[[np.ndarray], np.ndarray] | None
    formula: str
    derivative_formula: str
    element_formula: str | None = None
    element_numeric: str | Callable[[float], str] | None = None
    slope_rule: str | None = None
    onnx_op: str | None = None
    onnx_attrs: tuple[tuple[str, float], ...] = ()
    torch_module: str | None = None
    numpy_expr: str | None = None
    numpy_helper: str = ""
    rowwise: bool = False

    @property
    def piecewise_linear(self) -> bool:
        return self.slope is not None


_ROWS = (
    ActivationFunction(
        "identity", _identity, _ones, lambda z: np.ones_like(z),
        "σ(z) = z", "σ′(z) = 1",
        element_formula="{a} = {z}", element_numeric="{zv}", slope_rule="1 everywhere",
        onnx_op="Identity", torch_module="Identity()", numpy_expr="z"),
    ActivationFunction(
        "relu", _relu, _relu_slope, _relu_slope,
        "σ(z) = max(0, z)", "σ′(z) = [z > 0]",
        element_formula="{a} = max(0, {z})", element_numeric="max(0, {zv})",
        slope_rule="1 where z > 0, 0 where z ≤ 0",
        onnx_op="Relu", torch_module="ReLU()", numpy_expr="np.maximum(z, 0)"),
    ActivationFunction(
        "leaky_relu", _leaky_relu, _leaky_slope, _leaky_slope,
        f"σ(z) = z if z > 0 else {LEAKY_SLOPE}·z", f"σ′(z) = 1 if z > 0 else {LEAKY_SLOPE}",
        element_formula=f"{{a}} = {{z}} if {{z}} > 0 else {LEAKY_SLOPE}·{{z}}",
        element_numeric=_leaky_numeric,
        slope_rule=f"1 where z > 0, {LEAKY_SLOPE} where z ≤ 0",
        onnx_op="LeakyRelu", onnx_attrs=(("alpha", LEAKY_SLOPE),),
        torch_module=f"LeakyReLU({LEAKY_SLOPE!r})",
        numpy_expr=f"np.where(z > 0, z, z * {LEAKY_SLOPE!r})"),
    ActivationFunction(
        "tanh", _tanh, _tanh_derivative, None,
        "σ(z) = tanh(z)", "σ′(z) = 1 − tanh²(z)",
        element_formula="{a} = tanh({z})", element_numeric="tanh({zv})",
        onnx_op="Tanh", torch_module="Tanh()",
        numpy_expr="np.tanh(z)"),
    ActivationFunction(
        "sigmoid", _sigmoid, _sigmoid_derivative, None,
        "σ(z) = 1 / (1 + e⁻ᶻ)", "σ′(z) = σ(z)·(1 − σ(z))",
        element_formula="{a} = 1/(1 + e^(−{z}))", element_numeric="1/(1 + e^(−{zvp}))",
        onnx_op="Sigmoid", torch_module="Sigmoid()",
        numpy_expr="_sigmoid(z)", numpy_helper=_SIGMOID_NUMPY_HELPER),
)

SOFTMAX = ActivationFunction(
    "softmax", _softmax, _softmax_diagonal, None,
    "ŷ = softmax(z) = e^z / Σ_k e^(z_k)", "∂ŷ/∂z = diag(ŷ) − ŷ·ŷᵀ",
    element_formula="{a} = e^{z} / Σ_k e^(z_k)", element_numeric="e^{zvp} / Σ_k e^(z_k)",
    onnx_op="Softmax", onnx_attrs=(("axis", 1),), torch_module="Softmax(dim=1)",
    numpy_expr="_softmax(z)", numpy_helper=_SOFTMAX_NUMPY_HELPER, rowwise=True)

# The element-wise functions: any layer's choices.
NAMES = tuple(row.name for row in _ROWS)
ACTIVATIONS: dict[str, ActivationFunction] = {row.name: row for row in (*_ROWS, SOFTMAX)}
OUTPUT_NAMES = ("sigmoid", "identity", "softmax")


def get(name: str) -> ActivationFunction:
    """The table row for ``name`` (softmax included); an unknown name raises :class:`NnvizError`."""
    try:
        return ACTIVATIONS[name]
    except (KeyError, TypeError):
        raise NnvizError(f"unknown activation {name!r} (choose from: {', '.join(NAMES)})") from None
