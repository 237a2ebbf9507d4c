import numpy as np
import pytest

from nnviz.core import init
from nnviz.errors import NnvizError
from nnviz.core.network import Network, transfer_weights


@pytest.mark.parametrize("p,M,expected", [(2, 4, 17), (2, 5, 21), (2, 3, 13), (3, 4, 21),
                                          (1, 1, 4), (30, 32, 1025), (7, 2, 19)])
def test_parameter_count_one_hidden_layer(p, M, expected):
    net = Network([p, M, 1])
    assert net.parameter_count() == expected == (p + 1) * M + M + 1
    assert net.parameter_formula() == f"(p+1)·M + M + 1 = ({p}+1)·{M} + {M} + 1 = {expected}"


def test_parameter_count_deeper():
    net = Network([3, 5, 4, 1], ["relu", "tanh"], "identity")
    assert net.parameter_count() == (3 + 1) * 5 + (5 + 1) * 4 + (4 + 1) * 1 == 49
    assert net.n_layers == 3
    assert net.activations == ["relu", "tanh", "identity"]
    assert "(3+1)·5 + (5+1)·4 + (4+1)·1 = 49" in net.parameter_formula()


def test_weights_are_from_to_and_views_into_params():
    net = Network([2, 3, 1])
    assert net.dense[0].W.shape == (2, 3) and net.dense[0].b.shape == (3,)
    assert net.dense[1].W.shape == (3, 1)
    net.dense[0].W[1, 2] = 5.0
    assert 5.0 in net.params
    X = np.array([[1.0, 0.0]])
    net.params[:] = 0
    net.dense[0].W[0, 1] = 2.0  # from input 0 to hidden unit 1
    z, _ = net.layer_outputs(X)[0]
    np.testing.assert_array_equal(z, [[0.0, 2.0, 0.0]])


def test_bad_shapes_rejected():
    with pytest.raises(NnvizError, match="hidden units"):
        Network([2, 0, 1])
    with pytest.raises(NnvizError, match="one unit"):
        Network([2, 4, 2])
    with pytest.raises(NnvizError, match="unknown activation"):
        Network([2, 4, 1], "swish")
    with pytest.raises(NnvizError, match="hidden units"):
        Network([2, 100000, 1])


def test_transfer_keeps_weights_that_still_apply():
    rng = np.random.default_rng(0)
    old = Network([2, 4, 1])
    init.initialize(old, "uniform", rng)
    new = Network([3, 5, 1])
    new.params[:] = 99.0
    transfer_weights(old, new, [0, None, 1])  # new input 1 is new; new input 2 was old input 1
    np.testing.assert_array_equal(new.dense[0].W[0, :4], old.dense[0].W[0])
    np.testing.assert_array_equal(new.dense[0].W[2, :4], old.dense[0].W[1])
    assert np.all(new.dense[0].W[1] == 99.0) and np.all(new.dense[0].W[:, 4] == 99.0)
    np.testing.assert_array_equal(new.dense[1].W[:4], old.dense[1].W)
    np.testing.assert_array_equal(new.dense[1].b, old.dense[1].b)
    smaller = Network([2, 2, 1])
    transfer_weights(old, smaller)
    np.testing.assert_array_equal(smaller.dense[0].W, old.dense[0].W[:, :2])
    np.testing.assert_array_equal(smaller.dense[1].W, old.dense[1].W[:2])


@pytest.mark.parametrize("method", init.METHODS)
def test_init_methods(method):
    net = Network([2, 8, 1])
    init.initialize(net, method, np.random.default_rng(3))
    W = net.dense[0].W
    if method == "uniform":
        assert W.min() >= -1 and W.max() <= 1 and np.any(net.dense[0].b != 0)
    elif method == "xavier":
        assert np.abs(W).max() <= np.sqrt(6 / 10) and np.all(net.dense[0].b == 0)
    else:
        assert np.all(net.dense[0].b == 0) and W.std() > 0
    with pytest.raises(NnvizError, match="unknown init"):
        init.initialize(net, "zeros", np.random.default_rng(0))
