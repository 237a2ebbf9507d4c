"""Any depth: no hidden layer (ŷ = σ(X·W + b)) up to several hidden layers, from the command
line to the parameter count."""
import json

import numpy as np
import pytest

from nnviz import settings
from nnviz.cli.main import main
from nnviz.core.network import Network
from nnviz.io import weights_io


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


# --- the --hidden flag ---------------------------------------------------------------------
@pytest.mark.parametrize("text,value", [("0", []), ("4", [4]), ("8,6,4", [8, 6, 4]), (" 0 ", [])])
def test_hidden_flag_reads_zero_as_no_hidden_layer(text, value):
    assert settings.get("hidden").parse(text) == value


@pytest.mark.parametrize("text", ["0,4", "4,0", "8,0,4", "0,0"])
def test_zero_inside_a_list_is_one_clear_error(capsys, text):
    code, out, err = run(capsys, "train", "--hidden", text, "--steps", "1")
    assert code == 2 and out == ""
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("nnviz: error: argument --hidden: 0 means no "
                                                   "hidden layer and must be the whole value")
    assert "Traceback" not in err


def test_no_hidden_layer_is_a_valid_setting_and_the_layer_limit_still_holds():
    assert settings.check("hidden", []) == []
    assert settings.LIMITS["hidden layers"] == (0, settings.MAX_LAYERS - 1)
    with pytest.raises(Exception, match="hidden layers must be between 0 and"):
        settings.check("hidden", [2] * settings.MAX_LAYERS)


@pytest.mark.parametrize("task,dataset,act", [("classification", "circle", "sigmoid"),
                                               ("regression", "plane", "identity")])
def test_train_with_no_hidden_layer(capsys, tmp_path, task, dataset, act):
    w = tmp_path / "w.json"
    code, out, _ = run(capsys, "train", "--hidden", "0", "--dataset", dataset, "--epochs", "3",
                       "--export", str(w))
    assert code == 0
    assert "network   2 → 1  (" + act + ")" in out
    assert "params    (p+1)·1 = (2+1)·1 = 3" in out
    model = weights_io.load(w)
    assert model.network.sizes == [2, 1] and model.network.hidden_sizes == []
    assert model.task == task
    # and back in: --weights of a file with no hidden layer continues training
    code, out, _ = run(capsys, "train", "--dataset", dataset, "--weights", str(w), "--steps", "2",
                       "--json")
    assert code == 0 and json.loads(out)["parameter_count"] == 3


# --- the parameter count, written out ---------------------------------------------------------
@pytest.mark.parametrize("sizes,text", [
    ([2, 1], "(p+1)·1 = (2+1)·1 = 3"),
    ([5, 1], "(p+1)·1 = (5+1)·1 = 6"),
    ([2, 4, 1], "(p+1)·M + M + 1 = (2+1)·4 + 4 + 1 = 17"),
    ([2, 8, 6, 1], "(p+1)·M₁ + (M₁+1)·M₂ + (M₂+1)·1 = (2+1)·8 + (8+1)·6 + (6+1)·1 = 85"),
    ([2, 8, 6, 4, 1], "(p+1)·M₁ + (M₁+1)·M₂ + (M₂+1)·M₃ + (M₃+1)·1 = "
                      "(2+1)·8 + (8+1)·6 + (6+1)·4 + (4+1)·1 = 111"),
])
def test_parameter_formula_reads_at_every_depth(sizes, text):
    net = Network(sizes)
    assert net.parameter_formula() == text
    assert net.parameter_count() == int(text.rsplit("= ", 1)[1])
    assert net.parameter_count() == sum((a + 1) * b for a, b in zip(sizes[:-1], sizes[1:]))


def test_a_network_with_no_hidden_layer_is_one_dense_layer():
    net = Network([3, 1], "tanh", "sigmoid")
    assert net.hidden_sizes == [] and net.n_layers == 1 and net.activations == ["sigmoid"]
    assert net.dense[0].W.shape == (3, 1) and net.dense[0].b.shape == (1,)
    net.set_weights([(np.array([[1.0], [2.0], [-1.0]]), np.array([0.5]))])
    X = np.array([[1.0, 0.0, 2.0]])
    assert net.predict(X)[0, 0] == pytest.approx(1 / (1 + np.exp(-(1.0 - 2.0 + 0.5))), abs=1e-15)


# --- stages: what the step-through walks -------------------------------------------------------
from nnviz.core.stages import StageKind   # noqa: E402
from nnviz.experiment import Config, build   # noqa: E402
from nnviz.explain import equations, index_form, views   # noqa: E402


def _stages(config):
    exp = build(config)
    return exp, list(exp.trainer.stage_step())


@pytest.mark.parametrize("config,output", [
    (Config(hidden=[], batch_size=7), "sigmoid"),
    (Config(hidden=[], batch_size=7, dataset="plane"), "identity"),
])
def test_no_hidden_layer_steps_through_forward_loss_backward_update(config, output):
    exp, stages = _stages(config)
    assert [s.name for s in stages] == ["dense1.forward", "activation1.forward", "loss.forward",
                                        "loss.backward", "dense1.backward", "update"]
    assert [s.phase for s in stages] == ["forward", "forward", "loss", "backward", "backward",
                                         "update"]
    f, act, loss, lb, db, up = stages
    assert f.equations == ["Z⁽¹⁾ = X · W⁽¹⁾ + b⁽¹⁾"] and f.shapes == ["[7×2]·[2×1] + [1×1] → [7×1]"]
    assert act.equations == [f"ŷ = {output}(Z⁽¹⁾)"] and act.layer == 1
    assert lb.equations == ["δ⁽¹⁾ = ∂e/∂Z⁽¹⁾ = ŷ − y"]
    assert db.shapes == ["[2×7]·[7×1] → [2×1]", "[7×1] → [1×1]"]
    assert list(db.results) == ["∂E/∂W⁽¹⁾", "∂E/∂b⁽¹⁾"]   # no ∂e/∂X: X is the data
    X = f.operands["X"]
    delta = lb.result
    np.testing.assert_allclose(db.results["∂E/∂W⁽¹⁾"], X.T @ delta / 7, rtol=0, atol=1e-15)
    assert list(up.results) == ["new W⁽¹⁾", "new b⁽¹⁾"]
    np.testing.assert_array_equal(up.results["new W⁽¹⁾"], exp.network.dense[0].W)


def test_no_hidden_layer_with_an_unfused_loss_shows_the_sigmoid_backward():
    _, stages = _stages(Config(hidden=[], batch_size=7, loss="squared_error"))
    assert [s.name for s in stages] == ["dense1.forward", "activation1.forward", "loss.forward",
                                        "loss.backward", "activation1.backward", "dense1.backward",
                                        "update"]
    assert stages[4].equations == ["δ⁽¹⁾ = ∂e/∂ŷ ⊙ σ′(Z⁽¹⁾)"]


def test_three_hidden_layers_step_through_every_layer_in_order():
    _, stages = _stages(Config(hidden=[5, 4, 3], activation=["relu", "leaky_relu", "tanh"],
                               batch_size=7))
    forward = [f"{kind}{k}.forward" for k in range(1, 5) for kind in ("dense", "activation")]
    backward = ["dense4.backward"] + [f"{kind}{k}.backward" for k in (3, 2, 1)
                                      for kind in ("activation", "dense")]
    assert [s.name for s in stages] == forward + ["loss.forward", "loss.backward"] + backward + ["update"]
    shapes = {s.name: s.shapes[0] for s in stages}
    assert shapes["dense1.forward"] == "[7×2]·[2×5] + [1×5] → [7×5]"
    assert shapes["dense2.forward"] == "[7×5]·[5×4] + [1×4] → [7×4]"
    assert shapes["dense3.forward"] == "[7×4]·[4×3] + [1×3] → [7×3]"
    assert shapes["dense4.forward"] == "[7×3]·[3×1] + [1×1] → [7×1]"
    assert shapes["dense3.backward"] == "[4×7]·[7×3] → [4×3]"
    eq = {s.name: s.equations[0] for s in stages}
    assert eq["activation2.forward"] == "H⁽²⁾ = leaky_relu(Z⁽²⁾)"
    assert eq["dense2.backward"] == "∂E/∂W⁽²⁾ = (1/m) H⁽¹⁾ᵀ · δ⁽²⁾"
    assert eq["activation1.backward"] == "δ⁽¹⁾ = ∂e/∂H⁽¹⁾ ⊙ σ′(Z⁽¹⁾)"
    assert [s.layer for s in stages if s.kind is StageKind.DENSE_BACKWARD] == [4, 3, 2, 1]


@pytest.mark.parametrize("hidden", [[], [5, 4, 3]])
def test_recorded_step_equals_the_fast_step_at_any_depth(hidden):
    config = dict(hidden=hidden, activation="relu", batch_size=7, optimizer="adam", l2=0.01)
    fast, slow = build(Config(**config)), build(Config(**config))
    for _ in range(30):
        fast.trainer.step()
        for _ in slow.trainer.stage_step():
            pass
    np.testing.assert_array_equal(fast.network.params, slow.network.params)
    assert fast.trainer.step_count == slow.trainer.step_count == 30


@pytest.mark.parametrize("config", [Config(hidden=[], batch_size=7),
                                    Config(hidden=[], batch_size=7, loss="squared_error"),
                                    Config(hidden=[5, 4, 3], batch_size=7,
                                           activation=["relu", "leaky_relu", "identity"])],
                         ids=["0-logistic", "0-unfused", "3-piecewise"])
def test_every_explanation_renders_and_checks_at_any_depth(config):
    _, stages = _stages(config)
    for s in stages:
        for notation in ("row", "column"):
            assert equations.stage_text(s, 0, notation, stages)
            index_form.index_form(s, 0, notation)
        if s.kind is StageKind.DENSE_BACKWARD:
            for view in (views.row_by_row(stages, s), views.outer_products(s)):
                assert view.applies and view.check <= 1e-15
        if s.kind is StageKind.ACTIVATION_FORWARD and s.info["activation"] != "tanh":
            h = views.hadamard_form(s)
            assert h.applies == (s.info["activation"] in ("relu", "leaky_relu", "identity"))


# --- every command and file format at 0, 1 and 3 hidden layers ---------------------------------
@pytest.mark.parametrize("hidden,sizes", [("0", [2, 1]), ("4", [2, 4, 1]), ("5,4,3", [2, 5, 4, 3, 1])])
def test_every_command_and_format_at_any_depth(capsys, tmp_path, hidden, sizes):
    ort = pytest.importorskip("onnxruntime")
    pytest.importorskip("safetensors")
    base = tmp_path / "w"
    assert main(["train", "--hidden", hidden, "--epochs", "5", "--export", f"{base}.json"]) == 0
    for ext in (".npz", ".safetensors", ".onnx", ".py", ".csv"):
        assert main(["convert", f"{base}.json", f"{base}{ext}"]) == 0
    capsys.readouterr()
    model = weights_io.load(f"{base}.json")
    assert model.network.sizes == sizes
    X = np.random.default_rng(1).uniform(-5, 5, size=(50, 2)).astype(np.float32)
    inp = tmp_path / "in.csv"
    inp.write_text("x1,x2\n" + "".join(f"{float(a)!r},{float(b)!r}\n" for a, b in X))
    preds = {}
    for ext in (".json", ".npz", ".safetensors"):
        code, out, _ = run(capsys, "predict", "--weights", f"{base}{ext}", "--input", str(inp))
        assert code == 0
        preds[ext] = np.array([float(v) for v in out.split()[1:]])
        code, out, _ = run(capsys, "info", f"{base}{ext}")
        assert code == 0 and f"layers       {' → '.join(map(str, sizes))}" in out
    np.testing.assert_array_equal(preds[".npz"], preds[".json"])
    np.testing.assert_array_equal(preds[".safetensors"], preds[".json"])
    sess = ort.InferenceSession(f"{base}.onnx", providers=["CPUExecutionProvider"])
    onnx_out = sess.run(None, {"inputs": X})[0][:, 0]
    assert np.abs(onnx_out - preds[".json"]).max() <= 1e-6
    folder = tmp_path / "w"
    L = len(sizes) - 1
    assert sorted(p.name for p in folder.iterdir()) == sorted(
        ["README.txt", "scaling.csv"] + [f"{m}{k}.csv" for k in range(1, L + 1) for m in "Wb"])
    # analyze and trace read the file too
    data = tmp_path / "d.csv"
    data.write_text("x1,x2,y\n" + "".join(f"{float(a)!r},{float(b)!r},{int(a * a + b * b < 9)}\n"
                                          for a, b in X))
    code, out, _ = run(capsys, "analyze", f"{base}.json", "--data", str(data), "--target", "y",
                       "--gradcheck", "--json")
    assert code == 0 and json.loads(out)["gradcheck"]["passed"]
    code, out, _ = run(capsys, "trace", "--weights", f"{base}.json", "--input", str(data),
                       "--target", "y", "--rows", "4", "--json")
    assert code == 0
    names = [s["name"] for s in json.loads(out)["stages"]]
    assert names[0] == "dense1.forward" and names[-1] == "update"
    assert names.count("loss.forward") == 1 and f"dense{L}.backward" in names
