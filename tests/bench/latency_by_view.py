"""What each view costs of opening the 30-input sample table, beside one step with its redraw.

    python tests/bench/latency_by_view.py [--quick]

The window of ``bench_latency.py`` (offscreen, 1400×900, every view showing). Each variant
switches off what some views do when the run changes: their handlers of the session's signals
do nothing, so those views neither rebuild, nor lay out, nor paint anything new. In the same
rounds each variant times one mini-batch step with its redraw, opening the table
(``File › Open sample data``) and going back to the toy data (``session.set_data``, what the
dataset combo calls). The variants take turns round by round in one window, so the machine's
changing speed falls on all of them alike; the times are medians over the rounds.

A view switched off shows stale content: this measures what a view costs, not an app. It is a
diagnosis, not part of ``run_all.py``: no target.
"""
from __future__ import annotations

import importlib
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import _common as C  # noqa: E402  (first: it sets the BLAS threads before NumPy loads)
import bench_latency as L  # noqa: E402
import bench_ui as U  # noqa: E402

SAMPLE_TABLE = L.SAMPLE_TABLE

# A view's handlers of the session's signals, as (module, class, method).
CANVAS = [("ui.network_view", "NetworkView", m)
          for m in ("_on_structure_changed", "_on_params_changed", "_on_stage_signal")]
OUTPUT = [("ui.boundary_view", "BoundaryPlot", m)
          for m in ("_on_structure_changed", "_on_params_changed")]
LOSS = [("ui.loss_view", "LossPlot", m) for m in ("_on_structure_changed", "_on_history_changed")]
HEATMAPS = [("ui.heatmaps", "HeatmapPanel", m)
            for m in ("_on_structure_changed", "_on_params_changed")]
DATA = [("ui.controls", "DataPanel", "_on_session")]

# variant → the handlers it switches off. Order = the table's order.
VARIANTS = {
    "every view": [],
    "without the network canvas": CANVAS,
    "without the Output plot": OUTPUT,
    "without the Loss chart": LOSS,
    "without the Heatmaps": HEATMAPS,
    "without the Data panel": DATA,
    "without either plot": OUTPUT + LOSS,
    "without either plot or the Data panel": OUTPUT + LOSS + DATA,
}


def _nothing(self, *args, **kwargs):
    """A handler switched off."""


class _Off:
    """The handlers of one variant switched off while in a ``with`` block (a signal connected
    to a method finds it on its class when it is emitted)."""

    def __init__(self, handlers):
        self.handlers = [(getattr(importlib.import_module(m), c), name) for m, c, name in handlers]
        self.kept = []

    def __enter__(self):
        self.kept = [(cls, name, cls.__dict__[name]) for cls, name in self.handlers]
        for cls, name in self.handlers:
            setattr(cls, name, _nothing)

    def __exit__(self, *exc):
        for cls, name, handler in self.kept:
            setattr(cls, name, handler)


def measure_by_view(rounds: int, variants=VARIANTS) -> dict:
    """{variant: {"step": [s…], "open": [s…], "back": [s…]}}, the variants taking turns."""
    app, win, s = U.open_window(4)
    open_table = getattr(win, f"actionSample_{SAMPLE_TABLE}").trigger

    def back():
        s.set_data(dataset="circle")

    off = {v: _Off(h) for v, h in variants.items()}
    timer = L._Timer(app, win)      # (each action with the event loop's work it queued)
    try:
        for round_ in range(rounds + 1):             # the first round untimed: first-use caches
            if round_ == 1:
                timer.times.clear()
            for variant in variants:
                with off[variant]:
                    for _ in range(2):
                        timer((variant, "step"), win.actionStepBatch.trigger)
                    timer((variant, "open"), open_table)
                    timer((variant, "back"), back)
                if s.dataset.n_inputs != 2:
                    raise RuntimeError("the run did not return to the toy data")
    finally:
        U.close_window(app, win)
    return {v: {k: timer.times[(v, k)] for k in ("step", "open", "back")} for v in variants}


def rows_from(times: dict) -> list[C.Row]:
    rows = []
    whole = C.median(times["every view"]["open"])
    for variant, t in times.items():
        step, opened, back = (C.median(t[k]) for k in ("step", "open", "back"))
        share = "" if variant == "every view" else f"; {(whole - opened) * 1e3:.1f} ms less"
        rows.append(C.Row("latency by view", f"{variant}; {len(t['open'])} rounds",
                          f"open {opened * 1e3:.1f} ms = {opened / step:.2f}× one step with "
                          f"redraw ({step * 1e3:.1f} ms){share}; back to the toy data "
                          f"{back * 1e3:.1f} ms = {back / step:.2f}×"))
    return rows


def measure(quick: bool = False) -> list[C.Row]:
    start = C.load_average()
    rows = rows_from(measure_by_view(5 if quick else 25))
    rows[0].case += f" ({start} at the start, {C.load_average().split(' ', 2)[2]} at the end)"
    return rows


def main(argv=None):
    C.run_script(measure, __doc__, argv)


if __name__ == "__main__":
    main()
