"""What a trained network amounts to: linear collapse, linear regions, gradient check.

- **Linear collapse**: with identity hidden activations the network's output pre-activation
  is one linear model, β = W⁽¹⁾W⁽²⁾…, β₀ = (b⁽¹⁾W⁽²⁾ + b⁽²⁾)…; with no hidden layer it is
  that model already (logistic or linear regression), compared with :func:`logistic_fit` or
  :func:`least_squares` on the same rows.
- **Activation patterns** (the Hadamard form σ(z) = a ⊙ z; Aytekin, "Neural Networks are Decision Trees",
  arXiv 2210.05189): for piecewise-linear activations every input x has a pattern a, the slope
  each hidden unit is on, and inside one pattern the network is exactly linear:
  z_out = x·W_eff + b_eff with W_eff = W⁽¹⁾ diag(a⁽¹⁾) W⁽²⁾ …, b_eff likewise.
- **Gradient check**: backprop (the engine's own layers) against central differences.

Everything here works in the space of the network's inputs, i.e. the scaled features (n, p).
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from nnviz.core import activations
from nnviz.core.stages import Symbols
from nnviz.errors import NnvizError
from nnviz.core.network import Network

PIECEWISE = tuple(name for name, f in activations.ACTIVATIONS.items() if f.piecewise_linear)


# --- 1. linear collapse --------------------------------------------------------------------
def is_linear(network: Network) -> bool:
    """True when the output's pre-activation is linear in the inputs: every hidden activation is
    identity, or there is no hidden layer at all."""
    return all(name == "identity" for name in network.activations[:-1])


def linear_model_name(network: Network) -> str | None:
    """"logistic regression", "multinomial logistic regression" (K classes) or "linear
    regression" for a network with no hidden layer (it is that model, ŷ = σ(X·W + b)); None
    when there are hidden layers."""
    if network.hidden_sizes:
        return None
    out = network.activations[-1]
    return {"sigmoid": "logistic regression",
            "softmax": "multinomial logistic regression"}.get(out, "linear regression")


def linear_equivalent(network: Network) -> tuple[float, np.ndarray]:
    """(β₀, β (p,)) with z_out = x·β + β₀ for every x, when every hidden activation is identity.
    With K outputs (softmax) the logits collapse to z = x·β + β₀ with β (p, K) = W⁽¹⁾W⁽²⁾… and
    β₀ (K,): multinomial logistic regression; then both are arrays."""
    if not is_linear(network):
        raise NnvizError("the network is linear only when every hidden activation is identity "
                         f"(these are {', '.join(network.activations[:-1])})")
    A, c = np.eye(network.n_inputs), np.zeros(network.n_inputs)
    for d in network.dense:  # carry the affine map x ↦ x·A + c through every layer
        A, c = A @ d.W, c @ d.W + d.b
    if network.n_outputs > 1:
        return c.copy(), A.copy()
    return float(c[0]), A[:, 0].copy()


def least_squares(F: np.ndarray, y: np.ndarray) -> tuple[float, np.ndarray]:
    """(intercept, coefficients) of the ordinary least-squares fit y ≈ F·β + β₀; for y of
    shape (n, K) with K > 1 (one-hot classes), one fit per column: ((K,), (p, K))."""
    F = np.asarray(F, dtype=float)
    design = np.hstack([np.ones((len(F), 1)), F])
    y = np.asarray(y, dtype=float)
    if y.ndim == 2 and y.shape[1] > 1:
        sol, *_ = np.linalg.lstsq(design, y, rcond=None)
        return sol[0].copy(), sol[1:].copy()
    sol, *_ = np.linalg.lstsq(design, y.reshape(-1), rcond=None)
    return float(sol[0]), sol[1:].copy()


@dataclass
class LogisticFit:
    """The maximum-likelihood logistic regression P(y = 1 | x) = σ(x·β + β₀) of some rows.
    ``converged`` is False when Newton's method did not settle (classes a line separates have
    no finite optimum: the coefficients grow without bound)."""

    intercept: float
    coefficients: np.ndarray
    converged: bool
    iterations: int


def logistic_fit(F: np.ndarray, y: np.ndarray, max_iter: int = 100, tol: float = 1e-10) -> LogisticFit:
    """Logistic regression of 0/1 targets ``y`` on the rows of F (n, p) by Newton's method
    (iteratively reweighted least squares): θ ← θ − H⁻¹g with g = Dᵀ(p − y) and
    H = Dᵀ diag(p(1 − p)) D, D = [1 F], p = σ(D·θ), from θ = 0. Independent of the network's
    layers: what a statistics package would report for the same rows."""
    F = np.asarray(F, dtype=float)
    y = np.asarray(y, dtype=float).reshape(-1)
    D = np.hstack([np.ones((len(F), 1)), F])
    theta = np.zeros(D.shape[1])
    converged, it = False, 0
    with np.errstate(over="ignore"):
        for it in range(1, max_iter + 1):
            z = D @ theta
            p = np.where(z >= 0, 1.0 / (1.0 + np.exp(-np.abs(z))),
                         np.exp(-np.abs(z)) / (1.0 + np.exp(-np.abs(z))))
            g = D.T @ (p - y)
            H = (D * (p * (1.0 - p))[:, None]).T @ D
            step, *_ = np.linalg.lstsq(H, g, rcond=None)
            theta = theta - step
            if not np.all(np.isfinite(theta)):
                break
            if np.max(np.abs(step)) <= tol * max(1.0, float(np.max(np.abs(theta)))):
                converged = True
                break
    return LogisticFit(float(theta[0]), theta[1:].copy(), converged, it)


# --- 2. activation patterns and linear regions --------------------------------------------
def _require_piecewise(network: Network):
    bad = [a for a in network.activations[:-1] if a not in PIECEWISE]
    if bad:
        raise NnvizError("linear regions exist only for piecewise-linear hidden activations "
                         f"({', '.join(PIECEWISE)}); this network uses {', '.join(sorted(set(bad)))}")


def patterns(network: Network, F: np.ndarray) -> list[np.ndarray]:
    """Per hidden layer, the slope vectors a (n, units) of every row of F (n, p)."""
    _require_piecewise(network)
    out = []
    for (z, _), act in zip(network.layer_outputs(F)[:-1], network.act[:-1]):
        out.append(act.function.slope(z))
    return out


def pattern_codes(network: Network, F: np.ndarray) -> np.ndarray:
    """(n,) int64 labels: rows with the same activation pattern get the same label."""
    bits = np.hstack([a != 1 for a in patterns(network, F)]) if network.n_layers > 1 else np.zeros((len(F), 0), bool)
    if bits.shape[1] == 0:
        return np.zeros(len(F), dtype=np.int64)
    _, codes = np.unique(bits, axis=0, return_inverse=True)
    return codes.reshape(-1).astype(np.int64)


def effective_linear(network: Network, a: list[np.ndarray]) -> tuple[np.ndarray, float]:
    """(W_eff (p,), b_eff) of the output pre-activation for one pattern ``a`` (a list with one
    slope vector per hidden layer): z_out = x·W_eff + b_eff wherever x has that pattern.
    With K outputs: (W_eff (p, K), b_eff (K,)), the K logits' linear model there."""
    A, c = np.eye(network.n_inputs), np.zeros(network.n_inputs)
    for k, d in enumerate(network.dense):
        A, c = A @ d.W, c @ d.W + d.b
        if k < len(a):
            A, c = A * a[k], c * a[k]  # · diag(a)
    if network.n_outputs > 1:
        return A.copy(), c.copy()
    return A[:, 0].copy(), float(c[0])


def count_regions(network: Network, F: np.ndarray) -> int:
    """Distinct activation patterns among the rows of F (e.g. a grid over a box)."""
    return int(pattern_codes(network, F).max() + 1) if len(F) else 0


@dataclass
class TreeNode:
    """A test ``x·w + b > 0`` on hidden unit ``unit`` of hidden layer ``layer`` (both from 0),
    or a leaf holding the linear model z_out = x·w + b of its pattern (with K outputs a leaf's
    w is (p, K) and b (K,): the K logits' linear models, the predicted class their argmax)."""

    w: np.ndarray
    b: "float | np.ndarray"
    layer: int = -1
    unit: int = -1
    above: "TreeNode | None" = None   # the branch where the unit is active (z > 0)
    below: "TreeNode | None" = None
    pattern: list = field(default_factory=list)

    @property
    def leaf(self) -> bool:
        return self.layer < 0

    def leaves(self) -> int:
        return 1 if self.leaf else sum(n.leaves() for n in (self.above, self.below) if n is not None)


def decision_tree(network: Network, F: np.ndarray) -> TreeNode:
    """The network as a decision tree (Aytekin 2022): each internal node tests one hidden unit's
    pre-activation, a linear inequality in x given the tests above it; each leaf is the linear
    model of its pattern. Branches no row of F reaches are pruned (the full tree has 2^units
    leaves), so every pattern seen in F has exactly one leaf."""
    _require_piecewise(network)
    F = np.asarray(F, dtype=float)
    units = [(k, j) for k, size in enumerate(network.hidden_sizes) for j in range(size)]
    slope_of = [network.act[k].function.slope for k in range(len(network.hidden_sizes))]

    def build(rows: np.ndarray, decided: dict, depth: int) -> TreeNode | None:
        if len(rows) == 0:
            return None
        if depth == len(units):
            a = [np.array([slope_of[k](np.array([1.0 if decided[(k, j)] else -1.0]))[0]
                           for j in range(size)]) for k, size in enumerate(network.hidden_sizes)]
            w, b = effective_linear(network, a)
            return TreeNode(w, b, pattern=a)
        k, j = units[depth]
        # The unit's pre-activation is linear in x once the patterns of earlier layers are fixed.
        a_before = [np.array([slope_of[kk](np.array([1.0 if decided[(kk, jj)] else -1.0]))[0]
                              for jj in range(network.hidden_sizes[kk])]) for kk in range(k)]
        A, c = np.eye(network.n_inputs), np.zeros(network.n_inputs)
        for kk in range(k + 1):
            d = network.dense[kk]
            A, c = A @ d.W, c @ d.W + d.b
            if kk < k:
                A, c = A * a_before[kk], c * a_before[kk]
        w, b = A[:, j].copy(), float(c[j])
        active = F[rows] @ w + b > 0
        node = TreeNode(w, b, layer=k, unit=j)
        node.above = build(rows[active], {**decided, (k, j): True}, depth + 1)
        node.below = build(rows[~active], {**decided, (k, j): False}, depth + 1)
        if node.above is None and node.below is None:
            return None
        return node

    root = build(np.arange(len(F)), {}, 0)
    if root is None:
        raise NnvizError("no rows to build the tree from")
    return root


def tree_predict(tree: TreeNode, F: np.ndarray) -> np.ndarray:
    """z_out (n,) for every row of F by walking the tree ((n, K) with K outputs); a row reaching a
    pruned branch gets NaN."""
    F = np.asarray(F, dtype=float)
    leaf = tree
    while not leaf.leaf:
        leaf = leaf.above if leaf.above is not None else leaf.below
    out = np.full((len(F),) + np.shape(leaf.b), np.nan)

    def walk(node, rows):
        if node is None or len(rows) == 0:
            return
        if node.leaf:
            out[rows] = F[rows] @ node.w + node.b
            return
        active = F[rows] @ node.w + node.b > 0
        walk(node.above, rows[active])
        walk(node.below, rows[~active])

    walk(tree, np.arange(len(F)))
    return out


def _linear_text(w, b, names) -> str:
    """``0.53·x1 − 0.11·x2 + 0.05`` (zero coefficients left out)."""
    parts = [("−" if v < 0 else "+", f"{abs(v):.4g}·{n}") for v, n in zip(w, names) if v != 0]
    parts.append(("−" if b < 0 else "+", f"{abs(b):.4g}"))
    text = ("−" if parts[0][0] == "−" else "") + parts[0][1]
    return text + "".join(f" {sign} {term}" for sign, term in parts[1:])


def tree_text(tree: TreeNode, names, output: str = "z", classes=None) -> str:
    """The tree as indented text: ``if 0.53·x1 − 0.11·x2 + 0.05 > 0:  (h1 active)``. With K
    outputs each leaf lists the K logits' linear models, ``z[setosa] = …``, and its rule: the
    class with the largest z."""
    lines = []
    # Every hidden unit is tested on the way to a leaf: the deepest test names the last layer.
    deepest, node = -1, tree
    while not node.leaf:
        deepest = max(deepest, node.layer)
        node = node.above if node.above is not None else node.below
    sym = Symbols(deepest + 2)   # (the dense layers: the hidden ones and the output)

    def walk(node, indent):
        pad = "    " * indent
        if node.leaf and np.ndim(node.b) == 1:
            labels = classes or [str(k) for k in range(len(node.b))]
            lines.append(f"{pad}class = argmax of:")
            for k, label in enumerate(labels):
                lines.append(f"{pad}    {output}[{label}] = {_linear_text(node.w[:, k], node.b[k], names)}")
            return
        if node.leaf:
            lines.append(f"{pad}{output} = {_linear_text(node.w, node.b, names)}")
            return
        cond = _linear_text(node.w, node.b, names)
        name = sym.unit(node.layer, node.unit)      # h3, or h1.3 with several hidden layers
        for branch, word, op in ((node.above, "active", ">"), (node.below, "inactive", "≤")):
            if branch is None:
                lines.append(f"{pad}if {cond} {op} 0:   ({name} {word})  — no data here")
                continue
            lines.append(f"{pad}if {cond} {op} 0:   ({name} {word})")
            walk(branch, indent + 1)

    walk(tree, 0)
    return "\n".join(lines)


# --- 3. gradient check ------------------------------------------------------------------------
@dataclass
class GradCheck:
    """Backprop vs finite differences. ``relative`` (n_params,) is each parameter's error
    |a − n| / max(1, |a|, |n|): relative for gradients above 1, absolute below (in the order of
    ``network.params``); ``per_matrix`` maps "W1", "b1", … to their largest error. ``at_kink``:
    a piecewise-linear unit's pre-activation lies so close to its kink that the finite
    difference steps across it, where the two sides' slopes differ."""

    analytic: np.ndarray
    numeric: np.ndarray
    relative: np.ndarray
    per_matrix: dict
    tolerance: float
    at_kink: bool = False

    @property
    def max_relative(self) -> float:
        return float(self.relative.max()) if self.relative.size else 0.0

    @property
    def passed(self) -> bool:
        return self.max_relative <= self.tolerance

    @property
    def verdict(self) -> str:
        """"passes", "at a kink" (a difference explained by a kink, not a wrong derivative) or
        "FAILS"."""
        if self.passed:
            return "passes"
        return "at a kink" if self.at_kink else "FAILS"

    def summary(self) -> str:
        parts = ", ".join(f"{k} {v:.1e}" for k, v in self.per_matrix.items())
        note = (" — a pre-activation lies at a kink of the activation, where the slope jumps; "
                "that is not a wrong derivative" if self.verdict == "at a kink" else "")
        return (f"gradient check {self.verdict}: largest error {self.max_relative:.2e} "
                f"(tolerance {self.tolerance:g}, relative to max(1, |gradient|)); "
                f"per matrix: {parts}{note}")


def gradient_check(network: Network, loss, X: np.ndarray, y: np.ndarray, h: float = 1e-4,
                   tolerance: float = 1e-6) -> GradCheck:
    """Compare the engine's gradients of the batch loss on (X, y) with finite differences.

    The analytic gradient comes from one training step of the engine itself (its layers, its
    loss) with a learning rate of 0, on a copy of the network; nothing is changed. The
    numeric one is the five-point central difference
    (8·(E(θ+h) − E(θ−h)) − (E(θ+2h) − E(θ−2h))) / 12h, accurate to O(h⁴), with the step
    scaled to the parameter (h·max(1, |θ|)). Round-off in it grows with the loss itself
    (about eps·|E|/h), so each parameter's error is |a − n| / max(1, |a|, |n|): relative where
    gradients are large, absolute where they are small, and correct gradients pass whatever
    the targets' units. A difference where a relu-like unit's pre-activation lies within the
    steps of its kink is reported as such (``at_kink``), not as a wrong derivative."""
    from nnviz.core.trainer import Trainer

    from nnviz.core.trainer import _targets

    net = network.copy()
    X = np.asarray(X, dtype=float)
    y = _targets(y, net.n_outputs)   # (n, 1), or one-hot (n, K) from class labels
    tr = Trainer(net, loss, X, y, batch_size=None, shuffle=False, lr=0.0)
    tr.step()   # a learning rate of 0 leaves the parameters as they are
    analytic = net.grads.copy()
    numeric = np.empty_like(analytic)

    def batch_loss():
        z, a = net.layer_outputs(X)[-1]
        return loss.reduce(loss.per_row(z, a, y))

    with np.errstate(all="ignore"):
        for i in range(net.params.size):
            old = net.params[i]
            step = h * max(1.0, abs(old))
            e = {}
            for k in (-2, -1, 1, 2):
                net.params[i] = old + k * step
                e[k] = batch_loss()
            net.params[i] = old
            numeric[i] = (8 * (e[1] - e[-1]) - (e[2] - e[-2])) / (12 * step)
        errors = np.abs(analytic - numeric) / np.maximum(
            1.0, np.maximum(np.abs(analytic), np.abs(numeric)))
    errors = np.where(np.isfinite(errors), errors, np.inf)
    per_matrix, offset = {}, 0
    for k, d in enumerate(network.dense, 1):
        for name, size in ((f"W{k}", d.W.size), (f"b{k}", d.b.size)):
            per_matrix[name] = float(errors[offset:offset + size].max())
            offset += size
    return GradCheck(analytic, numeric, errors, per_matrix, tolerance,
                     _near_a_kink(network, X, h))


def _near_a_kink(network: Network, X: np.ndarray, h: float) -> bool:
    """Whether a finite-difference step can cross a piecewise-linear unit's kink: some hidden
    pre-activation lies within the largest change the steps make to it."""
    outputs = network.layer_outputs(X)
    reach = 2 * h * max(1.0, float(np.max(np.abs(network.params)))) * (
        1.0 + max(float(np.max(np.abs(a), initial=0.0)) for a in [X] + [a for _, a in outputs[:-1]]))
    for (z, _), name in zip(outputs[:-1], network.activations[:-1]):
        if name in PIECEWISE and name != "identity" and np.any(np.abs(z) <= reach):
            return True
    return False


def unscale_tree(tree: TreeNode, mean: np.ndarray, std: np.ndarray) -> None:
    """Rewrite every test and leaf from standardized features f = (x − μ)/σ to the features
    themselves: w·f + b = (w/σ)·x + (b − Σ w·μ/σ). Changes ``tree`` in place."""
    def walk(node):
        if node is None:
            return
        if np.ndim(node.b) == 1:   # a K-class leaf: one column per class
            node.w, node.b = node.w / std[:, None], node.b - (mean / std) @ node.w
        else:
            node.w, node.b = node.w / std, float(node.b - np.sum(node.w * mean / std))
        walk(node.above)
        walk(node.below)
    walk(tree)


# --- 4. words for what a linear network is (the app's Insights; the CLI says the same) -------
def least_squares_caveat() -> str:
    """Why least squares on class labels need not match a network trained with log-loss."""
    return ("least squares here fits the 0/1 labels themselves; the network was trained with "
            "log-loss on the logit z, so the two need not agree — compare them as directions, "
            "not as numbers (the logistic fit is the like-for-like comparison)")


def one_region_reason(network: Network) -> str | None:
    """Why a linear network has no regions to count or tree to draw (None when it may have)."""
    if not is_linear(network):
        return None
    if not network.hidden_sizes:
        return ("One region: with no hidden layer there is no unit to switch on or off; the "
                f"whole network is {linear_model_name(network)}, one linear model of the "
                "inputs, so there are no regions to count and no tests to put in a tree.")
    return ("One region: identity units never switch on or off, so the whole network is one "
            "linear model everywhere; there are no regions to count and no tests to put in a "
            "tree.")


def features_phrase(features, inputs) -> str:
    """" in the features x1, x2, x1²" when the features are not just the inputs, else ""."""
    features, inputs = list(features), list(inputs)
    return f" in the features {', '.join(features)}" if features != inputs else ""


def raw_units(b0: float, beta: np.ndarray, mean, std) -> tuple[float, np.ndarray]:
    """The linear model z = f·β + β₀ on standardized features f = (x − μ)/σ rewritten on the
    features themselves: (β₀ − Σ β·μ/σ, β/σ)."""
    mean, std = np.asarray(mean, dtype=float), np.asarray(std, dtype=float)
    beta = np.asarray(beta, dtype=float)
    return float(b0 - np.sum(beta * mean / std)), beta / std
