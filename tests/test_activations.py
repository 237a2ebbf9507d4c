"""The activation table: tanh (NumPy's in float64, a rational form in float32) and the sigmoid
against exact references, exact odd symmetry, special values, ``out`` handling, no
floating-point warning under NumPy's default error state (the app predicts without
``np.errstate``), and the table's rows read by the exporters and explanations."""
import math
import warnings
from decimal import Decimal, localcontext

import numpy as np
import pytest

from nnviz.core import activations
from nnviz.core.network import Network

tanh = activations.get("tanh").value
sigmoid = activations.get("sigmoid").value
EPS = np.finfo(np.float64).eps   # 2.22e-16: the relative size of one ulp at most


def _points(dtype):
    rng = np.random.default_rng(2024)
    z = np.concatenate([np.linspace(-25, 25, 1_000_001), rng.normal(0, 3, 500_000),
                        rng.normal(0, 0.01, 100_000)])
    return z.astype(dtype)


def _default_errstate():
    """NumPy's defaults, stated: overflow, invalid and divide warn; underflow is ignored."""
    return np.errstate(over="warn", invalid="warn", divide="warn", under="ignore")


# Exact references: Decimal with 60 significant digits, from the float's exact value, then
# the relative error of each float64 result, also in Decimal (no double rounding).
def _exact_tanh(x: float) -> Decimal:
    d = Decimal(x)
    if abs(d) < Decimal("1e-5"):   # the series: the next term is below 1e-40 relative
        d2 = d * d
        return d * (1 - d2 / 3 + 2 * d2 * d2 / 15 - 17 * d2 ** 3 / 315)
    if abs(d) > 400:               # 1 − tanh|x| < e^−800: 1 to 60 digits
        return Decimal(1).copy_sign(d)
    e = (2 * d).exp()              # e^2x − 1 loses at most 5 of the 60 digits here
    return (e - 1) / (e + 1)


def _exact_sigmoid(x: float) -> Decimal:
    return 1 / (1 + (-Decimal(x)).exp())


def _relative_error(g: float, e: Decimal) -> float:
    if e == 0:                     # tanh(±0) = ±0: only 0 itself is right
        return 0.0 if g == 0 else math.inf
    return float(abs(Decimal(g) - e) / abs(e))


def _relative_errors(got, exact_of, z) -> np.ndarray:
    with localcontext() as ctx:
        ctx.prec = 60
        return np.array([_relative_error(float(g), exact_of(float(x))) for g, x in zip(got, z)])


def _tanh_points():
    rng = np.random.default_rng(11)
    tiny = np.geomspace(1e-300, 1e-8, 2000)
    moderate = np.concatenate([np.linspace(-20, 20, 4001), rng.normal(0, 3, 2000),
                               rng.uniform(-1e-3, 1e-3, 1000), np.geomspace(1e-8, 1, 1000)])
    large = np.geomspace(20, 1e300, 300)
    return np.concatenate([tiny, -tiny, moderate, large, -large])


def test_float64_tanh_is_numpys():
    z = _points(np.float64)
    got = tanh(z)
    assert got.dtype == np.float64
    np.testing.assert_array_equal(got, np.tanh(z))


def test_float64_tanh_against_exact_reference():
    """A libm tanh is within 2 ulp (glibc's documented bound; NumPy's AVX-512 one within 1),
    and one ulp is at most EPS relative, so the relative error is ≤ k·EPS with k = 2."""
    z = _tanh_points()
    rel = _relative_errors(tanh(z), _exact_tanh, z)
    assert rel.max() <= 2 * EPS
    # Python's math.tanh, another libm call, meets the same bound on the same points
    assert _relative_errors([math.tanh(x) for x in z], _exact_tanh, z).max() <= 2 * EPS


def test_float64_tanh_of_tiny_arguments_is_the_argument():
    """tanh(z) = z·(1 − z²/3 + …): for |z| ≤ 1e-9 the correction is below 4e-19 relative, far
    under half an ulp, so the correctly rounded result is z itself (the exp form gave 0 for
    1e-17 and was 5% off at 1e-13)."""
    tiny = np.concatenate([np.geomspace(1e-300, 1e-9, 5000), [1e-17, 1e-13, 5e-324, 2.2e-308]])
    np.testing.assert_array_equal(tanh(tiny), tiny)
    np.testing.assert_array_equal(tanh(-tiny), -tiny)
    assert tanh(np.array([1e-17]))[0] == 1e-17


def test_sigmoid_against_exact_reference():
    """σ = num/(1 + t), t = e^(−|z|): exp within 1 ulp (≤ EPS relative) and two roundings
    (≤ EPS/2 each) give at most 2·EPS ≈ 4.4e-16 to first order; the contract is 1e-15 on
    [−700, 700] (the old 0.5·(1 + tanh(z/2)) was off by 1.7e-4 at −30 and gave 0 below −38)."""
    rng = np.random.default_rng(12)
    z = np.concatenate([np.linspace(-700, 700, 14001), rng.uniform(-700, 700, 2000),
                        rng.normal(0, 5, 2000), np.geomspace(1e-300, 1, 300),
                        -np.geomspace(1e-300, 1, 300), [-30.0, -38.0, -40.0, -700.0, 700.0]])
    rel = _relative_errors(sigmoid(z), _exact_sigmoid, z)
    assert rel.max() <= 1e-15
    assert rel.max() <= 2 * EPS * (1 + 1e-6)
    # the reference of the brief, in plain floats, agrees to the same bound
    plain = [1 / (1 + math.exp(-x)) if x >= 0 else math.exp(x) / (1 + math.exp(x)) for x in z]
    assert _relative_errors(plain, _exact_sigmoid, z).max() <= 2 * EPS * (1 + 1e-6)


def test_sigmoid_below_minus_708_is_within_one_subnormal_step():
    """Below z ≈ −708 σ(z) ≈ e^z is subnormal: relative precision is gone, but the result is
    e^z rounded (1 + t rounds to 1), so it stays within one step 2⁻¹⁰⁷⁴ of the exact value."""
    z = np.linspace(-746, -708, 2001)
    exact = [_exact_sigmoid(float(x)) for x in z]
    err = max(abs(Decimal(float(g)) - e) for g, e in zip(sigmoid(z), exact))
    assert err <= Decimal(2.0 ** -1074)


def test_float32_tanh_accuracy():
    z = _points(np.float32)
    got = tanh(z)
    assert got.dtype == np.float32
    ref = np.tanh(z.astype(np.float64))
    err = np.abs(got.astype(np.float64) - ref)
    assert err.max() <= 4.2e-7   # every float32 in [0, 9] checked once: 4.11e-7
    normal = np.abs(z) >= 1e-35
    nz = normal & (z != 0)
    assert (err[nz] / np.abs(ref[nz])).max() <= 4.2e-7
    assert np.all(np.abs(tanh(z)) <= 1)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_tanh_is_exactly_odd(dtype):
    z = _points(dtype)
    assert np.array_equal(tanh(-z), -tanh(z))
    zero = tanh(np.array([0.0, -0.0], dtype=dtype))
    assert zero[0] == 0 and not np.signbit(zero[0])
    assert zero[1] == 0 and np.signbit(zero[1])


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_special_values_and_no_warning(dtype):
    info = np.finfo(dtype)
    z = np.array([np.inf, -np.inf, np.nan, info.max, -info.max, 1e30, -1e30, 1000.0, -1000.0,
                  info.tiny, -info.tiny, info.smallest_subnormal, 0.0, -0.0], dtype=dtype)
    with warnings.catch_warnings(), _default_errstate():
        warnings.simplefilter("error")
        got = tanh(z)
        s = sigmoid(z)
    np.testing.assert_array_equal(got[[0, 1, 3, 4, 5, 6, 7, 8]], [1, -1, 1, -1, 1, -1, 1, -1])
    assert np.isnan(got[2]) and np.isnan(s[2])
    assert np.abs(got[9:] - z[9:]).max() <= 1e-37
    np.testing.assert_array_equal(s[[0, 1, 3, 4, 5, 6, 7, 8]], [1, 0, 1, 0, 1, 0, 1, 0])
    np.testing.assert_array_equal(s[9:], 0.5)   # σ(z) = 1/2 + z/4 + …: 1/2 to the last bit


@pytest.mark.parametrize("dtype,weight", [(np.float64, 1e150), (np.float32, 1e30)])
def test_predict_with_huge_preactivations_is_silent(dtype, weight):
    net = Network([2, 3, 1], "tanh", "sigmoid")
    net.params[:] = weight     # |z| ≈ weight in the hidden layer: far past where tanh is ±1
    net.dense[0].W[1] = -weight
    X = np.array([[1.0, -2.0], [0.0, 0.0], [-3.0, 5e-324], [2.0, 1.0]])
    with warnings.catch_warnings(), _default_errstate():
        warnings.simplefilter("error")
        z, a = net.layer_outputs(X, dtype)[0]
        out = net.predict(X, dtype)
    assert np.abs(z).max() >= weight
    np.testing.assert_array_equal(np.abs(a), 1)
    assert out.dtype == dtype and np.all(np.isfinite(out))


@pytest.mark.parametrize("name", ["tanh", "sigmoid"])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_out_argument(dtype, name):
    """Same bits into ``out``, into z itself (the grid) and into a new array; dtype kept."""
    f = activations.get(name).value
    z = _points(dtype)[:5000].reshape(50, 100)
    fresh = f(z)
    assert fresh.dtype == dtype
    out = np.empty_like(z)
    assert f(z, out) is out
    np.testing.assert_array_equal(out, fresh)
    inplace = z.copy()
    assert f(inplace, inplace) is inplace
    np.testing.assert_array_equal(inplace, fresh)
    np.testing.assert_array_equal(z, _points(dtype)[:5000].reshape(50, 100))  # z untouched


def test_float32_sigmoid_matches_float64():
    """The same formula in float32 (the grid's pixels): NumPy's float32 exp is within 2.52 ulp
    (its AVX-512 implementation's stated bound) and the add and divide round once each, so
    the relative error is ≤ 3.52·eps32 ≈ 4.2e-7, down to z = −87 (below, e^z is subnormal)."""
    eps32 = float(np.finfo(np.float32).eps)
    z = np.concatenate([_points(np.float64), np.linspace(-87, 87, 400_001)]).astype(np.float32)
    s32 = sigmoid(z)
    assert s32.dtype == np.float32
    s64 = sigmoid(z.astype(np.float64))   # within 2 eps64 of exact: a reference here
    assert (np.abs(s32.astype(np.float64) - s64) / s64).max() <= 3.52 * eps32


def test_every_row_fills_the_table():
    """Exporters and explanations read the row: none of its fields may be missing."""
    for name, fn in activations.ACTIVATIONS.items():
        assert fn.name == name
        for field in ("element_formula", "element_numeric", "onnx_op", "torch_module", "numpy_expr"):
            assert getattr(fn, field) is not None, (name, field)
        assert (fn.slope_rule is not None) == fn.piecewise_linear, name


@pytest.mark.parametrize("name", activations.NAMES)
def test_numpy_source_computes_the_engine_bits(name):
    """The ``.py`` export's source for each activation gives the engine's float64 bits."""
    fn = activations.get(name)
    ns = {"np": np}
    exec(fn.numpy_helper, ns)
    z = _points(np.float64)
    np.testing.assert_array_equal(eval(fn.numpy_expr, ns, {"z": z}), fn.value(z))
