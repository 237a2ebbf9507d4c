"""Export worksheet… (Ctrl+Shift+E, Train menu): the step the step-through shows, as a worksheet.

:func:`ui.dialogs.ask_worksheet_options` asks the format, exercise and decimals
(:mod:`ui.worksheet_dialog`), then a save dialog asks where. With no step recorded yet, one is
run operation by operation first (the step-through then shows it); a step begun operation by
operation is finished. The worksheet comes from :mod:`nnviz.explain.worksheet`, written
atomically; a problem is one message and changes no file.
"""
from __future__ import annotations

import os

from nnviz.errors import NnvizError
from nnviz.explain import worksheet
from nnviz.explain.text import batch_size

from . import dialogs
from .actions import make_action
from .worksheet_dialog import FORMATS, WorksheetOptions


class WorksheetExport:
    """The action and what it does; remembers the last choices for the next export."""

    def __init__(self, window, menu):
        self.window = window
        self.last = WorksheetOptions(".html", False, None)
        self.action = make_action(window, "actionExportWorksheet", "Export worksheet…", self.export,
                                  "Ctrl+Shift+E", "Write the step the step-through shows as a "
                                  "worksheet to print or hand out (HTML or Markdown; an exercise "
                                  "with its answer key)")
        menu.addAction(self.action)

    def recorded_step(self) -> list:
        """The stages of the step to write: the one shown, finished if it is half way through;
        with none recorded, one step run operation by operation (the step-through shows it)."""
        s = self.window.session
        if not s.stages:
            s.step_operation()
        while s.step_in_progress:      # each press runs (or shows) the next operation
            s.step_operation()
        if not s.stages or s.stages[-1].phase != "update":
            raise NnvizError("the training step did not finish (the training diverged), so there "
                             "is no step to write")
        return s.stages

    def export(self) -> bool:
        options = dialogs.ask_worksheet_options(self.window, self.last)
        if options is None:
            return False
        self.last = options
        _, ext, name_filter = next(f for f in FORMATS if f[1] == options.extension)
        default = "worksheet-exercise" if options.exercise else "worksheet"
        path = dialogs.ask_save_path(self.window, "Export worksheet", default + ext, name_filter)
        if not path:
            return False
        s = self.window.session
        try:
            stages = self.recorded_step()
            panel = getattr(self.window, "step_panel", None)
            context = [f"The batch: {batch_size(stages[0])} training rows of "
                       f"{s.dataset.name or 'the data'}, step {s.trainer.step_count} of this run."]
            written = worksheet.write(path, stages, sample=panel.sample if panel else 0,
                                      decimals=options.decimals, exercise=options.exercise,
                                      context=context, n_layers=s.network.n_layers)
        except NnvizError as exc:
            dialogs.warn(self.window, "Export worksheet", str(exc))
            return False
        names = " and ".join(os.path.basename(p) for p in written)
        self.window.statusBar().showMessage(f"Worksheet saved: {names}", 5000)
        return True


def install(window, menu) -> WorksheetExport:
    """Add Export worksheet… to ``window`` and ``menu``; returns the controller."""
    return WorksheetExport(window, menu)
