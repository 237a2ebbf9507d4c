"""The activation table's own tanh (float64 exp form, float32 rational form): accuracy against
NumPy's, exact odd symmetry, special values, ``out`` handling, and no floating-point warning
under NumPy's default error state (the app predicts without ``np.errstate``)."""
import warnings

import numpy as np
import pytest

from nnviz.core import activations
from nnviz.core.network import Network

tanh = activations.get("tanh").value
sigmoid = activations.get("sigmoid").value


def _points(dtype):
    rng = np.random.default_rng(2024)
    z = np.concatenate([np.linspace(-25, 25, 1_000_001), rng.normal(0, 3, 500_000),
                        rng.normal(0, 0.01, 100_000)])
    return z.astype(dtype)


def _default_errstate():
    """NumPy's defaults, stated: overflow, invalid and divide warn; underflow is ignored."""
    return np.errstate(over="warn", invalid="warn", divide="warn", under="ignore")


def test_float64_tanh_accuracy():
    z = _points(np.float64)
    got, ref = tanh(z), np.tanh(z)
    assert got.dtype == np.float64
    err = np.abs(got - ref)
    assert err.max() <= 2.3e-16
    big = np.abs(z) >= 0.1
    assert (err[big] / np.abs(ref[big])).max() <= 1.1e-15
    assert (err[np.abs(z) >= 1] / np.abs(ref[np.abs(z) >= 1])).max() <= 3e-16
    tiny = np.geomspace(1e-300, 0.1, 200_000)
    assert np.abs(tanh(tiny) - np.tanh(tiny)).max() <= 1e-16
    # a plain NumPy tanh of the same values, to show the bound is not vacuous
    assert np.abs(np.tanh(z * (1 + 1e-15)) - ref).max() > 2.3e-16


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
def test_tanh_special_values_and_no_warning(dtype):
    info = np.finfo(dtype)
    z = np.array([np.inf, -np.inf, np.nan, info.max, -info.max, 1e30, -1e30, 20.0, -20.0,
                  info.tiny, -info.tiny, info.smallest_subnormal], dtype=dtype)
    with warnings.catch_warnings(), _default_errstate():
        warnings.simplefilter("error")
        got = tanh(z)
        s = sigmoid(z)
    np.testing.assert_array_equal(got[[0, 1, 3, 4, 5, 6, 7, 8]], [1, -1, 1, -1, 1, -1, 1, -1])
    assert np.isnan(got[2]) and np.isnan(s[2])
    assert np.abs(got[9:] - z[9:]).max() <= 1e-37
    np.testing.assert_array_equal(s[[0, 1, 3, 4]], [1, 0, 1, 0])


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


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_tanh_out_argument(dtype):
    z = _points(dtype)[:5000].reshape(50, 100)
    fresh = tanh(z)
    out = np.empty_like(z)
    assert tanh(z, out) is out
    np.testing.assert_array_equal(out, fresh)
    inplace = z.copy()
    assert tanh(inplace, inplace) is inplace
    np.testing.assert_array_equal(inplace, fresh)
    np.testing.assert_array_equal(z, _points(dtype)[:5000].reshape(50, 100))  # z untouched


def test_float32_sigmoid_matches_float64():
    z = _points(np.float64)
    s32 = sigmoid(z.astype(np.float32))
    assert s32.dtype == np.float32
    s64 = sigmoid(z.astype(np.float32).astype(np.float64))
    assert np.abs(s32.astype(np.float64) - s64).max() <= 2.5e-7


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
