"""The toy generators (nnviz.data.datasets) and the Dataset container (nnviz.data.dataset)."""
import math

import numpy as np
import pytest

from nnviz.data.sources import regenerate

from nnviz.data import datasets
from nnviz.data.dataset import Dataset
from nnviz.errors import NnvizError


# --- generators ------------------------------------------------------------------------------

def test_name_lists():
    assert datasets.CLASSIFICATION == ("circle", "xor", "gauss", "spiral", "moons")
    assert datasets.REGRESSION == ("plane", "multigauss", "sine")
    assert datasets.NAMES == datasets.CLASSIFICATION + datasets.REGRESSION


@pytest.mark.parametrize("name", datasets.NAMES)
def test_shape_types_and_source(name):
    d = datasets.generate(name, 123, 0.25, 7)
    assert d.X.shape == (123, 2) and d.y.shape == (123,)
    assert d.X.dtype == np.float64 and d.y.dtype == np.float64
    assert d.X.flags.c_contiguous
    assert d.inputs == ["x1", "x2"] and d.target == "y" and d.name == name
    assert d.task == ("classification" if name in datasets.CLASSIFICATION else "regression")
    assert d.class_names is None
    assert d.source == {"generator": name, "samples": 123, "noise": 0.25, "seed": 7}
    assert d.n_samples == 123 and d.n_inputs == 2


@pytest.mark.parametrize("name", datasets.NAMES)
def test_same_seed_same_bits_other_seed_other_data(name):
    a = datasets.generate(name, 300, 0.3, 42)
    b = datasets.generate(name, 300, 0.3, 42)
    c = datasets.generate(name, 300, 0.3, 43)
    assert a.X.tobytes() == b.X.tobytes() and a.y.tobytes() == b.y.tobytes()
    assert not np.array_equal(a.X, c.X)


@pytest.mark.parametrize("name", datasets.CLASSIFICATION)
@pytest.mark.parametrize("n", [4, 5, 500, 501])
def test_classes_are_balanced_and_exactly_0_or_1(name, n):
    d = datasets.generate(name, n, 0.5, 3)
    assert set(np.unique(d.y)) == {0.0, 1.0}
    ones = int(d.y.sum())
    assert abs(ones - (n - ones)) <= 1


@pytest.mark.parametrize("name", datasets.CLASSIFICATION)
def test_rows_are_shuffled_not_sorted_by_class(name):
    y = datasets.generate(name, 200, 0.0, 0).y
    assert 0 < y[:100].sum() < 100


@pytest.mark.parametrize("name", datasets.NAMES)
def test_inputs_lie_in_the_plotting_square(name):
    d = datasets.generate(name, 2000, 0.0, 5)
    assert np.abs(d.X).max() <= 6.0
    assert np.abs(d.X).max() > 3.0          # and they use it


@pytest.mark.parametrize("name", datasets.REGRESSION)
def test_regression_targets_roughly_in_unit_range(name):
    d = datasets.generate(name, 3000, 0.0, 1)
    assert np.abs(d.y).max() <= 1.05
    assert d.y.max() - d.y.min() > 1.5


def test_circle_noise_free_is_split_by_a_radius():
    d = datasets.generate("circle", 1000, 0.0, 11)
    r = np.hypot(d.X[:, 0], d.X[:, 1])
    assert np.array_equal(r < 3.0, d.y == 1.0)          # inner disc is class 1
    assert r[d.y == 1].max() <= 2.5 and r[d.y == 0].min() >= 3.5


def test_xor_noise_free_follows_the_quadrants_with_a_margin():
    d = datasets.generate("xor", 1000, 0.0, 2)
    assert np.array_equal(d.X[:, 0] * d.X[:, 1] > 0, d.y == 1.0)
    assert np.abs(d.X).min() >= 0.5


def test_gauss_noise_free_is_split_by_the_diagonal():
    d = datasets.generate("gauss", 1000, 0.0, 2)
    assert np.array_equal(d.X.sum(axis=1) > 0, d.y == 1.0)


@pytest.mark.parametrize("name", datasets.CLASSIFICATION)
def test_noise_free_classes_are_at_least_half_a_unit_apart(name):
    d = datasets.generate(name, 800, 0.0, 9)
    a, b = d.X[d.y == 1], d.X[d.y == 0]
    gap = np.sqrt(((a[:, None, :] - b[None, :, :]) ** 2).sum(-1)).min()
    assert gap >= 0.5


def test_full_noise_mixes_the_circle():
    d = datasets.generate("circle", 1000, 1.0, 11)
    r = np.hypot(d.X[:, 0], d.X[:, 1])
    wrong = np.mean((r < 3.0) != (d.y == 1.0))
    assert 0.1 < wrong < 0.5


def test_classification_noise_moves_the_same_points():
    clean = datasets.generate("moons", 2000, 0.0, 4)
    noisy = datasets.generate("moons", 2000, 0.5, 4)
    assert np.array_equal(clean.y, noisy.y)
    shift = noisy.X - clean.X
    assert shift.std() == pytest.approx(0.5 * 1.0, rel=0.1)     # noise · s with s = 1 for moons


def test_regression_noise_is_added_to_y_only():
    clean = datasets.generate("plane", 4000, 0.0, 4)
    noisy = datasets.generate("plane", 4000, 1.0, 4)
    assert np.array_equal(clean.X, noisy.X)
    assert (noisy.y - clean.y).std() == pytest.approx(0.5, rel=0.1)


def test_regression_formulas():
    p = datasets.generate("plane", 50, 0.0, 0)
    assert np.allclose(p.y, 0.1 * p.X[:, 0] + 0.05 * p.X[:, 1] + 0.1)
    s = datasets.generate("sine", 50, 0.0, 0)
    assert np.allclose(s.y, 0.5 * (np.sin(s.X[:, 0]) + np.sin(s.X[:, 1])))
    m = datasets.generate("multigauss", 50, 0.0, 0)
    x1, x2 = m.X[:, 0], m.X[:, 1]
    bumps = [(-4, 2.5, 1), (0, 2.5, -1), (4, 2.5, 1), (-4, -2.5, -1), (0, -2.5, 1), (4, -2.5, -1)]
    expected = sum(s * np.exp(-((x1 - cx) ** 2 + (x2 - cy) ** 2) / 4.5) for cx, cy, s in bumps)
    assert np.allclose(m.y, expected)
    top = datasets._multigauss(np.array([-4.0, 0.0]), np.array([2.5, 2.5]))
    assert top[0] == pytest.approx(1.0, abs=0.04) and top[1] == pytest.approx(-1.0, abs=0.07)


def test_defaults():
    d = datasets.generate("circle")
    assert d.n_samples == 500 and d.source == {"generator": "circle", "samples": 500,
                                               "noise": 0.0, "seed": 0}


def test_unknown_dataset_lists_the_choices():
    with pytest.raises(NnvizError) as e:
        datasets.generate("foo")
    assert str(e.value) == ("unknown dataset 'foo' (choose from: circle, xor, gauss, spiral, "
                            "moons, plane, multigauss, sine, spiral3, blobs3, blobs4, blobs5)")
    with pytest.raises(NnvizError, match="unknown dataset"):
        datasets.generate(None)


@pytest.mark.parametrize("kwargs, words", [
    ({"n_samples": 3}, "samples"), ({"n_samples": 100_001}, "samples"),
    ({"n_samples": 10.5}, "samples"), ({"n_samples": "many"}, "samples"),
    ({"n_samples": True}, "samples"),
    ({"noise": -0.1}, "noise"), ({"noise": 1.5}, "noise"), ({"noise": math.nan}, "noise"),
    ({"seed": -1}, "seed"), ({"seed": 2 ** 32}, "seed"), ({"seed": 1.5}, "seed"),
])
def test_arguments_are_validated(kwargs, words):
    with pytest.raises(NnvizError, match=words):
        datasets.generate("xor", **kwargs)


def test_whole_float_arguments_are_accepted_as_ints():
    d = datasets.generate("xor", 40.0, 0, 3.0)
    assert d.n_samples == 40 and d.source["seed"] == 3 and isinstance(d.source["samples"], int)


# --- Dataset ---------------------------------------------------------------------------------

def small(task="classification", **kw):
    X = np.array([[0, 1], [2, 3], [4, 5], [6, 7]], dtype=np.int64)
    y = np.array([0, 1, 1, 0])
    return Dataset(X, y, ["a", "b"], task, **kw)


def test_dataset_converts_to_contiguous_float64():
    d = small()
    assert d.X.dtype == np.float64 and d.X.flags.c_contiguous and d.y.dtype == np.float64
    assert d.X[3, 1] == 7.0 and d.y.tolist() == [0.0, 1.0, 1.0, 0.0]
    F = np.asfortranarray(np.ones((3, 2)))
    assert Dataset(F, np.ones(3), ["a", "b"], "regression").X.flags.c_contiguous


@pytest.mark.parametrize("args, words", [
    ((np.ones(4), np.ones(4), ["a"], "regression"), "2-D"),
    ((np.ones((4, 1)), np.ones((4, 1)), ["a"], "regression"), "one column"),
    ((np.ones((4, 1)), np.ones(3), ["a"], "regression"), "4 input rows but 3 targets"),
    ((np.ones((4, 2)), np.ones(4), ["a"], "regression"), "2 input columns need 2 names"),
    ((np.ones((4, 2)), np.ones(4), ["a", "a"], "regression"), "distinct"),
    ((np.ones((4, 1)), np.ones(4), ["a"], "clustering"), "unknown task 'clustering'"),
    ((np.array([[1.0], [np.inf]]), np.ones(2), ["a"], "regression"), "input 'a' in row 2"),
    ((np.ones((2, 1)), np.array([1.0, np.nan]), ["a"], "regression"), "target in row 2"),
    ((np.ones((3, 1)), np.array([0.0, 1.0, 2.0]), ["a"], "classification"), "row 3 has 2"),
    ((np.ones((2, 1)), np.array([0.5, 1.0]), ["a"], "classification"), "0 or 1"),
])
def test_dataset_validation(args, words):
    with pytest.raises(NnvizError, match=words):
        Dataset(*args)


def test_dataset_class_names_must_be_two_strings():
    assert small(class_names=["B", "M"]).class_names == ("B", "M")
    # One name per class: three names are a 3-class target (the labels 0/1 fit), one is not.
    assert small(class_names=("a", "b", "c")).n_classes == 3
    with pytest.raises(NnvizError, match="two strings"):
        small(class_names=("a",))
    with pytest.raises(NnvizError, match="two strings"):
        small(class_names=("a", "a"))


def test_split_without_test_rows_shuffles_all_rows():
    d = datasets.generate("circle", 50)
    train, test = d.split(0.0, np.random.default_rng(0))
    assert test.shape == (0,) and test.dtype == np.int64 and train.dtype == np.int64
    assert sorted(train.tolist()) == list(range(50)) and train.tolist() != list(range(50))


def test_split_sizes_disjoint_and_deterministic():
    d = datasets.generate("circle", 10)
    train, test = d.split(0.2, np.random.default_rng(5))
    assert len(train) == 8 and len(test) == 2
    assert sorted(np.concatenate([train, test]).tolist()) == list(range(10))
    again = d.split(0.2, np.random.default_rng(5))
    assert np.array_equal(train, again[0]) and np.array_equal(test, again[1])
    assert len(d.split(0.25, np.random.default_rng(0))[1]) == 2      # round(2.5) == 2


@pytest.mark.parametrize("n, ratio", [(5, 0.1), (4, 0.75), (10, 0.05), (5, 0.7)])
def test_split_refuses_sides_with_fewer_than_2_rows(n, ratio):
    d = datasets.generate("xor", n)
    with pytest.raises(NnvizError, match="fewer than 2 rows"):
        d.split(ratio, np.random.default_rng(0))


@pytest.mark.parametrize("ratio", [-0.1, 0.95, "half"])
def test_split_ratio_is_validated(ratio):
    with pytest.raises(NnvizError, match="test ratio"):
        datasets.generate("xor", 20).split(ratio, np.random.default_rng(0))


def test_dataset_from_source_regenerates():
    d = datasets.generate("spiral", 77, 0.1, 3)
    again = regenerate(d.source)
    assert np.array_equal(d.X, again.X) and np.array_equal(d.y, again.y)
    with pytest.raises(NnvizError, match="generator"):
        regenerate({"something": 1})
