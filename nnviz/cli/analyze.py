"""``nnviz analyze WEIGHTS``: what the seeds prove about a trained network.

Linear collapse (identity hidden units: β₀ and β next to the least-squares fit of the data),
the number of linear regions over a box and, with ``--tree``, the network as a decision tree
(piecewise-linear units), and with ``--gradcheck`` backprop against finite differences.
"""
from __future__ import annotations

import json

import numpy as np

from nnviz.explain import analysis
from nnviz.core import losses
from nnviz.errors import NnvizError
from nnviz.settings import check_number

MAX_GRADCHECK_ROWS = 64


def add_parser(sub) -> None:
    a = sub.add_parser("analyze", help="linear collapse, linear regions, decision tree, gradient check")
    a.add_argument("weights", metavar="WEIGHTS",
                   help="a weights file (.json, .npz, .safetensors) or a .nnviz session")
    a.add_argument("--data", metavar="FILE.csv", help="rows for least squares, the box and the gradient check")
    a.add_argument("--target", metavar="COLUMN")
    a.add_argument("--resolution", type=float, default=200, help="grid points per side of the box (default 200)")
    a.add_argument("--box", metavar="X1MIN,X1MAX,X2MIN,X2MAX",
                   help="the region-count box over the first two inputs, e.g. --box=-1,1,-1,1 (default: the data's bounding box)")
    a.add_argument("--tree", action="store_true", help="print the equivalent decision tree")
    a.add_argument("--gradcheck", action="store_true", help="compare backprop with finite differences (needs --data)")
    a.add_argument("--json", action="store_true", help="print one JSON object")


BOX_LIMIT = 1e15       # |a corner| of --box: its grid and its features stay finite


def _box_arg(text) -> list[float] | None:
    """--box as four numbers, checked whether or not the network has regions to count."""
    if text is None:
        return None
    try:
        vals = [float(v) for v in text.split(",")]
    except ValueError:
        vals = []
    if len(vals) != 4 or not all(np.isfinite(vals)) or vals[0] >= vals[1] or vals[2] >= vals[3]:
        raise NnvizError("--box takes four numbers X1MIN,X1MAX,X2MIN,X2MAX with each min below its max")
    if max(abs(v) for v in vals) > BOX_LIMIT:
        raise NnvizError(f"--box takes numbers between -{BOX_LIMIT:g} and {BOX_LIMIT:g}")
    return vals


def _box(given, X_raw):
    """The plane whose regions are counted: --box as given (checked), else the data's range
    of its first two inputs, else ±6."""
    if given is not None:
        return given
    if X_raw is not None:
        lo, hi = X_raw.min(axis=0), X_raw.max(axis=0)
        j = min(1, X_raw.shape[1] - 1)
        return [lo[0], hi[0], lo[j], hi[j]]
    return [-6.0, 6.0, -6.0, 6.0]


def _logistic_lines(F, y, beta, b0, names, space, report, lines) -> None:
    """The maximum-likelihood logistic regression of the same rows next to the network's z."""
    fit = analysis.logistic_fit(F, y)
    dist = float(np.linalg.norm(np.append(beta, b0) - np.append(fit.coefficients, fit.intercept)))
    report["logistic_fit"] = {"intercept": fit.intercept, "coefficients": fit.coefficients.tolist(),
                              "converged": fit.converged, "iterations": fit.iterations}
    report["logistic_distance"] = dist
    lines.append(f"logistic fit z = {fit.intercept:.6g}"
                 + "".join(f" {c:+.6g}·{n}" for c, n in zip(fit.coefficients, names))
                 + (f"   {space.strip()}" if space else ""))
    if fit.converged:
        lines.append(f"distance     {dist:.3g} (Euclidean, coefficients and intercept); the fit is "
                     f"the lowest log-loss any line reaches on these rows (Newton's method, "
                     f"{fit.iterations} iterations), where gradient descent heads with more steps")
    else:
        lines.append("distance     not meaningful: a line separates the two classes in these rows, "
                     "so the logistic fit has no best weights (they grow without bound)")


def _multinomial(model, classes, F, y, report, names, space, in_features) -> list[str]:
    """Identity hidden units with K outputs: the logits are one linear model z = x·β + β₀ with
    β = W⁽¹⁾W⁽²⁾… (p, K), multinomial logistic regression; lines to print, ``report`` filled."""
    from nnviz.core.losses import one_hot

    b0, beta = analysis.linear_equivalent(model.network)
    report["linear_equivalent"] = {"classes": classes, "intercept": b0.tolist(),
                                   "coefficients": beta.tolist()}

    def model_lines(b, B):
        return [f"             z[{c}] = {b[k]:.6g}" + "".join(f" {v:+.6g}·{n}" for v, n in zip(B[:, k], names))
                for k, c in enumerate(classes)]

    if model.network.hidden_sizes:
        lines = [f"linear       every hidden unit is identity, so the {len(classes)} logits are one "
                 f"linear model{in_features}{space}, z = x·β + β₀ with β = W⁽¹⁾W⁽²⁾ "
                 f"({beta.shape[0]}×{beta.shape[1]}): multinomial logistic regression, the class "
                 "with the largest z wins"]
    else:
        lines = [f"linear       no hidden layer: the network already is the linear model, "
                 f"multinomial logistic regression; its {len(classes)} logits{in_features}{space}, "
                 f"z = x·W + b ({beta.shape[0]}×{beta.shape[1]}), the class with the largest z wins"]
    lines += model_lines(b0, beta)
    if model.scaler is not None:
        mean, std = np.asarray(model.scaler.mean), np.asarray(model.scaler.std)
        raw_beta, raw_b0 = beta / std[:, None], b0 - (mean / std) @ beta
        report["linear_equivalent_raw_units"] = {"intercept": raw_b0.tolist(),
                                                 "coefficients": raw_beta.tolist()}
        lines.append("             in the features' own units (not standardized):")
        lines += model_lines(raw_b0, raw_beta)
    if F is None:
        report["least_squares"] = None
        return lines
    lb0, lbeta = analysis.least_squares(F, one_hot(y, len(classes)))
    dist = float(np.linalg.norm(np.vstack([beta, b0]) - np.vstack([lbeta, lb0])))
    report["least_squares"] = {"intercept": lb0.tolist(), "coefficients": lbeta.tolist()}
    report["distance"] = dist
    caveat = ("least squares here fits each class's one-hot column; the network was trained with "
              "cross-entropy on the logits, which fixes them only up to a shift shared by every "
              "class, so compare directions, not numbers")
    report["least_squares_caveat"] = caveat
    lines.append(f"least sq.{space}")
    lines += model_lines(lb0, lbeta)
    lines.append(f"distance     {dist:.3g} (Frobenius, coefficients and intercepts)")
    lines.append(f"note         {caveat}")
    return lines


def run(args) -> int:
    from nnviz.cli import convert as cli_convert
    from nnviz.data import csvdata

    given_box = _box_arg(args.box)           # (a bad one is said even when nothing uses it)
    model = cli_convert.load(args.weights)   # every format predict and info read
    net = model.network
    res = check_number("grid resolution", args.resolution, integer=True)
    if bool(args.data) != bool(args.target):
        raise NnvizError("--data and --target go together")
    if args.gradcheck and not args.data:
        raise NnvizError("--gradcheck needs rows: give --data FILE.csv --target COLUMN")
    X_raw = y = None
    K = net.n_outputs
    classes = None
    if K > 1:
        from nnviz.io.weights_io import to_dict
        classes = to_dict(model)["classes"]
    if args.data and K > 1:          # labels map by the model's classes
        X_raw, y = csvdata.read_classes(args.data, args.target, list(model.inputs), classes)
    elif args.data:
        ds = csvdata.load_dataset(args.data, args.target, features=list(model.inputs), task=model.task)
        X_raw, y = ds.X, ds.y
    F = model.transform(X_raw) if X_raw is not None else None
    y_net = y   # the targets in the units the network outputs (standardized, if it learned so)
    if y is not None and model.target_scaler is not None:
        from nnviz.data import target
        y_net = target.scale(y, model.target_scaler)
    report: dict = {"parameter_count": net.parameter_count()}
    lines = [f"network      {' → '.join(map(str, net.sizes))}  ({', '.join(net.activations)})"]
    names = list(model.features)
    space = " (standardized features)" if model.scaler is not None else ""
    # With features such as x1² the net is linear in the features, not in the raw inputs.
    expanded = names != list(model.inputs)
    in_features = f" in the features {', '.join(names)}" if expanded else ""

    # 1. linear collapse (with no hidden layer the network is the linear model itself)
    model_name = analysis.linear_model_name(net)
    report["hidden_layers"] = len(net.hidden_sizes)
    report["linear_model"] = model_name
    if analysis.is_linear(net) and K > 1:
        lines += _multinomial(model, classes, F, y, report, names, space, in_features)
    elif analysis.is_linear(net):
        b0, beta = analysis.linear_equivalent(net)
        if model.target_scaler is not None:   # the network learned (y − μ_y)/σ_y: ŷ in y's units
            ts = model.target_scaler
            b0, beta = float(b0 * ts.std[0] + ts.mean[0]), beta * ts.std[0]
        report["linear_equivalent"] = {"intercept": b0, "coefficients": beta.tolist()}
        if model_name:
            out = "ŷ = sigmoid(z)" if model_name == "logistic regression" else "ŷ = z"
            lines.append(f"linear       no hidden layer: the network already is the linear model, "
                         f"{model_name} ({out})")
            lines.append(f"             its z{in_features}{space}:")
        else:
            lines.append(f"linear       every hidden unit is identity, so the network is one linear "
                         f"model{in_features}{space}:")
        lines.append(f"             z = {b0:.6g}" + "".join(f" {c:+.6g}·{n}" for c, n in zip(beta, names)))
        if model.scaler is not None:   # the same model in the features' own units
            mean, std = np.asarray(model.scaler.mean), np.asarray(model.scaler.std)
            raw_beta, raw_b0 = beta / std, float(b0 - np.sum(beta * mean / std))
            report["linear_equivalent_raw_units"] = {"intercept": raw_b0,
                                                     "coefficients": raw_beta.tolist()}
            lines.append("             in the features' own units (not standardized):")
            lines.append(f"             z = {raw_b0:.6g}"
                         + "".join(f" {c:+.6g}·{n}" for c, n in zip(raw_beta, names)))
        if F is not None and model.task == "classification":
            _logistic_lines(F, y, beta, b0, names, space, report, lines)
        if F is not None and not (model_name and model.task == "classification"):
            lb0, lbeta = analysis.least_squares(F, y)
            dist = float(np.linalg.norm(np.append(beta, b0) - np.append(lbeta, lb0)))
            report["least_squares"] = {"intercept": lb0, "coefficients": lbeta.tolist()}
            report["distance"] = dist
            lines.append(f"least sq.    z = {lb0:.6g}" + "".join(f" {c:+.6g}·{n}" for c, n in zip(lbeta, names))
                         + (f"   {space.strip()}" if space else ""))
            lines.append(f"distance     {dist:.3g} (Euclidean, coefficients and intercept)")
            if model.task == "classification":
                caveat = ("least squares here fits the 0/1 labels themselves; the network was "
                          "trained with log-loss on the logit z, so the two need not agree — "
                          "compare them as directions, not as numbers (the logistic fit above is "
                          "the like-for-like comparison)")
                report["least_squares_caveat"] = caveat
                lines.append(f"note         {caveat}")
        report.setdefault("least_squares", None)
    else:
        why = (f"not a linear model: hidden activations are {', '.join(net.activations[:-1])}; "
               "only identity hidden units collapse to one linear model (linear regression, or "
               "logistic regression for classes)")
        report["linear_equivalent"] = None
        report["linear_reason"] = why
        lines.append(f"linear       {why}")

    # 2. regions and tree
    piecewise = all(a in analysis.PIECEWISE for a in net.activations[:-1])
    if analysis.is_linear(net):
        why = ("one region: identity units never switch on or off, so there are no linear "
               "regions to count and no tests to put in a tree; the whole network is the one "
               "linear model above") if net.hidden_sizes else (
              "one region: with no hidden layer there is no unit to switch on or off; the whole "
              "network is the one linear model above")
        report["regions"] = {"count": 1}
        report["regions_reason"] = why
        lines.append(f"regions      {why}")
        if args.tree:
            report["tree"] = None
            lines.append("tree         a single leaf: the linear model above")
    elif piecewise:
        box = _box(given_box, X_raw)
        g1, g2 = np.linspace(box[0], box[1], res), np.linspace(box[2], box[3], res)
        G = np.zeros((res * res, len(model.inputs)))
        if X_raw is not None:
            G[:] = X_raw.mean(axis=0)
        G[:, 0] = np.repeat(g1, res)
        if len(model.inputs) > 1:
            G[:, 1] = np.tile(g2, res)
        FG = model.transform(G)
        count = analysis.count_regions(net, FG)
        report["regions"] = {"count": count, "box": box, "resolution": res}
        held = " (other inputs at their mean)" if len(model.inputs) > 2 else ""
        lines.append(f"regions      {count} linear regions{in_features} over {model.inputs[0]} ∈ [{box[0]:.4g}, {box[1]:.4g}]"
                     + (f", {model.inputs[1]} ∈ [{box[2]:.4g}, {box[3]:.4g}]" if len(model.inputs) > 1 else "")
                     + f" on a {res}×{res} grid{held}")
        if args.tree:
            rows = FG if F is None else np.vstack([FG, F])
            tree = analysis.decision_tree(net, rows)
            if model.scaler is not None:
                analysis.unscale_tree(tree, model.scaler.mean, model.scaler.std)
            text = analysis.tree_text(tree, names, "z", classes)
            report["tree"] = text
            units = "in the features' own units" if model.scaler is not None else ""
            lines.append(f"tree         {tree.leaves()} leaves; each test is one hidden unit's pre-activation, "
                         f"each leaf the linear model of its region{in_features}"
                         f"{' (' + units + ')' if units else ''} (z is the output's pre-activation):")
            lines.append(text)
    else:
        why = (f"linear regions need piecewise-linear hidden units ({', '.join(analysis.PIECEWISE)}); "
               f"these are {', '.join(net.activations[:-1])}")
        report["regions"] = None
        report["regions_reason"] = why
        lines.append(f"regions      {why}")
        if args.tree:
            raise NnvizError("--tree needs piecewise-linear hidden units (relu, leaky_relu or identity)")

    # 3. gradient check
    if args.gradcheck:
        rows = min(len(F), MAX_GRADCHECK_ROWS)
        loss = losses.make(model.loss, net.activations[-1])
        check = analysis.gradient_check(net, loss, F[:rows], y_net[:rows])
        report["gradcheck"] = {"rows": rows, "max_relative": check.max_relative,
                               "per_matrix": check.per_matrix, "passed": check.passed,
                               "verdict": check.verdict}
        lines.append(f"gradcheck    on {rows} rows: {check.summary()}")

    print(json.dumps(report) if args.json else "\n".join(lines))
    return 0
