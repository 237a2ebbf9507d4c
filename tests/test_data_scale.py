"""Standardisation of columns of any finite magnitude: huge (1e160, 1e300), tiny (1e-160,
1e-300) and mixed columns standardize exactly, ordinary columns keep the very same mean and
std bits, "constant" is judged relative to the column's size, and nothing a user loads makes
NumPy warn (pytest turns every warning into an error)."""
from __future__ import annotations

import numpy as np
import pytest

from nnviz.data import csvdata
from nnviz.data.dataset import Dataset
from nnviz.data.features import Scaler, expand
from nnviz.errors import NnvizError
from nnviz.experiment import Config, build


def _columns(n=200, seed=0):
    """Columns around 1e160, 1e-160, ±1e160 (mixed signs), 1e300, -1e-300 and one mixing
    1e160 with 1e-160 in the same column."""
    rng = np.random.default_rng(seed)
    z = rng.standard_normal((n, 6))
    F = np.empty((n, 6))
    F[:, 0] = 1e160 * (3.0 + z[:, 0])
    F[:, 1] = 1e-160 * (3.0 + z[:, 1])
    F[:, 2] = 1e160 * z[:, 2]
    F[:, 3] = 1e300 * (1.0 + 0.1 * z[:, 3])
    F[:, 4] = -1e-300 * (2.0 + z[:, 4])
    F[:, 5] = np.where(z[:, 5] > 0, 1e160, 1e-160) * (1.0 + 0.01 * z[:, 0])
    return F


def _assert_standardized(Z):
    assert np.isfinite(Z).all()
    n = Z.shape[0]
    # mean 0 and std 1 within 1e-12 (relative to the unit scale of standardized values)
    assert np.abs(Z.mean(axis=0)).max() <= 1e-12 * np.sqrt(n)
    assert np.abs(Z.std(axis=0) - 1.0).max() <= 1e-12


def test_huge_tiny_and_mixed_columns_standardize_to_mean_0_std_1():
    F = _columns()
    s = Scaler.fit(F, [f"c{k}" for k in range(6)])
    # mean and std stay in the columns' own units (weights files and exports store them)
    assert np.isfinite(s.mean).all() and np.isfinite(s.std).all() and (s.std > 0).all()
    for c in range(6):
        k = 2.0 ** -float(np.frexp(np.abs(F[:, c]).max())[1])
        assert s.mean[c] == pytest.approx(np.mean(F[:, c] * k) / k, rel=1e-13, abs=1e-14 * s.std[c])
        assert s.std[c] == pytest.approx(np.std(F[:, c] * k) / k, rel=1e-13)
    assert s.std[0] == pytest.approx(1e160, rel=0.2) and s.std[1] == pytest.approx(1e-160, rel=0.2)
    _assert_standardized(s.transform(F))
    # the form every export uses, computed directly, stays finite and standardizes too
    _assert_standardized((F - s.mean) / s.std)


def test_ordinary_columns_keep_the_exact_bits_of_np_mean_and_np_std():
    rng = np.random.default_rng(1)
    F = rng.standard_normal((301, 4)) * [1.0, 1e-3, 1e5, 7.0] + [0.0, 2.0, -3e5, 1e3]
    s = Scaler.fit(F)
    assert np.array_equal(s.mean, F.mean(axis=0)) and np.array_equal(s.std, F.std(axis=0))
    col = np.ascontiguousarray(F[:, :1])
    s1 = Scaler.fit(col)
    assert s1.mean[0] == np.mean(col, axis=0)[0] and s1.std[0] == np.std(col, axis=0)[0]
    # an extreme column next to ordinary ones leaves theirs untouched
    G = np.column_stack([F, _columns(301)[:, 0]])
    sg = Scaler.fit(G)
    assert np.array_equal(sg.mean[:4], s.mean) and np.array_equal(sg.std[:4], s.std)


def test_tiny_but_varying_column_is_accepted():
    rng = np.random.default_rng(2)
    a = 1e-13 + 9e-13 * rng.standard_normal(50)
    F = np.column_stack([a, np.arange(50.0)])
    s = Scaler.fit(F, ["a", "b"])
    assert s.std[0] == pytest.approx(np.std(a)) and 5e-13 < s.std[0] < 2e-12
    _assert_standardized(s.transform(F))


@pytest.mark.parametrize("value", [3.0, 0.0, 1e-13, -1e-300, 1e160, 1e300, 5e-324])
def test_a_truly_constant_column_is_kept_with_its_notice(value):
    F = np.column_stack([np.arange(10.0), np.full(10, value)])
    s = Scaler.fit(F, ["a", "b"])
    assert s.notices == [f"feature 'b' is constant (every row is {value:g}); it is kept and "
                         "standardizes to 0"]
    np.testing.assert_array_equal(s.transform(F)[:, 1], np.zeros(10))


def test_nearly_constant_relative_to_size_is_kept():
    for v in (1e160, 1e-160):
        s = Scaler.fit(np.array([[v], [v * (1 + 1e-14)]]), ["b"])
        assert s.std[0] == 1.0 and s.notices[0].startswith("feature 'b' is constant")


def _write(path, columns: dict, y):
    names = list(columns) + ["y"]
    rows = [",".join(names)]
    for i in range(len(y)):
        rows.append(",".join(repr(float(columns[k][i])) for k in columns) + f",{y[i]}")
    path.write_text("\n".join(rows) + "\n")
    return path


def test_csv_loader_and_build_on_extreme_values_give_finite_standardized_features(tmp_path):
    rng = np.random.default_rng(3)
    n = 60
    z = rng.standard_normal((n, 3))
    cols = {"huge": 1e300 * (2.0 + z[:, 0]),
            "tiny": 1e-300 * (2.0 + z[:, 1]),
            "mixed": np.where(z[:, 2] > 0, 1e300, -1e-300) * (1.0 + 0.1 * z[:, 0])}
    y = np.arange(n) % 2
    ds = csvdata.load_dataset(_write(tmp_path / "x.csv", cols, y), "y")
    assert ds.inputs == ["huge", "tiny", "mixed"]
    np.testing.assert_array_equal(ds.X[:, 0], cols["huge"])
    exp = build(Config(features=list(ds.inputs), hidden=[3], test_ratio=0.0), ds)
    _assert_standardized(exp.F_train)
    s = exp.model.scaler
    assert np.isfinite(s.mean).all() and np.isfinite(s.std).all()
    # with a test split: every row is standardized with the training rows' scaler
    exp = build(Config(features=list(ds.inputs), hidden=[3], test_ratio=0.3), ds)
    assert np.isfinite(exp.F_train).all() and np.isfinite(exp.F_test).all()
    exp.trainer.steps(5)
    assert np.isfinite(exp.network.params).all()


def test_values_too_large_for_the_features_are_one_sentence_naming_them():
    X = np.column_stack([np.linspace(-1e300, 1e300, 20), np.arange(20.0) * 1e10])
    with pytest.raises(NnvizError) as e:
        expand(X, ["a", "b"], ["a^2", "b"])
    assert "'a^2'" in str(e.value) and "too large" in str(e.value) and "\n" not in str(e.value)
    ds = Dataset(X, np.arange(20) % 2, ["a", "b"], "classification")
    with pytest.raises(NnvizError, match="'a\\*b'.*too large"):
        build(Config(features=["a*b", "b"], hidden=[2]), ds)


def test_values_at_the_float_limit_of_both_signs_are_refused_by_name():
    F = np.array([[1.7e308], [1.7e308], [1.7e308], [-1.7e308]])
    with pytest.raises(NnvizError) as e:
        Scaler.fit(F, ["big"])
    assert str(e.value).startswith("feature 'big' has values too large to standardize")


def test_values_too_close_to_zero_are_refused_by_name():
    F = np.array([[0.0], [1e-320], [2e-320]])
    with pytest.raises(NnvizError) as e:
        Scaler.fit(F, ["small"])
    assert str(e.value).startswith("feature 'small' has values too close to zero to standardize")


def test_a_value_far_outside_the_training_range_is_one_sentence_not_a_warning():
    s = Scaler.fit(np.array([[1e-300, 0.0], [3e-300, 1.0]]), ["t", "u"])
    with pytest.raises(NnvizError) as e:
        s.transform(np.array([[1e10, 0.5]]))
    assert "'t'" in str(e.value) and "too far" in str(e.value)
    Z = s.transform(np.array([[np.nan, 0.5]]))             # a missing value stays missing
    assert np.isnan(Z[0, 0]) and Z[0, 1] == 0.0


def test_float32_features_with_a_scaler_beyond_float32_stay_warning_free():
    s = Scaler.fit(np.array([[1e-160, 0.0], [3e-160, 1.0]]))
    Z = s.transform(np.array([[2e-160, 0.5]], dtype=np.float64).astype(np.float32))
    assert Z.dtype == np.float32 and np.isfinite(Z).all() and Z[0, 1] == 0.0


def test_cells_that_cannot_be_handled_are_one_sentence_naming_the_column(tmp_path):
    path = tmp_path / "inf.csv"
    path.write_text("a,b,y\n1,2,0\n3,inf,1\n5,6,0\n7,8,1\n")
    with pytest.raises(NnvizError) as e:
        csvdata.load_dataset(path, "y")
    assert str(e.value) == ("inf.csv row 3, column 'b' holds infinity or a number too large to "
                            "store (beyond ±1.8e308), not a finite number; drop rows with "
                            "missing values to skip it")
    ds = csvdata.load_dataset(path, "y", drop_missing=True)
    assert ds.n_samples == 3 and ds.source["dropped_rows"] == 1 and np.isfinite(ds.X).all()
    path.write_text("a,b,y\n1,2,0\n3,1e400,1\n5,nan,0\n7,8,1\n")
    with pytest.raises(NnvizError, match=r"row 3, column 'b'.*not a finite number"):
        csvdata.load_dataset(path, "y")
    with pytest.raises(NnvizError, match="input 'b' in row 2 is not a finite number"):
        Dataset(np.array([[1.0, 2.0], [3.0, -np.inf]]), [0, 1], ["a", "b"], "classification")
