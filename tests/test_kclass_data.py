"""K-class data: CSV targets with three or more labels, the K-class toy sets, the iris table."""
from importlib.resources import files

import numpy as np
import pytest

from nnviz.data import csvdata, datasets
from nnviz.errors import NnvizError
from nnviz.experiment import Config, build


def _csv(tmp_path, text, name="data.csv"):
    p = tmp_path / name
    p.write_text(text)
    return p


def test_text_target_with_three_labels_is_k_class(tmp_path):
    p = _csv(tmp_path, "x,wine\n1,barolo\n2,grignolino\n3,barbera\n4,barolo\n")
    ds = csvdata.load_dataset(p, "wine")
    assert ds.task == "classification" and ds.n_classes == 3
    assert ds.classes == ["barbera", "barolo", "grignolino"]
    assert ds.y.tolist() == [1.0, 2.0, 0.0, 1.0]
    assert ds.class_description() == "barbera → 0, barolo → 1, grignolino → 2"


def test_class_counts_list_the_rows_per_class_or_sum_them_up(tmp_path):
    p = _csv(tmp_path, "x,wine\n1,barolo\n2,grignolino\n3,barbera\n4,barolo\n")
    ds = csvdata.load_dataset(p, "wine")
    assert ds.class_counts() == "1 / 2 / 1 rows"
    assert ds.class_counts(2) == "3 classes, 1–2 rows each"
    even = _csv(tmp_path, "x,s\n1,a\n2,b\n3,c\n", "even.csv")
    assert csvdata.load_dataset(even, "s").class_counts(2) == "3 classes, 1 rows each"
    assert csvdata.load_dataset(even, "s", positive_class="b").class_counts(2) == "2 / 1 rows"
    assert csvdata.load_dataset(_csv(tmp_path, "x,y\n1,0.5\n2,3\n3,9\n", "r.csv"),
                                "y").class_counts() == ""


def test_numeric_labels_sort_numerically_when_classification_is_asked(tmp_path):
    p = _csv(tmp_path, "x,y\n1,10\n2,2\n3,9\n4,2\n")
    assert csvdata.load_dataset(p, "y").task == "regression"        # proposed from a numeric target
    ds = csvdata.load_dataset(p, "y", task="classification")
    assert ds.classes == ["2", "9", "10"] and ds.y.tolist() == [2.0, 0.0, 1.0, 0.0]


def test_one_vs_rest_stays_available(tmp_path):
    p = _csv(tmp_path, "x,s\n1,a\n2,b\n3,c\n")
    ds = csvdata.load_dataset(p, "s", positive_class="b")
    assert ds.n_classes == 2 and ds.y.tolist() == [0.0, 1.0, 0.0]


def test_too_many_classes_is_one_sentence(tmp_path):
    p = _csv(tmp_path, "x,s\n" + "".join(f"{i},c{i}\n" for i in range(101)))
    with pytest.raises(NnvizError, match="has 101 classes .*at most 100 are supported"):
        csvdata.load_dataset(p, "s")


def test_k_class_table_round_trips_through_write_dataset(tmp_path):
    p = _csv(tmp_path, "x,y\n1,10\n2,2\n3,9\n")
    ds = csvdata.load_dataset(p, "y", task="classification")
    out = tmp_path / "back.csv"
    csvdata.write_dataset(ds, out)
    back = csvdata.load_dataset(out, "y", task="classification")
    assert back.classes == ds.classes and back.y.tolist() == ds.y.tolist()


@pytest.mark.parametrize("name, K", [("spiral3", 3), ("blobs3", 3), ("blobs4", 4), ("blobs5", 5)])
def test_k_class_toy_sets(name, K):
    a = datasets.generate(name, 301, 0.2, 5)
    b = datasets.generate(name, 301, 0.2, 5)
    assert a.X.tobytes() == b.X.tobytes() and a.y.tobytes() == b.y.tobytes()
    assert a.n_classes == K and a.classes == [str(k) for k in range(K)]
    counts = np.bincount(a.y.astype(int), minlength=K)
    assert counts.sum() == 301 and counts.max() - counts.min() <= 1
    assert 0 < np.count_nonzero(a.y[:30] == 0) < 30                 # shuffled, not grouped
    assert np.abs(datasets.generate(name, 2000, 0.0, 1).X).max() <= 6.0
    assert name in datasets.ALL_NAMES and name not in datasets.NAMES


def test_blobs_train_to_high_accuracy_with_a_softmax_output():
    e = build(Config(dataset="blobs4", hidden=[8], lr=0.3, seed=3))
    assert e.network.sizes == [2, 8, 4] and e.network.activations[-1] == "softmax"
    assert e.trainer.loss.name == "cross_entropy" and e.model.classes == ["0", "1", "2", "3"]
    e.trainer.steps(400)
    assert e.trainer.history.test_metric[-1] >= 0.97


def test_iris_is_bundled_and_learned():
    path = files("nnviz.data") / "samples" / "iris.csv"
    ds = csvdata.load_dataset(path, "species")
    assert ds.X.shape == (150, 4) and ds.classes == ["setosa", "versicolor", "virginica"]
    assert np.bincount(ds.y.astype(int)).tolist() == [50, 50, 50]
    assert ds.X[0].tolist() == [5.1, 3.5, 1.4, 0.2] and ds.X[-1].tolist() == [5.9, 3.0, 5.1, 1.8]
    e = build(Config(hidden=[8], lr=0.1, batch_size=16, test_ratio=0.3, seed=0, features=ds.inputs),
              dataset=ds)
    e.trainer.steps(2000)
    assert e.trainer.history.test_metric[-1] >= 0.9
