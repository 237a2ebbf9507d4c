"""Learning-rate schedules: how the learning rate η changes from one epoch to the next.

One table row per schedule, in the style of :mod:`nnviz.core.activations`: the name, the
numbers it takes (each with a default and a range), the formula as the app writes it, and the
function that computes it. η₀ is the learning rate setting; ``epoch`` counts the epochs done
before the one being trained (0 during the first), so each epoch trains with one η:

    constant      η = η₀
    step:k:γ      η = η₀·γ^⌊epoch/k⌋            (γ times smaller every k epochs)
    exp:γ         η = η₀·γ^epoch
    cosine:T      η = η₀·½·(1 + cos(π·t/T)),    t = min(epoch, T)   (η₀ down to 0 over T epochs)

A schedule is written ``NAME[:ARGS]``, as the ``--lr-schedule`` flag and session files take it:
``constant``, ``step:10:0.5``, ``exp:0.95``, ``cosine:200``. :func:`check` turns such a text
into its canonical form (defaults filled in) or refuses it with one sentence.

The trainer asks for η once an epoch (at the epoch's first step), never inside a step.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache
from typing import Callable

from nnviz.errors import NnvizError

MAX_EPOCHS = 1_000_000


@dataclass(frozen=True)
class Arg:
    """One number a schedule takes: its symbol, whether it is whole, default and range."""

    symbol: str
    integer: bool
    default: float | None
    low: float
    high: float
    meaning: str


@dataclass(frozen=True)
class ScheduleKind:
    """A row of :data:`SCHEDULES`: ``rate(eta0, epoch, *args)`` is the formula ``formula``."""

    name: str
    args: tuple[Arg, ...]
    rate: Callable[..., float]
    formula: str
    help: str


def _constant(eta0: float, epoch: int) -> float:
    return eta0


def _step(eta0: float, epoch: int, k: int, gamma: float) -> float:
    return eta0 * gamma ** (epoch // k)


def _exp(eta0: float, epoch: int, gamma: float) -> float:
    return eta0 * gamma ** epoch


def _cosine(eta0: float, epoch: int, T: int) -> float:
    return eta0 * 0.5 * (1.0 + math.cos(math.pi * min(epoch, T) / T))


_GAMMA = "the factor"
SCHEDULES: dict[str, ScheduleKind] = {row.name: row for row in (
    ScheduleKind("constant", (), _constant, "η = η₀",
                 "the same learning rate in every epoch"),
    ScheduleKind("step", (Arg("k", True, 10, 1, MAX_EPOCHS, "the step length"),
                          Arg("γ", False, 0.5, 0.0, 1.0, _GAMMA)),
                 _step, "η = η₀·γ^⌊epoch/k⌋", "γ times the rate every k epochs"),
    ScheduleKind("exp", (Arg("γ", False, 0.95, 0.0, 1.0, _GAMMA),), _exp, "η = η₀·γ^epoch",
                 "γ times the rate every epoch"),
    ScheduleKind("cosine", (Arg("T", True, None, 1, MAX_EPOCHS, "the length in epochs"),),
                 _cosine, "η = η₀·½·(1 + cos(π·epoch/T))",
                 "from η₀ down to 0 along half a cosine over T epochs, then 0"),
)}
NAMES = tuple(SCHEDULES)
SYNTAX = "constant, step:k:γ, exp:γ or cosine:T"


@dataclass(frozen=True)
class Schedule:
    """A parsed schedule: its row and its numbers."""

    kind: ScheduleKind
    args: tuple

    @property
    def name(self) -> str:
        return self.kind.name

    @property
    def text(self) -> str:
        """The canonical ``NAME[:ARGS]`` text."""
        return ":".join([self.name, *(_fmt(a) for a in self.args)])

    def rate(self, eta0: float, epoch: int) -> float:
        """η in epoch ``epoch`` (0: the first) for the learning rate setting η₀."""
        return self.kind.rate(eta0, int(epoch), *self.args)

    def formula(self) -> str:
        """The formula with this schedule's numbers in (``η = η₀·0.5^⌊epoch/10⌋``)."""
        text = self.kind.formula
        for arg, value in zip(self.kind.args, self.args):
            text = text.replace(arg.symbol, _fmt(value))
        return text


def _fmt(v) -> str:
    return str(v) if isinstance(v, int) else repr(float(v))


@lru_cache(maxsize=64)
def parse(text: str, planned_epochs: int | None = None) -> Schedule:
    """The schedule a ``NAME[:ARGS]`` text names; numbers left out take their defaults (the
    cosine's T: ``planned_epochs``). Raises :class:`NnvizError` with one sentence."""
    if not isinstance(text, str) or not text.strip():
        raise NnvizError(f"learning rate schedule must be one of {SYNTAX}, not {text!r}")
    name, *parts = [p.strip() for p in text.strip().split(":")]
    kind = SCHEDULES.get(name)
    if kind is None:
        raise NnvizError(f"unknown learning rate schedule {name!r} (choose from: {SYNTAX})")
    if len(parts) > len(kind.args):
        usage = ":".join([name, *(a.symbol for a in kind.args)])
        raise NnvizError(f"the {name} schedule takes {len(kind.args) or 'no'} number"
                         f"{'' if len(kind.args) == 1 else 's'} ({usage}), not {text!r}")
    args = []
    for k, arg in enumerate(kind.args):
        given = parts[k] if k < len(parts) and parts[k] else None
        if given is None:
            value = arg.default if arg.default is not None else planned_epochs
            if value is None:
                raise NnvizError(f"the {name} schedule needs {arg.meaning} {arg.symbol}, "
                                 f"e.g. {name}:200")
        else:
            try:
                value = float(given)
            except ValueError:
                raise NnvizError(f"{arg.meaning} {arg.symbol} of the {name} schedule must be a "
                                 f"number, not {given!r}") from None
        if not math.isfinite(value) or (arg.integer and value != int(value)):
            kind = "whole" if arg.integer and math.isfinite(value) else "finite"
            raise NnvizError(f"{arg.meaning} {arg.symbol} of the {name} schedule must be a "
                             f"{kind} number, not {given or value!r}")
        if not arg.low <= value <= arg.high:
            raise NnvizError(f"{arg.meaning} {arg.symbol} of the {name} schedule must be "
                             f"between {arg.low:g} and {arg.high:.0f} (got {given or value})")
        args.append(int(value) if arg.integer else float(value))
    return Schedule(kind, tuple(args))


def check(text: str) -> str:
    """The canonical text of a schedule (``step`` → ``step:10:0.5``); raises
    :class:`NnvizError` with one sentence for a text that names none."""
    return parse(text).text


def rate(config, epoch: int) -> float:
    """η in epoch ``epoch`` of a run with settings ``config`` (its ``lr`` and ``lr_schedule``)."""
    text = getattr(config, "lr_schedule", "constant")
    return config.lr if text == "constant" else parse(text).rate(config.lr, epoch)
