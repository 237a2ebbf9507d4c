"""The pinned runs in a session file (see :mod:`nnviz.io.session_file`).

header ``pinned``: a list with one object per run — ``label``, ``settings`` (name → a number,
text, true/false, null or a list of them), ``task``, ``best_epoch``, ``steps``, ``seconds``,
``stopped``; arrays ``pinned<i>_<field>`` (float64) hold each run's history, one per field of
:data:`nnviz.core.runs.HISTORY_FIELDS`. A file without ``pinned`` has none.
"""
from __future__ import annotations

import math

import numpy as np

from nnviz.core.runs import HISTORY_FIELDS, MAX_PINNED, RunRecord
from nnviz.io.session_checks import Reader
from nnviz.settings import TASKS

MAX_SETTINGS = 100


def write(runs, arrays: dict) -> list[dict]:
    """The header's ``pinned`` list; each run's history goes into ``arrays``."""
    out = []
    for i, run in enumerate(runs):
        out.append({"label": run.label, "settings": run.settings, "task": run.task,
                    "best_epoch": run.best_epoch, "steps": run.steps,
                    "seconds": run.seconds, "stopped": run.stopped})
        for name in HISTORY_FIELDS:
            arrays[f"pinned{i}_{name}"] = np.asarray(run.history[name], np.float64)
    return out


def _value(r: Reader, v, what: str):
    if v is None or isinstance(v, bool):
        return v
    if isinstance(v, (int, float)):
        return r.number(v, what) if isinstance(v, float) else r.integer(v, what, -2**62)
    if isinstance(v, str):
        return r.string(v, what, empty=True)
    if isinstance(v, list) and len(v) <= 1000:
        return [_value(r, x, what) for x in v]
    r.fail(f"'{what}' must be a number, a text, true/false or a list of them")


def read(r: Reader, pinned, arrays) -> list[RunRecord]:
    """The pinned runs of a session file, validated."""
    if pinned is None:
        return []
    if not isinstance(pinned, list) or len(pinned) > MAX_PINNED:
        r.fail(f"'pinned' must be a list of at most {MAX_PINNED} runs")
    runs = []
    for i, p in enumerate(pinned):
        what = f"pinned[{i}]"
        p = r.obj(p, what)
        raw = r.obj(p.get("settings"), f"{what}.settings")
        if len(raw) > MAX_SETTINGS or not all(isinstance(k, str) and 0 < len(k) <= 100 for k in raw):
            r.fail(f"'{what}.settings' must hold at most {MAX_SETTINGS} named settings")
        settings = {k: _value(r, v, f"{what}.settings.{k}") for k, v in raw.items()}
        hist, length = {}, None
        for name in HISTORY_FIELDS:
            a = r.array(arrays, f"pinned{i}_{name}", (length,), finite=name in ("epoch", "step"))
            length = len(a)
            if length == 0:
                r.fail(f"the history of {what} is empty")
            if name in ("epoch", "step"):
                if (a < 0).any() or (a != np.round(a)).any() or (a > 2**53).any():
                    r.fail(f"the history of {what} has an '{name}' that is not a whole number ≥ 0")
                hist[name] = [int(v) for v in a]
            else:
                hist[name] = a.tolist()
        best = p.get("best_epoch")
        best = None if best is None else r.integer(best, f"{what}.best_epoch")
        seconds = r.number(p.get("seconds"), f"{what}.seconds")
        if not 0 <= seconds < math.inf:
            r.fail(f"'{what}.seconds' must be a number ≥ 0")
        stopped = p.get("stopped", False)
        if not isinstance(stopped, bool):
            r.fail(f"'{what}.stopped' must be true or false")
        runs.append(RunRecord(r.string(p.get("label"), f"{what}.label"), settings, hist,
                              r.string(p.get("task"), f"{what}.task", TASKS), best,
                              r.integer(p.get("steps"), f"{what}.steps"), seconds, stopped))
    return runs
