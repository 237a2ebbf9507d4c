"""K classes through trace and analyze, and the recorded step equal to the fast one."""
import json

import numpy as np
import pytest

from nnviz.cli.main import main as cli_main
from nnviz.experiment import Config, build
from nnviz.explain import analysis
from nnviz.io import exporters


def _iris_like(tmp_path):
    rng = np.random.default_rng(1)
    names = ["a b", "c,d", "e"]            # a label with a comma is quoted, not split
    rows = [(names[k], *(rng.standard_normal(2) + 3 * np.array([k % 2, k // 2])))
            for k in range(3) for _ in range(20)]
    path = tmp_path / "k.csv"
    path.write_text('x1,x2,cls\n' + "".join(f'{float(a)!r},{float(b)!r},"{c}"\n' for c, a, b in rows))
    return path


def _model(tmp_path, activation, hidden=(4,)):
    path = _iris_like(tmp_path)
    w = tmp_path / f"{activation}.json"
    assert cli_main(["train", "--data", str(path), "--target", "cls", "--activation", activation,
                     "--hidden", ",".join(map(str, hidden)), "--epochs", "30", "--export", str(w),
                     "--json"]) == 0
    return path, w


def test_recorded_step_is_the_fast_step_for_k_classes():
    a = build(Config(dataset="blobs5", hidden=[6, 4], activation=["relu", "tanh"], batch_size=9,
                     optimizer="momentum", l2=0.01, seed=4))
    b = build(Config(dataset="blobs5", hidden=[6, 4], activation=["relu", "tanh"], batch_size=9,
                     optimizer="momentum", l2=0.01, seed=4))
    for _ in range(7):
        stages = list(a.trainer.stage_step())
        b.trainer.step()
    np.testing.assert_array_equal(a.network.params, b.network.params)
    names = [s.kind.value for s in stages]
    assert names.count("loss_forward") == 1 and "activation_backward" in names
    loss = next(s for s in stages if s.kind.value == "loss_forward")
    assert loss.info["loss"] == "cross_entropy" and loss.operands["y"].shape == (9, 5)


def test_trace_prints_cross_entropy_with_the_models_classes(tmp_path, capsys):
    path, w = _model(tmp_path, "tanh")
    capsys.readouterr()
    rows = tmp_path / "few.csv"                   # only one class in the batch: still mapped right
    rows.write_text("x1,x2,cls\n0.1,0.2,e\n0.3,0.1,e\n")
    assert cli_main(["trace", "--weights", str(w), "--input", str(rows), "--target", "cls", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    loss = next(s for s in out["stages"] if s["kind"] == "loss_forward")
    assert loss["index_form"][0].startswith("e₁ = −Σ_k y₁ₖ·log ŷ₁ₖ = −log ŷ₁₃")
    rows.write_text("x1,x2,cls\n0.1,0.2,zzz\n")
    assert cli_main(["trace", "--weights", str(w), "--input", str(rows), "--target", "cls"]) == 2
    assert "'zzz' is not one of the model's classes" in capsys.readouterr().err


def test_analyze_identity_is_multinomial_logistic_regression(tmp_path, capsys):
    path, w = _model(tmp_path, "identity", hidden=(3,))
    capsys.readouterr()
    assert cli_main(["analyze", str(w), "--data", str(path), "--target", "cls", "--json",
                     "--gradcheck"]) == 0
    rep = json.loads(capsys.readouterr().out)
    net = exporters.load(w).network
    beta = np.array(rep["linear_equivalent"]["coefficients"])
    np.testing.assert_allclose(beta, net.dense[0].W @ net.dense[1].W, rtol=1e-12)
    assert beta.shape == (2, 3) and rep["linear_equivalent"]["classes"] == ["a b", "c,d", "e"]
    assert rep["gradcheck"]["passed"]


def test_analyze_relu_tree_leaves_reproduce_the_logits(tmp_path, capsys):
    path, w = _model(tmp_path, "relu", hidden=(3,))
    model = exporters.load(w)
    F = np.random.default_rng(0).standard_normal((200, 2))
    tree = analysis.decision_tree(model.network, F)
    np.testing.assert_allclose(analysis.tree_predict(tree, F), model.network.layer_outputs(F)[-1][0],
                               atol=1e-12)
    text = analysis.tree_text(tree, ["x1", "x2"], "z", ["a b", "c,d", "e"])
    assert "class = argmax of:" in text and "z[c,d] = " in text
    capsys.readouterr()
    assert cli_main(["analyze", str(w), "--data", str(path), "--target", "cls", "--tree"]) == 0
    assert "z[e] = " in capsys.readouterr().out


def test_predict_quotes_labels_with_commas(tmp_path, capsys):
    path, w = _model(tmp_path, "tanh")
    capsys.readouterr()
    assert cli_main(["predict", "--weights", str(w), "--input", str(path)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == 'label,P(a b),"P(c,d)",P(e)' and len(lines) == 61


def test_training_on_from_weights_keeps_each_class_its_unit(tmp_path, capsys):
    """Weights for classes 0, 1, 2 trained on labels 0, 1, 5: the file's "5" became class 2's
    unit and the export named it "5", without a word. It is refused; the same labels train."""
    w = tmp_path / "k.json"
    assert cli_main(["train", "--dataset", "blobs3", "--epochs", "1", "--export", str(w)]) == 0
    rng = np.random.default_rng(0)
    X = rng.normal(size=(30, 2))
    for name, labels in (("k5.csv", (0, 1, 5)), ("k2.csv", (0, 1, 2))):
        rows = "".join(f"{a},{b},{c}\n" for (a, b), c in zip(X, labels * 10))
        (tmp_path / name).write_text("x1,x2,y\n" + rows)
    capsys.readouterr()
    out = tmp_path / "out.json"
    code = cli_main(["train", "--data", str(tmp_path / "k5.csv"), "--target", "y", "--weights",
                     str(w), "--epochs", "1", "--export", str(out)])
    err = capsys.readouterr().err
    assert code == 2 and not out.exists()
    assert err == ("nnviz: error: the weights' classes are 0, 1, 2; 'y' in k5.csv holds 0, 1, 5 "
                   "(the classes must be the same)\n")
    assert cli_main(["train", "--data", str(tmp_path / "k2.csv"), "--target", "y", "--weights",
                     str(w), "--epochs", "1", "--export", str(out)]) == 0
    assert json.loads(out.read_text())["classes"] == ["0", "1", "2"]
