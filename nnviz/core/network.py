"""A dense network: an ordered list of (Dense, Activation) pairs built from layer sizes.

``Network([p, M, 1])`` is the default p→M→1 net; ``Network([p, M1, M2, 1])`` adds a hidden
layer; ``Network([p, 1])`` has none (one dense layer, ŷ = σ(X·W + b): logistic or linear
regression; ``hidden_sizes`` is ``[]``); nothing assumes two layers.
``Network([p, M, K], output_activation="softmax")`` is a K-class classifier (K ≥ 2 outputs, one
probability per class). All parameters live in one flat float64 vector
(``params``), and all gradients in another (``grads``); each layer's W and b are views into it.
"""
from __future__ import annotations

from typing import Sequence

import numpy as np

from nnviz.core import activations
from nnviz.errors import NnvizError
from nnviz.core.layers import Activation, Dense
from nnviz.settings import check_number

from nnviz.settings import MAX_UNITS  # declared once, with the settings
MAX_INPUTS = 1024
from nnviz.settings import MAX_CLASSES  # noqa: E402


class Network:
    def __init__(self, sizes: Sequence[int], hidden_activation: str | Sequence[str] = "tanh",
                 output_activation: str = "sigmoid"):
        sizes = list(sizes)
        if len(sizes) < 2:
            raise NnvizError("a network needs at least an input and an output size")
        sizes = ([check_number("inputs", sizes[0], integer=True, low=1, high=MAX_INPUTS)]
                 + [check_number("hidden units", s, integer=True, low=1, high=MAX_UNITS)
                    for s in sizes[1:-1]]
                 + [check_number("output units", sizes[-1], integer=True)])
        if output_activation == "softmax":
            if not 2 <= sizes[-1] <= MAX_CLASSES:
                raise NnvizError(f"a softmax output layer has one unit per class, 2 to {MAX_CLASSES} "
                                 f"(got {sizes[-1]})")
        elif sizes[-1] != 1:
            raise NnvizError(f"the output layer has one unit (got {sizes[-1]}); "
                             "more than one output needs a softmax (K classes)")
        n_hidden = len(sizes) - 2
        if isinstance(hidden_activation, str):
            hidden_activation = [hidden_activation] * n_hidden
        names = list(hidden_activation) + [output_activation]
        if len(names) != len(sizes) - 1:
            raise NnvizError(f"{len(sizes) - 2} hidden layers need {len(sizes) - 2} activations, got {len(names) - 1}")
        for k, name in enumerate(names, 1):
            if activations.get(name).rowwise and k < len(names):
                raise NnvizError(f"{name} is an output activation (K classes), not one for hidden layer {k}")
        self.sizes = sizes
        total = sum((fi + 1) * fo for fi, fo in zip(sizes[:-1], sizes[1:]))
        self.params = np.zeros(total)
        self.grads = np.zeros(total)
        # 1 where a parameter is a weight, 0 where it is a bias (regularization skips biases).
        self.weight_mask = np.zeros(total)
        self.dense: list[Dense] = []
        self.act: list[Activation] = []
        offset = 0
        for fan_in, fan_out, name in zip(sizes[:-1], sizes[1:], names):
            nw = fan_in * fan_out
            end = offset + nw + fan_out
            self.weight_mask[offset:offset + nw] = 1.0
            # W then b: [W; b] is one (fan_in + 1, fan_out) block of the flat vector.
            self.dense.append(Dense(self.params[offset:end].reshape(fan_in + 1, fan_out),
                                    self.grads[offset:end].reshape(fan_in + 1, fan_out)))
            self.act.append(Activation(name))
            offset = end

    # --- shape ---------------------------------------------------------------------------
    @property
    def n_inputs(self) -> int:
        return self.sizes[0]

    @property
    def hidden_sizes(self) -> list[int]:
        return self.sizes[1:-1]

    @property
    def activations(self) -> list[str]:
        """Activation names, one per dense layer (the last is the output's)."""
        return [a.name for a in self.act]

    @property
    def n_outputs(self) -> int:
        """Output units: 1 (a sigmoid probability or a value) or K (softmax, one per class)."""
        return self.sizes[-1]

    @property
    def n_classes(self) -> int | None:
        """K for a softmax output, 2 for a sigmoid output, None for regression (identity)."""
        name = self.act[-1].name
        return self.sizes[-1] if name == "softmax" else 2 if name == "sigmoid" else None

    @property
    def n_layers(self) -> int:
        """Number of dense layers (hidden layers + 1)."""
        return len(self.dense)

    def parameter_count(self) -> int:
        """Σ (fan_in + 1)·fan_out; (p+1)·M + M + 1 for one hidden layer."""
        return int(self.params.size)

    def parameter_formula(self) -> str:
        """The count written out, e.g. ``(p+1)·M + M + 1 = (2+1)·4 + 4 + 1 = 17``; with K
        outputs ``(p+1)·M + (M+1)·K = (2+1)·6 + (6+1)·3 = 39``; with no hidden layer
        ``(p+1)·1 = (2+1)·1 = 3``; with two ``(p+1)·M₁ + (M₁+1)·M₂ + (M₂+1)·1 =
        (2+1)·8 + (8+1)·6 + (6+1)·1 = 85`` (one term per dense layer: its weights and biases)."""
        s = self.sizes
        if len(s) == 3 and s[2] > 1:
            return (f"(p+1)·M + (M+1)·K = ({s[0]}+1)·{s[1]} + ({s[1]}+1)·{s[2]} = "
                    f"{self.parameter_count()}")
        if len(s) == 3:
            return f"(p+1)·M + M + 1 = ({s[0]}+1)·{s[1]} + {s[1]} + 1 = {self.parameter_count()}"
        sub = str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉")
        hidden = ["M"] if len(s) == 3 else [f"M{k}".translate(sub) for k in range(1, len(s) - 1)]
        names = ["p", *hidden, "1" if s[-1] == 1 else "K"]
        symbolic = " + ".join(f"({a}+1)·{b}" for a, b in zip(names[:-1], names[1:]))
        numeric = " + ".join(f"({a}+1)·{b}" for a, b in zip(s[:-1], s[1:]))
        return f"{symbolic} = {numeric} = {self.parameter_count()}"

    # --- weights -------------------------------------------------------------------------
    def get_weights(self) -> list[tuple[np.ndarray, np.ndarray]]:
        """Copies of (W, b) per dense layer."""
        return [(d.W.copy(), d.b.copy()) for d in self.dense]

    def set_weights(self, weights: Sequence[tuple[np.ndarray, np.ndarray]]) -> None:
        if len(weights) != len(self.dense):
            raise NnvizError(f"expected weights for {len(self.dense)} layers, got {len(weights)}")
        for k, (d, (W, b)) in enumerate(zip(self.dense, weights), 1):
            W = np.asarray(W, dtype=float)
            b = np.asarray(b, dtype=float).reshape(-1)
            if W.shape != d.W.shape or b.shape != d.b.shape:
                raise NnvizError(f"layer {k}: weights {W.shape} and biases {b.shape} do not fit "
                                 f"a layer of shape {d.W.shape}")
            d.W[...] = W
            d.b[...] = b

    def copy(self) -> "Network":
        net = Network(self.sizes, self.activations[:-1], self.activations[-1])
        net.params[...] = self.params
        return net

    # --- inference -----------------------------------------------------------------------
    def layer_outputs(self, X: np.ndarray, dtype=np.float64) -> list[tuple[np.ndarray, np.ndarray]]:
        """(Z, A) per dense layer for X (n, p), computed in ``dtype`` by the layers' own forward
        methods (as X·W + b, the form every export writes). Used for predictions, the analysis
        views and tests: column j of layer k's A is unit j's output over all rows."""
        a = np.asarray(X, dtype=dtype)
        out = []
        for dense, act in zip(self.dense, self.act):
            if dtype != np.float64:
                dense = Dense(dense.Wb.astype(dtype))
            z = dense.forward(a)
            a = act.forward(z)
            out.append((z, a))
        return out

    def predict(self, X: np.ndarray, dtype=np.float64) -> np.ndarray:
        """ŷ (n, 1): probability (sigmoid output) or value (identity output); (n, K) class
        probabilities for a softmax output."""
        return self.layer_outputs(X, dtype)[-1][1]

    def predict_labels(self, X: np.ndarray, dtype=np.float64) -> np.ndarray:
        """(n,) int class indices: argmax of the K probabilities, or ŷ > 0.5 for one sigmoid."""
        p = self.predict(X, dtype)
        return p.argmax(axis=1) if p.shape[1] > 1 else (p[:, 0] > 0.5).astype(np.int64)


def transfer_weights(old: Network, new: Network, input_map: Sequence[int | None] | None = None,
                     layer_map: Sequence[int | None] | None = None) -> None:
    """Copy into ``new`` every weight of ``old`` that still applies after a change of shape.

    ``input_map[i]`` is the index in ``old`` of ``new``'s input i, or None for a new input
    (default: same index). ``layer_map[k]`` is the dense layer of ``old`` that ``new``'s layer k
    takes its weights from, or None for a layer of its own (default: the same index while
    ``old`` has it). Hidden unit j keeps its weights while j exists in both layers; everything
    else in ``new`` keeps the values it already has (its fresh initialisation).
    """
    if input_map is None:
        input_map = [i if i < old.n_inputs else None for i in range(new.n_inputs)]
    if layer_map is None:
        layer_map = [k if k < old.n_layers else None for k in range(new.n_layers)]
    for k, dn in enumerate(new.dense):
        ko = layer_map[k]
        if ko is None:
            continue
        do = old.dense[ko]
        cols = min(do.fan_out, dn.fan_out)
        if k == 0:
            for i_new, i_old in enumerate(input_map):
                if i_old is not None:
                    dn.W[i_new, :cols] = do.W[i_old, :cols]
        else:
            rows = min(do.fan_in, dn.fan_in)
            dn.W[:rows, :cols] = do.W[:rows, :cols]
        dn.b[:cols] = do.b[:cols]


def depth_change_map(old: Network, new: Network) -> list[int | None]:
    """The ``layer_map`` of :func:`transfer_weights` when hidden layers were added or removed
    at the end: the hidden layers both networks have keep their weights, a new hidden layer
    starts fresh, and the output layer keeps its weights when it has the same shape and still
    takes a hidden layer's units (not the inputs)."""
    common = min(old.n_layers, new.n_layers) - 1
    out_new, out_old = new.n_layers - 1, old.n_layers - 1
    keep_output = (out_new > 0 and out_old > 0
                   and old.dense[out_old].W.shape == new.dense[out_new].W.shape)
    return list(range(common)) + [None] * (out_new - common) + [out_old if keep_output else None]
