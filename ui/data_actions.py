"""The File menu's data entries: Open data… (the import dialog), Open sample data › (the tables
in the package data ``nnviz/data/samples``), Save data as CSV… and Clear points.

Actions (objectNames): actionOpenData (Ctrl+Shift+O), actionSaveData, actionClearPoints,
and one ``actionSample_<file stem>`` per bundled table.
"""
from __future__ import annotations

import copy
import functools
import os
from importlib.resources import as_file, files
from pathlib import Path

from PySide6.QtCore import QTimer

from nnviz.data import csvdata
from nnviz.data.csvtable import CsvFormat
from nnviz.errors import NnvizError

from . import dialogs
from .actions import make_action, open_kept
from .data_dialog import DataImportDialog

# Package data, so the tables ship in the wheel; a Path for a regular install (as_file() makes a
# real file when the package is imported from an archive).
DATASETS = files("nnviz.data") / "samples"
# (file, target column, menu text): real tables, their sources and licences in samples/README.md.
SAMPLES = (
    ("breast_cancer.csv", "diagnosis", "Breast cancer (569 × 30, classification)"),
    ("diabetes.csv", "progression", "Diabetes progression (442 × 10, regression)"),
    ("iris_petals.csv", "species", "Iris petals (100 × 2, classification)"),
    ("iris.csv", "species", "Iris (150 × 4, 3 classes)"),
)
SAMPLE_TEST_RATIO = 0.3
# Every bundled table is written this way (a test sniffs each one), so opening one skips the
# guessing a user's file needs.
SAMPLE_FORMAT = CsvFormat(delimiter=",", decimal=".", has_header=True, encoding="utf-8")
CSV_FILTER = "CSV tables (*.csv *.tsv *.txt);;All files (*)"


def install(window, menu) -> None:
    """Add the data actions to ``window`` and to the top of ``menu`` (File)."""
    first = menu.actions()[0] if menu.actions() else None
    acts = []

    def action(name, text, slot, shortcut=None, tip=""):
        return make_action(window, name, text, slot, shortcut, tip)

    acts.append(action("actionOpenData", "Open data…", lambda: open_data(window), "Ctrl+Shift+O",
                       "Load a CSV table: choose the target and the input columns, then train"))
    samples = menu.addMenu("Open sample data")
    samples.menuAction().setStatusTip("Train on one of the real tables that come with nnviz")
    samples.setObjectName("menuSampleData")
    samples.setToolTipsVisible(True)
    samples.aboutToShow.connect(read_samples_soon)
    for file, target, text in SAMPLES:
        stem = Path(file).stem
        a = action(f"actionSample_{stem}", text, lambda _c=False, f=file: open_sample(window, f),
                   tip=f"Train on {file} (its source and licence: nnviz/data/samples/README.md)")
        samples.addAction(a)
    acts.append(samples.menuAction())
    acts.append(action("actionSaveData", "Save data as CSV…", lambda: save_data(window), None,
                       "Write the current data, with any points added by hand, to a CSV file"))
    acts.append(action("actionClearPoints", "Clear points", lambda: clear_points(window), None,
                       "Remove every point added by hand on the output plot"))
    for a in acts:
        menu.insertAction(first, a)
    if first is not None:
        menu.insertSeparator(first)


def _status(window, text: str):
    """Say ``text`` in the status bar for 5 s, or until the data it speaks of is replaced."""
    window.statusBar().showMessage(text, 5000)
    window._data_message = (text, window.session.dataset)


def forget_data_message(window):
    """(Called when the run's structure changes.) A message about data that is no longer trained
    on ("Loaded breast_cancer.csv" once the toy data is back) goes; it hid the step readout for
    the rest of its 5 s."""
    said = getattr(window, "_data_message", None)
    if said is None or window.session.dataset is said[1]:
        return
    window._data_message = None
    if window.statusBar().currentMessage() == said[0]:
        window.statusBar().clearMessage()


def open_data(window, path: str | None = None):
    """Ask for a CSV file (unless ``path`` is given) and show the import dialog for it; returns
    the dialog (window-modal, not blocking) or None when the user cancels."""
    if path is None:
        path = dialogs.ask_open_path(window, "Open data", CSV_FILTER)
        if not path:
            return None
    session = window.session
    session.pause()

    def apply(dataset, *, standardize, test_ratio, seed):
        session.set_dataset(dataset, standardize=standardize, test_ratio=test_ratio, seed=seed)
        _status(window, f"Loaded {dataset.name}: {dataset.n_samples} rows, "
                        f"{dataset.n_inputs} inputs, {dataset.task}")

    dlg = DataImportDialog(path, apply, window, test_ratio=SAMPLE_TEST_RATIO,
                           seed=session.config.seed)
    return open_kept(window, dlg, "_data_dialog")


def open_sample(window, file: str) -> bool:
    """Train on one of the bundled tables; False (with a warning) when it cannot be loaded."""
    session = window.session
    session.pause()
    try:
        ds = copy.copy(read_sample(file))
        session.set_dataset(ds, standardize=True, test_ratio=SAMPLE_TEST_RATIO,
                            seed=session.config.seed)
    except NnvizError as exc:
        dialogs.warn(window, "Open sample data", str(exc))
        return False
    _status(window, f"Loaded {file}: {ds.n_samples} rows, {ds.n_inputs} inputs, {ds.task}")
    return True


@functools.cache
def read_sample(file: str):
    """A bundled table (one of SAMPLES, with its target column), read once per session: the
    files are part of the installed package and never change, so opening one again costs only
    the new network, not reading 30 columns of text (about 3 ms of an opening's 25). Its arrays
    are made read-only, as every opening shares them; each opening gets its own Dataset record
    (a shallow copy), so the run still sees new data each time (a new split, the axes chosen
    anew), as with a file read afresh."""
    target = next(t for f, t, _ in SAMPLES if f == file)
    with as_file(DATASETS / file) as path:
        ds = csvdata.load_dataset(path, target, fmt=SAMPLE_FORMAT)
    ds.X.flags.writeable = False
    ds.y.flags.writeable = False
    return ds


def read_samples_soon() -> None:
    """Read the bundled tables, one per pass of the event loop, starting now: the Open sample
    data menu is opening, so a table is about to be chosen. The menu shows at once; the reads
    (6 ms for the four the first time, 4.5 ms of it the 30-column table; nothing afterwards)
    are done long before the pointer reaches an entry, and opening a table then costs only the
    new run. A table that cannot be read is left for its opening to report."""
    QTimer.singleShot(0, functools.partial(_read_next, [file for file, *_ in SAMPLES]))


def _read_next(files: list) -> None:
    try:
        read_sample(files[0])
    except (NnvizError, OSError):
        pass
    if len(files) > 1:
        QTimer.singleShot(0, functools.partial(_read_next, files[1:]))


def save_data(window) -> bool:
    session = window.session
    default = os.path.splitext(session.dataset.name or "data")[0] + ".csv"
    path = dialogs.ask_save_path(window, "Save data as CSV", default, "CSV tables (*.csv)")
    if not path:
        return False
    try:
        session.save_data(path)
    except (NnvizError, OSError) as exc:
        dialogs.warn(window, "Save data", str(exc))
        return False
    _status(window, f"Data saved to {path}")
    return True


def clear_points(window) -> int:
    n = window.session.clear_points()
    if n:
        _status(window, f"Removed {n} point{'s' * (n != 1)} added by hand")
    return n
