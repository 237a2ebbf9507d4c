"""The worked examples (nnviz.examples): each gallery example's first step equals an
independent NumPy computation written here, the 3-2-1 logistic example with L2 gives the
published numbers, and a typed problem (one row, no test rows) builds, steps and survives a
session file bit for bit."""
import numpy as np
import pytest

from nnviz import examples
from nnviz.errors import NnvizError
from nnviz.io import session_file

# --- an independent step, written out with NumPy ----------------------------------------------
_F = {"identity": (lambda z: z, lambda z, a: np.ones_like(z)),
      "tanh": (np.tanh, lambda z, a: 1.0 - a * a),
      "sigmoid": (lambda z: 1.0 / (1.0 + np.exp(-z)), lambda z, a: a * (1.0 - a)),
      "relu": (lambda z: np.maximum(z, 0.0), lambda z, a: (z > 0).astype(float))}


def numpy_step(X, y, weights, hidden_act, out_act, loss, lr, reduction="mean", l1=0.0, l2=0.0):
    """(new weights, batch loss E before the step) of one full-batch gradient-descent step."""
    X = np.asarray(X, float)
    y = np.asarray(y, float).reshape(-1, 1)
    Ws = [np.asarray(W, float) for W, _ in weights]
    bs = [np.asarray(b, float) for _, b in weights]
    m = len(X)
    acts = [hidden_act] * (len(Ws) - 1) + [out_act]
    A, Zs, As = X, [], [X]
    for W, b, act in zip(Ws, bs, acts):
        Z = A @ W + b
        A = _F[act][0](Z)
        Zs.append(Z)
        As.append(A)
    yhat = As[-1]
    if loss == "log_loss":
        e = -(y * np.log(yhat) + (1 - y) * np.log(1 - yhat))
        delta = yhat - y                                   # the sigmoid's slope cancels
    else:
        e = 0.5 * (yhat - y) ** 2
        delta = (yhat - y) * _F[out_act][1](Zs[-1], yhat)  # ∂E/∂ŷ = ŷ − y, then the chain rule
    scale = 1.0 / m if reduction == "mean" else 1.0
    E = e.sum() * scale
    new = [None] * len(Ws)
    for k in range(len(Ws) - 1, -1, -1):
        gW = As[k].T @ delta * scale + l2 * Ws[k] + l1 * np.sign(Ws[k])
        gb = delta.sum(axis=0) * scale
        if k:
            delta = (delta @ Ws[k].T) * _F[acts[k - 1]][1](Zs[k - 1], As[k])
        new[k] = (Ws[k] - lr * gW, bs[k] - lr * gb)
    return new, E


@pytest.mark.parametrize("ex", examples.GALLERY, ids=lambda e: e.key)
def test_gallery_step_equals_numpy(ex):
    exp = ex.experiment()
    net = exp.network
    assert exp.dataset.source == {"typed": True}
    assert len(exp.test_idx) == 0 and exp.model.scaler is None
    np.testing.assert_array_equal(exp.F_train, np.array(ex.X))       # the typed numbers, unscaled
    for (W, b), (W0, b0) in zip(net.get_weights(), ex.weights):
        np.testing.assert_array_equal(W, np.array(W0))
        np.testing.assert_array_equal(b, np.array(b0))
    expected, E = numpy_step(ex.X, ex.y, ex.weights, ex.activation, net.activations[-1],
                             exp.model.loss, ex.lr, ex.reduction, ex.l1, ex.l2)
    assert exp.trainer.batch_size == len(ex.X)
    loss = exp.trainer.step()
    assert loss == pytest.approx(E, rel=1e-12, abs=1e-15)
    for (W, b), (We, be) in zip(net.get_weights(), expected):
        np.testing.assert_allclose(W, We, rtol=0, atol=1e-12)
        np.testing.assert_allclose(b, be, rtol=0, atol=1e-12)
    # The recorded step (what the step-through shows) is the same step, bit for bit.
    again = ex.experiment()
    *_, update = list(again.trainer.stage_step())
    assert update.phase == "update"
    np.testing.assert_array_equal(again.network.params, net.params)


def test_smallest_net_by_hand():
    exp = examples.get("one_unit").experiment()
    exp.trainer.step()
    (W, b), = exp.network.get_weights()
    # ŷ = 2·0.5 = 1, ŷ − y = −2, ∂E/∂w = 2·(−2) = −4, w = 0.5 + 0.1·4, b = 0 + 0.1·2
    assert W[0, 0] == pytest.approx(0.9, abs=1e-15)
    assert b[0] == pytest.approx(0.2, abs=1e-15)


def test_squared_error_sign_lowers_the_error():
    """∂E/∂ŷ = ŷ − y: the step lowers the error of the squared-error example (the other sign
    would raise it)."""
    exp = examples.get("two_two_one_squared").experiment()
    stages = {s.name: s for s in exp.trainer.stage_step()}
    yhat = stages["activation2.forward"].result
    y = np.array([[1.0], [0.0]])
    np.testing.assert_array_equal(stages["loss.backward"].result, yhat - y)   # ∂E/∂ŷ = ŷ − y
    np.testing.assert_allclose(stages["activation2.backward"].result,
                               (yhat - y) * yhat * (1 - yhat), rtol=1e-14)
    before = stages["loss.forward"].results["E"]
    assert exp.trainer.step() < before


def test_relu_mask_and_an_unused_unit():
    ex = examples.get("relu_mask")
    exp = ex.experiment()
    stages = {s.name: s for s in exp.trainer.stage_step()}
    mask = stages["activation1.forward"].results["a (slopes)"]
    np.testing.assert_array_equal(mask, [[1, 1, 0], [0, 1, 0]])
    (W1, b1), _ = exp.network.get_weights()
    # unit 3 is off for both rows: its weights do not move
    np.testing.assert_array_equal(W1[:, 2], np.array(ex.weights[0][0])[:, 2])
    assert b1[2] == ex.weights[0][1][2]
    assert W1[0, 0] != ex.weights[0][0][0][0]


def test_logistic_l2_example_reproduces_the_published_step():
    ex = examples.get("logistic_l2")
    exp = ex.experiment()
    assert (exp.config.reduction, exp.config.l2, exp.config.lr, exp.config.optimizer) == \
        ("mean", 0.1, 0.1, "sgd")
    exp.trainer.step()
    W1 = exp.network.dense[0].W
    assert round(W1[2, 0], 6) == 0.493832
    assert round(float(exp.model.predict(exp.dataset.X)[0]), 4) == 0.7395
    assert "0.493832" in ex.description and "0.7395" in ex.description


def test_the_update_says_its_gradient_is_the_penalised_one():
    """With L2 the update uses ∂E/∂W + λ₂·W, the backward operation showed ∂E/∂W: the update's
    equation says so (it wrote "∂E/∂W = (gradient of the data loss) + λ₂·W", one name for
    two numbers beside an E without the penalty)."""
    exp = examples.get("logistic_l2").experiment()
    stages = {s.name: s for s in exp.trainer.stage_step()}
    update, backward = stages["update"], stages["dense1.backward"]
    W, l2 = np.asarray(update.operands["W⁽¹⁾"]), exp.config.l2
    np.testing.assert_allclose(update.operands["∂E/∂W⁽¹⁾"],
                               backward.results["∂E/∂W⁽¹⁾"] + l2 * W, rtol=1e-12)
    assert update.equations[-1] == (
        "∂E/∂W here is the gradient of E + (λ₂/2)·‖W‖²: the backward pass's ∂E/∂W + λ₂·W (the "
        "loss E shown does not include the penalty; biases are not penalised)")


def test_one_row_one_class_builds_with_no_test_rows():
    exp = examples.typed_experiment([[1.0, -2.0]], [1.0], [([[0.5], [0.25]], [0.0])])
    assert exp.dataset.n_samples == 1 and list(exp.train_idx) == [0] and len(exp.test_idx) == 0
    assert exp.dataset.classes == ["0", "1"]
    assert np.isfinite(exp.trainer.step())


def test_k_classes_typed():
    exp = examples.typed_experiment([[1.0], [2.0]], [0.0, 2.0],
                                    [([[0.1, 0.2, 0.3]], [0.0, 0.0, 0.0])],
                                    loss="cross_entropy", classes=3)
    assert exp.network.sizes == [1, 3] and exp.network.activations == ["softmax"]
    assert exp.dataset.n_classes == 3


@pytest.mark.parametrize("kwargs, message", [
    (dict(X=[[1.0, 2.0]], y=[1.0], weights=[([[0.5]], [0.0])]), "layer 1 needs W of shape 2×1"),
    (dict(X=[[1.0]], y=[1.0], weights=[([[0.5]], [0.0])] * 2), "has 1 layers of weights; 2"),
    (dict(X=[[1.0]], y=[0.5], weights=[([[0.5]], [0.0])]), "classification targets must be 0 or 1"),
    (dict(X=[[1.0]], y=[1.0, 0.0], weights=[([[0.5]], [0.0])]), "1 input rows but 2 targets"),
    (dict(X=[[1.0]], y=[1.0], weights=[([[np.nan]], [0.0])]), "not a finite number"),
])
def test_typed_problem_errors(kwargs, message):
    with pytest.raises(NnvizError, match=message):
        examples.typed_problem(kwargs["X"], kwargs["y"], kwargs["weights"])


@pytest.mark.parametrize("key", [e.key for e in examples.GALLERY])
def test_typed_session_round_trip_bit_for_bit(key):
    exp = examples.get(key).experiment()
    state = session_file.from_bytes(session_file.to_bytes(exp))
    back = state.experiment
    assert back.dataset.source == {"typed": True}
    np.testing.assert_array_equal(back.dataset.X, exp.dataset.X)
    np.testing.assert_array_equal(back.dataset.y, exp.dataset.y)
    np.testing.assert_array_equal(back.network.params, exp.network.params)
    assert back.config == exp.config
    exp.trainer.step()
    back.trainer.step()
    assert back.network.params.tobytes() == exp.network.params.tobytes()


def test_typed_data_cannot_be_made_again_from_its_source():
    from nnviz.data import sources
    with pytest.raises(NnvizError, match="typed"):
        sources.regenerate({"typed": True})
