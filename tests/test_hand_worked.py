"""One training step of a 2→2→1 network worked out by hand (relu hidden, sigmoid output,
log-loss, mean over m = 2 rows, SGD with η = 0.5). Every number below is derived in the
comments; the test checks the engine's stages against them."""
import numpy as np
import pytest

from nnviz.core import losses
from nnviz.core.network import Network
from nnviz.core.trainer import Trainer

# Data: two rows (rows are samples).
#   x₁ = [ 1.0, 2.0], y₁ = 1
#   x₂ = [-1.0, 0.5], y₂ = 0
X = np.array([[1.0, 2.0], [-1.0, 0.5]])
Y = np.array([1.0, 0.0])
# Weights "from-to": W⁽¹⁾[i, j] is the weight from input i to hidden unit j.
W1 = np.array([[0.1, -0.2], [0.3, 0.4]])
B1 = np.array([0.0, -0.5])
W2 = np.array([[0.5], [-1.0]])
B2 = np.array([0.2])
LR = 0.5


def _trainer():
    net = Network([2, 2, 1], "relu", "sigmoid")
    net.set_weights([(W1, B1), (W2, B2)])
    return Trainer(net, losses.make("log_loss", "sigmoid"), X, Y, lr=LR, batch_size=2,
                   shuffle=False)


def test_one_step_by_hand():
    stages = {s.name: s for s in _trainer().stage_step()}
    # Z⁽¹⁾ = X·W⁽¹⁾ + b⁽¹⁾
    #   row 1: [1·0.1 + 2·0.3 + 0,  1·(−0.2) + 2·0.4 − 0.5] = [0.7, 0.1]
    #   row 2: [−1·0.1 + 0.5·0.3 + 0, −1·(−0.2) + 0.5·0.4 − 0.5] = [0.05, −0.1]
    np.testing.assert_allclose(stages["dense1.forward"].result, [[0.7, 0.1], [0.05, -0.1]], atol=1e-15)
    # H = relu(Z⁽¹⁾) = [[0.7, 0.1], [0.05, 0]]; slope vector a = [[1, 1], [1, 0]] and H = a ⊙ Z.
    act = stages["activation1.forward"]
    np.testing.assert_allclose(act.results["H"], [[0.7, 0.1], [0.05, 0.0]], atol=1e-15)
    np.testing.assert_array_equal(act.results["a (slopes)"], [[1, 1], [1, 0]])
    # Z⁽²⁾ = H·W⁽²⁾ + b⁽²⁾: row 1: 0.7·0.5 + 0.1·(−1) + 0.2 = 0.45; row 2: 0.05·0.5 + 0 + 0.2 = 0.225
    np.testing.assert_allclose(stages["dense2.forward"].result, [[0.45], [0.225]], atol=1e-15)
    # ŷ = σ(Z⁽²⁾) = [1/(1+e^−0.45), 1/(1+e^−0.225)] = [0.6106392339, 0.5560138905]
    yhat = stages["activation2.forward"].result
    np.testing.assert_allclose(yhat, [[0.610639233949222], [0.5560138905446199]], rtol=1e-12)
    # e = −[y log ŷ + (1−y) log(1−ŷ)]: row 1: −log 0.61063923 = 0.4932489460;
    #   row 2: −log(1 − 0.55601389) = 0.8119620020.  E = (0.4932489460 + 0.8119620020)/2 = 0.6526054740
    loss = stages["loss.forward"]
    np.testing.assert_allclose(loss.results["e"], [[0.4932489459974548], [0.8119620020497037]], rtol=1e-12)
    assert loss.results["E"] == pytest.approx(0.6526054740235793, rel=1e-12)
    # δ⁽²⁾ = ŷ − y = [0.6106392339 − 1, 0.5560138905 − 0] = [−0.3893607661, 0.5560138905]
    d2 = stages["loss.backward"].result
    np.testing.assert_allclose(d2, [[-0.38936076605077796], [0.5560138905446199]], rtol=1e-12)
    # ∂E/∂W⁽²⁾ = (1/m) Hᵀ·δ⁽²⁾ = ½(h₁ δ₁ + h₂ δ₂), a sum of outer products:
    #   [½(0.7·(−0.38936077) + 0.05·0.55601389), ½(0.1·(−0.38936077) + 0·0.55601389)]
    #   = [−0.1223759209, −0.0194680383]
    # ∂E/∂b⁽²⁾ = ½(−0.38936077 + 0.55601389) = 0.0833265622
    # ∂e/∂H = δ⁽²⁾·W⁽²⁾ᵀ = [[−0.38936077·0.5, −0.38936077·(−1)], [0.55601389·0.5, 0.55601389·(−1)]]
    #        = [[−0.1946803830, 0.3893607661], [0.2780069453, −0.5560138905]]
    g2 = stages["dense2.backward"].results
    np.testing.assert_allclose(g2["∂E/∂W⁽²⁾"], [[-0.12237592085415677], [-0.0194680383025389]], rtol=1e-12)
    np.testing.assert_allclose(g2["∂E/∂b⁽²⁾"], [0.08332656224692098], rtol=1e-12)
    np.testing.assert_allclose(g2["∂e/∂H"], [[-0.19468038302538898, 0.38936076605077796],
                                             [0.27800694527230996, -0.5560138905446199]], rtol=1e-12)
    # δ⁽¹⁾ = ∂e/∂H ⊙ relu′(Z⁽¹⁾), relu′ = [[1, 1], [1, 0]] → [[−0.19468038, 0.38936077], [0.27800695, 0]]
    d1 = stages["activation1.backward"].result
    np.testing.assert_allclose(d1, [[-0.19468038302538898, 0.38936076605077796],
                                    [0.27800694527230996, 0.0]], rtol=1e-12)
    # ∂E/∂W⁽¹⁾ = (1/m) Xᵀ·δ⁽¹⁾:
    #   [½(1·(−0.19468038) + (−1)·0.27800695), ½(1·0.38936077 + (−1)·0)] = [−0.2363436641, 0.1946803830]
    #   [½(2·(−0.19468038) + 0.5·0.27800695), ½(2·0.38936077 + 0.5·0)]  = [−0.1251786467, 0.3893607661]
    # ∂E/∂b⁽¹⁾ = ½(δ⁽¹⁾ row 1 + row 2) = [0.0416632811, 0.1946803830]
    g1 = stages["dense1.backward"].results
    np.testing.assert_allclose(g1["∂E/∂W⁽¹⁾"], [[-0.23634366414884947, 0.19468038302538898],
                                               [-0.1251786467073115, 0.38936076605077796]], rtol=1e-12)
    np.testing.assert_allclose(g1["∂E/∂b⁽¹⁾"], [0.04166328112346049, 0.19468038302538898], rtol=1e-12)
    # Update W ← W − η ∂E/∂W with η = 0.5, e.g. W⁽¹⁾₁₁ = 0.1 − 0.5·(−0.2363436641) = 0.2181718321
    up = stages["update"].results
    np.testing.assert_allclose(up["new W⁽¹⁾"], W1 - LR * g1["∂E/∂W⁽¹⁾"], rtol=1e-15)
    assert up["new W⁽¹⁾"][0, 0] == pytest.approx(0.21817183207442474, rel=1e-12)
    np.testing.assert_allclose(up["new b⁽²⁾"], [0.2 - 0.5 * 0.08332656224692098], rtol=1e-12)


def test_fast_step_equals_recorded_step():
    fast, slow = _trainer(), _trainer()
    fast.step()
    list(slow.stage_step())
    np.testing.assert_array_equal(fast.network.params, slow.network.params)
    assert fast.last_loss == slow.last_loss == pytest.approx(0.6526054740235793)


def test_stage_order_walks_forward_then_backward():
    names = [s.name for s in _trainer().stage_step()]
    assert names == ["dense1.forward", "activation1.forward", "dense2.forward", "activation2.forward",
                     "loss.forward", "loss.backward", "dense2.backward", "activation1.backward",
                     "dense1.backward", "update"]
