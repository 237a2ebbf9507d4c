"""What a recorded :class:`~nnviz.core.stages.Stage` means, written out: equations, numbers, seed views.

Everything here reads a stage (and, for the row-by-row view, the stages before it) and returns
text and arrays; nothing is trained or changed. The step-through panel and ``nnviz trace``
show what these functions return.

- :func:`equations`: the equations in matrix form with the shapes under the operands, in the
  row-per-sample notation (Z = X·W + b, seed 003 eq 10.13) or the column notation
  ({Z} = [Wᵀ]{X} ⊕ {B}, seed 001 §5.1).
- :func:`arrays`: every operand and result as that notation orients it (the engine's arrays,
  transposed for the column notation).
- :func:`index_form`: the same numbers for one sample, element by element
  (``z₂ = w₁₂·x₁ + w₂₂·x₂ + b₂ = 0.53·1.2 + (−0.11)·0.4 + 0.05 = 0.642``).
- The seed views: :func:`hadamard_form` (seed 000), :func:`outer_products` (seed 002),
  :func:`row_by_row` (seed 001 §5.2) and :func:`notation_note` (seed 003 / seed 001 §5.1).

Numbers are written with four significant digits and a real minus sign.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from nnviz.core import activations
from nnviz.core.stages import Stage, shape_text

ROW = "row"
COLUMN = "column"
NOTATIONS = (ROW, COLUMN)
MAX_LINES = 6      # index-form lines per block before "… more"
MAX_TERMS = 8      # terms of a sum written out before eliding the middle
OUTER_TERMS = 3    # outer products written out

_SUB = str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉")


# --- formatting ------------------------------------------------------------------------------
def fmt(v: float, digits: int = 4) -> str:
    """``v`` with ``digits`` significant digits and a real minus sign: 0.6106, −0.1947, 1e−08."""
    v = float(v)
    if not math.isfinite(v):
        return "NaN" if math.isnan(v) else ("∞" if v > 0 else "−∞")
    if v == 0:
        return "0"
    s = f"{v:.{digits}g}"
    if "e" in s:
        mant, exp = s.split("e")
        s = f"{mant}e{int(exp)}"
    return s.replace("-", "−")


def par(v: float) -> str:
    """A factor in a product: negative numbers in parentheses, ``(−0.11)``."""
    s = fmt(v)
    return f"({s})" if s.startswith("−") else s


def sub(*idx: int) -> str:
    """Subscript of 1-based indices: ``sub(1, 2)`` → ``₁₂``; ``₁,₁₂`` once an index has two digits."""
    parts = [str(i).translate(_SUB) for i in idx]
    return ("," if any(i >= 10 for i in idx) else "").join(parts)


def vec(values) -> str:
    """``[0.7, 0.1]``."""
    return "[" + ", ".join(fmt(v) for v in np.ravel(values)) + "]"


def mat(a) -> str:
    """A small matrix on one line, rows separated by ``;``: ``[0.1, −0.2; 0.3, 0.4]``."""
    a = np.atleast_2d(np.asarray(a, dtype=float))
    return "[" + "; ".join(", ".join(fmt(v) for v in row) for row in a) + "]"


def _sum_terms(terms: list[str]) -> str:
    if len(terms) > MAX_TERMS:
        terms = terms[:3] + [f"… ({len(terms) - 4} more terms)"] + terms[-1:]
    return " + ".join(terms)


def _letter(name: str) -> str:
    """The element letter of an array's display name: X → x, H⁽¹⁾ → h, ŷ → ŷ (the stage's
    title says which layer)."""
    if name == "ŷ":
        return "ŷ"
    return name[:1].lower()


def _elem(name: str, j: int, n: int) -> str:
    """Element j (0-based) of a row of n: ``h₂``; a single column has no subscript (``ŷ``)."""
    return _letter(name) if n == 1 else _letter(name) + sub(j + 1)


# --- kinds ---------------------------------------------------------------------------------
def kind(stage: Stage) -> str:
    """``dense_forward``, ``activation_forward``, ``loss_forward``, ``loss_backward``,
    ``activation_backward``, ``dense_backward`` or ``update``."""
    if stage.name == "update":
        return "update"
    head, _, tail = stage.name.partition(".")
    base = head.rstrip("0123456789")
    return f"{base}_{tail}"


def _keys(d: dict) -> list[str]:
    return list(d.keys())


def _scale_text(stage: Stage) -> str:
    return "(1/m)·" if stage.info.get("reduction", "mean") == "mean" else ""


# --- equations -------------------------------------------------------------------------------
def equations(stage: Stage, notation: str = ROW) -> list[tuple[str, str]]:
    """(equation, shapes) pairs. Row notation: the engine's own equations. Column notation:
    every sample a column, so each matrix appears transposed ([Wᵀ], {X} of shape p×m)."""
    if notation not in NOTATIONS:
        raise ValueError(f"unknown notation {notation!r}")
    kd = kind(stage)
    if notation == ROW:
        shapes = list(stage.shapes)
        if kd == "update":
            shapes = [_update_shapes(stage)] + [""] * (len(stage.equations) - 1)
        shapes += [""] * (len(stage.equations) - len(shapes))
        return list(zip(stage.equations, shapes))
    return _column_equations(stage, kd)


def _update_shapes(stage: Stage) -> str:
    parts = [f"{k} {shape_text(v)}" for k, v in stage.operands.items() if not k.startswith("∂")]
    return ", ".join(parts) + ": each keeps its shape"


def _col_shape(a) -> str:
    """The shape in column notation: the transpose of :func:`shape_text`'s row form."""
    return shape_text(np.atleast_2d(a).T)


def _column_equations(stage: Stage, kd: str) -> list[tuple[str, str]]:
    ops, res = stage.operands, stage.results
    ok, rk = _keys(ops), _keys(res)
    if kd == "dense_forward":
        x, W, b = ok
        z = rk[0]
        return [(f"{{{z}}} = [{W}ᵀ]·{{{x}}} ⊕ {{{b}}}",
                 f"{_col_shape(ops[W])}·{_col_shape(ops[x])} ⊕ {_col_shape(ops[b])} → {_col_shape(res[z])}")]
    if kd == "activation_forward":
        z, a = ok[0], rk[0]
        return [(f"{{{a}}} = {stage.info.get('activation', 'σ')}({{{z}}})",
                 f"{_col_shape(ops[z])} → {_col_shape(res[a])}")]
    if kd == "loss_forward":
        eq, red = stage.equations[0], stage.equations[1].replace("Σ_rows", "Σ_columns")
        return [(eq + "   (one column per sample)",
                 f"{_col_shape(ops['ŷ'])}, {_col_shape(ops['y'])} → {_col_shape(res['e'])}"),
                (red, "")]
    if kd == "loss_backward":
        d = rk[0]
        return [(f"{{{d}}} = {{ŷ}} ⊖ {{y}}",
                 f"{_col_shape(ops['ŷ'])} ⊖ {_col_shape(ops['y'])} → {_col_shape(res[d])}")]
    if kd == "activation_backward":
        g, s = ok
        d = rk[0]
        return [(f"{{{d}}} = {{{g}}} ⊙ {{{s}}}",
                 f"{_col_shape(ops[g])} ⊙ {_col_shape(ops[s])} → {_col_shape(res[d])}")]
    if kd == "dense_backward":
        x, d, W = ok
        f = _scale_text(stage)
        dW, db = rk[0], rk[1]
        m, n_in = np.shape(ops[x])    # {δ}·{X}ᵀ: [n_out×m]·[m×n_in]
        out = [(f"[{dW}ᵀ] = {f}{{{d}}}·{{{x}}}ᵀ",
                f"{_col_shape(ops[d])}·[{m}×{n_in}] → {_col_shape(res[dW])}"),
               (f"{{{db}}} = {f}Σ_columns {{{d}}}", f"{_col_shape(ops[d])} → {_col_shape(res[db])}")]
        if len(rk) > 2:
            dx = rk[2]
            out.append((f"{{{dx}}} = [{W}]·{{{d}}}",
                        f"{shape_text(ops[W])}·{_col_shape(ops[d])} → {_col_shape(res[dx])}"))
        return out
    if kd == "update":
        opt = stage.info.get("optimizer", "sgd")
        if opt == "sgd":
            eqs = ["[Wᵀ] ← [Wᵀ] ⊖ η·[∂E/∂Wᵀ]", "{b} ← {b} ⊖ η·{∂E/∂b}"]
        else:
            eqs = [stage.equations[0], "θ = every element of every [Wᵀ] and {b}"]
        shapes = ", ".join(f"[{k}ᵀ] {_col_shape(v)}" if np.ndim(v) == 2 else f"{{{k}}} {_col_shape(v)}"
                           for k, v in ops.items() if not k.startswith("∂"))
        return [(eqs[0], shapes + ": each keeps its shape")] + [(e, "") for e in eqs[1:]] + \
            [(e, "") for e in stage.equations[2:] if e.startswith("∂E/∂W =")]
    return [(e, s) for e, s in zip(stage.equations, stage.shapes + [""] * len(stage.equations))]


# --- arrays ----------------------------------------------------------------------------------
@dataclass
class Shown:
    """One array as the panel shows it: display name, values (oriented), role and the key of
    the engine's array in the stage (``key``) and whether it is transposed from it."""

    name: str
    values: np.ndarray
    role: str            # "operand", "result" or "state"
    key: str
    transposed: bool = False
    sample_axis: int | None = None   # 0: rows are samples, 1: columns are samples, None: none


def _per_sample(stage: Stage, key: str, a: np.ndarray) -> bool:
    """True when the array has one row per sample of the batch."""
    m = stage.info.get("m")
    if m is None:
        for v in stage.operands.values():   # dense/activation stages: the input's rows
            if np.ndim(v) == 2:
                m = np.shape(v)[0]
                break
    weightish = key.startswith(("W", "∂E/∂W", "new W", "∂E/∂b", "b", "new b")) or " W" in key \
        or " b" in key
    return a.ndim == 2 and not weightish and a.shape[0] == m


def arrays(stage: Stage, notation: str = ROW) -> list[Shown]:
    """Every operand, result and (update) optimizer state of ``stage``, oriented for ``notation``."""
    out: list[Shown] = []
    groups = [("operand", stage.operands), ("result", stage.results)]
    state = stage.info.get("state") or {}
    if state:
        groups.append(("state", {f"{k} (before)": v[0] for k, v in state.items()}))
        groups.append(("state", {f"{k} (after)": v[1] for k, v in state.items()}))
    for role, d in groups:
        for key, v in d.items():
            a = np.asarray(v, dtype=float)
            per = _per_sample(stage, key, a)
            if notation == ROW:
                out.append(Shown(key, a, role, key, False, 0 if per else None))
                continue
            base, paren, when = key.partition(" (")
            tail = f" ({when}" if paren else ""
            if a.ndim == 0:
                out.append(Shown(key, a, role, key, False, None))
            elif a.ndim == 1:
                out.append(Shown(f"{{{base}}}{tail}", a.reshape(-1, 1), role, key, True, None))
            elif per:
                out.append(Shown(f"{{{base}}}{tail}", a.T, role, key, True, 1))
            else:
                out.append(Shown(f"[{base}ᵀ]{tail}", a.T, role, key, True, None))
    return out


# --- index form ------------------------------------------------------------------------------
def _cap(lines: list[str], total: int, what: str) -> list[str]:
    if total > len(lines):
        lines.append(f"… and {total - len(lines)} more {what}")
    return lines


def index_form(stage: Stage, sample: int = 0, notation: str = ROW) -> list[str]:
    """The stage's numbers for one sample (0-based row of the batch), element by element."""
    kd = kind(stage)
    fn = globals().get(f"_index_{kd}")
    if fn is None:
        return []
    m = _batch_size(stage)
    if kd != "update" and m:
        sample = max(0, min(int(sample), m - 1))
    lines = fn(stage, sample)
    if notation == COLUMN and lines and kd == "dense_forward":
        x_name = _keys(stage.operands)[0]
        lines[0] = lines[0].replace(f"{x_name} row {sample + 1}", f"column {sample + 1} of {{{x_name}}}")
    return lines


def notes(stage: Stage, notation: str = ROW) -> list[str]:
    """The stage's notes, reworded for the column notation where they speak of rows."""
    if notation == ROW:
        return list(stage.notes)
    kd = kind(stage)
    if kd == "dense_forward":
        return ["Each column is one sample; {b} is added to every column."]
    if kd == "dense_backward":
        x_name, d_name, _ = _keys(stage.operands)
        return [f"{{{d_name}}}·{{{x_name}}}ᵀ is the sum over samples of the outer products "
                f"{{δᵢ}}{{{_letter(x_name)}ᵢ}}ᵀ (seed 002), not a Hadamard product."]
    return [n.replace("Σ_rows", "Σ_columns") for n in stage.notes]


def _batch_size(stage: Stage) -> int:
    if "m" in stage.info:
        return int(stage.info["m"])
    for v in stage.operands.values():
        if np.ndim(v) == 2:
            return int(np.shape(v)[0])
    return 0


def _index_dense_forward(stage: Stage, i: int) -> list[str]:
    x_name, W_name, b_name = _keys(stage.operands)
    z_name = _keys(stage.results)[0]
    x, W, b = (np.asarray(stage.operands[k], dtype=float) for k in (x_name, W_name, b_name))
    z = np.asarray(stage.results[z_name], dtype=float)
    n_in, n_out = W.shape
    xl, zl = _letter(x_name), _letter(z_name)
    lines = [f"sample {i + 1}: {x_name} row {i + 1} = {vec(x[i])}"]
    for j in range(min(n_out, MAX_LINES)):
        sym = [f"w{sub(r + 1, j + 1)}·{xl}{sub(r + 1)}" for r in range(n_in)]
        num = [f"{par(W[r, j])}·{par(x[i, r])}" for r in range(n_in)]
        lhs = f"{zl}{sub(j + 1)}" if n_out > 1 else zl
        bsym = f"b{sub(j + 1)}" if n_out > 1 else "b"
        lines.append(f"{lhs} = {_sum_terms(sym + [bsym])} = {_sum_terms(num + [par(b[j])])} = {fmt(z[i, j])}")
    return _cap(lines, n_out + 1, "units")


def _element_forms(name: str):
    """The symbolic and numeric templates of one unit's activation line (the table's row)."""
    fn = activations.ACTIVATIONS.get(name)
    if fn is None or fn.element_formula is None:
        return "{a} = σ({z})", "σ({zv})"
    return fn.element_formula, fn.element_numeric


def _index_activation_forward(stage: Stage, i: int) -> list[str]:
    z_name = _keys(stage.operands)[0]
    a_name = _keys(stage.results)[0]
    z = np.asarray(stage.operands[z_name], dtype=float)
    a = np.asarray(stage.results[a_name], dtype=float)
    sym_t, num_t = _element_forms(stage.info.get("activation", ""))
    n = z.shape[1]
    lines = [f"sample {i + 1}:"]
    for j in range(min(n, MAX_LINES)):
        zs, as_ = _elem(z_name, j, n), _elem(a_name, j, n)
        template = num_t(z[i, j]) if callable(num_t) else num_t   # a callable: the piece z is on
        num = template.format(zv=fmt(z[i, j]), zvp=par(z[i, j]))
        lines.append(f"{sym_t.format(a=as_, z=zs)} = {num} = {fmt(a[i, j])}")
    return _cap(lines, n + 1, "units")


def _index_loss_forward(stage: Stage, i: int) -> list[str]:
    yh = np.asarray(stage.operands["ŷ"], dtype=float)[:, 0]
    y = np.asarray(stage.operands["y"], dtype=float)[:, 0]
    e = np.asarray(stage.results["e"], dtype=float)[:, 0]
    E = float(stage.results["E"])
    m = len(e)
    k = sub(i + 1)
    if stage.info.get("loss") == "log_loss":
        line = (f"e{k} = −[y{k}·log ŷ{k} + (1 − y{k})·log(1 − ŷ{k})] = "
                f"−[{par(y[i])}·log({fmt(yh[i])}) + {par(1 - y[i])}·log({fmt(1 - yh[i])})] = {fmt(e[i])}")
    else:
        line = f"e{k} = ½(ŷ{k} − y{k})² = ½·({fmt(yh[i])} − {par(y[i])})² = {fmt(e[i])}"
    terms = [fmt(v) for v in e]
    if stage.info.get("reduction", "mean") == "mean":
        total = f"E = (1/m)·Σᵢ eᵢ = (1/{m})·({_sum_terms(terms)}) = {fmt(E)}"
    else:
        total = f"E = Σᵢ eᵢ = {_sum_terms(terms)} = {fmt(E)}"
    return [line, total]


def _index_loss_backward(stage: Stage, i: int) -> list[str]:
    yh = np.asarray(stage.operands["ŷ"], dtype=float)[:, 0]
    y = np.asarray(stage.operands["y"], dtype=float)[:, 0]
    name = _keys(stage.results)[0]
    d = np.asarray(stage.results[name], dtype=float)[:, 0]
    k = sub(i + 1)
    lhs = f"δ{k}" if name.startswith("δ") else f"∂e{k}/∂ŷ{k}"
    return [f"{lhs} = ŷ{k} − y{k} = {fmt(yh[i])} − {par(y[i])} = {fmt(d[i])}"]


def _index_activation_backward(stage: Stage, i: int) -> list[str]:
    g_name, s_name = _keys(stage.operands)
    d_name = _keys(stage.results)[0]
    g = np.asarray(stage.operands[g_name], dtype=float)
    s = np.asarray(stage.operands[s_name], dtype=float)
    d = np.asarray(stage.results[d_name], dtype=float)
    n = g.shape[1]
    a_letter = _letter(g_name.split("∂")[-1])
    z_letter = "z"
    lines = [f"sample {i + 1}:"]
    for j in range(min(n, MAX_LINES)):
        sj = sub(j + 1) if n > 1 else ""
        lines.append(f"δ{sj} = ∂e/∂{a_letter}{sj}·σ′({z_letter}{sj}) = {par(g[i, j])}·{par(s[i, j])} = {fmt(d[i, j])}")
    return _cap(lines, n + 1, "units")


def _index_dense_backward(stage: Stage, i: int) -> list[str]:
    x_name, d_name, W_name = _keys(stage.operands)
    rk = _keys(stage.results)
    x = np.asarray(stage.operands[x_name], dtype=float)
    d = np.asarray(stage.operands[d_name], dtype=float)
    W = np.asarray(stage.operands[W_name], dtype=float)
    dW = np.asarray(stage.results[rk[0]], dtype=float)
    db = np.asarray(stage.results[rk[1]], dtype=float)
    m, n_in = x.shape
    n_out = d.shape[1]
    xl = _letter(x_name)
    mean = stage.info.get("reduction", "mean") == "mean"
    scale = f"(1/{m})·" if mean else ""
    lines = [f"sample {i + 1}'s share of ∂E/∂W (its outer product {xl}ᵀδ):"]
    pairs = [(r, c) for r in range(n_in) for c in range(n_out)]
    for r, c in pairs[:MAX_LINES]:
        lines.append(f"  {xl}{sub(r + 1)}·δ{sub(c + 1)} = {par(x[i, r])}·{par(d[i, c])} = {fmt(x[i, r] * d[i, c])}")
    _cap(lines, len(pairs) + 1, "weights")
    lines.append("the whole batch:")
    for r, c in pairs[:MAX_LINES]:
        terms = [f"{par(x[s, r])}·{par(d[s, c])}" for s in range(m)]
        lines.append(f"  ∂E/∂w{sub(r + 1, c + 1)} = {scale}Σᵢ {xl}ᵢ{sub(r + 1)}·δᵢ{sub(c + 1)} = "
                     f"{scale}({_sum_terms(terms)}) = {fmt(dW[r, c])}")
    for c in range(min(n_out, MAX_LINES)):
        terms = [par(d[s, c]) for s in range(m)]
        lines.append(f"  ∂E/∂b{sub(c + 1)} = {scale}Σᵢ δᵢ{sub(c + 1)} = {scale}({_sum_terms(terms)}) = {fmt(db[c])}")
    if len(rk) > 2:
        dx = np.asarray(stage.results[rk[2]], dtype=float)
        lines.append(f"sample {i + 1}, passed back to the layer before:")
        for r in range(min(n_in, MAX_LINES)):
            sym = [f"δ{sub(c + 1)}·w{sub(r + 1, c + 1)}" for c in range(n_out)]
            num = [f"{par(d[i, c])}·{par(W[r, c])}" for c in range(n_out)]
            lines.append(f"  ∂e/∂{xl}{sub(r + 1)} = {_sum_terms(sym)} = {_sum_terms(num)} = {fmt(dx[i, r])}")
        _cap(lines, len(lines) + n_in - min(n_in, MAX_LINES), "inputs")
    return lines


def _index_update(stage: Stage, i: int) -> list[str]:
    info = stage.info
    opt, lr = info.get("optimizer", "sgd"), info.get("lr", float("nan"))
    hyper, state, t = info.get("hyper", {}), info.get("state", {}), info.get("t", 0)
    lines = [f"the same for every sample (η = {fmt(lr)}):"]
    for key in stage.operands:
        if key.startswith("∂"):
            continue
        old = np.asarray(stage.operands[key], dtype=float).reshape(-1)
        g = np.asarray(stage.operands[f"∂E/∂{key}"], dtype=float).reshape(-1)
        new = np.asarray(stage.results[f"new {key}"], dtype=float).reshape(-1)
        shape = np.shape(stage.operands[key])
        letter = key[0].lower()
        for flat in range(min(old.size, 2)):
            idx = np.unravel_index(flat, shape) if len(shape) == 2 else (flat,)
            p = f"{letter}{sub(*(int(v) + 1 for v in idx))}{key[1:]}"
            if opt == "sgd":
                lines.append(f"{p} ← {p} − η·∂E/∂{p} = {fmt(old[flat])} − {fmt(lr)}·{par(g[flat])} = {fmt(new[flat])}")
            elif opt == "momentum" and f"v {key}" in state:
                v0, v1 = (np.asarray(a).reshape(-1)[flat] for a in state[f"v {key}"])
                beta = hyper.get("beta", 0.9)
                lines.append(f"v ← β·v + ∂E/∂{p} = {fmt(beta)}·{par(v0)} + {par(g[flat])} = {fmt(v1)};  "
                             f"{p} ← {p} − η·v = {fmt(old[flat])} − {fmt(lr)}·{par(v1)} = {fmt(new[flat])}")
            elif opt == "adam" and f"m {key}" in state:
                m0, m1 = (np.asarray(a).reshape(-1)[flat] for a in state[f"m {key}"])
                v0, v1 = (np.asarray(a).reshape(-1)[flat] for a in state[f"v {key}"])
                b1, b2 = hyper.get("beta1", 0.9), hyper.get("beta2", 0.999)
                mh, vh = m1 / (1 - b1 ** t), v1 / (1 - b2 ** t)
                lines.append(f"m ← {fmt(b1)}·{par(m0)} + {fmt(1 - b1)}·{par(g[flat])} = {fmt(m1)};  "
                             f"v ← {fmt(b2)}·{par(v0)} + {fmt(1 - b2)}·{par(g[flat])}² = {fmt(v1)}")
                lines.append(f"  t = {t}: m̂ = {fmt(mh)}, v̂ = {fmt(vh)};  {p} ← {p} − η·m̂/(√v̂ + ε) = "
                             f"{fmt(old[flat])} − {fmt(lr)}·{par(mh)}/({fmt(math.sqrt(max(vh, 0.0)))} + ε) = {fmt(new[flat])}")
            else:
                lines.append(f"{p}: {fmt(old[flat])} → {fmt(new[flat])}")
        if old.size > 2:
            lines.append(f"  … and the other {old.size - 2} entries of {key} the same way")
    if info.get("l1") or info.get("l2"):
        lines.append("∂E/∂w here includes the penalty; the biases have none.")
    return lines


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
    """Seed 000: a piecewise-linear σ is σ(z) = a ⊙ z with a the slope of each z's piece."""
    title = "Hadamard form (seed 000): σ(z) = a ⊙ z"
    kd = kind(stage)
    if kd not in ("activation_forward", "activation_backward"):
        return SeedView(title, ["Go to an activation stage (activation k forward or backward) to "
                                "see σ(z) written as a ⊙ z."], None, False)
    name = stage.info.get("activation", "")
    fn = activations.get(name) if name in activations.ACTIVATIONS else None
    if fn is None or not fn.piecewise_linear:
        return SeedView(title, [f"{name or 'This activation'} is not piecewise linear: its slope changes "
                                "continuously with z, so no constant slope vector a exists. The Hadamard "
                                f"form holds for {_piecewise_names()}."], None, False)
    m = _batch_size(stage)
    i = max(0, min(int(sample), m - 1))
    if kd == "activation_backward":
        g_name, s_name = _keys(stage.operands)
        s = np.asarray(stage.operands[s_name], dtype=float)
        return SeedView(title, [
            f"For {name}, σ′(z) is the slope vector a itself: δ = ∂e/∂h ⊙ a.",
            f"sample {i + 1}: a = {vec(s[i])}",
            "The backward pass multiplies by the same a that the forward pass used."], None, True)
    z_name = _keys(stage.operands)[0]
    a_name = _keys(stage.results)[0]
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
        f"sample {i + 1}:  z = {vec(z[i])}",
        f"             a = {vec(slopes[i])}",
        f"         a ⊙ z = [{terms}] = {vec(prod[i])}",
        f"          σ(z) = {vec(h[i])}",
        f"equal: largest |a ⊙ z − σ(z)| over the whole batch = {fmt(diff_all, 3)}",
        "The same z with another sign pattern gives another a: the layer is a different linear map "
        "in each region of the input space.",
    ]
    return SeedView(title, lines, diff_all, True)


def outer_products(stage: Stage, terms: int = OUTER_TERMS, notation: str = ROW) -> SeedView:
    """Seed 002: ∂E/∂W is a sum over the batch of per-sample outer products, not a Hadamard product."""
    title = "Outer products (seed 002): ∂E/∂W = Σ over samples of δ·aᵀ"
    if kind(stage) != "dense_backward":
        return SeedView(title, ["Go to a dense backward stage (dense k backward) to see ∂E/∂W as a "
                                "sum of outer products."], None, False)
    x_name, d_name, _ = _keys(stage.operands)
    dW_name = _keys(stage.results)[0]
    x = np.asarray(stage.operands[x_name], dtype=float)
    d = np.asarray(stage.operands[d_name], dtype=float)
    dW = np.asarray(stage.results[dW_name], dtype=float)
    m, n_in = x.shape
    n_out = d.shape[1]
    mean = stage.info.get("reduction", "mean") == "mean"
    scale = 1.0 / m if mean else 1.0
    xl = _letter(x_name)
    total = np.zeros((n_in, n_out))
    for s in range(m):
        total += np.outer(x[s], d[s])
    col = notation == COLUMN
    if col:
        lines = [f"[{dW_name}ᵀ] = {'(1/m)·' if mean else ''}Σᵢ {{δᵢ}}{{{xl}ᵢ}}ᵀ: each sample adds the outer "
                 f"product of its δ (a [{n_out}×1] column) and its {xl} (a [1×{n_in}] row) → [{n_out}×{n_in}]."]
    else:
        lines = [f"{dW_name} = {'(1/m)·' if mean else ''}Σᵢ {xl}ᵢᵀ·δᵢ: each sample adds the outer product "
                 f"of its {xl} (a [{n_in}×1] column) and its δ (a [1×{n_out}] row) → [{n_in}×{n_out}]."]
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
                 f"∂E/∂w_rc = Σᵢ {xl}ᵢr·δᵢc for every (input r, unit c) pair — every product of an "
                 f"element of {xl}ᵢ with an element of δᵢ, which is exactly the outer product.")
    return SeedView(title, lines, diff, True)


def row_by_row_gradients(stages: list[Stage]) -> dict:
    """Seed 001 §5.2: the batch's gradients computed one row at a time and accumulated.

    Reads X, y, every W and b and the activations from the recorded forward stages, runs a
    forward and a backward pass for each row separately, adds each row's gradient to an
    accumulator and scales once at the end. Returns ``{"dW": [...], "db": [...],
    "partial": [[D after row 1, ...] per layer], "contrib": [[row terms] per layer], "m": m}``.
    """
    by = {s.name: s for s in stages}
    L = sum(1 for s in stages if kind(s) == "dense_forward")
    if L == 0 or "loss.forward" not in by:
        raise ValueError("row by row needs the forward stages and the loss of this step")
    Ws, bs, fns = [], [], []
    for k in range(1, L + 1):
        f = by[f"dense{k}.forward"]
        x_name, W_name, b_name = _keys(f.operands)
        if k == 1:
            X = np.asarray(f.operands[x_name], dtype=float)
        Ws.append(np.asarray(f.operands[W_name], dtype=float))
        bs.append(np.asarray(f.operands[b_name], dtype=float))
        fns.append(activations.get(by[f"activation{k}.forward"].info["activation"]))
    loss = by["loss.forward"]
    y = np.asarray(loss.operands["y"], dtype=float)
    fused = loss.info.get("fused", True)
    m = len(X)
    scale = 1.0 / m if loss.info.get("reduction", "mean") == "mean" else 1.0
    DW = [np.zeros_like(W) for W in Ws]
    Db = [np.zeros_like(b) for b in bs]
    partial = [[] for _ in range(L)]
    contrib = [[] for _ in range(L)]
    for r in range(m):
        a = X[r:r + 1]
        ins, zs, outs = [], [], []
        for W, b, fn in zip(Ws, bs, fns):
            ins.append(a)
            z = a @ W + b
            a = fn.value(z)
            zs.append(z)
            outs.append(a)
        d = a - y[r:r + 1]               # ∂e/∂ŷ (or δ at the logit when fused)
        if not fused:
            d = d * fns[-1].derivative(zs[-1], outs[-1])
        for k in range(L - 1, -1, -1):
            term = ins[k].T @ d          # this row's outer product
            DW[k] += term
            Db[k] += d[0]
            partial[k].append(DW[k].copy())
            contrib[k].append(term)
            if k:
                d = (d @ Ws[k].T) * fns[k - 1].derivative(zs[k - 1], outs[k - 1])
    return {"dW": [scale * D for D in DW], "db": [scale * D for D in Db], "partial": partial,
            "contrib": contrib, "m": m, "scale": scale}


def row_by_row(stages: list[Stage], stage: Stage | None = None, notation: str = ROW) -> SeedView:
    """The row-by-row view for ``stage`` (a dense backward stage; default: the last recorded
    one) next to the vectorised gradient that stage holds."""
    title = "Row by row (seed 001 §5.2): accumulate each row's gradient"
    stage = stage if stage is not None else (stages[-1] if stages else None)
    if stage is None or kind(stage) != "dense_backward":
        return SeedView(title, ["Go to a dense backward stage (dense k backward) to compute its "
                                "gradient one row at a time."], None, False)
    try:
        rb = row_by_row_gradients(stages)
    except (ValueError, KeyError):
        return SeedView(title, ["The forward stages of this step are not recorded."], None, False)
    k = stage.layer - 1
    rk = _keys(stage.results)
    dW = np.asarray(stage.results[rk[0]], dtype=float)
    db = np.asarray(stage.results[rk[1]], dtype=float)
    diff = max(float(np.max(np.abs(rb["dW"][k] - dW))), float(np.max(np.abs(rb["db"][k] - db))))
    x_name = _keys(stage.operands)[0]
    xl = _letter(x_name)
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


def notation_note(stage: Stage, notation: str = ROW, sample: int = 0) -> list[str]:
    """Seed 003 / seed 001 §5.1: the one-sample equation the batch equation stacks."""
    if kind(stage) != "dense_forward":
        if notation == COLUMN:
            return ["Column notation (seed 001): every sample is a column; matrices appear "
                    "transposed ([Wᵀ] is fan_out×fan_in)."]
        return ["Row notation (seed 003 eq 10.13): every sample is a row; W is fan_in×fan_out."]
    x_name, W_name, b_name = _keys(stage.operands)
    z_name = _keys(stage.results)[0]
    W = np.asarray(stage.operands[W_name])
    n_in, n_out = W.shape
    m = np.shape(stage.operands[x_name])[0]
    i = max(0, min(int(sample), m - 1)) + 1
    xl, zl = _letter(x_name), _letter(z_name)
    if notation == COLUMN:
        return [f"one sample (a column): {{{zl}ᵢ}} = [{W_name}ᵀ]·{{{xl}ᵢ}} ⊕ {{{b_name}}}   "
                f"[{n_out}×{n_in}]·[{n_in}×1] ⊕ [{n_out}×1] → [{n_out}×1]  (seed 001 eq 5, seed 003 eq 10.9)",
                f"the {m} samples side by side as columns give {{{z_name}}} = [{W_name}ᵀ]·{{{x_name}}} ⊕ {{{b_name}}}; "
                f"sample {i} is column {i}."]
    return [f"one sample (a row): {zl}ᵢᵀ = {xl}ᵢᵀ·{W_name} + {b_name}   "
            f"[1×{n_in}]·[{n_in}×{n_out}] + [1×{n_out}] → [1×{n_out}]  (seed 003 eq 10.10)",
            f"the {m} rows stacked give {z_name} = {x_name}·{W_name} + {b_name} (seed 003 eq 10.13): "
            f"{b_name} is added to every row; sample {i} is row {i}."]


# --- everything, as text ---------------------------------------------------------------------
def stage_text(stage: Stage, sample: int = 0, notation: str = ROW, stages: list[Stage] | None = None,
               views: tuple[str, ...] = ()) -> str:
    """The panel's text for ``stage`` as plain lines: title, equations with shapes, notes,
    index form for ``sample`` and the seed ``views`` asked for ("hadamard", "outer", "rows")."""
    out = [stage.title]
    for eq, shp in equations(stage, notation):
        out.append(f"  {eq}" + (f"   {shp}" if shp else ""))
    out += [f"  {n}" for n in notes(stage, notation)]
    out += [f"  {n}" for n in notation_note(stage, notation, sample)]
    idx = index_form(stage, sample, notation)
    if idx:
        out.append("Index form")
        out += [f"  {line}" for line in idx]
    for v in views:
        view = {"hadamard": lambda: hadamard_form(stage, sample),
                "outer": lambda: outer_products(stage, notation=notation),
                "rows": lambda: row_by_row(stages or [stage], stage, notation)}[v]()
        out.append(view.title)
        out += [f"  {line}" for line in view.lines]
    return "\n".join(out)
