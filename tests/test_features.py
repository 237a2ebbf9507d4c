"""Feature expressions, expansion and standardisation (nnviz.data.features)."""
import math

import numpy as np
import pytest

from nnviz.errors import NnvizError
from nnviz.data.features import TOY_FEATURES, Feature, Scaler, check_features, expand, parse_feature

XY = ["x1", "x2"]


def test_toy_features():
    assert TOY_FEATURES == ("x1", "x2", "x1^2", "x2^2", "x1*x2", "sin(x1)", "sin(x2)")
    assert check_features(TOY_FEATURES, XY) == list(TOY_FEATURES)


@pytest.mark.parametrize("expr, parsed", [
    ("x2", Feature("input", 1, 1, "x2")),
    ("x1^2", Feature("square", 0, 0, "x1^2")),
    ("x1*x2", Feature("product", 0, 1, "x1*x2")),
    ("x2*x1", Feature("product", 1, 0, "x2*x1")),
    ("sin(x2)", Feature("sin", 1, 1, "sin(x2)")),
    (" x1 * x2 ", Feature("product", 0, 1, "x1*x2")),
    ("x1 ^2", Feature("square", 0, 0, "x1^2")),
    ("sin( x1 )", Feature("sin", 0, 0, "sin(x1)")),
    ("x1*x1", Feature("square", 0, 0, "x1^2")),
])
def test_parse_each_kind(expr, parsed):
    assert parse_feature(expr, XY) == parsed


def test_names_with_spaces_and_symbols():
    inputs = ["body mass", "age (years)", "a*b", "x^2"]
    assert check_features(["body mass^2", "body mass * age (years)", "sin(age (years))",
                           "a*b", "x^2", "x^2^2", "a*b*body mass"], inputs) == [
        "body mass^2", "body mass*age (years)", "sin(age (years))", "a*b", "x^2", "x^2^2",
        "a*b*body mass"]
    assert parse_feature("a*b", inputs).kind == "input"          # a column name wins
    assert parse_feature("x^2^2", inputs) == Feature("square", 3, 3, "x^2^2")
    assert parse_feature("a*b*body mass", inputs) == Feature("product", 2, 0, "a*b*body mass")


def test_ambiguous_product_is_refused():
    with pytest.raises(NnvizError, match="ambiguous"):
        parse_feature("a*a*a", ["a", "a*a"])


@pytest.mark.parametrize("expr", ["x3^2", "x3", "x1^3", "cos(x1)", "sin x1", "x1+x2", "", "x1*",
                                  "sin(x1", "exp(x1)", "x1**2", "__import__('os')"])
def test_unknown_features(expr):
    with pytest.raises(NnvizError) as e:
        check_features(["x1", expr], XY)
    assert str(e.value) == f"unknown feature {expr!r}: inputs are x1, x2"


@pytest.mark.parametrize("features, words", [
    (["x1*x2", "x2*x1"], "'x2\\*x1' duplicates 'x1\\*x2'"),
    (["x1^2", "x1*x1"], "duplicates"),
    (["x1", " x1 "], "duplicates"),
    ([], "at least one feature"),
    ("x1", "list"),
    (["x1", 3], "text"),
    (None, "list"),
])
def test_feature_list_problems(features, words):
    with pytest.raises(NnvizError, match=words):
        check_features(features, XY)


def test_expand_values_by_hand():
    X = np.array([[1.0, 2.0], [-3.0, 0.5]])
    F = expand(X, XY, TOY_FEATURES)
    expected = np.array([
        [1.0, 2.0, 1.0, 4.0, 2.0, math.sin(1.0), math.sin(2.0)],
        [-3.0, 0.5, 9.0, 0.25, -1.5, math.sin(-3.0), math.sin(0.5)],
    ])
    assert F.shape == (2, 7) and F.dtype == np.float64 and F.flags.c_contiguous
    assert np.array_equal(F, expected)
    assert X.tolist() == [[1.0, 2.0], [-3.0, 0.5]]                 # input untouched


def test_expand_order_and_subset_and_other_names():
    X = np.array([[2.0, 10.0, -1.0]])
    F = expand(X, ["a", "b c", "d"], ["d", "b c*a", "a^2"])
    assert F.tolist() == [[-1.0, 20.0, 4.0]]


def test_expand_float32_and_empty():
    X = np.array([[1.5, 2.0]], dtype=np.float32)
    F = expand(X, XY, ["x1*x2", "sin(x1)"], dtype=np.float32)
    assert F.dtype == np.float32 and F[0, 0] == np.float32(3.0)
    assert expand(np.empty((0, 2)), XY, TOY_FEATURES).shape == (0, 7)


def test_expand_rejects_wrong_width():
    with pytest.raises(ValueError, match=r"\(n, 2\)"):
        expand(np.ones((3, 3)), XY, ["x1"])


def test_expand_large_is_exact():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((10_000, 2))
    F = expand(X, XY, TOY_FEATURES)
    assert np.array_equal(F[:, 4], X[:, 0] * X[:, 1])
    assert np.array_equal(F[:, 6], np.sin(X[:, 1]))


# --- Scaler ----------------------------------------------------------------------------------

def test_scaler_fit_by_hand():
    F = np.array([[1.0, 10.0], [3.0, 20.0], [5.0, 30.0], [7.0, 40.0]])
    s = Scaler.fit(F, ["a", "b"])
    assert s.mean.tolist() == [4.0, 25.0]
    assert s.std.tolist() == pytest.approx([math.sqrt(5.0), math.sqrt(125.0)])  # population std
    Z = s.transform(F)
    assert Z is not F and F[0, 0] == 1.0
    assert Z[:, 0] == pytest.approx([-3 / math.sqrt(5), -1 / math.sqrt(5), 1 / math.sqrt(5),
                                     3 / math.sqrt(5)])
    assert Z.mean(axis=0) == pytest.approx([0, 0]) and Z.std(axis=0) == pytest.approx([1, 1])
    assert np.allclose(s.inverse_transform(Z), F)
    assert s.n_features == 2


def test_scaler_keeps_float32():
    s = Scaler.fit(np.array([[0.0], [2.0]]))
    Z = s.transform(np.array([[3.0]], dtype=np.float32))
    assert Z.dtype == np.float32 and Z[0, 0] == 2.0


def test_scaler_dict_round_trip():
    s = Scaler.fit(np.array([[1.0, -2.0], [2.0, 5.0], [4.0, 0.5]]))
    d = s.to_dict()
    assert set(d) == {"mean", "std"} and all(type(v) is float for v in d["mean"] + d["std"])
    back = Scaler.from_dict(d, 2)
    assert np.array_equal(back.mean, s.mean) and np.array_equal(back.std, s.std)


def test_constant_column_is_kept_with_a_notice_by_name():
    F = np.array([[1.0, 3.0], [2.0, 3.0]])
    s = Scaler.fit(F, ["x1", "x2"])
    assert s.notices == ["feature 'x2' is constant (every row is 3); it is kept and standardizes to 0"]
    assert s.std[1] == 1.0 and s.mean[1] == 3.0
    np.testing.assert_array_equal(s.transform(F)[:, 1], [0.0, 0.0])
    assert Scaler.fit(F).notices[0].startswith("feature 'column 2' is constant")
    near = Scaler.fit(np.array([[1e6], [1e6 + 1e-7]]))            # relative tolerance
    assert near.std[0] == 1.0 and "constant" in near.notices[0]
    assert Scaler.fit(F[:, :1]).notices == []
    with pytest.raises(NnvizError, match="at least one row"):
        Scaler.fit(np.empty((0, 2)))


@pytest.mark.parametrize("d, words", [
    ({"mean": [0.0], "std": [1.0]}, "has 1 numbers, expected 2"),
    ({"mean": [0.0, 1.0]}, "'std' must be a list"),
    ({"mean": [0.0, 1.0], "std": [1.0, 0.0]}, "> 0"),
    ({"mean": [0.0, 1.0], "std": [1.0, -2.0]}, "> 0"),
    ({"mean": [0.0, float("nan")], "std": [1.0, 1.0]}, "finite"),
    ({"mean": [0.0, "1"], "std": [1.0, 1.0]}, "finite"),
    ({"mean": [0.0, None], "std": [1.0, 1.0]}, "finite"),
    ({"mean": "01", "std": [1.0, 1.0]}, "list"),
    ([1, 2], "object"),
])
def test_scaler_from_dict_validation(d, words):
    with pytest.raises(NnvizError, match=words):
        Scaler.from_dict(d, 2)


def test_scaler_transform_checks_width():
    s = Scaler.fit(np.array([[0.0, 1.0], [1.0, 0.0]]))
    with pytest.raises(ValueError):
        s.transform(np.ones((2, 3)))
