"""What a recorded :class:`~nnviz.core.stages.Stage` means, written out: equations, numbers, views.

Everything here reads a stage (and, for the row-by-row view, the stages before it) and returns
text and arrays; nothing is trained or changed. The step-through panel and ``nnviz trace``
show what these functions return.

- :func:`equations`: the equations in matrix form with the shapes under the operands, in the
  row-per-sample notation (Z = X·W + b) or the column notation ({Z} = [Wᵀ]{X} ⊕ {B}).
- :func:`arrays`: every operand and result as that notation orients it (the engine's arrays,
  transposed for the column notation).
- :func:`index_form`: the same numbers for one sample, element by element
  (``z₂ = w₁₂·x₁ + w₂₂·x₂ + b₂ = 0.53·1.2 + (−0.11)·0.4 + 0.05 = 0.642``).
- The views (:mod:`nnviz.explain.views`): :func:`hadamard_form`, :func:`outer_products`,
  :func:`row_by_row`, and :func:`notation_note` (one sample's equation in either notation).

Numbers are written with four significant digits and a real minus sign.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from nnviz.core.stages import Stage, StageKind, shape_text  # noqa: F401  (shape_text: a public name here)
# What the step-through and ``nnviz trace`` use, in one namespace.
from nnviz.explain.index_form import index_form  # noqa: F401
from nnviz.explain.text import (COLUMN, NOTATIONS, ROW, batch_size, fmt, keys, kind,  # noqa: F401
                                letter, mat, par, scale_text, sub, vec)
from nnviz.explain.views import (hadamard_form, outer_products, row_by_row,  # noqa: F401
                                 row_by_row_gradients)


# --- equations -------------------------------------------------------------------------------
def equations(stage: Stage, notation: str = ROW) -> list[tuple[str, str]]:
    """(equation, shapes) pairs. Row notation: the engine's own equations. Column notation:
    every sample a column, so each matrix appears transposed ([Wᵀ], {X} of shape p×m)."""
    if notation not in NOTATIONS:
        raise ValueError(f"unknown notation {notation!r}")
    kd = kind(stage)
    if notation == ROW:
        shapes = list(stage.shapes)
        if kd is StageKind.UPDATE:
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
    ok, rk = keys(ops), keys(res)
    if kd is StageKind.DENSE_FORWARD:
        x, W, b = ok
        z = rk[0]
        return [(f"{{{z}}} = [{W}ᵀ]·{{{x}}} ⊕ {{{b}}}",
                 f"{_col_shape(ops[W])}·{_col_shape(ops[x])} ⊕ {_col_shape(ops[b])} → {_col_shape(res[z])}")]
    if kd is StageKind.ACTIVATION_FORWARD:
        z, a = ok[0], rk[0]
        return [(f"{{{a}}} = {stage.info.get('activation', 'σ')}({{{z}}})",
                 f"{_col_shape(ops[z])} → {_col_shape(res[a])}")]
    if kd is StageKind.LOSS:
        eq, red = stage.equations[0], stage.equations[1].replace("Σ_rows", "Σ_columns")
        return [(eq + "   (one column per sample)",
                 f"{_col_shape(ops['ŷ'])}, {_col_shape(ops['y'])} → {_col_shape(res['e'])}"),
                (red, "")]
    if kd is StageKind.LOSS_BACKWARD:
        d = rk[0]
        return [(f"{{{d}}} = {{ŷ}} ⊖ {{y}}",
                 f"{_col_shape(ops['ŷ'])} ⊖ {_col_shape(ops['y'])} → {_col_shape(res[d])}")]
    if kd is StageKind.ACTIVATION_BACKWARD:
        g, s = ok
        d = rk[0]
        return [(f"{{{d}}} = {{{g}}} ⊙ {{{s}}}",
                 f"{_col_shape(ops[g])} ⊙ {_col_shape(ops[s])} → {_col_shape(res[d])}")]
    if kd is StageKind.DENSE_BACKWARD:
        x, d, W = ok
        f = scale_text(stage)
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
    if kd is StageKind.UPDATE:
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


def notes(stage: Stage, notation: str = ROW) -> list[str]:
    """The stage's notes, reworded for the column notation where they speak of rows."""
    if notation == ROW:
        return list(stage.notes)
    kd = kind(stage)
    if kd is StageKind.DENSE_FORWARD:
        return ["Each column is one sample; {b} is added to every column."]
    if kd is StageKind.DENSE_BACKWARD:
        x_name, d_name, _ = keys(stage.operands)
        return [f"{{{d_name}}}·{{{x_name}}}ᵀ is the sum over samples of the outer products "
                f"{{δᵢ}}{{{letter(x_name)}ᵢ}}ᵀ, not a Hadamard product."]
    return [n.replace("Σ_rows", "Σ_columns") for n in stage.notes]


def notation_note(stage: Stage, notation: str = ROW, sample: int = 0) -> list[str]:
    """The one-sample equation the batch equation stacks, in row or column notation."""
    if kind(stage) is not StageKind.DENSE_FORWARD:
        if notation == COLUMN:
            return ["Column notation: every sample is a column; matrices appear "
                    "transposed ([Wᵀ] is fan_out×fan_in); {a} ⊖ {b} subtracts entry by entry, "
                    "{a} ⊕ {b} adds the column {b} to every column."]
        return ["Row notation: every sample is a row; W is fan_in×fan_out."]
    x_name, W_name, b_name = keys(stage.operands)
    z_name = keys(stage.results)[0]
    W = np.asarray(stage.operands[W_name])
    n_in, n_out = W.shape
    m = np.shape(stage.operands[x_name])[0]
    i = max(0, min(int(sample), m - 1)) + 1
    xl, zl = letter(x_name), letter(z_name)
    if notation == COLUMN:
        return [f"one sample (a column): {{{zl}ᵢ}} = [{W_name}ᵀ]·{{{xl}ᵢ}} ⊕ {{{b_name}}}   "
                f"[{n_out}×{n_in}]·[{n_in}×1] ⊕ [{n_out}×1] → [{n_out}×1]",
                f"the {m} samples side by side as columns give {{{z_name}}} = [{W_name}ᵀ]·{{{x_name}}} ⊕ {{{b_name}}}; "
                f"sample {i} is column {i}."]
    return [f"one sample (a row): {zl}ᵢ = {xl}ᵢ·{W_name} + {b_name}   "
            f"[1×{n_in}]·[{n_in}×{n_out}] + [1×{n_out}] → [1×{n_out}]",
            f"the {m} rows stacked give {z_name} = {x_name}·{W_name} + {b_name}: "
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
