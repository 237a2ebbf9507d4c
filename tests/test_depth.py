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
