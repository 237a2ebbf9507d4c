"""Compared runs in the app: Pin run (a button above the loss chart too), the runs table and
the CSV exports of the runs table and of the current run's history.

The model (:mod:`ui.model.runs`) keeps the pinned runs and writes the tables; this module only
asks for file names, shows the table and says what happened.
"""
from __future__ import annotations

import math

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (QAbstractItemView, QDialog, QDialogButtonBox, QHBoxLayout,
                               QHeaderView, QLabel, QPushButton, QTableWidget, QTableWidgetItem,
                               QToolButton, QVBoxLayout)

from nnviz.core.runs import MAX_PINNED
from nnviz.errors import NnvizError
from nnviz.io.fileio import atomic_write

from . import dialogs
from .actions import make_action

CSV_FILTER = "CSV tables (*.csv)"
COLUMNS = ("run", "changed to the current settings", "train loss", "test loss", "train {m}",
           "test {m}", "best epoch", "epochs", "steps", "time (s)")


def install(window, menu) -> None:
    """Add the actions to ``window`` and ``menu`` (Train), and Pin run above the loss chart."""
    s = window.session
    menu.addSeparator()
    pin = make_action(window, "actionPinRun", "Pin run", lambda: pin_run(window), "Ctrl+P",
                      f"Keep this run's loss curves in the loss chart, faded (solid: training, "
                      f"dotted: test), to compare the next runs with (up to {MAX_PINNED})")
    table = make_action(window, "actionRunsTable", "Runs table…", lambda: show_runs(window),
                        "Ctrl+Shift+P", "The pinned runs and the current one side by side: "
                        "settings, final losses, best epoch, steps and time")
    for a in (pin, table):       # (the history's CSV: File › Export loss history)
        menu.addAction(a)
    button = QToolButton()
    button.setObjectName("pinRunButton")
    button.setDefaultAction(pin)
    button.setAutoRaise(True)
    window.loss_plot.add_header_widget(button)
    window.pin_button = button
    s.runsChanged.connect(lambda: _refresh(window))


def pin_run(window) -> bool:
    s = window.session
    drop = False
    if len(s.pinned) >= MAX_PINNED:
        oldest = s.pinned[0].label
        if not dialogs.ask_yes_no(window, "Pin run", f"{MAX_PINNED} runs are pinned, as many as "
                                  f"the loss chart compares. Unpin the oldest ({oldest}) to pin "
                                  "this one?"):
            return False
        drop = True
    try:
        record = s.pin_run(drop_oldest=drop)
    except NnvizError as exc:
        dialogs.warn(window, "Pin run", str(exc))
        return False
    window.statusBar().showMessage(f"Pinned the run as {record.label}: its curves stay in the "
                                   "loss chart, faded", 5000)
    return True


def _write(window, title: str, default: str, text: str) -> bool:
    path = dialogs.ask_save_path(window, title, default, CSV_FILTER)
    if not path:
        return False
    try:
        atomic_write(path, text.encode("utf-8"))
    except NnvizError as exc:
        dialogs.warn(window, title, str(exc))
        return False
    window.statusBar().showMessage(f"Saved {path}", 5000)
    return True


def export_runs(window) -> bool:
    return _write(window, "Export runs table", "runs.csv", window.session.runs_csv())


def _num(v) -> str:
    """Four significant digits with the trailing zeros kept, so that a column reads down
    ("0.3180" under "0.6878", not "0.318"); an integer as it is; "–" for none."""
    if v is None or (isinstance(v, float) and not math.isfinite(v)):
        return "–"
    if not isinstance(v, float):
        return str(v)
    text = f"{v:#.4g}"
    return text[:-1] if text.endswith(".") else text     # (1234., the "#" keeps the point)


class RunsDialog(QDialog):
    """The runs table: one row per pinned run, the current run last."""

    def __init__(self, window):
        super().__init__(window)
        self.setObjectName("runsDialog")
        self.setWindowTitle("Runs")
        self.window_ = window
        self.table = QTableWidget(0, len(COLUMNS), self)
        self.table.setObjectName("runsTable")
        self.table.setSelectionBehavior(QAbstractItemView.SelectRows)
        self.table.setEditTriggers(QAbstractItemView.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeToContents)
        self.table.horizontalHeader().setSectionResizeMode(1, QHeaderView.Stretch)
        note = QLabel("Each pinned run's second column says how its settings became the current "
                      "run's. After an early stop the losses are the best epoch's.")
        note.setWordWrap(True)
        self.unpin = QPushButton("Unpin")
        self.unpin.setToolTip("Remove the selected pinned run from the loss chart (select a "
                              "pinned run's row first)")
        self.unpin.clicked.connect(self._unpin)
        export = QPushButton("Export CSV…")
        export.setToolTip("Write this table, with every setting of each run, to a CSV file")
        export.clicked.connect(lambda: export_runs(window))
        buttons = QDialogButtonBox(QDialogButtonBox.Close)
        buttons.rejected.connect(self.close)
        # Return closes the table; it unpinned the selected run, which no Undo brings back.
        for button in (self.unpin, export):
            button.setAutoDefault(False)
        buttons.button(QDialogButtonBox.Close).setDefault(True)
        self.table.itemSelectionChanged.connect(self._enable_unpin)
        row = QHBoxLayout()
        row.addWidget(self.unpin)
        row.addWidget(export)
        row.addStretch(1)
        row.addWidget(buttons)
        lay = QVBoxLayout(self)
        lay.addWidget(note)
        lay.addWidget(self.table)
        lay.addLayout(row)
        self.resize(900, 320)
        self.refresh()

    def refresh(self):
        s = self.window_.session
        m = "accuracy" if s.task == "classification" else "R²"
        self.table.setHorizontalHeaderLabels([c.format(m=m) for c in COLUMNS])
        runs = [*s.pinned, s.current_run()]
        self.table.setRowCount(len(runs))
        for i, run in enumerate(runs):
            f = run.final()
            changed = ("—" if run.label == "current" else
                       ", ".join(s.differences(run)) or "same settings")
            cells = (run.label, changed, _num(f["train_loss"]), _num(f["test_loss"]),
                     _num(f["train_metric"]), _num(f["test_metric"]), _num(run.best_epoch),
                     str(run.history["epoch"][-1]), str(run.steps), f"{run.seconds:.2f}")
            every = ", ".join(f"{k.replace('_', ' ')} {v}" for k, v in run.settings.items())
            for j, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setToolTip(every if j < 2 else text)
                if j >= 2:      # the figures, right-aligned: their digits line up down a column
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                self.table.setItem(i, j, item)
        self._enable_unpin()

    def _selected_pinned(self) -> list[int]:
        """The selected rows that are pinned runs (not the current run), last first."""
        rows = sorted({i.row() for i in self.table.selectedIndexes()}, reverse=True)
        return [r for r in rows if r < len(self.window_.session.pinned)]

    def _enable_unpin(self):
        self.unpin.setEnabled(bool(self._selected_pinned()))

    def _unpin(self):
        s = self.window_.session
        rows = self._selected_pinned()
        if not rows:
            dialogs.warn(self, "Unpin", "select a pinned run in the table first")
            return
        for r in rows:
            s.unpin(r)


def show_runs(window) -> RunsDialog:
    dlg = getattr(window, "runs_dialog", None)
    if dlg is None:
        dlg = window.runs_dialog = RunsDialog(window)
    dlg.refresh()
    dlg.show()
    dlg.raise_()
    return dlg


def _refresh(window):
    dlg = getattr(window, "runs_dialog", None)
    if dlg is not None and dlg.isVisible():
        dlg.refresh()
