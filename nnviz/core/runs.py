"""Finished runs kept for comparison, and the CSV tables of runs and of one run's history.

A :class:`RunRecord` is what a run leaves to compare: its settings, its per-epoch history, the
best epoch by test loss, its steps and training time. :func:`differences` says how two runs'
settings differ ("lr 0.3 → 0.03"); :func:`history_csv` and :func:`runs_csv` write the tables
(one row per epoch; one row per run).
"""
from __future__ import annotations

import math
from dataclasses import dataclass

from nnviz.core.history import History

MAX_PINNED = 5
HISTORY_FIELDS = ("epoch", "step", "train_loss", "test_loss", "train_metric", "test_metric")


@dataclass
class RunRecord:
    """One run: ``settings`` (setting name → value, as in :class:`~nnviz.settings.Config`), the
    history (lists per field of :data:`HISTORY_FIELDS`), ``task`` (for the metric's name),
    ``best_epoch`` (lowest test loss; None without a test set), ``steps``, ``seconds`` of
    training and ``stopped`` (True when early stopping ended it)."""

    label: str
    settings: dict
    history: dict
    task: str
    best_epoch: int | None
    steps: int
    seconds: float
    stopped: bool = False

    @property
    def metric(self) -> str:
        return metric_name(self.task)

    def final(self) -> dict:
        """The losses and metrics the run ends with: the best epoch's after an early stop (the
        weights it went back to), else the last epoch's."""
        h = self.history
        i = h["epoch"].index(self.best_epoch) if self.stopped and self.best_epoch in h["epoch"] else -1
        return {name: h[name][i] for name in HISTORY_FIELDS[2:]}


def metric_name(task: str) -> str:
    return "accuracy" if task == "classification" else "r2"


def settings_of(config) -> dict:
    """A run's settings as plain values (lists for lists)."""
    return {k: (list(v) if isinstance(v, (list, tuple)) else v)
            for k, v in config.to_dict().items()}


def record(exp, label: str, seconds: float = 0.0) -> RunRecord:
    """The record of ``exp``'s run as it is now (copies: the run may go on)."""
    tr = exp.trainer
    hist = {name: list(getattr(tr.history, name)) for name in HISTORY_FIELDS}
    return RunRecord(label, settings_of(exp.config), hist, exp.model.task, tr.early.best_epoch,
                     tr.step_count, float(seconds),
                     tr.stopped is not None)


def _text(value) -> str:
    if value is None:
        return "auto"
    if isinstance(value, bool):
        return "on" if value else "off"
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, (list, tuple)):
        return ",".join(_text(v) for v in value) or "none"
    return str(value)


def differences(old: dict, new: dict) -> list[str]:
    """How the settings ``old`` became ``new``, one "name old → new" per setting that differs
    (a batch size of None is written "full")."""
    out = []
    for name in list(old) + [k for k in new if k not in old]:
        a, b = old.get(name), new.get(name)
        if a != b:
            words = name.replace("_", " ")
            if name == "batch_size":
                a, b = a or "full", b or "full"
            out.append(f"{words} {_text(a)} → {_text(b)}")
    return out


# --- CSV -------------------------------------------------------------------------------------
def _cell(v) -> str:
    if v is None or (isinstance(v, float) and not math.isfinite(v)):
        return ""
    if isinstance(v, float):
        return repr(float(v))
    text = _text(v)
    return '"' + text.replace('"', '""') + '"' if any(c in text for c in ',"\r\n') else text


def history_csv(history: History | dict, task: str) -> str:
    """One row per recorded epoch: epoch, step, train and test loss, train and test metric
    (accuracy or R²); an empty cell where there is no value (no test set)."""
    h = history.to_dict() if isinstance(history, History) else history
    m = metric_name(task)
    rows = [f"epoch,step,train_loss,test_loss,train_{m},test_{m}"]
    for i in range(len(h["epoch"])):
        rows.append(",".join(_cell(h[name][i]) for name in HISTORY_FIELDS))
    return "\n".join(rows) + "\n"


def runs_csv(runs: list[RunRecord]) -> str:
    """One row per run: its label, the final losses and metrics, best epoch, epochs, steps,
    seconds, whether early stopping ended it, then every setting."""
    names = []
    for run in runs:
        names += [k for k in run.settings if k not in names]
    head = ["run", "train_loss", "test_loss", "train_metric", "test_metric", "metric",
            "best_epoch", "epochs", "steps", "seconds", "stopped_early", *names]
    rows = [",".join(head)]
    for run in runs:
        f = run.final()
        cells = [run.label, f["train_loss"], f["test_loss"], f["train_metric"], f["test_metric"],
                 run.metric, run.best_epoch, run.history["epoch"][-1], run.steps,
                 round(run.seconds, 3), "yes" if run.stopped else "no", *(run.settings.get(k) for k in names)]
        rows.append(",".join(_cell(c) for c in cells))
    return "\n".join(rows) + "\n"
