import json

import numpy as np
import pytest

from nnviz.cli.main import main


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def plane_csv(tmp_path):
    rng = np.random.default_rng(0)
    X = rng.uniform(-3, 3, size=(200, 2))
    y = 0.5 * X[:, 0] - 0.2 * X[:, 1] + 0.3
    p = tmp_path / "plane.csv"
    p.write_text("x1,x2,y\n" + "\n".join(f"{a},{b},{c}" for (a, b), c in zip(X, y)))
    return p


def test_identity_network_prints_linear_equivalent_and_least_squares(capsys, tmp_path, plane_csv):
    w = tmp_path / "lin.json"
    assert main(["train", "--data", str(plane_csv), "--target", "y", "--activation", "identity",
                 "--hidden", "3", "--epochs", "300", "--batch-size", "full", "--lr", "0.1",
                 "--init", "xavier", "--no-standardize", "--export", str(w)]) == 0
    capsys.readouterr()
    code, out, _ = run(capsys, "analyze", str(w), "--data", str(plane_csv), "--target", "y", "--json")
    rep = json.loads(out)
    assert code == 0
    ls = rep["least_squares"]
    np.testing.assert_allclose(ls["coefficients"], [0.5, -0.2], atol=1e-9)
    assert ls["intercept"] == pytest.approx(0.3, abs=1e-9)
    np.testing.assert_allclose(rep["linear_equivalent"]["coefficients"], [0.5, -0.2], atol=2e-2)
    assert rep["distance"] < 0.05
    assert rep["regions"]["count"] == 1  # identity is piecewise linear with one piece


def test_tanh_network_says_why_not(capsys, tmp_path):
    w = tmp_path / "t.json"
    main(["train", "--steps", "10", "--export", str(w)])
    capsys.readouterr()
    code, out, _ = run(capsys, "analyze", str(w), "--json")
    rep = json.loads(out)
    assert code == 0 and rep["linear_equivalent"] is None and "tanh" in rep["linear_reason"]
    assert rep["regions"] is None and "piecewise-linear" in rep["regions_reason"]
    code, _, err = run(capsys, "analyze", str(w), "--tree")
    assert code == 2 and err.startswith("nnviz: error: --tree needs piecewise-linear")


def test_relu_regions_tree_and_gradcheck(capsys, tmp_path, plane_csv):
    w = tmp_path / "r.json"
    main(["train", "--data", str(plane_csv), "--target", "y", "--activation", "relu", "--hidden", "4",
          "--epochs", "20", "--export", str(w)])
    capsys.readouterr()
    code, out, _ = run(capsys, "analyze", str(w), "--data", str(plane_csv), "--target", "y",
                       "--tree", "--gradcheck", "--resolution", "100", "--json")
    rep = json.loads(out)
    assert code == 0
    assert 1 <= rep["regions"]["count"] <= 11  # 4 lines cut a plane into at most 11 regions
    assert rep["tree"].count("z = ") >= rep["regions"]["count"]
    assert rep["gradcheck"]["passed"] and rep["gradcheck"]["max_relative"] <= 1e-6
    code, out, _ = run(capsys, "analyze", str(w), "--box=-1,1,-1,1")
    assert code == 0 and "x1 ∈ [-1, 1]" in out


@pytest.mark.parametrize("argv,needle", [
    (["--gradcheck"], "--gradcheck needs rows"),
    (["--box", "1,0,0,1"], "--box takes four numbers"),
    (["--resolution", "1"], "grid resolution"),
    (["--data", "x.csv"], "go together"),
    (["--box=-1e308,1e308,-1e308,1e308"], "--box takes numbers between -1e+15 and 1e+15"),
    (["--box", "a,b,c,d"], "--box takes four numbers"),
    (["--box", "nan,1,0,1"], "--box takes four numbers"),
])
@pytest.mark.parametrize("activation", ["relu", "tanh"])
def test_analyze_bad_usage(capsys, tmp_path, argv, needle, activation):
    """(A box of ±1e308 printed NumPy's overflow warnings and counted 5 regions; a malformed
    one was taken without a word by a tanh network, which has no regions to count.)"""
    w = tmp_path / "r.json"
    main(["train", "--steps", "5", "--activation", activation, "--export", str(w)])
    capsys.readouterr()
    code, _, err = run(capsys, "analyze", str(w), *argv)
    assert code == 2 and err.startswith("nnviz: error: ") and needle in err
    assert err.count("\n") == 1


def test_identity_net_analysis_speaks_of_one_model_in_named_units(capsys, tmp_path, plane_csv):
    """An identity net: no region or tree talk, the coefficients named in the space they live
    in (standardized, and again in the features' own units), linear in the features when the
    features are not the raw inputs."""
    w = tmp_path / "lin.json"
    assert main(["train", "--data", str(plane_csv), "--target", "y", "--activation", "identity",
                 "--hidden", "3", "--epochs", "300", "--batch-size", "full", "--lr", "0.1",
                 "--init", "xavier", "--features", "x1,x2,x1^2", "--export", str(w)]) == 0
    capsys.readouterr()
    code, out, _ = run(capsys, "analyze", str(w), "--data", str(plane_csv), "--target", "y", "--tree")
    assert code == 0
    assert "one linear model in the features x1, x2, x1^2 (standardized features)" in out
    assert "in the features' own units (not standardized)" in out
    assert "no linear regions to count" in out and "a single leaf" in out
    code, out, _ = run(capsys, "analyze", str(w), "--data", str(plane_csv), "--target", "y", "--json")
    rep = json.loads(out)
    # the plane y = 0.5·x1 − 0.2·x2 + 0.3 comes back in the features' own units
    np.testing.assert_allclose(rep["linear_equivalent_raw_units"]["coefficients"], [0.5, -0.2, 0.0],
                               atol=3e-2)
    assert rep["linear_equivalent_raw_units"]["intercept"] == pytest.approx(0.3, abs=5e-2)


def test_least_squares_on_class_labels_carries_its_caveat(capsys, tmp_path):
    csv = tmp_path / "c.csv"
    rng = np.random.default_rng(1)
    X = rng.normal(size=(120, 2))
    csv.write_text("x1,x2,y\n" + "\n".join(f"{a},{b},{int(a + b > 0)}" for a, b in X))
    w = tmp_path / "c.json"
    assert main(["train", "--data", str(csv), "--target", "y", "--activation", "identity",
                 "--epochs", "20", "--export", str(w)]) == 0
    capsys.readouterr()
    code, out, _ = run(capsys, "analyze", str(w), "--data", str(csv), "--target", "y", "--json")
    assert code == 0 and "fits the 0/1 labels themselves" in json.loads(out)["least_squares_caveat"]
