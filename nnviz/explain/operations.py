"""The operations of a training step as a learner reads them, before and after they run.

- :func:`operation_title`: "Layer 1 forward: Z⁽¹⁾ = X·W⁽¹⁾ + b⁽¹⁾", "tanh: H = tanh(Z⁽¹⁾)",
  "Output error δ⁽²⁾ = ŷ − y", "Update: W ← W − η·∂E/∂W", … for any depth. The stages'
  ``name`` (``dense1.forward``) stays the identifier code and tests use; this is the words.
- :func:`planned_operations`: every operation of the next step of a trainer, in order, before
  any of them has run (the step-through list shows them all from the start).
- :func:`panel_arrays`: the arrays the step-through shows; the update as before, change and
  after of every parameter (W, −η·∂E/∂W, W′).
- :func:`panel_decimals`: the decimals each of those arrays is written with.
- :func:`distinct_decimals` / :func:`distinct_digits`: enough digits that a number and its
  updated value are written differently wherever they differ.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from nnviz.core.stages import Stage, StageKind, Symbols
from nnviz.explain.equations import Shown, arrays
from nnviz.explain.text import ROW, cell_decimals, distinct_decimals, distinct_digits  # noqa: F401 (public here)


@dataclass(frozen=True)
class Operation:
    """One operation of a step: its identifier (the stage's ``name``), kind, layer and title."""

    name: str
    kind: StageKind
    layer: int | None
    title: str


def _mean(reduction: str) -> str:
    return "(1/m) " if reduction == "mean" else ""


def operation_title(kind, layer: int | None, n_layers: int, *, activation: str = "σ",
                    loss: str = "", reduction: str = "mean", fused: bool = True,
                    optimizer: str = "sgd") -> str:
    """The learner's name of one operation with its equation. ``n_layers`` counts the dense
    layers (2 for p→M→1, 1 with no hidden layer); ``activation`` is the layer's activation."""
    kind = StageKind(kind)
    sym = Symbols(n_layers)
    k = layer
    if kind is StageKind.DENSE_FORWARD:
        return f"Layer {k} forward: {sym.z(k)} = {sym.a(k - 1)}·{sym.W(k)} + {sym.b(k)}"
    if kind is StageKind.ACTIVATION_FORWARD:
        where = "Output " if k == n_layers else ""
        if activation == "identity":
            return f"{where}identity: {sym.a(k)} = {sym.z(k)}"
        return f"{where}{activation}: {sym.a(k)} = {activation}({sym.z(k)})"
    if kind is StageKind.LOSS:
        words = f" ({loss.replace('_', ' ')})" if loss else ""
        return f"Loss{words}: E = {_mean(reduction)}Σ e over the rows"
    if kind is StageKind.LOSS_BACKWARD:
        if fused:
            return f"Output error {sym.delta(n_layers)} = ŷ − y"
        return "Loss gradient ∂e/∂ŷ = ŷ − y"
    if kind is StageKind.ACTIVATION_BACKWARD:
        return (f"{activation} backward: {sym.delta(k)} = ∂e/∂{sym.a(k)} ⊙ "
                f"{activation}′({sym.z(k)})")
    if kind is StageKind.DENSE_BACKWARD:
        return f"Layer {k} backward: ∂E/∂{sym.W(k)} = {_mean(reduction)}{sym.a(k - 1)}ᵀ·{sym.delta(k)}"
    if kind is StageKind.UPDATE:
        if optimizer == "sgd":
            return "Update: W ← W − η·∂E/∂W"
        return f"Update ({optimizer}): every W and b takes one {optimizer} step"
    return str(kind.value).replace("_", " ").capitalize()


def stage_title(stage: Stage, n_layers: int | None = None) -> str:
    """:func:`operation_title` of a recorded stage (its own title for a kind not known here)."""
    info = stage.info
    try:
        kind = StageKind(stage.kind)
    except ValueError:
        return stage.title
    if n_layers is None:
        n_layers = _layers_of(stage)
    return operation_title(kind, stage.layer, n_layers, activation=info.get("activation", "σ"),
                           loss=info.get("loss", ""), reduction=info.get("reduction", "mean"),
                           fused=info.get("fused", True), optimizer=info.get("optimizer", "sgd"))


def _layers_of(stage: Stage) -> int:
    """The number of dense layers, read from a stage's symbols (ŷ belongs to the last)."""
    if stage.kind is StageKind.LOSS_BACKWARD and stage.layer:
        return stage.layer
    if stage.kind is StageKind.UPDATE:
        return sum(1 for key in stage.operands if key.startswith("W"))
    names = list(stage.operands) + list(stage.results)
    if stage.layer and any(n.startswith("ŷ") for n in names):
        return stage.layer
    return (stage.layer or 0) + 1


def planned_operations(network, loss, optimizer: str = "sgd") -> list[Operation]:
    """Every operation of one training step of ``network`` with ``loss``, in the order the
    trainer runs them: forward layer by layer, the loss, its gradient, backward layer by layer
    (an output activation the loss folds in has no backward of its own), the update."""
    n = network.n_layers
    acts = list(network.activations)
    fused = bool(loss.fused)
    opts = dict(loss=loss.name, reduction=loss.reduction, fused=fused, optimizer=optimizer)
    out = []
    for k in range(1, n + 1):
        out.append(Operation(f"dense{k}.forward", StageKind.DENSE_FORWARD, k,
                             operation_title(StageKind.DENSE_FORWARD, k, n, **opts)))
        out.append(Operation(f"activation{k}.forward", StageKind.ACTIVATION_FORWARD, k,
                             operation_title(StageKind.ACTIVATION_FORWARD, k, n,
                                             activation=acts[k - 1], **opts)))
    out.append(Operation("loss.forward", StageKind.LOSS, None,
                         operation_title(StageKind.LOSS, None, n, **opts)))
    out.append(Operation("loss.backward", StageKind.LOSS_BACKWARD, n,
                         operation_title(StageKind.LOSS_BACKWARD, n, n, **opts)))
    for k in range(n, 0, -1):
        if not (k == n and fused):
            out.append(Operation(f"activation{k}.backward", StageKind.ACTIVATION_BACKWARD, k,
                                 operation_title(StageKind.ACTIVATION_BACKWARD, k, n,
                                                 activation=acts[k - 1], **opts)))
        out.append(Operation(f"dense{k}.backward", StageKind.DENSE_BACKWARD, k,
                             operation_title(StageKind.DENSE_BACKWARD, k, n, **opts)))
    out.append(Operation("update", StageKind.UPDATE, None,
                         operation_title(StageKind.UPDATE, None, n, **opts)))
    return out


# --- the arrays the step-through shows -------------------------------------------------------
def panel_arrays(stage: Stage, notation: str = ROW) -> list:
    """:func:`nnviz.explain.equations.arrays`, except for the update: per parameter its value
    before, its change (−η·∂E/∂W for plain gradient descent, ΔW otherwise) and after, then the
    optimizer's state. The change is after − before, what the update really did."""
    shown = arrays(stage, notation)
    if stage.kind is not StageKind.UPDATE:
        return shown
    by_key = {s.key: s for s in shown}
    sgd = stage.info.get("optimizer", "sgd") == "sgd"
    out = []
    for key in stage.operands:
        if key.startswith("∂") or f"new {key}" not in by_key:
            continue
        old, new = by_key[key], by_key[f"new {key}"]
        grad = by_key.get(f"∂E/∂{key}")
        change = np.asarray(new.values, dtype=float) - np.asarray(old.values, dtype=float)
        name = f"−η·{grad.name}" if sgd and grad is not None else f"Δ{old.name}"
        out += [old, Shown(name, change, "change", f"change {key}", old.transposed, None), new]
    out += [s for s in shown if s.role == "state"]
    return out


def panel_decimals(shown: list, decimals: int | None = None) -> list[int]:
    """The decimals of each array of :func:`panel_arrays` (one per entry, in order), as the
    step-through writes them: from each array's largest entry, except that a parameter before
    and after its update share the decimals that tell them apart wherever they differ.
    ``decimals``: the same number for every array instead."""
    if decimals is not None:
        return [int(decimals)] * len(shown)
    out = []
    for s in shown:
        v = np.asarray(s.values, dtype=float)
        finite = v[np.isfinite(v)]
        out.append(cell_decimals(finite) if finite.size else 2)
    for i, s in enumerate(shown):   # before, change, after: one number of digits
        if s.role == "change" and 0 < i < len(shown) - 1:
            old, new = shown[i - 1], shown[i + 1]
            out[i - 1] = out[i + 1] = distinct_decimals(old.values, new.values,
                                                        cell_decimals(np.abs(old.values)))
    return out
