"""The ``nnviz`` command line: the app with no arguments (see ``ui.entry``); ``train``, ``predict`` and ``info`` headless.

Exit status: 0 on success; 2 with one line ``nnviz: error: …`` on bad usage or bad input (never
a traceback); 1 only for a bug.
"""
from __future__ import annotations

import argparse
import json
import math
import os
import sys
import time

from nnviz import settings
from nnviz.errors import NnvizError
from nnviz.settings import check_number


class _Parser(argparse.ArgumentParser):
    def error(self, message):  # one line, exit 2, as for every other user error
        raise NnvizError(message)

    def exit(self, status=0, message=None):  # after --help: flush where main() sees a closed pipe
        sys.stdout.flush()
        super().exit(status, message)


def make_parser() -> argparse.ArgumentParser:
    p = _Parser(prog="nnviz", description="See the matrix equations of a neural network.")
    p.add_argument("--version", action="store_true", help="print the version and exit")
    sub = p.add_subparsers(dest="command")
    sub.add_parser("gui", help="launch the desktop app (the default)")

    t = sub.add_parser("train", help="train a network headless")
    d = t.add_argument_group("data")
    n = t.add_argument_group("network")
    r = t.add_argument_group("training")
    settings.add_arguments({"data": d, "network": n, "training": r})  # one flag per setting
    d.add_argument("--data", metavar="FILE.csv", help="your own CSV table")
    d.add_argument("--target", metavar="COLUMN", help="the CSV column to predict")
    d.add_argument("--inputs", metavar="COL,COL,…", type=settings.csv_list,
                   help="the CSV columns the network takes (default: every column of numbers "
                        "but the target; a text column is skipped with a note). --features "
                        "chooses expressions of these")
    d.add_argument("--positive-class", metavar="LABEL",
                   help="one class against the rest: this target label is 1, every other 0")
    d.add_argument("--drop-missing", action="store_true",
                   help="drop CSV rows with an empty or NA cell in a used column")
    d.add_argument("--max-mb", type=float, default=200, help="refuse CSV files larger than this")
    r.add_argument("--epochs", type=float,
                   help="passes over the training rows (default 100; or give --steps)")
    r.add_argument("--steps", type=float, help="mini-batch steps to take, instead of --epochs")
    r.add_argument("--weights", metavar="FILE", help="start from these weights instead of an init")
    o = t.add_argument_group("output")
    o.add_argument("--export", metavar="FILE", help="write the trained weights (.json, .npz, "
                   ".safetensors, .onnx, .py, or .csv for a folder of CSV files)")
    o.add_argument("--export-on-divergence", action="store_true",
                   help="export the last finite weights even if training diverged")
    o.add_argument("--history", metavar="FILE.csv",
                   help="write the run's history: one row per epoch (epoch, step, train and "
                        "test loss and metric)")
    o.add_argument("--json", action="store_true", help="print one JSON object")

    pr = sub.add_parser("predict", help="predict with saved weights")
    pr.add_argument("--weights", required=True, metavar="FILE")
    pr.add_argument("--input", required=True, metavar="FILE.csv")
    pr.add_argument("--output", metavar="FILE.csv", help="default: standard output")

    from nnviz.cli import analyze as cli_analyze, convert as cli_convert
    cli_analyze.add_parser(sub)
    cli_convert.add_parser(sub)
    from nnviz.cli import trace as cli_trace
    cli_trace.add_parser(sub)

    i = sub.add_parser("info", help="describe a weights file")
    i.add_argument("file")
    return p


# --- train -------------------------------------------------------------------------------
def _config_from(args):
    if args.data and args.dataset:
        raise NnvizError("give --dataset or --data, not both")
    if args.target and not args.data:
        raise NnvizError("--target goes with --data")
    if args.data and not args.target:
        raise NnvizError("--data needs --target COLUMN")
    if (args.positive_class is not None or args.drop_missing or args.inputs) and not args.data:
        raise NnvizError("--inputs, --positive-class and --drop-missing go with --data")
    if args.epochs is not None and args.steps is not None:
        raise NnvizError("give --epochs or --steps, not both")
    config = settings.Config(**settings.values_from_args(args))
    weights = None
    if args.weights:       # read first: its task lets a tiny table (one row, one class) load
        from nnviz.cli import convert as cli_convert
        weights = cli_convert.load(args.weights)
    dataset = None
    if args.data:
        from nnviz.data import csvdata
        max_mb = check_number("--max-mb", args.max_mb, low=0.001, high=1e6)
        dataset = csvdata.load_dataset(args.data, args.target, features=args.inputs,
                                       task=args.task or (weights.task if weights else None),
                                       drop_missing=args.drop_missing,
                                       max_bytes=int(max_mb * 1024 ** 2),
                                       positive_class=args.positive_class)
        config.features = args.features or list(dataset.inputs)
        if weights is not None and weights.network.n_outputs > 1 and dataset.class_names:
            want, have = list(weights.classes or []), list(dataset.class_names)
            if have != want:      # class k of the weights must stay class k
                raise NnvizError(f"the weights' classes are {', '.join(want)}; {args.target!r} "
                                 f"in {os.path.basename(args.data)} holds {', '.join(have)} "
                                 f"(the classes must be the same)")
    if weights is not None:
        net = weights.network
        config.features = list(weights.features)
        config.hidden = net.hidden_sizes
        config.activation = net.activations[:-1] or config.activation   # none with no hidden layer
        config.task = args.task or weights.task
        config.loss = args.loss or weights.loss
    return config, dataset, weights


def _train(args) -> int:
    from nnviz.experiment import build
    from nnviz.cli import convert as cli_convert

    if args.export is not None:
        cli_convert.check_target(args.export)
    if args.history is not None:
        if not args.history.strip():
            raise NnvizError("the --history path is empty")
        if not os.path.isdir(os.path.dirname(args.history) or "."):
            raise NnvizError(f"cannot write {args.history}: there is no folder "
                             f"{os.path.dirname(args.history)}")
        if args.export is not None and os.path.abspath(args.export) == os.path.abspath(args.history):
            raise NnvizError("--history and --export name the same file")
    config, dataset, weights = _config_from(args)
    epochs = None
    if args.steps is None:
        epochs = check_number("epochs", args.epochs if args.epochs is not None else 100, integer=True)
    if config.lr_schedule == "cosine":        # over the run: the epochs it plans
        if epochs is None:
            raise NnvizError("--lr-schedule cosine with --steps needs its length in epochs, "
                             "e.g. cosine:50")
        config.lr_schedule = f"cosine:{epochs}"
    exp = build(config, dataset, weights)
    tr = exp.trainer
    notices = exp.notices
    if not args.json:
        for note in notices:
            print(f"nnviz: note: {note}", file=sys.stderr)
    if epochs is None:
        total = check_number("steps", args.steps, integer=True)
    else:
        total = epochs * tr.steps_per_epoch
    show_progress = not args.json and sys.stdout.isatty()
    start = time.perf_counter()
    last_print = start
    done = 0
    while done < total and not tr.halted:
        done += tr.steps(min(1000, total - done))
        now = time.perf_counter()
        if show_progress and now - last_print > 0.5:
            print(f"\rstep {done}/{total}  epoch {tr.epoch_count}  batch loss {tr.last_loss:.4f}",
                  end="", flush=True)
            last_print = now
    seconds = time.perf_counter() - start
    if show_progress and seconds > 0.5:
        print()
    if tr.stopped is None and (tr.pos != 0 or len(tr.history) == 0
                               or tr.history.step[-1] != tr.step_count):
        tr.record_history()
    h = tr.history
    # After an early stop the network holds the best epoch's weights: report that epoch.
    last = h.epoch.index(tr.stopped.best_epoch) if tr.stopped else -1
    kind = "accuracy" if exp.model.task == "classification" else "r2"
    has_test = len(tr.X_test) > 0

    def num(v):
        return None if v is None or (isinstance(v, float) and math.isnan(v)) else float(v)

    result = {
        "train_loss": num(h.train_loss[last]),
        "test_loss": num(h.test_loss[last]) if has_test else None,
        f"train_{kind}": num(h.train_metric[last]),
        f"test_{kind}": num(h.test_metric[last]) if has_test else None,
        "parameter_count": exp.network.parameter_count(),
        "steps": tr.step_count, "epochs": tr.epoch_count, "seconds": round(seconds, 4),
        "best_epoch": tr.early.best_epoch, "stopped_early": tr.stopped is not None,
    }
    y_scaler = exp.model.target_scaler
    if exp.model.task == "regression" and exp.model.loss == "squared_error":
        # RMSE in the target's own units; the loss stays in the units the network learns
        from nnviz.core.history import rmse
        from nnviz.data.target import unscale_rmse
        result["train_rmse"] = num(unscale_rmse(rmse("squared_error", h.train_loss[last]), y_scaler))
        result["test_rmse"] = (num(unscale_rmse(rmse("squared_error", h.test_loss[last]), y_scaler))
                               if has_test else None)
    if exp.model.task == "regression":
        result["loss_units"] = "standardized target" if y_scaler is not None else "target"
    if exp.network.n_outputs > 1:
        result["classes"] = list(exp.model.classes)
    if notices:
        result["notices"] = list(notices)
    if tr.diverged:
        # An error writes nothing, unless asked to: then the weights and the history both.
        if args.export is not None and args.export_on_divergence:
            cli_convert.export(exp.model, args.export)
            _write_history(args, exp)
        raise NnvizError(tr.diverged.message + ("" if args.export_on_divergence or args.export is None
                                                else "; nothing exported (use --export-on-divergence)"))
    if args.export is not None:
        cli_convert.export(exp.model, args.export)
    _write_history(args, exp)     # last: a failed export leaves no history behind
    if args.json:
        print(json.dumps(result))
    else:
        net = exp.network
        print(f"network   {' → '.join(map(str, net.sizes))}  ({', '.join(net.activations)})")
        print(f"params    {net.parameter_formula()}")
        print(f"trained   {tr.step_count} steps, {tr.epoch_count} epochs in {seconds:.2f} s")
        if tr.stopped:
            print(f"stopped   {tr.stopped.message}")
        for side in ("train", "test") if has_test else ("train",):
            line = f"{side:<10}loss {result[f'{side}_loss']:.4f}  {kind} {result[f'{side}_{kind}']:.4f}"
            if result.get(f"{side}_rmse") is not None:
                line += f"  rmse {result[f'{side}_rmse']:.4g}"
            print(line)
        if y_scaler is not None:
            print(f"units     loss in standardized target units (target mean {y_scaler.mean[0]:.4g}, "
                  f"std {y_scaler.std[0]:.4g}); rmse and predictions in the target's units")
        if args.export is not None:
            print(f"exported  {args.export}")
    return 0


def _write_history(args, exp) -> None:
    if args.history is not None:
        from nnviz.core.runs import history_csv
        from nnviz.io.fileio import atomic_write
        atomic_write(args.history, history_csv(exp.trainer.history, exp.model.task).encode("utf-8"))


# --- predict / info ----------------------------------------------------------------------
def _predict(args) -> int:
    from nnviz.cli import convert as cli_convert
    from nnviz.data import csvdata
    from nnviz.io.fileio import atomic_write

    model = cli_convert.load(args.weights)
    X = csvdata.read_columns(args.input, model.inputs)
    pred = model.predict(X)
    if pred.ndim == 2:            # K classes: the label, then one probability per class
        from nnviz.io.weights_io import to_dict
        classes = to_dict(model)["classes"]
        labels = pred.argmax(axis=1)
        rows = [",".join([_field("label")] + [_field(f"P({c})") for c in classes])]
        rows += [",".join([_field(classes[k])] + [repr(float(v)) for v in row])
                 for k, row in zip(labels, pred)]
        text = "\n".join(rows) + "\n"
    else:
        header = "probability" if model.task == "classification" else "prediction"
        text = header + "\n" + "\n".join(repr(float(v)) for v in pred) + "\n"
    if args.output:
        atomic_write(args.output, text.encode("utf-8"))
    else:
        sys.stdout.write(text)
    return 0


def _field(text: str) -> str:
    """A CSV cell: quoted when it holds a comma, a quote or a line break."""
    return '"' + text.replace('"', '""') + '"' if any(c in text for c in ',"\r\n') else text


def _info(args) -> int:
    from nnviz.cli import convert as cli_convert

    model = cli_convert.load(args.file)
    net = model.network
    print(f"file         {args.file}")
    print(f"task         {model.task}  (loss {model.loss})")
    print(f"inputs       {', '.join(model.inputs)}")
    print(f"features     {', '.join(model.features)}")
    print(f"scaling      {'standardized (mean/std per feature)' if model.scaler is not None else 'none'}")
    if model.target_scaler is not None:
        ts = model.target_scaler
        print(f"target       standardized (mean {ts.mean[0]:.6g}, std {ts.std[0]:.6g}); "
              "predictions are in the target's units")
    print(f"layers       {' → '.join(map(str, net.sizes))}")
    for k, (d, name) in enumerate(zip(net.dense, net.activations), 1):
        print(f"  layer {k}    W {d.W.shape[0]}×{d.W.shape[1]}, b {d.b.shape[0]}, {name}")
    print(f"parameters   {net.parameter_formula()}")
    if net.n_outputs > 1:
        from nnviz.io.weights_io import to_dict
        print(f"classes      {', '.join(to_dict(model)['classes'])}")
    return 0


def main(argv=None, launch_gui=None) -> int:
    """Run the command line. ``launch_gui`` starts the app (the ``nnviz`` entry point in ``ui``
    passes it, so the engine never imports the app).

    A reader that stops early (``nnviz info F | head -1``) is not an error: the command ends
    quietly with status 0."""
    argv = sys.argv[1:] if argv is None else list(argv)
    stdout = sys.stdout
    sys.stdout = _Output(stdout)
    try:
        code = _run(argv, launch_gui)
        sys.stdout.flush()   # inside the try: buffered output meets a closed pipe here, not at exit
        return code
    except BrokenPipeError:
        _silence_stdout()
        return 0
    except NnvizError as exc:
        if isinstance(exc, _OutputError):   # what is still buffered cannot be written either
            _silence_stdout()
        print(f"nnviz: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("nnviz: interrupted", file=sys.stderr)
        return 130
    finally:
        sys.stdout = stdout


class _OutputError(NnvizError):
    """Standard output could not be written (a full disk, a closed terminal)."""


class _Output:
    """``sys.stdout`` while a command runs: a write that fails is one sentence
    (:class:`_OutputError`), not a traceback; a reader that went away stays BrokenPipeError."""

    def __init__(self, stream):
        self._stream = stream

    def _guard(self, call, *args):
        try:
            return call(*args)
        except BrokenPipeError:
            raise
        except OSError as exc:
            raise _OutputError(f"cannot write to standard output: {exc.strerror or exc}") from None

    def write(self, text):
        return self._guard(self._stream.write, text)

    def flush(self):
        return self._guard(self._stream.flush)

    def __getattr__(self, name):      # isatty, fileno, encoding, buffer…
        return getattr(self._stream, name)


def _silence_stdout() -> None:
    """Point file descriptor 1 at the null device, so the interpreter's last flush of what is
    still buffered does not meet the closed pipe again (the recipe in Python's ``signal`` docs)."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError, AttributeError):   # stdout replaced by an object with no file
        pass


def _run(argv, launch_gui) -> int:
    args = make_parser().parse_args(argv)
    if args.version:
        from nnviz import __version__
        print(f"nnviz {__version__}")
        return 0
    if args.command in (None, "gui"):
        if launch_gui is None:
            raise NnvizError("the desktop app starts with the 'nnviz' command")
        return launch_gui()
    if args.command == "analyze":
        from nnviz.cli import analyze as cli_analyze
        return cli_analyze.run(args)
    if args.command == "convert":
        from nnviz.cli import convert as cli_convert
        return cli_convert.run(args)
    if args.command == "trace":
        from nnviz.cli import trace as cli_trace
        return cli_trace.run(args)
    return {"train": _train, "predict": _predict, "info": _info}[args.command](args)
