"""The four views of the math beside a stage: the Hadamard form of a piecewise-linear activation,
the weight gradient as a sum of outer products, the gradient accumulated row by row, and (in
:mod:`nnviz.explain.equations`) the column notation."""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from nnviz.core import activations, losses
from nnviz.core.layers import Activation, Dense
from nnviz.core.stages import Stage, StageKind
from nnviz.explain.text import (COLUMN, OUTER_TERMS, ROW, batch_size, fmt, keys, kind, letter, mat,
                                par, vec)


# --- seed views ----------------------------------------------------------------------------
@dataclass
class SeedView:
    """A seed view's text; ``check`` is the largest absolute difference it verified (or None)."""

    title: str
    lines: list[str] = field(default_factory=list)
    check: float | None = None
    applies: bool = True


def _piecewise_names() -> str:
    """"relu, leaky_relu and identity": the table's piecewise-linear rows."""
    names = [n for n, f in activations.ACTIVATIONS.items() if f.piecewise_linear]
    return ", ".join(names[:-1]) + " and " + names[-1] if len(names) > 1 else "".join(names)


def hadamard_form(stage: Stage, sample: int = 0) -> SeedView:
    """A piecewise-linear σ is σ(z) = a ⊙ z with a the slope of each z's piece."""
    title = "Hadamard form: σ(z) = a ⊙ z"
    kd = kind(stage)
    if kd not in (StageKind.ACTIVATION_FORWARD, StageKind.ACTIVATION_BACKWARD):
        return SeedView(title, ["Go to an activation stage (activation k forward or backward) to "
                                "see σ(z) written as a ⊙ z."], None, False)
    name = stage.info.get("activation", "")
    fn = activations.get(name) if name in activations.ACTIVATIONS else None
    if fn is None or not fn.piecewise_linear:
        return SeedView(title, [f"{name or 'This activation'} is not piecewise linear: its slope changes "
                                "continuously with z, so no constant slope vector a exists. The Hadamard "
                                f"form holds for {_piecewise_names()}."], None, False)
    m = batch_size(stage)
    i = max(0, min(int(sample), m - 1))
    if kd is StageKind.ACTIVATION_BACKWARD:
        g_name, s_name = keys(stage.operands)
        s = np.asarray(stage.operands[s_name], dtype=float)
        return SeedView(title, [
            f"For {name}, σ′(z) is the slope vector a itself: δ = ∂e/∂h ⊙ a.",
            f"sample {i + 1}: a = {vec(s[i])}",
            "The backward pass multiplies by the same a that the forward pass used."], None, True)
    z_name = keys(stage.operands)[0]
    a_name = keys(stage.results)[0]
    z = np.asarray(stage.operands[z_name], dtype=float)
    h = np.asarray(stage.results[a_name], dtype=float)
    slopes = np.asarray(stage.results.get("a (slopes)", fn.slope(z)), dtype=float)
    prod = slopes * z
    diff_all = float(np.max(np.abs(prod - h))) if h.size else 0.0
    rule = fn.slope_rule or "its slope there"
    terms = ", ".join(f"{fmt(a)}·{par(v)}" for a, v in zip(slopes[i], z[i]))
    lines = [
        f"{name} is linear on each piece, so {a_name} = a ⊙ {z_name}: a holds the slope of the piece "
        f"each z is on ({rule}).",
        f"sample {i + 1}:",
        f"    z = {vec(z[i])}",
        f"    a = {vec(slopes[i])}",
        f"a ⊙ z = [{terms}] = {vec(prod[i])}",
        f" σ(z) = {vec(h[i])}",
        f"equal: largest |a ⊙ z − σ(z)| over the whole batch = {fmt(diff_all, 3)}",
        "Another sample, whose z has another sign pattern, gets another a: the layer is a "
        "different linear map in each region of the input space.",
    ]
    return SeedView(title, lines, diff_all, True)


def outer_products(stage: Stage, terms: int = OUTER_TERMS, notation: str = ROW) -> SeedView:
    """∂E/∂W is a sum over the batch of per-sample outer products, not a Hadamard product."""
    title = "Outer products: ∂E/∂W adds one outer product per sample"
    if kind(stage) is not StageKind.DENSE_BACKWARD:
        return SeedView(title, ["Go to a dense backward stage (dense k backward) to see ∂E/∂W as a "
                                "sum of outer products."], None, False)
    x_name, d_name, _ = keys(stage.operands)
    dW_name = keys(stage.results)[0]
    x = np.asarray(stage.operands[x_name], dtype=float)
    d = np.asarray(stage.operands[d_name], dtype=float)
    dW = np.asarray(stage.results[dW_name], dtype=float)
    m, n_in = x.shape
    n_out = d.shape[1]
    mean = stage.info.get("reduction", "mean") == "mean"
    scale = 1.0 / m if mean else 1.0
    xl = letter(x_name)
    total = np.zeros((n_in, n_out))
    for s in range(m):
        total += np.outer(x[s], d[s])
    factor = '(1/m)·' if mean else ''      # written before Σ: E a mean over the batch, or a sum
    col = notation == COLUMN
    if col:
        lines = [f"[{dW_name}ᵀ] = {factor}Σᵢ {{δᵢ}}{{{xl}ᵢ}}ᵀ: each sample adds the outer "
                 f"product of its {{δᵢ}} (a [{n_out}×1] column) and its {{{xl}ᵢ}}ᵀ (a [1×{n_in}] row) "
                 f"→ [{n_out}×{n_in}]."]
    else:
        lines = [f"{dW_name} = {factor}Σᵢ {xl}ᵢᵀ·δᵢ: each sample adds the outer product "
                 f"of its {xl}ᵢᵀ (a [{n_in}×1] column) and its δᵢ (a [1×{n_out}] row) → [{n_in}×{n_out}]."]
    for s in range(min(m, terms)):
        term = np.outer(x[s], d[s])
        if col:
            lines.append(f"sample {s + 1}: {{δ}}{{{xl}}}ᵀ = column {vec(d[s])} times row {vec(x[s])} = {mat(term.T)}")
        else:
            lines.append(f"sample {s + 1}: {xl}ᵀ·δ = column {vec(x[s])} times row {vec(d[s])} = {mat(term)}")
    if m > terms:
        lines.append(f"… {m - terms} more samples")
    shown = total.T if col else total
    diff = float(np.max(np.abs(scale * total - dW))) if dW.size else 0.0
    lines.append(f"sum of all {m}: {mat(shown)}")
    if mean:
        lines.append(f"× 1/m = 1/{m}: {mat(scale * shown)}")
    lines.append(f"= {dW_name} of the engine (largest |difference| {fmt(diff, 3)})")
    lines.append(f"Why not a Hadamard product: δᵢ is [1×{n_out}] and {xl}ᵢ is [1×{n_in}]. ⊙ needs two arrays "
                 f"of the same shape and returns that shape, but ∂E/∂W is [{n_in}×{n_out}]: one number "
                 f"∂E/∂w_rc = {factor}Σᵢ {xl}ᵢr·δᵢc for every (input r, unit c) pair — every product of an "
                 f"element of {xl}ᵢ with an element of δᵢ, which is exactly the outer product.")
    return SeedView(title, lines, diff, True)


def row_by_row_gradients(stages: list[Stage]) -> dict:
    """The batch's gradients computed one row at a time and accumulated.

    Reads X, y, every W and b and the activations from the recorded forward stages, runs a
    forward and a backward pass for each row separately, adds each row's gradient to an
    accumulator and scales once at the end. Returns ``{"dW": [...], "db": [...],
    "partial": [[D after row 1, ...] per layer], "contrib": [[row terms] per layer], "m": m}``.
    """
    by = {(s.kind, s.layer): s for s in stages}
    L = sum(1 for s in stages if s.kind is StageKind.DENSE_FORWARD)
    if L == 0 or (StageKind.LOSS, None) not in by:
        raise ValueError("row by row needs the forward stages and the loss of this step")
    layers, acts = [], []
    for k in range(1, L + 1):
        f = by[(StageKind.DENSE_FORWARD, k)]
        x_name, W_name, b_name = keys(f.operands)
        if k == 1:
            X = np.asarray(f.operands[x_name], dtype=float)
        layers.append(Dense.of(f.operands[W_name], f.operands[b_name]))
        acts.append(Activation(by[(StageKind.ACTIVATION_FORWARD, k)].info["activation"]))
    loss = by[(StageKind.LOSS, None)]
    y = np.asarray(loss.operands["y"], dtype=float)
    fused = loss.info.get("fused", True)
    loss_fn = losses.make(loss.info["loss"], loss.info["output_activation"])
    m = len(X)
    scale = 1.0 / m if loss.info.get("reduction", "mean") == "mean" else 1.0
    DW = [np.zeros_like(d.W) for d in layers]
    Db = [np.zeros_like(d.b) for d in layers]
    partial = [[] for _ in range(L)]
    contrib = [[] for _ in range(L)]
    # The engine's own layers, one row at a time: forward, then backward, adding each row's
    # gradient (the layer writes it into its dW, db) to the accumulators.
    for r in range(m):
        a = X[r:r + 1]
        ins, zs, outs = [], [], []
        for dense, act in zip(layers, acts):
            ins.append(a)
            z = dense.forward(a)
            a = act.forward(z)
            zs.append(z)
            outs.append(a)
        d = loss_fn.backward(zs[-1], a, y[r:r + 1])   # ∂e/∂ŷ (or δ at the logit when fused)
        for k in range(L - 1, -1, -1):
            if k < L - 1 or not fused:
                _, d = acts[k].backward(zs[k], outs[k], d)
            d_in = layers[k].backward(ins[k], d, input_grad=k > 0)
            term = layers[k].dW.copy()          # this row's outer product
            DW[k] += term
            Db[k] += layers[k].db
            partial[k].append(DW[k].copy())
            contrib[k].append(term)
            d = d_in
    return {"dW": [scale * D for D in DW], "db": [scale * D for D in Db], "partial": partial,
            "contrib": contrib, "m": m, "scale": scale}


def row_by_row(stages: list[Stage], stage: Stage | None = None, notation: str = ROW) -> SeedView:
    """The row-by-row view for ``stage`` (a dense backward stage; default: the last recorded
    one) next to the vectorised gradient that stage holds."""
    title = "Row by row: accumulate each row's gradient"
    stage = stage if stage is not None else (stages[-1] if stages else None)
    if stage is None or kind(stage) is not StageKind.DENSE_BACKWARD:
        return SeedView(title, ["Go to a dense backward stage (dense k backward) to compute its "
                                "gradient one row at a time."], None, False)
    try:
        rb = row_by_row_gradients(stages)
    except (ValueError, KeyError):
        return SeedView(title, ["The forward stages of this step are not recorded."], None, False)
    k = stage.layer - 1
    rk = keys(stage.results)
    dW = np.asarray(stage.results[rk[0]], dtype=float)
    db = np.asarray(stage.results[rk[1]], dtype=float)
    diff = max(float(np.max(np.abs(rb["dW"][k] - dW))), float(np.max(np.abs(rb["db"][k] - db))))
    x_name = keys(stage.operands)[0]
    xl = letter(x_name)
    m = rb["m"]
    o = (lambda a: a.T) if notation == COLUMN else (lambda a: a)
    lines = [f"D ← 0; for each row r: forward and backward for that row alone, then "
             f"D ← D + {xl}ᵣᵀ·δᵣ (its gradient); after the batch ∂E/∂W = "
             f"{'(1/m)·' if rb['scale'] != 1 else ''}D."]
    rows = list(range(m)) if m <= 4 else [0, 1, 2, m - 1]
    for r in rows:
        if m > 4 and r == m - 1:
            lines.append(f"… rows 4–{m - 1} the same way")
        lines.append(f"row {r + 1}: + {mat(o(rb['contrib'][k][r]))} → D = {mat(o(rb['partial'][k][r]))}")
    if rb["scale"] != 1:
        lines.append(f"(1/{m})·D = {mat(o(rb['dW'][k]))}")
    lines.append(f"vectorised {rk[0]} = {mat(o(dW))}")
    lines.append(f"largest |row-by-row − vectorised| (W and b) = {fmt(diff, 3)}")
    return SeedView(title, lines, diff, True)
