"""Stages: one forward or backward operation of one layer, the loss, or the update, recorded.

A :class:`Stage` is what the step-through panel and ``nnviz trace`` show: its name (e.g.
``dense1.forward``), its equations in matrix form with the shapes under them, and copies of its
operands and results. The functions here only *describe* an operation the layers already
computed; the math lives once, in :mod:`nnviz.core.layers`, :mod:`nnviz.core.losses` and
:mod:`nnviz.core.optimizers`.

Symbols: X is the batch (m rows), W⁽ᵏ⁾ (fan_in×fan_out) and b⁽ᵏ⁾ (1×fan_out) the k-th dense
layer, Z⁽ᵏ⁾ its pre-activation, H (or H⁽ᵏ⁾ with several hidden layers) the hidden activations,
ŷ the output, e the loss of each row and E the batch loss, δ⁽ᵏ⁾ = ∂e/∂Z⁽ᵏ⁾ row by row.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum

import numpy as np

_SUP = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")


def sup(k: int) -> str:
    """``sup(2)`` → ``⁽²⁾``."""
    return "⁽" + str(k).translate(_SUP) + "⁾"


def shape_text(a) -> str:
    """``[10×2]``; a 1-D bias is shown as the row vector it broadcasts as, ``[1×4]``."""
    a = np.asarray(a)
    if a.ndim == 0:
        return "[1×1]"
    if a.ndim == 1:
        return f"[1×{a.shape[0]}]"
    return "[" + "×".join(str(s) for s in a.shape) + "]"


class StageKind(str, Enum):
    """What a stage does. The values are plain strings (``"dense_forward"``), so a kind compares
    equal to its name and is written as it is in JSON."""

    DENSE_FORWARD = "dense_forward"
    ACTIVATION_FORWARD = "activation_forward"
    LOSS = "loss_forward"
    LOSS_BACKWARD = "loss_backward"
    ACTIVATION_BACKWARD = "activation_backward"
    DENSE_BACKWARD = "dense_backward"
    UPDATE = "update"

    @property
    def phase(self) -> str:
        """``"forward"``, ``"loss"``, ``"backward"`` or ``"update"``."""
        return _PHASES[self]


_PHASES = {StageKind.DENSE_FORWARD: "forward", StageKind.ACTIVATION_FORWARD: "forward",
           StageKind.LOSS: "loss", StageKind.LOSS_BACKWARD: "backward",
           StageKind.ACTIVATION_BACKWARD: "backward", StageKind.DENSE_BACKWARD: "backward",
           StageKind.UPDATE: "update"}


@dataclass
class Stage:
    """One recorded operation.

    ``kind`` says what the operation is and ``layer`` which 1-based dense layer it belongs to
    (None for the loss and the update); code decides by these two, never by the display
    ``name``. ``operands`` and ``results`` map display names (``"W⁽¹⁾"``) to copies of the arrays.
    ``info`` holds what an explanation needs besides the arrays: the activation, loss,
    reduction, m, optimizer and its settings, and (update) the optimizer state before and after
    per parameter (``info["state"]``: name → (before, after)).
    """

    name: str
    title: str
    kind: StageKind
    layer: int | None
    equations: list[str]
    shapes: list[str]
    operands: dict[str, np.ndarray] = field(default_factory=dict)
    results: dict[str, np.ndarray] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    info: dict = field(default_factory=dict)

    @property
    def phase(self) -> str:
        return self.kind.phase

    @property
    def result(self) -> np.ndarray:
        """The main result (the first one)."""
        return next(iter(self.results.values()))

    def to_dict(self) -> dict:
        """JSON-ready: arrays as nested lists."""
        return {
            "name": self.name, "title": self.title, "kind": self.kind.value, "phase": self.phase, "layer": self.layer,
            "equations": self.equations, "shapes": self.shapes, "notes": self.notes,
            "operands": {k: np.asarray(v).tolist() for k, v in self.operands.items()},
            "results": {k: np.asarray(v).tolist() for k, v in self.results.items()},
            "info": _jsonable(self.info),
        }


def _jsonable(v):
    if isinstance(v, dict):
        return {str(k): _jsonable(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return [_jsonable(x) for x in v]
    if isinstance(v, (np.ndarray, np.generic)):
        return np.asarray(v).tolist()
    return v


class Symbols:
    """Display names for a network with ``n_layers`` dense layers."""

    def __init__(self, n_layers: int):
        self.n = n_layers

    def a(self, k: int) -> str:
        """Output of layer k's activation (k = 0 is the input X; k = n is ŷ)."""
        if k == 0:
            return "X"
        if k == self.n:
            return "ŷ"
        return "H" if self.n == 2 else f"H{sup(k)}"

    def unit(self, k: int, j: int, outputs: int = 1) -> str:
        """The name of unit j (from 0) of dense layer k's output (from 0), one name in every
        view: h3 (the only hidden layer), h2.3 (several), ŷ, or ŷ1…ŷK with ``outputs`` = K."""
        if k == self.n - 1:
            return "ŷ" if outputs == 1 else f"ŷ{j + 1}"
        return f"h{j + 1}" if self.n == 2 else f"h{k + 1}.{j + 1}"

    def z(self, k):
        return f"Z{sup(k)}"

    def W(self, k):
        return f"W{sup(k)}"

    def b(self, k):
        return f"b{sup(k)}"

    def delta(self, k):
        return f"δ{sup(k)}"


def _c(a):
    return np.array(a, dtype=float, copy=True)


def dense_forward(sym: Symbols, k: int, x, W, b, z) -> Stage:
    return Stage(
        f"dense{k}.forward", f"Forward: fully connected layer {k}", StageKind.DENSE_FORWARD, k,
        [f"{sym.z(k)} = {sym.a(k - 1)} · {sym.W(k)} + {sym.b(k)}"],
        [f"{shape_text(x)}·{shape_text(W)} + {shape_text(b)} → {shape_text(z)}"],
        {sym.a(k - 1): _c(x), sym.W(k): _c(W), sym.b(k): _c(b)}, {sym.z(k): _c(z)},
        ["Each row is one sample; b is added to every row (broadcasting)."])


def activation_forward(sym: Symbols, k: int, function, z, a) -> Stage:
    results = {sym.a(k): _c(a)}
    notes = [function.formula + (", row by row: each row's values become probabilities that "
                                 "add up to 1 (every ŷ_k depends on every z of its row)."
                                 if function.name == "softmax" else ", element by element.")]
    if function.slope is not None:
        results["a (slopes)"] = _c(function.slope(z))
        notes.append(f"Piecewise linear: {sym.a(k)} = a ⊙ {sym.z(k)}, a = slope of the piece each z is on.")
    return Stage(
        f"activation{k}.forward", f"Forward: activation {function.name} of layer {k}", StageKind.ACTIVATION_FORWARD, k,
        [f"{sym.a(k)} = {function.name}({sym.z(k)})"],
        [f"{shape_text(z)} → {shape_text(a)}"],
        {sym.z(k): _c(z)}, results, notes, {"activation": function.name})


def loss_forward(sym: Symbols, loss, z, a, y, e, E) -> Stage:
    n = sym.n
    m = len(y)
    reduce = "E = (1/m) Σ_rows e" if loss.reduction == "mean" else "E = Σ_rows e"
    operands = {"ŷ": _c(a), "y": _c(y)}
    notes = [f"m = {m} rows in this batch."]
    if loss.name == "log_loss":
        operands = {sym.z(n): _c(z), **operands}
        notes.append("Computed from the logit z as e = softplus(z) − y·z, which never overflows.")
    elif loss.name == "cross_entropy":
        operands = {sym.z(n): _c(z), **operands}
        notes.append("y is one-hot (a 1 at the true class), so e = −log ŷ of the true class. "
                     "The softmax shifts every z by its row's largest value first, so nothing "
                     "overflows; a true class's ŷ below 1e-300 is not logged: that row's e is "
                     "computed from the logits as log Σ_k e^(z_k) − Σ_k y_k·z_k, so log 0 "
                     "never happens.")
    return Stage(
        "loss.forward", f"Loss: {loss.name.replace('_', ' ')}", StageKind.LOSS, None,
        [loss.formula, reduce], [f"{shape_text(a)}, {shape_text(y)} → {shape_text(e)} → E"],
        operands, {"e": _c(e), "E": np.array(E)}, notes,
        {"loss": loss.name, "reduction": loss.reduction, "m": m, "fused": loss.fused,
         "output_activation": loss.output_activation})


def loss_backward(sym: Symbols, loss, a, y, d) -> Stage:
    n = sym.n
    if loss.fused:
        eq = f"{sym.delta(n)} = ∂e/∂{sym.z(n)} = ŷ − y"
        if loss.name == "log_loss":
            note = "∂e/∂ŷ · σ′(z) = (ŷ − y)/(ŷ(1 − ŷ)) · ŷ(1 − ŷ) = ŷ − y: the sigmoid's derivative cancels."
        elif loss.name == "cross_entropy":
            note = ("∂e/∂ŷ · J with ∂e/∂ŷ_k = −y_k/ŷ_k and the softmax Jacobian J = diag(ŷ) − ŷŷᵀ "
                    "gives ŷ − y, row by row: the Jacobian cancels as the sigmoid's derivative does.")
        else:
            note = "∂e/∂ŷ = ŷ − y and the identity output has σ′(z) = 1."
        name = sym.delta(n)
    else:
        eq, note, name = "∂e/∂ŷ = ŷ − y", "Derivative of ½(ŷ − y)² with respect to ŷ.", "∂e/∂ŷ"
    return Stage("loss.backward", "Backward: loss", StageKind.LOSS_BACKWARD, n, [eq],
                 [f"{shape_text(a)} − {shape_text(y)} → {shape_text(d)}"],
                 {"ŷ": _c(a), "y": _c(y)}, {name: _c(d)}, [note],
                 {"loss": loss.name, "reduction": loss.reduction, "m": len(y), "fused": loss.fused})


def activation_backward(sym: Symbols, k: int, function, grad_a, dadz, d) -> Stage:
    return Stage(
        f"activation{k}.backward", f"Backward: activation {function.name} of layer {k}", StageKind.ACTIVATION_BACKWARD, k,
        [f"{sym.delta(k)} = ∂e/∂{sym.a(k)} ⊙ σ′({sym.z(k)})"],
        [f"{shape_text(grad_a)} ⊙ {shape_text(dadz)} → {shape_text(d)}"],
        {f"∂e/∂{sym.a(k)}": _c(grad_a), f"σ′({sym.z(k)})": _c(dadz)}, {sym.delta(k): _c(d)},
        [function.derivative_formula + "; ⊙ multiplies element by element."],
        {"activation": function.name})


def dense_backward(sym: Symbols, k: int, reduction: str, x, delta, W, dW, db, dx) -> Stage:
    f = "(1/m) " if reduction == "mean" else ""
    eqs = [f"∂E/∂{sym.W(k)} = {f}{sym.a(k - 1)}ᵀ · {sym.delta(k)}",
           f"∂E/∂{sym.b(k)} = {f}Σ_rows {sym.delta(k)}"]
    shapes = [f"{shape_text(x.T)}·{shape_text(delta)} → {shape_text(dW)}",
              f"{shape_text(delta)} → {shape_text(db)}"]
    results = {f"∂E/∂{sym.W(k)}": _c(dW), f"∂E/∂{sym.b(k)}": _c(db)}
    if dx is not None:
        eqs.append(f"∂e/∂{sym.a(k - 1)} = {sym.delta(k)} · {sym.W(k)}ᵀ")
        shapes.append(f"{shape_text(delta)}·{shape_text(W.T)} → {shape_text(dx)}")
        results[f"∂e/∂{sym.a(k - 1)}"] = _c(dx)
    return Stage(
        f"dense{k}.backward", f"Backward: fully connected layer {k}", StageKind.DENSE_BACKWARD, k, eqs, shapes,
        {sym.a(k - 1): _c(x), sym.delta(k): _c(delta), sym.W(k): _c(W)}, results,
        [f"{sym.a(k - 1)}ᵀ·{sym.delta(k)} is the sum over rows of the outer products "
         f"{sym.a(k - 1).lower() if k > 1 else 'x'}ᵢᵀ δᵢ, not a Hadamard product."],
        {"reduction": reduction, "m": len(delta)})


def update(sym: Symbols, optimizer, lr: float, l1: float, l2: float, before, grads, after,
           state_before: dict | None = None, state_after: dict | None = None) -> Stage:
    """``before``/``after``: lists of (W, b) per layer; ``grads``: list of (dW, db), the
    gradients the optimizer used (with the penalty, if any); ``state_before``/``state_after``: the optimizer's state
    (flat vectors such as v, m, t) around the update, split here per parameter."""
    reg, penalty = "", ""
    if l2:
        reg, penalty = reg + " + λ₂·W", penalty + " + (λ₂/2)·‖W‖²"
    if l1:
        reg, penalty = reg + " + λ₁·sign(W)", penalty + " + λ₁·‖W‖₁"
    if optimizer.name == "sgd":
        eqs = ["W ← W − η·∂E/∂W", "b ← b − η·∂E/∂b"]
    else:
        eqs = [optimizer.equation, "θ = every W and b"]
    if reg:
        eqs.append(f"∂E/∂W here is the gradient of E{penalty}: the backward pass's ∂E/∂W{reg} "
                   f"(the loss E shown does not include the penalty; biases are not penalised)")
    operands, results = {}, {}
    for k, ((W, b), (dW, db), (W2, b2)) in enumerate(zip(before, grads, after), 1):
        operands[sym.W(k)] = _c(W)
        operands[f"∂E/∂{sym.W(k)}"] = _c(dW)
        operands[sym.b(k)] = _c(b)
        operands[f"∂E/∂{sym.b(k)}"] = _c(db)
        results[f"new {sym.W(k)}"] = _c(W2)
        results[f"new {sym.b(k)}"] = _c(b2)
    notes = [f"η = {lr:g}" + (f", λ₁ = {l1:g}" if l1 else "") + (f", λ₂ = {l2:g}" if l2 else "")]
    info = {"optimizer": optimizer.name, "lr": lr, "l1": l1, "l2": l2,
            "hyper": {k: getattr(optimizer, k) for k in ("beta", "beta1", "beta2", "eps")
                      if hasattr(optimizer, k)}, "state": {}}
    if state_before and state_after:
        info["t"] = int(state_after.get("t", 0))
        for key in state_after:
            if key == "t":
                continue
            offset = 0
            for k, (W, b) in enumerate(before, 1):
                for pname, arr in ((sym.W(k), W), (sym.b(k), b)):
                    size = np.asarray(arr).size
                    sl = slice(offset, offset + size)
                    info["state"][f"{key} {pname}"] = (
                        _c(state_before[key][sl]).reshape(np.shape(arr)),
                        _c(state_after[key][sl]).reshape(np.shape(arr)))
                    offset += size
    return Stage("update", f"Update: {optimizer.name}", StageKind.UPDATE, None, eqs,
                 ["every parameter keeps its shape"], operands, results, notes, info)
