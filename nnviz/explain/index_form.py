"""The index form of a stage: its numbers for one sample, element by element."""
from __future__ import annotations

import math

import numpy as np

from nnviz.core import activations
from nnviz.core.stages import Stage, StageKind
from nnviz.explain.text import (COLUMN, MAX_LINES, ROW, batch_size, cap, distinct_digits, elem, fmt, keys, kind,
                                letter, par, sub, sum_terms, vec)


def index_form(stage: Stage, sample: int = 0, notation: str = ROW) -> list[str]:
    """The stage's numbers for one sample (0-based row of the batch), element by element."""
    kd = kind(stage)
    fn = _INDEX_FORMS.get(kd)
    if fn is None:
        return []
    m = batch_size(stage)
    if kd is not StageKind.UPDATE and m:
        sample = max(0, min(int(sample), m - 1))
    lines = fn(stage, sample)
    if notation == COLUMN and lines and kd is StageKind.DENSE_FORWARD:
        x_name = keys(stage.operands)[0]
        lines[0] = lines[0].replace(f"{x_name} row {sample + 1}", f"column {sample + 1} of {{{x_name}}}")
    return lines


def _index_dense_forward(stage: Stage, i: int) -> list[str]:
    x_name, W_name, b_name = keys(stage.operands)
    z_name = keys(stage.results)[0]
    x, W, b = (np.asarray(stage.operands[k], dtype=float) for k in (x_name, W_name, b_name))
    z = np.asarray(stage.results[z_name], dtype=float)
    n_in, n_out = W.shape
    xl, zl = letter(x_name), letter(z_name)
    lines = [f"sample {i + 1}: {x_name} row {i + 1} = {vec(x[i])}"]
    for j in range(min(n_out, MAX_LINES)):
        sym = [f"w{sub(r + 1, j + 1)}·{xl}{sub(r + 1)}" for r in range(n_in)]
        num = [f"{par(W[r, j])}·{par(x[i, r])}" for r in range(n_in)]
        lhs = f"{zl}{sub(j + 1)}" if n_out > 1 else zl
        bsym = f"b{sub(j + 1)}" if n_out > 1 else "b"
        lines.append(f"{lhs} = {sum_terms(sym + [bsym])} = {sum_terms(num + [par(b[j])])} = {fmt(z[i, j])}")
    return cap(lines, n_out + 1, "units")


def _element_forms(name: str):
    """The symbolic and numeric templates of one unit's activation line (the table's row)."""
    fn = activations.ACTIVATIONS.get(name)
    if fn is None or fn.element_formula is None:
        return "{a} = σ({z})", "σ({zv})"
    return fn.element_formula, fn.element_numeric


def _index_activation_forward(stage: Stage, i: int) -> list[str]:
    z_name = keys(stage.operands)[0]
    a_name = keys(stage.results)[0]
    z = np.asarray(stage.operands[z_name], dtype=float)
    a = np.asarray(stage.results[a_name], dtype=float)
    sym_t, num_t = _element_forms(stage.info.get("activation", ""))
    n = z.shape[1]
    lines = [f"sample {i + 1}:"]
    if stage.info.get("activation") == "softmax":     # one row: its sum, then each share of it
        row = z[i]
        with np.errstate(over="ignore"):          # logits past ~709: the sum shows as inf
            total = float(np.exp(row - row.max()).sum() * np.exp(row.max()))
        lines.append(f"Σ_k e^(z_k) = " + " + ".join(f"e^{par(v)}" for v in row[:MAX_LINES])
                     + (" + …" if n > MAX_LINES else "") + f" = {fmt(total)}")
        for j in range(min(n, MAX_LINES)):
            lines.append(f"{elem(a_name, j, n)} = e^{par(row[j])} / {fmt(total)} = {fmt(a[i, j])}")
        return cap(lines, n + 2, "classes")
    for j in range(min(n, MAX_LINES)):
        zs, as_ = elem(z_name, j, n), elem(a_name, j, n)
        template = num_t(z[i, j]) if callable(num_t) else num_t   # a callable: the piece z is on
        num = template.format(zv=fmt(z[i, j]), zvp=par(z[i, j]))
        lines.append(f"{sym_t.format(a=as_, z=zs)} = {num} = {fmt(a[i, j])}")
    return cap(lines, n + 1, "units")


def _index_cross_entropy(stage: Stage, i: int) -> str:
    """Sample i's cross-entropy: only the true class's term of −Σ_k y_k log ŷ_k is non-zero."""
    yh = np.asarray(stage.operands["ŷ"], dtype=float)[i]
    c = int(np.argmax(np.asarray(stage.operands["y"], dtype=float)[i]))
    e = float(np.asarray(stage.results["e"], dtype=float)[i, 0])
    k, t = sub(i + 1), sub(c + 1)
    return (f"e{k} = −Σ_k y{k}ₖ·log ŷ{k}ₖ = −log ŷ{k}{t} (y is one-hot, true class {c + 1}) = "
            f"−log({fmt(yh[c])}) = {fmt(e)}")


def _index_loss_forward(stage: Stage, i: int) -> list[str]:
    if stage.info.get("loss") == "cross_entropy":
        e = np.asarray(stage.results["e"], dtype=float)[:, 0]
        terms, m, E = [fmt(v) for v in e], len(e), float(stage.results["E"])
        if stage.info.get("reduction", "mean") == "mean":
            return [_index_cross_entropy(stage, i),
                    f"E = (1/m)·Σᵢ eᵢ = (1/{m})·({sum_terms(terms)}) = {fmt(E)}"]
        return [_index_cross_entropy(stage, i), f"E = Σᵢ eᵢ = {sum_terms(terms)} = {fmt(E)}"]
    yh = np.asarray(stage.operands["ŷ"], dtype=float)[:, 0]
    y = np.asarray(stage.operands["y"], dtype=float)[:, 0]
    e = np.asarray(stage.results["e"], dtype=float)[:, 0]
    E = float(stage.results["E"])
    m = len(e)
    k = sub(i + 1)
    if stage.info.get("loss") == "log_loss":
        line = (f"e{k} = −[y{k}·log ŷ{k} + (1 − y{k})·log(1 − ŷ{k})] = "
                f"−[{par(y[i])}·log({fmt(yh[i])}) + {par(1 - y[i])}·log({fmt(1 - yh[i])})] = {fmt(e[i])}")
        if yh[i] in (0.0, 1.0):   # ŷ rounded to 0 or 1: the formula would take log(0)
            line += ("   (ŷ rounds to " + fmt(yh[i]) + ", so the formula would take log(0) = −∞; "
                     "e is computed from the logit z as softplus(z) − y·z, which stays finite)")
    else:
        line = f"e{k} = ½(ŷ{k} − y{k})² = ½·({fmt(yh[i])} − {par(y[i])})² = {fmt(e[i])}"
    terms = [fmt(v) for v in e]
    if stage.info.get("reduction", "mean") == "mean":
        total = f"E = (1/m)·Σᵢ eᵢ = (1/{m})·({sum_terms(terms)}) = {fmt(E)}"
    else:
        total = f"E = Σᵢ eᵢ = {sum_terms(terms)} = {fmt(E)}"
    return [line, total]


def _softmax_chain(yh: np.ndarray, y: np.ndarray, sample: int) -> list[str]:
    """One sample's softmax Jacobian with its numbers, and how cross-entropy collapses it.
    Under "sample i:" a subscript is a class, as in the forward operations' "sample i:"."""
    K = len(yh)
    vec = lambda v: "(" + ", ".join(fmt(x) for x in v) + ")"   # noqa: E731
    J = activations.softmax_jacobian(yh)
    lines = [f"sample {sample}: ŷ = {vec(yh)}, y = {vec(y)} (one-hot)",
             f"∂ŷ/∂z = diag(ŷ) − ŷŷᵀ ({K}×{K}; entry (i, j) = ŷᵢ([i = j] − ŷⱼ)):"]
    if K <= 6:
        lines += ["    [" + ", ".join(fmt(x) for x in row) + "]" for row in J]
    else:
        lines.append(f"    ({K}×{K}: the diagonal is {vec(np.diag(J)[:4])[:-1]}, …); each row sums to 0")
    g = np.where(y > 0, -y / np.where(yh > 0, yh, 1.0), 0.0)
    chain = g @ J
    lines += [f"∂e/∂ŷ = −y/ŷ = {vec(g)} (only the true class's entry is not 0)",
              f"δ = (∂e/∂ŷ)·∂ŷ/∂z = {vec(chain)} = ŷ − y: the Jacobian cancels"]
    return lines


def _index_loss_backward(stage: Stage, i: int) -> list[str]:
    if stage.info.get("loss") == "cross_entropy":   # one line per class
        yh = np.asarray(stage.operands["ŷ"], dtype=float)[i]
        y = np.asarray(stage.operands["y"], dtype=float)[i]
        d = np.asarray(stage.results[keys(stage.results)[0]], dtype=float)[i]
        return _softmax_chain(yh, y, i + 1) + [
            f"δ{sub(j + 1)} = ŷ{sub(j + 1)} − y{sub(j + 1)} = {fmt(yh[j])} − {par(y[j])} = {fmt(d[j])}"
            for j in range(min(len(d), MAX_LINES))]
    yh = np.asarray(stage.operands["ŷ"], dtype=float)[:, 0]
    y = np.asarray(stage.operands["y"], dtype=float)[:, 0]
    name = keys(stage.results)[0]
    d = np.asarray(stage.results[name], dtype=float)[:, 0]
    lhs = "δ" if name.startswith("δ") else "∂e/∂ŷ"
    # (Under "sample i:" as in the other operations: the δ of the backward pass that follows.)
    return [f"sample {i + 1}: {lhs} = ŷ − y = {fmt(yh[i])} − {par(y[i])} = {fmt(d[i])}"]


def _index_activation_backward(stage: Stage, i: int) -> list[str]:
    g_name, s_name = keys(stage.operands)
    d_name = keys(stage.results)[0]
    g = np.asarray(stage.operands[g_name], dtype=float)
    s = np.asarray(stage.operands[s_name], dtype=float)
    d = np.asarray(stage.results[d_name], dtype=float)
    n = g.shape[1]
    a_letter = letter(g_name.split("∂")[-1])
    z_letter = "z"
    lines = [f"sample {i + 1}:"]
    for j in range(min(n, MAX_LINES)):
        sj = sub(j + 1) if n > 1 else ""
        lines.append(f"δ{sj} = ∂e/∂{a_letter}{sj}·σ′({z_letter}{sj}) = {par(g[i, j])}·{par(s[i, j])} = {fmt(d[i, j])}")
    return cap(lines, n + 1, "units")


def _index_dense_backward(stage: Stage, i: int) -> list[str]:
    x_name, d_name, W_name = keys(stage.operands)
    rk = keys(stage.results)
    x = np.asarray(stage.operands[x_name], dtype=float)
    d = np.asarray(stage.operands[d_name], dtype=float)
    W = np.asarray(stage.operands[W_name], dtype=float)
    dW = np.asarray(stage.results[rk[0]], dtype=float)
    db = np.asarray(stage.results[rk[1]], dtype=float)
    m, n_in = x.shape
    n_out = d.shape[1]
    xl = letter(x_name)
    mean = stage.info.get("reduction", "mean") == "mean"
    scale = f"(1/{m})·" if mean else ""
    lines = [f"sample {i + 1}'s share of ∂E/∂W (its outer product {xl}ᵀδ):"]
    pairs = [(r, c) for r in range(n_in) for c in range(n_out)]
    for r, c in pairs[:MAX_LINES]:
        lines.append(f"  {xl}{sub(r + 1)}·δ{sub(c + 1)} = {par(x[i, r])}·{par(d[i, c])} = {fmt(x[i, r] * d[i, c])}")
    cap(lines, len(pairs) + 1, "weights")
    lines.append("the whole batch:")
    for r, c in pairs[:MAX_LINES]:
        terms = [f"{par(x[s, r])}·{par(d[s, c])}" for s in range(m)]
        lines.append(f"  ∂E/∂w{sub(r + 1, c + 1)} = {scale}Σᵢ {xl}ᵢ{sub(r + 1)}·δᵢ{sub(c + 1)} = "
                     f"{scale}({sum_terms(terms)}) = {fmt(dW[r, c])}")
    for c in range(min(n_out, MAX_LINES)):
        terms = [par(d[s, c]) for s in range(m)]
        lines.append(f"  ∂E/∂b{sub(c + 1)} = {scale}Σᵢ δᵢ{sub(c + 1)} = {scale}({sum_terms(terms)}) = {fmt(db[c])}")
    if len(rk) > 2:
        dx = np.asarray(stage.results[rk[2]], dtype=float)
        lines.append(f"sample {i + 1}, passed back to the layer before:")
        for r in range(min(n_in, MAX_LINES)):
            sym = [f"δ{sub(c + 1)}·w{sub(r + 1, c + 1)}" for c in range(n_out)]
            num = [f"{par(d[i, c])}·{par(W[r, c])}" for c in range(n_out)]
            lines.append(f"  ∂e/∂{xl}{sub(r + 1)} = {sum_terms(sym)} = {sum_terms(num)} = {fmt(dx[i, r])}")
        cap(lines, len(lines) + n_in - min(n_in, MAX_LINES), "inputs")
    return lines


def _index_update(stage: Stage, i: int) -> list[str]:
    info = stage.info
    opt, lr = info.get("optimizer", "sgd"), info.get("lr", float("nan"))
    hyper, state, t = info.get("hyper", {}), info.get("state", {}), info.get("t", 0)
    lines = [f"one step for the whole batch, whatever the selected sample (η = {fmt(lr)}):"]
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
                d = distinct_digits(old[flat], new[flat])   # before ≠ after where they differ
                lines.append(f"{p} ← {p} − η·∂E/∂{p} = {fmt(old[flat], d)} − {fmt(lr)}·{par(g[flat])} = {fmt(new[flat], d)}")
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


_INDEX_FORMS = {
    StageKind.DENSE_FORWARD: _index_dense_forward,
    StageKind.ACTIVATION_FORWARD: _index_activation_forward,
    StageKind.LOSS: _index_loss_forward,
    StageKind.LOSS_BACKWARD: _index_loss_backward,
    StageKind.ACTIVATION_BACKWARD: _index_activation_backward,
    StageKind.DENSE_BACKWARD: _index_dense_backward,
    StageKind.UPDATE: _index_update,
}
