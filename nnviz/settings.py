"""Every setting of a run, declared once: name, type, default, range or choices, one line of help.

:class:`Config` (the settings of one run), the limits :func:`check_number`
applies, the ``nnviz train`` flags (:func:`add_arguments`, :func:`values_from_args`), the session
file's ``config`` (written from ``Config``, read back by kind) and the app's control ranges,
choices and tooltips all come from :data:`SETTINGS`. A new setting is one :class:`Setting` here
plus the code that uses its value.

This module imports only the standard library and :mod:`nnviz.errors`, so every other module
can import it; lists of names that live with their code (activations, optimizers, …) are named
as ``"module:ATTRIBUTE"`` and looked up when first needed.
"""
from __future__ import annotations

import argparse
import importlib
import math
from dataclasses import asdict, dataclass, field, make_dataclass
from typing import Callable

from nnviz.errors import NnvizError

# Limits that several modules check: each is defined here only.
MAX_UNITS = 256          # units in one hidden layer
MAX_CLASSES = 100        # classes of a K-class target (units of a softmax output)
MAX_LAYERS = 16          # dense layers in a network (so at most MAX_LAYERS - 1 hidden layers)
TASKS = ("classification", "regression")

KINDS = ("int", "float", "bool", "str", "names", "ints", "str_or_names")
GROUPS = ("data", "network", "training")


@dataclass(frozen=True)
class Setting:
    """One setting.

    kind: ``int``, ``float``, ``bool``, ``str``, ``names`` (a list of names), ``ints`` (a list of
    whole numbers, each within low…high) or ``str_or_names`` (one name, or one per hidden layer).
    label: the name in messages and in :data:`LIMITS` (default: ``name`` with
    spaces). choices: a tuple, or ``"module:ATTRIBUTE"`` naming one. strict: False when other
    values are allowed too (a table's name for ``dataset``). optional: None is a value (its
    meaning is in ``help``). group: the ``nnviz train --help`` section. flag: the command-line
    flag (default ``--name-with-dashes``; a bool that defaults to True gets ``--no-name``).
    parse: turns a flag's text into the value (default: ``float`` for numbers). syntax: how the
    flag is written, added to its help. cli_default: the flag's default when it differs from
    ``default`` (None: not given, the caller decides).
    """

    name: str
    kind: str
    default: object
    help: str
    label: str | None = None
    low: float | None = None
    high: float | None = None
    choices: tuple | str | None = None
    strict: bool = True
    optional: bool = False
    group: str = "training"
    flag: str | None = None
    parse: Callable | None = None
    syntax: str | None = None
    cli_default: object = "same"
    validate: str | None = None

    def __post_init__(self):
        if self.kind not in KINDS:
            raise ValueError(f"{self.name}: unknown kind {self.kind!r}")
        if self.group not in GROUPS:
            raise ValueError(f"{self.name}: unknown group {self.group!r}")

    @property
    def what(self) -> str:
        """The setting's name in messages ("learning rate")."""
        return self.label or self.name.replace("_", " ")

    @property
    def options(self) -> tuple | None:
        """The choices, looked up if they are named as ``"module:ATTRIBUTE"``."""
        if isinstance(self.choices, str):
            module, attr = self.choices.split(":")
            return tuple(getattr(importlib.import_module(module), attr))
        return self.choices

    @property
    def limits(self) -> tuple | None:
        return None if self.low is None and self.high is None else (self.low, self.high)

    def canonical(self, value):
        """``value`` as :attr:`validate` writes it (unchanged without one)."""
        if self.validate is None:
            return value
        module, attr = self.validate.split(":")
        return getattr(importlib.import_module(module), attr)(value)

    def value(self):
        """A fresh copy of the default (lists are new lists)."""
        return list(self.default) if isinstance(self.default, tuple) else self.default

    @property
    def cli_flag(self) -> str:
        if self.flag:
            return self.flag
        dashed = self.name.replace("_", "-")
        return f"--no-{dashed}" if self.kind == "bool" and self.default else f"--{dashed}"


def _int_or_full(text: str):
    if text == "full":
        return None
    try:
        return check("batch_size", text)
    except NnvizError as exc:
        raise argparse.ArgumentTypeError(f"{exc} (or 'full')") from None


def _hidden(text: str) -> list[int]:
    """``"8,4"`` → ``[8, 4]``; ``"0"`` alone → ``[]``, no hidden layer (ŷ = σ(X·W + b))."""
    if text.strip() == "0":
        return []
    parts = text.split(",")
    if len(parts) > 1 and any(t.strip() == "0" for t in parts):
        raise argparse.ArgumentTypeError(
            f"0 means no hidden layer and must be the whole value (--hidden 0), not part of a "
            f"list such as {text!r}")
    try:
        return [check_number("hidden units", t, integer=True) for t in parts]
    except NnvizError as exc:
        raise argparse.ArgumentTypeError(f"{exc}; give a unit count, a list such as 8,4, "
                                         "or 0 for no hidden layer") from None


def _schedule(text: str) -> str:
    """A ``--lr-schedule`` text, canonical; ``cosine`` alone stays as it is (the command fills
    in its length from the planned epochs)."""
    if text.strip() == "cosine":
        return "cosine"
    try:
        return check("lr_schedule", text)
    except NnvizError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def csv_list(text: str) -> list[str]:
    """``"a, b"`` → ``["a", "b"]`` (a command-line list of names)."""
    items = [t.strip() for t in text.split(",")]
    if not all(items):
        raise argparse.ArgumentTypeError(f"empty name in list {text!r}")
    return items


SETTINGS: tuple[Setting, ...] = (
    Setting("dataset", "str", "circle", group="data", choices="nnviz.data.datasets:ALL_NAMES",
            strict=False, cli_default=None,
            help="Built-in 2-D problem. Classification: circle, xor, gauss, spiral, moons; "
                 "K classes: spiral3, blobs3, blobs4, blobs5; regression: plane, multigauss, sine."),
    Setting("samples", "int", 500, low=4, high=100_000, group="data",
            help="Number of points generated (train + test)."),
    Setting("noise", "float", 0.0, low=0.0, high=1.0, group="data",
            help="Amount of noise added to the data (0 = clean, 1 = very noisy)."),
    Setting("features", "names", ("x1", "x2"), group="data", parse=csv_list, cli_default=None,
            syntax="comma-separated; default x1,x2, or all CSV columns",
            help="Inputs the first layer sees. New variables such as x1² make polynomial models "
                 "linear in the inputs."),
    Setting("test_ratio", "float", 0.5, low=0.0, high=0.9, group="data",
            help="Fraction of the points held out for testing (outlined in the output plot)."),
    Setting("seed", "int", 0, low=0, high=2**32 - 1, group="data",
            help="Seed of the run's random generator: the same seed gives the same data split, "
                 "weights and shuffles."),
    Setting("hidden", "ints", (4,), label="hidden units", low=1, high=MAX_UNITS, group="network",
            parse=_hidden, syntax="e.g. 4 or 8,4; 0 for none",
            help="Units per hidden layer, one count per layer. With no hidden layer the network "
                 "is ŷ = σ(X·W + b): logistic regression, or linear regression for a "
                 "regression target."),
    Setting("activation", "str_or_names", "tanh", group="network",
            choices="nnviz.core.activations:NAMES",
            help="Activation σ of the hidden units. relu, leaky_relu and identity are piecewise "
                 "linear: σ(z) = a ⊙ z."),
    Setting("task", "str", None, optional=True, group="network", choices=TASKS,
            help="Classification (sigmoid output for two classes, softmax for more) or "
                 "regression (identity output); default: what the data's target is."),
    Setting("loss", "str", None, optional=True, group="network",
            choices="nnviz.core.losses:NAMES",
            help="Loss of one row; default: log_loss for two classes, cross_entropy for more "
                 "(softmax output; with two classes it chooses a two-unit softmax), "
                 "squared_error for regression."),
    Setting("reduction", "str", "mean", group="network", choices="nnviz.core.losses:REDUCTIONS",
            help="Batch loss E = mean of the rows' losses (update −η·(1/m)·Aᵀ·δ, A the layer's "
                 "input) or their sum (the step grows with the batch)."),
    Setting("lr", "float", 0.03, label="learning rate", low=0.0, high=10.0,
            help="Learning rate η: the step size of every update θ ← θ − η·∂E/∂θ."),
    Setting("batch_size", "int", 10, optional=True, low=1, high=1_000_000, parse=_int_or_full,
            syntax="a count, or 'full'",
            help="Rows per update (m). 1 is stochastic gradient descent; full batch uses "
                 "every training row."),
    Setting("lr_schedule", "str", "constant", label="learning rate schedule", strict=False,
            validate="nnviz.core.schedules:check", parse=_schedule,
            syntax="constant, step:k:γ, exp:γ or cosine:T; cosine alone runs over --epochs",
            help="How η changes from epoch to epoch: constant; step (γ times smaller every k "
                 "epochs); exp (η₀·γ^epoch); cosine (from η₀ down to 0 over T epochs)."),
    Setting("early_stopping", "int", 0, low=0, high=1_000_000,
            help="Patience in epochs: stop when the test loss has not improved for this many "
                 "epochs and go back to the weights of the epoch with the lowest test loss "
                 "(0: off; it needs a test set)."),
    Setting("optimizer", "str", "sgd", choices="nnviz.core.optimizers:NAMES",
            help="How the gradient moves the weights: plain SGD, momentum (β = 0.9) or Adam."),
    Setting("l1", "float", 0.0, low=0.0, high=10.0,
            help="L1 regularization rate λ: adds λ·sign(W) to the weights' gradient "
                 "(biases are not penalised)."),
    Setting("l2", "float", 0.0, low=0.0, high=10.0,
            help="L2 regularization rate λ: adds λ·W to the weights' gradient "
                 "(biases are not penalised)."),
    Setting("init", "str", "uniform", choices="nnviz.core.init:METHODS",
            help="Initial weights: uniform on [−1, 1], Xavier (Glorot) or He."),
    Setting("shuffle", "bool", True,
            help="Shuffle the training rows at the start of every epoch; off keeps the rows in "
                 "file order, so batches are the file's rows in turn (the seed still picks the "
                 "test rows)."),
    Setting("standardize", "bool", True,
            help="Scale every feature to mean 0 and standard deviation 1 over the training rows."),
    Setting("standardize_target", "bool", True, group="data",
            help="Regression: the network learns the target scaled to mean 0 and standard "
                 "deviation 1 over the training rows (the loss is shown in these units); "
                 "predictions, R², RMSE and exports are in the target's own units."),
)


def get(name: str) -> Setting:
    for s in SETTINGS:
        if s.name == name:
            return s
    raise KeyError(name)


def limits() -> dict:
    """label -> (low, high) of every declared number (the engine's :data:`LIMITS`)."""
    out = {s.what: s.limits for s in SETTINGS if s.limits is not None}
    out["hidden layers"] = (0, MAX_LAYERS - 1)   # 0: the linear model ŷ = σ(X·W + b)
    return out


# --- Config ------------------------------------------------------------------------------
_ANNOTATIONS = {"int": "int", "float": "float", "bool": "bool", "str": "str",
                "names": "list[str]", "ints": "list[int]", "str_or_names": "str | list[str]"}


def make_config_class(settings=None) -> type:
    """The dataclass with one field per setting, in order, defaulting to the declared values."""
    specs = []
    for s in (SETTINGS if settings is None else settings):
        kind = _ANNOTATIONS[s.kind] + (" | None" if s.optional else "")
        if isinstance(s.default, tuple):
            specs.append((s.name, kind, field(default_factory=s.value)))
        else:
            specs.append((s.name, kind, field(default=s.default)))
    cls = make_dataclass("Config", specs, namespace={
        "to_dict": lambda self: asdict(self),
        "__doc__": "The settings of one run, one field per entry of nnviz.settings.SETTINGS."})
    cls.__module__ = __name__
    return cls


Config = make_config_class()


# --- validation --------------------------------------------------------------------------
def check(name: str, value):
    """``value`` for setting ``name`` if the declaration allows it (numbers come back as int or
    float); raises :class:`NnvizError` with one sentence otherwise."""

    s = get(name)
    what = s.what
    if value is None and s.optional:
        return None
    if s.kind in ("int", "float"):
        return check_number(what, value, integer=s.kind == "int", low=s.low, high=s.high)
    if s.kind == "bool":
        if not isinstance(value, bool):
            raise NnvizError(f"{what} must be true or false, not {value!r}")
        return value
    if s.kind == "ints":
        if not isinstance(value, (list, tuple)):
            raise NnvizError(f"{what} must be a list with one count per hidden layer, not {value!r}")
        check_number("hidden layers", len(value), integer=True)
        return [check_number(what, v, integer=True, low=s.low, high=s.high) for v in value]
    names = [value] if isinstance(value, str) and s.kind != "names" else value
    if (not isinstance(names, (list, tuple)) or not names
            or not all(isinstance(v, str) and v for v in names)):
        raise NnvizError(f"{what} must be {'a name' if s.kind == 'str' else 'a list of names'}, "
                         f"not {value!r}")
    options = s.options
    if options is not None and s.strict:
        for v in names:
            if v not in options:
                raise NnvizError(f"unknown {what} {v!r} (choose from: {', '.join(options)})")
    if s.validate is not None:
        return s.canonical(value)
    return value if isinstance(value, str) else list(value)


# --- command line ------------------------------------------------------------------------
def add_arguments(groups: dict, settings=None) -> None:
    """Add a flag per setting to ``groups`` (group name -> argparse group or parser)."""
    for s in (SETTINGS if settings is None else settings):
        g = groups[s.group]
        text = f"{s.help.rstrip('.')} ({s.syntax})." if s.syntax else s.help
        default = s.value() if s.cli_default == "same" else s.cli_default
        if s.kind == "bool":
            g.add_argument(s.cli_flag, dest=s.name, default=s.default,
                           action="store_false" if s.default else "store_true",
                           help=("turn off: " + text[0].lower() + text[1:]) if s.default else text)
        elif s.options is not None and s.kind != "names":
            g.add_argument(s.cli_flag, dest=s.name, choices=s.options, default=default,
                           type=s.parse, help=text)
        else:
            parse = s.parse or (float if s.kind in ("int", "float") else str)
            g.add_argument(s.cli_flag, dest=s.name, type=parse, default=default, help=text)


def values_from_args(args, settings=None) -> dict:
    """name -> value for every setting from parsed flags, checked; a flag not given (None) that
    is not optional takes the declared default."""
    values = {}
    for s in (SETTINGS if settings is None else settings):
        v = getattr(args, s.name)
        if v is None and not s.optional:
            v = s.value()
        elif s.kind in ("int", "float"):
            v = check(s.name, v)
        values[s.name] = v
    return values


# --- numbers -------------------------------------------------------------------------------
# label -> (low, high): the declared settings' ranges (nnviz.settings), then the numbers that
# are not settings of a run. The app's spin boxes take the same ranges from the declarations.
LIMITS = {
    **limits(),
    "epochs": (1, 1_000_000),
    "steps": (1, 100_000_000),
    "grid resolution": (2, 2000),
}


def check_number(name: str, value, *, integer: bool = False, low=None, high=None):
    """Return ``value`` as float (or int) if it is finite and within ``[low, high]``.

    Defaults for the bounds come from :data:`LIMITS`. Raises :class:`NnvizError` naming ``name``.
    """
    lo, hi = LIMITS.get(name, (None, None))
    lo = lo if low is None else low
    hi = hi if high is None else high
    if isinstance(value, bool):
        raise NnvizError(f"{name} must be a number, not {value!r}")
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise NnvizError(f"{name} must be a number, not {value!r}") from None
    if not math.isfinite(number):
        raise NnvizError(f"{name} must be a finite number, not {value!r}")
    if integer:
        if number != int(number):
            raise NnvizError(f"{name} must be a whole number, not {value!r}")
        number = int(number)
    if (lo is not None and number < lo) or (hi is not None and number > hi):
        # The number as a person writes it: an epoch count of -1, not the "-1.0" the command
        # line's parser made of it (and every digit of 1234567 or 0.123456789).
        whole = float(number).is_integer() and abs(number) < 1e15
        bounds = (f"between {lo} and {hi}" if lo is not None and hi is not None
                  else f"at least {lo}" if lo is not None else f"at most {hi}")
        raise NnvizError(f"{name} must be {bounds} "
                         f"(got {int(number) if whole else repr(float(number))})")
    return number
