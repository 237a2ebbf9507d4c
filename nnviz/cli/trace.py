"""``nnviz trace --weights FILE --input FILE.csv --target COLUMN``: one training step, every stage.

Runs one mini-batch update of the saved network on the rows of the CSV file (all of them, or
the first ``--rows``) and prints each recorded stage: its name, its equations with the shapes,
and its operand and result arrays; ``--json`` prints the same as one JSON object. The weights
file is not changed.
"""
from __future__ import annotations

import json
import os

import numpy as np

from nnviz.explain import equations as explain
from nnviz.core import losses, optimizers
from nnviz.errors import NnvizError
from nnviz.settings import check_number

MAX_TRACE_ROWS = 10_000


def add_parser(sub) -> None:
    t = sub.add_parser("trace", help="run one training step and print every operation with its numbers")
    t.add_argument("--weights", required=True, metavar="FILE", help="a weights file (.json, .npz, .safetensors) or a .nnviz session")
    t.add_argument("--input", required=True, metavar="FILE.csv", help="the rows of the batch")
    t.add_argument("--target", required=True, metavar="COLUMN", help="the CSV column to predict")
    t.add_argument("--rows", type=float, help="use only the first ROWS rows (default: all)")
    t.add_argument("--lr", type=float, default=0.03, help="learning rate η (default 0.03)")
    t.add_argument("--optimizer", choices=optimizers.NAMES, default="sgd")
    t.add_argument("--reduction", choices=losses.REDUCTIONS, default="mean",
                   help="batch loss as the mean (1/m) or the sum of the per-row losses")
    t.add_argument("--sample", type=float, default=1,
                   help="the sample (1-based row of the batch) written out in index form (default 1)")
    t.add_argument("--notation", choices=explain.NOTATIONS, default=explain.ROW,
                   help="row: Z = X·W + b (default); column: {Z} = [Wᵀ]·{X} ⊕ {b}, b added to "
                        "every column")
    t.add_argument("--json", action="store_true", help="print one JSON object")
    w = t.add_argument_group("worksheet")
    w.add_argument("--worksheet", metavar="FILE.html|FILE.md",
                   help="write the step as a worksheet instead of printing it: every operation in "
                        "order with its equation, shapes, matrices and the sample element by "
                        "element; .html is a page that prints on A4, .md is Markdown with LaTeX math")
    w.add_argument("--exercise", action="store_true",
                   help="leave every computed number of the worksheet blank, and write the "
                        "answer key next to it (FILE-answers.html or .md)")
    w.add_argument("--decimals", type=float, metavar="N",
                   help="decimals of the worksheet's matrices, 0 to 12 (default: as the "
                        "step-through writes each matrix)")


def trace(model, X_raw, y, *, lr: float = 0.03, optimizer: str = "sgd", reduction: str = "mean"):
    """The recorded stages of one full-batch step of a copy of ``model``'s network on raw rows."""
    from nnviz.core.trainer import Trainer

    F = model.transform(X_raw)
    net = model.network.copy()
    loss = losses.make(model.loss, net.activations[-1], reduction)
    tr = Trainer(net, loss, F, y, task=model.task, lr=lr, batch_size=None, optimizer=optimizer,
                 shuffle=False)
    stages = list(tr.stage_step())
    if tr.diverged:
        raise NnvizError(tr.diverged.message)
    return stages


def _inputs(model, X_raw) -> dict:
    """What X in the stages is: the file's columns, and the features the first layer sees
    (expanded, and standardized with the training rows' mean and std when the model says so)."""
    F = model.transform(X_raw)
    scaler = model.scaler
    return {"raw_columns": list(model.inputs), "raw_X": np.asarray(X_raw, float).tolist(),
            "features": list(model.features), "X": F.tolist(),
            "standardized": scaler is not None,
            "mean": None if scaler is None else np.asarray(scaler.mean).tolist(),
            "std": None if scaler is None else np.asarray(scaler.std).tolist()}


def _inputs_text(inputs: dict) -> str:
    m, p = len(inputs["X"]), len(inputs["features"])
    lines = [f"[0] the batch: the file's columns {', '.join(inputs['raw_columns'])} "
             f"{explain.shape_text(np.asarray(inputs['raw_X']).reshape(m, -1))} =",
             "        " + _array_text(inputs["raw_X"]).replace("\n", "\n" + " " * 8)]
    if inputs["standardized"]:
        lines.append(f"    X, the features {', '.join(inputs['features'])} standardized with the "
                     "training rows' mean and std: X = (x − mean)/std")
        lines.append(f"    mean = {_array_text(inputs['mean'])}")
        lines.append(f"    std  = {_array_text(inputs['std'])}")
    else:
        lines.append(f"    X, the features {', '.join(inputs['features'])} as they are (no scaling)")
    lines.append(f"  X [{m}×{p}] =\n        " + _array_text(inputs["X"]).replace("\n", "\n" + " " * 8))
    ts = inputs.get("target_standardized")
    if ts:
        lines.append(f"    y, the target standardized as the network learned it: y = (target − "
                     f"{ts['mean']:.6g})/{ts['std']:.6g}; ŷ·{ts['std']:.6g} + {ts['mean']:.6g} is "
                     "the prediction in the target's units")
    return "\n".join(lines)


def _array_text(a) -> str:
    with np.printoptions(precision=6, suppress=True, linewidth=100, threshold=200):
        return np.array2string(np.asarray(a, dtype=float), separator=", ")


def _worksheet_args(args):
    """The worksheet's decimals (None: as the step-through writes each matrix); a bad
    combination or extension is one sentence, before any work is done."""
    from nnviz.explain import worksheet

    if args.worksheet is None:
        if args.exercise or args.decimals is not None:
            raise NnvizError("--exercise and --decimals go with --worksheet FILE")
        return None
    if args.json:
        raise NnvizError("give --json or --worksheet, not both")
    if args.notation != explain.ROW:
        raise NnvizError("a worksheet is written in row notation; leave out --notation column")
    worksheet.check_path(args.worksheet)
    return worksheet.check_decimals(args.decimals)


def run(args) -> int:
    from nnviz.cli import convert as cli_convert
    from nnviz.data import csvdata

    decimals = _worksheet_args(args)
    model = cli_convert.load(args.weights)   # every format predict and info read
    lr = check_number("learning rate", args.lr)
    if model.network.n_outputs > 1:   # K classes: the labels map by the model's classes
        from nnviz.io.weights_io import to_dict
        X_raw, y = csvdata.read_classes(args.input, args.target, list(model.inputs),
                                        to_dict(model)["classes"])
    else:
        ds = csvdata.load_dataset(args.input, args.target, features=list(model.inputs), task=model.task)
        X_raw, y = ds.X, ds.y
        bad = y[~np.isin(y, (0.0, 1.0))] if model.task == "classification" else y[:0]
        if bad.size:
            raise NnvizError(f"{os.path.basename(args.input)}: the target {args.target!r} holds "
                             f"{bad[0]:g}; a two-class model's target is 0 or 1 (or two labels, "
                             f"the first in sorted order being 0)")
    if args.rows is not None:
        n = check_number("--rows", args.rows, low=1, integer=True)
        X_raw, y = X_raw[:n], y[:n]
    if len(X_raw) > MAX_TRACE_ROWS:
        raise NnvizError(f"trace prints every number: use at most {MAX_TRACE_ROWS} rows (--rows)")
    sample = check_number("--sample", args.sample, low=1, integer=True) - 1
    if sample >= len(X_raw):
        raise NnvizError(f"--sample {sample + 1} is beyond the batch of {len(X_raw)} rows")
    ts = model.target_scaler
    if ts is not None:   # the network learned the standardized target: its y is that
        from nnviz.data import target
        y = target.scale(y, ts)
    stages = trace(model, X_raw, y, lr=lr, optimizer=args.optimizer, reduction=args.reduction)
    inputs = _inputs(model, X_raw)
    inputs["target_standardized"] = None if ts is None else {"mean": float(ts.mean[0]),
                                                             "std": float(ts.std[0])}
    if args.worksheet is not None:
        from nnviz.explain import worksheet
        context = [f"The batch: {'the first ' + str(len(X_raw)) if args.rows is not None else 'the'} "
                   f"{len(X_raw)} row{'s' * (len(X_raw) != 1)} of {os.path.basename(args.input)}; "
                   f"weights from {os.path.basename(args.weights)}; X holds the features "
                   f"{', '.join(inputs['features'])}"
                   + (" standardized with the training rows' mean and std." if inputs["standardized"]
                      else " as they are.")
                   + ("" if ts is None else " y is the target standardized with the training "
                      f"rows' mean {ts.mean[0]:.4g} and std {ts.std[0]:.4g}, as the network learns it.")]
        for path in worksheet.write(args.worksheet, stages, sample=sample, decimals=decimals,
                                    exercise=args.exercise, context=context):
            print(f"worksheet  {path}")
        return 0
    if args.json:
        out = []
        for st in stages:
            d = st.to_dict()
            d["index_form"] = explain.index_form(st, sample, args.notation)
            d["matrix_form"] = [{"equation": e, "shapes": s} for e, s in explain.equations(st, args.notation)]
            out.append(d)
        print(json.dumps({"rows": len(X_raw), "lr": lr, "optimizer": args.optimizer,
                          "reduction": args.reduction, "notation": args.notation,
                          "inputs": inputs, "stages": out}, ensure_ascii=False))
        return 0
    blocks = [_inputs_text(inputs)]
    for i, st in enumerate(stages, 1):
        lines = [f"[{i}/{len(stages)}] {st.name}: {st.title}"]
        for e, s in explain.equations(st, args.notation):
            lines.append(f"    {e}" + (f"      {s}" if s else ""))
        for shown in explain.arrays(st, args.notation):
            label = {"operand": "in ", "result": "out", "state": "opt"}[shown.role]
            body = _array_text(shown.values).replace("\n", "\n" + " " * 8)
            lines.append(f"  {label} {shown.name} {explain.shape_text(shown.values)} =\n        {body}")
        idx = explain.index_form(st, sample, args.notation)
        if idx:
            lines.append("  index form:")
            lines += [f"    {line}" for line in idx]
        blocks.append("\n".join(lines))
    print("\n\n".join(blocks))   # a closed pipe (| head) is handled in nnviz.cli.main.main
    return 0
